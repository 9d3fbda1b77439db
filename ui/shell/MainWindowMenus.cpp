// MainWindow's menus: File, Edit (undo and the piano roll's note edits), View and Help. Kept
// apart from MainWindow.cpp so the window's wiring stays readable; Edit > Preferences is added
// with the playback wiring (MainWindowPlayback.cpp).
#include "ui/shell/MainWindow.h"

#include "ui/panels/ProbabilityOverlay.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/shell/ShortcutsDialog.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QMenuBar>
#include <QSettings>

namespace torchestra::ui {

namespace {

// Names an action so tests and panels find it (MainWindow::action()).
QAction* named(QAction* action, const char* name) {
    action->setObjectName(QLatin1String(name));
    return action;
}

} // namespace

void MainWindow::createFileMenu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newAction = named(file->addAction(tr("&New"), this, &MainWindow::newProject), "new");
    newAction->setShortcut(QKeySequence::New);
    newAction->setStatusTip(tr("Start a new song"));
    QAction* open = named(
        file->addAction(tr("&Open..."), this, [this] { m_document->showOpenDialog(); }), "open");
    open->setShortcut(QKeySequence::Open);
    // One entry for both kinds of file: a separate "Import MIDI" did the same thing with a
    // narrower filter and left users guessing which to pick.
    open->setStatusTip(tr("Open a Torchestra project, or a MIDI file (it becomes an untitled "
                          "project; File \u203a Save keeps it as one)"));
    m_recentFiles = new RecentFiles(file->addMenu(tr("Open &Recent")), this);
    connect(m_recentFiles, &RecentFiles::openRequested, this, &MainWindow::openFile);
    file->addSeparator();
    QAction* saveAction = named(file->addAction(tr("&Save"), this, [this] { save(); }), "save");
    saveAction->setShortcut(QKeySequence::Save);
    QAction* saveAsAction =
        named(file->addAction(tr("Save &As..."), this, [this] { saveAs(); }), "saveAs");
    saveAsAction->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction* exportAction =
        named(file->addAction(tr("&Export as MIDI File..."), this, &MainWindow::showExportDialog),
              "exportMidi");
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->setStatusTip(tr(
        "Write the song as a Standard MIDI File that opens anywhere (the project is unchanged)"));
    QAction* provenance =
        named(file->addAction(tr("Export with Take &Provenance")), "exportProvenance");
    provenance->setCheckable(true);
    provenance->setChecked(QSettings().value(kExportProvenanceKey, false).toBool());
    m_document->setExportProvenance(provenance->isChecked());
    provenance->setStatusTip(tr("Exports mark each generated take that is in the song with a "
                                "text event: model, checkpoint, seed and settings"));
    connect(provenance, &QAction::toggled, this, [this](bool on) {
        m_document->setExportProvenance(on);
        QSettings().setValue(kExportProvenanceKey, on);
    });
    QAction* render = named(
        file->addAction(tr("&Render to WAV..."), this, &MainWindow::showRenderDialog), "renderWav");
    render->setStatusTip(tr("Render the song to a WAV audio file with the built-in synthesizer"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
}

void MainWindow::createEditActions() {
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    m_undoAction = edit->addAction(tr("&Undo"), this, [this] { m_undoStack.undo(); });
    m_undoAction->setObjectName(QStringLiteral("undo"));
    m_undoAction->setProperty(kShortcutLabel, tr("Undo")); // its text names the edit to undo
    m_undoAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    m_redoAction = edit->addAction(tr("&Redo"), this, [this] { m_undoStack.redo(); });
    m_redoAction->setObjectName(QStringLiteral("redo"));
    m_redoAction->setProperty(kShortcutLabel, tr("Redo"));
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
    updateUndoActions();
}

// The View menu's toggles of what the models add to the roll: the probability overlay and the
// takes' lanes.
void MainWindow::addModelViewToggles(QMenu* view) {
    // What the chosen model expects next, at a cursor on the roll (ProbabilityOverlay).
    QAction* overlay = named(view->addAction(tr("&Probability Overlay")), "probabilityOverlay");
    overlay->setCheckable(true);
    overlay->setShortcut(QKeySequence(Qt::ALT | Qt::Key_P));
    overlay->setToolTip(tr("Show, at a cursor on the piano roll, how likely the chosen model finds "
                           "each pitch to start there; Left/Right move it, Enter adds the "
                           "likeliest chord, a click on a key adds that pitch"));
    connect(overlay, &QAction::toggled, this, [this](bool on) {
        m_probabilityOverlay->setShown(on);
        if (on)
            m_pianoRoll->setFocus();
    });
    QAction* lanes = named(view->addAction(tr("&Take Lanes")), "takeLanes");
    lanes->setCheckable(true);
    lanes->setChecked(m_takeLanesShown);
    lanes->setToolTip(tr("The Generate panel's takes on the track being edited, as lanes under "
                         "the piano roll (a click shows a take's group as the variations)"));
    connect(lanes, &QAction::toggled, this, [this](bool on) {
        m_takeLanesShown = on;
        updateTakeLanes();
    });
}

void MainWindow::createViewMenu() {
    QMenu* view = menuBar()->addMenu(tr("&View"));
    // Ctrl+= as well as Ctrl++: on most layouts '+' is Shift+'=', and a press of Ctrl+'=' reads
    // as Ctrl+=. Vertical zoom takes Ctrl+Alt, not Ctrl+Shift: X11 (xkb) reports Ctrl+Shift+'='
    // as Ctrl++ too, so two actions on those keys made each press ambiguous and neither ran.
    QAction* zoomIn = named(
        view->addAction(tr("Zoom &In"), this, [this] { m_pianoRoll->zoomHorizontally(1.25); }),
        "zoomIn");
    zoomIn->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence(Qt::CTRL | Qt::Key_Plus)});
    QAction* zoomOut = named(view->addAction(tr("Zoom &Out"), this,
                                             [this] { m_pianoRoll->zoomHorizontally(1.0 / 1.25); }),
                             "zoomOut");
    zoomOut->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Minus));
    named(view->addAction(tr("Zoom In &Vertically"), this,
                          [this] { m_pianoRoll->zoomVertically(1.25); }),
          "zoomInVertically")
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Equal));
    named(view->addAction(tr("Zoom Out Ve&rtically"), this,
                          [this] { m_pianoRoll->zoomVertically(1.0 / 1.25); }),
          "zoomOutVertically")
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Minus));
    QAction* fit = named(
        view->addAction(tr("Zoom to &Fit"), m_pianoRoll, &PianoRollView::zoomToFit), "zoomToFit");
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
    addModelViewToggles(view);
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
}

void MainWindow::createHelpMenu() {
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    named(help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts),
          "keyboardShortcuts")
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    QAction* about = help->addAction(tr("&About Torchestra"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

} // namespace torchestra::ui
