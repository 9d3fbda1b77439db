#include "ui/pianoroll/PianoRollGeometry.h"

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

namespace {

constexpr double kFitMinPixelsPerQuarter = 12.0;
constexpr double kFitMaxPixelsPerQuarter = 96.0;
constexpr double kFitMinKeyHeight = 8.0;
constexpr double kFitMaxKeyHeight = 18.0;

} // namespace

void PianoRollGeometry::setPpq(int ppq) {
    m_ppq = std::max(1, ppq);
}

void PianoRollGeometry::setPixelsPerQuarter(double pixels) {
    m_pixelsPerQuarter = std::clamp(pixels, kMinPixelsPerQuarter, kMaxPixelsPerQuarter);
}

void PianoRollGeometry::setKeyHeight(double pixels) {
    m_keyHeight = std::clamp(pixels, kMinKeyHeight, kMaxKeyHeight);
}

void PianoRollGeometry::setScroll(double x, double y) {
    m_scrollX = x;
    m_scrollY = y;
}

int PianoRollGeometry::yToPitch(double y) const {
    const double row = std::floor((y - m_noteArea.top() + m_scrollY) / m_keyHeight);
    return kPitchCount - 1 - int(row);
}

QRectF PianoRollGeometry::noteRect(model::Tick start, model::Tick length, int pitch) const {
    const double x0 = tickToX(double(start));
    const double width = std::max(1.0, double(length) * pixelsPerTick());
    return QRectF(x0, pitchToY(pitch), width, m_keyHeight);
}

model::Tick PianoRollGeometry::visibleStartTick() const {
    return std::max<model::Tick>(0, model::Tick(std::floor(xToTick(m_noteArea.left()))));
}

model::Tick PianoRollGeometry::visibleEndTick() const {
    return std::max<model::Tick>(0, model::Tick(std::ceil(xToTick(m_noteArea.right()))) + 1);
}

int PianoRollGeometry::lowestVisiblePitch() const {
    return std::clamp(yToPitch(m_noteArea.bottom()), 0, kPitchCount - 1);
}

int PianoRollGeometry::highestVisiblePitch() const {
    return std::clamp(yToPitch(m_noteArea.top()), 0, kPitchCount - 1);
}

void PianoRollGeometry::zoomHorizontally(double factor, double anchorX) {
    const double tick = xToTick(anchorX);
    setPixelsPerQuarter(m_pixelsPerQuarter * factor);
    // Solve tickToX(tick) == anchorX for the scroll.
    m_scrollX = m_noteArea.left() + tick * pixelsPerTick() - anchorX;
}

void PianoRollGeometry::zoomVertically(double factor, double anchorY) {
    // The fractional row under the anchor stays under it.
    const double row = (anchorY - m_noteArea.top() + m_scrollY) / m_keyHeight;
    setKeyHeight(m_keyHeight * factor);
    m_scrollY = m_noteArea.top() + row * m_keyHeight - anchorY;
}

double PianoRollGeometry::fitTo(model::Tick endTick, int lowest, int highest) {
    const double quarters = std::max(1.0, double(endTick) / m_ppq);
    setPixelsPerQuarter(std::clamp(m_noteArea.width() / (quarters * 1.02), kFitMinPixelsPerQuarter,
                                   kFitMaxPixelsPerQuarter));
    double centre = 60.0;
    if (highest >= lowest) {
        const int rows = highest - lowest + 1 + 6; // a little air above and below
        setKeyHeight(
            std::clamp(std::floor(m_noteArea.height() / rows), kFitMinKeyHeight, kFitMaxKeyHeight));
        centre = (lowest + highest) / 2.0;
    } else {
        setKeyHeight(kDefaultKeyHeight);
    }
    setScroll(0.0, m_scrollY);
    return centre;
}

} // namespace torchestra::ui
