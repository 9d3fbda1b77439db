#include "TestFiles.h"

#include "ui/pianoroll/PianoRollView.h"

#include <QApplication>
#include <QImage>
#include <QPaintEvent>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>
#include <QWheelEvent>

#include <gtest/gtest.h>

#include <cmath>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

constexpr std::uint32_t kLeadColour = 0xE04040;
constexpr std::uint32_t kDrumColour = 0x40C0E0;

QRgb rgb(std::uint32_t colour) {
    return QColor::fromRgb(colour).rgb();
}

// Records the rectangles the viewport is asked to repaint.
class PaintRecorder : public QObject {
public:
    QRegion painted;
    int count = 0;
    bool eventFilter(QObject*, QEvent* event) override {
        if (event->type() == QEvent::Paint) {
            painted += static_cast<QPaintEvent*>(event)->region();
            ++count;
        }
        return false;
    }
};

class PianoRollViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        song = makeSmallSong();
        setColour(0, kLeadColour);
        setColour(1, kDrumColour);
        view.setSong(&song);
        view.resize(900, 600);
        view.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
    }
    void TearDown() override { view.setSong(nullptr); }

    void setColour(std::size_t track, std::uint32_t colour) {
        model::TrackProperties p = song.trackAt(track).properties;
        p.colour = colour;
        song.setTrackProperties(song.trackIdAt(track), p);
    }
    QImage render() { return view.viewport()->grab().toImage(); }
    // A point well inside a note's rectangle, clear of its pitch label and rounded corners.
    QPoint insideNote(const model::Note& n) {
        const QRectF r = view.rollGeometry().noteRect(n);
        return QPoint(int(r.left() + r.width() * 0.75), int(r.center().y()));
    }
    QPoint rowPoint(model::Tick tick, int pitch) {
        const PianoRollGeometry& g = view.rollGeometry();
        return QPoint(int(std::lround(g.tickToX(double(tick)))),
                      int(g.pitchToY(pitch) + g.keyHeight() / 2));
    }
    const model::Note& leadNote(std::size_t i) { return song.trackAt(0).notes().at(i); }

    model::Song song;
    PianoRollView view;
};

} // namespace

TEST_F(PianoRollViewTest, PaintsNotesInTheirTrackColourAndNothingElse) {
    const QImage image = render();
    const QRect area = view.rollGeometry().noteArea().toRect();

    // Velocity 127: exactly the track colour.
    const QPoint full = insideNote(leadNote(0));
    ASSERT_TRUE(area.contains(full)) << "the fit should bring the notes into view";
    EXPECT_EQ(image.pixel(full), rgb(kLeadColour));
    EXPECT_EQ(image.pixel(insideNote(leadNote(2))), rgb(kLeadColour));

    // Velocity 100: shaded, as noteFillColour says, and not the full colour.
    const QPoint soft = insideNote(leadNote(1));
    EXPECT_EQ(image.pixel(soft), view.noteFillColour(song.trackAt(0), leadNote(1)).rgb());
    EXPECT_NE(image.pixel(soft), rgb(kLeadColour));

    // Drums in theirs.
    EXPECT_EQ(image.pixel(insideNote(song.trackAt(1).notes().at(0))),
              view.noteFillColour(song.trackAt(1), song.trackAt(1).notes().at(0)).rgb());

    // Where no note is: the same row after the note ends, and a row with no notes.
    const QPoint afterNote = rowPoint(1200, 60);
    const QPoint emptyRow = rowPoint(480 + 100, 62);
    for (QPoint p : {afterNote, emptyRow}) {
        ASSERT_TRUE(area.contains(p));
        EXPECT_NE(image.pixel(p), rgb(kLeadColour));
        EXPECT_NE(image.pixel(p), rgb(kDrumColour));
    }
}

TEST_F(PianoRollViewTest, ActiveTrackDimsTheOthers) {
    view.setActiveTrack(song.trackIdAt(1));
    const QImage image = render();
    const QRgb lead = image.pixel(insideNote(leadNote(0)));
    EXPECT_NE(lead, rgb(kLeadColour));
    EXPECT_EQ(lead, view.noteFillColour(song.trackAt(0), leadNote(0)).rgb());
    view.setActiveTrack(model::kNoTrack);
    EXPECT_EQ(render().pixel(insideNote(leadNote(0))), rgb(kLeadColour));
}

