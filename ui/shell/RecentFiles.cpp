#include "ui/shell/RecentFiles.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace torchestra::ui {

namespace {
const char* const kRecentFilesKey = "recentFiles";
const char* const kLastDirectoryKey = "lastDirectory";
} // namespace

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), m_menu(menu) {
    rebuildMenu();
}

QStringList RecentFiles::files() const {
    return QSettings().value(kRecentFilesKey).toStringList();
}

QString RecentFiles::lastDirectory(const QString& fallback) {
    return QSettings().value(kLastDirectoryKey, fallback).toString();
}

void RecentFiles::add(const QString& path) {
    QSettings settings;
    QStringList files = settings.value(kRecentFilesKey).toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxFiles)
        files.removeLast();
    settings.setValue(kRecentFilesKey, files);
    settings.setValue(kLastDirectoryKey, QFileInfo(path).absolutePath());
    rebuildMenu();
}

void RecentFiles::rebuildMenu() {
    m_menu->clear();
    const QStringList files = this->files();
    for (int i = 0; i < files.size(); ++i) {
        const QString& path = files[i];
        // Mnemonics 1..9 then 0, as most applications number their recent files.
        const QString label =
            i < 10 ? QStringLiteral("&%1  %2").arg((i + 1) % 10).arg(QFileInfo(path).fileName())
                   : QFileInfo(path).fileName();
        QAction* action =
            m_menu->addAction(label, this, [this, path] { emit openRequested(path); });
        action->setData(path);
        action->setStatusTip(QDir::toNativeSeparators(path));
    }
    if (!files.isEmpty())
        m_menu->addSeparator();
    QAction* clear = m_menu->addAction(tr("&Clear Menu"), this, [this] {
        QSettings().remove(kRecentFilesKey);
        rebuildMenu();
    });
    clear->setEnabled(!files.isEmpty());
}

} // namespace torchestra::ui
