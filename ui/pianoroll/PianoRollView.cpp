#include "ui/pianoroll/PianoRollView.h"

#include "project/GeneralMidi.h"

#include "model/EditCommands.h"
#include "model/UndoStack.h"

#include <QApplication>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QThread>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <array>
#include <cmath>

namespace torchestra::ui {

namespace {

constexpr double kWheelZoomBase = 1.0015; // per 1/8 degree: one notch (120) zooms by ~20%
constexpr double kKeyZoomFactor = 1.25;
constexpr double kFitMinPixelsPerQuarter = 12.0;
constexpr double kFitMaxPixelsPerQuarter = 96.0;
constexpr double kFitMinKeyHeight = 8.0;
constexpr double kFitMaxKeyHeight = 18.0;
constexpr double kDefaultKeyHeight = 12.0;
constexpr int kMinLabelledBarPixels = 40;
constexpr int kDragThreshold = 4; // pixels before a press becomes a drag
constexpr int kStemHitPixels = 5; // how close to a velocity stem a press must be
constexpr int kLaneMargin = 8;    // velocity lane: room above 127 and below 1

// Notes copied by Copy/Cut, with starts relative to the earliest one. In-process: the
// workstation is one window; a system clipboard format can come with multiple windows.
std::vector<model::Note>& clipboard() {
    static std::vector<model::Note> notes;
    return notes;
}

std::uint64_t nextGesture() {
    static std::uint64_t counter = 0;
    return ++counter;
}

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
    if (!model::switchSong(this, m_song, song))
        return;
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
    if (!m_selection.empty()) {
        m_selection.clear();
        emit selectionChanged();
    }
    viewport()->update();
}

void PianoRollView::setTool(Tool tool) {
    if (tool == m_tool)
        return;
    m_tool = tool;
    updateCursor(viewport()->mapFromGlobal(QCursor::pos()), Qt::NoModifier);
    emit toolChanged(tool);
}

// --- Grid ----------------------------------------------------------------------------------

void PianoRollView::setSnap(int division, bool triplet) {
    m_snapDivision = division;
    m_snapTriplet = triplet && division > 0;
    viewport()->update();
}

model::Tick PianoRollView::snapTicks() const {
    if (m_snapDivision <= 0)
        return 1;
    const model::Tick whole = model::Tick(m_geometry.ppq()) * 4;
    const model::Tick step =
        m_snapTriplet ? whole * 2 / (3 * m_snapDivision) : whole / m_snapDivision;
    return std::max<model::Tick>(1, step);
}

model::Tick PianoRollView::editGridTicks() const {
    return m_snapDivision > 0 ? snapTicks() : std::max(1, m_geometry.ppq() / 4);
}

model::Tick PianoRollView::snapNearest(double tick) const {
    const double step = double(snapTicks());
    return std::max<model::Tick>(0, model::Tick(std::llround(std::round(tick / step) * step)));
}

model::Tick PianoRollView::snapFloor(double tick) const {
    const double step = double(snapTicks());
    return std::max<model::Tick>(0, model::Tick(std::llround(std::floor(tick / step) * step)));
}

void PianoRollView::setColourMode(ColourMode mode) {
    m_colourMode = mode;
    viewport()->update();
}

void PianoRollView::setGhostNotesVisible(bool visible) {
    m_ghostNotes = visible;
    viewport()->update();
}

void PianoRollView::setScaleHighlight(int root, Scale scale) {
    m_scaleRoot = ((root % 12) + 12) % 12;
    m_scale = scale;
    viewport()->update();
}

std::uint16_t PianoRollView::scaleMask(Scale scale) {
    auto bits = [](std::initializer_list<int> steps) {
        std::uint16_t m = 0;
        for (int s : steps)
            m = std::uint16_t(m | (1u << s));
        return m;
    };
    switch (scale) {
    case Scale::None:
        return 0xFFF;
    case Scale::Major:
        return bits({0, 2, 4, 5, 7, 9, 11});
    case Scale::Minor:
        return bits({0, 2, 3, 5, 7, 8, 10});
    case Scale::HarmonicMinor:
        return bits({0, 2, 3, 5, 7, 8, 11});
    case Scale::Dorian:
        return bits({0, 2, 3, 5, 7, 9, 10});
    case Scale::Mixolydian:
        return bits({0, 2, 4, 5, 7, 9, 10});
    case Scale::PentatonicMajor:
        return bits({0, 2, 4, 7, 9});
    case Scale::PentatonicMinor:
        return bits({0, 3, 5, 7, 10});
    case Scale::Blues:
        return bits({0, 3, 5, 6, 7, 10});
    }
    return 0xFFF;
}

bool PianoRollView::inScale(int pitch) const {
    const int step = ((pitch - m_scaleRoot) % 12 + 12) % 12;
    return (scaleMask(m_scale) >> step) & 1u;
}

// --- Velocity lane, playhead, loop ------------------------------------------------------------

void PianoRollView::setVelocityLaneVisible(bool visible) {
    if (visible == m_velocityLane)
        return;
    m_velocityLane = visible;
    updateNoteArea();
    updateScrollBars();
    viewport()->update();
}

QRect PianoRollView::velocityLaneRect() const {
    if (!m_velocityLane)
        return {};
    const QSize size = viewport()->size();
    return QRect(kKeyboardWidth, size.height() - kVelocityLaneHeight,
                 std::max(0, size.width() - kKeyboardWidth), kVelocityLaneHeight);
}

double PianoRollView::velocityToY(int velocity) const {
    const QRect lane = velocityLaneRect();
    const double span = lane.height() - 2 * kLaneMargin;
    return lane.bottom() - kLaneMargin - span * std::clamp(velocity, 0, 127) / 127.0;
}

int PianoRollView::yToVelocity(double y) const {
    const QRect lane = velocityLaneRect();
    const double span = std::max(1, lane.height() - 2 * kLaneMargin);
    return std::clamp(int(std::lround((lane.bottom() - kLaneMargin - y) * 127.0 / span)), 1, 127);
}

void PianoRollView::setPlayheadTick(model::Tick tick) {
    tick = std::max<model::Tick>(0, tick);
    if (tick == m_playhead)
        return;
    repaintPlayhead(m_playhead);
    m_playhead = tick;
    if (m_followPlayhead && m_drag == Drag::None) {
        const QRectF area = m_geometry.noteArea();
        const double x = m_geometry.tickToX(double(tick));
        if (x < area.left() || x > area.right() - 8) {
            // Page rather than scroll smoothly: notes stay still while they are read.
            m_geometry.setScroll(m_geometry.scrollX() + x - area.left() - area.width() * 0.1,
                                 m_geometry.scrollY());
            updateScrollBars();
            viewport()->update();
        }
    }
    repaintPlayhead(m_playhead);
}

void PianoRollView::ensureTickVisible(model::Tick tick) {
    const QRectF area = m_geometry.noteArea();
    const double x = m_geometry.tickToX(double(tick));
    if (x >= area.left() && x <= area.right())
        return;
    m_geometry.setScroll(m_geometry.scrollX() + x - area.left() - area.width() * 0.1,
                         m_geometry.scrollY());
    updateScrollBars();
    viewport()->update();
}

void PianoRollView::setLoopRange(model::Tick start, model::Tick end) {
    if (end <= start)
        start = end = 0;
    if (start == m_loopStart && end == m_loopEnd)
        return;
    m_loopStart = start;
    m_loopEnd = end;
    viewport()->update();
}

void PianoRollView::repaintPlayhead(model::Tick tick) {
    const int x = int(std::lround(m_geometry.tickToX(double(tick))));
    viewport()->update(QRect(x - 6, 0, 13, viewport()->height()));
}

// --- Selection ---------------------------------------------------------------------------------

const model::Track* PianoRollView::activeTrackPtr() const {
    return m_song && m_activeTrack != model::kNoTrack ? m_song->track(m_activeTrack) : nullptr;
}

bool PianoRollView::canEdit() const {
    return m_undoStack && activeTrackPtr();
}

void PianoRollView::selectionEdited() {
    emit selectionChanged();
    viewport()->update();
}

void PianoRollView::setSelection(const std::vector<model::NoteId>& ids) {
    std::set<model::NoteId> next;
    if (const model::Track* track = activeTrackPtr()) {
        for (model::NoteId id : ids)
            if (track->findNote(id))
                next.insert(id);
    }
    if (next == m_selection)
        return;
    m_selection = std::move(next);
    selectionEdited();
}

void PianoRollView::clearSelection() {
    setSelection({});
}

void PianoRollView::selectAll() {
    std::vector<model::NoteId> ids;
    if (const model::Track* track = activeTrackPtr())
        for (const model::Note& n : track->notes())
            ids.push_back(n.id);
    setSelection(ids);
}

void PianoRollView::selectRange(model::Tick from, model::Tick to) {
    std::vector<model::NoteId> ids;
    if (const model::Track* track = activeTrackPtr())
        for (const model::Note& n : track->notes())
            if (n.start >= from && n.start < to)
                ids.push_back(n.id);
    setSelection(ids);
}

std::vector<model::Note> PianoRollView::selectedNotes() const {
    std::vector<model::Note> notes;
    if (const model::Track* track = activeTrackPtr()) {
        for (model::NoteId id : m_selection)
            if (const model::Note* n = track->findNote(id))
                notes.push_back(*n);
    }
    return notes;
}

// --- Edits -------------------------------------------------------------------------------------

void PianoRollView::push(std::unique_ptr<model::Command> command) {
    Q_ASSERT(QThread::currentThread() == thread()); // the GUI thread owns the song
    if (command && m_undoStack)
        m_undoStack->push(std::move(command));
}

bool PianoRollView::editSelection(const SelectionEdit& make) {
    if (!canEdit() || m_selection.empty())
        return false;
    std::unique_ptr<model::Command> command = make(selectedIds());
    if (!command)
        return false;
    push(std::move(command));
    return true;
}

bool PianoRollView::deleteSelection() {
    return editSelection([&](const std::vector<model::NoteId>& ids) {
        return std::make_unique<model::RemoveNotesCommand>(m_activeTrack, ids);
    });
}

bool PianoRollView::copySelection() {
    std::vector<model::Note> notes = selectedNotes();
    if (notes.empty())
        return false;
    model::Tick first = notes.front().start;
    for (const model::Note& n : notes)
        first = std::min(first, n.start);
    for (model::Note& n : notes) {
        n.start -= first;
        n.id = model::kNoNote;
    }
    clipboard() = std::move(notes);
    return true;
}

bool PianoRollView::cutSelection() {
    if (!canEdit() || !copySelection())
        return false;
    push(std::make_unique<model::RemoveNotesCommand>(m_activeTrack, selectedIds(), "Cut"));
    return true;
}

bool PianoRollView::clipboardHasNotes() {
    return !clipboard().empty();
}

bool PianoRollView::paste() {
    if (!canEdit() || clipboard().empty())
        return false;
    const std::uint8_t channel = activeTrackPtr()->properties.channel;
    std::vector<model::Note> notes = clipboard();
    for (model::Note& n : notes) {
        n.start += m_playhead;
        n.channel = channel;
    }
    auto command = std::make_unique<model::AddNotesCommand>(m_activeTrack, notes, "Paste");
    const model::AddNotesCommand* added = command.get();
    push(std::move(command));
    setSelection(added->ids());
    return true;
}

bool PianoRollView::duplicateSelection() {
    if (!canEdit())
        return false;
    std::vector<model::Note> notes = selectedNotes();
    if (notes.empty())
        return false;
    model::Tick first = notes.front().start, last = notes.front().end();
    for (const model::Note& n : notes) {
        first = std::min(first, n.start);
        last = std::max(last, n.end());
    }
    const model::Tick step = editGridTicks();
    const model::Tick offset = std::max<model::Tick>(1, (last - first + step - 1) / step) * step;
    for (model::Note& n : notes) {
        n.start += offset;
        n.id = model::kNoNote;
    }
    auto command = std::make_unique<model::AddNotesCommand>(m_activeTrack, notes, "Duplicate");
    const model::AddNotesCommand* added = command.get();
    push(std::move(command));
    setSelection(added->ids());
    return true;
}

bool PianoRollView::transposeSelection(int semitones) {
    return editSelection([&](const std::vector<model::NoteId>& ids) {
        return model::transposeNotes(*m_song, m_activeTrack, ids, semitones);
    });
}

bool PianoRollView::nudgeSelection(int gridSteps) {
    return editSelection([&](const std::vector<model::NoteId>& ids) {
        return model::moveNotes(*m_song, m_activeTrack, ids, gridSteps * editGridTicks(), 0);
    });
}

bool PianoRollView::quantizeSelection() {
    model::QuantizeOptions options;
    options.grid = editGridTicks();
    return editSelection([&](const std::vector<model::NoteId>& ids) {
        return model::quantizeNotes(*m_song, m_activeTrack, ids, options);
    });
}

bool PianoRollView::setSelectionVelocity(int velocity) {
    return editSelection([&](const std::vector<model::NoteId>& ids) {
        return model::setVelocity(*m_song, m_activeTrack, ids, velocity, false);
    });
}

// --- Mouse -------------------------------------------------------------------------------------

const model::Note* PianoRollView::noteAt(const QPoint& pos) const {
    const model::Track* track = activeTrackPtr();
    if (!track || !m_geometry.noteArea().contains(pos))
        return nullptr;
    const int pitch = m_geometry.yToPitch(pos.y());
    // A pixel's tick span, so a very short note is still hittable when zoomed out.
    const double t = m_geometry.xToTick(pos.x());
    const double slop = 2.0 / m_geometry.pixelsPerTick();
    const model::Note* hit = nullptr;
    track->forEachNoteInRange(model::Tick(std::floor(t - slop)),
                              model::Tick(std::ceil(t + slop)) + 1, [&](const model::Note& n) {
                                  if (n.pitch != pitch)
                                      return;
                                  const QRectF r = m_geometry.noteRect(n).adjusted(-1, 0, 1, 0);
                                  if (r.contains(pos))
                                      hit = &n; // later notes are painted on top
                              });
    return hit;
}

PianoRollView::Hit PianoRollView::hitTest(const QPoint& pos, const model::Note** note) const {
    const model::Note* n = noteAt(pos);
    *note = n;
    if (!n)
        return Hit::None;
    const QRectF r = m_geometry.noteRect(*n);
    // Edge zones scale with the note but never swallow a short note entirely.
    const double zone = std::clamp(r.width() / 4.0, 2.0, 7.0);
    if (r.width() >= 10 && pos.x() >= r.right() - zone)
        return Hit::RightEdge;
    if (r.width() >= 10 && pos.x() <= r.left() + zone)
        return Hit::LeftEdge;
    return Hit::Body;
}

void PianoRollView::updateCursor(const QPoint& pos, Qt::KeyboardModifiers) {
    Qt::CursorShape shape = Qt::ArrowCursor;
    if (m_geometry.noteArea().contains(pos) && canEdit()) {
        const model::Note* note = nullptr;
        const Hit hit = hitTest(pos, &note);
        switch (m_tool) {
        case Tool::Select:
        case Tool::Draw:
            if (hit == Hit::LeftEdge || hit == Hit::RightEdge)
                shape = Qt::SizeHorCursor;
            else if (hit == Hit::Body)
                shape = Qt::SizeAllCursor;
            else if (m_tool == Tool::Draw)
                shape = Qt::CrossCursor;
            break;
        case Tool::Erase:
            shape = hit != Hit::None ? Qt::PointingHandCursor : Qt::ForbiddenCursor;
            break;
        case Tool::Split:
            shape = hit != Hit::None ? Qt::SplitHCursor : Qt::ArrowCursor;
            break;
        }
    } else if (pos.x() < kKeyboardWidth && pos.y() >= kRulerHeight) {
        shape = Qt::PointingHandCursor;
    } else if (velocityLaneRect().contains(pos) && canEdit()) {
        shape = Qt::SizeVerCursor;
    }
    viewport()->setCursor(shape);
}

void PianoRollView::mousePressEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    const Qt::KeyboardModifiers mods = event->modifiers();
    const QRectF area = m_geometry.noteArea();
    m_pressPos = pos;
    m_dragMoved = false;
    m_drag = Drag::None;
    event->accept();

