#include "ui/shell/DocumentController.h"

#include "project/TakeExport.h"

#include "ui/common/FileFilters.h"
#include "ui/common/Theme.h"
#include "ui/shell/RecentFiles.h"

#include "midi/MidiFile.h"
#include "midi/MidiFileTypes.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QMessageBox>
#include <QThread>
#include <QWidget>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <utility>

namespace torchestra::ui {

namespace {

QString formatDuration(double seconds) {
    const int total = int(std::lround(seconds));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

// What the worker hands back: the read result (a value, so nothing is shared with the GUI
// thread) and how long the read took.
struct DocumentController::LoadOutcome {
    bool isProject = false;
    midi::ReadResult result;  // a MIDI import; for a project: ok, error and the song
    project::Project project; // a project, without its song (that is in result.song)
    qint64 readMs = 0;
};

DocumentController::DocumentController(model::Song& song, model::UndoStack& undoStack,
                                       QWidget* window)
    : m_song(song), m_undoStack(undoStack), m_window(window) {
    m_undoStack.onChanged = [this] {
        ++m_editSerial;
        emit undoStackChanged();
        updateTitle();
    };
    m_undoStack.onCleanChanged = [this](bool) { updateTitle(); };
}

DocumentController::~DocumentController() {
    m_undoStack.onChanged = nullptr;
    m_undoStack.onCleanChanged = nullptr;
}

// --- The project's parts -----------------------------------------------------------------------

void DocumentController::partsToPanels() {
    m_applyingParts = true;
    emit partsRestored();
    m_applyingParts = false;
}

void DocumentController::takeProjectParts(const project::Project& project) {
    m_trainingFiles = project.trainingFiles;
    m_trainingTracks = project.trainingTracks;
    m_trainingModel = project.trainingModel;
    m_generation = project.generation;
    m_modelPath = project.modelPath;
    m_takes = project.takes;
}

void DocumentController::clearProjectParts() {
    m_trainingFiles.clear();
    m_trainingTracks.clear();
    m_trainingModel = {};
    m_generation = {};
    m_modelPath.clear();
    m_takes.clear();
}

std::shared_ptr<project::Project> DocumentController::projectCopy() const {
    // A copy of the song for the worker: the GUI thread keeps editing the live one.
    auto project = std::make_shared<project::Project>();
    project->song = m_song;
    project->trainingFiles = m_trainingFiles;
    project->trainingTracks = m_trainingTracks;
    project->trainingModel = m_trainingModel;
    project->generation = m_generation;
    project->modelPath = m_modelPath;
    project->takes = m_takes;
    project->loop = m_loopSource ? m_loopSource() : project::LoopRange{};
    return project;
}

void DocumentController::restoreLoop(const project::LoopRange& loop) {
    const bool wasApplying = std::exchange(m_applyingParts, true); // not the user's change
    emit loopRestored(loop);
    m_applyingParts = wasApplying;
}

void DocumentController::partEdited() {
    // Without a document the parts are dropped by the next New or Open anyway.
    if (m_applyingParts || !m_hasDocument)
        return;
    m_partsModified = true;
    ++m_editSerial; // the autosave and a save in flight see it as a change
    updateTitle();
}

// --- Loading -------------------------------------------------------------------------------

void DocumentController::openFile(const QString& path) {
    startLoad(path); // unsaved changes are asked about once the file has been read
}

void DocumentController::showOpenDialog() {
    const QString dir = RecentFiles::lastDirectory();
    const QString path = QFileDialog::getOpenFileName(
        m_window, tr("Open"), dir,
        projectOrMidiFileFilter() + QStringLiteral(";;") + projectFilter() + QStringLiteral(";;") +
            midiFileFilter() + QStringLiteral(";;") + tr("All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void DocumentController::startLoad(const QString& path) {
    Q_ASSERT(QThread::currentThread() == thread()); // reads the song the GUI thread owns
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::uint64_t generation = ++m_loadGeneration;
    m_pendingLoad = generation;
    emit statusMessage(tr("Loading %1...").arg(QFileInfo(absolute).fileName()));

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
                properties.colour = track.noteCount() > 0 ? theme::trackColour(colourIndex++)
                                                          : theme::emptyTrackColour();
                song.setTrackProperties(track.id(), properties);
            }
        }
        outcome.readMs = timer.elapsed();
        return outcome;
    }));
}

