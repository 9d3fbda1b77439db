#pragma once

#include "Theme.h"

#include "model/Song.h"

#include <QMainWindow>
#include <QStringList>

#include <cstdint>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QListWidget;
class QMenu;
class QMimeData;
class QTreeView;

namespace torchestra::ui {

class PianoRollView;
class TrackListModel;

// The workstation window: a piano roll in the centre, the track list docked on the left and the
// file's warnings docked at the bottom. Owns the song (the GUI thread owns it; see the house
// style) and swaps in each file it loads in the background.
//
// This first version opens files (menu, recent files, command line, drag and drop) and shows
// them read-only; transport, editing and the Train/Generate panels will dock around the same
// centre later. GUI thread only.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kMaxRecentFiles = 10;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Starts loading a MIDI file on a worker thread and returns at once; the UI never waits for
    // the disk. On success the song is replaced and fileLoaded() is emitted; on failure the
    // current song stays, loadFailed() is emitted and (unless disabled) a warning box names the
    // file and the problem. A newer openFile() supersedes a load still running.
    void openFile(const QString& path);
    bool isLoading() const { return m_pendingLoad != 0; }

    // The path of the file shown, "" before the first successful load.
    QString currentPath() const { return m_currentPath; }
    const model::Song& song() const { return m_song; }
    // Mutable access for tools and tests that drive edits; views follow through SongListener.
    model::Song& song() { return m_song; }

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
    QListWidget* warningsList() const { return m_warningsList; }
    QMenu* recentMenu() const { return m_recentMenu; }
    QString statusText() const;

    // File names the window accepts from a drop (by suffix: .mid .midi .rmi .kar .smf).
    static bool isMidiFileName(const QString& path);

signals:
    void fileLoaded(const QString& path);
    void loadFailed(const QString& path, const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    struct LoadOutcome;

    void createActions();
    void createDocks();
    void finishLoad(const QString& path, std::uint64_t generation, LoadOutcome outcome);
    void failLoad(const QString& path, const QString& problem);
    void showWarnings(const std::vector<std::string>& warnings);
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void updateTitle();
    void showOpenDialog();
    void showAbout();
    void trackSelectionChanged();
    static QString firstMidiFile(const QMimeData* mime);

    model::Song m_song;  // declared first: every view below listens to it
    QString m_currentPath;
    std::uint64_t m_loadGeneration = 0;
    std::uint64_t m_pendingLoad = 0;  // generation of the load running, 0 when idle
    bool m_showErrorDialogs = true;

    PianoRollView* m_pianoRoll = nullptr;
    TrackListModel* m_trackModel = nullptr;
    QTreeView* m_trackView = nullptr;
    QDockWidget* m_trackDock = nullptr;
    QDockWidget* m_warningsDock = nullptr;
    QListWidget* m_warningsList = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_songInfoLabel = nullptr;
    QMenu* m_recentMenu = nullptr;
    QActionGroup* m_themeGroup = nullptr;
};

}  // namespace torchestra::ui
