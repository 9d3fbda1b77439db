// A new user's first ten minutes in the window (issue 12, item 8), each driven through the real
// widgets: the empty window says how to start and a file dropped on it opens; without audio a
// badge by the transport says so and opens Preferences; File offers one Open and says what it
// takes; Export proposes a new name; File > Render to WAV renders off the GUI thread with
// progress and Cancel; loaded tracks get colours told apart at a glance; with no model trained
// yet, the Generate panel offers the built-in models and writes from a selection (item 2).
#include "TestFiles.h"

#include "ui/common/Theme.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/panels/TrainPanel.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"
#include "ui/playback/TransportBar.h"
#include "ui/playback/WavRenderJob.h"
#include "ui/shell/MainWindow.h"
#include "ui/tracks/TrackListModel.h"

#include "playback/SoundFontLocator.h"
#include "playback/WavWriter.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>

#include <gtest/gtest.h>

#include <cmath>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

// The widget a drop at `pos` (window coordinates) reaches: the widget under it, or the first
// of its parents that accepts drops, as Qt's own drag handling (QWidgetWindow) picks it.
QWidget* dropTarget(QWidget* window, const QPoint& pos) {
    QWidget* w = window->childAt(pos);
    if (!w)
        w = window;
    while (w && !w->isWindow() && !w->acceptDrops())
        w = w->parentWidget();
    return w && w->acceptDrops() ? w : nullptr;
}

class FirstRunTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir.isValid());
        QSettings().clear();
        // A driver that cannot open: the window meets "no audio" as on a machine without a device.
        QSettings().setValue(QStringLiteral("playback/audioDriver"),
                             QStringLiteral("torchestra-test-no-such-driver"));
        window = std::make_unique<MainWindow>();
        window->setShowErrorDialogs(false);
        window->setSavePrompt([](const QString&) { return MainWindow::SaveChoice::Discard; });
        window->setFileChooser([this](const QString&, const QString& suggested, const QString&) {
            suggestions << suggested;
            return chosenPath.isNull() ? suggested : chosenPath;
        });
        window->resize(1200, 800);
        window->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(window.get()));
        window->newProject(); // as the program starts without a file
        smallPath = writeSong(dir, QStringLiteral("small.mid"), makeSmallSong());
    }
    void TearDown() override {
        window.reset();
        QSettings().clear();
    }
    bool open(const QString& path) {
        QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
        QSignalSpy failed(window.get(), &MainWindow::loadFailed);
        window->openFile(path);
        EXPECT_TRUE(waitUntil([&] { return loaded.count() + failed.count() > 0; }));
        return loaded.count() == 1;
    }

    QTemporaryDir dir;
    QString smallPath;
    std::unique_ptr<MainWindow> window;
    QStringList suggestions;
    QString chosenPath; // null: take the suggestion
};

} // namespace

TEST_F(FirstRunTest, EmptyWindowSaysHowToStartAndADropOnTheRollOpensTheFile) {
    PianoRollView* roll = window->pianoRoll();
    EXPECT_TRUE(roll->emptyHint().startsWith(QStringLiteral("Open or drop a MIDI file")))
        << roll->emptyHint().toStdString();
    // It is painted: the middle of the empty roll differs from the same roll with a note (far to
    // the right, out of view, so only the hint tells the two apart).
    const QRect middle = roll->viewport()->rect().adjusted(100, 150, -100, -150);
    const QImage withHint = roll->viewport()->grab(middle).toImage();
    window->song().addNotes(window->song().trackIdAt(0), {makeNote(480 * 400, 480, 60, 100)});
    EXPECT_EQ(roll->emptyHint(), QString());
    const QImage withoutHint = roll->viewport()->grab(middle).toImage();
    EXPECT_NE(withHint, withoutHint) << "the hint was not painted";
    window->newProject();
    EXPECT_FALSE(roll->emptyHint().isEmpty());

    // A file dropped where the hint is opens: the roll passes the drop to the window.
    const QPoint at = roll->viewport()->mapTo(window.get(), roll->viewport()->rect().center());
    QWidget* target = dropTarget(window.get(), at);
    ASSERT_EQ(target, window.get()) << "a widget over the roll swallows drops";
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(smallPath)});
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    ASSERT_TRUE(enter.isAccepted());
    QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
    QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &drop);
    ASSERT_TRUE(loaded.wait(5000));
    EXPECT_EQ(window->song().noteCount(), 9u);
    EXPECT_EQ(roll->emptyHint(), QString()) << "the hint goes once there are notes";
}

