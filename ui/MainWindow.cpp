#include "MainWindow.h"

#include "PianoRollView.h"
#include "TrackListModel.h"

#include "midi/MidiFile.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QTreeView>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace torchestra::ui {

namespace {

const char* const kRecentFilesKey = "recentFiles";
const char* const kLastDirectoryKey = "lastDirectory";
const char* const kThemeKey = "theme";
const char* const kGeometryKey = "mainWindow/geometry";
const char* const kStateKey = "mainWindow/state";

QString formatDuration(double seconds) {
    const int total = int(std::lround(seconds));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

// What the worker hands back: the read result (a value, so nothing is shared with the GUI
// thread) and how long the read took.
struct MainWindow::LoadOutcome {
    midi::ReadResult result;
    qint64 readMs = 0;
};

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowIcon(theme::appIcon());
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    m_pianoRoll = new PianoRollView(this);
    m_pianoRoll->setSong(&m_song);
    setCentralWidget(m_pianoRoll);

    createDocks();
    createActions();

    m_statusLabel = new QLabel(tr("Ready"), this);
    m_songInfoLabel = new QLabel(this);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_songInfoLabel);

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
    // Views listen to m_song; detach them before members are destroyed (children die later,
    // in ~QWidget, after m_song is gone).
    m_pianoRoll->setSong(nullptr);
    m_trackModel->setSong(nullptr);
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
    QHeaderView* header = m_trackView->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(TrackListModel::NameColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(TrackListModel::ChannelColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(TrackListModel::InstrumentColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(TrackListModel::NotesColumn, QHeaderView::ResizeToContents);
    connect(m_trackView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::trackSelectionChanged);
    connect(m_trackModel, &QAbstractItemModel::modelReset, this,
            &MainWindow::trackSelectionChanged);

    m_trackDock = new QDockWidget(tr("Tracks"), this);
    m_trackDock->setObjectName(QStringLiteral("tracksDock"));
    m_trackDock->setWidget(m_trackView);
    m_trackDock->setMinimumWidth(300);
    addDockWidget(Qt::LeftDockWidgetArea, m_trackDock);

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

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open..."), this, &MainWindow::showOpenDialog);
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(tr("Open a Standard MIDI File"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* zoomIn = view->addAction(tr("Zoom &In"), this,
                                      [this] { m_pianoRoll->zoomHorizontally(1.25); });
    zoomIn->setShortcut(QKeySequence::ZoomIn);
    QAction* zoomOut = view->addAction(tr("Zoom &Out"), this,
                                       [this] { m_pianoRoll->zoomHorizontally(1.0 / 1.25); });
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    QAction* fit = view->addAction(tr("Zoom to &Fit"), m_pianoRoll, &PianoRollView::zoomToFit);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    view->addSeparator();
    view->addAction(m_trackDock->toggleViewAction());
    view->addAction(m_warningsDock->toggleViewAction());
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

// --- Loading -------------------------------------------------------------------------------

void MainWindow::openFile(const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::uint64_t generation = ++m_loadGeneration;
    m_pendingLoad = generation;
    m_statusLabel->setText(tr("Loading %1...").arg(QFileInfo(absolute).fileName()));

    auto* watcher = new QFutureWatcher<LoadOutcome>(this);
    connect(watcher, &QFutureWatcher<LoadOutcome>::finished, this,
            [this, watcher, absolute, generation] {
                watcher->deleteLater();
                finishLoad(absolute, generation, watcher->result());
            });
    const std::string nativePath = QFile::encodeName(absolute).toStdString();
    watcher->setFuture(QtConcurrent::run([nativePath] {
        QElapsedTimer timer;
        timer.start();
        LoadOutcome outcome;
        outcome.result = midi::readMidiFile(nativePath);
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
        return;  // superseded by a newer openFile()
    m_pendingLoad = 0;

    midi::ReadResult& result = outcome.result;
    if (!result.ok) {
        failLoad(path, QString::fromStdString(result.error));
        return;
    }

    QElapsedTimer swapTimer;
    swapTimer.start();
    m_song.reset(std::move(result.song));
    m_currentPath = path;
    showWarnings(result.warnings);
    addRecentFile(path);
    updateTitle();

    const qint64 ms = outcome.readMs + swapTimer.elapsed();
    const QLocale locale;
    const std::size_t tracks = m_song.trackCount();
    const std::size_t notes = m_song.noteCount();
    m_statusLabel->setText(tr("Loaded %1 %2, %3 %4 in %5 ms")
                               .arg(locale.toString(qulonglong(tracks)),
                                    tracks == 1 ? tr("track") : tr("tracks"),
                                    locale.toString(qulonglong(notes)),
                                    notes == 1 ? tr("note") : tr("notes"))
                               .arg(ms));
    const model::TempoMap& map = m_song.tempoMap();
    m_songInfoLabel->setText(tr("Format %1  \u00b7  %2 PPQ%3  \u00b7  %4")
                                 .arg(result.format)
                                 .arg(result.ppq)
                                 .arg(result.smpte ? tr(" (from SMPTE)") : QString())
                                 .arg(formatDuration(map.tickToSeconds(m_song.endTick()))));
    emit fileLoaded(path);
}

void MainWindow::failLoad(const QString& path, const QString& problem) {
    const QString name = QFileInfo(path).fileName();
    const QString message = tr("Could not open %1: %2").arg(name, problem);
    m_statusLabel->setText(message);
    emit loadFailed(path, message);
    if (m_showErrorDialogs) {
        // Window-modal and non-blocking: no nested event loop inside a load's completion.
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not open file"), message,
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setObjectName(QStringLiteral("loadErrorBox"));
        box->setInformativeText(QDir::toNativeSeparators(path));
        box->open();
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
        const QString label = i < 10 ? QStringLiteral("&%1  %2").arg((i + 1) % 10).arg(
                                           QFileInfo(path).fileName())
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
        if (url.isLocalFile() && isMidiFileName(url.toLocalFile()))
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

QString MainWindow::statusText() const { return m_statusLabel->text(); }

void MainWindow::updateTitle() {
    if (m_currentPath.isEmpty())
        setWindowTitle(QStringLiteral("Torchestra"));
    else
        setWindowTitle(tr("%1 \u2014 Torchestra").arg(QFileInfo(m_currentPath).fileName()));
}

void MainWindow::showOpenDialog() {
    const QString dir = QSettings().value(kLastDirectoryKey).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open MIDI File"), dir,
        tr("MIDI files (*.mid *.midi *.rmi *.kar *.smf);;All files (*)"));
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

}  // namespace torchestra::ui
