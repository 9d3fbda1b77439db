#include "ui/panels/TrainPanel.h"

#include "model/TrackIndices.h"

#include "ui/common/FileFilters.h"
#include "ui/panels/LossChart.h"
#include "ui/panels/ModelLibrary.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

namespace {

const char* const kLastDirKey = "train/lastDirectory";

bool isMidiName(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("mid") || suffix == QLatin1String("midi") ||
           suffix == QLatin1String("kar") || suffix == QLatin1String("rmi");
}

// What "bits per note" means, for the status line's tooltip (LossMeasure.h says more).
QString measureHelp() {
    return QCoreApplication::translate(
        "TrainPanel", "Bits per note: how surprised the model is by the held-out files (the ones "
                      "it did not train on), per note. Lower is better; every kind is measured "
                      "the same way, so kinds trained on the same files compare directly.");
}

QString formatSeconds(double seconds) {
    const int total = int(std::lround(std::max(0.0, seconds)));
    if (total >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(total / 3600)
            .arg(total / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(total % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TrainPanel::TrainPanel(ModelLibrary* library, QWidget* parent)
    : QWidget(parent), m_library(library), m_session(new TrainingSession(library, this)),
      m_fileModel(new TrainingFilesModel(this)) {
    setAcceptDrops(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(buildDataBox());
    splitter->addWidget(buildModelBox());
    m_chart = new LossChart(this);
    splitter->addWidget(m_chart);
    splitter->addWidget(buildLibraryBox());
    // The chart takes what the lists and the form leave.
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 0);
    splitter->setStretchFactor(2, 1);
    splitter->setStretchFactor(3, 0);
    layout->addWidget(splitter);
    wireSession();
    connect(m_library, &ModelLibrary::modelAdded, this, [this](const QString& path) {
        const int row = m_library->rowOf(path);
        if (row >= 0)
            m_models->setCurrentIndex(m_library->index(row, 0));
    });
    connect(m_library, &ModelLibrary::failed, this,
            [this](const QString& message) { m_status->setText(message); });
    updateButtons();
}

// The session is a child: QObject deletes it (joining its worker) with the panel.
TrainPanel::~TrainPanel() = default;

QLineSeries* TrainPanel::trainSeries() const {
    return m_chart->trainSeries();
}

QLineSeries* TrainPanel::validSeries() const {
    return m_chart->validSeries();
}

QChartView* TrainPanel::chartView() const {
    return m_chart;
}

// --- Building -----------------------------------------------------------------------------

QWidget* TrainPanel::buildDataBox() {
    auto* dataBox = new QGroupBox(tr("Training data"), this);
    auto* dataLayout = new QVBoxLayout(dataBox);
    m_files = new QTreeView(dataBox);
    m_files->setObjectName(QStringLiteral("trainFileList"));
    m_files->setModel(m_fileModel);
    m_files->setRootIsDecorated(false);
    m_files->setAlternatingRowColors(true);
    m_files->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_files->setUniformRowHeights(true);
    m_files->header()->setStretchLastSection(true);
    m_files->header()->setSectionResizeMode(FileNameColumn, QHeaderView::Interactive);
    m_files->header()->resizeSection(FileNameColumn, 150);
    m_files->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // tooltips hold the rest
    m_files->header()->setSectionResizeMode(StepsColumn, QHeaderView::ResizeToContents);
    m_files->header()->setSectionResizeMode(NotesColumn, QHeaderView::ResizeToContents);
    m_files->header()->setSectionResizeMode(TracksColumn, QHeaderView::ResizeToContents);
    m_files->setMinimumHeight(112);
    m_files->setMaximumHeight(150); // the chart gets the rest
    m_dataPages = new QStackedWidget(dataBox);
    m_dataPages->addWidget(m_files);
    m_dataPages->addWidget(buildCorpusPage(dataBox));
    m_dataPages->setMaximumHeight(150);
    dataLayout->addWidget(m_dataPages, 1);
    auto* fileButtons = new QHBoxLayout;
    auto* addFiles = new QPushButton(tr("Add Files\u2026"), dataBox);
    addFiles->setObjectName(QStringLiteral("addFilesButton"));
    auto* addFolder = new QPushButton(tr("Add Folder\u2026"), dataBox);
    addFolder->setObjectName(QStringLiteral("addFolderButton"));
    m_removeFiles = new QPushButton(tr("Remove"), dataBox);
    m_removeFiles->setObjectName(QStringLiteral("removeFilesButton"));
    m_useCorpus = new QPushButton(tr("Use Corpus\u2026"), dataBox);
    m_useCorpus->setObjectName(QStringLiteral("useCorpusButton"));
    m_useCorpus->setToolTip(
        tr("Train on a corpus built from folders of MIDI files with torchestra-cli corpus build "
           "(read once, checked, with its own validation split) instead of the files above."));
    connect(addFiles, &QPushButton::clicked, this, [this] { chooseAndAdd(false); });
    connect(addFolder, &QPushButton::clicked, this, [this] { chooseAndAdd(true); });
    connect(m_removeFiles, &QPushButton::clicked, this, &TrainPanel::removeSelectedInputs);
    connect(m_useCorpus, &QPushButton::clicked, this, &TrainPanel::chooseCorpus);
    fileButtons->addWidget(addFiles);
    fileButtons->addWidget(addFolder);
    fileButtons->addWidget(m_removeFiles);
    fileButtons->addStretch(1);
    fileButtons->addWidget(m_useCorpus);
    dataLayout->addLayout(fileButtons);
    auto* tracksRow = new QHBoxLayout;
    auto* tracksLabel = new QLabel(tr("&Tracks"), dataBox);
    m_tracksEdit = new QLineEdit(dataBox);
    m_tracksEdit->setObjectName(QStringLiteral("trainTracksEdit"));
    m_tracksEdit->setClearButtonEnabled(true);
    // Digits, commas, ranges and spaces; the rest is checked when the field is left.
    m_tracksEdit->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[0-9,\\-\\s]*")), m_tracksEdit));
    tracksLabel->setBuddy(m_tracksEdit);
    connect(m_tracksEdit, &QLineEdit::editingFinished, this, &TrainPanel::applyTracksText);
    tracksRow->addWidget(tracksLabel);
    tracksRow->addWidget(m_tracksEdit, 1);
    dataLayout->addLayout(tracksRow);
    m_fileSummary = new QLabel(tr("Drop MIDI files or folders here"), dataBox);
    m_fileSummary->setObjectName(QStringLiteral("trainFileSummary"));
    m_fileSummary->setWordWrap(true);
    dataLayout->addWidget(m_fileSummary);
    showDataPage(); // the files, and the track field's hints for them
    return dataBox;
}

void TrainPanel::buildRunControls(QWidget* box, QFormLayout* form) {
    auto* runRow = new QHBoxLayout;
    m_train = new QPushButton(tr("Train"), box);
    m_train->setObjectName(QStringLiteral("trainButton"));
    m_train->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), box);
    m_cancel->setObjectName(QStringLiteral("cancelTrainingButton"));
    connect(m_train, &QPushButton::clicked, this, &TrainPanel::train);
    connect(m_cancel, &QPushButton::clicked, this, &TrainPanel::cancel);
    runRow->addWidget(m_train, 1);
    runRow->addWidget(m_cancel);
    form->addRow(runRow);
    m_progress = new QProgressBar(box);
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(10);
    form->addRow(m_progress);
    m_status = new QLabel(tr("Ready"), box);
    m_status->setObjectName(QStringLiteral("trainStatus"));
    m_status->setToolTip(measureHelp());
    m_status->setWordWrap(true);
    m_speed = new QLabel(box);
    m_speed->setObjectName(QStringLiteral("trainSpeed"));
    m_speed->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->addRow(m_status);
    form->addRow(m_speed);
    m_forecast = new QLabel(box);
    m_forecast->setObjectName(QStringLiteral("trainForecast"));
    m_forecast->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_forecast->setToolTip(tr("A curve fitted to the validations so far (ml/LossForecast.h): a "
                              "guess that firms up as more come, not a promise."));
    form->addRow(m_forecast);
}

QWidget* TrainPanel::buildLibraryBox() {
    auto* libraryBox = new QGroupBox(tr("Trained models"), this);
    auto* libraryLayout = new QVBoxLayout(libraryBox);
    m_models = new QTreeView(libraryBox);
    m_models->setObjectName(QStringLiteral("modelList"));
    m_models->setModel(m_library);
    m_models->setRootIsDecorated(false);
    m_models->setAlternatingRowColors(true);
    m_models->setUniformRowHeights(true);
    m_models->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_models->header()->setSectionResizeMode(ModelLibrary::NameColumn, QHeaderView::Stretch);
    m_models->header()->setStretchLastSection(false);
    m_models->setMinimumHeight(60);
    m_models->setMaximumHeight(130);
    m_models->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    libraryLayout->addWidget(m_models, 1);
    auto* libraryButtons = new QHBoxLayout;
    m_loadModel = new QPushButton(tr("Load\u2026"), libraryBox);
    m_loadModel->setObjectName(QStringLiteral("loadModelButton"));
    m_saveModel = new QPushButton(tr("Save As\u2026"), libraryBox);
    m_saveModel->setObjectName(QStringLiteral("saveModelButton"));
    m_removeModel = new QPushButton(tr("Delete"), libraryBox);
    m_removeModel->setObjectName(QStringLiteral("deleteModelButton"));
    connect(m_loadModel, &QPushButton::clicked, this, &TrainPanel::loadModel);
    connect(m_saveModel, &QPushButton::clicked, this, &TrainPanel::saveModel);
    connect(m_removeModel, &QPushButton::clicked, this,
            [this] { m_library->remove(m_models->currentIndex().row()); });
    libraryButtons->addWidget(m_loadModel);
    libraryButtons->addWidget(m_saveModel);
    libraryButtons->addWidget(m_removeModel);
    libraryButtons->addStretch(1);
    libraryLayout->addLayout(libraryButtons);
    connect(m_models->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &TrainPanel::updateButtons);
    return libraryBox;
}

// --- Inputs ------------------------------------------------------------------------------

void TrainPanel::setInputs(const QStringList& paths) {
    QStringList clean;
    for (const QString& p : paths) {
        const QString absolute = QFileInfo(p).absoluteFilePath();
        if (!p.isEmpty() && !clean.contains(absolute))
            clean << absolute;
    }
    if (clean == m_inputs && (m_fileModel->rowCount() > 0 || clean.isEmpty()))
        return;
    m_inputs = clean;
    updateButtons();
    emit inputsChanged(m_inputs);
    scanFiles();
}

void TrainPanel::addInputs(const QStringList& paths) {
    setInputs(m_inputs + paths);
}

void TrainPanel::removeSelectedInputs() {
    // A row is a file; removing it removes the input it came from (the file, or its folder).
    QStringList remove;
    for (const QModelIndex& index : m_files->selectionModel()->selectedRows()) {
        const QString file = m_fileModel->path(index.row());
        for (const QString& input : m_inputs)
            if (file == input || file.startsWith(input + QLatin1Char('/')))
                remove << input;
    }
    if (remove.isEmpty())
        return;
    QStringList kept = m_inputs;
    for (const QString& r : remove)
        kept.removeAll(r);
    setInputs(kept);
}

void TrainPanel::chooseAndAdd(bool folder) {
    QStringList chosen;
    if (m_chooser) {
        chosen = m_chooser(folder);
    } else {
        QSettings settings;
        const QString dir = settings.value(kLastDirKey).toString();
        if (folder) {
            const QString d =
                QFileDialog::getExistingDirectory(this, tr("Add a Folder of MIDI Files"), dir);
            if (!d.isEmpty())
                chosen << d;
        } else {
            chosen =
                QFileDialog::getOpenFileNames(this, tr("Add MIDI Files"), dir, midiFileFilter());
        }
        if (!chosen.isEmpty())
            settings.setValue(kLastDirKey, QFileInfo(chosen.first()).absolutePath());
    }
    if (!chosen.isEmpty())
        addChosenData(chosen);
}

void TrainPanel::dragEnterEvent(QDragEnterEvent* event) {
    if (!event->mimeData()->hasUrls())
        return;
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (QFileInfo(path).isDir() || isMidiName(path)) {
            event->acceptProposedAction();
            return;
        }
    }
}

void TrainPanel::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (QFileInfo(path).isDir() || isMidiName(path))
            paths << path;
    }
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    addChosenData(paths);
}

