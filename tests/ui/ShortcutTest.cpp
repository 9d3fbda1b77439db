// Keyboard shortcuts of the main window: no two actions may answer one key press (Qt then runs
// neither and logs "Ambiguous shortcut overload"), the zoom keys work as a user presses them,
// and Help > Keyboard Shortcuts lists every shortcut from the live actions.
#include "TestFiles.h"

#include "ui/pianoroll/PianoRollKeys.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/ShortcutsDialog.h"

#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QMap>
#include <QSettings>
#include <QShortcut>
#include <QTest>
#include <QTreeWidget>

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

// A key press as the keyboard makes it. On X11 (xkb) Qt offers a press of Ctrl+Shift+'=' to
// the shortcuts "Ctrl++", "Ctrl+Shift++" and "Ctrl+Shift+=" alike, so they are one press: a
// shifted symbol is written as its unshifted key plus Shift (a US layout's pairs, the layout
// the shortcuts are designed on).
QKeyCombination physical(QKeyCombination chord) {
    static const QMap<int, int> unshifted = {
        {'~', '`'}, {'!', '1'},  {'@', '2'}, {'#', '3'},  {'$', '4'}, {'%', '5'}, {'^', '6'},
        {'&', '7'}, {'*', '8'},  {'(', '9'}, {')', '0'},  {'_', '-'}, {'+', '='}, {'{', '['},
        {'}', ']'}, {'|', '\\'}, {':', ';'}, {'"', '\''}, {'<', ','}, {'>', '.'}, {'?', '/'}};
    const int key = chord.key();
    if (unshifted.contains(key))
        return QKeyCombination(chord.keyboardModifiers() | Qt::ShiftModifier,
                               Qt::Key(unshifted.value(key)));
    return chord;
}

QString physicalText(const QKeySequence& sequence) {
    QStringList chords;
    for (int i = 0; i < sequence.count(); ++i)
        chords << QKeySequence(physical(sequence[i])).toString(QKeySequence::PortableText);
    return chords.join(QStringLiteral(", "));
}

QString describe(const QObject* owner) {
    if (const auto* action = qobject_cast<const QAction*>(owner))
        return QStringLiteral("\"%1\" (%2)").arg(action->text(), action->objectName());
    return QStringLiteral("QShortcut %1").arg(owner->objectName());
}

// Every key press that more than one action or QShortcut under `root` answers, as
// "Ctrl+Shift+=: "Zoom In" (zoomIn), "Zoom In Vertically" (...)". Disabled actions count too:
// they are enabled at other times. A sequence that begins another counts as well (Qt waits for
// the longer one and the shorter never runs).
QStringList findClashes(const QObject* root) {
    QMap<QString, QList<const QObject*>> owners;
    auto add = [&](const QObject* owner, const QList<QKeySequence>& keys) {
        for (const QKeySequence& k : keys)
            if (!k.isEmpty() && !owners[physicalText(k)].contains(owner))
                owners[physicalText(k)] << owner;
    };
    for (const QAction* a : root->findChildren<QAction*>())
        add(a, a->shortcuts());
    for (const QShortcut* s : root->findChildren<QShortcut*>())
        add(s, s->keys());
    QStringList clashes;
    const QStringList keys = owners.keys();
    for (const QString& key : keys) {
        QList<const QObject*> all = owners.value(key);
        for (const QString& longer : keys)
            if (longer != key && longer.startsWith(key + QStringLiteral(", ")))
                all += owners.value(longer);
        if (all.size() < 2)
            continue;
        QStringList names;
        for (const QObject* o : all)
            names << describe(o);
        clashes << key + QStringLiteral(": ") + names.join(QStringLiteral(", "));
    }
    return clashes;
}

class ShortcutTest : public ::testing::Test {
protected:
    void SetUp() override {
        QSettings().clear();
        window = std::make_unique<MainWindow>();
        window->setShowErrorDialogs(false);
        window->resize(1200, 800);
        window->show();
        QApplication::setActiveWindow(window.get());
        ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
        window->newProject();
    }
    void TearDown() override {
        window.reset();
        QSettings().clear();
    }
    std::unique_ptr<MainWindow> window;
};

} // namespace