    if (pos.y() < kRulerHeight && pos.x() >= kKeyboardWidth) {
        if (event->button() == Qt::LeftButton && m_song) {
            m_drag = Drag::Ruler;
            m_rulerPressTick = snapNearest(m_geometry.xToTick(pos.x()));
        }
        return;
    }
    if (pos.x() < kKeyboardWidth && pos.y() >= area.top() && pos.y() < area.bottom()) {
        const int pitch = m_geometry.yToPitch(pos.y());
        if (pitch >= 0 && pitch <= 127 && event->button() == Qt::LeftButton) {
            m_drag = Drag::Key;
            m_pressedKey = pitch;
            viewport()->update(QRect(0, kRulerHeight, kKeyboardWidth, int(area.height())));
            emit keyPressed(pitch);
        }
        return;
    }
    if (!canEdit())
        return;
    const model::TrackId track = m_activeTrack;

    if (velocityLaneRect().contains(pos)) {
        if (event->button() != Qt::LeftButton)
            return;
        // The stems under the mouse; when some of them are selected, just those.
        std::vector<model::Note> hits, selectedHits;
        const double t = m_geometry.xToTick(pos.x());
        const double slop = kStemHitPixels / m_geometry.pixelsPerTick();
        activeTrackPtr()->forEachNoteInRange(
            model::Tick(std::floor(t - slop)), model::Tick(std::ceil(t + slop)) + 1,
            [&](const model::Note& n) {
                if (std::abs(m_geometry.tickToX(double(n.start)) - pos.x()) > kStemHitPixels)
                    return;
                hits.push_back(n);
                if (m_selection.count(n.id))
                    selectedHits.push_back(n);
            });
        m_dragNotes = selectedHits.empty() ? hits : selectedHits;
        if (m_dragNotes.empty()) {
            m_drag = Drag::VelocityLine;
            m_linePos = pos;
            return;
        }
        m_drag = Drag::Velocity;
        m_gesture = nextGesture();
        dragTo(pos, mods);
        return;
    }
    if (!area.contains(pos))
        return;

