#pragma once

#include "project/ProjectFile.h"

#include "model/Song.h"
#include "model/UndoStack.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

class QWidget;

namespace torchestra::ui {

// The document the window shows: the song (with its undo stack) and the project's other parts
// (training files and tracks, training and generation settings, the model, the loop), where
// they were read from and whether anything changed since. Opens projects (.torchestra, see
// ProjectFile) and imports MIDI files (an untitled project named after the file); saves
// projects and exports MIDI files. All reading and writing runs on worker threads; saves are
// atomic. Before unsaved changes would be lost (New, Open, closing) the user is asked
// (Save/Discard/Cancel).
//
// It keeps no views: what they show travels as signals (status text, the song summary, the
// file's warnings, the title, the parts and the loop to show), and the window answers them.
// The song and the undo stack belong to the window and outlive this object (which is no child
// of the window: it unhooks itself from the undo stack when destroyed). GUI thread only.
class DocumentController : public QObject {
    Q_OBJECT
public:
    enum class SaveChoice { Save, Discard, Cancel };
    // Asked before unsaved changes would be lost; gets the document's name.
    using SavePrompt = std::function<SaveChoice(const QString& documentName)>;
    // Asked for a path to save or export to ("" cancels); gets a suggestion and a filter.
    using FileChooser = std::function<QString(const QString& title, const QString& suggested,
                                              const QString& filter)>;
    // Where the loop is now (the window's transport and ruler), for a save.
    using LoopSource = std::function<project::LoopRange()>;

    // `window` parents the dialogs and message boxes.
    DocumentController(model::Song& song, model::UndoStack& undoStack, QWidget* window);
    ~DocumentController() override;

    // See MainWindow's functions of the same names for the contracts. The file is read first
    // (on a worker); only a file that could be read asks about unsaved changes, so a broken file
    // never makes the user decide about their work for nothing.
    void openFile(const QString& path);
    // File > Open (projects and MIDI files): a file dialog, then openFile().
    void showOpenDialog();
    bool isLoading() const { return m_pendingLoad != 0; }
    void newProject();
    void save(std::function<void(bool ok)> done = {});
    void saveAs(std::function<void(bool ok)> done = {});
    void saveProject(const QString& path, std::function<void(bool ok)> done = {});
    bool isSaving() const { return m_pendingSaves > 0; }
    void exportMidi(const QString& path);
    // Whether exports carry the provenance of the takes in the song as text events
    // (project/TakeExport.h; File > Export with Take Provenance, off by default).
    void setExportProvenance(bool on) { m_exportProvenance = on; }
    bool exportProvenance() const { return m_exportProvenance; }
    void showExportDialog();
    // Where an export with `suffix` (".mid", ".wav") is proposed: next to the file shown (else
    // in the last folder used), named after it, never the file itself: a MIDI file's own name
    // gets " (export)", and so does a project's (its MIDI file may sit beside it). Nothing is
    // read from the disk.
    QString suggestedExportPath(const QString& suffix) const;
    // The file chooser the tests replace, else a save dialog (which confirms an overwrite).
    QString chooseSavePath(const QString& title, const QString& suggested,
                           const QString& filter) const;
    // "Torchestra projects (*.torchestra)", for file dialogs.
    static QString projectFilter();
    // File names taken as MIDI (by suffix: .mid .midi .rmi .kar .smf).
    static bool isMidiFileName(const QString& path);
    // Runs `proceed` now if nothing unsaved would be lost, else after the user's answer (and,
    // for Save, after the save succeeded); not at all on Cancel or a failed save, which run
    // `declined` (optional) instead.
    void whenChangesSettled(std::function<void()> proceed, std::function<void()> declined = {});
    // Takes a song recovered from a crashed session (with its parts): it replaces the current
    // one (superseding a load still running) and counts as modified until saved.
    void adoptRecovered(project::Project& project);

    QString currentPath() const { return m_currentPath; }
    QString projectPath() const { return m_projectPath; }
    bool hasDocument() const { return m_hasDocument; }
    bool isModified() const {
        return m_recoveredUnsaved || m_partsModified || !m_undoStack.isClean();
    }
    // The file's name, or "Untitled".
    QString documentName() const;
    QString windowTitle() const;
    // Counts changes to the song and the project's other parts: "has anything changed since".
    std::uint64_t editSerial() const { return m_editSerial; }
    // A copy of everything a save writes, for a worker (the GUI thread keeps editing).
    std::shared_ptr<project::Project> projectCopy() const;