// The checker itself: the pair that broke zooming is one press, and a distinct pair is not.
TEST(ShortcutClashFinder, TakesCtrlPlusAndCtrlShiftEqualsForOnePress) {
    QWidget widget;
    auto* zoom = new QAction(QStringLiteral("Zoom In"), &widget);
    zoom->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Plus));
    auto* vertical = new QAction(QStringLiteral("Zoom In Vertically"), &widget);
    vertical->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Equal));
    const QStringList clashes = findClashes(&widget);
    ASSERT_EQ(clashes.size(), 1) << clashes.join(QLatin1Char('\n')).toStdString();
    EXPECT_TRUE(clashes.at(0).startsWith(QStringLiteral("Ctrl+Shift+=:")));

    vertical->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Equal));
    auto* prefix = new QShortcut(QKeySequence(QStringLiteral("Ctrl+K, Ctrl+S")), &widget);
    prefix->setObjectName(QStringLiteral("chord"));
    EXPECT_TRUE(findClashes(&widget).isEmpty());
    auto* shorter = new QAction(&widget);
    shorter->setShortcut(QKeySequence(QStringLiteral("Ctrl+K")));
    EXPECT_EQ(findClashes(&widget).size(), 1) << "a prefix of a longer sequence is ambiguous too";
}

TEST_F(ShortcutTest, NoTwoActionsInTheWindowShareAKeyPress) {
    int withKeys = 0;
    for (const QAction* a : window->findChildren<QAction*>())
        withKeys += a->shortcuts().isEmpty() ? 0 : 1;
    EXPECT_GT(withKeys, 30) << "the walk found the window's actions";
    const QStringList clashes = findClashes(window.get());
    EXPECT_TRUE(clashes.isEmpty()) << clashes.join(QLatin1Char('\n')).toStdString();
}

TEST_F(ShortcutTest, ZoomKeysWorkAsPressed) {
    PianoRollView* roll = window->pianoRoll();
    roll->setFocus();
    auto width = [&] { return roll->rollGeometry().pixelsPerTick(); };
    auto height = [&] { return roll->rollGeometry().keyHeight(); };
    double before = width();
    QTest::keyClick(roll, Qt::Key_Equal, Qt::ControlModifier); // Ctrl and the '=' key
    EXPECT_GT(width(), before * 1.1);
    before = width();
    QTest::keyClick(roll, Qt::Key_Plus, Qt::ControlModifier); // a keypad or layout '+'
    EXPECT_GT(width(), before * 1.1);
    before = width();
    QTest::keyClick(roll, Qt::Key_Minus, Qt::ControlModifier);
    EXPECT_LT(width(), before / 1.1);
    const double w = width();
    double h = height();
    QTest::keyClick(roll, Qt::Key_Equal, Qt::ControlModifier | Qt::AltModifier);
    EXPECT_GT(height(), h * 1.1);
    EXPECT_DOUBLE_EQ(width(), w) << "vertical zoom leaves the time axis alone";
    h = height();
    QTest::keyClick(roll, Qt::Key_Minus, Qt::ControlModifier | Qt::AltModifier);
    EXPECT_LT(height(), h / 1.1);
    // The menu says what the keys are.
    EXPECT_EQ(window->action(QStringLiteral("zoomIn"))->shortcuts(),
              (QList<QKeySequence>{QKeySequence(Qt::CTRL | Qt::Key_Equal),
                                   QKeySequence(Qt::CTRL | Qt::Key_Plus)}));
}