    const model::Note* note = nullptr;
    const Hit hit = hitTest(pos, &note);

    if (event->button() == Qt::RightButton) {
        // Right click erases in the tools where it cannot mean anything else.
        if (note && (m_tool == Tool::Draw || m_tool == Tool::Erase))
            push(std::make_unique<model::RemoveNotesCommand>(
                track, std::vector<model::NoteId>{note->id}, "Erase notes"));
        return;
    }
    if (event->button() != Qt::LeftButton)
        return;

    switch (m_tool) {
    case Tool::Erase:
        m_drag = Drag::Erase;
        m_erasing.clear();
        if (note) {
            m_erasing.insert(note->id);
            repaintNote(*note);
        }
        return;
    case Tool::Split:
        if (note) {
            const std::vector<model::NoteId> ids =
                m_selection.count(note->id) ? selectedIds() : std::vector<model::NoteId>{note->id};
            push(model::splitNotes(*m_song, track, ids, snapNearest(m_geometry.xToTick(pos.x()))));
        }
        return;
    case Tool::Select:
    case Tool::Draw:
        break;
    }

    const bool additive = mods & (Qt::ShiftModifier | Qt::ControlModifier);
    if (note) {
        if (mods & Qt::ControlModifier) {
            if (!m_selection.erase(note->id))
                m_selection.insert(note->id);
            selectionEdited();
            if (!m_selection.count(note->id))
                return; // toggled off: nothing to drag
        } else if (!m_selection.count(note->id)) {
            if (!additive)
                m_selection.clear();
            m_selection.insert(note->id);
            selectionEdited();
        }
        m_anchor = *note;
        m_drawVelocity = note->velocity; // the next drawn note takes the last one touched
        m_dragNotes = selectedNotes();
        m_gesture = nextGesture();
        m_drag = hit == Hit::LeftEdge    ? Drag::ResizeLeft
                 : hit == Hit::RightEdge ? Drag::ResizeRight
                                         : Drag::Move;
        m_baseSelection.clear();
        if (!additive)
            m_baseSelection.insert(note->id); // marks "a plain click": see finishDrag
        return;
    }

    if (m_tool == Tool::Draw) {
        const model::Tick step = editGridTicks();
        m_drawNote = model::Note{};
        m_drawNote.start = snapFloor(m_geometry.xToTick(pos.x()));
        m_drawNote.length = step;
        m_drawNote.pitch = std::uint8_t(std::clamp(m_geometry.yToPitch(pos.y()), 0, 127));
        m_drawNote.velocity = std::uint8_t(std::clamp(m_drawVelocity, 1, 127));
        m_drawNote.channel = activeTrackPtr()->properties.channel;
        m_drag = Drag::Draw;
        if (!additive && !m_selection.empty()) {
            m_selection.clear();
            emit selectionChanged();
        }
        viewport()->update();
        return;
    }

