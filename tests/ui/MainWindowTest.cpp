#include "DemoSong.h"
#include "TestFiles.h"

#include "ui/common/Theme.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/shell/MainWindow.h"
#include "ui/tracks/TrackListModel.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <QUrl>

#include <gtest/gtest.h>

#include <random>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

class MainWindowTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir.isValid());
        QSettings().clear();
        window = std::make_unique<MainWindow>();
        window->setShowErrorDialogs(false);
        window->resize(1200, 800);
        window->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
        smallPath = writeSong(dir, QStringLiteral("small.mid"), makeSmallSong());
    }
    void TearDown() override {
        window.reset();
        QSettings().clear();
    }

    // Opens a file and waits for the outcome; true when it loaded.
    bool open(const QString& path) {
        QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
        QSignalSpy failed(window.get(), &MainWindow::loadFailed);
        window->openFile(path);
        EXPECT_TRUE(window->isLoading());
        const bool done = waitUntil([&] { return loaded.count() + failed.count() > 0; });
        EXPECT_TRUE(done) << "no fileLoaded or loadFailed for " << path.toStdString();
        return loaded.count() == 1 && loaded.at(0).at(0).toString() == path;
    }
    int pianoRollPixelsOf(std::uint32_t colour) {
        const QImage image = window->pianoRoll()->viewport()->grab().toImage();
        int n = 0;
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                n += (image.pixel(x, y) & 0xFFFFFF) == colour;
        return n;
    }

    QTemporaryDir dir;
    QString smallPath;
    std::unique_ptr<MainWindow> window;
};

} // namespace

TEST_F(MainWindowTest, OpensAFileAndShowsItsTracksAndNotes) {
    EXPECT_EQ(window->windowTitle(), "Torchestra");
    ASSERT_TRUE(open(smallPath));

    EXPECT_EQ(window->currentPath(), smallPath);
    EXPECT_EQ(window->windowTitle(), QString::fromUtf8("small.mid \u2014 Torchestra"));
    ASSERT_EQ(window->song().trackCount(), 2u);
    EXPECT_EQ(window->song().noteCount(), 9u);

    TrackListModel* model = window->trackModel();
    ASSERT_EQ(model->rowCount(), 2);
    EXPECT_EQ(model->index(0, TrackListModel::NameColumn).data().toString(), "Lead");
    EXPECT_EQ(model->index(0, TrackListModel::InstrumentColumn).data().toString(), "Violin");
    EXPECT_EQ(model->index(1, TrackListModel::InstrumentColumn).data().toString(), "Standard Kit");
    EXPECT_EQ(model->index(1, TrackListModel::NotesColumn).data().toString(), "6");
    EXPECT_EQ(window->trackView()->model(), model);

    EXPECT_TRUE(window->statusText().startsWith("Loaded 2 tracks, 9 notes in "))
        << window->statusText().toStdString();
    EXPECT_TRUE(window->statusText().endsWith(" ms"));

    // Tracks get distinct palette colours, and the piano roll paints notes in them.
    const std::uint32_t lead = window->song().trackAt(0).properties.colour;
    const std::uint32_t drums = window->song().trackAt(1).properties.colour;
    EXPECT_EQ(lead, theme::trackColour(0));
    EXPECT_EQ(drums, theme::trackColour(1));
    EXPECT_GT(pianoRollPixelsOf(lead), 100);
    // Drum hits (velocity 110) are shaded: look for their shade.
    const model::Track& drumTrack = window->song().trackAt(1);
    const QColor hit = window->pianoRoll()->noteFillColour(drumTrack, drumTrack.notes().at(0));
    EXPECT_NE(hit.rgb() & 0xFFFFFF, drums);
    EXPECT_GT(pianoRollPixelsOf(hit.rgb() & 0xFFFFFF), 50);

    // A clean file: the warnings dock stays hidden and says so.
    EXPECT_TRUE(window->warningsDock()->isHidden());
    ASSERT_EQ(window->warningsList()->count(), 1);
    EXPECT_EQ(window->warningsList()->item(0)->text(), "No warnings");
}

