#include "ui/pianoroll/PianoRollPainter.h"

#include "ui/pianoroll/PianoRollView.h" // the strip sizes

#include "project/GeneralMidi.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>

namespace torchestra::ui {

namespace {

constexpr int kKeyboardWidth = PianoRollView::kKeyboardWidth;
constexpr int kRulerHeight = PianoRollView::kRulerHeight;
constexpr int kVelocityLaneHeight = PianoRollView::kVelocityLaneHeight;
constexpr int kMinLabelledBarPixels = 40;

bool isBlackKey(int pitch) {
    switch (pitch % 12) {
    case 1:
    case 3:
    case 6:
    case 8:
    case 10:
        return true;
    default:
        return false;
    }
}

QColor mix(const QColor& a, const QColor& b, double t) {
    const double u = 1.0 - t;
    return QColor::fromRgbF(float(a.redF() * u + b.redF() * t),
                            float(a.greenF() * u + b.greenF() * t),
                            float(a.blueF() * u + b.blueF() * t));
}

} // namespace

PianoRollPainter::PianoRollPainter(QPainter& painter, const PianoRollScene& scene)
    : m_p(painter), m_scene(scene), m_geometry(*scene.geometry), m_colours(*scene.colours) {}

QColor PianoRollPainter::velocityColour(int velocity) {
    // A table: paints ask per note.
    static const std::array<QColor, 128> table = [] {
        std::array<QColor, 128> t;
        for (int v = 0; v < 128; ++v) {
            const double x = std::max(v, 1) / 127.0;
            t[std::size_t(v)] =
                QColor::fromHsvF(float(0.62 * (1.0 - x)), 0.72f, float(0.78 + 0.2 * x)).toRgb();
        }
        return t;
    }();
    return table[std::size_t(std::clamp(velocity, 0, 127))];
}

QColor PianoRollPainter::noteFillColour(const PianoRollColours& colours, bool colourByVelocity,
                                        model::TrackId activeTrack, const model::Track& track,
                                        const model::Note& note) {
    const bool ghost = activeTrack != model::kNoTrack && track.id() != activeTrack;
    if (colourByVelocity) {
        const QColor c = velocityColour(note.velocity);
        return ghost ? mix(colours.background, c, 0.3) : c;
    }
    const QColor base = QColor::fromRgb(track.properties.colour);
    // Velocity 127 is the track colour itself; softer notes fade towards the background, but
    // never so far that a pianissimo note disappears.
    double strength = 0.45 + 0.55 * std::clamp(int(note.velocity), 1, 127) / 127.0;
    if (ghost)
        strength *= 0.45;
    return mix(colours.background, base, strength);
}

QColor PianoRollPainter::fillColour(const model::Track& track, const model::Note& note) const {
    return noteFillColour(m_colours, m_scene.colourByVelocity, m_scene.activeTrack, track, note);
}

bool PianoRollPainter::inScale(int pitch) const {
    const int step = ((pitch - m_scene.scaleRoot) % 12 + 12) % 12;
    return (m_scene.scaleMask >> step) & 1u;
}

void PianoRollPainter::paint(const QRect& dirty) {
    const QRect noteArea = m_geometry.noteArea().toAlignedRect();
    if (dirty.intersects(noteArea))
        paintNoteArea(dirty & noteArea);
    const QRect ruler(kKeyboardWidth, 0, noteArea.width(), kRulerHeight);
    if (dirty.intersects(ruler))
        paintRuler(dirty & ruler);
    const QRect keyboard(0, kRulerHeight, kKeyboardWidth, noteArea.height());
    if (dirty.intersects(keyboard))
        paintKeyboard(dirty & keyboard);
    if (dirty.intersects(QRect(0, 0, kKeyboardWidth, kRulerHeight)))
        paintCorner();
    if (m_scene.pitchOutlook)
        paintPitchOutlook(m_p, m_geometry, *m_scene.pitchOutlook, keyboard, noteArea, dirty,
                          m_scene.font);
    if (!m_scene.velocityLane.rect.isEmpty()) {
        const QSize size = m_scene.viewportSize;
        const QRect lane(0, size.height() - kVelocityLaneHeight, size.width(), kVelocityLaneHeight);
        if (dirty.intersects(lane))
            paintVelocityLane(dirty & lane);
    }
    paintEmptyHint();
}

// --- Note area -------------------------------------------------------------------------------

void PianoRollPainter::paintNoteArea(const QRect& dirty) {
    m_p.save();
    m_p.setClipRect(dirty);
    paintRows(dirty);

    const model::Song* song = m_scene.song;
    const model::Tick t0 =
        std::max<model::Tick>(0, model::Tick(std::floor(m_geometry.xToTick(dirty.left()))));
    const model::Tick t1 = model::Tick(std::ceil(m_geometry.xToTick(dirty.right() + 1))) + 1;
    if (song) {
        paintGrid(t0, t1, dirty);
        // Past the song's end: shaded, so the end is visible at a glance.
        const double endX = m_geometry.tickToX(double(song->endTick()));
        if (song->endTick() > 0 && endX < dirty.right() + 1) {
            const int x = std::max(dirty.left(), int(std::lround(endX)));
            m_p.fillRect(QRect(x, dirty.top(), dirty.right() + 1 - x, dirty.height()),
                         m_colours.afterEnd);
        }
        if (hasLoop()) {
            const int x0 = int(std::lround(m_geometry.tickToX(double(m_scene.loopStart))));
            const int x1 = int(std::lround(m_geometry.tickToX(double(m_scene.loopEnd))));
            QColor loop = m_scene.highlight;
            loop.setAlpha(22);
            m_p.fillRect(QRect(x0, dirty.top(), x1 - x0, dirty.height()), loop);
        }
        paintNotes(t0, t1);
        paintNoteOverlays(t0, t1);
    }
    paintGestureMarks(dirty);
    m_p.restore();
}

// Rows: black-key rows darker (or, with a scale shown, the rows outside it), a line between
// each B and C, the scale's root tinted.
void PianoRollPainter::paintRows(const QRect& dirty) {
    const int top = std::clamp(m_geometry.yToPitch(dirty.top()), 0, 127);
    const int bottom = std::clamp(m_geometry.yToPitch(dirty.bottom()), 0, 127);
    m_p.fillRect(dirty, m_colours.blackKeyRow); // also what shows beyond pitch 0 and 127
    const QColor rootRow = mix(m_colours.background, m_scene.highlight, 0.14);
    for (int pitch = bottom; pitch <= top; ++pitch) {
        const int y0 = int(std::lround(m_geometry.pitchToY(pitch)));
        const int y1 = int(std::lround(m_geometry.pitchToY(pitch - 1)));
        const QRect row(dirty.left(), y0, dirty.width(), y1 - y0);
        QColor colour;
        if (m_scene.scaleMask == 0)
            colour = isBlackKey(pitch) ? m_colours.blackKeyRow : m_colours.background;
        else if ((pitch - m_scene.scaleRoot) % 12 == 0)
            colour = rootRow;
        else
            colour = inScale(pitch) ? m_colours.background : m_colours.blackKeyRow;
        m_p.fillRect(row, colour);
        if (pitch % 12 == 0)
            m_p.fillRect(QRect(dirty.left(), y1 - 1, dirty.width(), 1), m_colours.octaveLine);
    }
}

void PianoRollPainter::paintGrid(model::Tick t0, model::Tick t1, const QRect& area) {
    const model::TempoMap& map = m_scene.song->tempoMap();
    const double beatPixelsMin = 6.0;
    const model::Tick snap = m_scene.snapTicks;
    for (std::int64_t bar = map.barAtTick(t0);; ++bar) {
        const model::Tick barTick = map.barToTick(bar);
        if (barTick >= t1)
            break;
        const model::Tick nextBar = map.barToTick(bar + 1);
        const model::TimeSignature ts = map.timeSignatureAt(barTick);
        const model::Tick beat = std::max<model::Tick>(1, map.ticksPerBeat(ts));
        const double beatPixels = double(beat) * m_geometry.pixelsPerTick();
        // The snap grid when there is room for it (so what you see is where notes land), else
        // sixteenths, else just beats, else just bars.
        model::Tick sub = beatPixels >= 48.0 ? std::max<model::Tick>(1, beat / 4) : beat;
        if (snap > 0 && double(snap) * m_geometry.pixelsPerTick() >= 7.0)
            sub = snap;
        if (beatPixels >= beatPixelsMin) {
            const model::Tick first = barTick + sub;
            for (model::Tick t = std::max(first, first + (t0 - first) / sub * sub - sub);
                 t < nextBar && t <= t1; t += sub) {
                const bool onBeat = (t - barTick) % beat == 0;
                const int x = int(std::lround(m_geometry.tickToX(double(t))));
                m_p.fillRect(QRect(x, area.top(), 1, area.height()),
                             onBeat ? m_colours.beatLine : m_colours.subBeatLine);
            }
            if (sub > beat || beat % sub != 0) {
                // Triplet or coarse grids: keep the beats visible underneath.
                for (model::Tick t = barTick + beat; t < nextBar && t <= t1; t += beat) {
                    const int x = int(std::lround(m_geometry.tickToX(double(t))));
                    m_p.fillRect(QRect(x, area.top(), 1, area.height()), m_colours.beatLine);
                }
            }
        }
        const int x = int(std::lround(m_geometry.tickToX(double(barTick))));
        m_p.fillRect(QRect(x, area.top(), 1, area.height()), m_colours.barLine);
    }
}

void PianoRollPainter::paintNotes(model::Tick t0, model::Tick t1) {
    QFont labelFont = m_scene.font;
    labelFont.setPixelSize(std::clamp(int(m_geometry.keyHeight()) - 3, 7, 11));
    m_p.setFont(labelFont);

    const model::Track* active = nullptr;
    for (const model::Track& track : m_scene.song->tracks()) {
        if (track.id() == m_scene.activeTrack)
            active = &track;
        else if (m_scene.ghostNotes || m_scene.activeTrack == model::kNoTrack)
            paintTrackNotes(track, false, t0, t1);
    }
    if (active)
        paintTrackNotes(*active, true, t0, t1);
}

void PianoRollPainter::paintTrackNotes(const model::Track& track, bool active, model::Tick t0,
                                       model::Tick t1) {
    const int lowest = m_geometry.lowestVisiblePitch();
    const int highest = m_geometry.highestVisiblePitch();
    QFont labelFont = m_scene.font; // as paintNotes set it: the metrics elide the labels
    labelFont.setPixelSize(std::clamp(int(m_geometry.keyHeight()) - 3, 7, 11));
    const QFontMetrics labelMetrics(labelFont);
    const QColor selectedBorder =
        m_colours.background.lightness() < 128 ? QColor(255, 255, 255) : QColor(20, 20, 24);
    const std::set<model::NoteId>& selection = *m_scene.selection;
    const std::set<model::NoteId>& erasingIds = *m_scene.erasing;
    // Labels only where they help: on every track, or on the active one when there is one.
    const bool labels = m_scene.activeTrack == model::kNoTrack || active;
    // The fill depends on the track and the velocity only: 128 colours, not one per note.
    std::array<QColor, 128> fills;
    model::Note probe;
    for (int v = 0; v < 128; ++v) {
        probe.velocity = std::uint8_t(v);
        fills[std::size_t(v)] = fillColour(track, probe);
    }
    track.forEachNoteInRange(t0, t1, [&](const model::Note& n) {
        if (n.pitch < lowest || n.pitch > highest)
            return;
        const bool erasing = active && !erasingIds.empty() && erasingIds.count(n.id);
        const int x0 = int(std::lround(m_geometry.tickToX(double(n.start))));
        const int x1 = int(std::lround(m_geometry.tickToX(double(n.end()))));
        const int y0 = int(std::lround(m_geometry.pitchToY(n.pitch)));
        const int y1 = int(std::lround(m_geometry.pitchToY(n.pitch - 1)));
        // One pixel of row gap below each note keeps stacked notes apart.
        const QRect r(x0, y0, std::max(2, x1 - x0), std::max(2, y1 - y0 - 1));
        const bool selected = active && !selection.empty() && selection.count(n.id);
        QColor fill = fills[n.velocity & 0x7F];
        if (selected)
            fill = mix(fill, QColor(255, 255, 255), 0.28);
        if (erasing)
            fill = mix(m_colours.background, fill, 0.25);
        if (r.width() >= 4 && r.height() >= 4) {
            m_p.setRenderHint(QPainter::Antialiasing, true);
            m_p.setPen(selected ? QPen(selectedBorder, 1.6) : QPen(fill.darker(170), 1.0));
            m_p.setBrush(fill);
            m_p.drawRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 2.0, 2.0);
            m_p.setRenderHint(QPainter::Antialiasing, false);
        } else {
            m_p.fillRect(r, selected ? selectedBorder : fill);
        }
        if (labels && r.width() >= 34 && r.height() >= 10) {
            m_p.setPen(fill.lightnessF() > 0.55 ? QColor(0, 0, 0, 170)
                                                : QColor(255, 255, 255, 210));
            const QRect text = r.adjusted(4, 0, -2, 0);
            m_p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                         labelMetrics.elidedText(project::gm::pitchName(n.pitch), Qt::ElideRight,
                                                 text.width()));
        }
    });
}

