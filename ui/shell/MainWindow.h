#pragma once

#include "project/MidiExcerpt.h"
#include "project/ProjectFile.h"
#include "ui/common/Theme.h"
#include "ui/shell/DocumentController.h"
#include "ui/shell/RecentFiles.h"
#include "ui/shell/RecoveryManager.h"

#include "model/Song.h"
#include "model/UndoStack.h"

#include <QDateTime>
#include <QMainWindow>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QListWidget;
class QMenu;
class QMimeData;
class QToolBar;
class QTreeView;

namespace torchestra::ui {

class EditToolBar;
class PianoRollView;
class PlaybackController;
class TransportBar;
class GeneratePanel;
class ProbabilityOverlay;
class TakeLanes;
class ModelLibrary;
class SongInfoPanel;
class TrackListModel;
class TrainPanel;
class WavRenderJob;

// The workstation window: the piano roll editor in the centre, the track list and song summary
// docked on the left, the Train and Generate panels docked on the right, the file's warnings
// docked at the bottom, the edit and transport toolbars above. It creates the rooms' parts and
// wires them (DocumentController, RecoveryManager, RecentFiles, EditToolBar do the work). Owns the
// song and its undo stack (the GUI thread owns both; see the house style); every edit is a command
// on that stack.
//
// Files: projects (.torchestra, see ProjectFile) are opened and saved; MIDI files are imported
// (an untitled project named after the file) and exported. All reading and writing runs on
// worker threads; saves are atomic. Unsaved changes (edits of the song, and the user's changes
// to what the Train and Generate panels keep in the project) put a '*' in the title and are
// asked about (Save/Discard/Cancel) before closing, New or opening another file. An autosave
// writes a recovery file every few seconds while there are unsaved changes;
// checkForRecovery() finds the files a crashed session left behind. GUI thread only.
//
// The window wires its parts together; the jobs are theirs: DocumentController (the song's
// file, the modified flag, asking before discarding work), RecoveryManager (autosave and
// crash recovery), RecentFiles (the recent-files menu), EditToolBar (tools, snap, scale) and,
// in MainWindowPlayback.cpp, the playback engine's wiring.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kMaxRecentFiles = RecentFiles::kMaxFiles;

    using SaveChoice = DocumentController::SaveChoice;
    // Asked before unsaved changes would be lost; gets the document's name.
    using SavePrompt = DocumentController::SavePrompt;
    // Asked for each recovery file found at start: restore it (true) or discard it (false).
    using RecoveryPrompt = RecoveryManager::RecoveryPrompt;
    // Asked for a path to save or export to ("" cancels); gets a suggestion and a filter.
    using FileChooser = DocumentController::FileChooser;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a project (.torchestra) or imports a MIDI file (anything else), after asking about
    // unsaved changes. Reads on a worker thread and returns at once; the UI never waits for the
    // disk. On success the song is replaced (with an empty undo history) and fileLoaded() is
    // emitted; on failure the current song stays, loadFailed() is emitted and (unless
    // disabled) a warning box names the file and the problem. A newer openFile() supersedes a
    // load still running.
    void openFile(const QString& path) { m_document->openFile(path); }
    bool isLoading() const { return m_document->isLoading(); }

    // A new untitled song with one empty track, after asking about unsaved changes.
    void newProject() { m_document->newProject(); }
    // Saves to the project's path, or asks for one when it has none. Asynchronous: `done`
    // (optional) gets the outcome, and saved()/saveFailed() are emitted.
    void save(std::function<void(bool ok)> done = {}) { m_document->save(std::move(done)); }
    void saveAs(std::function<void(bool ok)> done = {}) { m_document->saveAs(std::move(done)); }
    void saveProject(const QString& path, std::function<void(bool ok)> done = {}) {
        m_document->saveProject(path, std::move(done));
    }
    bool isSaving() const { return m_document->isSaving(); }
    // Writes the song as a Standard MIDI File (format 1) on a worker; exported()/exportFailed().
    void exportMidi(const QString& path) { m_document->exportMidi(path); }
    void showExportDialog() { m_document->showExportDialog(); }
    // File > Render to WAV: asks where (proposing the song's name with .wav next to it), then
    // renderToWav(). The render runs on a worker (WavRenderJob) with a progress dialog whose
    // Cancel stops it; the window stays usable meanwhile. rendered()/renderFailed() follow, or
    // nothing is written when cancelled.
    void showRenderDialog();
    void renderToWav(const QString& path);
    WavRenderJob* renderJob() const { return m_renderJob; }
    // Help > Keyboard Shortcuts: every shortcut, read from the actions when it opens.
    void showShortcuts();

