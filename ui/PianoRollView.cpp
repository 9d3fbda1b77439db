#include "PianoRollView.h"

#include "GeneralMidi.h"

#include <QFontMetrics>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

namespace {

constexpr double kWheelZoomBase = 1.0015;  // per 1/8 degree: one notch (120) zooms by ~20%
constexpr double kKeyZoomFactor = 1.25;
constexpr double kFitMinPixelsPerQuarter = 12.0;
constexpr double kFitMaxPixelsPerQuarter = 96.0;
constexpr double kFitMinKeyHeight = 8.0;
constexpr double kFitMaxKeyHeight = 18.0;
constexpr double kDefaultKeyHeight = 12.0;
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
    return QColor::fromRgbF(float(a.redF() * u + b.redF() * t), float(a.greenF() * u + b.greenF() * t),
                            float(a.blueF() * u + b.blueF() * t));
}

}  // namespace

PianoRollView::PianoRollView(QWidget* parent)
    : QAbstractScrollArea(parent), m_colours(theme::pianoRollColours()) {
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    // Everything is painted by paintEvent; nothing the system would fill first.
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setMouseTracking(true);
    m_geometry.setKeyHeight(kDefaultKeyHeight);
    updateNoteArea();
    centreOnPitch(60);
}

PianoRollView::~PianoRollView() {
    if (m_song)
        m_song->removeListener(this);
}

void PianoRollView::setSong(model::Song* song) {
    if (song == m_song)
        return;
    if (m_song)
        m_song->removeListener(this);
    m_song = song;
    if (m_song)
        m_song->addListener(this);
    songReloaded();
}

void PianoRollView::setColours(const PianoRollColours& colours) {
    m_colours = colours;
    viewport()->update();
}

void PianoRollView::setActiveTrack(model::TrackId track) {
    if (track == m_activeTrack)
        return;
    m_activeTrack = track;
    viewport()->update();
}

