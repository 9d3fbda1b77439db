#pragma once

#include "ui/common/Theme.h"
#include "ui/pianoroll/NoteOverlay.h"
#include "ui/pianoroll/PianoRollGeometry.h"
#include "ui/pianoroll/PitchOutlookStrip.h"
#include "ui/pianoroll/VelocityLane.h"

#include "model/Song.h"

#include <QCoreApplication>
#include <QFont>
#include <QLine>

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

class QPainter;

namespace torchestra::ui {

// What one paint of the piano roll reads: the view gathers it for each paintEvent, so the
// painter depends on values, not on the widget. Pointers are the view's and valid for the paint.
struct PianoRollScene {
    const model::Song* song = nullptr;
    const PianoRollGeometry* geometry = nullptr;
    const PianoRollColours* colours = nullptr;
    QFont font;       // the view's, for labels
    QColor highlight; // the palette's: loop range, selection, scale, pressed key
    QSize viewportSize;
    VelocityLane velocityLane; // an empty rectangle when the lane is hidden

    model::TrackId activeTrack = model::kNoTrack;
    const std::set<model::NoteId>* selection = nullptr;
    bool ghostNotes = true;
    bool colourByVelocity = false;
    int scaleRoot = 0;
    std::uint16_t scaleMask = 0; // relative to the root; 0: no scale highlighted
    model::Tick snapTicks = 0;   // the snap grid step, 0 when snap is off
    model::Tick playhead = 0;
    model::Tick loopStart = 0;
    model::Tick loopEnd = 0; // loopEnd <= loopStart: no loop
    const std::vector<NoteOverlay>* noteOverlays = nullptr;
    const PitchOutlookStrip* pitchOutlook = nullptr; // the probability overlay, may be hidden

    // The gesture in progress.
    const std::set<model::NoteId>* erasing = nullptr; // swept by the eraser
    const model::Note* drawnNote = nullptr;           // being drawn, not in the song yet
    QRect rubberBand;                                 // empty when none
    std::optional<QLine> velocityLine;                // being drawn in the velocity lane
    int pressedKey = -1;
};

// Paints the piano roll: the note area (rows, grid, notes, generated overlays, the gesture's
// marks, the playhead), the ruler, the keyboard strip, the velocity lane and the corner. Each
// part paints only the dirty rectangle it is given. GUI thread only (fonts).
class PianoRollPainter {
    Q_DECLARE_TR_FUNCTIONS(PianoRollPainter)
public:
    PianoRollPainter(QPainter& painter, const PianoRollScene& scene);

    // Everything that intersects `dirty` (viewport coordinates).
    void paint(const QRect& dirty);

    // Cool and quiet to hot and loud: blue, green, yellow, red.
    // What the roll says when it has no notes to show (no song, or an empty one, nothing being
    // drawn and no generated overlay): how to start. "" when it has notes.
    static QString emptyHint(const model::Song* song, bool drawing, bool overlays);
    static QColor velocityColour(int velocity);
    // The fill a note is painted with: its track's colour shaded by velocity (or the velocity
    // colour), dimmed when another track is active.
    static QColor noteFillColour(const PianoRollColours& colours, bool colourByVelocity,
                                 model::TrackId activeTrack, const model::Track& track,
                                 const model::Note& note);

private:
    bool inScale(int pitch) const;
    bool hasLoop() const { return m_scene.loopEnd > m_scene.loopStart; }
    QColor fillColour(const model::Track& track, const model::Note& note) const;

    void paintNoteArea(const QRect& dirty);
    void paintRows(const QRect& dirty);
    void paintGrid(model::Tick t0, model::Tick t1, const QRect& area);
    void paintNotes(model::Tick t0, model::Tick t1);
    void paintTrackNotes(const model::Track& track, bool active, model::Tick t0, model::Tick t1);
    void paintNoteOverlays(model::Tick t0, model::Tick t1);
    void paintGestureMarks(const QRect& dirty);
    void paintRuler(const QRect& dirty);
    void paintBarMarks(model::Tick t0, model::Tick t1);
    void paintPlayheadHandle();
    void paintKeyboard(const QRect& dirty);
    void paintVelocityLane(const QRect& dirty);
    void paintVelocityStems(const model::Track& track, const QRect& dirty);
    void paintCorner();
    void paintEmptyHint();

    QPainter& m_p;
    const PianoRollScene& m_scene;
    const PianoRollGeometry& m_geometry;
    const PianoRollColours& m_colours;
};

} // namespace torchestra::ui