void DocumentController::finishLoad(const QString& path, std::uint64_t generation,
                                    LoadOutcome outcome) {
    if (generation != m_pendingLoad)
        return; // superseded by a newer openFile()
    m_pendingLoad = 0;

    if (!outcome.result.ok) {
        failLoad(path, QString::fromStdString(outcome.result.error));
        return;
    }
    if (!isModified()) {
        applyLoad(path, outcome);
        return;
    }
    // Read and sound: now the user's unsaved work is asked about. The song waits meanwhile
    // (held here; a Save runs first on its worker), and a newer open, New or a recovery
    // supersedes it as it would a running load.
    auto held = std::make_shared<LoadOutcome>(std::move(outcome));
    const QString name = QFileInfo(path).fileName();
    whenChangesSettled(
        [this, path, generation, held] {
            if (generation == m_loadGeneration)
                applyLoad(path, *held);
        },
        [this, name, generation] {
            if (generation == m_loadGeneration)
                emit statusMessage(tr("%1 was not opened; your changes are kept").arg(name));
        });
}

void DocumentController::applyLoad(const QString& path, LoadOutcome& outcome) {
    midi::ReadResult& result = outcome.result;
    QElapsedTimer swapTimer;
    swapTimer.start();
    emit recoveryObsolete(); // it belonged to the song being replaced
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
    partsToPanels();
    emit warningsChanged(result.warnings);
    emit fileUsed(path);
    updateTitle();
    showLoaded(outcome, outcome.readMs + swapTimer.elapsed());
    emit fileLoaded(path);
}

void DocumentController::showLoaded(const LoadOutcome& outcome, qint64 ms) {
    const midi::ReadResult& result = outcome.result;
    const QLocale locale;
    const std::size_t tracks = m_song.trackCount();
    const std::size_t notes = m_song.noteCount();
    emit statusMessage(
        tr("Loaded %1 %2, %3 %4 in %5 ms")
            .arg(locale.toString(qulonglong(tracks)), tracks == 1 ? tr("track") : tr("tracks"),
                 locale.toString(qulonglong(notes)), notes == 1 ? tr("note") : tr("notes"))
            .arg(ms));
    const model::TempoMap& map = m_song.tempoMap();
    if (outcome.isProject)
        emit songInfoChanged(tr("Project  \u00b7  %1 PPQ  \u00b7  %2")
                                 .arg(m_song.ppq())
                                 .arg(formatDuration(map.tickToSeconds(m_song.endTick()))));
    else
        emit songInfoChanged(tr("Format %1  \u00b7  %2 PPQ%3  \u00b7  %4")
                                 .arg(result.format)
                                 .arg(result.ppq)
                                 .arg(result.smpte ? tr(" (from SMPTE)") : QString())
                                 .arg(formatDuration(map.tickToSeconds(m_song.endTick()))));
}

void DocumentController::replaceSong(model::Song song) {
    m_song.reset(std::move(song));
    m_undoStack.clear();
    m_recoveredUnsaved = false;
    m_partsModified = false;
    m_hasDocument = true;
    restoreLoop({}); // the controller keeps a range even while not looping
    emit songReplaced();
    updateTitle();
}

void DocumentController::failLoad(const QString& path, const QString& problem) {
    const QString name = QFileInfo(path).fileName();
    const QString message = tr("Could not open %1: %2").arg(name, problem);
    emit statusMessage(message);
    emit loadFailed(path, message);
    showError(tr("Could not open file"), message, path, QStringLiteral("loadErrorBox"));
}

void DocumentController::showError(const QString& title, const QString& message,
                                   const QString& path, const QString& objectName) {
    if (!m_showErrorDialogs)
        return;
    // Window-modal and non-blocking: no nested event loop inside a worker's completion.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, m_window);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(objectName);
    box->setInformativeText(QDir::toNativeSeparators(path));
    box->open();
}

// --- New, save, export -------------------------------------------------------------------------

QString DocumentController::documentName() const {
    if (!m_currentPath.isEmpty())
        return QFileInfo(m_currentPath).fileName();
    return tr("Untitled");
}