void PianoRollView::setPixelsPerQuarter(double pixels) {
    m_geometry.setPixelsPerQuarter(pixels);
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::setKeyHeight(double pixels) {
    m_geometry.setKeyHeight(pixels);
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::zoomHorizontally(double factor) {
    m_geometry.zoomHorizontally(factor, m_geometry.noteArea().center().x());
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::zoomVertically(double factor) {
    m_geometry.zoomVertically(factor, m_geometry.noteArea().center().y());
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::zoomToFit() {
    m_fitPending = true;
    applyPendingFit();
}

void PianoRollView::applyPendingFit() {
    const QRectF area = m_geometry.noteArea();
    // Before the first show the viewport has a placeholder size; fitting to it would be wrong.
    if (!m_fitPending || !isVisible() || area.width() < 16 || area.height() < 16)
        return;
    m_fitPending = false;

    int lowest = 128, highest = -1;
    model::Tick end = 0;
    if (m_song) {
        for (const model::Track& track : m_song->tracks()) {
            for (const model::Note& n : track.notes()) {
                lowest = std::min<int>(lowest, n.pitch);
                highest = std::max<int>(highest, n.pitch);
            }
        }
        end = m_song->endTick();
    }

    const double quarters = std::max(1.0, double(end) / m_geometry.ppq());
    m_geometry.setPixelsPerQuarter(std::clamp(area.width() / (quarters * 1.02),
                                              kFitMinPixelsPerQuarter, kFitMaxPixelsPerQuarter));
    double centre = 60.0;
    if (highest >= lowest) {
        const int rows = highest - lowest + 1 + 6;  // a little air above and below
        m_geometry.setKeyHeight(
            std::clamp(std::floor(area.height() / rows), kFitMinKeyHeight, kFitMaxKeyHeight));
        centre = (lowest + highest) / 2.0;
    } else {
        m_geometry.setKeyHeight(kDefaultKeyHeight);
    }
    m_geometry.setScroll(0.0, m_geometry.scrollY());
    centreOnPitch(centre);
    emit zoomChanged();
}

void PianoRollView::centreOnPitch(double pitch) {
    const double rowCentre =
        (PianoRollGeometry::kPitchCount - 1 - pitch) * m_geometry.keyHeight() +
        m_geometry.keyHeight() / 2.0;
    m_geometry.setScroll(m_geometry.scrollX(), rowCentre - m_geometry.noteArea().height() / 2.0);
    updateScrollBars();
    viewport()->update();
}

QColor PianoRollView::noteFillColour(const model::Track& track, const model::Note& note) const {
    const QColor base = QColor::fromRgb(track.properties.colour);
    // Velocity 127 is the track colour itself; softer notes fade towards the background, but
    // never so far that a pianissimo note disappears.
    double strength = 0.45 + 0.55 * std::clamp(int(note.velocity), 1, 127) / 127.0;
    if (m_activeTrack != model::kNoTrack && track.id() != m_activeTrack)
        strength *= 0.45;
    return mix(m_colours.background, base, strength);
}

// --- Layout and scrolling ----------------------------------------------------------------

void PianoRollView::updateNoteArea() {
    const QSize size = viewport()->size();
    m_geometry.setNoteArea(QRectF(kKeyboardWidth, kRulerHeight,
                                  std::max(0, size.width() - kKeyboardWidth),
                                  std::max(0, size.height() - kRulerHeight)));
}

model::Tick PianoRollView::contentEndTick() const {
    if (!m_song)
        return 0;
    const model::TempoMap& map = m_song->tempoMap();
    const model::Tick end = m_song->endTick();
    // One bar of room after the last note, so the end of the song is visibly the end.
    return end + map.ticksPerBar(map.timeSignatureAt(end));
}

void PianoRollView::updateScrollBars() {
    const QRectF area = m_geometry.noteArea();
    const double wantX = m_geometry.scrollX();
    const double wantY = m_geometry.scrollY();

    const int hMax =
        std::max(0, int(std::ceil(m_geometry.contentWidth(contentEndTick()) - area.width())));
    const int vMax = std::max(0, int(std::ceil(m_geometry.contentHeight() - area.height())));

    QScrollBar* h = horizontalScrollBar();
    QScrollBar* v = verticalScrollBar();
    {
        // scrollContentsBy would copy half-updated bar values into the geometry.
        const QSignalBlocker blockH(h);
        const QSignalBlocker blockV(v);
        h->setRange(0, hMax);
        h->setPageStep(std::max(1, int(area.width())));
        h->setSingleStep(std::max(1, int(m_geometry.pixelsPerQuarter() / 2)));
        h->setValue(int(std::lround(std::clamp(wantX, 0.0, double(hMax)))));
        v->setRange(0, vMax);
        v->setPageStep(std::max(1, int(area.height())));
        v->setSingleStep(std::max(1, int(m_geometry.keyHeight() * 2)));
        v->setValue(int(std::lround(std::clamp(wantY, 0.0, double(vMax)))));
    }
    m_geometry.setScroll(h->value(), v->value());
}

void PianoRollView::scrollContentsBy(int, int) {
    m_geometry.setScroll(horizontalScrollBar()->value(), verticalScrollBar()->value());
    viewport()->update();
}

void PianoRollView::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    updateNoteArea();
    applyPendingFit();
    updateScrollBars();
}

bool PianoRollView::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    if (event->type() == QEvent::Show)
        applyPendingFit();
    return QAbstractScrollArea::viewportEvent(event);
}

void PianoRollView::wheelEvent(QWheelEvent* event) {
    const QPoint angle = event->angleDelta();
    // Some platforms turn Shift+wheel into a horizontal delta; take whichever axis moved.
    const int delta = angle.y() != 0 ? angle.y() : angle.x();
    const Qt::KeyboardModifiers mods = event->modifiers();
    const QPointF pos = event->position();

    if (mods & Qt::ControlModifier) {
        const double factor = std::pow(kWheelZoomBase, delta);
        if (mods & Qt::ShiftModifier)
            m_geometry.zoomVertically(factor, pos.y());
        else
            m_geometry.zoomHorizontally(factor, pos.x());
        updateScrollBars();
        viewport()->update();
        emit zoomChanged();
        event->accept();
        return;
    }
    QScrollBar* bar = (mods & Qt::ShiftModifier) ? horizontalScrollBar() : verticalScrollBar();
    bar->setValue(bar->value() - delta * bar->singleStep() / 40);
    event->accept();
}

void PianoRollView::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomHorizontally(kKeyZoomFactor);
        return;
    case Qt::Key_Minus:
    case Qt::Key_Underscore:
        zoomHorizontally(1.0 / kKeyZoomFactor);
        return;
    case Qt::Key_0:
        zoomToFit();
        return;
    default:
        break;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

// --- Song notifications --------------------------------------------------------------------

void PianoRollView::repaintNote(const model::Note& note) {
    const QRect rect = m_geometry.noteRect(note).toAlignedRect().adjusted(-2, -2, 2, 2);
    const QRect visible = rect & m_geometry.noteArea().toAlignedRect();
    if (!visible.isEmpty())
        viewport()->update(visible);
}

void PianoRollView::notesAdded(model::TrackId, const std::vector<model::Note>& notes) {
    updateScrollBars();  // the song may have grown
    for (const model::Note& n : notes)
        repaintNote(n);
}

void PianoRollView::notesRemoved(model::TrackId, const std::vector<model::Note>& notes) {
    updateScrollBars();
    for (const model::Note& n : notes)
        repaintNote(n);
}

void PianoRollView::notesChanged(model::TrackId, const std::vector<model::NoteChange>& changes) {
    updateScrollBars();
    for (const model::NoteChange& c : changes) {
        repaintNote(c.before);
        repaintNote(c.after);
    }
}

void PianoRollView::tracksChanged() {
    if (m_song && m_activeTrack != model::kNoTrack && !m_song->track(m_activeTrack))
        m_activeTrack = model::kNoTrack;
    updateScrollBars();
    viewport()->update();
}

void PianoRollView::tempoMapChanged() {
    if (m_song)
        m_geometry.setPpq(m_song->ppq());
    updateScrollBars();
    viewport()->update();
}

void PianoRollView::songReloaded() {
    m_activeTrack = model::kNoTrack;
    m_geometry.setPpq(m_song ? m_song->ppq() : 480);
    zoomToFit();
    updateScrollBars();
    viewport()->update();
}

QString PianoRollView::toolTipAt(const QPoint& pos) const {
    if (!m_song || !m_geometry.noteArea().contains(pos))
        return {};
    const int pitch = m_geometry.yToPitch(pos.y());
    const model::Tick tick = model::Tick(std::floor(m_geometry.xToTick(pos.x())));
    const model::Note* hit = nullptr;
    const model::Track* hitTrack = nullptr;
    // Topmost first: the active track is painted last, so it wins; then later tracks.
    for (auto it = m_song->tracks().rbegin(); it != m_song->tracks().rend(); ++it) {
        it->forEachNoteInRange(tick, tick + 1, [&](const model::Note& n) {
            if (n.pitch == pitch && (!hit || it->id() == m_activeTrack)) {
                hit = &n;
                hitTrack = &*it;
            }
        });
    }
    if (!hit)
        return {};
    const model::TempoMap& map = m_song->tempoMap();
    const QString trackName = hitTrack->properties.name.empty()
                                  ? tr("Track %1").arg(m_song->trackIndex(hitTrack->id()) + 1)
                                  : QString::fromStdString(hitTrack->properties.name);
    return tr("<b>%1</b> &middot; %2<br>Start %3 &middot; length %4 ticks &middot; velocity %5")
        .arg(gm::pitchName(hit->pitch), trackName.toHtmlEscaped(),
             QString::fromStdString(map.tickToBarBeatTick(hit->start).toString()))
        .arg(hit->length)
        .arg(hit->velocity);
}

// --- Painting --------------------------------------------------------------------------------

void PianoRollView::paintEvent(QPaintEvent* event) {
    QPainter p(viewport());
    const QRect dirty = event->rect();
    const QRect noteArea = m_geometry.noteArea().toAlignedRect();

    if (dirty.intersects(noteArea))
        paintNoteArea(p, dirty & noteArea);
    const QRect ruler(kKeyboardWidth, 0, noteArea.width(), kRulerHeight);
    if (dirty.intersects(ruler))
        paintRuler(p, dirty & ruler);
    const QRect keyboard(0, kRulerHeight, kKeyboardWidth, noteArea.height());
    if (dirty.intersects(keyboard))
        paintKeyboard(p, dirty & keyboard);
    if (dirty.intersects(QRect(0, 0, kKeyboardWidth, kRulerHeight)))
        paintCorner(p);
    if (!m_song || m_song->trackCount() == 0)
        paintEmptyHint(p);
}

void PianoRollView::paintNoteArea(QPainter& p, const QRect& dirty) {
    p.save();
    p.setClipRect(dirty);

    // Rows: black-key rows darker, a line between each B and C.
    const int top = std::clamp(m_geometry.yToPitch(dirty.top()), 0, 127);
    const int bottom = std::clamp(m_geometry.yToPitch(dirty.bottom()), 0, 127);
    p.fillRect(dirty, m_colours.blackKeyRow);  // also what shows beyond pitch 0 and 127
    for (int pitch = bottom; pitch <= top; ++pitch) {
        const int y0 = int(std::lround(m_geometry.pitchToY(pitch)));
        const int y1 = int(std::lround(m_geometry.pitchToY(pitch - 1)));
        const QRect row(dirty.left(), y0, dirty.width(), y1 - y0);
        p.fillRect(row, isBlackKey(pitch) ? m_colours.blackKeyRow : m_colours.background);
        if (pitch % 12 == 0)
            p.fillRect(QRect(dirty.left(), y1 - 1, dirty.width(), 1), m_colours.octaveLine);
    }

    const model::Tick t0 =
        std::max<model::Tick>(0, model::Tick(std::floor(m_geometry.xToTick(dirty.left()))));
    const model::Tick t1 = model::Tick(std::ceil(m_geometry.xToTick(dirty.right() + 1))) + 1;
    if (m_song) {
        paintGrid(p, t0, t1, dirty);
        // Past the song's end: shaded, so the end is visible at a glance.
        const double endX = m_geometry.tickToX(double(m_song->endTick()));
        if (endX < dirty.right() + 1) {
            const int x = std::max(dirty.left(), int(std::lround(endX)));
            p.fillRect(QRect(x, dirty.top(), dirty.right() + 1 - x, dirty.height()),
                       m_colours.afterEnd);
        }
        paintNotes(p, t0, t1);
    }
    p.restore();
}

void PianoRollView::paintGrid(QPainter& p, model::Tick t0, model::Tick t1, const QRect& area) {
    const model::TempoMap& map = m_song->tempoMap();
    const double beatPixelsMin = 6.0;
    for (std::int64_t bar = map.barAtTick(t0);; ++bar) {
        const model::Tick barTick = map.barToTick(bar);
        if (barTick >= t1)
            break;
        const model::Tick nextBar = map.barToTick(bar + 1);
        const model::TimeSignature ts = map.timeSignatureAt(barTick);
        const model::Tick beat = std::max<model::Tick>(1, map.ticksPerBeat(ts));
        const double beatPixels = double(beat) * m_geometry.pixelsPerTick();
        // Sixteenths when there is room, else just beats, else just bars.
        const model::Tick sub = beatPixels >= 48.0 ? std::max<model::Tick>(1, beat / 4) : beat;
        if (beatPixels >= beatPixelsMin) {
            for (model::Tick t = barTick + sub; t < nextBar; t += sub) {
                if (t < t0 - sub || t > t1)
                    continue;
                const bool onBeat = (t - barTick) % beat == 0;
                const int x = int(std::lround(m_geometry.tickToX(double(t))));
                p.fillRect(QRect(x, area.top(), 1, area.height()),
                           onBeat ? m_colours.beatLine : m_colours.subBeatLine);
            }
        }
        const int x = int(std::lround(m_geometry.tickToX(double(barTick))));
        p.fillRect(QRect(x, area.top(), 1, area.height()), m_colours.barLine);
    }
}

void PianoRollView::paintNotes(QPainter& p, model::Tick t0, model::Tick t1) {
    const int lowest = m_geometry.lowestVisiblePitch();
    const int highest = m_geometry.highestVisiblePitch();
    QFont labelFont = font();
    labelFont.setPixelSize(std::clamp(int(m_geometry.keyHeight()) - 3, 7, 11));
    const QFontMetrics labelMetrics(labelFont);
    p.setFont(labelFont);

    auto paintTrack = [&](const model::Track& track) {
        // Labels only where they help: on every track, or on the active one when there is one.
        const bool labels = m_activeTrack == model::kNoTrack || track.id() == m_activeTrack;
        const QColor border = QColor::fromRgb(track.properties.colour).darker(170);
        track.forEachNoteInRange(t0, t1, [&](const model::Note& n) {
            if (n.pitch < lowest || n.pitch > highest)
                return;
            const int x0 = int(std::lround(m_geometry.tickToX(double(n.start))));
            const int x1 = int(std::lround(m_geometry.tickToX(double(n.end()))));
            const int y0 = int(std::lround(m_geometry.pitchToY(n.pitch)));
            const int y1 = int(std::lround(m_geometry.pitchToY(n.pitch - 1)));
            // One pixel of row gap below each note keeps stacked notes apart.
            const QRect r(x0, y0, std::max(2, x1 - x0), std::max(2, y1 - y0 - 1));
            const QColor fill = noteFillColour(track, n);
            if (r.width() >= 4 && r.height() >= 4) {
                p.setRenderHint(QPainter::Antialiasing, true);
                p.setPen(QPen(border, 1.0));
                p.setBrush(fill);
                p.drawRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 2.0, 2.0);
                p.setRenderHint(QPainter::Antialiasing, false);
            } else {
                p.fillRect(r, fill);
            }
            if (labels && r.width() >= 34 && r.height() >= 10) {
                p.setPen(fill.lightnessF() > 0.55 ? QColor(0, 0, 0, 170)
                                                  : QColor(255, 255, 255, 210));
                const QRect text = r.adjusted(4, 0, -2, 0);
                p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                           labelMetrics.elidedText(gm::pitchName(n.pitch), Qt::ElideRight,
                                                   text.width()));
            }
        });
    };

    const model::Track* active = nullptr;
    for (const model::Track& track : m_song->tracks()) {
        if (track.id() == m_activeTrack)
            active = &track;
        else
            paintTrack(track);
    }
    if (active)
        paintTrack(*active);
}