    // The file shown ("" before the first load or after New): the project, or the MIDI file
    // it was imported from.
    QString currentPath() const { return m_document->currentPath(); }
    // Where Save writes: "" while untitled (after New or a MIDI import).
    QString projectPath() const { return m_document->projectPath(); }
    bool isModified() const { return m_document->isModified(); }
    const model::Song& song() const { return m_song; }
    // Mutable access for tests; edits a user makes go through undoStack().
    model::Song& song() { return m_song; }
    model::UndoStack& undoStack() { return m_undoStack; }
    // The project's other parts, kept for the Train and Generate panels.
    QStringList trainingFiles() const { return m_document->trainingFiles(); }
    void setTrainingFiles(const QStringList& files) { m_document->setTrainingFiles(files); }
    std::vector<int> trainingTracks() const { return m_document->trainingTracks(); }
    void setTrainingTracks(const std::vector<int>& tracks) {
        m_document->setTrainingTracks(tracks);
    }
    QJsonObject generationSettings() const { return m_document->generationSettings(); }
    void setGenerationSettings(const QJsonObject& settings) {
        m_document->setGenerationSettings(settings);
    }
    QString modelPath() const { return m_document->modelPath(); }
    void setModelPath(const QString& path) { m_document->setModelPath(path); }
    // The loop as a save would record it: the transport's loop when it is on, else the range
    // drawn on the ruler (kept, but not looping).
    project::LoopRange loopRange() const;

    // Dialogs that tests replace (the defaults are message boxes and file dialogs).
    void setSavePrompt(SavePrompt prompt) { m_document->setSavePrompt(std::move(prompt)); }
    void setRecoveryPrompt(RecoveryPrompt prompt) {
        m_recovery->setRecoveryPrompt(std::move(prompt));
    }
    void setFileChooser(FileChooser chooser) { m_document->setFileChooser(std::move(chooser)); }

    // Autosave: every `ms` milliseconds while there are unsaved changes (0 turns it off). The
    // default comes from the setting "autosaveSeconds" (60).
    void setAutosaveInterval(int ms) { m_recovery->setAutosaveInterval(ms); }
    int autosaveInterval() const { return m_recovery->autosaveInterval(); }
    // This window's recovery file (in AppDataLocation/recovery); it exists only while there
    // are changes that were autosaved but not saved.
    QString recoveryFilePath() const { return m_recovery->recoveryFilePath(); }
    static QString recoveryDirectory() { return RecoveryManager::recoveryDirectory(); }
    // Overrides where recovery files go, for the whole process ("" restores the default):
    // test runs give each process its own folder. Set before windows are created.
    static void setRecoveryDirectory(const QString& path) {
        RecoveryManager::setRecoveryDirectory(path);
    }
    // Looks for recovery files of crashed sessions that are newer than their projects: the
    // folder is scanned and the files read on a worker, and this returns at once. Then, on
    // this thread, the user is asked about each (restoring at most one; unsaved changes made
    // meanwhile are asked about first) and the files are deleted on a worker; then
    // recoveryChecked() is emitted (not when a save the user asked for first fails).
    // A restored song is marked modified and supersedes a load still running.
    void checkForRecovery() { m_recovery->checkForRecovery(); }
    bool isCheckingRecovery() const { return m_recovery->isCheckingRecovery(); }

    // Error boxes are on by default; tests that check the signals alone turn them off.
    void setShowErrorDialogs(bool show) { m_document->setShowErrorDialogs(show); }
    bool showErrorDialogs() const { return m_document->showErrorDialogs(); }

    QStringList recentFiles() const { return m_recentFiles->files(); }
    void setTheme(ThemeKind kind);

    // Parts, for tests and for the tools that stage screenshots.
    PianoRollView* pianoRoll() const { return m_pianoRoll; }
    TrackListModel* trackModel() const { return m_trackModel; }
    QTreeView* trackView() const { return m_trackView; }
    QDockWidget* trackDock() const { return m_trackDock; }
    QDockWidget* warningsDock() const { return m_warningsDock; }
    QDockWidget* songDock() const { return m_songDock; }
    SongInfoPanel* songInfo() const { return m_songInfo; }
    // The learning panels (docked on the right, tabbed) and the trained models they share.
    TrainPanel* trainPanel() const { return m_trainPanel; }
    GeneratePanel* generatePanel() const { return m_generatePanel; }
    ProbabilityOverlay* probabilityOverlay() const { return m_probabilityOverlay.get(); }
    TakeLanes* takeLanes() const { return m_takeLanes; }
    // What a drag out of the window carries (MidiMime.h; the caller owns it, null with `error`
    // when there is nothing to drag or the file cannot be written): the track at `row` whole,
    // take `take`, the selected notes (the active track when none are selected).
    QMimeData* trackMidiData(int row, QString& error) const;
    QMimeData* takeMidiData(int take, QString& error) const;
    QMimeData* selectionMidiData(QString& error) const;
    ModelLibrary* modelLibrary() const { return m_modelLibrary; }
    QDockWidget* trainDock() const { return m_trainDock; }
    QDockWidget* generateDock() const { return m_generateDock; }
    QListWidget* warningsList() const { return m_warningsList; }
    QMenu* recentMenu() const { return m_recentFiles->menu(); }
    QString statusText() const;

