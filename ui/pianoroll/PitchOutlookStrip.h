#pragma once

#include "ui/pianoroll/PianoRollGeometry.h"

#include "model/Note.h"

#include <QColor>
#include <QFont>
#include <QRect>
#include <QString>

#include <vector>

class QPainter;

namespace torchestra::ui {

// The probability overlay as the piano roll shows it: at one step of the song (the cursor), each
// pitch's probability that a note starts there, as a heat bar on its key and a heat cell in the
// step's column. The numbers come from ProbabilityOverlay (ui/panels: the model runs off the GUI
// thread); the view only paints them, so a cursor move costs a lookup and a partial repaint.
struct PitchOutlookStrip {
    bool visible = false;
    model::Tick cursor = 0;    // the step's first tick
    model::Tick stepTicks = 0; // the model's step, the column's width (0: no column)
    // 128 entries, p(a note starts on the pitch at the cursor | the music before it); empty when
    // there are no numbers to show (no model, still computing, past what was computed).
    std::vector<float> starting;
    // The numbers are the song's before its last edit (new ones are being computed): drawn
    // faded, so nobody reads them as current.
    bool stale = false;
    QString message; // what the numbers are, or why there are none (shown at the column)

    float at(int pitch) const {
        return pitch >= 0 && pitch < int(starting.size()) ? starting[std::size_t(pitch)] : 0.f;
    }
};

// Cool and unlikely to hot and likely: transparent blue through yellow to red.
QColor outlookHeat(float probability);

// Paints the strip's heat bars over the keyboard (`keyboard`, viewport coordinates) and its
// column in the note area (`noteArea`), within `dirty`. GUI thread only.
void paintPitchOutlook(QPainter& painter, const PianoRollGeometry& geometry,
                       const PitchOutlookStrip& strip, const QRect& keyboard, const QRect& noteArea,
                       const QRect& dirty, const QFont& font);

// The viewport rectangle the strip's column and its message cover (empty when hidden): what a
// change of the strip repaints besides the keyboard.
QRect pitchOutlookColumn(const PianoRollGeometry& geometry, const PitchOutlookStrip& strip,
                         const QRect& noteArea);

} // namespace torchestra::ui
