#pragma once

#include "project/ProjectFile.h"
#include "ui/common/Theme.h"

#include "model/Song.h"
#include "model/UndoStack.h"

#include <QDateTime>
#include <QFuture>
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
class QComboBox;
class QLockFile;
class QMimeData;
class QTimer;
class QToolBar;
class QTreeView;

namespace torchestra::ui {

class PianoRollView;
class PlaybackController;
class TransportBar;
class GeneratePanel;
class ModelLibrary;
class SongInfoPanel;
class TrackListModel;
class TrainPanel;

// The workstation window: the piano roll editor in the centre, the track list and song summary
// docked on the left, the file's warnings docked at the bottom (the transport and the
// Train/Generate panels will dock around the same centre). Owns the song and its undo stack
// (the GUI thread owns both; see the house style); every edit is a command on that stack.
//
// Files: projects (.torchestra, see ProjectFile) are opened and saved; MIDI files are imported
// (an untitled project named after the file) and exported. All reading and writing runs on
// worker threads; saves are atomic. Unsaved changes (edits of the song, and the user's changes
// to what the Train and Generate panels keep in the project) put a '*' in the title and are
// asked about (Save/Discard/Cancel) before closing, New or opening another file. An autosave
// writes a recovery file every few seconds while there are unsaved changes;
// checkForRecovery() finds the files a crashed session left behind. GUI thread only.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kMaxRecentFiles = 10;

    enum class SaveChoice { Save, Discard, Cancel };
    // Asked before unsaved changes would be lost; gets the document's name.
    using SavePrompt = std::function<SaveChoice(const QString& documentName)>;
    // Asked for each recovery file found at start: restore it (true) or discard it (false).
    using RecoveryPrompt = std::function<bool(const QString& documentName, const QDateTime& when)>;
    // Asked for a path to save or export to ("" cancels); gets a suggestion and a filter.
    using FileChooser = std::function<QString(const QString& title, const QString& suggested,
                                              const QString& filter)>;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a project (.torchestra) or imports a MIDI file (anything else), after asking about
    // unsaved changes. Reads on a worker thread and returns at once; the UI never waits for the
    // disk. On success the song is replaced (with an empty undo history) and fileLoaded() is
    // emitted; on failure the current song stays, loadFailed() is emitted and (unless
    // disabled) a warning box names the file and the problem. A newer openFile() supersedes a
    // load still running.
    void openFile(const QString& path);
    bool isLoading() const { return m_pendingLoad != 0; }

    // A new untitled song with one empty track, after asking about unsaved changes.
    void newProject();
    // Saves to the project's path, or asks for one when it has none. Asynchronous: `done`
    // (optional) gets the outcome, and saved()/saveFailed() are emitted.
    void save(std::function<void(bool ok)> done = {});
    void saveAs(std::function<void(bool ok)> done = {});
    void saveProject(const QString& path, std::function<void(bool ok)> done = {});
    bool isSaving() const { return m_pendingSaves > 0; }
    // Writes the song as a Standard MIDI File (format 1) on a worker; exported()/exportFailed().
    void exportMidi(const QString& path);
    void showExportDialog();

    // The file shown ("" before the first load or after New): the project, or the MIDI file
    // it was imported from.
    QString currentPath() const { return m_currentPath; }
    // Where Save writes: "" while untitled (after New or a MIDI import).
    QString projectPath() const { return m_projectPath; }
    bool isModified() const {
        return m_recoveredUnsaved || m_partsModified || !m_undoStack.isClean();
    }
    const model::Song& song() const { return m_song; }
    // Mutable access for tests; edits a user makes go through undoStack().
    model::Song& song() { return m_song; }
    model::UndoStack& undoStack() { return m_undoStack; }
    // The project's other parts, kept for the Train and Generate panels.
    QStringList trainingFiles() const { return m_trainingFiles; }
    void setTrainingFiles(const QStringList& files) { m_trainingFiles = files; }
    std::vector<int> trainingTracks() const { return m_trainingTracks; }
    void setTrainingTracks(const std::vector<int>& tracks) { m_trainingTracks = tracks; }
    QJsonObject generationSettings() const { return m_generation; }
    void setGenerationSettings(const QJsonObject& settings) { m_generation = settings; }
    QString modelPath() const { return m_modelPath; }
    void setModelPath(const QString& path) { m_modelPath = path; }
    // The loop as a save would record it: the transport's loop when it is on, else the range
    // drawn on the ruler (kept, but not looping).
    project::LoopRange loopRange() const;