TEST_F(PianoRollViewTest, RepaintsOnlyWhatAnEditTouches) {
    PaintRecorder recorder;
    view.viewport()->installEventFilter(&recorder);
    QApplication::processEvents();
    recorder.painted = QRegion();
    recorder.count = 0;

    const std::vector<model::NoteId> ids =
        song.addNotes(song.trackIdAt(0), {makeNote(1440, 480, 65, 127)});
    ASSERT_EQ(ids.size(), 1u);
    const model::Note added = *song.findNote(song.trackIdAt(0), ids[0]);
    ASSERT_TRUE(waitUntil([&] { return recorder.count > 0; }));

    const QRect noteRect = view.rollGeometry().noteRect(added).toAlignedRect();
    ASSERT_TRUE(view.rollGeometry().noteArea().contains(noteRect));
    EXPECT_TRUE(recorder.painted.contains(noteRect));
    // Not a full repaint: only a margin around the note.
    EXPECT_TRUE(noteRect.adjusted(-3, -3, 3, 3).contains(recorder.painted.boundingRect()))
        << "painted " << recorder.painted.boundingRect().width() << "x"
        << recorder.painted.boundingRect().height();
    EXPECT_EQ(render().pixel(insideNote(added)), rgb(kLeadColour));

    // Removal repaints the same place, and the note is gone from the picture.
    song.removeNotes(song.trackIdAt(0), ids);
    EXPECT_NE(render().pixel(insideNote(added)), rgb(kLeadColour));

    // A change moves it: the old place is cleared, the new one painted.
    model::Note moved = leadNote(0);
    const QPoint oldPlace = insideNote(moved);
    moved.pitch = 59;
    song.changeNotes(song.trackIdAt(0), {moved});
    const QImage image = render();
    EXPECT_NE(image.pixel(oldPlace), rgb(kLeadColour));
    EXPECT_EQ(image.pixel(insideNote(moved)), rgb(kLeadColour));
    view.viewport()->removeEventFilter(&recorder);
}

TEST_F(PianoRollViewTest, BarLinesFollowTimeSignatureChanges) {
    // 4/4 for one bar, then 3/4: bars start at 0, 1920, 3360, 4800 (not 3840, as 4/4 would).
    model::TempoMap map(480);
    map.setTimeSignature({1920, 3, 4, 24, 8});
    song.setTempoMap(map);
    song.addNotes(song.trackIdAt(0), {makeNote(6000, 480, 60, 127)});
    view.setPixelsPerQuarter(40); // beats 40 px apart: bar and beat lines, no sixteenths
    view.horizontalScrollBar()->setValue(0);
    const QImage image = render();
    const PianoRollColours& c = view.colours();

    EXPECT_EQ(QColor(image.pixel(rowPoint(1920, 65))), c.barLine);
    EXPECT_EQ(QColor(image.pixel(rowPoint(3360, 65))), c.barLine);
    EXPECT_EQ(QColor(image.pixel(rowPoint(4800, 65))), c.barLine);
    EXPECT_EQ(QColor(image.pixel(rowPoint(3840, 65))), c.beatLine); // a beat in 3/4, not a bar
    EXPECT_EQ(QColor(image.pixel(rowPoint(480, 65))), c.beatLine);
    EXPECT_NE(QColor(image.pixel(rowPoint(240, 65))), c.beatLine); // between beats
    EXPECT_NE(QColor(image.pixel(rowPoint(240, 65))), c.barLine);
}

TEST_F(PianoRollViewTest, KeyboardStripShowsBlackAndWhiteKeys) {
    const QImage image = render();
    const PianoRollColours& c = view.colours();
    const PianoRollGeometry& g = view.rollGeometry();
    auto at = [&](int x, int pitch) {
        return QColor(image.pixel(x, int(std::lround(g.pitchToY(pitch))) + 2));
    };
    EXPECT_EQ(at(5, 61), c.blackKey);                                 // C#4
    EXPECT_EQ(at(5, 62), c.whiteKey);                                 // D4
    EXPECT_EQ(at(PianoRollView::kKeyboardWidth - 6, 61), c.whiteKey); // black keys are shorter
}

