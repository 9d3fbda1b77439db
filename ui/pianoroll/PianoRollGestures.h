#pragma once

#include "model/Note.h"

#include <QLine>
#include <QPoint>
#include <QRect>

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace torchestra::ui {

class PianoRollView;

// The piano roll's mouse gestures: a state machine from press through moves to release. A
// press picks the gesture from where it lands and the view's tool (ruler: playhead or loop
// range; keyboard: sound a key; velocity lane: set velocities or draw a velocity line; notes:
// select, move, resize, draw, erase, split; empty space: rubber band or draw). Edits go through
// the view's undo stack as they happen (moves and resizes merge into one step per gesture) or
// on release (draw, erase, velocity line). It also picks the cursor for where the mouse hovers.
//
// Owned by the view, which forwards its viewport's mouse events; it reads and edits the view's
// selection and emits the view's signals. GUI thread only.
class PianoRollGestures {
public:
    explicit PianoRollGestures(PianoRollView& view) : m_view(view) {}

    void press(const QPoint& pos, Qt::MouseButton button, Qt::KeyboardModifiers mods);
    void move(const QPoint& pos, Qt::KeyboardModifiers mods);
    void release(const QPoint& pos, Qt::KeyboardModifiers mods);
    // Forgets the gesture in progress without finishing it (the song was replaced).
    void cancel();
    void updateCursor(const QPoint& pos);
    bool active() const { return m_drag != Drag::None; }

    // What the painter shows of the gesture in progress.
    const std::set<model::NoteId>& erasing() const { return m_erasing; }
    const model::Note* drawnNote() const { return m_drag == Drag::Draw ? &m_drawNote : nullptr; }
    QRect rubberBand() const { return m_drag == Drag::RubberBand ? m_rubberBand : QRect(); }
    std::optional<QLine> velocityLine() const;
    int pressedKey() const { return m_pressedKey; }

private:
    enum class Drag {
        None,
        Move,
        ResizeLeft,
        ResizeRight,
        RubberBand,
        Draw,
        Erase,
        Velocity,
        VelocityLine,
        Ruler,
        Key
    };
    enum class Hit { None, Body, LeftEdge, RightEdge };

    Hit hitTest(const QPoint& pos, const model::Note** note) const;
    // Where a dragged edge lands: on the grid, or on the nearest tick with Alt (snap false).
    model::Tick place(double tick, bool snap) const;

    void pressRuler(const QPoint& pos, Qt::MouseButton button);
    void pressKeyboard(const QPoint& pos, Qt::MouseButton button);
    void pressVelocityLane(const QPoint& pos, Qt::KeyboardModifiers mods);
    void pressNoteArea(const QPoint& pos, Qt::MouseButton button, Qt::KeyboardModifiers mods);
    void pressNote(const model::Note& note, Hit hit, Qt::KeyboardModifiers mods);
    void startDraw(const QPoint& pos, bool additive);
    void startRubberBand(const QPoint& pos, bool additive);

    void dragTo(const QPoint& pos, Qt::KeyboardModifiers mods);
    void dragNotes(const QPoint& pos, bool snap);
    void dragRubberBand(const QPoint& pos);
    void dragDrawnNote(const QPoint& pos, bool snap);
    void dragKey(const QPoint& pos);
    // Pushes a merging change that moves the dragged notes to `targets` (same order as
    // m_dragNotes); skipped when nothing would change.
    void pushDragChange(const std::vector<model::Note>& targets, const char* label);

    void finishDrag();
    void finishVelocityLine();
    void finishDraw();
    void finishRuler();

    PianoRollView& m_view;
    Drag m_drag = Drag::None;
    QPoint m_pressPos;
    bool m_dragMoved = false;
    std::uint64_t m_gesture = 0;
    model::Note m_anchor;                    // the pressed note as it was
    std::vector<model::Note> m_dragNotes;    // the dragged notes as they were
    std::set<model::NoteId> m_baseSelection; // what a rubber band adds to
    QRect m_rubberBand;
    QPoint m_linePos;                  // the free end of a velocity line
    model::Note m_drawNote;            // the note being drawn (not in the song yet)
    std::set<model::NoteId> m_erasing; // swept by the eraser, removed on release
    int m_pressedKey = -1;
    model::Tick m_rulerPressTick = 0;
    int m_drawVelocity = 100;
};

} // namespace torchestra::ui
