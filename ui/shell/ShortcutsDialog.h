#pragma once

#include <QDialog>
#include <QList>
#include <QString>

class QLineEdit;
class QTreeWidget;

namespace torchestra::ui {

// One line of Help > Keyboard Shortcuts.
struct ShortcutEntry {
    QString group;  // the menu or tool bar it lives in, or "Piano roll"
    QString action; // what it does, as its menu says it
    QString keys;   // its key sequences, as this platform writes them ("Ctrl+= or Ctrl++")
};

// Every shortcut `window` offers, read from the live objects: the actions of its menus (in menu
// order), of its tool bars and any other action or QShortcut among its children, then the piano
// roll's own keys (pianoRollKeyBindings()). Generated each time, so the list cannot go stale. An
// action can name itself for the list with the property kShortcutLabel (the Undo action's text
// changes with what it undoes). GUI thread only.
inline constexpr const char* kShortcutLabel = "shortcutLabel";
QList<ShortcutEntry> collectShortcuts(const QWidget* window);

// Help > Keyboard Shortcuts: the entries grouped under their menus, with a filter field.
class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QList<ShortcutEntry>& entries, QWidget* parent = nullptr);

    QTreeWidget* list() const { return m_list; }
    QLineEdit* filterEdit() const { return m_filter; }

private:
    void applyFilter(const QString& text);

    QLineEdit* m_filter = nullptr;
    QTreeWidget* m_list = nullptr;
};

} // namespace torchestra::ui
