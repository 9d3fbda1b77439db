#include "ui/shell/MainWindow.h"

#include "project/GeneralMidi.h"
#include "ui/common/Icons.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/panels/ProbabilityOverlay.h"
#include "ui/panels/SongInfoPanel.h"
#include "ui/panels/TrainPanel.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/pianoroll/TakeLanes.h"
#include "ui/playback/PlaybackController.h"
#include "ui/playback/TransportBar.h"
#include "ui/shell/EditToolBar.h"
#include "ui/shell/ShortcutsDialog.h"
#include "ui/tracks/TrackListModel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

#include <utility>

namespace torchestra::ui {

namespace {

const char* const kThemeKey = "theme";
const char* const kGeometryKey = "mainWindow/geometry";
const char* const kStateKey = "mainWindow/state";

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowIcon(icons::application());
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    // The piano roll, with the takes' ghost lanes under it.
    auto* centre = new QWidget(this);
    auto* column = new QVBoxLayout(centre);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    m_pianoRoll = new PianoRollView(centre);
    m_pianoRoll->setSong(&m_song);
    m_pianoRoll->setUndoStack(&m_undoStack);
    m_pianoRoll->setVelocityLaneVisible(QSettings().value(kVelocityLaneKey, true).toBool());
    column->addWidget(m_pianoRoll, 1);
    m_takeLanes = new TakeLanes(m_pianoRoll, centre);
    column->addWidget(m_takeLanes);
    setCentralWidget(centre);

    m_document = std::make_unique<DocumentController>(m_song, m_undoStack, this);
    m_document->setLoopSource([this] { return loopRange(); });
    createDocks();
    createLearningDocks();
    createFileMenu();
    createEditActions();
    createViewMenu();
    createHelpMenu();
    createToolBar();
    m_recovery = std::make_unique<RecoveryManager>(*m_document, this);
    createStatusBar();
    createPlayback();
    connectDocument();
    // A loop range drawn on the ruler or switched on in the transport is saved with the project.
    connect(m_pianoRoll, &PianoRollView::loopRangeChanged, this,
            [this] { m_document->partEdited(); });
    connect(m_playback, &PlaybackController::loopChanged, this,
            [this] { m_document->partEdited(); });