void TrainPanel::scanFiles() {
    const std::uint64_t generation = ++m_scanGeneration;
    if (m_inputs.isEmpty()) {
        showFiles({});
        emit filesScanned();
        return;
    }
    m_fileSummary->setText(tr("Reading %n input(s)\u2026", nullptr, int(m_inputs.size())));
    const QStringList inputs = m_inputs;
    const ml::RepresentationConfig rep = modelConfig().representation;
    const std::vector<int> tracks = m_tracks;
    auto* watcher = new QFutureWatcher<TrainingScan>(this);
    connect(watcher, &QFutureWatcher<TrainingScan>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_scanGeneration)
            return;
        showFiles(watcher->future().takeResult());
        emit filesScanned();
    });
    watcher->setFuture(QtConcurrent::run(
        [inputs, rep, tracks] { return scanTrainingFiles(inputs, rep, tracks); }));
}

void TrainPanel::showFiles(const TrainingScan& scan) {
    m_fileModel->setScan(scan);
    const QLocale locale;
    const int files = m_fileModel->rowCount();
    if (files == 0)
        m_fileSummary->setText(tr("Drop MIDI files or folders here, or use Add."));
    else
        m_fileSummary->setText(
            tr("%1 of %n file(s) usable \u00b7 %2 steps \u00b7 %3 notes", nullptr, files)
                .arg(m_fileModel->usableCount())
                .arg(locale.toString(qlonglong(m_fileModel->totalSteps())),
                     locale.toString(qlonglong(m_fileModel->totalNotes()))) +
            (m_tracks.empty() ? QString()
                              : tr(" \u00b7 track(s) %1 of each").arg(tracksText(m_tracks))));
}