TEST_F(ShortcutTest, HelpListsEveryShortcutFromTheLiveActions) {
    QAction* help = window->action(QStringLiteral("keyboardShortcuts"));
    ASSERT_NE(help, nullptr);
    help->trigger();
    auto* dialog = window->findChild<ShortcutsDialog*>();
    ASSERT_NE(dialog, nullptr);
    ASSERT_TRUE(QTest::qWaitForWindowExposed(dialog));
    // Lines as "group | action | keys".
    auto lines = [](const ShortcutsDialog* d) {
        QStringList out;
        QTreeWidget* list = d->list();
        for (int g = 0; g < list->topLevelItemCount(); ++g) {
            const QTreeWidgetItem* group = list->topLevelItem(g);
            for (int i = 0; i < group->childCount(); ++i)
                if (!group->child(i)->isHidden())
                    out << group->text(0) + " | " + group->child(i)->text(0) + " | " +
                               group->child(i)->text(1);
        }
        return out;
    };
    const QStringList shown = lines(dialog);
    const QString zoomKeys =
        QKeySequence(Qt::CTRL | Qt::Key_Equal).toString(QKeySequence::NativeText) + " or " +
        QKeySequence(Qt::CTRL | Qt::Key_Plus).toString(QKeySequence::NativeText);
    EXPECT_TRUE(shown.contains("View | Zoom In | " + zoomKeys)) << shown.join('\n').toStdString();
    EXPECT_TRUE(shown.contains(
        "Edit | Undo | " + QKeySequence(Qt::CTRL | Qt::Key_Z).toString(QKeySequence::NativeText)))
        << "the Undo action's changing text is not what is listed";
    EXPECT_TRUE(shown.contains("Edit \u203a Transpose | Up a Semitone | Up"));
    EXPECT_TRUE(shown.contains("Transport | Play | Space")) << shown.join('\n').toStdString();
    // One heading per menu, whatever order its actions were added in.
    QStringList groups;
    for (int g = 0; g < dialog->list()->topLevelItemCount(); ++g)
        groups << dialog->list()->topLevelItem(g)->text(0);
    EXPECT_EQ(groups.count(QStringLiteral("Edit")), 1) << groups.join(", ").toStdString();
    EXPECT_TRUE(
        shown.contains("Edit | Preferences | " +
                       QKeySequence(Qt::CTRL | Qt::Key_Comma).toString(QKeySequence::NativeText)));
    // Every action with a shortcut is there, and every piano-roll key.
    int withKeys = 0;
    for (const QAction* a : window->findChildren<QAction*>())
        withKeys += a->shortcuts().isEmpty() ? 0 : 1;
    const int rollKeys = int(pianoRollKeyBindings().size() + pitchOutlookKeyBindings().size());
    EXPECT_EQ(shown.size(), withKeys + rollKeys);
    EXPECT_TRUE(shown.contains("Piano roll (while it has the focus) | Quantize the selection to "
                               "the grid | Q"));
    EXPECT_TRUE(shown.contains("Piano roll, probability overlay shown | Add the likeliest chord "
                               "at the overlay's cursor | Enter"));

    // The filter narrows the list.
    QTest::keyClicks(dialog->filterEdit(), QStringLiteral("zoom"));
    const QStringList filtered = lines(dialog);
    EXPECT_GE(filtered.size(), 5);
    EXPECT_LT(filtered.size(), shown.size());
    for (const QString& line : filtered)
        EXPECT_TRUE(line.contains(QStringLiteral("zoom"), Qt::CaseInsensitive))
            << line.toStdString();
    dialog->close();
    ASSERT_TRUE(QTest::qWaitFor([&] { return !window->findChild<ShortcutsDialog*>(); }));

    // An action added later is listed the next time: the list is read from the actions.
    auto* added = new QAction(QStringLiteral("&Brand New Thing..."), window.get());
    added->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_B));
    help->trigger();
    dialog = window->findChild<ShortcutsDialog*>();
    ASSERT_NE(dialog, nullptr);
    EXPECT_TRUE(lines(dialog).contains(
        "Window | Brand New Thing | " +
        QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_B).toString(QKeySequence::NativeText)));
    dialog->close();
}
