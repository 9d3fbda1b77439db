#include "ui/pianoroll/PianoRollGestures.h"

#include "ui/pianoroll/PianoRollView.h"
#include "ui/pianoroll/SelectionEdits.h"

#include "model/EditCommands.h"
#include "model/UndoStack.h"

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

namespace {

constexpr int kKeyboardWidth = PianoRollView::kKeyboardWidth;
constexpr int kRulerHeight = PianoRollView::kRulerHeight;
constexpr int kDragThreshold = 4; // pixels before a press becomes a drag
constexpr int kStemHitPixels = 5; // how close to a velocity stem a press must be

std::uint64_t nextGesture() {
    static std::uint64_t counter = 0;
    return ++counter;
}

} // namespace

std::optional<QLine> PianoRollGestures::velocityLine() const {
    if (m_drag != Drag::VelocityLine)
        return std::nullopt;
    return QLine(m_pressPos, m_linePos);
}

PianoRollGestures::Hit PianoRollGestures::hitTest(const QPoint& pos,
                                                  const model::Note** note) const {
    const model::Note* n = m_view.noteAt(pos);
    *note = n;
    if (!n)
        return Hit::None;
    const QRectF r = m_view.m_geometry.noteRect(*n);
    // Edge zones scale with the note but never swallow a short note entirely.
    const double zone = std::clamp(r.width() / 4.0, 2.0, 7.0);
    if (r.width() >= 10 && pos.x() >= r.right() - zone)
        return Hit::RightEdge;
    if (r.width() >= 10 && pos.x() <= r.left() + zone)
        return Hit::LeftEdge;
    return Hit::Body;
}

model::Tick PianoRollGestures::place(double tick, bool snap) const {
    return snap ? m_view.snapNearest(tick)
                : std::max<model::Tick>(0, model::Tick(std::llround(tick)));
}