void PianoRollView::paintRuler(QPainter& p, const QRect& dirty) {
    p.save();
    p.setClipRect(dirty);
    const QRect ruler(kKeyboardWidth, 0, int(m_geometry.noteArea().width()), kRulerHeight);
    p.fillRect(ruler, m_colours.rulerBackground);
    p.fillRect(QRect(ruler.left(), ruler.bottom(), ruler.width(), 1), m_colours.barLine);

    if (m_song) {
        const model::TempoMap& map = m_song->tempoMap();
        const model::Tick t0 =
            std::max<model::Tick>(0, model::Tick(std::floor(m_geometry.xToTick(dirty.left()))));
        const model::Tick t1 = model::Tick(std::ceil(m_geometry.xToTick(dirty.right() + 1))) + 1;

        QFont barFont = font();
        barFont.setPixelSize(11);
        barFont.setBold(true);
        QFont signatureFont = font();
        signatureFont.setPixelSize(10);
        const QColor signatureColour = palette().color(QPalette::Highlight).lighter(130);

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
            const bool signatureChange = ts.tick == barTick && (barTick > 0 || ts.numerator != 4 ||
                                                                ts.denominator != 4);

            p.fillRect(QRect(x, labelled ? 2 : kRulerHeight - 10, 1,
                             labelled ? kRulerHeight - 2 : 10),
                       m_colours.rulerTick);
            if (double(beat) * m_geometry.pixelsPerTick() >= 8.0) {
                for (model::Tick t = barTick + beat; t < nextBar; t += beat) {
                    const int bx = int(std::lround(m_geometry.tickToX(double(t))));
                    p.fillRect(QRect(bx, kRulerHeight - 5, 1, 5), m_colours.rulerTick);
                }
            }
            int textX = x + 4;
            if (labelled) {
                p.setFont(barFont);
                p.setPen(m_colours.rulerText);
                const QString label = QString::number(bar + 1);  // bars are 1-based for people
                p.drawText(QPoint(textX, 14), label);
                textX += QFontMetrics(barFont).horizontalAdvance(label) + 5;
            }
            if (signatureChange && (labelled || barPixels >= 24)) {
                p.setFont(signatureFont);
                p.setPen(signatureColour);
                p.drawText(QPoint(textX, 14),
                           QStringLiteral("%1/%2").arg(ts.numerator).arg(ts.denominator));
            }
        }
    }
    p.restore();
}

