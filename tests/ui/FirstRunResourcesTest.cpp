// What a new user meets before any music (issue 12, items 3-5): the application icon and the
// tool-bar icons compiled in from resources/, drawn in the theme's colours; the licence in
// Help > About; and, on a machine without a SoundFont, one notice that offers to choose one.
#include "TestFiles.h"

#include "playback/SoundFontLocator.h"
#include "ui/common/Icons.h"
#include "ui/common/Theme.h"
#include "ui/playback/TransportBar.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/SoundFontNotice.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QWidgetAction>

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

// How many pixels of `icon` at 24 px are (nearly) `colour`, and how many are drawn at all.
std::pair<int, int> pixelsOf(const QIcon& icon, const QColor& colour) {
    const QImage image = icon.pixmap(24, 24).toImage().convertToFormat(QImage::Format_ARGB32);
    int matching = 0, drawn = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.alpha() < 200)
                continue; // edges are blended
            ++drawn;
            if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
                    std::abs(c.blue() - colour.blue()) <
                12)
                ++matching;
        }
    return {matching, drawn};
}

QColor buttonText() {
    return QGuiApplication::palette().color(QPalette::Active, QPalette::ButtonText);
}

} // namespace

TEST(FirstRun, TheApplicationIconComesFromResourcesAtEveryDesktopSize) {
    const QIcon icon = icons::application();
    ASSERT_FALSE(icon.isNull());
    const QList<QSize> sizes = icon.availableSizes();
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        EXPECT_TRUE(sizes.contains(QSize(size, size))) << size;
    // The drawing, not an empty frame: the blue note of the first track colour is in it.
    const QImage big = icon.pixmap(256, 256).toImage();
    ASSERT_EQ(big.size(), QSize(256, 256));
    EXPECT_EQ(big.pixelColor(110, 180).rgb(), QColor(0x4f, 0x9c, 0xf0).rgb());
    EXPECT_EQ(big.pixelColor(0, 0).alpha(), 0); // rounded corner

    MainWindow window;
    EXPECT_EQ(window.windowIcon().availableSizes(), sizes);
}

TEST(FirstRun, ToolBarButtonsAreIconsInTheThemesColours) {
    MainWindow window;
    window.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
    int buttons = 0;
    for (QToolBar* bar : {static_cast<QToolBar*>(window.transportBar()), window.editToolBar()}) {
        ASSERT_NE(bar, nullptr);
        EXPECT_EQ(bar->toolButtonStyle(), Qt::ToolButtonIconOnly);
        for (QAction* a : bar->actions()) {
            // The buttons of actions; not the boxes, labels and other widgets a bar holds.
            if (a->isSeparator() || qobject_cast<QWidgetAction*>(a) ||
                !qobject_cast<QToolButton*>(bar->widgetForAction(a)))
                continue;
            SCOPED_TRACE(a->objectName().toStdString());
            ++buttons;
            ASSERT_FALSE(a->icon().isNull());
            EXPECT_FALSE(a->toolTip().isEmpty()); // the name, now that no text shows
            const auto [matching, drawn] = pixelsOf(a->icon(), buttonText());
            EXPECT_GT(drawn, 20);
            if (a->objectName() != QLatin1String("record")) {
                EXPECT_EQ(matching, drawn);
            }
        }
    }
    EXPECT_EQ(buttons, 7 + 4 + 3); // transport, tools, view toggles

    // The light theme's text colour, without rebuilding anything; record stays red.
    QAction* draw = window.action(QStringLiteral("toolDraw"));
    QAction* record = window.action(QStringLiteral("record"));
    ASSERT_TRUE(draw && record);
    const QColor dark = buttonText();
    theme::apply(*qApp, ThemeKind::Light);
    ASSERT_NE(buttonText(), dark);
    const auto [lightMatching, lightDrawn] = pixelsOf(draw->icon(), buttonText());
    EXPECT_EQ(lightMatching, lightDrawn);
    EXPECT_GT(pixelsOf(record->icon(), QColor(0xe0, 0x45, 0x45)).first, 20);
    theme::apply(*qApp, ThemeKind::Dark);
}