    // Dialogs that tests replace (the defaults are message boxes and file dialogs).
    void setSavePrompt(SavePrompt prompt) { m_savePrompt = std::move(prompt); }
    void setRecoveryPrompt(RecoveryPrompt prompt) { m_recoveryPrompt = std::move(prompt); }
    void setFileChooser(FileChooser chooser) { m_fileChooser = std::move(chooser); }

    // Autosave: every `ms` milliseconds while there are unsaved changes (0 turns it off). The
    // default comes from the setting "autosaveSeconds" (60).
    void setAutosaveInterval(int ms);
    int autosaveInterval() const;
    // This window's recovery file (in AppDataLocation/recovery); it exists only while there
    // are changes that were autosaved but not saved.
    QString recoveryFilePath() const { return m_recoveryPath; }
    static QString recoveryDirectory();
    // Overrides where recovery files go, for the whole process ("" restores the default):
    // test runs give each process its own folder. Set before windows are created.
    static void setRecoveryDirectory(const QString& path);
    // Looks for recovery files of crashed sessions that are newer than their projects: the
    // folder is scanned and the files read on a worker, and this returns at once. Then, on
    // this thread, the user is asked about each (restoring at most one; unsaved changes made
    // meanwhile are asked about first) and the files are deleted on a worker; then
    // recoveryChecked() is emitted (not when a save the user asked for first fails).
    // A restored song is marked modified and supersedes a load still running.
    void checkForRecovery();
    bool isCheckingRecovery() const { return m_checkingRecovery; }

    // Error boxes are on by default; tests that check the signals alone turn them off.
    void setShowErrorDialogs(bool show) { m_showErrorDialogs = show; }
    bool showErrorDialogs() const { return m_showErrorDialogs; }

    QStringList recentFiles() const;
    void setTheme(ThemeKind kind);

    // Parts, for tests and for the panels that will dock next to them.
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
    ModelLibrary* modelLibrary() const { return m_modelLibrary; }
    QDockWidget* trainDock() const { return m_trainDock; }
    QDockWidget* generateDock() const { return m_generateDock; }
    QListWidget* warningsList() const { return m_warningsList; }
    QMenu* recentMenu() const { return m_recentMenu; }
    QString statusText() const;

    QToolBar* editToolBar() const { return m_editToolBar; }
    // The playback engine (transport, previews, audition) and its tool bar.
    PlaybackController* playback() const { return m_playback; }
    TransportBar* transportBar() const { return m_transportBar; }
    // Edit > Preferences: SoundFont, audio driver, MIDI ports, autosave (modal).
    void showSettings();
    // A menu action by its object name ("undo", "redo", "cut", "copy", "paste", "duplicate",
    // "delete", "selectAll", "quantize", "save", "new", ...), for tests and panels.
    QAction* action(const QString& name) const;

    // File names the window accepts from a drop (by suffix: .mid .midi .rmi .kar .smf).
    static bool isMidiFileName(const QString& path);

signals:
    void fileLoaded(const QString& path);
    void loadFailed(const QString& path, const QString& message);
    void saved(const QString& path);
    void saveFailed(const QString& path, const QString& message);
    void exported(const QString& path);
    void exportFailed(const QString& path, const QString& message);
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
    struct LoadOutcome;
    struct RecoveryCandidate;

