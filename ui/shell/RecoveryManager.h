#pragma once

#include "project/ProjectFile.h"

#include <QDateTime>
#include <QFuture>
#include <QObject>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

class QLockFile;
class QTimer;
class QWidget;

namespace torchestra::ui {

class DocumentController;

// Autosave and crash recovery for one window's document. While there are unsaved changes a
// recovery file (in recoveryDirectory()) is written on a worker every few seconds; a lock file
// marks it as a live session's, so another instance leaves it alone. It goes away when the
// changes are saved, replaced or discarded, and when the window closes normally; what is left
// behind is a crashed session's, which checkForRecovery() offers to restore. GUI thread only.
class RecoveryManager : public QObject {
    Q_OBJECT
public:
    // Asked for each recovery file found at start: restore it (true) or discard it (false).
    using RecoveryPrompt = std::function<bool(const QString& documentName, const QDateTime& when)>;

    // `document` outlives this object; `window` parents the question boxes.
    RecoveryManager(DocumentController& document, QWidget* window);
    // Waits for an autosave still being written, then removes the recovery file: a window
    // that goes away normally leaves nothing to recover.
    ~RecoveryManager() override;

    // Every `ms` milliseconds while there are unsaved changes (0 turns it off).
    void setAutosaveInterval(int ms);
    int autosaveInterval() const;
    // Sets the interval from the setting "autosaveSeconds" (60 when unset).
    void applyAutosaveSetting();
    QString recoveryFilePath() const { return m_recoveryPath; }
    static QString recoveryDirectory();
    static void setRecoveryDirectory(const QString& path);
    // See MainWindow::checkForRecovery().
    void checkForRecovery();
    bool isCheckingRecovery() const { return m_checkingRecovery; }
    void setRecoveryPrompt(RecoveryPrompt prompt) { m_recoveryPrompt = std::move(prompt); }
    // Removes the recovery file: what it holds is saved, replaced or discarded.
    void removeRecoveryFile();

signals:
    void autosaved(const QString& recoveryPath);
    void recoveryChecked(bool restored);
    void statusMessage(const QString& text);

private:
    struct Candidate;

    void autosave();
    // The worker's part of checkForRecovery(): every file a crashed session left (not
    // `ownPath`), newest first, read and locked. Touches the disk only; any thread.
    static std::vector<Candidate> findRecoveryFiles(const QString& directory,
                                                    const QString& ownPath);
    void finishRecoveryCheck(std::vector<Candidate> candidates);
    // The first candidate the user takes, or -1.
    int askWhichToRestore(const std::vector<Candidate>& candidates);
    // Deletes the files (and releases their locks) on a worker, then emits recoveryChecked().
    void dropRecoveryFiles(std::vector<Candidate> files, bool restored);

    DocumentController& m_document;
    QWidget* m_window;
    RecoveryPrompt m_recoveryPrompt;
    QTimer* m_autosaveTimer = nullptr;
    QFuture<QString> m_autosaveFuture; // the autosave being written, if any
    QString m_recoveryPath;
    std::unique_ptr<QLockFile> m_recoveryLock; // marks m_recoveryPath as a live session's
    std::uint64_t m_autosavedSerial = 0;       // the document's edit serial autosaved last
    bool m_checkingRecovery = false;
};

} // namespace torchestra::ui