TEST_F(PianoRollViewTest, WheelAndKeysZoomAndScroll) {
    QSignalSpy zoomed(&view, &PianoRollView::zoomChanged);
    const PianoRollGeometry& g = view.rollGeometry();
    const QPointF mouse(g.noteArea().center());
    const double zoomBefore = g.pixelsPerQuarter();
    const double tickUnderMouse = g.xToTick(mouse.x());

    auto wheel = [&](QPoint angle, Qt::KeyboardModifiers mods) {
        QWheelEvent event(mouse, view.viewport()->mapToGlobal(mouse), QPoint(), angle, Qt::NoButton,
                          mods, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.viewport(), &event);
    };

    wheel(QPoint(0, 120), Qt::ControlModifier);
    EXPECT_GT(g.pixelsPerQuarter(), zoomBefore * 1.1);
    // The tick under the mouse stays under it (up to the scroll bar's whole pixels).
    EXPECT_NEAR(g.xToTick(mouse.x()), tickUnderMouse, 1.0 / g.pixelsPerTick());
    EXPECT_GE(zoomed.count(), 1);

    const double keyBefore = g.keyHeight();
    wheel(QPoint(0, 120), Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_GT(g.keyHeight(), keyBefore);

    const int vBefore = view.verticalScrollBar()->value();
    wheel(QPoint(0, -120), Qt::NoModifier);
    EXPECT_GT(view.verticalScrollBar()->value(), vBefore);
    EXPECT_DOUBLE_EQ(g.scrollY(), view.verticalScrollBar()->value());

    view.setPixelsPerQuarter(200); // wide enough to scroll sideways
    const int hBefore = view.horizontalScrollBar()->value();
    wheel(QPoint(0, -120), Qt::ShiftModifier);
    EXPECT_GT(view.horizontalScrollBar()->value(), hBefore);

    const double z0 = g.pixelsPerQuarter();
    QTest::keyClick(&view, Qt::Key_Minus);
    EXPECT_LT(g.pixelsPerQuarter(), z0);
    QTest::keyClick(&view, Qt::Key_Plus);
    QTest::keyClick(&view, Qt::Key_Plus);
    EXPECT_GT(g.pixelsPerQuarter(), z0);
}

TEST_F(PianoRollViewTest, SongReloadFitsTheNewSong) {
    // A song high up the keyboard: after the reload its notes must be in view.
    model::Song high;
    const model::TrackId id = high.addTrack(model::Track{});
    high.addNotes(id, {makeNote(0, 480, 110, 127), makeNote(480, 480, 115, 127)});
    song.reset(high);
    const QRect area = view.rollGeometry().noteArea().toRect();
    for (const model::Note& n : song.trackAt(0).notes())
        EXPECT_TRUE(area.contains(view.rollGeometry().noteRect(n).toRect())) << int(n.pitch);
}

TEST(PianoRollViewEmpty, PaintsAHintWithoutASong) {
    PianoRollView view;
    view.resize(600, 400);
    view.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
    const QImage image = view.viewport()->grab().toImage();
    ASSERT_FALSE(image.isNull());
    // The hint text: some pixels in the middle band are the hint colour's neighbours, i.e.
    // differ from the rows' colours.
    const PianoRollColours& c = view.colours();
    int textPixels = 0;
    const int y0 = image.height() / 2 - 20, y1 = image.height() / 2 + 20;
    for (int y = y0; y < y1; ++y)
        for (int x = PianoRollView::kKeyboardWidth; x < image.width() - 20; ++x) {
            const QColor px(image.pixel(x, y));
            if (px != c.background && px != c.blackKeyRow && px != c.octaveLine)
                ++textPixels;
        }
    EXPECT_GT(textPixels, 50);
}

TEST_F(PianoRollViewTest, ToolTipDescribesTheNoteUnderTheMouse) {
    const QPoint pos = insideNote(leadNote(0));
    QHelpEvent help(QEvent::ToolTip, pos, view.viewport()->mapToGlobal(pos));
    QApplication::sendEvent(view.viewport(), &help);
    ASSERT_TRUE(QToolTip::isVisible());
    const QString text = QToolTip::text();
    EXPECT_TRUE(text.contains("C4")) << text.toStdString();
    EXPECT_TRUE(text.contains("Lead")) << text.toStdString();
    EXPECT_TRUE(text.contains("1:1:000")) << text.toStdString();
    EXPECT_TRUE(text.contains("velocity 127")) << text.toStdString();

    // Nothing under the mouse: no tip.
    const QPoint empty = rowPoint(1200, 62);
    QHelpEvent none(QEvent::ToolTip, empty, view.viewport()->mapToGlobal(empty));
    QApplication::sendEvent(view.viewport(), &none);
    EXPECT_TRUE(waitUntil([] { return !QToolTip::isVisible(); }, 2000));
}

TEST_F(PianoRollViewTest, KeyboardToolTipNamesTheKeyAndDrum) {
    const QPoint key(10, int(view.rollGeometry().pitchToY(38) + 3));
    QHelpEvent help(QEvent::ToolTip, key, view.viewport()->mapToGlobal(key));
    QApplication::sendEvent(view.viewport(), &help);
    ASSERT_TRUE(QToolTip::isVisible());
    EXPECT_EQ(QToolTip::text(), QString::fromUtf8("D2 (38) \u00b7 drums: Acoustic Snare"));
}
