// The Train panel's corpus: a built corpus (`torchestra-cli corpus build`) chosen as the
// training data instead of the files, read and verified on a worker, shown by the numbers of its
// report with the whole report a click away.
#include "ui/panels/TrainPanel.h"

#include "ml/corpus/CorpusFormat.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace torchestra::ui {

namespace {

const char* const kLastCorpusDirKey = "train/lastCorpusDirectory";

// The numbers a user decides by, from the corpus's report: what it holds, how it is split and
// which tracks it was built from.
QString summaryText(const CorpusSummary& s) {
    const QLocale locale;
    auto n = [&locale](long value) { return locale.toString(qlonglong(value)); };
    QStringList lines;
    lines << TrainPanel::tr("Corpus %1").arg(QDir::toNativeSeparators(s.dir));
    lines << TrainPanel::tr("%1 of %2 files used, %3 refused")
                     .arg(n(s.used), n(s.files), n(s.refused)) +
                 (s.duplicates == 1  ? TrainPanel::tr(" (one a duplicate)")
                  : s.duplicates > 1 ? TrainPanel::tr(" (%1 duplicates)").arg(n(s.duplicates))
                                     : QString());
    lines << TrainPanel::tr("%1 steps \u00b7 %2 hours \u00b7 %3 notes")
                 .arg(n(s.steps), locale.toString(s.hours, 'f', 2), n(s.notes));
    lines << TrainPanel::tr("Split: %1 files (%2 steps) to train, %3 (%4 steps) to validate")
                 .arg(n(s.trainFiles), n(s.trainSteps), n(s.validFiles), n(s.validSteps));
    lines << (s.tracks.empty() ? TrainPanel::tr("Built from every track but drums")
                               : TrainPanel::tr("Built from track(s) %1 of every file")
                                     .arg(TrainPanel::tracksText(s.tracks)));
    return lines.join(QLatin1Char('\n'));
}

} // namespace

QWidget* TrainPanel::buildCorpusPage(QWidget* parent) {
    auto* page = new QWidget(parent);
    page->setObjectName(QStringLiteral("trainCorpusPage"));
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    m_corpusText = new QLabel(page);
    m_corpusText->setObjectName(QStringLiteral("trainCorpusSummary"));
    m_corpusText->setWordWrap(true);
    m_corpusText->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_corpusText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_corpusText->setTextFormat(Qt::PlainText); // paths and errors are shown as they are
    layout->addWidget(m_corpusText, 1);
    auto* buttons = new QHBoxLayout;
    m_corpusReport = new QPushButton(tr("Report\u2026"), page);
    m_corpusReport->setObjectName(QStringLiteral("corpusReportButton"));
    m_corpusReport->setToolTip(tr("The corpus's report: every refusal by reason with the first "
                                  "files, duplicates, and what its last build did."));
    m_useFiles = new QPushButton(tr("Use Files"), page);
    m_useFiles->setObjectName(QStringLiteral("useFilesButton"));
    m_useFiles->setToolTip(tr("Train on the chosen files again (they are kept as they were)."));
    connect(m_corpusReport, &QPushButton::clicked, this, &TrainPanel::showCorpusReport);
    connect(m_useFiles, &QPushButton::clicked, this, &TrainPanel::useFiles);
    buttons->addWidget(m_corpusReport);
    buttons->addWidget(m_useFiles);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    return page;
}

bool TrainPanel::hasTrainingData() const {
    return m_corpusDir.isEmpty() ? !m_inputs.isEmpty() : m_corpus.ok() && !m_corpusReading;
}

void TrainPanel::chooseCorpus() {
    QString dir;
    if (m_chooser) {
        dir = m_chooser(true).value(0);
    } else {
        QSettings settings;
        dir = QFileDialog::getExistingDirectory(
            this, tr("Use a Corpus (made with torchestra-cli corpus build)"),
            settings.value(kLastCorpusDirKey, settings.value(QStringLiteral("train/lastDirectory")))
                .toString());
        if (!dir.isEmpty())
            settings.setValue(kLastCorpusDirKey, QFileInfo(dir).absolutePath());
    }
    if (dir.isEmpty())
        return;
    setCorpus(dir);
    emit settingsEdited();
}