void PianoRollView::paintKeyboard(QPainter& p, const QRect& dirty) {
    p.save();
    p.setClipRect(dirty);
    const QRect strip(0, kRulerHeight, kKeyboardWidth, int(m_geometry.noteArea().height()));
    p.fillRect(strip, m_colours.whiteKey);

    const int blackWidth = int(kKeyboardWidth * 0.6);
    const int top = std::clamp(m_geometry.yToPitch(dirty.top()), 0, 127);
    const int bottom = std::clamp(m_geometry.yToPitch(dirty.bottom()), 0, 127);
    QFont labelFont = font();
    labelFont.setPixelSize(std::clamp(int(m_geometry.keyHeight()) - 2, 7, 10));
    p.setFont(labelFont);

    for (int pitch = bottom; pitch <= top; ++pitch) {
        const int y0 = int(std::lround(m_geometry.pitchToY(pitch)));
        const int y1 = int(std::lround(m_geometry.pitchToY(pitch - 1)));
        const int note = pitch % 12;
        if (isBlackKey(pitch)) {
            p.fillRect(QRect(0, y0, blackWidth, y1 - y0), m_colours.blackKey);
            // The seam between the two white keys runs behind the middle of a black key.
            p.fillRect(QRect(blackWidth, (y0 + y1) / 2, kKeyboardWidth - blackWidth, 1),
                       m_colours.keyBorder);
        } else if (note == 0 || note == 5) {
            // B|C and E|F meet without a black key between them.
            p.fillRect(QRect(0, y1 - 1, kKeyboardWidth, 1), m_colours.keyBorder);
        }
        if (note == 0 && y1 - y0 >= 6) {
            p.setPen(m_colours.keyText);
            p.drawText(QRect(0, y0, kKeyboardWidth - 5, y1 - y0), Qt::AlignRight | Qt::AlignVCenter,
                       gm::pitchName(pitch));
        }
    }
    p.fillRect(QRect(kKeyboardWidth - 1, strip.top(), 1, strip.height()), m_colours.barLine);
    p.restore();
}