DocumentController::SaveChoice DocumentController::askToSave() {
    if (m_savePrompt)
        return m_savePrompt(documentName());
    QMessageBox box(QMessageBox::Warning, tr("Unsaved changes"),
                    tr("Do you want to save the changes to %1?").arg(documentName()),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, m_window);
    box.setObjectName(QStringLiteral("savePromptBox"));
    box.setInformativeText(tr("Your changes will be lost if you don't save them."));
    box.setDefaultButton(QMessageBox::Save);
    const int answer = box.exec();
    return answer == QMessageBox::Save      ? SaveChoice::Save
           : answer == QMessageBox::Discard ? SaveChoice::Discard
                                            : SaveChoice::Cancel;
}

void DocumentController::whenChangesSettled(std::function<void()> proceed,
                                            std::function<void()> declined) {
    if (!isModified()) {
        proceed();
        return;
    }
    switch (askToSave()) {
    case SaveChoice::Cancel:
        if (declined)
            declined();
        return;
    case SaveChoice::Discard:
        emit recoveryObsolete();
        proceed();
        return;
    case SaveChoice::Save:
        save([proceed, declined](bool ok) {
            if (ok)
                proceed();
            else if (declined)
                declined();
        });
        return;
    }
}

void DocumentController::newProject() {
    whenChangesSettled([this] {
        ++m_loadGeneration; // a load still running must not replace the new song
        m_pendingLoad = 0;
        emit recoveryObsolete();
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
        partsToPanels();
        emit warningsChanged({});
        emit statusMessage(tr("New song"));
        emit songInfoChanged(tr("%1 PPQ").arg(m_song.ppq()));
        updateTitle();
    });
}

void DocumentController::save(std::function<void(bool ok)> done) {
    if (m_projectPath.isEmpty())
        saveAs(std::move(done));
    else
        saveProject(m_projectPath, std::move(done));
}

void DocumentController::saveAs(std::function<void(bool ok)> done) {
    const QString dir = RecentFiles::lastDirectory(QDir::homePath());
    const QString base =
        m_currentPath.isEmpty() ? tr("Untitled") : QFileInfo(m_currentPath).completeBaseName();
    const QString suggested =
        QDir(m_projectPath.isEmpty() ? dir : QFileInfo(m_projectPath).absolutePath())
            .filePath(base + QStringLiteral(".torchestra"));
    QString path = m_fileChooser ? m_fileChooser(tr("Save Project"), suggested, projectFilter())
                                 : QFileDialog::getSaveFileName(m_window, tr("Save Project"),
                                                                suggested, projectFilter());
    if (path.isEmpty()) {
        if (done)
            done(false);
        return;
    }
    if (!project::ProjectFile::isProjectFileName(path))
        path += QStringLiteral(".torchestra");
    saveProject(path, std::move(done));
}

void DocumentController::saveProject(const QString& path, std::function<void(bool ok)> done) {
    Q_ASSERT(QThread::currentThread() == thread()); // reads the song the GUI thread owns
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const std::shared_ptr<project::Project> project = projectCopy();
    const std::uint64_t serial = m_editSerial;
    ++m_pendingSaves;
    emit statusMessage(tr("Saving %1...").arg(QFileInfo(absolute).fileName()));

    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this,
            [this, watcher, absolute, serial, done] {
                watcher->deleteLater();
                --m_pendingSaves;
                finishSave(absolute, watcher->result(), serial, done);
            });
    watcher->setFuture(QtConcurrent::run(
        [absolute, project] { return project::ProjectFile::write(absolute, *project); }));
}

void DocumentController::finishSave(const QString& absolute, const QString& error,
                                    std::uint64_t serial,
                                    const std::function<void(bool ok)>& done) {
    if (!error.isEmpty()) {
        const QString message =
            tr("Could not save %1: %2").arg(QFileInfo(absolute).fileName(), error);
        emit statusMessage(message);
        emit saveFailed(absolute, message);
        showError(tr("Could not save"), message, absolute, QStringLiteral("saveErrorBox"));
        if (done)
            done(false);
        return;
    }
    m_projectPath = absolute;
    m_currentPath = absolute;
    // Clean only if nothing changed while the worker wrote: the file holds the song as it was
    // when the save began.
    if (serial == m_editSerial) {
        m_recoveredUnsaved = false;
        m_partsModified = false;
        m_undoStack.setClean();
        emit recoveryObsolete();
    }
    emit fileUsed(absolute);
    updateTitle();
    emit statusMessage(tr("Saved %1").arg(QFileInfo(absolute).fileName()));
    emit saved(absolute);
    if (done)
        done(true);
}

