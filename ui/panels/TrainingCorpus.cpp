#include "ui/panels/TrainingCorpus.h"

#include "ml/corpus/CorpusReader.h"
#include "ml/corpus/CorpusReport.h"
#include "ml/corpus/CorpusTraining.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <memory>

namespace torchestra::ui {

namespace {

// The panel's words: the translation context stays the panel that shows them.
QString tr(const char* text) {
    return QCoreApplication::translate("torchestra::ui::TrainPanel", text);
}

// Opens and verifies the corpus in `dir`. A folder that is no corpus at all is said so in the
// user's terms before the reader's own message (which would name a missing manifest.json);
// the reader's errors name the corpus folder and the file at fault. Returns "" or the error.
QString openCorpus(const QString& dir, const ml::RepresentationConfig& rep,
                   ml::corpus::CorpusReader& reader) {
    const QFileInfo folder(dir);
    if (!folder.isDir())
        return tr("%1: no such folder").arg(QDir::toNativeSeparators(dir));
    if (!QFileInfo::exists(QDir(dir).filePath(QLatin1String(ml::corpus::kManifestName))))
        return tr("%1 is not a corpus (it has no %2): build one from a folder of MIDI files with "
                  "torchestra-cli corpus build FOLDER --out %1")
            .arg(QDir::toNativeSeparators(dir), QLatin1String(ml::corpus::kManifestName));
    const std::string err = reader.open(QFile::encodeName(dir).toStdString(), &rep, true);
    return QString::fromStdString(err);
}

} // namespace

CorpusSummary readCorpusSummary(const QString& dir, const ml::RepresentationConfig& rep) {
    CorpusSummary s;
    s.dir = dir;
    ml::corpus::CorpusReader reader;
    s.error = openCorpus(dir, rep, reader);
    if (!s.error.isEmpty())
        return s;
    const ml::corpus::CorpusManifest& m = reader.manifest();
    const ml::corpus::CorpusReport r = ml::corpus::makeCorpusReport(m);
    s.files = r.files;
    s.used = r.used;
    s.refused = r.refused;
    s.duplicates = r.duplicates;
    s.notes = r.notes;
    s.steps = r.steps;
    s.hours = r.seconds / 3600.0;
    s.trainFiles = r.trainFiles;
    s.validFiles = r.validFiles;
    s.trainSteps = r.trainSteps;
    s.validSteps = r.validSteps;
    s.tracks = m.trackIndices;
    s.report = QString::fromStdString(ml::corpus::formatCorpusReport(r, m, reader.dir()));
    return s;
}

CorpusTrainingData loadCorpusTrainingData(const QString& dir, const ml::RepresentationConfig& rep,
                                          std::size_t memoryBudget) {
    CorpusTrainingData out;
    auto reader = std::make_shared<ml::corpus::CorpusReader>();
    out.error = openCorpus(dir, rep, *reader);
    if (!out.error.isEmpty())
        return out;
    out.tracks = reader->manifest().trackIndices;
    // Held in memory when it fits the budget (by default a quarter of the machine's memory),
    // else streamed from the shards, as `train --corpus` does.
    ml::corpus::CorpusTrainingOptions options;
    options.memoryBudgetBytes = memoryBudget;
    ml::corpus::CorpusTrainingSummary summary;
    out.error = QString::fromStdString(
        ml::corpus::loadCorpusTrainingData(reader, options, out.dataset, summary));
    out.streamed = summary.streamed;
    out.trainSteps = summary.trainSteps;
    out.trainNotes = summary.trainNotes;
    out.trainFiles = long(summary.trainFiles);
    return out;
}

} // namespace torchestra::ui