    m_drag = Drag::RubberBand;
    m_baseSelection = additive ? m_selection : std::set<model::NoteId>{};
    m_rubberBand = QRect(pos, QSize(1, 1));
    if (!additive && !m_selection.empty()) {
        m_selection.clear();
        selectionEdited();
    }
}

void PianoRollView::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (m_geometry.noteArea().contains(pos))
        emit pointerMoved(std::max<model::Tick>(0, model::Tick(m_geometry.xToTick(pos.x()))),
                          std::clamp(m_geometry.yToPitch(pos.y()), 0, 127));
    if (m_drag == Drag::None) {
        updateCursor(pos, event->modifiers());
        return;
    }
    if ((pos - m_pressPos).manhattanLength() >= kDragThreshold)
        m_dragMoved = true;
    dragTo(pos, event->modifiers());
}

void PianoRollView::mouseReleaseEvent(QMouseEvent* event) {
    if (m_drag != Drag::None) {
        dragTo(event->position().toPoint(), event->modifiers());
        finishDrag();
    }
    updateCursor(event->position().toPoint(), event->modifiers());
}

void PianoRollView::pushDragChange(const std::vector<model::Note>& targets, const char* label) {
    const model::Track* track = activeTrackPtr();
    if (!track)
        return;
    std::vector<model::NoteChange> changes;
    bool any = false;
    for (std::size_t i = 0; i < m_dragNotes.size() && i < targets.size(); ++i) {
        const model::Note* current = track->findNote(m_dragNotes[i].id);
        if (!current)
            continue;
        model::Note after = targets[i];
        after.id = current->id;
        any = any || !model::sameContent(*current, after);
        changes.push_back({*current, after});
    }
    if (!any)
        return;
    // Same gesture id and the same notes every time: the stack merges the whole drag.
    push(std::make_unique<model::ChangeNotesCommand>(m_activeTrack, std::move(changes), label,
                                                     m_gesture));
}

void PianoRollView::dragTo(const QPoint& pos, Qt::KeyboardModifiers mods) {
    const bool snap = !(mods & Qt::AltModifier);
    const double raw = m_geometry.xToTick(pos.x()) - m_geometry.xToTick(m_pressPos.x());
    auto place = [&](double tick) {
        return snap ? snapNearest(tick) : std::max<model::Tick>(0, model::Tick(std::llround(tick)));
    };

    switch (m_drag) {
    case Drag::None:
        return;
    case Drag::Move: {
        if (!m_dragMoved)
            return;
        model::Tick dt = place(double(m_anchor.start) + raw) - m_anchor.start;
        int dp = m_geometry.yToPitch(pos.y()) - m_geometry.yToPitch(m_pressPos.y());
        model::Tick minStart = m_anchor.start;
        int low = 127, high = 0;
        for (const model::Note& n : m_dragNotes) {
            minStart = std::min(minStart, n.start);
            low = std::min<int>(low, n.pitch);
            high = std::max<int>(high, n.pitch);
        }
        dt = std::max(dt, -minStart); // the group keeps its shape at the song's start
        dp = std::clamp(dp, -low, 127 - high);
        std::vector<model::Note> targets = m_dragNotes;
        for (model::Note& n : targets) {
            n.start += dt;
            n.pitch = std::uint8_t(n.pitch + dp);
        }
        pushDragChange(targets, "Move notes");
        return;
    }
    case Drag::ResizeRight: {
        if (!m_dragMoved)
            return;
        model::Tick end = place(double(m_anchor.end()) + raw);
        if (end <= m_anchor.start)
            end = m_anchor.start + (snap ? snapTicks() : 1);
        const model::Tick dt = end - m_anchor.end();
        std::vector<model::Note> targets = m_dragNotes;
        for (model::Note& n : targets)
            n.length = std::max<model::Tick>(1, n.length + dt);
        pushDragChange(targets, "Resize notes");
        return;
    }
    case Drag::ResizeLeft: {
        if (!m_dragMoved)
            return;
        model::Tick start = std::min(place(double(m_anchor.start) + raw), m_anchor.end() - 1);
        const model::Tick dt = start - m_anchor.start;
        std::vector<model::Note> targets = m_dragNotes;
        for (model::Note& n : targets) {
            const model::Tick end = n.end();
            n.start = std::clamp<model::Tick>(n.start + dt, 0, end - 1);
            n.length = end - n.start;
        }
        pushDragChange(targets, "Resize notes");
        return;
    }
    case Drag::RubberBand: {
        const QRect old = m_rubberBand;
        m_rubberBand = QRect(m_pressPos, pos).normalized();
        std::set<model::NoteId> next = m_baseSelection;
        if (const model::Track* track = activeTrackPtr()) {
            const QRectF band(m_rubberBand);
            const model::Tick t0 =
                std::max<model::Tick>(0, model::Tick(std::floor(m_geometry.xToTick(band.left()))));
            const model::Tick t1 = model::Tick(std::ceil(m_geometry.xToTick(band.right()))) + 1;
            track->forEachNoteInRange(t0, t1, [&](const model::Note& n) {
                if (m_geometry.noteRect(n).intersects(band))
                    next.insert(n.id);
            });
        }
        viewport()->update(old.united(m_rubberBand).adjusted(-2, -2, 2, 2));
        if (next != m_selection) {
            m_selection = std::move(next);
            selectionEdited();
        }
        return;
    }
    case Drag::Draw: {
        const model::Tick step = editGridTicks();
        model::Tick end = place(m_geometry.xToTick(pos.x()));
        if (!snap)
            end = std::max<model::Tick>(end, m_drawNote.start + 1);
        else if (end < m_drawNote.start + step)
            end = m_drawNote.start + step;
        if (end - m_drawNote.start != m_drawNote.length) {
            repaintNote(m_drawNote);
            m_drawNote.length = end - m_drawNote.start;
            repaintNote(m_drawNote);
        }
        return;
    }
    case Drag::Erase: {
        if (const model::Note* n = noteAt(pos)) {
            if (m_erasing.insert(n->id).second)
                repaintNote(*n);
        }
        return;
    }
    case Drag::VelocityLine: {
        const QRect old = QRect(m_pressPos, m_linePos).normalized();
        m_linePos = pos;
        viewport()->update(
            old.united(QRect(m_pressPos, m_linePos).normalized()).adjusted(-3, -3, 3, 3));
        return;
    }
    case Drag::Velocity: {
        const int velocity = yToVelocity(pos.y());
        std::vector<model::Note> targets = m_dragNotes;
        for (model::Note& n : targets)
            n.velocity = std::uint8_t(velocity);
        pushDragChange(targets, "Change velocity");
        return;
    }
    case Drag::Ruler: {
        if (!m_dragMoved)
            return;
        const model::Tick tick = snapNearest(m_geometry.xToTick(pos.x()));
        setLoopRange(std::min(tick, m_rulerPressTick), std::max(tick, m_rulerPressTick));
        return;
    }
    case Drag::Key: {
        const int pitch = m_geometry.yToPitch(pos.y());
        if (pitch != m_pressedKey && pitch >= 0 && pitch <= 127) {
            emit keyReleased(m_pressedKey);
            m_pressedKey = pitch; // a glissando along the keys
            viewport()->update(QRect(0, kRulerHeight, kKeyboardWidth, viewport()->height()));
            emit keyPressed(pitch);
        }
        return;
    }
    }
}