// Generated notes: a dashed outline and a light fill in the layer's colour, so they read as
// proposals, never as notes of the song.
void PianoRollPainter::paintNoteOverlays(model::Tick t0, model::Tick t1) {
    if (!m_scene.noteOverlays || m_scene.noteOverlays->empty())
        return;
    m_p.save();
    m_p.setRenderHint(QPainter::Antialiasing, true);
    const int lowest = m_geometry.lowestVisiblePitch();
    const int highest = m_geometry.highestVisiblePitch();
    // Faint layers first, the emphasised one on top.
    for (int pass = 0; pass < 2; ++pass) {
        for (const NoteOverlay& layer : *m_scene.noteOverlays) {
            if (layer.emphasised != (pass == 1))
                continue;
            QColor fill = layer.colour;
            fill.setAlpha(layer.emphasised ? 110 : 40);
            QColor line = layer.colour;
            line.setAlpha(layer.emphasised ? 255 : 120);
            QPen pen(line, layer.emphasised ? 1.6 : 1.0, Qt::DashLine);
            m_p.setPen(pen);
            m_p.setBrush(fill);
            for (const model::Note& n : layer.notes) {
                if (n.start >= t1 || n.end() <= t0 || n.pitch < lowest || n.pitch > highest)
                    continue;
                const QRectF r = m_geometry.noteRect(n).adjusted(0.5, 0.5, -0.5, -1.5);
                m_p.drawRoundedRect(r, 2.0, 2.0);
            }
        }
    }
    m_p.restore();
}