// --- Tracks -------------------------------------------------------------------------------

QString TrainPanel::tracksText(const std::vector<int>& indices) {
    return QString::fromStdString(ml::trackIndicesText(indices));
}

bool TrainPanel::parseTracks(const QString& text, std::vector<int>& out) {
    return model::parseTrackIndices(text.toStdString(), out).empty();
}

void TrainPanel::setTrainingTracks(const std::vector<int>& indices) {
    std::vector<int> sorted = indices;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    m_tracksEdit->setText(tracksText(sorted));
    if (sorted == m_tracks)
        return;
    m_tracks = sorted;
    scanFiles();
}

void TrainPanel::applyTracksText() {
    if (!m_corpusDir.isEmpty())
        return; // the field shows the corpus's tracks, which are not the user's to change
    std::vector<int> tracks;
    if (!parseTracks(m_tracksEdit->text(), tracks)) {
        m_status->setText(tr("Tracks: \"%1\" is not a list of track numbers such as \"1, 3-4\"; "
                             "still using %2.")
                              .arg(m_tracksEdit->text(),
                                   m_tracks.empty() ? tr("all tracks but drums")
                                                    : tr("tracks %1").arg(tracksText(m_tracks))));
        return;
    }
    m_tracksEdit->setText(tracksText(tracks)); // the tidy form: "1, 2, 3" for "1-3"
    if (tracks == m_tracks)
        return;
    m_tracks = tracks;
    m_status->setText(tracks.empty()
                          ? tr("Learning from all tracks but drums")
                          : tr("Learning from track(s) %1 of every file").arg(tracksText(tracks)));
    emit settingsEdited();
    scanFiles();
}