    resize(1280, 800);
    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    restoreState(settings.value(kStateKey).toByteArray());
    // The warnings dock reflects the file shown; a remembered state must not show it empty.
    m_warningsDock->hide();
    showWarnings({});
    setWindowTitle(m_document->windowTitle());
}

MainWindow::~MainWindow() {
    // Views listen to m_song; detach them before members are destroyed (children die later,
    // in ~QWidget, after m_song is gone).
    m_playback->setSong(nullptr); // the engine plays copies; only the listener must go
    m_transportBar->setSong(nullptr, nullptr);
    m_pianoRoll->setUndoStack(nullptr);
    m_pianoRoll->setSong(nullptr);
    m_trackModel->setSong(nullptr);
    m_songInfo->setSong(nullptr);
}

void MainWindow::createStatusBar() {
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
}

void MainWindow::connectDocument() {
    DocumentController* doc = m_document.get();
    connect(doc, &DocumentController::fileLoaded, this, &MainWindow::fileLoaded);
    connect(doc, &DocumentController::loadFailed, this, &MainWindow::loadFailed);
    connect(doc, &DocumentController::saved, this, &MainWindow::saved);
    connect(doc, &DocumentController::saveFailed, this, &MainWindow::saveFailed);
    connect(doc, &DocumentController::exported, this, &MainWindow::exported);
    connect(doc, &DocumentController::exportFailed, this, &MainWindow::exportFailed);
    connect(doc, &DocumentController::fileUsed, m_recentFiles, &RecentFiles::add);
    connect(doc, &DocumentController::statusMessage, m_statusLabel, &QLabel::setText);
    connect(doc, &DocumentController::songInfoChanged, m_songInfoLabel, &QLabel::setText);
    connect(doc, &DocumentController::warningsChanged, this, &MainWindow::showWarnings);
    connect(doc, &DocumentController::titleChanged, this, &QWidget::setWindowTitle);
    connect(doc, &DocumentController::undoStackChanged, this, &MainWindow::updateUndoActions);
    connect(doc, &DocumentController::songReplaced, this, &MainWindow::songReplaced);
    connect(doc, &DocumentController::partsRestored, this, &MainWindow::projectPartsToPanels);
    connect(doc, &DocumentController::loopRestored, this, &MainWindow::restoreLoop);
    RecoveryManager* recovery = m_recovery.get();
    connect(recovery, &RecoveryManager::autosaved, this, &MainWindow::autosaved);
    connect(recovery, &RecoveryManager::recoveryChecked, this, &MainWindow::recoveryChecked);
    connect(recovery, &RecoveryManager::statusMessage, m_statusLabel, &QLabel::setText);
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
    m_generatePanel = new GeneratePanel(m_song, m_undoStack, m_pianoRoll, m_modelLibrary, this);
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
    connectLearningDocks();
    connectTakeLanes();
    createProbabilityOverlay();
    m_modelLibrary->refresh();
}

void MainWindow::createProbabilityOverlay() {
    m_probabilityOverlay = std::make_unique<ProbabilityOverlay>(m_song, m_undoStack, m_pianoRoll);
    // Whatever model the Generate panel has chosen, once it is loaded.
    const auto useChosenModel = [this] {
        m_probabilityOverlay->setModel(m_generatePanel->chosenModel(),
                                       m_generatePanel->modelBox()->currentText());
    };
    connect(m_generatePanel->modelBox(), &QComboBox::currentIndexChanged, this, useChosenModel);
    connect(m_modelLibrary, &QAbstractItemModel::modelReset, this, useChosenModel);
    connect(m_modelLibrary, &QAbstractItemModel::dataChanged, this, useChosenModel);
    connect(m_modelLibrary, &QAbstractItemModel::rowsInserted, this, useChosenModel);
    connect(m_probabilityOverlay.get(), &ProbabilityOverlay::statusMessage, this,
            [this](const QString& text) { m_statusLabel->setText(text); });
}

void MainWindow::connectLearningDocks() {
    // The project keeps what the panels show (saved with it, restored by projectPartsToPanels).
    // What the user changes there makes the project modified, like an edit of the song.
    connect(m_trainPanel, &TrainPanel::inputsChanged, this, [this](const QStringList& files) {
        m_document->setTrainingFiles(files);
        m_document->partEdited();
    });
    connect(m_trainPanel, &TrainPanel::settingsEdited, this, [this] {
        m_document->setTrainingTracks(m_trainPanel->trainingTracks());
        m_document->setTrainingModel(m_trainPanel->modelSettings());
        m_document->partEdited();
    });
    connect(m_generatePanel, &GeneratePanel::settingsChanged, this,
            [this](const QJsonObject& settings) {
                m_document->setGenerationSettings(settings);
                m_document->partEdited();
            });
    // Any change of the model is kept; only the user's choice counts as a change of the
    // project (the first model listed is picked automatically when the library loads).
    connect(m_generatePanel, &GeneratePanel::modelChosen, this,
            [this](const QString& path) { m_document->setModelPath(path); });
    connect(m_generatePanel, &GeneratePanel::modelPicked, this, [this](const QString& path) {
        m_document->setModelPath(path);
        m_document->partEdited();
    });
    connect(m_document.get(), &DocumentController::undoStackChanged, m_generatePanel,
            &GeneratePanel::undoStackChanged);
    connect(m_generatePanel, &GeneratePanel::takesChanged, this, [this] {
        m_document->setTakes(m_generatePanel->takes());
        m_document->partEdited();
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
}

void MainWindow::projectPartsToPanels() {
    m_generatePanel->discardAll(); // its ticks belonged to the song that was replaced
    m_trainPanel->setTrainingTracks(m_document->trainingTracks());
    m_trainPanel->restoreModelSettings(m_document->trainingModel());
    m_trainPanel->setInputs(m_document->trainingFiles());
    m_generatePanel->restoreSettings(m_document->generationSettings());
    m_generatePanel->setModelPath(m_document->modelPath());
    m_generatePanel->restoreTakes(m_document->takes());
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
    // The ruler shows the range; the transport loops it when the project was saved looping.
    m_pianoRoll->setLoopRange(loop.end > loop.start ? loop.start : 0,
                              loop.end > loop.start ? loop.end : 0);
    m_playback->setLoop(loop.enabled && loop.end > loop.start, loop.start, loop.end);
}

void MainWindow::songReplaced() {
    m_pianoRoll->setPlayheadTick(0);
    selectFirstTrack();
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

void MainWindow::createToolBar() {
    m_editToolBar = new EditToolBar(m_pianoRoll, this);
    addToolBar(m_editToolBar);
    m_editToolBar->addViewToggles(action(QStringLiteral("velocityLane")),
                                  action(QStringLiteral("colourByVelocity")),
                                  action(QStringLiteral("ghostNotes")));
    createMidiDragSources();
}

QToolBar* MainWindow::editToolBar() const {
    return m_editToolBar;
}

QAction* MainWindow::action(const QString& name) const {
    return findChild<QAction*>(name);
}

void MainWindow::updateUndoActions() {
    const QString undo = QString::fromStdString(m_undoStack.undoLabel());
    const QString redo = QString::fromStdString(m_undoStack.redoLabel());
    m_undoAction->setEnabled(m_undoStack.canUndo());
    m_undoAction->setText(undo.isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(undo));
    m_redoAction->setEnabled(m_undoStack.canRedo());
    m_redoAction->setText(redo.isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(redo));
    updateEditActions();
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

// --- Drag and drop -------------------------------------------------------------------------

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

// A drag that started in this window (a track or take dragged out as .mid) is not a file to
// open: dropped back on the window it would replace the song with a piece of itself.
void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!event->source() && !firstMidiFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
    if (!event->source() && !firstMidiFile(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = event->source() ? QString() : firstMidiFile(event->mimeData());
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
        m_document->whenChangesSettled([this, asking, settledNow] {
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
    m_recovery->removeRecoveryFile();
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

void MainWindow::trackSelectionChanged() {
    const QModelIndexList rows = m_trackView->selectionModel()
                                     ? m_trackView->selectionModel()->selectedRows()
                                     : QModelIndexList();
    m_pianoRoll->setActiveTrack(rows.isEmpty() ? model::kNoTrack
                                               : m_trackModel->trackIdAt(rows.first().row()));
    m_probabilityOverlay->activeTrackChanged();
    m_generatePanel->activeTrackChanged();
    updateTakeLanes();
}

void MainWindow::showShortcuts() {
    if (auto* shown = findChild<ShortcutsDialog*>()) {
        shown->raise();
        shown->activateWindow();
        return;
    }
    // Not modal: the list can stay open beside the piano roll while the keys are tried.
    auto* dialog = new ShortcutsDialog(collectShortcuts(this), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

} // namespace torchestra::ui