void PianoRollGestures::updateCursor(const QPoint& pos) {
    using Tool = PianoRollView::Tool;
    Qt::CursorShape shape = Qt::ArrowCursor;
    if (m_view.m_geometry.noteArea().contains(pos) && m_view.canEdit()) {
        const model::Note* note = nullptr;
        const Hit hit = hitTest(pos, &note);
        switch (m_view.m_tool) {
        case Tool::Select:
        case Tool::Draw:
            if (hit == Hit::LeftEdge || hit == Hit::RightEdge)
                shape = Qt::SizeHorCursor;
            else if (hit == Hit::Body)
                shape = Qt::SizeAllCursor;
            else if (m_view.m_tool == Tool::Draw)
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
    } else if (m_view.velocityLaneRect().contains(pos) && m_view.canEdit()) {
        shape = Qt::SizeVerCursor;
    }
    m_view.viewport()->setCursor(shape);
}

void PianoRollGestures::cancel() {
    m_drag = Drag::None;
    m_dragNotes.clear();
    m_erasing.clear();
}

// --- Press -----------------------------------------------------------------------------------

void PianoRollGestures::press(const QPoint& pos, Qt::MouseButton button,
                              Qt::KeyboardModifiers mods) {
    const QRectF area = m_view.m_geometry.noteArea();
    m_pressPos = pos;
    m_dragMoved = false;
    m_drag = Drag::None;

    if (pos.y() < kRulerHeight && pos.x() >= kKeyboardWidth)
        return pressRuler(pos, button);
    if (pos.x() < kKeyboardWidth && pos.y() >= area.top() && pos.y() < area.bottom())
        return pressKeyboard(pos, button);
    if (!m_view.canEdit())
        return;
    if (m_view.velocityLaneRect().contains(pos)) {
        if (button == Qt::LeftButton)
            pressVelocityLane(pos, mods);
        return;
    }
    if (area.contains(pos))
        pressNoteArea(pos, button, mods);
}

void PianoRollGestures::pressRuler(const QPoint& pos, Qt::MouseButton button) {
    if (button == Qt::LeftButton && m_view.m_song) {
        m_drag = Drag::Ruler;
        m_rulerPressTick = m_view.snapNearest(m_view.m_geometry.xToTick(pos.x()));
    }
}

void PianoRollGestures::pressKeyboard(const QPoint& pos, Qt::MouseButton button) {
    const int pitch = m_view.m_geometry.yToPitch(pos.y());
    if (pitch >= 0 && pitch <= 127 && button == Qt::LeftButton) {
        m_drag = Drag::Key;
        m_pressedKey = pitch;
        m_view.viewport()->update(
            QRect(0, kRulerHeight, kKeyboardWidth, int(m_view.m_geometry.noteArea().height())));
        emit m_view.keyPressed(pitch);
        if (m_view.m_pitchOutlook.visible)
            emit m_view.outlookPitchRequested(pitch);
    }
}

void PianoRollGestures::pressVelocityLane(const QPoint& pos, Qt::KeyboardModifiers mods) {
    const PianoRollGeometry& geometry = m_view.m_geometry;
    // The stems under the mouse; when some of them are selected, just those.
    std::vector<model::Note> hits, selectedHits;
    const double t = geometry.xToTick(pos.x());
    const double slop = kStemHitPixels / geometry.pixelsPerTick();
    m_view.activeTrackPtr()->forEachNoteInRange(
        model::Tick(std::floor(t - slop)), model::Tick(std::ceil(t + slop)) + 1,
        [&](const model::Note& n) {
            if (std::abs(geometry.tickToX(double(n.start)) - pos.x()) > kStemHitPixels)
                return;
            hits.push_back(n);
            if (m_view.m_selection.count(n.id))
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
}

void PianoRollGestures::pressNoteArea(const QPoint& pos, Qt::MouseButton button,
                                      Qt::KeyboardModifiers mods) {
    using Tool = PianoRollView::Tool;
    const model::TrackId track = m_view.m_activeTrack;
    const Tool tool = m_view.m_tool;
    const model::Note* note = nullptr;
    const Hit hit = hitTest(pos, &note);

    if (button == Qt::RightButton) {
        // Right click erases in the tools where it cannot mean anything else.
        if (note && (tool == Tool::Draw || tool == Tool::Erase))
            m_view.push(edits::deleteNotes(*m_view.m_song, track, {note->id}, "Erase notes"));
        return;
    }
    if (button != Qt::LeftButton)
        return;

    switch (tool) {
    case Tool::Erase:
        m_drag = Drag::Erase;
        m_erasing.clear();
        if (note) {
            m_erasing.insert(note->id);
            m_view.repaintNote(*note);
        }
        return;
    case Tool::Split:
        if (note) {
            const std::vector<model::NoteId> ids = m_view.m_selection.count(note->id)
                                                       ? m_view.selectedIds()
                                                       : std::vector<model::NoteId>{note->id};
            const model::Tick at = m_view.snapNearest(m_view.m_geometry.xToTick(pos.x()));
            m_view.push(edits::split(*m_view.m_song, track, ids, at));
        }
        return;
    case Tool::Select:
    case Tool::Draw:
        break;
    }

    const bool additive = mods & (Qt::ShiftModifier | Qt::ControlModifier);
    if (note)
        pressNote(*note, hit, mods);
    else if (tool == Tool::Draw)
        startDraw(pos, additive);
    else
        startRubberBand(pos, additive);
}

void PianoRollGestures::pressNote(const model::Note& note, Hit hit, Qt::KeyboardModifiers mods) {
    std::set<model::NoteId>& selection = m_view.m_selection;
    const bool additive = mods & (Qt::ShiftModifier | Qt::ControlModifier);
    if (mods & Qt::ControlModifier) {
        if (!selection.erase(note.id))
            selection.insert(note.id);
        m_view.selectionEdited();
        if (!selection.count(note.id))
            return; // toggled off: nothing to drag
    } else if (!selection.count(note.id)) {
        if (!additive)
            selection.clear();
        selection.insert(note.id);
        m_view.selectionEdited();
    }
    m_anchor = note;
    m_drawVelocity = note.velocity; // the next drawn note takes the last one touched
    m_dragNotes = m_view.selectedNotes();
    m_gesture = nextGesture();
    m_drag = hit == Hit::LeftEdge    ? Drag::ResizeLeft
             : hit == Hit::RightEdge ? Drag::ResizeRight
                                     : Drag::Move;
    m_baseSelection.clear();
    if (!additive)
        m_baseSelection.insert(note.id); // marks "a plain click": see finishDrag
}

void PianoRollGestures::startDraw(const QPoint& pos, bool additive) {
    const PianoRollGeometry& geometry = m_view.m_geometry;
    m_drawNote = model::Note{};
    m_drawNote.start = m_view.snapFloor(geometry.xToTick(pos.x()));
    m_drawNote.length = m_view.editGridTicks();
    m_drawNote.pitch = std::uint8_t(std::clamp(geometry.yToPitch(pos.y()), 0, 127));
    m_drawNote.velocity = std::uint8_t(std::clamp(m_drawVelocity, 1, 127));
    m_drawNote.channel = m_view.activeTrackPtr()->properties.channel;
    m_drag = Drag::Draw;
    if (!additive && !m_view.m_selection.empty()) {
        m_view.m_selection.clear();
        emit m_view.selectionChanged();
    }
    m_view.viewport()->update();
}

void PianoRollGestures::startRubberBand(const QPoint& pos, bool additive) {
    m_drag = Drag::RubberBand;
    m_baseSelection = additive ? m_view.m_selection : std::set<model::NoteId>{};
    m_rubberBand = QRect(pos, QSize(1, 1));
    if (!additive && !m_view.m_selection.empty()) {
        m_view.m_selection.clear();
        m_view.selectionEdited();
    }
}

// --- Move --------------------------------------------------------------------------------------

void PianoRollGestures::move(const QPoint& pos, Qt::KeyboardModifiers mods) {
    if (m_drag == Drag::None) {
        updateCursor(pos);
        return;
    }
    if ((pos - m_pressPos).manhattanLength() >= kDragThreshold)
        m_dragMoved = true;
    dragTo(pos, mods);
}

void PianoRollGestures::dragTo(const QPoint& pos, Qt::KeyboardModifiers mods) {
    const bool snap = !(mods & Qt::AltModifier);
    switch (m_drag) {
    case Drag::None:
        return;
    case Drag::Move:
    case Drag::ResizeLeft:
    case Drag::ResizeRight:
        if (m_dragMoved)
            dragNotes(pos, snap);
        return;
    case Drag::RubberBand:
        dragRubberBand(pos);
        return;
    case Drag::Draw:
        dragDrawnNote(pos, snap);
        return;
    case Drag::Erase:
        if (const model::Note* n = m_view.noteAt(pos)) {
            if (m_erasing.insert(n->id).second)
                m_view.repaintNote(*n);
        }
        return;
    case Drag::VelocityLine: {
        const QRect old = QRect(m_pressPos, m_linePos).normalized();
        m_linePos = pos;
        m_view.viewport()->update(
            old.united(QRect(m_pressPos, m_linePos).normalized()).adjusted(-3, -3, 3, 3));
        return;
    }
    case Drag::Velocity: {
        const int velocity = m_view.velocityLane().yToVelocity(pos.y());
        std::vector<model::Note> targets = m_dragNotes;
        for (model::Note& n : targets)
            n.velocity = std::uint8_t(velocity);
        pushDragChange(targets, "Change velocity");
        return;
    }
    case Drag::Ruler:
        if (m_dragMoved) {
            const model::Tick tick = m_view.snapNearest(m_view.m_geometry.xToTick(pos.x()));
            m_view.setLoopRange(std::min(tick, m_rulerPressTick), std::max(tick, m_rulerPressTick));
        }
        return;
    case Drag::Key:
        dragKey(pos);
        return;
    }
}

// Moves or resizes the dragged notes as a group, by how far the pressed note has gone.
void PianoRollGestures::dragNotes(const QPoint& pos, bool snap) {
    const PianoRollGeometry& geometry = m_view.m_geometry;
    const double raw = geometry.xToTick(pos.x()) - geometry.xToTick(m_pressPos.x());
    std::vector<model::Note> targets = m_dragNotes;
    if (m_drag == Drag::Move) {
        // Relative snap, as DAWs do: the notes move by whole grid steps, so a note played a
        // little off the grid (humanised) keeps its offset rather than landing on a line.
        const double step = snap ? double(m_view.snapTicks()) : 1.0;
        model::Tick dt = model::Tick(std::llround(std::round(raw / step) * step));
        int dp = geometry.yToPitch(pos.y()) - geometry.yToPitch(m_pressPos.y());
        model::Tick minStart = m_anchor.start;
        int low = 127, high = 0;
        for (const model::Note& n : m_dragNotes) {
            minStart = std::min(minStart, n.start);
            low = std::min<int>(low, n.pitch);
            high = std::max<int>(high, n.pitch);
        }
        dt = std::max(dt, -minStart); // the group keeps its shape at the song's start
        dp = std::clamp(dp, -low, 127 - high);
        for (model::Note& n : targets) {
            n.start += dt;
            n.pitch = std::uint8_t(n.pitch + dp);
        }
        pushDragChange(targets, "Move notes");
    } else if (m_drag == Drag::ResizeRight) {
        model::Tick end = place(double(m_anchor.end()) + raw, snap);
        if (end <= m_anchor.start)
            end = m_anchor.start + (snap ? m_view.snapTicks() : 1);
        const model::Tick dt = end - m_anchor.end();
        for (model::Note& n : targets)
            n.length = std::max<model::Tick>(1, n.length + dt);
        pushDragChange(targets, "Resize notes");
    } else {
        model::Tick start = std::min(place(double(m_anchor.start) + raw, snap), m_anchor.end() - 1);
        const model::Tick dt = start - m_anchor.start;
        for (model::Note& n : targets) {
            const model::Tick end = n.end();
            n.start = std::clamp<model::Tick>(n.start + dt, 0, end - 1);
            n.length = end - n.start;
        }
        pushDragChange(targets, "Resize notes");
    }
}

void PianoRollGestures::dragRubberBand(const QPoint& pos) {
    const PianoRollGeometry& geometry = m_view.m_geometry;
    const QRect old = m_rubberBand;
    m_rubberBand = QRect(m_pressPos, pos).normalized();
    std::set<model::NoteId> next = m_baseSelection;
    if (const model::Track* track = m_view.activeTrackPtr()) {
        const QRectF band(m_rubberBand);
        const model::Tick t0 =
            std::max<model::Tick>(0, model::Tick(std::floor(geometry.xToTick(band.left()))));
        const model::Tick t1 = model::Tick(std::ceil(geometry.xToTick(band.right()))) + 1;
        track->forEachNoteInRange(t0, t1, [&](const model::Note& n) {
            if (geometry.noteRect(n).intersects(band))
                next.insert(n.id);
        });
    }
    m_view.viewport()->update(old.united(m_rubberBand).adjusted(-2, -2, 2, 2));
    if (next != m_view.m_selection) {
        m_view.m_selection = std::move(next);
        m_view.selectionEdited();
    }
}

void PianoRollGestures::dragDrawnNote(const QPoint& pos, bool snap) {
    const model::Tick step = m_view.editGridTicks();
    model::Tick end = place(m_view.m_geometry.xToTick(pos.x()), snap);
    if (!snap)
        end = std::max<model::Tick>(end, m_drawNote.start + 1);
    else if (end < m_drawNote.start + step)
        end = m_drawNote.start + step;
    if (end - m_drawNote.start != m_drawNote.length) {
        m_view.repaintNote(m_drawNote);
        m_drawNote.length = end - m_drawNote.start;
        m_view.repaintNote(m_drawNote);
    }
}

void PianoRollGestures::dragKey(const QPoint& pos) {
    const int pitch = m_view.m_geometry.yToPitch(pos.y());
    if (pitch != m_pressedKey && pitch >= 0 && pitch <= 127) {
        emit m_view.keyReleased(m_pressedKey);
        m_pressedKey = pitch; // a glissando along the keys
        m_view.viewport()->update(
            QRect(0, kRulerHeight, kKeyboardWidth, m_view.viewport()->height()));
        emit m_view.keyPressed(pitch);
    }
}

void PianoRollGestures::pushDragChange(const std::vector<model::Note>& targets, const char* label) {
    if (!m_view.activeTrackPtr())
        return;
    m_view.push(edits::changeNotes(*m_view.m_song, m_view.m_activeTrack, m_dragNotes, targets,
                                   label, m_gesture));
}

// --- Release -----------------------------------------------------------------------------------

void PianoRollGestures::release(const QPoint& pos, Qt::KeyboardModifiers mods) {
    if (m_drag != Drag::None) {
        dragTo(pos, mods);
        finishDrag();
    }
    updateCursor(pos);
}

void PianoRollGestures::finishDrag() {
    const Drag drag = m_drag;
    m_drag = Drag::None;
    model::UndoStack* stack = m_view.m_undoStack;
    switch (drag) {
    case Drag::Move:
    case Drag::ResizeLeft:
    case Drag::ResizeRight:
        if (stack)
            stack->closeMerge();
        // A plain click on a note of a larger selection selects just that note.
        if (!m_dragMoved && m_baseSelection.count(m_anchor.id) && m_view.m_selection.size() > 1)
            m_view.setSelection({m_anchor.id});
        break;
    case Drag::Velocity:
        if (stack)
            stack->closeMerge();
        break;
    case Drag::VelocityLine:
        finishVelocityLine();
        break;
    case Drag::RubberBand:
        m_view.viewport()->update(m_rubberBand.adjusted(-2, -2, 2, 2));
        m_rubberBand = {};
        break;
    case Drag::Draw:
        finishDraw();
        break;
    case Drag::Erase:
        if (!m_erasing.empty() && m_view.canEdit())
            m_view.push(edits::deleteNotes(
                *m_view.m_song, m_view.m_activeTrack,
                std::vector<model::NoteId>(m_erasing.begin(), m_erasing.end()), "Erase notes"));
        m_erasing.clear();
        m_view.viewport()->update();
        break;
    case Drag::Ruler:
        finishRuler();
        break;
    case Drag::Key:
        if (m_pressedKey >= 0)
            emit m_view.keyReleased(m_pressedKey);
        m_pressedKey = -1;
        m_view.viewport()->update(
            QRect(0, kRulerHeight, kKeyboardWidth, m_view.viewport()->height()));
        break;
    case Drag::None:
        break;
    }
    m_dragNotes.clear();
}

// Gives the notes under the line (the selected ones when there is a selection) the velocity the
// line has at their stems: a crescendo or diminuendo in one step.
void PianoRollGestures::finishVelocityLine() {
    m_view.viewport()->update(QRect(m_pressPos, m_linePos).normalized().adjusted(-3, -3, 3, 3));
    const PianoRollGeometry& geometry = m_view.m_geometry;
    const VelocityLane lane = m_view.velocityLane();
    const std::set<model::NoteId>& selection = m_view.m_selection;
    const model::Track* track = m_view.activeTrackPtr();
    const int x0 = std::min(m_pressPos.x(), m_linePos.x());
    const int x1 = std::max(m_pressPos.x(), m_linePos.x());
    if (!track || !m_view.canEdit() || x1 - x0 < 2)
        return;
    const QPointF a = m_pressPos.x() <= m_linePos.x() ? m_pressPos : m_linePos;
    const QPointF b = m_pressPos.x() <= m_linePos.x() ? m_linePos : m_pressPos;
    std::vector<model::NoteChange> changes;
    track->forEachNoteInRange(
        std::max<model::Tick>(0, model::Tick(std::floor(geometry.xToTick(x0)))),
        model::Tick(std::ceil(geometry.xToTick(x1))) + 1, [&](const model::Note& n) {
            const double x = geometry.tickToX(double(n.start));
            if (x < x0 || x > x1 || (!selection.empty() && !selection.count(n.id)))
                return;
            const double y = a.y() + (b.y() - a.y()) * (x - a.x()) / (b.x() - a.x());
            model::Note after = n;
            after.velocity = std::uint8_t(lane.yToVelocity(y));
            if (after.velocity != n.velocity)
                changes.push_back({n, after});
        });
    if (!changes.empty())
        m_view.push(std::make_unique<model::ChangeNotesCommand>(
            m_view.m_activeTrack, std::move(changes), "Velocity line"));
}

void PianoRollGestures::finishDraw() {
    if (!m_view.canEdit())
        return;
    auto command = std::make_unique<model::AddNotesCommand>(
        m_view.m_activeTrack, std::vector<model::Note>{m_drawNote}, "Draw note");
    const model::AddNotesCommand* added = command.get();
    m_view.push(std::move(command));
    m_view.setSelection(added->ids());
}

void PianoRollGestures::finishRuler() {
    if (m_dragMoved) {
        emit m_view.loopRangeChanged(m_view.m_loopStart, m_view.m_loopEnd);
    } else {
        m_view.setPlayheadTick(m_rulerPressTick);
        emit m_view.playheadMoveRequested(m_rulerPressTick);
    }
}

} // namespace torchestra::ui
