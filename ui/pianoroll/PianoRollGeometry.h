#pragma once

#include "model/Note.h"

#include <QRectF>

namespace torchestra::ui {

// The piano roll's coordinate mapping: ticks <-> x and pitches <-> y, given the zoom, the
// scroll position and where the note area sits in the widget. A value type with no Qt widget
// dependency, so the read-only view and the future editor (hit testing, drag snapping) share it
// and tests can check it without painting.
//
// Content coordinates put tick 0 at x = 0 and pitch 127's top edge at y = 0; widget coordinates
// are content coordinates shifted by the note area's origin and minus the scroll offset.
// Pitch p occupies the row [pitchToY(p), pitchToY(p) + keyHeight()).
class PianoRollGeometry {
public:
    static constexpr int kPitchCount = 128;
    static constexpr double kMinPixelsPerQuarter = 2.0;
    static constexpr double kMaxPixelsPerQuarter = 2000.0;
    static constexpr double kMinKeyHeight = 4.0;
    static constexpr double kMaxKeyHeight = 48.0;
    static constexpr double kDefaultKeyHeight = 12.0;

    int ppq() const { return m_ppq; }
    void setPpq(int ppq);

    // Horizontal zoom in pixels per quarter note (clamped), so zoom survives a change of PPQ.
    double pixelsPerQuarter() const { return m_pixelsPerQuarter; }
    void setPixelsPerQuarter(double pixels);
    double pixelsPerTick() const { return m_pixelsPerQuarter / m_ppq; }

    // Vertical zoom: the height of one pitch row in pixels (clamped).
    double keyHeight() const { return m_keyHeight; }
    void setKeyHeight(double pixels);

    // The rectangle of the widget where notes are drawn (right of the keyboard, below the ruler).
    QRectF noteArea() const { return m_noteArea; }
    void setNoteArea(const QRectF& area) { m_noteArea = area; }

    // Content pixels scrolled off the left and top of the note area.
    double scrollX() const { return m_scrollX; }
    double scrollY() const { return m_scrollY; }
    void setScroll(double x, double y);

    double contentHeight() const { return kPitchCount * m_keyHeight; }
    double contentWidth(model::Tick endTick) const { return double(endTick) * pixelsPerTick(); }

    // Widget x of a tick (fractional ticks allowed) and the fractional tick at a widget x.
    double tickToX(double tick) const {
        return m_noteArea.left() + tick * pixelsPerTick() - m_scrollX;
    }
    double xToTick(double x) const { return (x - m_noteArea.left() + m_scrollX) / pixelsPerTick(); }
    // Widget y of the top edge of a pitch's row, and the pitch whose row holds y (which may lie
    // outside 0..127 above or below the keyboard: callers clamp when they need a real pitch).
    double pitchToY(int pitch) const {
        return m_noteArea.top() + (kPitchCount - 1 - pitch) * m_keyHeight - m_scrollY;
    }
    int yToPitch(double y) const;

    // A note's rectangle in widget coordinates (a zero-length note gets a 1-pixel sliver, so it
    // stays visible and hittable).
    QRectF noteRect(model::Tick start, model::Tick length, int pitch) const;
    QRectF noteRect(const model::Note& n) const { return noteRect(n.start, n.length, n.pitch); }

    // The ticks [first, last) and pitches [lowest, highest] the note area shows, widened to whole
    // ticks and rows, clamped to >= 0 and 0..127: what a paint must query.
    model::Tick visibleStartTick() const;
    model::Tick visibleEndTick() const;
    int lowestVisiblePitch() const;
    int highestVisiblePitch() const;

    // Zoom while keeping the tick (pitch) under the widget x (y) where it is: the anchor is the
    // mouse for wheel zoom and the centre for keyboard zoom. The scroll may end up negative;
    // the view clamps it to its scroll range.
    void zoomHorizontally(double factor, double anchorX);
    void zoomVertically(double factor, double anchorY);

    // Zooms so that the ticks [0, endTick) span the note area's width and the pitches
    // [lowest, highest] (with a little air) its height, within readable limits, and scrolls to
    // tick 0. Without pitches (highest < lowest) rows get the default height. Returns the pitch
    // to centre on (centring needs the scroll range, which is the view's).
    double fitTo(model::Tick endTick, int lowest, int highest);

private:
    int m_ppq = 480;
    double m_pixelsPerQuarter = 48.0;
    double m_keyHeight = kDefaultKeyHeight;
    QRectF m_noteArea;
    double m_scrollX = 0.0;
    double m_scrollY = 0.0;
};

} // namespace torchestra::ui
