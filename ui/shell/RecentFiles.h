#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

class QMenu;

namespace torchestra::ui {

// The files last opened or saved, newest first (kept in QSettings, so every window and the
// next session share them), shown in an "Open Recent" menu, and the folder the file dialogs
// start in. GUI thread only.
class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxFiles = 10;

    // Fills `menu` (which stays the caller's) now and after every change.
    RecentFiles(QMenu* menu, QObject* parent = nullptr);

    QStringList files() const;
    QMenu* menu() const { return m_menu; }
    // Puts `path` first (once), drops the oldest beyond kMaxFiles and remembers its folder
    // as lastDirectory().
    void add(const QString& path);
    // The folder of the file last opened or saved; `fallback` before there is one.
    static QString lastDirectory(const QString& fallback = {});

signals:
    // The user picked a file in the menu.
    void openRequested(const QString& path);

private:
    void rebuildMenu();

    QMenu* m_menu;
};

} // namespace torchestra::ui