// The note being drawn, the rubber band and the playhead, over everything.
void PianoRollPainter::paintGestureMarks(const QRect& dirty) {
    const QColor highlight = m_scene.highlight;
    if (const model::Note* drawn = m_scene.drawnNote) {
        const QRectF r = m_geometry.noteRect(*drawn).adjusted(0.5, 0.5, -0.5, -1.5);
        const model::Track* track = m_scene.song && m_scene.activeTrack != model::kNoTrack
                                        ? m_scene.song->track(m_scene.activeTrack)
                                        : nullptr;
        QColor fill = m_scene.colourByVelocity
                          ? velocityColour(drawn->velocity)
                          : QColor::fromRgb(track ? track->properties.colour : 0x4a90d9);
        fill.setAlpha(200);
        m_p.setRenderHint(QPainter::Antialiasing, true);
        m_p.setPen(QPen(highlight.lighter(140), 1.5, Qt::DashLine));
        m_p.setBrush(fill);
        m_p.drawRoundedRect(r, 2.0, 2.0);
        m_p.setRenderHint(QPainter::Antialiasing, false);
    }
    if (!m_scene.rubberBand.isEmpty()) {
        QColor fill = highlight;
        fill.setAlpha(40);
        m_p.setPen(QPen(highlight, 1.0));
        m_p.setBrush(fill);
        m_p.drawRect(m_scene.rubberBand.adjusted(0, 0, -1, -1));
    }
    const int x = int(std::lround(m_geometry.tickToX(double(m_scene.playhead))));
    if (x >= dirty.left() - 1 && x <= dirty.right() + 1 && m_scene.song)
        m_p.fillRect(QRect(x, dirty.top(), 2, dirty.height()), m_colours.playhead);
}

