#include "ui/shell/MainWindow.h"
#include "ui/common/FileFilters.h"

#include "project/GeneralMidi.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"
#include "ui/panels/SongInfoPanel.h"
#include "ui/tracks/TrackListModel.h"
#include "ui/panels/TrainPanel.h"
#include "ui/playback/TransportBar.h"

#include "base/AtomicFile.h"
#include "midi/MidiFile.h"
#include "ml/Scales.h"
#include "model/EditCommands.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QLockFile>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <utility>

namespace torchestra::ui {

namespace {

const char* const kRecentFilesKey = "recentFiles";
const char* const kLastDirectoryKey = "lastDirectory";
const char* const kThemeKey = "theme";
const char* const kGeometryKey = "mainWindow/geometry";
const char* const kStateKey = "mainWindow/state";
const char* const kAutosaveKey = "autosaveSeconds";
const char* const kVelocityLaneKey = "pianoRoll/velocityLane";
constexpr int kDefaultAutosaveSeconds = 60;

QString projectFilter() {
    return QCoreApplication::translate("MainWindow", "Torchestra projects (*.torchestra)");
}
QString midiFilter() {
    return midiFileFilter();
}

QString formatDuration(double seconds) {
    const int total = int(std::lround(seconds));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

// What the worker hands back: the read result (a value, so nothing is shared with the GUI
// thread) and how long the read took.
struct MainWindow::LoadOutcome {
    bool isProject = false;
    midi::ReadResult result; // a MIDI import; for a project: ok, error and the song
    project::Project project;         // a project, without its song (that is in result.song)
    qint64 readMs = 0;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowIcon(theme::appIcon());
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    m_pianoRoll = new PianoRollView(this);
    m_pianoRoll->setSong(&m_song);
    m_pianoRoll->setUndoStack(&m_undoStack);
    m_pianoRoll->setVelocityLaneVisible(QSettings().value(kVelocityLaneKey, true).toBool());
    setCentralWidget(m_pianoRoll);

    m_undoStack.onChanged = [this] { undoStackChanged(); };
    m_undoStack.onCleanChanged = [this](bool) { updateTitle(); };

    createDocks();
    createLearningDocks();
    createActions();
    createToolBar();

    // Recovery: this window's autosave file, marked as a live session's by a lock file so
    // another instance's checkForRecovery() leaves it alone.
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QDir().mkpath(recoveryDirectory());
    m_recoveryPath = QDir(recoveryDirectory()).filePath(id + QStringLiteral(".torchestra"));
    m_recoveryLock = std::make_unique<QLockFile>(m_recoveryPath + QStringLiteral(".lock"));
    m_recoveryLock->setStaleLockTime(0);
    m_recoveryLock->tryLock(0);
    m_autosaveTimer = new QTimer(this);
    connect(m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
    setAutosaveInterval(
        std::max(0, QSettings().value(kAutosaveKey, kDefaultAutosaveSeconds).toInt()) * 1000);

    m_statusLabel = new QLabel(tr("Ready"), this);
    m_songInfoLabel = new QLabel(this);
    m_positionLabel = new QLabel(this);
    m_positionLabel->setMinimumWidth(150);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_positionLabel);
    statusBar()->addPermanentWidget(m_songInfoLabel);
    connect(m_pianoRoll, &PianoRollView::pointerMoved, this, [this](model::Tick tick, int pitch) {
        m_positionLabel->setText(
            tr("%1  \u00b7  %2")
                .arg(QString::fromStdString(m_song.tempoMap().tickToBarBeatTick(tick).toString()),
                     project::gm::pitchName(pitch)));
    });
    createPlayback();
    // A loop range drawn on the ruler or switched on in the transport is saved with the project.
    connect(m_pianoRoll, &PianoRollView::loopRangeChanged, this, [this] { projectPartEdited(); });
    connect(m_playback, &PlaybackController::loopChanged, this, [this] { projectPartEdited(); });

    resize(1280, 800);
    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    // The warnings dock reflects the file shown; a remembered state must not show it empty.
    m_warningsDock->hide();
    showWarnings({});
    updateTitle();
}

MainWindow::~MainWindow() {
    // A window that goes away normally leaves nothing to recover (once an autosave still being
    // written has landed, or it would reappear).
    m_autosaveFuture.waitForFinished();
    removeRecoveryFile();
    m_undoStack.onChanged = nullptr;
    m_undoStack.onCleanChanged = nullptr;
    // Views listen to m_song; detach them before members are destroyed (children die later,
    // in ~QWidget, after m_song is gone).
    m_playback->setSong(nullptr); // the engine plays copies; only the listener must go
    m_transportBar->setSong(nullptr, nullptr);
    m_pianoRoll->setUndoStack(nullptr);
    m_pianoRoll->setSong(nullptr);
    m_trackModel->setSong(nullptr);
    m_songInfo->setSong(nullptr);
}

void MainWindow::createDocks() {
    m_trackModel = new TrackListModel(this);
    m_trackModel->setSong(&m_song);

    m_trackView = new QTreeView(this);
    m_trackView->setModel(m_trackModel);
    m_trackView->setRootIsDecorated(false);
    m_trackView->setUniformRowHeights(true);
    m_trackView->setAlternatingRowColors(true);
    m_trackView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_trackView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_trackView->setIconSize(QSize(12, 12));
    m_trackView->setAllColumnsShowFocus(true);
    m_trackView->setFrameShape(QFrame::NoFrame);
    // A little more air than the default rows: the list is read at a glance, like a mixer.
    m_trackView->setStyleSheet(QStringLiteral("QTreeView::item { padding: 3px 2px; }"));
    QHeaderView* header = m_trackView->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(TrackListModel::NameColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(TrackListModel::ChannelColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(TrackListModel::InstrumentColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(TrackListModel::NotesColumn, QHeaderView::ResizeToContents);
    connect(m_trackView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::trackSelectionChanged);
    // A reset (a track added, removed or renamed) drops the list's selection; the track being
    // edited stays the current one when it still exists.
    connect(m_trackModel, &QAbstractItemModel::modelReset, this, [this] {
        const model::TrackId current = m_pianoRoll->activeTrack();
        const int row = current != model::kNoTrack ? m_trackModel->rowOf(current) : -1;
        if (row >= 0)
            m_trackView->selectionModel()->select(m_trackModel->index(row, 0),
                                                  QItemSelectionModel::ClearAndSelect |
                                                      QItemSelectionModel::Rows);
        else
            trackSelectionChanged();
    });

    m_trackDock = new QDockWidget(tr("Tracks"), this);
    m_trackDock->setObjectName(QStringLiteral("tracksDock"));
    m_trackDock->setWidget(m_trackView);
    m_trackDock->setMinimumWidth(300);
    addDockWidget(Qt::LeftDockWidgetArea, m_trackDock);

    m_songInfo = new SongInfoPanel(this);
    m_songInfo->setSong(&m_song);
    // The summary takes the height it needs; the track list gets the rest.
    m_songInfo->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    m_songDock = new QDockWidget(tr("Song"), this);
    m_songDock->setObjectName(QStringLiteral("songDock"));
    m_songDock->setWidget(m_songInfo);
    addDockWidget(Qt::LeftDockWidgetArea, m_songDock);

    m_warningsList = new QListWidget(this);
    m_warningsList->setFrameShape(QFrame::NoFrame);
    m_warningsList->setWordWrap(true);
    m_warningsList->setAlternatingRowColors(true);
    m_warningsDock = new QDockWidget(tr("Warnings"), this);
    m_warningsDock->setObjectName(QStringLiteral("warningsDock"));
    m_warningsDock->setWidget(m_warningsList);
    addDockWidget(Qt::BottomDockWidgetArea, m_warningsDock);
    resizeDocks({m_trackDock}, {360}, Qt::Horizontal);
    resizeDocks({m_warningsDock}, {140}, Qt::Vertical);
}

void MainWindow::createLearningDocks() {
    m_modelLibrary = new ModelLibrary(this);
    m_trainPanel = new TrainPanel(m_modelLibrary, this);
    m_generatePanel = new GeneratePanel(this, m_modelLibrary, this);
    m_trainDock = new QDockWidget(tr("Train"), this);
    m_trainDock->setObjectName(QStringLiteral("trainDock"));
    // In scroll areas: the panels need more height than a small window's dock has.
    auto scrolled = [this](QWidget* panel) {
        auto* area = new QScrollArea(this);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        area->setWidget(panel);
        return area;
    };
    m_trainDock->setWidget(scrolled(m_trainPanel));
    m_generateDock = new QDockWidget(tr("Generate"), this);
    m_generateDock->setObjectName(QStringLiteral("generateDock"));
    m_generateDock->setWidget(scrolled(m_generatePanel));
    addDockWidget(Qt::RightDockWidgetArea, m_trainDock);
    addDockWidget(Qt::RightDockWidgetArea, m_generateDock);
    tabifyDockWidget(m_trainDock, m_generateDock);
    m_generateDock->raise();
    resizeDocks({m_trainDock}, {390}, Qt::Horizontal);
    // The project keeps what the panels show (saved with it, restored by projectPartsToPanels).
    // What the user changes there makes the project modified, like an edit of the song.
    connect(m_trainPanel, &TrainPanel::inputsChanged, this, [this](const QStringList& files) {
        m_trainingFiles = files;
        projectPartEdited();
    });
    connect(m_trainPanel, &TrainPanel::settingsEdited, this, [this] {
        m_trainingTracks = m_trainPanel->trainingTracks();
        m_trainingModel = m_trainPanel->modelSettings();
        projectPartEdited();
    });
    connect(m_generatePanel, &GeneratePanel::settingsChanged, this,
            [this](const QJsonObject& settings) {
                m_generation = settings;
                projectPartEdited();
            });
    // Any change of the model is kept; only the user's choice counts as a change of the
    // project (the first model listed is picked automatically when the library loads).
    connect(m_generatePanel, &GeneratePanel::modelChosen, this,
            [this](const QString& path) { m_modelPath = path; });
    connect(m_generatePanel, &GeneratePanel::modelPicked, this, [this](const QString& path) {
        m_modelPath = path;
        projectPartEdited();
    });
    connect(m_generatePanel, &GeneratePanel::auditionRequested, this,
            &MainWindow::auditionRequested);
    connect(m_generatePanel, &GeneratePanel::auditionStopRequested, this,
            &MainWindow::auditionStopRequested);
    // Accepting ends an audition: it played a copy, and from now on the song itself is the music
    // (edits made next would not be heard in the copy).
    connect(m_generatePanel, &GeneratePanel::accepted, this, [this] {
        if (m_playback->isAuditioning())
            m_playback->stop();
    });
    // With no model yet there is nothing to generate with: training is the first step.
    connect(m_modelLibrary, &ModelLibrary::refreshed, this, [this] {
        if (m_modelLibrary->count() == 0)
            m_trainDock->raise();
    });
    m_modelLibrary->refresh();
}

void MainWindow::projectPartsToPanels() {
    m_applyingParts = true;
    m_generatePanel->discardAll(); // its ticks belonged to the song that was replaced
    m_trainPanel->setTrainingTracks(m_trainingTracks);
    m_trainPanel->restoreModelSettings(m_trainingModel);
    m_trainPanel->setInputs(m_trainingFiles);
    m_generatePanel->restoreSettings(m_generation);
    m_generatePanel->setModelPath(m_modelPath);
    m_applyingParts = false;
}

void MainWindow::takeProjectParts(const project::Project& project) {
    m_trainingFiles = project.trainingFiles;
    m_trainingTracks = project.trainingTracks;
    m_trainingModel = project.trainingModel;
    m_generation = project.generation;
    m_modelPath = project.modelPath;
}

void MainWindow::clearProjectParts() {
    m_trainingFiles.clear();
    m_trainingTracks.clear();
    m_trainingModel = {};
    m_generation = {};
    m_modelPath.clear();
}

std::shared_ptr<project::Project> MainWindow::projectCopy() const {
    // A copy of the song for the worker: the GUI thread keeps editing the live one.
    auto project = std::make_shared<project::Project>();
    project->song = m_song;
    project->trainingFiles = m_trainingFiles;
    project->trainingTracks = m_trainingTracks;
    project->trainingModel = m_trainingModel;
    project->generation = m_generation;
    project->modelPath = m_modelPath;
    project->loop = loopRange();
    return project;
}

project::LoopRange MainWindow::loopRange() const {
    project::LoopRange loop;
    loop.enabled = m_playback->loopEnabled();
    if (loop.enabled) {
        loop.start = m_playback->loopStart();
        loop.end = m_playback->loopEnd();
    } else if (m_pianoRoll->hasLoopRange()) {
        loop.start = m_pianoRoll->loopStart();
        loop.end = m_pianoRoll->loopEnd();
    }
    return loop;
}

void MainWindow::restoreLoop(const project::LoopRange& loop) {
    const bool wasApplying = std::exchange(m_applyingParts, true); // not the user's change
    // The ruler shows the range; the transport loops it when the project was saved looping.
    m_pianoRoll->setLoopRange(loop.end > loop.start ? loop.start : 0,
                              loop.end > loop.start ? loop.end : 0);
    m_playback->setLoop(loop.enabled && loop.end > loop.start, loop.start, loop.end);
    m_applyingParts = wasApplying;
}

void MainWindow::projectPartEdited() {
    // Without a document the parts are dropped by the next New or Open anyway.
    if (m_applyingParts || !m_hasDocument)
        return;
    m_partsModified = true;
    ++m_editSerial; // the autosave and a save in flight see it as a change
    updateTitle();
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    auto named = [](QAction* action, const char* name) {
        action->setObjectName(QLatin1String(name));
        return action;
    };
    QAction* newAction = named(file->addAction(tr("&New"), this, &MainWindow::newProject), "new");
    newAction->setShortcut(QKeySequence::New);
    newAction->setStatusTip(tr("Start a new song"));
    QAction* open =
        named(file->addAction(tr("&Open..."), this, &MainWindow::showOpenDialog), "open");
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(tr("Open a Torchestra project or import a MIDI file"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    QAction* saveAction = named(file->addAction(tr("&Save"), this, [this] { save(); }), "save");
    saveAction->setShortcut(QKeySequence::Save);
    QAction* saveAsAction =
        named(file->addAction(tr("Save &As..."), this, [this] { saveAs(); }), "saveAs");
    saveAsAction->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction* import =
        named(file->addAction(tr("&Import MIDI..."), this,
                              [this] {
                                  const QString dir =
                                      QSettings().value(kLastDirectoryKey).toString();
                                  const QString path = QFileDialog::getOpenFileName(
                                      this, tr("Import MIDI File"), dir,
                                      midiFilter() + QStringLiteral(";;") + tr("All files (*)"));
                                  if (!path.isEmpty())
                                      openFile(path);
                              }),
              "importMidi");
    import->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    QAction* exportAction = named(
        file->addAction(tr("&Export MIDI..."), this, &MainWindow::showExportDialog), "exportMidi");
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    createEditActions();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* zoomIn =
        view->addAction(tr("Zoom &In"), this, [this] { m_pianoRoll->zoomHorizontally(1.25); });
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    QAction* zoomOut = view->addAction(tr("Zoom &Out"), this,
                                       [this] { m_pianoRoll->zoomHorizontally(1.0 / 1.25); });
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    view->addAction(tr("Zoom In &Vertically"), this, [this] { m_pianoRoll->zoomVertically(1.25); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Equal));
    view->addAction(tr("Zoom Out Ve&rtically"), this,
                    [this] { m_pianoRoll->zoomVertically(1.0 / 1.25); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Minus));
    QAction* fit = view->addAction(tr("Zoom to &Fit"), m_pianoRoll, &PianoRollView::zoomToFit);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    view->addSeparator();
    QAction* lane = named(view->addAction(tr("&Velocity Lane")), "velocityLane");
    lane->setCheckable(true);
    lane->setChecked(m_pianoRoll->velocityLaneVisible());
    lane->setShortcut(QKeySequence(Qt::ALT | Qt::Key_V));
    connect(lane, &QAction::toggled, this, [this](bool on) {
        m_pianoRoll->setVelocityLaneVisible(on);
        QSettings().setValue(kVelocityLaneKey, on);
    });
    QAction* ghosts = named(view->addAction(tr("&Ghost Notes of Other Tracks")), "ghostNotes");
    ghosts->setCheckable(true);
    ghosts->setChecked(true);
    connect(ghosts, &QAction::toggled, m_pianoRoll, &PianoRollView::setGhostNotesVisible);
    QAction* byVelocity =
        named(view->addAction(tr("Colour Notes by Ve&locity")), "colourByVelocity");
    byVelocity->setCheckable(true);
    connect(byVelocity, &QAction::toggled, this, [this](bool on) {
        m_pianoRoll->setColourMode(on ? PianoRollView::ColourMode::Velocity
                                      : PianoRollView::ColourMode::Track);
    });
    QAction* follow = named(view->addAction(tr("&Follow Playhead")), "followPlayhead");
    follow->setCheckable(true);
    follow->setChecked(m_pianoRoll->followPlayhead());
    connect(follow, &QAction::toggled, m_pianoRoll, &PianoRollView::setFollowPlayhead);
    view->addSeparator();
    view->addAction(m_trackDock->toggleViewAction());
    view->addAction(m_songDock->toggleViewAction());
    view->addAction(m_warningsDock->toggleViewAction());
    view->addAction(m_trainDock->toggleViewAction());
    view->addAction(m_generateDock->toggleViewAction());
    view->addSeparator();
    QMenu* themeMenu = view->addMenu(tr("&Theme"));
    m_themeGroup = new QActionGroup(this);
    for (ThemeKind kind : {ThemeKind::Dark, ThemeKind::Light}) {
        QAction* action = themeMenu->addAction(kind == ThemeKind::Dark ? tr("&Dark") : tr("&Light"),
                                               this, [this, kind] { setTheme(kind); });
        action->setCheckable(true);
        action->setChecked(theme::current() == kind);
        action->setData(theme::name(kind));
        m_themeGroup->addAction(action);
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Torchestra"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createEditActions() {
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    m_undoAction = edit->addAction(tr("&Undo"), this, [this] { m_undoStack.undo(); });
    m_undoAction->setObjectName(QStringLiteral("undo"));
    m_undoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    m_redoAction = edit->addAction(tr("&Redo"), this, [this] { m_undoStack.redo(); });
    m_redoAction->setObjectName(QStringLiteral("redo"));
    m_redoAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addSeparator();

    // Note edits act on the piano roll's selection; their shortcuts apply while the piano roll
    // has the focus, so Delete or Ctrl+A in another panel keeps its own meaning there.
    auto noteAction = [&](const QString& text, const char* name, const QKeySequence& key, auto slot,
                          bool needsSelection) {
        QAction* a = edit->addAction(text, this, slot);
        a->setObjectName(QLatin1String(name));
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_pianoRoll->addAction(a);
        if (needsSelection)
            m_selectionActions << a;
        return a;
    };
    noteAction(
        tr("Cu&t"), "cut", QKeySequence::Cut, [this] { m_pianoRoll->cutSelection(); }, true);
    noteAction(
        tr("&Copy"), "copy", QKeySequence::Copy, [this] { m_pianoRoll->copySelection(); }, true);
    noteAction(
        tr("&Paste at Playhead"), "paste", QKeySequence::Paste, [this] { m_pianoRoll->paste(); },
        false);
    noteAction(
        tr("D&uplicate"), "duplicate", QKeySequence(Qt::CTRL | Qt::Key_D),
        [this] { m_pianoRoll->duplicateSelection(); }, true);
    noteAction(
        tr("&Delete"), "delete", QKeySequence::Delete, [this] { m_pianoRoll->deleteSelection(); },
        true);
    edit->addSeparator();
    noteAction(
        tr("Select &All"), "selectAll", QKeySequence::SelectAll,
        [this] { m_pianoRoll->selectAll(); }, false);
    noteAction(
        tr("Select All in &Loop Range"), "selectInLoop",
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
        [this] {
            if (m_pianoRoll->hasLoopRange())
                m_pianoRoll->selectRange(m_pianoRoll->loopStart(), m_pianoRoll->loopEnd());
            else
                m_pianoRoll->selectAll();
        },
        false);
    edit->addSeparator();
    noteAction(
        tr("&Quantize"), "quantize", QKeySequence(Qt::Key_Q),
        [this] { m_pianoRoll->quantizeSelection(); }, true);
    QMenu* transpose = edit->addMenu(tr("&Transpose"));
    struct Step {
        const char* text;
        const char* name;
        int semitones;
        QKeySequence key;
    };
    for (const Step& step :
         {Step{"Up a Semitone", "transposeUp", 1, QKeySequence(Qt::Key_Up)},
          Step{"Down a Semitone", "transposeDown", -1, QKeySequence(Qt::Key_Down)},
          Step{"Up an Octave", "octaveUp", 12, QKeySequence(Qt::SHIFT | Qt::Key_Up)},
          Step{"Down an Octave", "octaveDown", -12, QKeySequence(Qt::SHIFT | Qt::Key_Down)}}) {
        const int semitones = step.semitones;
        QAction* a = transpose->addAction(
            tr(step.text), this, [this, semitones] { m_pianoRoll->transposeSelection(semitones); });
        a->setObjectName(QLatin1String(step.name));
        a->setShortcut(step.key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_pianoRoll->addAction(a);
        m_selectionActions << a;
    }
    connect(m_pianoRoll, &PianoRollView::selectionChanged, this, &MainWindow::updateEditActions);
    undoStackChanged();
}

void MainWindow::createToolBar() {
    m_editToolBar = addToolBar(tr("Editor"));
    m_editToolBar->setObjectName(QStringLiteral("editToolBar"));
    m_editToolBar->setMovable(false);
    m_editToolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);

    m_toolGroup = new QActionGroup(this);
    struct ToolInfo {
        PianoRollView::Tool tool;
        QString text;
        const char* name;
        Qt::Key key;
        QString tip;
    };
    for (const ToolInfo& t :
         {ToolInfo{PianoRollView::Tool::Select, tr("Select"), "toolSelect", Qt::Key_1,
                   tr("Select, move and resize notes (1)")},
          ToolInfo{PianoRollView::Tool::Draw, tr("Draw"), "toolDraw", Qt::Key_2,
                   tr("Draw notes; drag to set the length (2)")},
          ToolInfo{PianoRollView::Tool::Erase, tr("Erase"), "toolErase", Qt::Key_3,
                   tr("Erase notes by clicking or sweeping over them (3)")},
          ToolInfo{PianoRollView::Tool::Split, tr("Split"), "toolSplit", Qt::Key_4,
                   tr("Split notes at the grid line nearest the click (4)")}}) {
        QAction* a = m_editToolBar->addAction(t.text);
        a->setObjectName(QLatin1String(t.name));
        a->setCheckable(true);
        a->setChecked(m_pianoRoll->tool() == t.tool);
        a->setShortcut(QKeySequence(t.key));
        a->setToolTip(t.tip);
        const PianoRollView::Tool tool = t.tool;
        connect(a, &QAction::triggered, this, [this, tool] { m_pianoRoll->setTool(tool); });
        m_toolGroup->addAction(a);
    }
    connect(m_pianoRoll, &PianoRollView::toolChanged, this, [this](PianoRollView::Tool tool) {
        const QList<QAction*> actions = m_toolGroup->actions();
        actions.value(int(tool))->setChecked(true);
    });

    m_editToolBar->addSeparator();
    auto* snapLabel = new QLabel(tr(" Grid "), this);
    m_editToolBar->addWidget(snapLabel);
    m_snapBox = new QComboBox(this);
    m_snapBox->setObjectName(QStringLiteral("snapBox"));
    m_snapBox->setToolTip(tr("Snap: where notes land when drawn, moved or resized (Alt: free)"));
    const QList<QPair<QString, QPair<int, bool>>> snaps = {
        {tr("Off"), {0, false}},         {tr("1/1"), {1, false}},
        {tr("1/2"), {2, false}},         {tr("1/4"), {4, false}},
        {tr("1/8"), {8, false}},         {tr("1/16"), {16, false}},
        {tr("1/32"), {32, false}},       {tr("1/4 triplet"), {4, true}},
        {tr("1/8 triplet"), {8, true}},  {tr("1/16 triplet"), {16, true}},
        {tr("1/32 triplet"), {32, true}}};
    for (const auto& s : snaps)
        m_snapBox->addItem(s.first, QVariantList{s.second.first, s.second.second});
    m_snapBox->setCurrentIndex(5);
    connect(m_snapBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariantList v = m_snapBox->itemData(index).toList();
        m_pianoRoll->setSnap(v.value(0).toInt(), v.value(1).toBool());
    });
    m_editToolBar->addWidget(m_snapBox);

    m_editToolBar->addSeparator();
    m_editToolBar->addWidget(new QLabel(tr(" Scale "), this));
    auto* root = new QComboBox(this);
    root->setObjectName(QStringLiteral("scaleRootBox"));
    for (const char* name :
         {"C", "C\u266f", "D", "E\u266d", "E", "F", "F\u266f", "G", "A\u266d", "A", "B\u266d", "B"})
        root->addItem(QString::fromUtf8(name));
    auto* scale = new QComboBox(this);
    scale->setObjectName(QStringLiteral("scaleBox"));
    // The scales generation knows (ml::scaleNames()), labelled as the Generate panel does.
    scale->addItem(tr("None"), QString());
    for (const std::string& name : ml::scaleNames()) {
        if (name == "chromatic") // every row in the scale: nothing to highlight
            continue;
        QString label = QString::fromStdString(name).replace('-', ' ');
        label[0] = label[0].toUpper();
        scale->addItem(label, QString::fromStdString(name));
    }
    auto applyScale = [this, root, scale] {
        m_pianoRoll->setScaleHighlight(root->currentIndex(), scale->currentData().toString());
    };
    connect(root, &QComboBox::currentIndexChanged, this, applyScale);
    connect(scale, &QComboBox::currentIndexChanged, this, applyScale);
    m_editToolBar->addWidget(root);
    m_editToolBar->addWidget(scale);

    m_editToolBar->addSeparator();
    for (const char* name : {"velocityLane", "colourByVelocity", "ghostNotes"}) {
        if (QAction* a = action(QLatin1String(name)))
            m_editToolBar->addAction(a);
    }
    action(QStringLiteral("velocityLane"))->setIconText(tr("Velocity"));
    action(QStringLiteral("colourByVelocity"))->setIconText(tr("Colour by velocity"));
    action(QStringLiteral("ghostNotes"))->setIconText(tr("Ghosts"));
}

QAction* MainWindow::action(const QString& name) const {
    return findChild<QAction*>(name);
}

void MainWindow::undoStackChanged() {
    ++m_editSerial;
    const QString undo = QString::fromStdString(m_undoStack.undoLabel());
    const QString redo = QString::fromStdString(m_undoStack.redoLabel());
    m_undoAction->setEnabled(m_undoStack.canUndo());
    m_undoAction->setText(undo.isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(undo));
    m_redoAction->setEnabled(m_undoStack.canRedo());
    m_redoAction->setText(redo.isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(redo));
    updateEditActions();
    updateTitle();
}

void MainWindow::updateEditActions() {
    const bool any = !m_pianoRoll->selection().empty();
    for (QAction* a : m_selectionActions)
        a->setEnabled(any);
    if (m_statusLabel && any) {
        const std::size_t n = m_pianoRoll->selection().size();
        m_statusLabel->setText(
            n == 1 ? tr("1 note selected")
                   : tr("%1 notes selected").arg(QLocale().toString(qulonglong(n))));
    }
}

// --- Loading -------------------------------------------------------------------------------

void MainWindow::openFile(const QString& path) {
    if (isModified()) {
        whenChangesSettled([this, path] { startLoad(path); });
        return;
    }
    startLoad(path);
}

void MainWindow::startLoad(const QString& path) {
    Q_ASSERT(QThread::currentThread() == thread()); // reads the song the GUI thread owns
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::uint64_t generation = ++m_loadGeneration;
    m_pendingLoad = generation;
    m_statusLabel->setText(tr("Loading %1...").arg(QFileInfo(absolute).fileName()));

    auto* watcher = new QFutureWatcher<LoadOutcome>(this);
    connect(watcher, &QFutureWatcher<LoadOutcome>::finished, this,
            [this, watcher, absolute, generation] {
                watcher->deleteLater();
                // takeResult moves the song out; result() would copy every note on this thread.
                finishLoad(absolute, generation, watcher->future().takeResult());
            });
    const bool isProject = project::ProjectFile::isProjectFileName(absolute);
    watcher->setFuture(QtConcurrent::run([absolute, isProject] {
        QElapsedTimer timer;
        timer.start();
        LoadOutcome outcome;
        outcome.isProject = isProject;
        if (isProject) {
            const QString error = project::ProjectFile::read(absolute, outcome.project);
            outcome.result.ok = error.isEmpty();
            outcome.result.error = error.toStdString();
            if (outcome.result.ok) {
                outcome.result.song = std::move(outcome.project.song);
                outcome.result.ppq = outcome.result.song.ppq();
            }
            outcome.readMs = timer.elapsed();
            return outcome;
        }
        outcome.result = midi::readMidiFile(QFile::encodeName(absolute).toStdString());
        if (outcome.result.ok) {
            // SMF has no track colours: give each track that has notes the next palette colour,
            // here on the worker's private copy, so the swap on the GUI thread is just a move.
            model::Song& song = outcome.result.song;
            int colourIndex = 0;
            for (std::size_t i = 0; i < song.trackCount(); ++i) {
                const model::Track& track = song.trackAt(i);
                model::TrackProperties properties = track.properties;
                properties.colour = theme::trackColour(track.noteCount() > 0 ? colourIndex++ : 0);
                song.setTrackProperties(track.id(), properties);
            }
        }
        outcome.readMs = timer.elapsed();
        return outcome;
    }));
}

void MainWindow::finishLoad(const QString& path, std::uint64_t generation, LoadOutcome outcome) {
    if (generation != m_pendingLoad)
        return; // superseded by a newer openFile()
    m_pendingLoad = 0;

    midi::ReadResult& result = outcome.result;
    if (!result.ok) {
        failLoad(path, QString::fromStdString(result.error));
        return;
    }

    QElapsedTimer swapTimer;
    swapTimer.start();
    removeRecoveryFile(); // it belonged to the song being replaced
    replaceSong(std::move(result.song));
    m_currentPath = path;
    if (outcome.isProject) {
        m_projectPath = path;
        takeProjectParts(outcome.project);
        restoreLoop(outcome.project.loop);
    } else {
        m_projectPath.clear(); // an import: Save asks where the project goes
        clearProjectParts();
    }
    projectPartsToPanels();
    showWarnings(result.warnings);
    addRecentFile(path);
    updateTitle();

    const qint64 ms = outcome.readMs + swapTimer.elapsed();
    const QLocale locale;
    const std::size_t tracks = m_song.trackCount();
    const std::size_t notes = m_song.noteCount();
    m_statusLabel->setText(
        tr("Loaded %1 %2, %3 %4 in %5 ms")
            .arg(locale.toString(qulonglong(tracks)), tracks == 1 ? tr("track") : tr("tracks"),
                 locale.toString(qulonglong(notes)), notes == 1 ? tr("note") : tr("notes"))
            .arg(ms));
    const model::TempoMap& map = m_song.tempoMap();
    if (outcome.isProject)
        m_songInfoLabel->setText(tr("Project  \u00b7  %1 PPQ  \u00b7  %2")
                                     .arg(m_song.ppq())
                                     .arg(formatDuration(map.tickToSeconds(m_song.endTick()))));
    else
        m_songInfoLabel->setText(tr("Format %1  \u00b7  %2 PPQ%3  \u00b7  %4")
                                     .arg(result.format)
                                     .arg(result.ppq)
                                     .arg(result.smpte ? tr(" (from SMPTE)") : QString())
                                     .arg(formatDuration(map.tickToSeconds(m_song.endTick()))));
    emit fileLoaded(path);
}

void MainWindow::replaceSong(model::Song song) {
    m_song.reset(std::move(song));
    m_undoStack.clear();
    m_recoveredUnsaved = false;
    m_partsModified = false;
    m_autosavedSerial = m_editSerial;
    m_hasDocument = true;
    m_pianoRoll->setPlayheadTick(0);
    restoreLoop({}); // the controller keeps a range even while not looping
    selectFirstTrack();
    updateTitle();
}

void MainWindow::selectFirstTrack() {
    // The editable track is the selected one: start on the first that has notes.
    int row = -1;
    for (std::size_t i = 0; i < m_song.trackCount(); ++i) {
        if (m_song.trackAt(i).noteCount() > 0) {
            row = int(i);
            break;
        }
    }
    if (row < 0 && m_song.trackCount() > 0)
        row = 0;
    if (row >= 0)
        m_trackView->selectionModel()->select(m_trackModel->index(row, 0),
                                              QItemSelectionModel::ClearAndSelect |
                                                  QItemSelectionModel::Rows);
}

void MainWindow::failLoad(const QString& path, const QString& problem) {
    const QString name = QFileInfo(path).fileName();
    const QString message = tr("Could not open %1: %2").arg(name, problem);
    m_statusLabel->setText(message);
    emit loadFailed(path, message);
    showError(tr("Could not open file"), message, path, QStringLiteral("loadErrorBox"));
}

void MainWindow::showError(const QString& title, const QString& message, const QString& path,
                           const QString& objectName) {
    if (!m_showErrorDialogs)
        return;
    // Window-modal and non-blocking: no nested event loop inside a worker's completion.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(objectName);
    box->setInformativeText(QDir::toNativeSeparators(path));
    box->open();
}

// --- New, save, export -------------------------------------------------------------------------

QString MainWindow::documentName() const {
    if (!m_currentPath.isEmpty())
        return QFileInfo(m_currentPath).fileName();
    return tr("Untitled");
}

void MainWindow::whenChangesSettled(std::function<void()> proceed) {
    if (!isModified()) {
        proceed();
        return;
    }
    SaveChoice choice = SaveChoice::Cancel;
    if (m_savePrompt) {
        choice = m_savePrompt(documentName());
    } else {
        QMessageBox box(QMessageBox::Warning, tr("Unsaved changes"),
                        tr("Do you want to save the changes to %1?").arg(documentName()),
                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        box.setObjectName(QStringLiteral("savePromptBox"));
        box.setInformativeText(tr("Your changes will be lost if you don't save them."));
        box.setDefaultButton(QMessageBox::Save);
        const int answer = box.exec();
        choice = answer == QMessageBox::Save      ? SaveChoice::Save
                 : answer == QMessageBox::Discard ? SaveChoice::Discard
                                                  : SaveChoice::Cancel;
    }
    switch (choice) {
    case SaveChoice::Cancel:
        return;
    case SaveChoice::Discard:
        removeRecoveryFile();
        proceed();
        return;
    case SaveChoice::Save:
        save([proceed](bool ok) {
            if (ok)
                proceed();
        });
        return;
    }
}

void MainWindow::newProject() {
    whenChangesSettled([this] {
        ++m_loadGeneration; // a load still running must not replace the new song
        m_pendingLoad = 0;
        removeRecoveryFile();
        model::Song song;
        model::Track track;
        track.properties.name = tr("Track 1").toStdString();
        track.properties.channel = 0;
        track.properties.program = 0;
        track.properties.colour = theme::trackColour(0);
        song.addTrack(std::move(track));
        replaceSong(std::move(song));
        m_currentPath.clear();
        m_projectPath.clear();
        clearProjectParts();
        projectPartsToPanels();
        showWarnings({});
        m_statusLabel->setText(tr("New song"));
        m_songInfoLabel->setText(tr("%1 PPQ").arg(m_song.ppq()));
        updateTitle();
    });
}

void MainWindow::save(std::function<void(bool ok)> done) {
    if (m_projectPath.isEmpty())
        saveAs(std::move(done));
    else
        saveProject(m_projectPath, std::move(done));
}

void MainWindow::saveAs(std::function<void(bool ok)> done) {
    const QString dir = QSettings().value(kLastDirectoryKey, QDir::homePath()).toString();
    const QString base =
        m_currentPath.isEmpty() ? tr("Untitled") : QFileInfo(m_currentPath).completeBaseName();
    const QString suggested =
        QDir(m_projectPath.isEmpty() ? dir : QFileInfo(m_projectPath).absolutePath())
            .filePath(base + QStringLiteral(".torchestra"));
    QString path = m_fileChooser ? m_fileChooser(tr("Save Project"), suggested, projectFilter())
                                 : QFileDialog::getSaveFileName(this, tr("Save Project"), suggested,
                                                                projectFilter());
    if (path.isEmpty()) {
        if (done)
            done(false);
        return;
    }
    if (!project::ProjectFile::isProjectFileName(path))
        path += QStringLiteral(".torchestra");
    saveProject(path, std::move(done));
}

void MainWindow::saveProject(const QString& path, std::function<void(bool ok)> done) {
    Q_ASSERT(QThread::currentThread() == thread()); // reads the song the GUI thread owns
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::shared_ptr<project::Project> project = projectCopy();
    const std::uint64_t serial = m_editSerial;
    ++m_pendingSaves;
    m_statusLabel->setText(tr("Saving %1...").arg(QFileInfo(absolute).fileName()));

    auto* watcher = new QFutureWatcher<QString>(this);
    connect(
        watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, absolute, serial, done] {
            watcher->deleteLater();
            --m_pendingSaves;
            const QString error = watcher->result();
            if (!error.isEmpty()) {
                const QString message =
                    tr("Could not save %1: %2").arg(QFileInfo(absolute).fileName(), error);
                m_statusLabel->setText(message);
                emit saveFailed(absolute, message);
                showError(tr("Could not save"), message, absolute, QStringLiteral("saveErrorBox"));
                if (done)
                    done(false);
                return;
            }
            m_projectPath = absolute;
            m_currentPath = absolute;
            // Clean only if nothing changed while the worker wrote: the file holds the song
            // as it was when the save began.
            if (serial == m_editSerial) {
                m_recoveredUnsaved = false;
                m_partsModified = false;
                m_undoStack.setClean();
                removeRecoveryFile();
            }
            addRecentFile(absolute);
            updateTitle();
            m_statusLabel->setText(tr("Saved %1").arg(QFileInfo(absolute).fileName()));
            emit saved(absolute);
            if (done)
                done(true);
        });
    watcher->setFuture(
        QtConcurrent::run([absolute, project] { return project::ProjectFile::write(absolute, *project); }));
}

void MainWindow::showExportDialog() {
    const QString dir = QSettings().value(kLastDirectoryKey, QDir::homePath()).toString();
    const QString base =
        m_currentPath.isEmpty() ? tr("Untitled") : QFileInfo(m_currentPath).completeBaseName();
    const QString suggested = QDir(dir).filePath(base + QStringLiteral(".mid"));
    QString path = m_fileChooser ? m_fileChooser(tr("Export MIDI"), suggested, midiFilter())
                                 : QFileDialog::getSaveFileName(this, tr("Export MIDI"), suggested,
                                                                midiFilter());
    if (path.isEmpty())
        return;
    if (!isMidiFileName(path))
        path += QStringLiteral(".mid");
    exportMidi(path);
}

void MainWindow::exportMidi(const QString& path) {
    Q_ASSERT(QThread::currentThread() == thread()); // reads the song the GUI thread owns
    const QString absolute = QFileInfo(path).absoluteFilePath();
    auto song = std::make_shared<model::Song>(m_song);
    m_statusLabel->setText(tr("Exporting %1...").arg(QFileInfo(absolute).fileName()));
    auto* watcher = new QFutureWatcher<std::string>(this);
    connect(watcher, &QFutureWatcher<std::string>::finished, this, [this, watcher, absolute] {
        watcher->deleteLater();
        const QString error = QString::fromStdString(watcher->result());
        if (!error.isEmpty()) {
            const QString message =
                tr("Could not export %1: %2").arg(QFileInfo(absolute).fileName(), error);
            m_statusLabel->setText(message);
            emit exportFailed(absolute, message);
            showError(tr("Could not export"), message, absolute, QStringLiteral("exportErrorBox"));
            return;
        }
        m_statusLabel->setText(tr("Exported %1").arg(QFileInfo(absolute).fileName()));
        emit exported(absolute);
    });
    watcher->setFuture(QtConcurrent::run([absolute, song] {
        midi::WriteOptions options;
        options.format = 1;
        return midi::writeMidiFile(QFile::encodeName(absolute).toStdString(), *song, options);
    }));
}

// --- Autosave and recovery ---------------------------------------------------------------------

namespace {
QString& recoveryDirectoryOverride() {
    static QString path;
    return path;
}
} // namespace

QString MainWindow::recoveryDirectory() {
    if (!recoveryDirectoryOverride().isEmpty())
        return recoveryDirectoryOverride();
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("recovery"));
}

void MainWindow::setRecoveryDirectory(const QString& path) {
    recoveryDirectoryOverride() = path;
}

void MainWindow::setAutosaveInterval(int ms) {
    if (ms <= 0) {
        m_autosaveTimer->stop();
        return;
    }
    m_autosaveTimer->start(ms);
}

int MainWindow::autosaveInterval() const {
    return m_autosaveTimer->isActive() ? m_autosaveTimer->interval() : 0;
}

void MainWindow::autosave() {
    if (!m_hasDocument || m_autosavedSerial == m_editSerial)
        return;
    if (!isModified()) {
        removeRecoveryFile();
        m_autosavedSerial = m_editSerial;
        return;
    }
    const std::shared_ptr<project::Project> project = projectCopy();
    project->recoveryFor = m_projectPath.isEmpty() ? QStringLiteral("") : m_projectPath;
    m_autosavedSerial = m_editSerial;
    const QString path = m_recoveryPath;
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        if (watcher->result().isEmpty())
            emit autosaved(path);
        else
            m_statusLabel->setText(tr("Autosave failed: %1").arg(watcher->result()));
    });
    m_autosaveFuture =
        QtConcurrent::run([path, project] { return project::ProjectFile::write(path, *project); });
    watcher->setFuture(m_autosaveFuture);
}

void MainWindow::removeRecoveryFile() {
    if (!m_recoveryPath.isEmpty())
        QFile::remove(m_recoveryPath);
    m_autosavedSerial = m_editSerial;
}

// A recovery file as the worker found it: read, judged, and locked until the user has answered
// (so another instance starting meanwhile leaves it alone).
struct MainWindow::RecoveryCandidate {
    QString path;
    QDateTime when;
    project::Project project;
    bool offer = false; // readable and newer than its project
    std::shared_ptr<QLockFile> lock;
};

std::vector<MainWindow::RecoveryCandidate> MainWindow::findRecoveryFiles(const QString& directory,
                                                                         const QString& ownPath) {
    std::vector<RecoveryCandidate> found;
    const QFileInfoList files =
        QDir(directory).entryInfoList({QStringLiteral("*.torchestra")}, QDir::Files, QDir::Time);
    for (const QFileInfo& file : files) {
        RecoveryCandidate candidate;
        candidate.path = file.absoluteFilePath();
        if (candidate.path == ownPath)
            continue;
        // A live session holds the lock: its autosave is not a crash's leftover.
        candidate.lock = std::make_shared<QLockFile>(candidate.path + QStringLiteral(".lock"));
        candidate.lock->setStaleLockTime(0);
        if (!candidate.lock->tryLock(0))
            continue;
        candidate.when = file.lastModified();
        const QString error = project::ProjectFile::read(candidate.path, candidate.project);
        const QFileInfo original(candidate.project.recoveryFor);
        candidate.offer =
            error.isEmpty() && (candidate.project.recoveryFor.isEmpty() || !original.exists() ||
                                original.lastModified() < candidate.when);
        found.push_back(std::move(candidate));
    }
    return found;
}

void MainWindow::checkForRecovery() {
    if (m_checkingRecovery)
        return;
    m_checkingRecovery = true;
    using Found = std::vector<RecoveryCandidate>;
    auto* watcher = new QFutureWatcher<Found>(this);
    connect(watcher, &QFutureWatcher<Found>::finished, this, [this, watcher] {
        watcher->deleteLater();
        finishRecoveryCheck(watcher->future().takeResult());
    });
    watcher->setFuture(
        QtConcurrent::run(&MainWindow::findRecoveryFiles, recoveryDirectory(), m_recoveryPath));
}

void MainWindow::finishRecoveryCheck(std::vector<RecoveryCandidate> candidates) {
    Q_ASSERT(QThread::currentThread() == thread()); // asks the user, replaces the song
    m_checkingRecovery = false;
    // Ask about each (newest first) until one is taken; the others are dropped.
    int chosen = -1;
    for (std::size_t i = 0; i < candidates.size() && chosen < 0; ++i) {
        const RecoveryCandidate& c = candidates[i];
        if (!c.offer)
            continue;
        const QString name = c.project.recoveryFor.isEmpty()
                                 ? tr("an untitled song")
                                 : QFileInfo(c.project.recoveryFor).fileName();
        bool restore = false;
        if (m_recoveryPrompt) {
            restore = m_recoveryPrompt(name, c.when);
        } else {
            QMessageBox box(QMessageBox::Question, tr("Recover unsaved changes?"),
                            tr("Torchestra did not close properly. Changes to %1 from %2 "
                               "were saved automatically. Restore them?")
                                .arg(name, QLocale().toString(c.when, QLocale::ShortFormat)),
                            QMessageBox::Yes | QMessageBox::No, this);
            box.setObjectName(QStringLiteral("recoveryBox"));
            box.button(QMessageBox::Yes)->setText(tr("Restore"));
            box.button(QMessageBox::No)->setText(tr("Discard"));
            restore = box.exec() == QMessageBox::Yes;
        }
        if (restore)
            chosen = int(i);
    }

    if (chosen < 0) {
        dropRecoveryFiles(std::move(candidates), false);
        return;
    }
    auto shared = std::make_shared<std::vector<RecoveryCandidate>>(std::move(candidates));
    auto restored = std::make_shared<bool>(false);
    // Unsaved changes made while the worker read (the window is usable meanwhile) come first.
    whenChangesSettled([this, shared, chosen, restored] {
        restoreRecovered((*shared)[std::size_t(chosen)]);
        *restored = true;
        dropRecoveryFiles(std::move(*shared), true);
    });
    if (*restored || isSaving())
        return; // restored, or will be once the save asked for first has succeeded
    // Cancelled: the chosen file stays for the next start; the others go.
    shared->erase(shared->begin() + chosen);
    dropRecoveryFiles(std::move(*shared), false);
}

void MainWindow::dropRecoveryFiles(std::vector<RecoveryCandidate> files, bool restored) {
    // On a worker too (the disk again); the check is over once they are gone.
    auto* watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher, restored] {
        watcher->deleteLater();
        emit recoveryChecked(restored);
    });
    watcher->setFuture(QtConcurrent::run([files = std::move(files)] {
        for (const RecoveryCandidate& c : files) {
            QFile::remove(c.path);
            c.lock->unlock();
        }
    }));
}

void MainWindow::restoreRecovered(RecoveryCandidate& candidate) {
    project::Project& project = candidate.project;
    ++m_loadGeneration; // a load still running must not replace the recovered song
    m_pendingLoad = 0;
    removeRecoveryFile(); // it belonged to the song being replaced
    replaceSong(std::move(project.song));
    m_projectPath = project.recoveryFor;
    m_currentPath = project.recoveryFor;
    takeProjectParts(project);
    restoreLoop(project.loop);
    projectPartsToPanels();
    // Restored changes are unsaved changes: modified until saved (or discarded).
    m_recoveredUnsaved = true;
    m_statusLabel->setText(tr("Recovered unsaved changes"));
    updateTitle();
}

void MainWindow::showWarnings(const std::vector<std::string>& warnings) {
    m_warningsList->clear();
    if (warnings.empty()) {
        auto* item = new QListWidgetItem(tr("No warnings"), m_warningsList);
        item->setFlags(Qt::NoItemFlags);
        m_warningsDock->setWindowTitle(tr("Warnings"));
        m_warningsDock->hide();
        return;
    }
    const QIcon icon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    for (const std::string& w : warnings)
        new QListWidgetItem(icon, QString::fromStdString(w), m_warningsList);
    m_warningsDock->setWindowTitle(tr("Warnings (%1)").arg(warnings.size()));
    m_warningsDock->show();
}

// --- Recent files ------------------------------------------------------------------------------

QStringList MainWindow::recentFiles() const {
    return QSettings().value(kRecentFilesKey).toStringList();
}

void MainWindow::addRecentFile(const QString& path) {
    QSettings settings;
    QStringList files = settings.value(kRecentFilesKey).toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    settings.setValue(kRecentFilesKey, files);
    settings.setValue(kLastDirectoryKey, QFileInfo(path).absolutePath());
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString& path = files[i];
        // Mnemonics 1..9 then 0, as most applications number their recent files.
        const QString label =
            i < 10 ? QStringLiteral("&%1  %2").arg((i + 1) % 10).arg(QFileInfo(path).fileName())
                   : QFileInfo(path).fileName();
        QAction* action = m_recentMenu->addAction(label, this, [this, path] { openFile(path); });
        action->setData(path);
        action->setStatusTip(QDir::toNativeSeparators(path));
    }
    if (!files.isEmpty())
        m_recentMenu->addSeparator();
    QAction* clear = m_recentMenu->addAction(tr("&Clear Menu"), this, [this] {
        QSettings().remove(kRecentFilesKey);
        rebuildRecentMenu();
    });
    clear->setEnabled(!files.isEmpty());
}

// --- Drag and drop -------------------------------------------------------------------------

bool MainWindow::isMidiFileName(const QString& path) {
    static const QStringList kSuffixes = {QStringLiteral("mid"), QStringLiteral("midi"),
                                          QStringLiteral("rmi"), QStringLiteral("kar"),
                                          QStringLiteral("smf")};
    return kSuffixes.contains(QFileInfo(path).suffix(), Qt::CaseInsensitive);
}

QString MainWindow::firstMidiFile(const QMimeData* mime) {
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile() && (isMidiFileName(url.toLocalFile()) ||
                                  project::ProjectFile::isProjectFileName(url.toLocalFile())))
            return url.toLocalFile();
    }
    return {};
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!firstMidiFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
    if (!firstMidiFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = firstMidiFile(event->mimeData());
    if (path.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    openFile(path);
}

// --- Misc ------------------------------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent* event) {
    if (isModified()) {
        // Settled now (Discard), later (Save: once the save has succeeded, close again) or
        // never (Cancel, or the save failed).
        auto asking = std::make_shared<bool>(true);
        auto settledNow = std::make_shared<bool>(false);
        whenChangesSettled([this, asking, settledNow] {
            if (*asking)
                *settledNow = true;
            else
                QTimer::singleShot(0, this, &QWidget::close);
        });
        *asking = false;
        if (!*settledNow) {
            event->ignore();
            return;
        }
    }
    removeRecoveryFile();
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::setTheme(ThemeKind kind) {
    theme::apply(*qApp, kind);
    m_pianoRoll->setColours(theme::pianoRollColours(kind));
    for (QAction* action : m_themeGroup->actions())
        action->setChecked(action->data().toString() == theme::name(kind));
    QSettings().setValue(kThemeKey, theme::name(kind));
}

QString MainWindow::statusText() const {
    return m_statusLabel->text();
}

void MainWindow::updateTitle() {
    if (!m_hasDocument) {
        setWindowTitle(QStringLiteral("Torchestra"));
        return;
    }
    // A literal '*' (not Qt's [*] placeholder) so every platform shows it the same way.
    setWindowTitle(tr("%1%2 \u2014 Torchestra")
                       .arg(documentName(), isModified() ? QStringLiteral("*") : QString()));
}

void MainWindow::showOpenDialog() {
    const QString dir = QSettings().value(kLastDirectoryKey).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open"), dir,
        projectOrMidiFileFilter() + QStringLiteral(";;") +
            projectFilter() + QStringLiteral(";;") + midiFilter() + QStringLiteral(";;") +
            tr("All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About Torchestra"),
        tr("<h3>Torchestra %1</h3>"
           "<p>A music composition workstation: MIDI files, a piano roll, playback, and models "
           "that learn from your music.</p>"
           "<p>Built with Qt %2.</p>")
            .arg(QStringLiteral(TORCHESTRA_VERSION), QString::fromLatin1(qVersion())));
}

void MainWindow::trackSelectionChanged() {
    const QModelIndexList rows = m_trackView->selectionModel()
                                     ? m_trackView->selectionModel()->selectedRows()
                                     : QModelIndexList();
    m_pianoRoll->setActiveTrack(rows.isEmpty() ? model::kNoTrack
                                               : m_trackModel->trackIdAt(rows.first().row()));
}

} // namespace torchestra::ui