    // The project's other parts. Setting them is not a change the user made; partEdited() is.
    QStringList trainingFiles() const { return m_trainingFiles; }
    void setTrainingFiles(const QStringList& files) { m_trainingFiles = files; }
    std::vector<int> trainingTracks() const { return m_trainingTracks; }
    void setTrainingTracks(const std::vector<int>& tracks) { m_trainingTracks = tracks; }
    QJsonObject trainingModel() const { return m_trainingModel; }
    void setTrainingModel(const QJsonObject& settings) { m_trainingModel = settings; }
    QJsonObject generationSettings() const { return m_generation; }
    void setGenerationSettings(const QJsonObject& settings) { m_generation = settings; }
    QString modelPath() const { return m_modelPath; }
    void setModelPath(const QString& path) { m_modelPath = path; }
    const std::vector<project::Take>& takes() const { return m_takes; }
    void setTakes(const std::vector<project::Take>& takes) { m_takes = takes; }
    // The user changed something the project keeps outside the song: modified until saved
    // (ignored while the parts are being shown: partsRestored(), loopRestored()).
    void partEdited();

    void setLoopSource(LoopSource source) { m_loopSource = std::move(source); }
    void setSavePrompt(SavePrompt prompt) { m_savePrompt = std::move(prompt); }
    void setFileChooser(FileChooser chooser) { m_fileChooser = std::move(chooser); }
    void setShowErrorDialogs(bool show) { m_showErrorDialogs = show; }
    bool showErrorDialogs() const { return m_showErrorDialogs; }

signals:
    void fileLoaded(const QString& path);
    void loadFailed(const QString& path, const QString& message);
    void saved(const QString& path);
    void saveFailed(const QString& path, const QString& message);
    void exported(const QString& path);
    void exportFailed(const QString& path, const QString& message);
    // A file was opened or saved (for the recent files).
    void fileUsed(const QString& path);
    void statusMessage(const QString& text);
    // The summary of the file shown (format, resolution, length).
    void songInfoChanged(const QString& text);
    void warningsChanged(const std::vector<std::string>& warnings);
    void titleChanged(const QString& title);
    // The undo stack changed (its labels, what can be undone).
    void undoStackChanged();
    // A new song is in place (loaded, new or recovered), with an empty undo history.
    void songReplaced();
    // Show the project's parts (the getters) and loop; what the views report back meanwhile
    // is not the user's change.
    void partsRestored();
    void loopRestored(const project::LoopRange& loop);
    // The recovery file no longer holds anything worth keeping (the song was saved or
    // replaced, or its changes discarded).
    void recoveryObsolete();

private:
    struct LoadOutcome;

    void startLoad(const QString& path);
    void finishLoad(const QString& path, std::uint64_t generation, LoadOutcome outcome);
    void applyLoad(const QString& path, LoadOutcome& outcome);
    void showLoaded(const LoadOutcome& outcome, qint64 ms);
    void failLoad(const QString& path, const QString& problem);
    void finishSave(const QString& path, const QString& error, std::uint64_t serial,
                    const std::function<void(bool ok)>& done);
    void showError(const QString& title, const QString& message, const QString& path,
                   const QString& objectName);
    SaveChoice askToSave();
    void replaceSong(model::Song song);
    void takeProjectParts(const project::Project& project);
    void clearProjectParts();
    void partsToPanels();
    void restoreLoop(const project::LoopRange& loop);
    void updateTitle();

    model::Song& m_song;
    model::UndoStack& m_undoStack;
    QWidget* m_window;
    QString m_currentPath;
    QString m_projectPath;
    bool m_hasDocument = false;
    bool m_recoveredUnsaved = false; // a recovered song counts as modified until saved
    bool m_partsModified = false;    // the panels' project settings changed since the last save
    bool m_applyingParts = false;    // the panels are being set from a project, not by the user
    QStringList m_trainingFiles;
    std::vector<int> m_trainingTracks;
    QJsonObject m_trainingModel;
    QJsonObject m_generation;
    QString m_modelPath;
    std::vector<project::Take> m_takes;
    std::uint64_t m_editSerial = 0;
    int m_pendingSaves = 0;
    std::uint64_t m_loadGeneration = 0;
    std::uint64_t m_pendingLoad = 0; // generation of the load running, 0 when idle
    bool m_showErrorDialogs = true;
    bool m_exportProvenance = false;
    SavePrompt m_savePrompt;
    FileChooser m_fileChooser;
    LoopSource m_loopSource;
};

} // namespace torchestra::ui