// --- Ruler, keyboard, velocity lane ----------------------------------------------------------

void PianoRollPainter::paintRuler(const QRect& dirty) {
    m_p.save();
    m_p.setClipRect(dirty);
    const QRect ruler(kKeyboardWidth, 0, int(m_geometry.noteArea().width()), kRulerHeight);
    m_p.fillRect(ruler, m_colours.rulerBackground);
    m_p.fillRect(QRect(ruler.left(), ruler.bottom(), ruler.width(), 1), m_colours.barLine);

    if (m_scene.song) {
        const model::Tick t0 =
            std::max<model::Tick>(0, model::Tick(std::floor(m_geometry.xToTick(dirty.left()))));
        const model::Tick t1 = model::Tick(std::ceil(m_geometry.xToTick(dirty.right() + 1))) + 1;
        if (hasLoop()) {
            const int x0 = int(std::lround(m_geometry.tickToX(double(m_scene.loopStart))));
            const int x1 = int(std::lround(m_geometry.tickToX(double(m_scene.loopEnd))));
            QColor band = m_scene.highlight;
            band.setAlpha(150);
            m_p.fillRect(QRect(x0, kRulerHeight - 9, x1 - x0, 8), band);
            m_p.fillRect(QRect(x0, 0, 1, kRulerHeight), band);
            m_p.fillRect(QRect(x1 - 1, 0, 1, kRulerHeight), band);
        }
        paintBarMarks(t0, t1);
        paintPlayheadHandle();
    }
    m_p.restore();
}