TEST_F(FirstRunTest, WithoutAudioABadgeByTheTransportOpensPreferences) {
    PlaybackController* playback = window->playback();
    ASSERT_TRUE(waitUntil([&] { return !playback->isStarting() && playback->isSilent(); }, 15000))
        << playback->outputDescription().toStdString();
    QToolButton* badge = window->transportBar()->audioBadge();
    ASSERT_NE(badge, nullptr);
    EXPECT_TRUE(badge->isVisibleTo(window.get()));
    EXPECT_EQ(badge->text(), QString::fromUtf8("\u26a0 No audio output"));
    // The reason is in its tooltip; the status line holds a short sentence that fits.
    EXPECT_TRUE(badge->toolTip().contains(QStringLiteral("torchestra-test-no-such-driver")))
        << badge->toolTip().toStdString();
    EXPECT_EQ(window->statusText(), QStringLiteral("No audio output: playback is silent"));
    auto* status = window->statusBar()->findChildren<QLabel*>().value(0);
    ASSERT_NE(status, nullptr);
    EXPECT_LT(status->fontMetrics().horizontalAdvance(window->statusText()), status->width());

    // A click opens Preferences (modal: closed from inside its own event loop).
    QString opened;
    QTimer::singleShot(0, [&] {
        QTimer* poll = new QTimer;
        QObject::connect(poll, &QTimer::timeout, [&opened, poll] {
            if (QWidget* modal = QApplication::activeModalWidget()) {
                opened = modal->objectName();
                modal->close();
                poll->deleteLater();
            }
        });
        poll->start(20);
    });
    QTest::mouseClick(badge, Qt::LeftButton);
    EXPECT_EQ(opened, QStringLiteral("settingsDialog"));
}

TEST_F(FirstRunTest, FileMenuHasOneOpenThatSaysWhatItTakes) {
    QMenu* file = window->menuBar()->actions().value(0)->menu();
    ASSERT_NE(file, nullptr);
    QStringList texts;
    for (const QAction* a : file->actions())
        if (!a->isSeparator())
            texts << a->text();
    EXPECT_FALSE(texts.contains(QStringLiteral("&Import MIDI..."))) << "Open does the same";
    EXPECT_EQ(window->action(QStringLiteral("importMidi")), nullptr);
    QAction* open = window->action(QStringLiteral("open"));
    ASSERT_NE(open, nullptr);
    EXPECT_TRUE(open->statusTip().contains(QStringLiteral("project")));
    EXPECT_TRUE(open->statusTip().contains(QStringLiteral("MIDI file")));
    EXPECT_TRUE(texts.contains(QStringLiteral("&Export as MIDI File...")));
    EXPECT_TRUE(texts.contains(QStringLiteral("&Render to WAV...")));
    EXPECT_FALSE(window->action(QStringLiteral("exportMidi"))->statusTip().isEmpty());
}

TEST_F(FirstRunTest, ExportProposesANewNameBesideTheSource) {
    ASSERT_TRUE(open(smallPath));
    QFile source(smallPath);
    ASSERT_TRUE(source.open(QIODevice::ReadOnly));
    const QByteArray original = source.readAll();
    source.close();

    QSignalSpy exported(window.get(), &MainWindow::exported);
    window->action(QStringLiteral("exportMidi"))->trigger();
    ASSERT_EQ(suggestions.size(), 1);
    EXPECT_EQ(suggestions.at(0), dir.filePath(QStringLiteral("small (export).mid")));
    ASSERT_TRUE(exported.wait(5000)); // the chooser took the suggestion: one Enter
    EXPECT_TRUE(QFileInfo::exists(dir.filePath(QStringLiteral("small (export).mid"))));
    ASSERT_TRUE(source.open(QIODevice::ReadOnly));
    EXPECT_EQ(source.readAll(), original) << "the source file was not touched";

    // A project's export is named after it, and not after a MIDI file that may sit beside it.
    const QString project = dir.filePath(QStringLiteral("song.torchestra"));
    QSignalSpy saved(window.get(), &MainWindow::saved);
    window->saveProject(project);
    ASSERT_TRUE(saved.wait(5000));
    window->action(QStringLiteral("exportMidi"))->trigger();
    ASSERT_EQ(suggestions.size(), 2);
    EXPECT_EQ(suggestions.at(1), dir.filePath(QStringLiteral("song (export).mid")));
    ASSERT_TRUE(exported.wait(5000));
    // Audio has a suffix of its own: the plain name.
    chosenPath = QStringLiteral(""); // cancel the render
    window->action(QStringLiteral("renderWav"))->trigger();
    ASSERT_EQ(suggestions.size(), 3);
    EXPECT_EQ(suggestions.at(2), dir.filePath(QStringLiteral("song.wav")));
    EXPECT_FALSE(window->renderJob()->isRunning());
}