    void createActions();
    void createEditActions();
    void createToolBar();
    void createDocks();
    void createPlayback(); // in MainWindowPlayback.cpp
    void createLearningDocks();
    // Shows the project's training files and tracks, training and generation settings and
    // model in the panels.
    void projectPartsToPanels();
    // Takes the parts of `project` other than the song (the loop needs the song in place).
    void takeProjectParts(const project::Project& project);
    void clearProjectParts();
    std::shared_ptr<project::Project> projectCopy() const;
    void restoreLoop(const project::LoopRange& loop);
    // The user changed something the project keeps outside the song: modified until saved.
    void projectPartEdited();
    // The worker's part of checkForRecovery(): every file a crashed session left (not
    // `ownPath`), newest first, read and locked. Touches the disk only; any thread.
    static std::vector<RecoveryCandidate> findRecoveryFiles(const QString& directory,
                                                            const QString& ownPath);
    void finishRecoveryCheck(std::vector<RecoveryCandidate> candidates);
    // Deletes the files (and releases their locks) on a worker, then emits recoveryChecked().
    void dropRecoveryFiles(std::vector<RecoveryCandidate> files, bool restored);
    void restoreRecovered(RecoveryCandidate& candidate);
    void startLoad(const QString& path);
    void finishLoad(const QString& path, std::uint64_t generation, LoadOutcome outcome);
    void failLoad(const QString& path, const QString& problem);
    void showError(const QString& title, const QString& message, const QString& path,
                   const QString& objectName);
    // Runs `proceed` now if nothing unsaved would be lost, else after the user's answer (and,
    // for Save, after the save succeeded); not at all on Cancel.
    void whenChangesSettled(std::function<void()> proceed);
    void replaceSong(model::Song song);
    void selectFirstTrack();
    void undoStackChanged();
    void updateEditActions();
    void autosave();
    void removeRecoveryFile();
    QString documentName() const;
    void showWarnings(const std::vector<std::string>& warnings);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void updateTitle();
    void showOpenDialog();
    void showAbout();
    void trackSelectionChanged();
    static QString firstMidiFile(const QMimeData* mime);

    model::Song m_song; // declared first: every view below listens to it
    model::UndoStack m_undoStack{m_song};
    QString m_currentPath;
    QString m_projectPath;
    bool m_hasDocument = false;
    bool m_recoveredUnsaved = false; // a recovered song counts as modified until saved
    bool m_partsModified = false;    // the panels' project settings changed since the last save
    bool m_applyingParts = false;    // the panels are being set from a project, not by the user
    bool m_checkingRecovery = false;
    QStringList m_trainingFiles;
    std::vector<int> m_trainingTracks;
    QJsonObject m_trainingModel;
    QJsonObject m_generation;
    QString m_modelPath;
    // Counts changes to the song and the project's other parts: "has anything changed since".
    std::uint64_t m_editSerial = 0;
    std::uint64_t m_autosavedSerial = 0;
    int m_pendingSaves = 0;
    SavePrompt m_savePrompt;
    RecoveryPrompt m_recoveryPrompt;
    FileChooser m_fileChooser;
    QTimer* m_autosaveTimer = nullptr;
    QFuture<QString> m_autosaveFuture; // the autosave being written, if any
    QString m_recoveryPath;
    std::unique_ptr<QLockFile> m_recoveryLock; // marks m_recoveryPath as a live session's
    std::uint64_t m_loadGeneration = 0;
    std::uint64_t m_pendingLoad = 0; // generation of the load running, 0 when idle
    bool m_showErrorDialogs = true;

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
    QDockWidget* m_trainDock = nullptr;
    QDockWidget* m_generateDock = nullptr;
    PlaybackController* m_playback = nullptr;
    TransportBar* m_transportBar = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_songInfoLabel = nullptr;
    QLabel* m_positionLabel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QActionGroup* m_themeGroup = nullptr;
    QActionGroup* m_toolGroup = nullptr;
    QToolBar* m_editToolBar = nullptr;
    QComboBox* m_snapBox = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QList<QAction*> m_selectionActions; // enabled only with a selection
};

} // namespace torchestra::ui