// Bar lines with their numbers and time signatures, and beat ticks.
void PianoRollPainter::paintBarMarks(model::Tick t0, model::Tick t1) {
    const model::TempoMap& map = m_scene.song->tempoMap();
    QFont barFont = m_scene.font;
    barFont.setPixelSize(11);
    barFont.setBold(true);
    QFont signatureFont = m_scene.font;
    signatureFont.setPixelSize(10);
    const QColor signatureColour = m_scene.highlight.lighter(130);

    // Label every n-th bar so labels never collide; n is a power of two so the labelled
    // bars stay put while zooming.
    const model::TimeSignature ts0 = map.timeSignatureAt(t0);
    const double barPixels = double(map.ticksPerBar(ts0)) * m_geometry.pixelsPerTick();
    std::int64_t every = 1;
    while (barPixels * double(every) < kMinLabelledBarPixels && every < (1 << 20))
        every *= 2;

    // Start a bar early: a label belongs to the bar line left of the dirty rectangle.
    for (std::int64_t bar = std::max<std::int64_t>(0, map.barAtTick(t0) - 1);; ++bar) {
        const model::Tick barTick = map.barToTick(bar);
        if (barTick >= t1)
            break;
        const model::Tick nextBar = map.barToTick(bar + 1);
        const model::TimeSignature ts = map.timeSignatureAt(barTick);
        const model::Tick beat = std::max<model::Tick>(1, map.ticksPerBeat(ts));
        const int x = int(std::lround(m_geometry.tickToX(double(barTick))));
        const bool labelled = bar % every == 0;
        const bool signatureChange =
            ts.tick == barTick && (barTick > 0 || ts.numerator != 4 || ts.denominator != 4);

        m_p.fillRect(
            QRect(x, labelled ? 2 : kRulerHeight - 10, 1, labelled ? kRulerHeight - 2 : 10),
            m_colours.rulerTick);
        if (double(beat) * m_geometry.pixelsPerTick() >= 8.0) {
            for (model::Tick t = barTick + beat; t < nextBar; t += beat) {
                const int bx = int(std::lround(m_geometry.tickToX(double(t))));
                m_p.fillRect(QRect(bx, kRulerHeight - 5, 1, 5), m_colours.rulerTick);
            }
        }
        int textX = x + 4;
        if (labelled) {
            m_p.setFont(barFont);
            m_p.setPen(m_colours.rulerText);
            const QString label = QString::number(bar + 1); // bars are 1-based for people
            m_p.drawText(QPoint(textX, 14), label);
            textX += QFontMetrics(barFont).horizontalAdvance(label) + 5;
        }
        if (signatureChange && (labelled || barPixels >= 24)) {
            m_p.setFont(signatureFont);
            m_p.setPen(signatureColour);
            m_p.drawText(QPoint(textX, 14),
                         QStringLiteral("%1/%2").arg(ts.numerator).arg(ts.denominator));
        }
    }
}