// --- Training -----------------------------------------------------------------------------

QString TrainPanel::stateName(State state) {
    switch (state) {
    case State::Idle:
        return QStringLiteral("idle");
    case State::Reading:
        return QStringLiteral("reading");
    case State::Training:
        return QStringLiteral("training");
    case State::Cancelling:
        return QStringLiteral("cancelling");
    case State::Finished:
        return QStringLiteral("finished");
    case State::Cancelled:
        return QStringLiteral("cancelled");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

void TrainPanel::wireSession() {
    connect(m_session, &TrainingSession::stateChanged, this, &TrainPanel::onSessionState);
    connect(m_session, &TrainingSession::dataRead, this, [this](const TrainingScan& scan) {
        showFiles(scan);
        m_progress->setRange(0, 1000);
        m_progress->setValue(0);
    });
    connect(m_session, &TrainingSession::progressed, this, &TrainPanel::onProgress);
    connect(m_session, &TrainingSession::modelSaved, this, [this](const QString& path) {
        // The result stays in view; where the model went is in the list below and here.
        m_status->setToolTip(tr("Saved as %1 in the trained models below.\n%2")
                                 .arg(QFileInfo(path).fileName(), measureHelp()));
        emit modelTrained(path);
    });
}

void TrainPanel::updateButtons() {
    const bool busy = isBusy();
    m_train->setEnabled(!busy && hasTrainingData());
    m_train->setText(runsHere() ? tr("Train") : tr("Copy Command Line"));
    m_cancel->setEnabled(state() == State::Reading || state() == State::Training);
    m_kind->setEnabled(!busy);
    m_tracksEdit->setEnabled(!busy && m_corpusDir.isEmpty());
    m_removeFiles->setEnabled(m_corpusDir.isEmpty());
    m_useCorpus->setEnabled(!busy);
    m_useFiles->setEnabled(!busy);
    m_corpusReport->setEnabled(m_corpus.ok() && !m_corpusReading);
    m_preset->setEnabled(!busy);
    m_trainFor->setEnabled(!busy && modelConfig().kind != ml::ModelKind::Markov);
    m_runOn->setEnabled(!busy);
    const QModelIndex current = m_models->currentIndex();
    const bool haveModel = current.isValid();
    m_saveModel->setEnabled(haveModel);
    // A built-in model comes with the program: it can be saved elsewhere, never deleted.
    const bool builtin = haveModel && m_library->entry(current.row()).isBuiltin();
    m_removeModel->setEnabled(haveModel && !builtin);
    m_removeModel->setToolTip(builtin ? tr("Built-in models come with the program and stay")
                                      : QString());
}

void TrainPanel::train() {
    if (isBusy() || !hasTrainingData())
        return;
    if (!runsHere()) {
        copyClusterCommand();
        return;
    }
    if (!m_corpusDir.isEmpty())
        m_session->startCorpus(m_corpusDir, modelConfig(), trainOptions());
    else
        m_session->start(m_inputs, m_tracks, modelConfig(), trainOptions());
}

void TrainPanel::cancel() {
    m_session->cancel();
}

void TrainPanel::onSessionState(State state, const QString& message) {
    switch (state) {
    case State::Reading:
        m_chart->clear();
        m_validPoints.clear();
        m_lastValidEpoch = 0;
        m_forecast->clear();
        m_progress->setRange(0, 0); // busy until the data is read
        m_speed->clear();
        break;
    case State::Training: {
        m_runClock.start();
        m_progress->setRange(0, 1000); // a corpus's run has no dataRead() to reset it
        m_progress->setValue(0);
        // The Markov result drawn for comparison must come from the same data.
        const QString dataKey = m_session->corpus().isEmpty()
                                    ? m_inputs.join(QLatin1Char('\n')) + tracksText(m_tracks)
                                    : QStringLiteral("corpus\n") + m_session->corpus();
        // The axis grows as the epochs come: a time budget does not say how many there will be.
        m_chart->startRun(m_session->config().kind, std::min(m_session->options().epochs, 5),
                          m_session->trainRate(), m_session->validRate(), dataKey);
        break;
    }
    case State::Cancelled:
        m_progress->setRange(0, 1000);
        m_progress->setValue(0);
        m_speed->clear();
        break;
    case State::Failed:
        m_progress->setRange(0, 1000);
        m_speed->clear();
        break;
    case State::Finished:
        m_progress->setRange(0, 1000);
        m_speed->clear();
        m_progress->setValue(1000);
        m_chart->showHistory(m_session->history());
        break;
    case State::Idle:
    case State::Cancelling:
        break;
    }
    if (!message.isEmpty())
        m_status->setText(message);
    updateButtons();
    emit stateChanged(state);
}

// How far the run is, 0..1: against its time budget, or its epochs when they end it sooner;
// -1 when neither says (until it stops improving).
double TrainPanel::runFraction(const ml::TrainProgress& p) const {
    const ml::TrainOptions& options = m_session->options();
    double fraction = -1;
    if (options.maxMinutes > 0)
        fraction = m_runClock.elapsed() / (options.maxMinutes * 60000.0);
    if (options.epochs < ml::kEpochsWithoutLimit) {
        const double perEpoch = double(std::max<long>(1, p.stepsPerEpoch));
        const double epochFraction = std::clamp(double(p.step) / perEpoch, 0.0, 1.0);
        fraction = std::max(fraction, (std::max(0, p.epoch - 1) + epochFraction) /
                                          std::max(1, options.epochs));
    }
    return std::min(fraction, 1.0);
}

void TrainPanel::onProgress(const ml::TrainProgress& p) {
    // While it chooses its sampling (about a minute after training), the bar is that choice's.
    const bool choosing = p.settingsToRead > 0;
    const double fraction = choosing ? double(p.settingsRead) / p.settingsToRead : runFraction(p);
    m_progress->setRange(0, fraction < 0 ? 0 : 1000); // busy when the end is not known
    if (fraction >= 0)
        m_progress->setValue(int(std::lround(fraction * 1000)));
    m_chart->showProgress(p);
    const double budgetSeconds = m_session->options().maxMinutes * 60;
    const double elapsed = m_runClock.elapsed() / 1000.0;
    if (state() == State::Training &&
        (p.phase == "choosing temperature" || p.phase == "choosing the harmony")) {
        // Short, to stay on one line of the panel; what it does is in the tooltip.
        m_status->setText(choosing ? tr("Choosing how to sample: %1 of %2 settings read")
                                         .arg(p.settingsRead)
                                         .arg(p.settingsToRead)
                                   : tr("Choosing how to sample\u2026"));
        m_status->setToolTip(
            (p.phase == "choosing the harmony"
                 ? tr("The model writes short continuations of its validation files with each "
                      "harmony, cap and floor on notes at once, note length, texture and "
                      "push of the harmony, and keeps the closest to what followed.")
                 : tr("The model writes short continuations of its validation and training "
                      "files at each temperature, with and without the bar's rhythm and its "
                      "repeating figures, and keeps the closest to what followed.")) +
            QLatin1Char('\n') + measureHelp());
    } else if (state() == State::Training) {
        QString text =
            p.phase == "validating"
                ? tr("Epoch %1: validating\u2026").arg(p.epoch)
                : tr("Epoch %1, batch %2 of %3").arg(p.epoch).arg(p.step).arg(p.stepsPerEpoch);
        if (p.trainLoss > 0)
            text += tr(" \u00b7 %1").arg(lossText(p.trainLoss, m_session->trainRate()));
        m_status->setText(text);
    }
    QStringList speed;
    if (p.framesPerSecond > 0)
        speed << tr("%1 steps/s").arg(QLocale().toString(p.framesPerSecond, 'f', 0));
    if (budgetSeconds > 0)
        speed << tr("%1 of %2, %3 left")
                     .arg(formatSeconds(elapsed), formatSeconds(budgetSeconds),
                          formatSeconds(p.secondsLeft > 0
                                            ? std::min(budgetSeconds - elapsed, p.secondsLeft)
                                            : budgetSeconds - elapsed));
    else if (m_session->options().epochs < ml::kEpochsWithoutLimit && p.secondsLeft > 0)
        speed << tr("%1 left").arg(formatSeconds(p.secondsLeft));
    else
        speed << tr("%1, until it stops improving").arg(formatSeconds(elapsed));
    m_speed->setText(speed.join(QStringLiteral("  \u00b7  ")));
    updateForecast(p);
}

// Once per new validation (the epoch after it reports it): where the loss is heading by the
// end of the budget, or where it levels off without one.
void TrainPanel::updateForecast(const ml::TrainProgress& p) {
    if (p.validLoss <= 0 || p.phase != "training" || p.epoch - 1 <= m_lastValidEpoch ||
        m_session->config().kind == ml::ModelKind::Gan) // a GAN's figure is no loss to forecast
        return;
    m_lastValidEpoch = p.epoch - 1;
    m_validPoints.push_back({m_runClock.elapsed() / 1000.0, p.validLoss});
    const double budgetSeconds = m_session->options().maxMinutes * 60;
    const ml::LossForecast f = ml::forecastLoss(m_validPoints, budgetSeconds);
    if (!f.valid) {
        m_forecast->setText(int(m_validPoints.size()) < ml::kMinForecastPoints
                                ? QString()
                                : tr("Validation is not falling: the best model so far stays"));
        return;
    }
    const QString loss = lossText(f.atEnd, m_session->validRate());
    m_forecast->setText(
        budgetSeconds > 0
            ? tr("Validation heading for about %1 by %2").arg(loss, formatSeconds(budgetSeconds))
            : tr("Validation levelling off at about %1").arg(loss));
}

// --- Library ------------------------------------------------------------------------------

void TrainPanel::loadModel() {
    QStringList chosen;
    if (m_chooser) {
        chosen = m_chooser(false);
    } else {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Load a Model"), QSettings().value(kLastDirKey).toString(),
            tr("Torchestra models (*.tcm);;All files (*)"));
        if (!path.isEmpty())
            chosen << path;
    }
    for (const QString& path : chosen)
        m_library->load(path);
}

void TrainPanel::saveModel() {
    const int row = m_models->currentIndex().row();
    if (row < 0)
        return;
    QString path;
    if (m_chooser) {
        path = m_chooser(false).value(0);
    } else {
        path = QFileDialog::getSaveFileName(
            this, tr("Save the Model As"),
            QDir(QSettings().value(kLastDirKey).toString())
                .filePath(m_library->entry(row).name + QStringLiteral(".tcm")),
            tr("Torchestra models (*.tcm)"));
    }
    if (!path.isEmpty())
        m_library->saveCopy(row, path);
}

} // namespace torchestra::ui
