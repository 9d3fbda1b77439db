#include "ui/shell/ShortcutsDialog.h"

#include "ui/pianoroll/PianoRollKeys.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHash>
#include <QHeaderView>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QShortcut>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace torchestra::ui {

namespace {

// "&Open..." -> "Open": the list reads as plain names.
QString plainText(QString text) {
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
    if (text.endsWith(QStringLiteral("...")))
        text.chop(3);
    if (text.endsWith(QChar(0x2026)))
        text.chop(1);
    return text.trimmed();
}

QString keysText(const QList<QKeySequence>& keys) {
    QStringList parts;
    for (const QKeySequence& k : keys)
        parts << k.toString(QKeySequence::NativeText);
    // Not ", ": "Ctrl+=, Ctrl++" reads like one key chord after another.
    return parts.join(QObject::tr(" or "));
}

class Collector {
public:
    QList<ShortcutEntry> entries;

    void add(QAction* action, const QString& group) {
        if (!action || m_seen.contains(action))
            return;
        m_seen.insert(action);
        if (action->shortcuts().isEmpty())
            return;
        const QVariant label = action->property(kShortcutLabel);
        entries.append({group, plainText(label.isValid() ? label.toString() : action->text()),
                        keysText(action->shortcuts())});
    }
    // A menu's actions in order; a submenu's under "Menu › Submenu".
    void addMenu(QMenu* menu, const QString& group) {
        for (QAction* a : menu->actions()) {
            if (QMenu* sub = a->menu())
                addMenu(sub, group + QStringLiteral(" \u203a ") + plainText(sub->title()));
            else if (!a->isSeparator())
                add(a, group);
        }
    }

private:
    QSet<QAction*> m_seen;
};

} // namespace

QList<ShortcutEntry> collectShortcuts(const QWidget* window) {
    Collector c;
    if (const auto* main = qobject_cast<const QMainWindow*>(window)) {
        for (QAction* a : main->menuBar()->actions())
            if (QMenu* menu = a->menu())
                c.addMenu(menu, plainText(menu->title()));
    }
    for (QToolBar* bar : window->findChildren<QToolBar*>()) {
        const QString title =
            bar->windowTitle().isEmpty() ? QObject::tr("Tool bar") : plainText(bar->windowTitle());
        for (QAction* a : bar->actions())
            c.add(a, title);
    }
    // Actions that live in no menu or tool bar (added to a widget only) still take keys.
    for (QAction* a : window->findChildren<QAction*>())
        c.add(a, QObject::tr("Window"));
    for (QShortcut* s : window->findChildren<QShortcut*>()) {
        if (!s->keys().isEmpty())
            c.entries.append(
                {QObject::tr("Window"),
                 plainText(s->whatsThis().isEmpty() ? s->objectName() : s->whatsThis()),
                 keysText(s->keys())});
    }
    const QString roll = QObject::tr("Piano roll (while it has the focus)");
    for (const PianoRollKeyBinding& b : pianoRollKeyBindings())
        c.entries.append({roll, b.description, b.keyText});
    const QString overlay = QObject::tr("Piano roll, probability overlay shown");
    for (const PianoRollKeyBinding& b : pitchOutlookKeyBindings())
        c.entries.append({overlay, b.description, b.keyText});
    return c.entries;
}

ShortcutsDialog::ShortcutsDialog(const QList<ShortcutEntry>& entries, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    auto* layout = new QVBoxLayout(this);
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("shortcutFilter"));
    m_filter->setPlaceholderText(tr("Filter by name or key"));
    m_filter->setClearButtonEnabled(true);
    layout->addWidget(m_filter);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("shortcutList"));
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({tr("Action"), tr("Keys")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    // One heading per menu, even when its entries come in two runs (Edit > Preferences is
    // added after the Transpose submenu).
    QHash<QString, QTreeWidgetItem*> groups;
    for (const ShortcutEntry& e : entries) {
        QTreeWidgetItem*& group = groups[e.group];
        if (!group) {
            group = new QTreeWidgetItem(m_list, {e.group});
            QFont bold = group->font(0);
            bold.setBold(true);
            group->setFont(0, bold);
            group->setFirstColumnSpanned(true);
            group->setFlags(Qt::ItemIsEnabled);
        }
        new QTreeWidgetItem(group, {e.action, e.keys});
    }
    m_list->expandAll();
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(false);
    layout->addWidget(m_list, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_filter, &QLineEdit::textChanged, this, &ShortcutsDialog::applyFilter);
    resize(560, 640);
}

void ShortcutsDialog::applyFilter(const QString& text) {
    for (int g = 0; g < m_list->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = m_list->topLevelItem(g);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem* item = group->child(i);
            const bool match = text.isEmpty() ||
                               item->text(0).contains(text, Qt::CaseInsensitive) ||
                               item->text(1).contains(text, Qt::CaseInsensitive);
            item->setHidden(!match);
            shown += match ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
}

} // namespace torchestra::ui