// The playhead's handle: a small triangle pointing down at the line.
void PianoRollPainter::paintPlayheadHandle() {
    const double px = m_geometry.tickToX(double(m_scene.playhead)) + 1.0;
    QPainterPath handle;
    handle.moveTo(px - 6, kRulerHeight - 11);
    handle.lineTo(px + 6, kRulerHeight - 11);
    handle.lineTo(px, kRulerHeight - 1);
    handle.closeSubpath();
    m_p.setRenderHint(QPainter::Antialiasing, true);
    m_p.fillPath(handle, m_colours.playhead);
    m_p.setRenderHint(QPainter::Antialiasing, false);
}

void PianoRollPainter::paintKeyboard(const QRect& dirty) {
    m_p.save();
    m_p.setClipRect(dirty);
    const QRect strip(0, kRulerHeight, kKeyboardWidth, int(m_geometry.noteArea().height()));
    m_p.fillRect(strip, m_colours.whiteKey);

    const int blackWidth = int(kKeyboardWidth * 0.6);
    const int top = std::clamp(m_geometry.yToPitch(dirty.top()), 0, 127);
    const int bottom = std::clamp(m_geometry.yToPitch(dirty.bottom()), 0, 127);
    QFont labelFont = m_scene.font;
    labelFont.setPixelSize(std::clamp(int(m_geometry.keyHeight()) - 2, 7, 10));
    m_p.setFont(labelFont);
    const QColor pressed = m_scene.highlight;
    const bool scale = m_scene.scaleMask != 0;

    for (int pitch = bottom; pitch <= top; ++pitch) {
        const int y0 = int(std::lround(m_geometry.pitchToY(pitch)));
        const int y1 = int(std::lround(m_geometry.pitchToY(pitch - 1)));
        const int note = pitch % 12;
        if (isBlackKey(pitch)) {
            m_p.fillRect(QRect(0, y0, blackWidth, y1 - y0),
                         pitch == m_scene.pressedKey ? pressed : m_colours.blackKey);
            // The seam between the two white keys runs behind the middle of a black key.
            m_p.fillRect(QRect(blackWidth, (y0 + y1) / 2, kKeyboardWidth - blackWidth, 1),
                         m_colours.keyBorder);
        } else {
            if (pitch == m_scene.pressedKey)
                m_p.fillRect(QRect(0, y0, kKeyboardWidth, y1 - y0), pressed.lighter(150));
            if (note == 0 || note == 5) // B|C and E|F meet without a black key between them.
                m_p.fillRect(QRect(0, y1 - 1, kKeyboardWidth, 1), m_colours.keyBorder);
        }
        if (scale && inScale(pitch)) {
            // A dot at the key's edge marks the notes of the highlighted scale.
            const bool root = (pitch - m_scene.scaleRoot) % 12 == 0;
            const int d = std::clamp(int(m_geometry.keyHeight()) / 2, 3, 6);
            m_p.setRenderHint(QPainter::Antialiasing, true);
            m_p.setPen(Qt::NoPen);
            m_p.setBrush(root ? pressed : pressed.lighter(160));
            m_p.drawEllipse(QRectF(kKeyboardWidth - d - 4, (y0 + y1) / 2.0 - d / 2.0, d, d));
            m_p.setRenderHint(QPainter::Antialiasing, false);
        }
        if (note == 0 && y1 - y0 >= 6) {
            m_p.setPen(m_colours.keyText);
            m_p.drawText(QRect(0, y0, kKeyboardWidth - (scale ? 12 : 5), y1 - y0),
                         Qt::AlignRight | Qt::AlignVCenter, project::gm::pitchName(pitch));
        }
    }
    m_p.fillRect(QRect(kKeyboardWidth - 1, strip.top(), 1, strip.height()), m_colours.barLine);
    m_p.restore();
}

