#pragma once

#include "ui/common/Theme.h"
#include "ui/pianoroll/NoteOverlay.h"
#include "ui/pianoroll/PianoRollGeometry.h"
#include "ui/pianoroll/PianoRollGestures.h"
#include "ui/pianoroll/PitchOutlookStrip.h"
#include "ui/pianoroll/VelocityLane.h"

#include "model/Song.h"
#include "model/SongListener.h"

#include <QAbstractScrollArea>
#include <QColor>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <vector>

namespace torchestra::model {
class AddNotesCommand;
class Command;
class UndoStack;
} // namespace torchestra::model

namespace torchestra::ui {

// The piano roll editor: one custom-painted widget with a keyboard strip on the left (click a key
// to hear it: keyPressed()), a bar/beat ruler on top with the loop range and the playhead, the
// note grid, and an optional velocity lane at the bottom.
//
// The editable track is the active one; the other tracks show as dimmed ghost notes (or not at
// all). Every edit goes through commands pushed on the undo stack given with setUndoStack() (a
// drag pushes merging commands with one gesture id, so it undoes in one step); without a stack
// the view is read-only. Selection is a set of note ids of the active track.
//
// Tools: Select (click, Shift/Ctrl-click to add or toggle, rubber band on empty space, drag a
// note to move it, drag its left or right edge to resize), Draw (click on empty space adds a
// note one grid step long, drag right to make it longer; on a note it acts like Select; right
// click erases), Erase (click or sweep over notes) and Split (click a note to cut it at the
// grid line nearest the mouse). Moves go by whole grid steps (a note off the grid keeps its
// offset: relative snap), resizes snap to the grid, unless Alt is held. In the
// velocity lane, drag a stem up or down to set its note's velocity (the selected notes' when it
// is selected), or drag from empty space to draw a line: the notes under it (the selected ones
// when there is a selection) get a crescendo or diminuendo along it.
//
// Keys: Delete/Backspace delete the selection, Up/Down transpose it (Shift: an octave),
// Left/Right move it by one grid step, Escape clears it. Zoom: Ctrl+wheel horizontal,
// Ctrl+Shift+wheel vertical, +/- keys, 0 fits the song. Wheel scrolls, Shift+wheel sideways.
//
// Paints only what is visible (forEachNoteInRange over the dirty range) and repaints just the
// old and new rectangles of changed notes. GUI thread only.
class PianoRollView : public QAbstractScrollArea, private model::SongListener {
    Q_OBJECT
public:
    static constexpr int kKeyboardWidth = 64;
    static constexpr int kRulerHeight = 28;
    static constexpr int kVelocityLaneHeight = 96;

    enum class Tool { Select, Draw, Erase, Split };
    enum class ColourMode { Track, Velocity };

    explicit PianoRollView(QWidget* parent = nullptr);
    ~PianoRollView() override;

    // The song to show (may be null); it must outlive this view or be replaced first.
    void setSong(model::Song* song);
    model::Song* song() const { return m_song; }
    // Where edits go; null makes the view read-only. Must belong to the same song.
    void setUndoStack(model::UndoStack* stack) { m_undoStack = stack; }
    model::UndoStack* undoStack() const { return m_undoStack; }

    // Coordinates are the viewport's: what paintEvent and mouse events of the viewport use.
    const PianoRollGeometry& rollGeometry() const { return m_geometry; }

    void setColours(const PianoRollColours& colours);
    const PianoRollColours& colours() const { return m_colours; }

    // The editable track: drawn on top; the others are ghosts. kNoTrack draws all alike and
    // makes the view read-only.
    void setActiveTrack(model::TrackId track);
    model::TrackId activeTrack() const { return m_activeTrack; }

    void setTool(Tool tool);
    Tool tool() const { return m_tool; }

    // The grid: a note value 1/division (1, 2, 4, 8, 16 or 32), optionally a triplet; division
    // 0 turns snapping off. snapTicks() is the grid step in ticks (1 when off).
    void setSnap(int division, bool triplet = false);
    int snapDivision() const { return m_snapDivision; }
    bool snapTriplet() const { return m_snapTriplet; }
    model::Tick snapTicks() const;
    // The grid step for actions that need a real one (quantize, nudge): 1/16 when snap is off.
    model::Tick editGridTicks() const;
    model::Tick snapNearest(double tick) const;
    model::Tick snapFloor(double tick) const;