void PianoRollView::paintCorner(QPainter& p) {
    const QRect corner(0, 0, kKeyboardWidth, kRulerHeight);
    p.fillRect(corner, m_colours.rulerBackground);
    p.fillRect(QRect(0, kRulerHeight - 1, kKeyboardWidth, 1), m_colours.barLine);
    p.fillRect(QRect(kKeyboardWidth - 1, 0, 1, kRulerHeight), m_colours.barLine);
    if (!m_song)
        return;
    QFont f = font();
    f.setPixelSize(10);
    p.setFont(f);
    p.setPen(m_colours.rulerText);
    const model::TimeSignature ts = m_song->tempoMap().timeSignatureAt(0);
    const double bpm = m_song->tempoMap().bpmAt(0);
    p.drawText(corner.adjusted(0, 0, -1, -1), Qt::AlignCenter,
               QStringLiteral("%1/%2 \u2669%3")
                   .arg(ts.numerator)
                   .arg(ts.denominator)
                   .arg(QString::number(bpm, 'f', bpm == std::round(bpm) ? 0 : 1)));
}

void PianoRollView::paintEmptyHint(QPainter& p) {
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 1.2);
    p.setFont(f);
    p.setPen(m_colours.emptyText);
    p.drawText(m_geometry.noteArea(), Qt::AlignCenter,
               tr("Open a MIDI file with File \u203a Open (Ctrl+O),\nor drop one here."));
}

}  // namespace torchestra::ui
