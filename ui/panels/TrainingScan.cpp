#include "ui/panels/TrainingScan.h"

#include "midi/MidiFile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QStandardPaths>

namespace torchestra::ui {

namespace {

// The panel's words: the translation context stays the panel that shows them.
QString tr(const char* text, int n = -1) {
    return QCoreApplication::translate("torchestra::ui::TrainPanel", text, nullptr, n);
}

ml::DatasetOptions datasetOptions(const std::vector<int>& tracks) {
    ml::DatasetOptions options;
    options.validFraction = 0.1;
    options.seed = 1;
    options.selection.indices = tracks;
    options.cacheDir = QFile::encodeName(trainingCacheDirectory()).toStdString();
    return options;
}

// One file's use of the chosen `indices`, from its song as read again.
TrackUse trackUseOf(const model::Song& song, const std::vector<int>& indices) {
    TrackUse use;
    auto label = [&](int index) {
        const std::string& name = song.trackAt(std::size_t(index)).properties.name;
        return name.empty() ? QString::number(index)
                            : QStringLiteral("%1 %2").arg(index).arg(QString::fromStdString(name));
    };
    QStringList available;
    const int count = int(song.trackCount());
    for (int t = 0; t < count; ++t)
        available
            << tr("%1 (%n note(s))", int(song.trackAt(std::size_t(t)).noteCount())).arg(label(t));
    use.available = tr("Tracks in this file: %1").arg(available.join(QStringLiteral(", ")));
    QStringList used;
    for (int index : indices) {
        if (index >= count) {
            use.problems
                << (count == 0
                        ? tr("no track %1 (the file has no tracks)").arg(index)
                        : tr("no track %1 (the file has tracks 0-%2)").arg(index).arg(count - 1));
            continue;
        }
        if (song.trackAt(std::size_t(index)).noteCount() == 0)
            use.problems << tr("track %1 has no notes").arg(label(index));
        else
            used << label(index);
    }
    use.used = used.isEmpty() ? tr("none") : used.join(QStringLiteral(", "));
    return use;
}

} // namespace

QString trainingCacheDirectory() {
    const QString folder = QStringLiteral("datasets"); // keyed by file, grid and tracks
    return QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath(folder);
}

ml::Dataset loadTrainingDataset(const QStringList& inputs, const ml::RepresentationConfig& rep,
                                const std::vector<int>& tracks) {
    std::vector<std::string> paths;
    for (const QString& p : inputs)
        paths.push_back(QFile::encodeName(p).toStdString());
    return ml::loadMidiDataset(paths, rep, datasetOptions(tracks));
}

std::vector<TrackUse> describeTrackUse(const std::vector<ml::DatasetFileInfo>& files,
                                       const std::vector<int>& tracks) {
    std::vector<TrackUse> out(files.size());
    if (tracks.empty()) {
        for (TrackUse& use : out)
            use.used = tr("all but drums");
        return out;
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (files[i].hash.empty())
            continue; // not read at all: its problem says why
        // Read again for the track list: the dataset keeps only the grid (or its cache).
        const midi::ReadResult r = midi::readMidiFile(files[i].path);
        if (r.ok)
            out[i] = trackUseOf(r.song, tracks);
    }
    return out;
}

TrainingScan scanTrainingFiles(const QStringList& inputs, const ml::RepresentationConfig& rep,
                               const std::vector<int>& tracks) {
    TrainingScan scan;
    scan.files = loadTrainingDataset(inputs, rep, tracks).files;
    scan.tracks = describeTrackUse(scan.files, tracks);
    return scan;
}

} // namespace torchestra::ui