TEST_F(MainWindowTest, SelectingATrackHighlightsItInThePianoRoll) {
    ASSERT_TRUE(open(smallPath));
    const std::uint32_t lead = window->song().trackAt(0).properties.colour;
    const int before = pianoRollPixelsOf(lead);
    QTreeView* view = window->trackView();
    view->selectionModel()->select(view->model()->index(1, 0),
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    EXPECT_EQ(window->pianoRoll()->activeTrack(), window->song().trackIdAt(1));
    // The lead notes are dimmed now: their full colour is gone from the picture.
    EXPECT_GT(before, 100);
    EXPECT_EQ(pianoRollPixelsOf(lead), 0);
}

TEST_F(MainWindowTest, ShowsTheFilesWarnings) {
    const QString path = writeBytes(dir, QStringLiteral("open-note.mid"), unterminatedNoteFile());
    ASSERT_TRUE(open(path));
    EXPECT_EQ(window->song().noteCount(), 1u);
    EXPECT_FALSE(window->warningsDock()->isHidden());
    ASSERT_GE(window->warningsList()->count(), 1);
    EXPECT_NE(window->warningsList()->item(0)->text(), "No warnings");
    EXPECT_FALSE(window->warningsList()->item(0)->text().isEmpty());
    EXPECT_TRUE(window->warningsDock()->windowTitle().startsWith("Warnings ("));

    // The next, clean file clears them.
    ASSERT_TRUE(open(smallPath));
    EXPECT_TRUE(window->warningsDock()->isHidden());
    EXPECT_EQ(window->warningsList()->count(), 1);
}

TEST_F(MainWindowTest, BadFileFailsAndKeepsTheOpenSong) {
    ASSERT_TRUE(open(smallPath));
    const model::Song before = window->song();

    std::mt19937 rng(1234);
    std::string junk(512, '\0');
    for (char& c : junk)
        c = char(rng() & 0xFF);
    const QString bad = writeBytes(dir, QStringLiteral("broken.mid"), junk);

    QSignalSpy failed(window.get(), &MainWindow::loadFailed);
    EXPECT_FALSE(open(bad));
    ASSERT_EQ(failed.count(), 1);
    EXPECT_EQ(failed.at(0).at(0).toString(), bad);
    const QString message = failed.at(0).at(1).toString();
    EXPECT_TRUE(message.startsWith("Could not open broken.mid: byte ")) << message.toStdString();

    // Nothing changed.
    EXPECT_TRUE(window->song().sameContent(before));
    EXPECT_EQ(window->currentPath(), smallPath);
    EXPECT_EQ(window->windowTitle(), QString::fromUtf8("small.mid \u2014 Torchestra"));
    EXPECT_EQ(window->trackModel()->rowCount(), 2);
    EXPECT_FALSE(window->recentFiles().contains(bad));
}

TEST_F(MainWindowTest, TruncatedFileNamesTheMissingChunk) {
    // A header promising a track, and no track chunk after it.
    const QString path =
        writeBytes(dir, QStringLiteral("truncated.mid"),
                   bytes({'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 1, 0x01, 0xE0}));
    QSignalSpy failed(window.get(), &MainWindow::loadFailed);
    EXPECT_FALSE(open(path));
    ASSERT_EQ(failed.count(), 1);
    const QString message = failed.at(0).at(1).toString();
    EXPECT_TRUE(message.startsWith("Could not open truncated.mid: byte 14"))
        << message.toStdString();
    EXPECT_TRUE(message.contains("MTrk")) << message.toStdString();
}

TEST_F(MainWindowTest, MissingFileFails) {
    QSignalSpy failed(window.get(), &MainWindow::loadFailed);
    EXPECT_FALSE(open(dir.filePath(QStringLiteral("nowhere.mid"))));
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.at(0).at(1).toString().startsWith("Could not open nowhere.mid: "));
    EXPECT_EQ(window->song().trackCount(), 0u);
}

TEST_F(MainWindowTest, ErrorDialogNamesTheFileAndProblem) {
    window->setShowErrorDialogs(true);
    const QString bad = writeBytes(dir, QStringLiteral("broken.mid"), std::string("not midi"));

    // Find the box from a timer, as a user would see it, and close it.
    QString boxText;
    QTimer poll;
    poll.setInterval(10);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            auto* box = qobject_cast<QMessageBox*>(w);
            if (box && box->isVisible()) {
                boxText = box->text();
                box->close();
            }
        }
    });
    poll.start();
    EXPECT_FALSE(open(bad));
    ASSERT_TRUE(waitUntil([&] { return !boxText.isEmpty(); }));
    poll.stop();
    EXPECT_TRUE(boxText.startsWith("Could not open broken.mid: byte 0")) << boxText.toStdString();
    // Closed, and the window still works.
    EXPECT_TRUE(waitUntil([&] {
        for (QWidget* w : QApplication::topLevelWidgets())
            if (qobject_cast<QMessageBox*>(w) && w->isVisible())
                return false;
        return true;
    }));
    EXPECT_TRUE(open(smallPath));
}