TEST_F(FirstRunTest, RenderToWavRunsOffTheGuiThreadWithProgressAndCancel) {
    std::string why;
    if (playback::SoundFontLocator().locate(why).empty())
        GTEST_SKIP() << "no GM SoundFont: " << why;
    ASSERT_TRUE(open(smallPath));
    const QString wav = dir.filePath(QStringLiteral("small.wav"));
    chosenPath = QStringLiteral("%1/small").arg(dir.path()); // the suffix is added
    QSignalSpy rendered(window.get(), &MainWindow::rendered);
    window->action(QStringLiteral("renderWav"))->trigger();
    EXPECT_TRUE(window->renderJob()->isRunning()); // returned at once; the worker renders
    auto* dialog = window->findChild<QProgressDialog*>(QStringLiteral("renderProgress"));
    ASSERT_NE(dialog, nullptr);
    EXPECT_TRUE(dialog->isVisible());
    ASSERT_TRUE(rendered.wait(30000));
    EXPECT_EQ(rendered.at(0).at(0).toString(), wav);
    EXPECT_TRUE(window->statusText().startsWith(QStringLiteral("Rendered small.wav")));
    const playback::WavData data = playback::readWavFile(QFile::encodeName(wav).toStdString());
    ASSERT_TRUE(data.ok) << data.error;
    // The small song lasts six beats at 120 BPM (its last note ends at tick 2880: 3 s), plus
    // the renderer's 2 s tail for release and reverb.
    EXPECT_NEAR(double(data.frames()) / data.sampleRate, 5.0, 0.05);
    float peak = 0;
    for (float v : data.interleaved)
        peak = std::max(peak, std::fabs(v));
    EXPECT_GT(peak, 0.01f) << "the notes sound";
    // Written atomically: nothing but the WAV (and the sources) in the folder.
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files).size(), 2) << "a temporary file was left";
    ASSERT_TRUE(waitUntil([&] { return !window->findChild<QProgressDialog*>(); }));

    // A long song (ten minutes), cancelled from the dialog once it has begun: nothing written,
    // and the window ran its event loop all along.
    window->song().addNotes(window->song().trackIdAt(0), {makeNote(480 * 1200, 480, 72, 100)});
    const QString longWav = dir.filePath(QStringLiteral("long.wav"));
    chosenPath = longWav;
    int ticks = 0;
    QTimer probe;
    QObject::connect(&probe, &QTimer::timeout, [&] { ++ticks; });
    probe.start(10);
    window->action(QStringLiteral("renderWav"))->trigger();
    dialog = window->findChild<QProgressDialog*>(QStringLiteral("renderProgress"));
    ASSERT_NE(dialog, nullptr);
    // Progress shown, and the window's timer fired while the worker still renders: rendered on
    // the GUI thread, the trigger would have returned only once done. (Counting ticks up to the
    // first progress instead failed when the render reported within 40 ms.)
    ASSERT_TRUE(waitUntil([&] { return dialog->value() > 0 && ticks > 3; }, 20000))
        << "no progress shown";
    EXPECT_TRUE(window->renderJob()->isRunning()) << "the GUI thread waited on the render";
    EXPECT_LT(dialog->value(), dialog->maximum());
    auto* cancel = dialog->findChild<QPushButton*>();
    ASSERT_NE(cancel, nullptr);
    QTest::mouseClick(cancel, Qt::LeftButton);
    ASSERT_TRUE(waitUntil([&] { return !window->renderJob()->isRunning(); }, 5000));
    EXPECT_EQ(window->statusText(), QStringLiteral("Render cancelled: long.wav was not written"));
    EXPECT_FALSE(QFileInfo::exists(longWav));
    EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files).size(), 2);
}