TEST(FirstRun, AboutShowsTheLicenceWithItsFullText) {
    MainWindow window;
    QAction* about = nullptr;
    for (QAction* menu : window.menuBar()->actions())
        if (menu->menu())
            for (QAction* a : menu->menu()->actions())
                if (a->menuRole() == QAction::AboutRole)
                    about = a;
    ASSERT_NE(about, nullptr);
    about->trigger();
    auto* box = window.findChild<QMessageBox*>(QStringLiteral("aboutBox"));
    ASSERT_NE(box, nullptr);
    EXPECT_TRUE(box->text().contains(QStringLiteral("GNU General Public License, version 3")))
        << box->text().toStdString();
    EXPECT_TRUE(box->text().contains(QStringLiteral(TORCHESTRA_VERSION)));
    QFile licence(QStringLiteral(TORCHESTRA_SOURCE_DIR "/LICENSE"));
    ASSERT_TRUE(licence.open(QIODevice::ReadOnly));
    EXPECT_EQ(box->detailedText(), QString::fromUtf8(licence.readAll()));
    EXPECT_FALSE(box->iconPixmap().isNull());
    // Asked again while open: the same box, raised.
    about->trigger();
    EXPECT_EQ(window.findChildren<QMessageBox*>(QStringLiteral("aboutBox")).size(), 1);
    box->close();
}

TEST(FirstRun, WithoutAnySoundFontTheWindowSaysSoOnceAndOffersToChoose) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    // Stands for a machine with no SoundFont at all: only an empty project folder is searched,
    // and no choice is remembered (an earlier test in this process may have made one).
    const QByteArray configDir = qgetenv("TORCHESTRA_CONFIG_DIR");
    qputenv("TORCHESTRA_CONFIG_DIR", dir.filePath(QStringLiteral("config")).toUtf8());
    const auto restore = qScopeGuard([&configDir] { qputenv("TORCHESTRA_CONFIG_DIR", configDir); });
    playback::SoundFontLocator nowhere = playback::SoundFontLocator::withoutDefaults();
    nowhere.addProjectDir(dir.path().toStdString());
    QWidget parent;
    int chosen = 0;
    QPointer<QMessageBox> box =
        showSoundFontNoticeIfMissing(&parent, nowhere, [&chosen] { ++chosen; });
    ASSERT_FALSE(box.isNull());
    EXPECT_TRUE(box->isVisible());
    EXPECT_TRUE(box->text().contains(QStringLiteral("No General MIDI SoundFont")));
    EXPECT_TRUE(box->informativeText().contains(dir.filePath(QStringLiteral("soundfonts/"))))
        << box->informativeText().toStdString();
    EXPECT_TRUE(box->detailedText().contains(QStringLiteral("timgm6mb-soundfont")));
    auto* choose = box->findChild<QPushButton*>(QStringLiteral("chooseSoundFont"));
    ASSERT_NE(choose, nullptr);
    choose->click();
    EXPECT_TRUE(waitUntil([&] { return chosen == 1 && box.isNull(); }));
    EXPECT_EQ(chosen, 1);

    // With a SoundFont there is nothing to say.
    QDir().mkpath(dir.filePath(QStringLiteral("soundfonts")));
    QFile font(dir.filePath(QStringLiteral("soundfonts/GM.sf2")));
    ASSERT_TRUE(font.open(QIODevice::WriteOnly));
    font.write(QByteArray("RIFF\4\0\0\0sfbk", 12));
    font.close();
    EXPECT_EQ(showSoundFontNoticeIfMissing(&parent, nowhere, [&chosen] { ++chosen; }), nullptr);
    EXPECT_EQ(chosen, 1);
}
