#include "ui/pianoroll/PianoRollGeometry.h"

#include <gtest/gtest.h>

#include <cmath>

using torchestra::model::Tick;
using torchestra::ui::PianoRollGeometry;

namespace {

PianoRollGeometry makeGeometry() {
    PianoRollGeometry g;
    g.setPpq(480);
    g.setPixelsPerQuarter(40.0);
    g.setKeyHeight(10.0);
    g.setNoteArea(QRectF(64, 28, 800, 500));
    g.setScroll(130.0, 250.0);
    return g;
}

} // namespace

TEST(PianoRollGeometry, TickAndXRoundTrip) {
    PianoRollGeometry g = makeGeometry();
    // tick 0 sits at the note area's left edge minus the scroll.
    EXPECT_DOUBLE_EQ(g.tickToX(0), 64.0 - 130.0);
    EXPECT_DOUBLE_EQ(g.tickToX(480), 64.0 - 130.0 + 40.0);
    for (double zoom : {2.0, 13.7, 40.0, 333.0}) {
        g.setPixelsPerQuarter(zoom);
        for (Tick t : {Tick(0), Tick(1), Tick(479), Tick(480), Tick(123457), Tick(10'000'000)}) {
            EXPECT_NEAR(g.xToTick(g.tickToX(double(t))), double(t), 1e-6 * (1 + double(t)))
                << "zoom " << zoom << " tick " << t;
        }
    }
}

TEST(PianoRollGeometry, PitchAndYRoundTripForEveryPitch) {
    PianoRollGeometry g = makeGeometry();
    for (double keyHeight : {4.0, 10.0, 12.5, 48.0}) {
        g.setKeyHeight(keyHeight);
        for (int pitch = 0; pitch < 128; ++pitch) {
            const double top = g.pitchToY(pitch);
            EXPECT_EQ(g.yToPitch(top + 0.01), pitch) << keyHeight;
            EXPECT_EQ(g.yToPitch(top + keyHeight / 2), pitch) << keyHeight;
            EXPECT_EQ(g.yToPitch(top + keyHeight - 0.01), pitch) << keyHeight;
            // Higher pitches are higher up.
            if (pitch > 0) {
                EXPECT_DOUBLE_EQ(g.pitchToY(pitch - 1) - top, keyHeight);
            }
        }
    }
    // Pitch 127's row starts at the top of the content.
    g.setScroll(0, 0);
    EXPECT_DOUBLE_EQ(g.pitchToY(127), 28.0);
    EXPECT_DOUBLE_EQ(g.contentHeight(), 128 * g.keyHeight());
}

TEST(PianoRollGeometry, NoteRectMatchesTicksAndPitch) {
    const PianoRollGeometry g = makeGeometry();
    const QRectF r = g.noteRect(960, 240, 60);
    EXPECT_DOUBLE_EQ(r.left(), g.tickToX(960));
    EXPECT_DOUBLE_EQ(r.width(), 20.0); // half a quarter at 40 px per quarter
    EXPECT_DOUBLE_EQ(r.top(), g.pitchToY(60));
    EXPECT_DOUBLE_EQ(r.height(), 10.0);
    // A zero-length note stays one pixel wide.
    EXPECT_DOUBLE_EQ(g.noteRect(960, 0, 60).width(), 1.0);
}

TEST(PianoRollGeometry, VisibleRangesCoverTheNoteArea) {
    const PianoRollGeometry g = makeGeometry();
    // Scrolled 130 px at 40 px per quarter: the left edge is at tick 130 / 40 * 480 = 1560.
    EXPECT_EQ(g.visibleStartTick(), 1560);
    // 800 px more is 9600 ticks; the end is widened by a tick so the last pixel is covered.
    EXPECT_GE(g.visibleEndTick(), 1560 + 9600);
    EXPECT_LE(g.visibleEndTick(), 1560 + 9600 + 2);
    // Scrolled 250 px at 10 px a row: row 25 (pitch 102) is at the top; 500 px show 50 rows.
    EXPECT_EQ(g.highestVisiblePitch(), 102);
    EXPECT_EQ(g.lowestVisiblePitch(), 52);
    PianoRollGeometry top = g;
    top.setScroll(0, -40); // scrolled above the content: still a real pitch range
    EXPECT_EQ(top.highestVisiblePitch(), 127);
}

TEST(PianoRollGeometry, ZoomKeepsTheAnchorInPlace) {
    PianoRollGeometry g = makeGeometry();
    const double anchorX = 400.0;
    const double tickBefore = g.xToTick(anchorX);
    g.zoomHorizontally(1.5, anchorX);
    EXPECT_DOUBLE_EQ(g.pixelsPerQuarter(), 60.0);
    EXPECT_NEAR(g.xToTick(anchorX), tickBefore, 1e-9);

    const double anchorY = 300.0;
    const int pitchBefore = g.yToPitch(anchorY);
    const double rowFraction = (anchorY - g.pitchToY(pitchBefore)) / g.keyHeight();
    g.zoomVertically(2.0, anchorY);
    EXPECT_DOUBLE_EQ(g.keyHeight(), 20.0);
    EXPECT_EQ(g.yToPitch(anchorY), pitchBefore);
    EXPECT_NEAR((anchorY - g.pitchToY(pitchBefore)) / g.keyHeight(), rowFraction, 1e-9);
}

TEST(PianoRollGeometry, ZoomIsClamped) {
    PianoRollGeometry g = makeGeometry();
    g.setPixelsPerQuarter(1e9);
    EXPECT_DOUBLE_EQ(g.pixelsPerQuarter(), PianoRollGeometry::kMaxPixelsPerQuarter);
    g.setPixelsPerQuarter(0.0);
    EXPECT_DOUBLE_EQ(g.pixelsPerQuarter(), PianoRollGeometry::kMinPixelsPerQuarter);
    g.setKeyHeight(1000);
    EXPECT_DOUBLE_EQ(g.keyHeight(), PianoRollGeometry::kMaxKeyHeight);
    g.setKeyHeight(-3);
    EXPECT_DOUBLE_EQ(g.keyHeight(), PianoRollGeometry::kMinKeyHeight);
    // PPQ changes the ticks per pixel, not the pixels per quarter.
    g.setPixelsPerQuarter(48);
    g.setPpq(96);
    EXPECT_DOUBLE_EQ(g.pixelsPerTick(), 0.5);
    g.setPpq(0);
    EXPECT_EQ(g.ppq(), 1);
}