namespace {

// CIELAB (D65) of an sRGB colour, for perceptual distances.
struct Lab {
    double l, a, b;
};
Lab toLab(std::uint32_t rgb) {
    auto linear = [](int c) {
        const double v = c / 255.0;
        return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    const double r = linear(int(rgb >> 16) & 255), g = linear(int(rgb >> 8) & 255),
                 b = linear(int(rgb) & 255);
    const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    const double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    const double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
    return {116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
}
double distance(std::uint32_t p, std::uint32_t q) {
    const Lab a = toLab(p), b = toLab(q);
    return std::sqrt((a.l - b.l) * (a.l - b.l) + (a.a - b.a) * (a.a - b.a) +
                     (a.b - b.b) * (a.b - b.b));
}

} // namespace

// Far apart in hue and lightness: a CIELAB distance of 2.3 is the least an eye notices; 40 and
// more reads as different colours at a glance. The old list had four blues within 30-40.
TEST(TrackColours, TheFirstEightArePairwiseFarApartAndSixteenStayApart) {
    for (int i = 0; i < 16; ++i) {
        for (int j = i + 1; j < 16; ++j) {
            const double d = distance(theme::trackColour(i), theme::trackColour(j));
            if (j < 8)
                EXPECT_GE(d, 40.0) << "tracks " << i << " and " << j;
            else
                EXPECT_GE(d, 15.0) << "tracks " << i << " and " << j;
        }
    }
    // Readable on the dark and the light theme: neither too dark nor too pale.
    for (int i = 0; i < 8; ++i) {
        const double l = toLab(theme::trackColour(i)).l;
        EXPECT_GT(l, 50) << i;
        EXPECT_LT(l, 90) << i;
    }
}

TEST_F(FirstRunTest, LoadedTracksGetDistinctColoursAndEmptyOnesGrey) {
    model::Song song;
    song.addTrack(model::Track{}); // a tempo track: no notes
    for (int i = 0; i < 9; ++i) {
        model::Track t;
        t.properties.name = "T" + std::to_string(i);
        t.properties.channel = std::uint8_t(i);
        const model::TrackId id = song.addTrack(t);
        song.addNotes(id, {makeNote(i * 480, 480, 60 + i, 100, i)});
    }
    ASSERT_TRUE(open(writeSong(dir, QStringLiteral("ten.mid"), song)));
    TrackListModel* tracks = window->trackModel();
    ASSERT_EQ(tracks->rowCount(), 10);
    auto colourOf = [&](int row) {
        return tracks->index(row, TrackListModel::NameColumn)
                   .data(Qt::DecorationRole)
                   .value<QColor>()
                   .rgb() &
               0xFFFFFF;
    };
    EXPECT_EQ(colourOf(0), theme::emptyTrackColour());
    for (int i = 1; i <= 8; ++i)
        for (int j = i + 1; j <= 8; ++j)
            EXPECT_GE(distance(colourOf(i), colourOf(j)), 40.0) << "rows " << i << ", " << j;
    for (int i = 1; i <= 9; ++i)
        EXPECT_NE(colourOf(i), theme::emptyTrackColour()) << i;
}

TEST_F(FirstRunTest, GenerateOffersTheBuiltInModelsAndWritesFromASelectionWithoutTraining) {
    // The settings are empty and no model was trained: the built-ins are there all the same.
    GeneratePanel* panel = window->generatePanel();
    QComboBox* models = panel->modelBox();
    ASSERT_TRUE(waitUntil([&] { return models->count() == 3; }, 20000)) << models->count();
    QStringList labels;
    for (int i = 0; i < models->count(); ++i)
        labels << models->itemText(i);
    EXPECT_EQ(labels, QStringList({QStringLiteral("Bach chorales \u2014 LSTM-NADE (built in)"),
                                   QStringLiteral("Bach chorales \u2014 GAN (built in)"),
                                   QStringLiteral("Bach chorales \u2014 Markov (built in)")}));
    // The LSTM-NADE, the closest, is the pick, and the project would keep it by name, not by
    // this build's path.
    EXPECT_EQ(models->currentIndex(), 0);
    EXPECT_EQ(panel->modelPath(), QStringLiteral("builtin:bach-nade"));

    // The Train panel lists them too, with Delete disabled for them.
    auto* list = window->trainPanel()->findChild<QTreeView*>(QStringLiteral("modelList"));
    auto* remove =
        window->trainPanel()->findChild<QPushButton*>(QStringLiteral("deleteModelButton"));
    ASSERT_TRUE(list && remove);
    list->setCurrentIndex(list->model()->index(0, 0));
    EXPECT_FALSE(remove->isEnabled());

    // Two bars of four-part chords, selected; four bars written after them.
    const model::Song song = ::torchestra::testkit::twoBarsOfChorale();
    ASSERT_TRUE(open(writeSong(dir, QStringLiteral("chorale.mid"), song)));
    window->pianoRoll()->selectAll();
    ASSERT_EQ(window->pianoRoll()->selection().size(), 32u);
    panel->barsBox()->setValue(4);
    panel->variationsBox()->setValue(1);
    QTest::mouseClick(panel->generateButton(), Qt::LeftButton);
    ASSERT_TRUE(
        waitUntil([&] { return panel->state() != GeneratePanel::State::Generating; }, 30000));
    ASSERT_EQ(panel->state(), GeneratePanel::State::Done) << panel->lastError().toStdString();
    // A take: in the list and over the piano roll, in the four bars after the selection.
    ASSERT_EQ(panel->variations().size(), 1u);
    EXPECT_EQ(panel->variationList()->count(), 1);
    EXPECT_EQ(window->pianoRoll()->noteOverlays().size(), 1u);
    const model::TempoMap& map = window->song().tempoMap();
    EXPECT_EQ(panel->targetFrom(), map.barToTick(2));
    EXPECT_EQ(panel->targetTo(), map.barToTick(6));
    const std::vector<model::Note>& take = panel->variations()[0].notes;
    EXPECT_GE(take.size(), 8u);
    for (const model::Note& n : take) {
        EXPECT_GE(n.start, map.barToTick(2));
        EXPECT_LE(n.end(), map.barToTick(6));
    }
}