void PianoRollView::finishDrag() {
    const Drag drag = m_drag;
    m_drag = Drag::None;
    switch (drag) {
    case Drag::Move:
    case Drag::ResizeLeft:
    case Drag::ResizeRight:
        if (m_undoStack)
            m_undoStack->closeMerge();
        // A plain click on a note of a larger selection selects just that note.
        if (!m_dragMoved && m_baseSelection.count(m_anchor.id) && m_selection.size() > 1)
            setSelection({m_anchor.id});
        break;
    case Drag::Velocity:
        if (m_undoStack)
            m_undoStack->closeMerge();
        break;
    case Drag::VelocityLine: {
        viewport()->update(QRect(m_pressPos, m_linePos).normalized().adjusted(-3, -3, 3, 3));
        const model::Track* track = activeTrackPtr();
        const int x0 = std::min(m_pressPos.x(), m_linePos.x());
        const int x1 = std::max(m_pressPos.x(), m_linePos.x());
        if (!track || !canEdit() || x1 - x0 < 2)
            break;
        // The velocity the line has at each note's stem; one step for the whole line.
        const QPointF a = m_pressPos.x() <= m_linePos.x() ? m_pressPos : m_linePos;
        const QPointF b = m_pressPos.x() <= m_linePos.x() ? m_linePos : m_pressPos;
        std::vector<model::NoteChange> changes;
        track->forEachNoteInRange(
            std::max<model::Tick>(0, model::Tick(std::floor(m_geometry.xToTick(x0)))),
            model::Tick(std::ceil(m_geometry.xToTick(x1))) + 1, [&](const model::Note& n) {
                const double x = m_geometry.tickToX(double(n.start));
                if (x < x0 || x > x1 || (!m_selection.empty() && !m_selection.count(n.id)))
                    return;
                const double y = a.y() + (b.y() - a.y()) * (x - a.x()) / (b.x() - a.x());
                model::Note after = n;
                after.velocity = std::uint8_t(yToVelocity(y));
                if (after.velocity != n.velocity)
                    changes.push_back({n, after});
            });
        if (!changes.empty())
            push(std::make_unique<model::ChangeNotesCommand>(m_activeTrack, std::move(changes),
                                                             "Velocity line"));
        break;
    }
    case Drag::RubberBand:
        viewport()->update(m_rubberBand.adjusted(-2, -2, 2, 2));
        m_rubberBand = {};
        break;
    case Drag::Draw: {
        if (!canEdit())
            break;
        auto command = std::make_unique<model::AddNotesCommand>(
            m_activeTrack, std::vector<model::Note>{m_drawNote}, "Draw note");
        const model::AddNotesCommand* added = command.get();
        push(std::move(command));
        setSelection(added->ids());
        break;
    }
    case Drag::Erase:
        if (!m_erasing.empty() && canEdit())
            push(std::make_unique<model::RemoveNotesCommand>(
                m_activeTrack, std::vector<model::NoteId>(m_erasing.begin(), m_erasing.end()),
                "Erase notes"));
        m_erasing.clear();
        viewport()->update();
        break;
    case Drag::Ruler:
        if (m_dragMoved) {
            emit loopRangeChanged(m_loopStart, m_loopEnd);
        } else {
            setPlayheadTick(m_rulerPressTick);
            emit playheadMoveRequested(m_rulerPressTick);
        }
        break;
    case Drag::Key:
        if (m_pressedKey >= 0)
            emit keyReleased(m_pressedKey);
        m_pressedKey = -1;
        viewport()->update(QRect(0, kRulerHeight, kKeyboardWidth, viewport()->height()));
        break;
    case Drag::None:
        break;
    }
    m_dragNotes.clear();
}

// --- Zoom and scrolling -----------------------------------------------------------------------

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
        // An empty or very short song still shows a few bars to draw in.
        const model::TempoMap& map = m_song->tempoMap();
        end = std::max(end, 4 * map.ticksPerBar(map.timeSignatureAt(0)));
    }

    const double quarters = std::max(1.0, double(end) / m_geometry.ppq());
    m_geometry.setPixelsPerQuarter(std::clamp(area.width() / (quarters * 1.02),
                                              kFitMinPixelsPerQuarter, kFitMaxPixelsPerQuarter));
    double centre = 60.0;
    if (highest >= lowest) {
        const int rows = highest - lowest + 1 + 6; // a little air above and below
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
    const double rowCentre = (PianoRollGeometry::kPitchCount - 1 - pitch) * m_geometry.keyHeight() +
                             m_geometry.keyHeight() / 2.0;
    m_geometry.setScroll(m_geometry.scrollX(), rowCentre - m_geometry.noteArea().height() / 2.0);
    updateScrollBars();
    viewport()->update();
}

