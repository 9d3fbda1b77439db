#include "ui/shell/RecoveryManager.h"

#include "ui/shell/DocumentController.h"
#include "ui/shell/SettingsDialog.h"

#include <QAbstractButton>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QLockFile>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace torchestra::ui {

namespace {

constexpr int kDefaultAutosaveSeconds = 60;

QString& recoveryDirectoryOverride() {
    static QString path;
    return path;
}

} // namespace

// A recovery file as the worker found it: read, judged, and locked until the user has answered
// (so another instance starting meanwhile leaves it alone).
struct RecoveryManager::Candidate {
    QString path;
    QDateTime when;
    project::Project project;
    bool offer = false; // readable and newer than its project
    std::shared_ptr<QLockFile> lock;
};

RecoveryManager::RecoveryManager(DocumentController& document, QWidget* window)
    : m_document(document), m_window(window) {
    // This window's autosave file, marked as a live session's by a lock file so another
    // instance's checkForRecovery() leaves it alone.
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QDir().mkpath(recoveryDirectory());
    m_recoveryPath = QDir(recoveryDirectory()).filePath(id + QStringLiteral(".torchestra"));
    m_recoveryLock = std::make_unique<QLockFile>(m_recoveryPath + QStringLiteral(".lock"));
    m_recoveryLock->setStaleLockTime(0);
    m_recoveryLock->tryLock(0);
    m_autosaveTimer = new QTimer(this);
    connect(m_autosaveTimer, &QTimer::timeout, this, &RecoveryManager::autosave);
    applyAutosaveSetting();

    connect(&m_document, &DocumentController::recoveryObsolete, this,
            &RecoveryManager::removeRecoveryFile);
    // A new song starts with nothing to autosave (its empty undo history counted as a change).
    connect(&m_document, &DocumentController::songReplaced, this,
            [this] { m_autosavedSerial = m_document.editSerial(); });
}

RecoveryManager::~RecoveryManager() {
    // Once an autosave still being written has landed, or it would reappear.
    m_autosaveFuture.waitForFinished();
    if (!m_recoveryPath.isEmpty())
        QFile::remove(m_recoveryPath);
}

QString RecoveryManager::recoveryDirectory() {
    if (!recoveryDirectoryOverride().isEmpty())
        return recoveryDirectoryOverride();
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("recovery"));
}

void RecoveryManager::setRecoveryDirectory(const QString& path) {
    recoveryDirectoryOverride() = path;
}

void RecoveryManager::setAutosaveInterval(int ms) {
    if (ms <= 0) {
        m_autosaveTimer->stop();
        return;
    }
    m_autosaveTimer->start(ms);
}

int RecoveryManager::autosaveInterval() const {
    return m_autosaveTimer->isActive() ? m_autosaveTimer->interval() : 0;
}

void RecoveryManager::applyAutosaveSetting() {
    setAutosaveInterval(
        std::max(0,
                 QSettings().value(SettingsDialog::kAutosaveKey, kDefaultAutosaveSeconds).toInt()) *
        1000);
}

void RecoveryManager::autosave() {
    if (!m_document.hasDocument() || m_autosavedSerial == m_document.editSerial())
        return;
    if (!m_document.isModified()) {
        removeRecoveryFile();
        return;
    }
    const std::shared_ptr<project::Project> project = m_document.projectCopy();
    const QString projectPath = m_document.projectPath();
    project->recoveryFor = projectPath.isEmpty() ? QStringLiteral("") : projectPath;
    m_autosavedSerial = m_document.editSerial();
    const QString path = m_recoveryPath;
    auto* watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        if (watcher->result().isEmpty())
            emit autosaved(path);
        else
            emit statusMessage(tr("Autosave failed: %1").arg(watcher->result()));
    });
    m_autosaveFuture =
        QtConcurrent::run([path, project] { return project::ProjectFile::write(path, *project); });
    watcher->setFuture(m_autosaveFuture);
}

void RecoveryManager::removeRecoveryFile() {
    if (!m_recoveryPath.isEmpty())
        QFile::remove(m_recoveryPath);
    m_autosavedSerial = m_document.editSerial();
}

std::vector<RecoveryManager::Candidate> RecoveryManager::findRecoveryFiles(const QString& directory,
                                                                           const QString& ownPath) {
    std::vector<Candidate> found;
    const QFileInfoList files =
        QDir(directory).entryInfoList({QStringLiteral("*.torchestra")}, QDir::Files, QDir::Time);
    for (const QFileInfo& file : files) {
        Candidate candidate;
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

void RecoveryManager::checkForRecovery() {
    if (m_checkingRecovery)
        return;
    m_checkingRecovery = true;
    using Found = std::vector<Candidate>;
    auto* watcher = new QFutureWatcher<Found>(this);
    connect(watcher, &QFutureWatcher<Found>::finished, this, [this, watcher] {
        watcher->deleteLater();
        finishRecoveryCheck(watcher->future().takeResult());
    });
    watcher->setFuture(QtConcurrent::run(&RecoveryManager::findRecoveryFiles, recoveryDirectory(),
                                         m_recoveryPath));
}

int RecoveryManager::askWhichToRestore(const std::vector<Candidate>& candidates) {
    // Ask about each (newest first) until one is taken; the others are dropped.
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const Candidate& c = candidates[i];
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
                            QMessageBox::Yes | QMessageBox::No, m_window);
            box.setObjectName(QStringLiteral("recoveryBox"));
            box.button(QMessageBox::Yes)->setText(tr("Restore"));
            box.button(QMessageBox::No)->setText(tr("Discard"));
            restore = box.exec() == QMessageBox::Yes;
        }
        if (restore)
            return int(i);
    }
    return -1;
}

void RecoveryManager::finishRecoveryCheck(std::vector<Candidate> candidates) {
    Q_ASSERT(QThread::currentThread() == thread()); // asks the user, replaces the song
    m_checkingRecovery = false;
    const int chosen = askWhichToRestore(candidates);
    if (chosen < 0) {
        dropRecoveryFiles(std::move(candidates), false);
        return;
    }
    auto shared = std::make_shared<std::vector<Candidate>>(std::move(candidates));
    auto restored = std::make_shared<bool>(false);
    // Unsaved changes made while the worker read (the window is usable meanwhile) come first.
    m_document.whenChangesSettled([this, shared, chosen, restored] {
        m_document.adoptRecovered((*shared)[std::size_t(chosen)].project);
        *restored = true;
        dropRecoveryFiles(std::move(*shared), true);
    });
    if (*restored || m_document.isSaving())
        return; // restored, or will be once the save asked for first has succeeded
    // Cancelled: the chosen file stays for the next start; the others go.
    shared->erase(shared->begin() + chosen);
    dropRecoveryFiles(std::move(*shared), false);
}

void RecoveryManager::dropRecoveryFiles(std::vector<Candidate> files, bool restored) {
    // On a worker too (the disk again); the check is over once they are gone.
    auto* watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher, restored] {
        watcher->deleteLater();
        emit recoveryChecked(restored);
    });
    watcher->setFuture(QtConcurrent::run([files = std::move(files)] {
        for (const Candidate& c : files) {
            QFile::remove(c.path);
            c.lock->unlock();
        }
    }));
}

} // namespace torchestra::ui