void PianoRollPainter::paintVelocityLane(const QRect& dirty) {
    m_p.save();
    m_p.setClipRect(dirty);
    const VelocityLane& velocity = m_scene.velocityLane;
    const QRect lane = velocity.rect;
    const QRect label(0, lane.top(), kKeyboardWidth, lane.height());
    m_p.fillRect(lane, m_colours.blackKeyRow);
    m_p.fillRect(label, m_colours.rulerBackground);
    m_p.fillRect(QRect(0, lane.top(), lane.right() + 1, 1), m_colours.barLine);
    m_p.fillRect(QRect(kKeyboardWidth - 1, lane.top(), 1, lane.height()), m_colours.barLine);

    QFont small = m_scene.font;
    small.setPixelSize(10);
    m_p.setFont(small);
    m_p.setPen(m_colours.rulerText);
    m_p.drawText(label.adjusted(6, 4, -4, -4), Qt::AlignLeft | Qt::AlignBottom, tr("Velocity"));
    for (int v : {32, 64, 96, 127}) {
        const int y = int(std::lround(velocity.velocityToY(v)));
        m_p.fillRect(QRect(lane.left(), y, lane.width(), 1),
                     v == 64 ? m_colours.beatLine : m_colours.subBeatLine);
        if (v == 64 || v == 127) {
            m_p.setPen(m_colours.rulerTick);
            m_p.drawText(QRect(0, y - 6, kKeyboardWidth - 6, 12), Qt::AlignRight | Qt::AlignVCenter,
                         QString::number(v));
        }
    }

    const model::Track* track = m_scene.song && m_scene.activeTrack != model::kNoTrack
                                    ? m_scene.song->track(m_scene.activeTrack)
                                    : nullptr;
    if (track)
        paintVelocityStems(*track, dirty);
    const int x = int(std::lround(m_geometry.tickToX(double(m_scene.playhead))));
    if (x >= lane.left())
        m_p.fillRect(QRect(x, lane.top(), 2, lane.height()), m_colours.playhead);
    if (m_scene.velocityLine) {
        m_p.setRenderHint(QPainter::Antialiasing, true);
        m_p.setPen(QPen(m_scene.highlight.lighter(140), 2.0));
        m_p.drawLine(*m_scene.velocityLine);
        m_p.setRenderHint(QPainter::Antialiasing, false);
    }
    m_p.restore();
}