    QToolBar* editToolBar() const;
    // The playback engine (transport, previews, audition) and its tool bar.
    PlaybackController* playback() const { return m_playback; }
    TransportBar* transportBar() const { return m_transportBar; }
    // Edit > Preferences: SoundFont, audio driver, MIDI ports, autosave (modal).
    void showSettings();
    // A menu action by its object name ("undo", "redo", "cut", "copy", "paste", "duplicate",
    // "delete", "selectAll", "quantize", "save", "new", ...), for tests and panels.
    QAction* action(const QString& name) const;

    // File names the window accepts from a drop (by suffix: midi::midiFileSuffixes()).
    static bool isMidiFileName(const QString& path) {
        return DocumentController::isMidiFileName(path);
    }

signals:
    void fileLoaded(const QString& path);
    void loadFailed(const QString& path, const QString& message);
    void saved(const QString& path);
    void saveFailed(const QString& path, const QString& message);
    void exported(const QString& path);
    void exportFailed(const QString& path, const QString& message);
    void rendered(const QString& path);
    void renderFailed(const QString& path, const QString& message);
    void autosaved(const QString& recoveryPath);
    // checkForRecovery() has finished: `restored` when the user took a recovered song.
    void recoveryChecked(bool restored);
    // The Generate panel asks to hear a variation: `song` is a copy with it in place (the
    // playback engine auditions it; see MainWindowPlayback.cpp).
    void auditionRequested(const torchestra::model::Song& song, torchestra::model::Tick from,
                           torchestra::model::Tick to, bool loop);
    void auditionStopRequested();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    // The setting that remembers whether the velocity lane is shown.
    static constexpr const char* kVelocityLaneKey = "pianoRoll/velocityLane";
    static constexpr const char* kExportProvenanceKey = "export/takeProvenance";

    void createStatusBar();
    // The menus, in MainWindowMenus.cpp.
    void createFileMenu();
    void createEditActions();
    void createViewMenu();
    void createHelpMenu();
    void createToolBar();
    void createDocks();
    void createPlayback();       // in MainWindowPlayback.cpp
    void setUpTrackEditing();    // in MainWindowPlayback.cpp
    void addPreferencesAction(); // in MainWindowPlayback.cpp
    void connectRenderJob();     // in MainWindowPlayback.cpp
    void createLearningDocks();
    void createProbabilityOverlay();
    void addModelViewToggles(QMenu* view);
    // The takes' ghost lanes under the roll (MainWindowTakeLanes.cpp): the active track's
    // takes, newest first.
    void connectTakeLanes();
    void updateTakeLanes();
    // Tracks, takes and the selection dragged out as .mid files (MainWindowMidiOut.cpp).
    void createMidiDragSources();
    QMimeData* midiData(const QString& what, std::vector<project::ExcerptPart> parts,
                        model::Tick from, QString& error) const;
    void connectLearningDocks();
    void connectDocument();
    // Shows the project's training files and tracks, training and generation settings and
    // model in the panels.
    void projectPartsToPanels();
    void restoreLoop(const project::LoopRange& loop);
    void songReplaced();
    void selectFirstTrack();
    void updateUndoActions();
    void updateEditActions();
    void showWarnings(const std::vector<std::string>& warnings);
    void showAbout();
    void trackSelectionChanged();
    static QString firstMidiFile(const QMimeData* mime);

    model::Song m_song; // declared first: every view below listens to it
    model::UndoStack m_undoStack{m_song};
    // Not children of the window: destroyed before the song and the undo stack they use.
    std::unique_ptr<DocumentController> m_document;
    std::unique_ptr<RecoveryManager> m_recovery;
    RecentFiles* m_recentFiles = nullptr;

    PianoRollView* m_pianoRoll = nullptr;
    TrackListModel* m_trackModel = nullptr;
    QTreeView* m_trackView = nullptr;
    QDockWidget* m_trackDock = nullptr;
    QDockWidget* m_warningsDock = nullptr;
    SongInfoPanel* m_songInfo = nullptr;
    QDockWidget* m_songDock = nullptr;
    QListWidget* m_warningsList = nullptr;
    ModelLibrary* m_modelLibrary = nullptr;
    TrainPanel* m_trainPanel = nullptr;
    GeneratePanel* m_generatePanel = nullptr;
    TakeLanes* m_takeLanes = nullptr;
    bool m_takeLanesShown = true; // View > Take Lanes
    // A listener of m_song: a member (declared after it, so it goes first), not a child.
    std::unique_ptr<ProbabilityOverlay> m_probabilityOverlay;
    QDockWidget* m_trainDock = nullptr;
    QDockWidget* m_generateDock = nullptr;
    PlaybackController* m_playback = nullptr;
    TransportBar* m_transportBar = nullptr;
    WavRenderJob* m_renderJob = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_songInfoLabel = nullptr;
    QLabel* m_positionLabel = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    EditToolBar* m_editToolBar = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QList<QAction*> m_selectionActions; // enabled only with a selection
};

} // namespace torchestra::ui