    void setColourMode(ColourMode mode);
    ColourMode colourMode() const { return m_colourMode; }
    void setGhostNotesVisible(bool visible);
    bool ghostNotesVisible() const { return m_ghostNotes; }
    // Tints the rows of a key's scale (root 0 = C .. 11 = B). The name is one ml::scaleNames()
    // gives ("major", "harmonic-minor" ...), the same scales generation constrains to; "" or
    // "none" turns it off. inScale() is true for every pitch when it is off.
    void setScaleHighlight(int root, const QString& scaleName);
    int scaleRoot() const { return m_scaleRoot; }
    QString scaleName() const { return m_scaleName; } // "" when off
    bool inScale(int pitch) const;

    void setVelocityLaneVisible(bool visible);
    bool velocityLaneVisible() const { return m_velocityLane; }
    // The lane's rectangle in viewport coordinates (empty when hidden), and the y of a velocity.
    QRect velocityLaneRect() const;
    double velocityToY(int velocity) const;
    int yToVelocity(double y) const;

    // Generated notes shown over the song, not part of it (the Generate panel's variations):
    // drawn as outlined, translucent notes in their own colour above the real ones (see
    // NoteOverlay). Replaces the previous layers; an empty vector removes them.
    using NoteOverlay = ui::NoteOverlay;
    void setNoteOverlays(std::vector<NoteOverlay> overlays);
    const std::vector<NoteOverlay>& noteOverlays() const { return m_noteOverlays; }

    // The probability overlay (PitchOutlookStrip.h): what to paint at its cursor. Set by
    // ProbabilityOverlay, which computes the numbers; repaints only the keyboard and the columns.
    void setPitchOutlook(PitchOutlookStrip strip);
    const PitchOutlookStrip& pitchOutlook() const { return m_pitchOutlook; }
    // The overlay's keys and clicks (PianoRollKeys.cpp, a key click), passed on as requests.
    void requestOutlookStep(int direction, bool wholeBar) {
        emit outlookStepRequested(direction, wholeBar);
    }
    void requestOutlookChord() { emit outlookChordRequested(); }

    // The playback position; the transport calls this as it plays. Follow mode pages the view
    // so the playhead stays visible. Paste goes to the playhead.
    void setPlayheadTick(model::Tick tick);
    model::Tick playheadTick() const { return m_playhead; }
    void setFollowPlayhead(bool follow) { m_followPlayhead = follow; }
    bool followPlayhead() const { return m_followPlayhead; }

    // The loop range [start, end); an empty range (start >= end) means none. Dragging in the
    // ruler sets it (loopRangeChanged).
    void setLoopRange(model::Tick start, model::Tick end);
    model::Tick loopStart() const { return m_loopStart; }
    model::Tick loopEnd() const { return m_loopEnd; }
    bool hasLoopRange() const { return m_loopEnd > m_loopStart; }

    // Selection: note ids of the active track.
    const std::set<model::NoteId>& selection() const { return m_selection; }
    std::vector<model::NoteId> selectedIds() const {
        return {m_selection.begin(), m_selection.end()};
    }
    void setSelection(const std::vector<model::NoteId>& ids);
    void clearSelection();
    void selectAll();
    // Selects the active track's notes that start in [from, to) (all in the loop when set).
    void selectRange(model::Tick from, model::Tick to);

    // Edits of the selection, each one undo step; they do nothing without a selection, an
    // active track or an undo stack. Return whether a command was pushed.
    bool deleteSelection();
    bool copySelection();
    bool cutSelection();
    bool paste(); // at the playhead, into the active track; the pasted notes become selected
    bool duplicateSelection(); // right after the selection, rounded to the grid
    bool transposeSelection(int semitones);
    bool nudgeSelection(int gridSteps);
    bool quantizeSelection();
    bool setSelectionVelocity(int velocity);
    static bool clipboardHasNotes();

    void setPixelsPerQuarter(double pixels);
    void setKeyHeight(double pixels);
    void zoomHorizontally(double factor); // around the centre of the note area
    void zoomVertically(double factor);
    // Fits the song's length to the width (within readable limits) and its pitch range to the
    // height, centred. Deferred until the widget has a size.
    void zoomToFit();
    // The hint painted over an empty roll ("Open or drop a MIDI file..."), "" when notes show.
    QString emptyHint() const;
    // Scrolls so that a pitch sits in the vertical middle of the note area.
    void centreOnPitch(double pitch);
    // Scrolls horizontally so that a tick is visible (no-op when it already is).
    void ensureTickVisible(model::Tick tick);