TEST_F(MainWindowTest, AcceptsDroppedMidiFilesOnly) {
    QMimeData text;
    text.setUrls({QUrl::fromLocalFile(dir.filePath(QStringLiteral("notes.txt")))});
    QDragEnterEvent rejectEnter(QPoint(300, 300), Qt::CopyAction, &text, Qt::LeftButton,
                                Qt::NoModifier);
    QApplication::sendEvent(window.get(), &rejectEnter);
    EXPECT_FALSE(rejectEnter.isAccepted());

    QMimeData midi;
    midi.setUrls({QUrl::fromLocalFile(smallPath)});
    QDragEnterEvent enter(QPoint(300, 300), Qt::CopyAction, &midi, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window.get(), &enter);
    EXPECT_TRUE(enter.isAccepted());

    QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
    QDropEvent drop(QPointF(300, 300), Qt::CopyAction, &midi, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window.get(), &drop);
    EXPECT_TRUE(drop.isAccepted());
    ASSERT_TRUE(loaded.wait(5000));
    EXPECT_EQ(loaded.at(0).at(0).toString(), smallPath);
    EXPECT_EQ(window->song().trackCount(), 2u);

    EXPECT_TRUE(MainWindow::isMidiFileName("a/b/Song.MID"));
    EXPECT_TRUE(MainWindow::isMidiFileName("x.kar"));
    EXPECT_TRUE(MainWindow::isMidiFileName("x.rmi"));
    EXPECT_FALSE(MainWindow::isMidiFileName("x.wav"));
}

TEST_F(MainWindowTest, RemembersRecentFiles) {
    const QString second = writeSong(dir, QStringLiteral("second.mid"), makeSmallSong());
    ASSERT_TRUE(open(smallPath));
    ASSERT_TRUE(open(second));
    EXPECT_EQ(window->recentFiles(), QStringList({second, smallPath}));
    // Reopening moves a file to the top instead of duplicating it.
    ASSERT_TRUE(open(smallPath));
    EXPECT_EQ(window->recentFiles(), QStringList({smallPath, second}));

    // The menu lists them; choosing one opens it.
    QAction* secondAction = nullptr;
    for (QAction* a : window->recentMenu()->actions())
        if (a->data().toString() == second)
            secondAction = a;
    ASSERT_NE(secondAction, nullptr);
    QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
    secondAction->trigger();
    ASSERT_TRUE(loaded.wait(5000));
    EXPECT_EQ(window->currentPath(), second);

    // A new window (a new session) sees the same list.
    MainWindow other;
    EXPECT_EQ(other.recentFiles(), QStringList({second, smallPath}));
    int listed = 0;
    for (QAction* a : other.recentMenu()->actions())
        listed += !a->data().toString().isEmpty();
    EXPECT_EQ(listed, 2);
}