void PianoRollPainter::paintVelocityStems(const model::Track& track, const QRect& dirty) {
    const VelocityLane& velocity = m_scene.velocityLane;
    const QRect lane = velocity.rect;
    const std::set<model::NoteId>& selection = *m_scene.selection;
    m_p.setClipRect(dirty & lane);
    const model::Tick t0 = std::max<model::Tick>(
        0, model::Tick(std::floor(m_geometry.xToTick(std::max(dirty.left(), lane.left()) - 6))));
    const model::Tick t1 = model::Tick(std::ceil(m_geometry.xToTick(dirty.right() + 6))) + 1;
    const int base = int(std::lround(velocity.velocityToY(0)));
    const QColor selectedColour = m_scene.highlight.lighter(130);
    // Round heads when there is room for them; zoomed out, plain stems (cheap and clearer).
    const bool heads = m_geometry.pixelsPerQuarter() >= 12.0;
    m_p.setPen(Qt::NoPen);
    // Starts only: a note that began before t0 has its stem off to the left.
    track.forEachNoteInRange(t0, t1, [&](const model::Note& n) {
        if (n.start < t0)
            return;
        const int x = int(std::lround(m_geometry.tickToX(double(n.start))));
        const int y = int(std::lround(velocity.velocityToY(n.velocity)));
        const bool selected = !selection.empty() && selection.count(n.id) > 0;
        const QColor c = selected ? selectedColour : fillColour(track, n);
        m_p.fillRect(QRect(x, y, 2, base - y), c);
        if (heads) {
            const double r = m_geometry.pixelsPerQuarter() < 24.0 ? (selected ? 3.0 : 2.5)
                                                                  : (selected ? 4.0 : 3.0);
            m_p.setRenderHint(QPainter::Antialiasing, true);
            m_p.setBrush(c);
            m_p.drawEllipse(QPointF(x + 1, y), r, r);
            m_p.setRenderHint(QPainter::Antialiasing, false);
        }
    });
}

void PianoRollPainter::paintCorner() {
    const QRect corner(0, 0, kKeyboardWidth, kRulerHeight);
    m_p.fillRect(corner, m_colours.rulerBackground);
    m_p.fillRect(QRect(0, kRulerHeight - 1, kKeyboardWidth, 1), m_colours.barLine);
    m_p.fillRect(QRect(kKeyboardWidth - 1, 0, 1, kRulerHeight), m_colours.barLine);
    if (!m_scene.song)
        return;
    QFont f = m_scene.font;
    f.setPixelSize(10);
    m_p.setFont(f);
    m_p.setPen(m_colours.rulerText);
    const model::TimeSignature ts = m_scene.song->tempoMap().timeSignatureAt(0);
    const double bpm = m_scene.song->tempoMap().bpmAt(0);
    m_p.drawText(corner.adjusted(0, 0, -1, -1), Qt::AlignCenter,
                 QStringLiteral("%1/%2 \u2669%3")
                     .arg(ts.numerator)
                     .arg(ts.denominator)
                     .arg(QString::number(bpm, 'f', bpm == std::round(bpm) ? 0 : 1)));
}

QString PianoRollPainter::emptyHint(const model::Song* song, bool drawing, bool overlays) {
    // A new window holds an untitled song with one empty track: that is "empty" too, and the
    // moment a user most needs to be told what to do.
    if ((song && song->noteCount() > 0) || drawing || overlays)
        return {};
    return tr("Open or drop a MIDI file\n"
              "File \u203a Open (Ctrl+O), or drag one here.\n"
              "Or draw notes with the Draw tool (2).");
}

void PianoRollPainter::paintEmptyHint() {
    const QString hint = emptyHint(m_scene.song, m_scene.drawnNote != nullptr,
                                   m_scene.noteOverlays && !m_scene.noteOverlays->empty());
    if (hint.isEmpty())
        return;
    const QRectF area = m_geometry.noteArea();
    QFont title = m_scene.font;
    title.setPointSizeF(title.pointSizeF() * 1.6);
    title.setBold(true);
    const QString first = hint.section(QLatin1Char('\n'), 0, 0);
    const QString rest = hint.section(QLatin1Char('\n'), 1);
    const QFontMetricsF titleMetrics(title);
    const QFontMetricsF restMetrics(m_scene.font);
    const double height = titleMetrics.height() + 8 + restMetrics.height() * 2;
    const QRectF titleRect(area.left(), area.center().y() - height / 2, area.width(),
                           titleMetrics.height());
    m_p.setFont(title);
    m_p.setPen(m_colours.emptyText.lighter(135));
    m_p.drawText(titleRect, Qt::AlignCenter, first);
    m_p.setFont(m_scene.font);
    m_p.setPen(m_colours.emptyText);
    m_p.drawText(QRectF(area.left(), titleRect.bottom() + 8, area.width(), height),
                 Qt::AlignHCenter | Qt::AlignTop, rest);
}

} // namespace torchestra::ui