// What the user added with Add or by dropping: a folder that is a built corpus (it has the
// manifest) is used as the corpus, as its MIDI files are not in it to be found; anything else
// adds files, and training on files again.
void TrainPanel::addChosenData(const QStringList& paths) {
    if (paths.size() == 1 && QFileInfo(paths.front()).isDir() &&
        QFileInfo::exists(QDir(paths.front()).filePath(QLatin1String(ml::corpus::kManifestName)))) {
        setCorpus(paths.front());
        emit settingsEdited();
        return;
    }
    useFiles();
    addInputs(paths);
}

void TrainPanel::useFiles() {
    if (m_corpusDir.isEmpty())
        return;
    setCorpus({});
    m_status->setText(tr("Back to the files"));
    emit settingsEdited();
}

void TrainPanel::setCorpus(const QString& dir) {
    const QString absolute = dir.isEmpty() ? QString() : QFileInfo(dir).absoluteFilePath();
    const std::uint64_t generation = ++m_corpusGeneration;
    m_corpusDir = absolute;
    m_corpus = CorpusSummary{};
    m_corpusReading = !absolute.isEmpty();
    showDataPage();
    if (absolute.isEmpty()) {
        updateButtons();
        return;
    }
    m_corpusText->setText(
        tr("Reading and checking the corpus %1\u2026").arg(QDir::toNativeSeparators(absolute)));
    updateButtons();
    // Every shard is read to check it (hundreds of megabytes for a large corpus): a worker's
    // job, the panel stays usable meanwhile.
    const ml::RepresentationConfig rep = modelConfig().representation;
    auto* watcher = new QFutureWatcher<CorpusSummary>(this);
    connect(watcher, &QFutureWatcher<CorpusSummary>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_corpusGeneration)
            return; // another corpus (or the files) was chosen meanwhile
        showCorpus(watcher->future().takeResult());
        emit filesScanned();
    });
    watcher->setFuture(
        QtConcurrent::run([absolute, rep] { return readCorpusSummary(absolute, rep); }));
}

void TrainPanel::showCorpus(const CorpusSummary& summary) {
    m_corpus = summary;
    m_corpusReading = false;
    if (summary.ok()) {
        m_corpusText->setText(summaryText(summary));
        m_corpusText->setToolTip(summary.report);
        m_tracksEdit->setText(tracksText(summary.tracks));
        m_tracksEdit->setPlaceholderText(tr("All but drums, as the corpus was built"));
    } else {
        m_corpusText->setText(tr("Not usable: %1").arg(summary.error));
        m_corpusText->setToolTip(QString());
        m_status->setText(tr("Training data not usable: %1").arg(summary.error));
    }
    updateButtons();
}

// The file list or the corpus, and the track field as it applies to what is shown.
void TrainPanel::showDataPage() {
    const bool corpus = !m_corpusDir.isEmpty();
    m_dataPages->setCurrentIndex(corpus ? 1 : 0);
    m_fileSummary->setVisible(!corpus);
    // The corpus was built with one track choice; the field shows it (once read) but the
    // user's own choice for files stays and comes back with them.
    m_tracksEdit->setText(corpus ? QString() : tracksText(m_tracks));
    m_tracksEdit->setPlaceholderText(corpus ? tr("The corpus's tracks") : tr("All but drums"));
    m_tracksEdit->setToolTip(
        corpus ? tr("A corpus was built from one choice of tracks (corpus build --tracks); "
                    "Use Files to choose tracks, or rebuild the corpus with others.")
               : tr("Which tracks of every file to learn from, by number as the file list's "
                    "Tracks column shows them (from 0), e.g. \"1\" or \"1, 3-4\". Empty: every "
                    "track except drums (channel 10)."));
}

void TrainPanel::showCorpusReport() {
    if (!m_corpus.ok())
        return;
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("corpusReportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Corpus Report \u2014 %1").arg(QFileInfo(m_corpus.dir).fileName()));
    auto* layout = new QVBoxLayout(dialog);
    auto* text = new QPlainTextEdit(m_corpus.report, dialog);
    text->setObjectName(QStringLiteral("corpusReportText"));
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(text);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(close, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(close);
    dialog->resize(900, 420); // the report's lines are long (representation, paths)
    dialog->show();           // not modal: the report can stay open beside the panel
}

} // namespace torchestra::ui