TEST_F(MainWindowTest, NewerOpenSupersedesARunningLoad) {
    const QString second = writeSong(dir, QStringLiteral("second.mid"), makeSmallSong());
    QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
    window->openFile(smallPath);
    window->openFile(second);
    ASSERT_TRUE(waitUntil([&] { return loaded.count() > 0; }));
    QTest::qWait(200); // the first load's completion, if it were to leak through
    ASSERT_EQ(loaded.count(), 1);
    EXPECT_EQ(loaded.at(0).at(0).toString(), second);
    EXPECT_EQ(window->currentPath(), second);
    EXPECT_FALSE(window->isLoading());
}

TEST_F(MainWindowTest, LoadsTheDemoArrangement) {
    const QString path = writeSong(dir, QStringLiteral("demo.mid"), makeDemoSong());
    ASSERT_TRUE(open(path));
    EXPECT_EQ(window->trackModel()->rowCount(), 5);
    EXPECT_EQ(window->trackModel()->index(0, TrackListModel::InstrumentColumn).data().toString(),
              "Flute");
    EXPECT_EQ(window->trackModel()->index(4, TrackListModel::InstrumentColumn).data().toString(),
              "Standard Kit");
    // The 3/4 bars came through the file: bar 13 starts 12 bars of 4/4 in.
    EXPECT_EQ(window->song().tempoMap().timeSignatureAt(12 * 1920).numerator, 3);
    EXPECT_TRUE(window->warningsDock()->isHidden());
}

TEST_F(MainWindowTest, MenusOfferOpenRecentQuitAndAbout) {
    QStringList texts;
    for (QAction* top : window->menuBar()->actions()) {
        texts << top->text();
        if (top->menu())
            for (QAction* a : top->menu()->actions())
                texts << a->text();
    }
    for (const char* expected : {"&File", "&Open...", "Open &Recent", "&Quit", "&View", "Zoom &In",
                                 "Zoom to &Fit", "&Help", "&About Torchestra"})
        EXPECT_TRUE(texts.contains(QString::fromUtf8(expected))) << expected;

    QAction* open = nullptr;
    for (QAction* a : window->menuBar()->actions().first()->menu()->actions())
        if (a->text() == "&Open...")
            open = a;
    ASSERT_NE(open, nullptr);
    EXPECT_EQ(open->shortcut(), QKeySequence(QKeySequence::Open));
    // The dock toggles are there, so a closed dock can come back.
    EXPECT_TRUE(texts.contains(window->trackDock()->toggleViewAction()->text()));
    EXPECT_TRUE(texts.contains(window->warningsDock()->toggleViewAction()->text()));
}

TEST_F(MainWindowTest, ThemeSwitchRecoloursThePianoRollAndIsRemembered) {
    const PianoRollColours light = theme::pianoRollColours(ThemeKind::Light);
    const PianoRollColours dark = theme::pianoRollColours(ThemeKind::Dark);
    ASSERT_NE(light.background, dark.background);
    window->setTheme(ThemeKind::Light);
    EXPECT_EQ(window->pianoRoll()->colours().background, light.background);
    EXPECT_EQ(theme::current(), ThemeKind::Light);
    EXPECT_EQ(QSettings().value("theme").toString(), "light");
    EXPECT_GT(QApplication::palette().color(QPalette::Window).lightness(), 128);
    window->setTheme(ThemeKind::Dark);
    EXPECT_EQ(window->pianoRoll()->colours().background, dark.background);
    EXPECT_LT(QApplication::palette().color(QPalette::Window).lightness(), 128);
}