QColor PianoRollView::velocityColour(int velocity) {
    // Cool and quiet to hot and loud: blue, green, yellow, red. A table: paints ask per note.
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

QColor PianoRollView::noteFillColour(const model::Track& track, const model::Note& note) const {
    const bool ghost = m_activeTrack != model::kNoTrack && track.id() != m_activeTrack;
    if (m_colourMode == ColourMode::Velocity) {
        const QColor c = velocityColour(note.velocity);
        return ghost ? mix(m_colours.background, c, 0.3) : c;
    }
    const QColor base = QColor::fromRgb(track.properties.colour);
    // Velocity 127 is the track colour itself; softer notes fade towards the background, but
    // never so far that a pianissimo note disappears.
    double strength = 0.45 + 0.55 * std::clamp(int(note.velocity), 1, 127) / 127.0;
    if (ghost)
        strength *= 0.45;
    return mix(m_colours.background, base, strength);
}

// --- Layout and scrolling ----------------------------------------------------------------

void PianoRollView::updateNoteArea() {
    const QSize size = viewport()->size();
    const int lane = m_velocityLane ? kVelocityLaneHeight : 0;
    m_geometry.setNoteArea(QRectF(kKeyboardWidth, kRulerHeight,
                                  std::max(0, size.width() - kKeyboardWidth),
                                  std::max(0, size.height() - kRulerHeight - lane)));
}

model::Tick PianoRollView::contentEndTick() const {
    if (!m_song)
        return 0;
    const model::TempoMap& map = m_song->tempoMap();
    const model::Tick end = std::max(m_song->endTick(), m_playhead);
    // Some room after the last note to draw into: four bars, or at least one screen.
    const model::Tick room = map.ticksPerBar(map.timeSignatureAt(end)) * 4;
    return end + room;
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
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    // Window shortcuts (the Edit menu) normally take these first; handling them here too keeps
    // the view usable on its own and when its window is not the active one.
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        return;
    }
    if (event->matches(QKeySequence::Cut)) {
        cutSelection();
        return;
    }
    if (event->matches(QKeySequence::Paste)) {
        paste();
        return;
    }
    if (event->matches(QKeySequence::SelectAll)) {
        selectAll();
        return;
    }
    if (event->key() == Qt::Key_D && event->modifiers() == Qt::ControlModifier) {
        duplicateSelection();
        return;
    }
    if (event->modifiers() & Qt::ControlModifier) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
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
    case Qt::Key_Delete:
    case Qt::Key_Backspace:
        deleteSelection();
        return;
    case Qt::Key_Up:
        transposeSelection(shift ? 12 : 1);
        return;
    case Qt::Key_Down:
        transposeSelection(shift ? -12 : -1);
        return;
    case Qt::Key_Left:
        nudgeSelection(-1);
        return;
    case Qt::Key_Right:
        nudgeSelection(1);
        return;
    case Qt::Key_Escape:
        clearSelection();
        return;
    case Qt::Key_Q:
        quantizeSelection();
        return;
    default:
        break;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

// --- Song notifications --------------------------------------------------------------------

void PianoRollView::repaintNote(const model::Note& note) {
    const QRect rect = m_geometry.noteRect(note).toAlignedRect().adjusted(-3, -3, 3, 3);
    const QRect visible = rect & m_geometry.noteArea().toAlignedRect();
    if (!visible.isEmpty())
        viewport()->update(visible);
    const QRect lane = velocityLaneRect();
    if (!lane.isEmpty()) {
        const int x = int(std::lround(m_geometry.tickToX(double(note.start))));
        viewport()->update(QRect(x - 5, lane.top(), 11, lane.height()) & lane);
    }
}

void PianoRollView::notesAdded(model::TrackId, const std::vector<model::Note>& notes) {
    updateScrollBars(); // the song may have grown
    for (const model::Note& n : notes)
        repaintNote(n);
}

void PianoRollView::notesRemoved(model::TrackId track, const std::vector<model::Note>& notes) {
    updateScrollBars();
    bool deselected = false;
    for (const model::Note& n : notes) {
        repaintNote(n);
        if (track == m_activeTrack)
            deselected = m_selection.erase(n.id) > 0 || deselected;
    }
    if (deselected)
        emit selectionChanged();
}

void PianoRollView::notesChanged(model::TrackId, const std::vector<model::NoteChange>& changes) {
    updateScrollBars();
    for (const model::NoteChange& c : changes) {
        repaintNote(c.before);
        repaintNote(c.after);
    }
}

void PianoRollView::tracksChanged() {
    if (m_song && m_activeTrack != model::kNoTrack && !m_song->track(m_activeTrack)) {
        m_activeTrack = model::kNoTrack;
        if (!m_selection.empty()) {
            m_selection.clear();
            emit selectionChanged();
        }
    }
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
    m_drag = Drag::None;
    m_dragNotes.clear();
    m_erasing.clear();
    if (!m_selection.empty()) {
        m_selection.clear();
        emit selectionChanged();
    }
    m_geometry.setPpq(m_song ? m_song->ppq() : 480);
    zoomToFit();
    updateScrollBars();
    viewport()->update();
}

QString PianoRollView::toolTipAt(const QPoint& pos) const {
    const QRectF area = m_geometry.noteArea();
    if (pos.x() < kKeyboardWidth && pos.y() >= area.top() && pos.y() < area.bottom()) {
        // The keyboard: the key's name and number, and its GM drum sound (on channel 10 notes
        // are drums, and the name is what a drum track's reader needs).
        const int pitch = m_geometry.yToPitch(pos.y());
        if (pitch < 0 || pitch > 127)
            return {};
        const QString drum = project::gm::drumNoteName(pitch);
        return drum.isEmpty()
                   ? tr("%1 (%2)").arg(project::gm::pitchName(pitch)).arg(pitch)
                   : tr("%1 (%2) \u00b7 drums: %3").arg(project::gm::pitchName(pitch)).arg(pitch).arg(drum);
    }
    if (!m_song || !area.contains(pos))
        return {};
    const int pitch = m_geometry.yToPitch(pos.y());
    const model::Tick tick = model::Tick(std::floor(m_geometry.xToTick(pos.x())));
    const model::Note* hit = nullptr;
    const model::Track* hitTrack = nullptr;
    // Topmost first: the active track is painted last, so it wins; then later tracks.
    for (auto it = m_song->tracks().rbegin(); it != m_song->tracks().rend(); ++it) {
        if (!m_ghostNotes && m_activeTrack != model::kNoTrack && it->id() != m_activeTrack)
            continue;
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
        .arg(project::gm::pitchName(hit->pitch), trackName.toHtmlEscaped(),
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
    if (m_velocityLane) {
        const QSize size = viewport()->size();
        const QRect lane(0, size.height() - kVelocityLaneHeight, size.width(), kVelocityLaneHeight);
        if (dirty.intersects(lane))
            paintVelocityLane(p, dirty & lane);
    }
    if (!m_song || m_song->trackCount() == 0)
        paintEmptyHint(p);
}

void PianoRollView::paintNoteArea(QPainter& p, const QRect& dirty) {
    p.save();
    p.setClipRect(dirty);

    // Rows: black-key rows darker (or, with a scale shown, the rows outside it), a line between
    // each B and C, the scale's root tinted.
    const int top = std::clamp(m_geometry.yToPitch(dirty.top()), 0, 127);
    const int bottom = std::clamp(m_geometry.yToPitch(dirty.bottom()), 0, 127);
    p.fillRect(dirty, m_colours.blackKeyRow); // also what shows beyond pitch 0 and 127
    const QColor highlight = palette().color(QPalette::Highlight);
    const QColor rootRow = mix(m_colours.background, highlight, 0.14);
    for (int pitch = bottom; pitch <= top; ++pitch) {
        const int y0 = int(std::lround(m_geometry.pitchToY(pitch)));
        const int y1 = int(std::lround(m_geometry.pitchToY(pitch - 1)));
        const QRect row(dirty.left(), y0, dirty.width(), y1 - y0);
        QColor colour;
        if (m_scale == Scale::None)
            colour = isBlackKey(pitch) ? m_colours.blackKeyRow : m_colours.background;
        else if ((pitch - m_scaleRoot) % 12 == 0)
            colour = rootRow;
        else
            colour = inScale(pitch) ? m_colours.background : m_colours.blackKeyRow;
        p.fillRect(row, colour);
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
        if (m_song->endTick() > 0 && endX < dirty.right() + 1) {
            const int x = std::max(dirty.left(), int(std::lround(endX)));
            p.fillRect(QRect(x, dirty.top(), dirty.right() + 1 - x, dirty.height()),
                       m_colours.afterEnd);
        }
        if (hasLoopRange()) {
            const int x0 = int(std::lround(m_geometry.tickToX(double(m_loopStart))));
            const int x1 = int(std::lround(m_geometry.tickToX(double(m_loopEnd))));
            QColor loop = highlight;
            loop.setAlpha(22);
            p.fillRect(QRect(x0, dirty.top(), x1 - x0, dirty.height()), loop);
        }
        paintNotes(p, t0, t1);
        paintNoteOverlays(p, t0, t1);
    }
    paintOverlays(p, dirty);
    p.restore();
}

void PianoRollView::paintGrid(QPainter& p, model::Tick t0, model::Tick t1, const QRect& area) {
    const model::TempoMap& map = m_song->tempoMap();
    const double beatPixelsMin = 6.0;
    const model::Tick snap = m_snapDivision > 0 ? snapTicks() : 0;
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
                p.fillRect(QRect(x, area.top(), 1, area.height()),
                           onBeat ? m_colours.beatLine : m_colours.subBeatLine);
            }
            if (sub > beat || beat % sub != 0) {
                // Triplet or coarse grids: keep the beats visible underneath.
                for (model::Tick t = barTick + beat; t < nextBar && t <= t1; t += beat) {
                    const int x = int(std::lround(m_geometry.tickToX(double(t))));
                    p.fillRect(QRect(x, area.top(), 1, area.height()), m_colours.beatLine);
                }
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
    const QColor selectedBorder =
        m_colours.background.lightness() < 128 ? QColor(255, 255, 255) : QColor(20, 20, 24);

    std::array<QColor, 128> fills;
    auto paintTrack = [&](const model::Track& track, bool active) {
        // Labels only where they help: on every track, or on the active one when there is one.
        const bool labels = m_activeTrack == model::kNoTrack || active;
        // The fill depends on the track and the velocity only: 128 colours, not one per note.
        model::Note probe;
        for (int v = 0; v < 128; ++v) {
            probe.velocity = std::uint8_t(v);
            fills[std::size_t(v)] = noteFillColour(track, probe);
        }
        track.forEachNoteInRange(t0, t1, [&](const model::Note& n) {
            if (n.pitch < lowest || n.pitch > highest)
                return;
            const bool erasing = active && !m_erasing.empty() && m_erasing.count(n.id);
            const int x0 = int(std::lround(m_geometry.tickToX(double(n.start))));
            const int x1 = int(std::lround(m_geometry.tickToX(double(n.end()))));
            const int y0 = int(std::lround(m_geometry.pitchToY(n.pitch)));
            const int y1 = int(std::lround(m_geometry.pitchToY(n.pitch - 1)));
            // One pixel of row gap below each note keeps stacked notes apart.
            const QRect r(x0, y0, std::max(2, x1 - x0), std::max(2, y1 - y0 - 1));
            const bool selected = active && !m_selection.empty() && m_selection.count(n.id);
            QColor fill = fills[n.velocity & 0x7F];
            if (selected)
                fill = mix(fill, QColor(255, 255, 255), 0.28);
            if (erasing)
                fill = mix(m_colours.background, fill, 0.25);
            if (r.width() >= 4 && r.height() >= 4) {
                p.setRenderHint(QPainter::Antialiasing, true);
                p.setPen(selected ? QPen(selectedBorder, 1.6) : QPen(fill.darker(170), 1.0));
                p.setBrush(fill);
                p.drawRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 2.0, 2.0);
                p.setRenderHint(QPainter::Antialiasing, false);
            } else {
                p.fillRect(r, selected ? selectedBorder : fill);
            }
            if (labels && r.width() >= 34 && r.height() >= 10) {
                p.setPen(fill.lightnessF() > 0.55 ? QColor(0, 0, 0, 170)
                                                  : QColor(255, 255, 255, 210));
                const QRect text = r.adjusted(4, 0, -2, 0);
                p.drawText(
                    text, Qt::AlignLeft | Qt::AlignVCenter,
                    labelMetrics.elidedText(project::gm::pitchName(n.pitch), Qt::ElideRight, text.width()));
            }
        });
    };

    const model::Track* active = nullptr;
    for (const model::Track& track : m_song->tracks()) {
        if (track.id() == m_activeTrack)
            active = &track;
        else if (m_ghostNotes || m_activeTrack == model::kNoTrack)
            paintTrack(track, false);
    }
    if (active)
        paintTrack(*active, true);
}

void PianoRollView::setNoteOverlays(std::vector<NoteOverlay> overlays) {
    m_noteOverlays = std::move(overlays);
    viewport()->update();
}

// Generated notes: a dashed outline and a light fill in the layer's colour, so they read as
// proposals, never as notes of the song.
void PianoRollView::paintNoteOverlays(QPainter& p, model::Tick t0, model::Tick t1) {
    if (m_noteOverlays.empty())
        return;
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    const int lowest = m_geometry.lowestVisiblePitch();
    const int highest = m_geometry.highestVisiblePitch();
    // Faint layers first, the emphasised one on top.
    for (int pass = 0; pass < 2; ++pass) {
        for (const NoteOverlay& layer : m_noteOverlays) {
            if (layer.emphasised != (pass == 1))
                continue;
            QColor fill = layer.colour;
            fill.setAlpha(layer.emphasised ? 110 : 40);
            QColor line = layer.colour;
            line.setAlpha(layer.emphasised ? 255 : 120);
            QPen pen(line, layer.emphasised ? 1.6 : 1.0, Qt::DashLine);
            p.setPen(pen);
            p.setBrush(fill);
            for (const model::Note& n : layer.notes) {
                if (n.start >= t1 || n.end() <= t0 || n.pitch < lowest || n.pitch > highest)
                    continue;
                const QRectF r = m_geometry.noteRect(n).adjusted(0.5, 0.5, -0.5, -1.5);
                p.drawRoundedRect(r, 2.0, 2.0);
            }
        }
    }
    p.restore();
}

void PianoRollView::paintOverlays(QPainter& p, const QRect& dirty) {
    const QColor highlight = palette().color(QPalette::Highlight);
    if (m_drag == Drag::Draw) {
        const QRectF r = m_geometry.noteRect(m_drawNote).adjusted(0.5, 0.5, -0.5, -1.5);
        QColor fill = m_colourMode == ColourMode::Velocity
                          ? velocityColour(m_drawNote.velocity)
                          : QColor::fromRgb(activeTrackPtr() ? activeTrackPtr()->properties.colour
                                                             : 0x4a90d9);
        fill.setAlpha(200);
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(QPen(highlight.lighter(140), 1.5, Qt::DashLine));
        p.setBrush(fill);
        p.drawRoundedRect(r, 2.0, 2.0);
        p.setRenderHint(QPainter::Antialiasing, false);
    }
    if (m_drag == Drag::RubberBand && !m_rubberBand.isEmpty()) {
        QColor fill = highlight;
        fill.setAlpha(40);
        p.setPen(QPen(highlight, 1.0));
        p.setBrush(fill);
        p.drawRect(m_rubberBand.adjusted(0, 0, -1, -1));
    }
    // The playhead, over everything.
    const int x = int(std::lround(m_geometry.tickToX(double(m_playhead))));
    if (x >= dirty.left() - 1 && x <= dirty.right() + 1 && m_song)
        p.fillRect(QRect(x, dirty.top(), 2, dirty.height()), m_colours.playhead);
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

        if (hasLoopRange()) {
            const int x0 = int(std::lround(m_geometry.tickToX(double(m_loopStart))));
            const int x1 = int(std::lround(m_geometry.tickToX(double(m_loopEnd))));
            QColor band = palette().color(QPalette::Highlight);
            band.setAlpha(150);
            p.fillRect(QRect(x0, kRulerHeight - 9, x1 - x0, 8), band);
            p.fillRect(QRect(x0, 0, 1, kRulerHeight), band);
            p.fillRect(QRect(x1 - 1, 0, 1, kRulerHeight), band);
        }

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
            const bool signatureChange =
                ts.tick == barTick && (barTick > 0 || ts.numerator != 4 || ts.denominator != 4);

            p.fillRect(
                QRect(x, labelled ? 2 : kRulerHeight - 10, 1, labelled ? kRulerHeight - 2 : 10),
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
                const QString label = QString::number(bar + 1); // bars are 1-based for people
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

        // The playhead's handle: a small triangle pointing down at the line.
        const double px = m_geometry.tickToX(double(m_playhead)) + 1.0;
        QPainterPath handle;
        handle.moveTo(px - 6, kRulerHeight - 11);
        handle.lineTo(px + 6, kRulerHeight - 11);
        handle.lineTo(px, kRulerHeight - 1);
        handle.closeSubpath();
        p.setRenderHint(QPainter::Antialiasing, true);
        p.fillPath(handle, m_colours.playhead);
        p.setRenderHint(QPainter::Antialiasing, false);
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
    const QColor pressed = palette().color(QPalette::Highlight);

    for (int pitch = bottom; pitch <= top; ++pitch) {
        const int y0 = int(std::lround(m_geometry.pitchToY(pitch)));
        const int y1 = int(std::lround(m_geometry.pitchToY(pitch - 1)));
        const int note = pitch % 12;
        if (isBlackKey(pitch)) {
            p.fillRect(QRect(0, y0, blackWidth, y1 - y0),
                       pitch == m_pressedKey ? pressed : m_colours.blackKey);
            // The seam between the two white keys runs behind the middle of a black key.
            p.fillRect(QRect(blackWidth, (y0 + y1) / 2, kKeyboardWidth - blackWidth, 1),
                       m_colours.keyBorder);
        } else {
            if (pitch == m_pressedKey)
                p.fillRect(QRect(0, y0, kKeyboardWidth, y1 - y0), pressed.lighter(150));
            if (note == 0 || note == 5) // B|C and E|F meet without a black key between them.
                p.fillRect(QRect(0, y1 - 1, kKeyboardWidth, 1), m_colours.keyBorder);
        }
        if (m_scale != Scale::None && inScale(pitch)) {
            // A dot at the key's edge marks the notes of the highlighted scale.
            const bool root = (pitch - m_scaleRoot) % 12 == 0;
            const int d = std::clamp(int(m_geometry.keyHeight()) / 2, 3, 6);
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(Qt::NoPen);
            p.setBrush(root ? pressed : pressed.lighter(160));
            p.drawEllipse(QRectF(kKeyboardWidth - d - 4, (y0 + y1) / 2.0 - d / 2.0, d, d));
            p.setRenderHint(QPainter::Antialiasing, false);
        }
        if (note == 0 && y1 - y0 >= 6) {
            p.setPen(m_colours.keyText);
            p.drawText(QRect(0, y0, kKeyboardWidth - (m_scale != Scale::None ? 12 : 5), y1 - y0),
                       Qt::AlignRight | Qt::AlignVCenter, project::gm::pitchName(pitch));
        }
    }
    p.fillRect(QRect(kKeyboardWidth - 1, strip.top(), 1, strip.height()), m_colours.barLine);
    p.restore();
}

void PianoRollView::paintVelocityLane(QPainter& p, const QRect& dirty) {
    p.save();
    p.setClipRect(dirty);
    const QRect lane = velocityLaneRect();
    const QRect label(0, lane.top(), kKeyboardWidth, lane.height());
    p.fillRect(lane, m_colours.blackKeyRow);
    p.fillRect(label, m_colours.rulerBackground);
    p.fillRect(QRect(0, lane.top(), lane.right() + 1, 1), m_colours.barLine);
    p.fillRect(QRect(kKeyboardWidth - 1, lane.top(), 1, lane.height()), m_colours.barLine);

    QFont small = font();
    small.setPixelSize(10);
    p.setFont(small);
    p.setPen(m_colours.rulerText);
    p.drawText(label.adjusted(6, 4, -4, -4), Qt::AlignLeft | Qt::AlignBottom, tr("Velocity"));
    for (int v : {32, 64, 96, 127}) {
        const int y = int(std::lround(velocityToY(v)));
        p.fillRect(QRect(lane.left(), y, lane.width(), 1),
                   v == 64 ? m_colours.beatLine : m_colours.subBeatLine);
        if (v == 64 || v == 127) {
            p.setPen(m_colours.rulerTick);
            p.drawText(QRect(0, y - 6, kKeyboardWidth - 6, 12), Qt::AlignRight | Qt::AlignVCenter,
                       QString::number(v));
        }
    }

    const model::Track* track = activeTrackPtr();
    if (m_song && track) {
        p.setClipRect(dirty & lane);
        const model::Tick t0 = std::max<model::Tick>(
            0,
            model::Tick(std::floor(m_geometry.xToTick(std::max(dirty.left(), lane.left()) - 6))));
        const model::Tick t1 = model::Tick(std::ceil(m_geometry.xToTick(dirty.right() + 6))) + 1;
        const int base = int(std::lround(velocityToY(0)));
        const QColor selectedColour = palette().color(QPalette::Highlight).lighter(130);
        // Round heads when there is room for them; zoomed out, plain stems (cheap and clearer).
        const bool heads = m_geometry.pixelsPerQuarter() >= 12.0;
        p.setPen(Qt::NoPen);
        // Starts only: a note that began before t0 has its stem off to the left.
        track->forEachNoteInRange(t0, t1, [&](const model::Note& n) {
            if (n.start < t0)
                return;
            const int x = int(std::lround(m_geometry.tickToX(double(n.start))));
            const int y = int(std::lround(velocityToY(n.velocity)));
            const bool selected = !m_selection.empty() && m_selection.count(n.id) > 0;
            const QColor c = selected ? selectedColour : noteFillColour(*track, n);
            p.fillRect(QRect(x, y, 2, base - y), c);
            if (heads) {
                const double r = m_geometry.pixelsPerQuarter() < 24.0 ? (selected ? 3.0 : 2.5)
                                                                      : (selected ? 4.0 : 3.0);
                p.setRenderHint(QPainter::Antialiasing, true);
                p.setBrush(c);
                p.drawEllipse(QPointF(x + 1, y), r, r);
                p.setRenderHint(QPainter::Antialiasing, false);
            }
        });
    }
    const int x = int(std::lround(m_geometry.tickToX(double(m_playhead))));
    if (x >= lane.left())
        p.fillRect(QRect(x, lane.top(), 2, lane.height()), m_colours.playhead);
    if (m_drag == Drag::VelocityLine) {
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(QPen(palette().color(QPalette::Highlight).lighter(140), 2.0));
        p.drawLine(m_pressPos, m_linePos);
        p.setRenderHint(QPainter::Antialiasing, false);
    }
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
               tr("Open a project or a MIDI file with File \u203a Open (Ctrl+O),\nor drop one "
                  "here. File \u203a New starts an empty song."));
}

} // namespace torchestra::ui