QString DocumentController::suggestedExportPath(const QString& suffix) const {
    if (m_currentPath.isEmpty())
        return QDir(RecentFiles::lastDirectory(QDir::homePath())).filePath(tr("Untitled") + suffix);
    const QFileInfo current(m_currentPath);
    QString base = current.completeBaseName();
    // A MIDI export of a MIDI file (or of a project, whose MIDI file may sit beside it) must not
    // be one Enter away from replacing the original.
    if (isMidiFileName(QStringLiteral("x") + suffix))
        base += tr(" (export)");
    return current.absoluteDir().filePath(base + suffix);
}

QString DocumentController::chooseSavePath(const QString& title, const QString& suggested,
                                           const QString& filter) const {
    return m_fileChooser ? m_fileChooser(title, suggested, filter)
                         : QFileDialog::getSaveFileName(m_window, title, suggested, filter);
}

void DocumentController::showExportDialog() {
    QString path = chooseSavePath(tr("Export as MIDI File"),
                                  suggestedExportPath(QStringLiteral(".mid")), midiFileFilter());
    if (path.isEmpty())
        return;
    if (!isMidiFileName(path))
        path += QStringLiteral(".mid");
    exportMidi(path);
}

void DocumentController::exportMidi(const QString& path) {
    Q_ASSERT(QThread::currentThread() == thread()); // reads the song the GUI thread owns
    const QString absolute = QFileInfo(path).absoluteFilePath();
    auto song = std::make_shared<model::Song>(
        m_exportProvenance ? project::withTakeProvenance(m_song, m_takes) : m_song);
    emit statusMessage(tr("Exporting %1...").arg(QFileInfo(absolute).fileName()));
    auto* watcher = new QFutureWatcher<std::string>(this);
    connect(watcher, &QFutureWatcher<std::string>::finished, this, [this, watcher, absolute] {
        watcher->deleteLater();
        const QString error = QString::fromStdString(watcher->result());
        if (!error.isEmpty()) {
            const QString message =
                tr("Could not export %1: %2").arg(QFileInfo(absolute).fileName(), error);
            emit statusMessage(message);
            emit exportFailed(absolute, message);
            showError(tr("Could not export"), message, absolute, QStringLiteral("exportErrorBox"));
            return;
        }
        emit statusMessage(tr("Exported %1").arg(QFileInfo(absolute).fileName()));
        emit exported(absolute);
    });
    watcher->setFuture(QtConcurrent::run([absolute, song] {
        midi::WriteOptions options;
        options.format = 1;
        return midi::writeMidiFile(QFile::encodeName(absolute).toStdString(), *song, options);
    }));
}

QString DocumentController::projectFilter() {
    return QCoreApplication::translate("MainWindow", "Torchestra projects (*.torchestra)");
}

bool DocumentController::isMidiFileName(const QString& path) {
    return midi::hasMidiFileSuffix(QFileInfo(path).fileName().toStdString());
}

// --- Recovery and the title --------------------------------------------------------------------

void DocumentController::adoptRecovered(project::Project& project) {
    ++m_loadGeneration; // a load still running must not replace the recovered song
    m_pendingLoad = 0;
    emit recoveryObsolete(); // it belonged to the song being replaced
    replaceSong(std::move(project.song));
    m_projectPath = project.recoveryFor;
    m_currentPath = project.recoveryFor;
    takeProjectParts(project);
    restoreLoop(project.loop);
    partsToPanels();
    // Restored changes are unsaved changes: modified until saved (or discarded).
    m_recoveredUnsaved = true;
    emit statusMessage(tr("Recovered unsaved changes"));
    updateTitle();
}

QString DocumentController::windowTitle() const {
    if (!m_hasDocument)
        return QStringLiteral("Torchestra");
    // A literal '*' (not Qt's [*] placeholder) so every platform shows it the same way.
    return tr("%1%2 \u2014 Torchestra")
        .arg(documentName(), isModified() ? QStringLiteral("*") : QString());
}

void DocumentController::updateTitle() {
    emit titleChanged(windowTitle());
}

} // namespace torchestra::ui
