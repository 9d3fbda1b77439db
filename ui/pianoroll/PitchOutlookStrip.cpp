#include "ui/pianoroll/PitchOutlookStrip.h"

#include "ui/pianoroll/PianoRollView.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <utility>

namespace torchestra::ui {

namespace {

constexpr int kMessageHeight = 18;
constexpr int kMessageWidth = 520;
constexpr int kMinColumnWidth = 28;       // room for "100" in a cell, however far out the zoom
constexpr float kShownFrom = 0.02f;       // below this a pitch gets no cell in the column
const QColor kCursorColour(40, 200, 190); // not the playhead's orange: they often coincide

// The column's left and right x: the step, widened to hold a cell's number.
std::pair<int, int> columnX(const PianoRollGeometry& geometry, const PitchOutlookStrip& strip) {
    const int x0 = int(std::lround(geometry.tickToX(double(strip.cursor))));
    const int x1 = int(std::lround(geometry.tickToX(double(strip.cursor + strip.stepTicks))));
    return {x0, std::max(x1, x0 + kMinColumnWidth)};
}

// The message box: at the column's top, kept inside the note area.
QRect messageBox(const QRect& noteArea, int x0, int width) {
    const int left = std::max(noteArea.left(), std::min(x0 + 4, noteArea.right() - width - 4));
    return {left, noteArea.top() + 4, width, kMessageHeight};
}

} // namespace

QColor outlookHeat(float probability) {
    const float p = std::clamp(probability, 0.f, 1.f);
    // Hue from blue (240) through yellow (60) to red (0), opaque as it grows likelier.
    const float hue = p < 0.5f ? 240.f - 360.f * p : 120.f - 240.f * p;
    return QColor::fromHsvF(std::max(0.f, hue) / 360.f, 0.85f, 0.95f, 0.35f + 0.6f * p);
}

QRect pitchOutlookColumn(const PianoRollGeometry& geometry, const PitchOutlookStrip& strip,
                         const QRect& noteArea) {
    if (!strip.visible)
        return {};
    const auto [x0, x1] = columnX(geometry, strip);
    QRect column = QRect(x0 - 2, noteArea.top(), x1 - x0 + 4, noteArea.height()) & noteArea;
    if (!strip.message.isEmpty())
        column |= messageBox(noteArea, x0, kMessageWidth).adjusted(-1, -1, 1, 1);
    return column;
}

void paintPitchOutlook(QPainter& p, const PianoRollGeometry& geometry,
                       const PitchOutlookStrip& strip, const QRect& keyboard, const QRect& noteArea,
                       const QRect& dirty, const QFont& font) {
    if (!strip.visible)
        return;
    p.save();
    const double fade = strip.stale ? 0.35 : 1.0;
    const int top = std::clamp(geometry.yToPitch(dirty.top()), 0, 127);
    const int bottom = std::clamp(geometry.yToPitch(dirty.bottom()), 0, 127);
    const auto [x0, x1] = columnX(geometry, strip);
    const QRect column = QRect(x0, noteArea.top(), x1 - x0, noteArea.height()) & noteArea;
    // The column: where the numbers apply.
    p.setClipRect(dirty & noteArea);
    p.fillRect(column, QColor(40, 200, 190, 36));
    p.fillRect(QRect(x0, noteArea.top(), 2, noteArea.height()) & noteArea, kCursorColour);
    QFont small = font;
    small.setPixelSize(std::clamp(int(geometry.keyHeight()) - 3, 7, 10));
    p.setFont(small);
    for (int pitch = bottom; pitch <= top && !strip.starting.empty(); ++pitch) {
        const float prob = strip.at(pitch);
        if (prob < kShownFrom)
            continue;
        const int y0 = int(std::lround(geometry.pitchToY(pitch)));
        const int y1 = int(std::lround(geometry.pitchToY(pitch - 1)));
        QColor heat = outlookHeat(prob);
        heat.setAlphaF(float(heat.alphaF() * fade));
        // In the column, a cell with the percentage.
        p.setClipRect(dirty & noteArea);
        const QRect cell = QRect(x0 + 2, y0 + 1, x1 - x0 - 2, std::max(1, y1 - y0 - 1)) & column;
        p.fillRect(cell, heat);
        if (y1 - y0 >= 9 && prob >= 0.05f) {
            p.setPen(strip.stale ? QColor(70, 70, 70) : QColor(10, 10, 10));
            p.drawText(cell, Qt::AlignCenter, QString::number(int(prob * 100 + 0.5)));
        }
        // On the key: a bar from its right edge, as long as the probability is high.
        p.setClipRect(dirty & keyboard);
        const int width = std::max(2, int(std::lround(prob * (keyboard.width() - 2))));
        p.fillRect(QRect(keyboard.right() - width, y0 + 1, width, std::max(1, y1 - y0 - 1)), heat);
    }
    if (!strip.message.isEmpty()) {
        p.setClipRect(dirty & noteArea);
        p.setFont(font);
        const QFontMetrics metrics(font);
        const QRect box = messageBox(
            noteArea, x0, std::min(kMessageWidth, metrics.horizontalAdvance(strip.message) + 12));
        p.fillRect(box, QColor(255, 245, 210, 235));
        p.setPen(QColor(60, 45, 0));
        p.drawText(box.adjusted(6, 0, -6, 0), Qt::AlignLeft | Qt::AlignVCenter,
                   metrics.elidedText(strip.message, Qt::ElideRight, box.width() - 12));
    }
    p.restore();
}

void PianoRollView::setPitchOutlook(PitchOutlookStrip strip) {
    const QRect area = m_geometry.noteArea().toAlignedRect();
    const QRect keyboard(0, kRulerHeight, kKeyboardWidth, area.height());
    const QRect before = pitchOutlookColumn(m_geometry, m_pitchOutlook, area);
    m_pitchOutlook = std::move(strip);
    const QRect after = pitchOutlookColumn(m_geometry, m_pitchOutlook, area);
    viewport()->update(keyboard);
    if (!before.isEmpty())
        viewport()->update(before);
    if (!after.isEmpty())
        viewport()->update(after);
}

} // namespace torchestra::ui