    // The fill colour a note is painted with (track colour shaded by velocity, or the velocity
    // colour, dimmed when another track is active): exposed so tests can check pixels.
    QColor noteFillColour(const model::Track& track, const model::Note& note) const;
    static QColor velocityColour(int velocity);

    // The note of the active track at a viewport point (topmost), or null.
    const model::Note* noteAt(const QPoint& pos) const;

    QSize sizeHint() const override { return {800, 500}; }
    QSize minimumSizeHint() const override { return {kKeyboardWidth + 80, kRulerHeight + 60}; }

signals:
    void zoomChanged();
    void keyPressed(int pitch);  // a key of the keyboard strip was pressed: sound it
    void keyReleased(int pitch); // and let go (or the mouse slid to another key): stop it
    void selectionChanged();
    void toolChanged(Tool tool);
    void playheadMoveRequested(model::Tick tick); // a click in the ruler
    void loopRangeChanged(model::Tick start, model::Tick end);
    // The grid position under the mouse (for a status bar readout); pitch -1 outside the notes.
    void pointerMoved(model::Tick tick, int pitch);
    // With the probability overlay shown: move its cursor a step (or a bar) back (-1) or on
    // (1); add the likeliest chord at it; add one pitch at it (a key clicked).
    void outlookStepRequested(int direction, bool wholeBar);
    void outlookChordRequested();
    void outlookPitchRequested(int pitch);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool viewportEvent(QEvent* event) override;

private:
    friend class PianoRollGestures; // the mouse side of this widget, in its own file

    // SongListener
    void notesAdded(model::TrackId track, const std::vector<model::Note>& notes) override;
    void notesRemoved(model::TrackId track, const std::vector<model::Note>& notes) override;
    void notesChanged(model::TrackId track, const std::vector<model::NoteChange>& changes) override;
    void tracksChanged() override;
    void tempoMapChanged() override;
    void songReloaded() override;

    bool canEdit() const;
    const model::Track* activeTrackPtr() const;
    VelocityLane velocityLane() const { return {velocityLaneRect()}; }
    void push(std::unique_ptr<model::Command> command);
    // Pushes the command `make` builds (one of SelectionEdits) from the active track and the
    // selected notes' ids; false when nothing is selected, the track is not editable, or the
    // edit would change nothing.
    using SelectionEdit = std::function<std::unique_ptr<model::Command>(
        const model::Song&, model::TrackId, const std::vector<model::NoteId>&)>;
    bool editSelection(const SelectionEdit& make);
    // Pushes an addition and selects the added notes; false for a null command.
    bool addAndSelect(std::unique_ptr<model::AddNotesCommand> command);
    std::vector<model::Note> selectedNotes() const;
    void selectionEdited();

    void updateNoteArea();
    void updateScrollBars();
    void applyPendingFit();
    void repaintNote(const model::Note& note);
    void repaintPlayhead(model::Tick tick);
    model::Tick contentEndTick() const;
    QString toolTipAt(const QPoint& pos) const;

    model::Song* m_song = nullptr;
    model::UndoStack* m_undoStack = nullptr;
    PianoRollGeometry m_geometry;
    PianoRollColours m_colours;
    model::TrackId m_activeTrack = model::kNoTrack;
    bool m_fitPending = false;

    Tool m_tool = Tool::Select;
    int m_snapDivision = 16;
    bool m_snapTriplet = false;
    ColourMode m_colourMode = ColourMode::Track;
    bool m_ghostNotes = true;
    int m_scaleRoot = 0;
    QString m_scaleName;
    std::uint16_t m_scaleMask = 0; // relative to the root, from ml::scaleMask; 0 when off
    bool m_velocityLane = false;
    model::Tick m_playhead = 0;
    bool m_followPlayhead = true;
    model::Tick m_loopStart = 0;
    model::Tick m_loopEnd = 0;
    std::set<model::NoteId> m_selection;
    std::vector<NoteOverlay> m_noteOverlays;
    PitchOutlookStrip m_pitchOutlook;

    PianoRollGestures m_gestures{*this};
};

} // namespace torchestra::ui
