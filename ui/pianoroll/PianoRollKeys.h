#pragma once

#include <QString>

#include <vector>

class QKeyEvent;

namespace torchestra::ui {

class PianoRollView;

// One of the piano roll's own keys (pressed without Ctrl), for the handler below and for
// Help > Keyboard Shortcuts, which lists this table: the list and the keys cannot drift apart.
struct PianoRollKeyBinding {
    std::vector<int> keys; // Qt::Key values; Shift, where it matters, is passed to run()
    QString keyText;       // as the shortcut list shows the keys
    QString description;
    void (*run)(PianoRollView& view, bool shift);
};
const std::vector<PianoRollKeyBinding>& pianoRollKeyBindings();
// The keys the probability overlay takes while it is shown (before the ones above: its Left and
// Right move its cursor instead of the selection).
const std::vector<PianoRollKeyBinding>& pitchOutlookKeyBindings();

// The piano roll's own keys, done through the view's public API: Delete/Backspace delete the
// selection, Up/Down transpose it (Shift: an octave), Left/Right nudge it one grid step, Q
// quantizes, Escape clears it; +/- zoom, 0 fits (pianoRollKeyBindings()); and the Edit menu's
// Copy, Cut, Paste, Select all and Ctrl+D. Window shortcuts normally take the latter first;
// handling them here too keeps the view usable on its own and when its window is not the
// active one. Returns whether the key was one of these (the view passes the others on). GUI
// thread only.
bool handlePianoRollKey(PianoRollView& view, const QKeyEvent& event);

} // namespace torchestra::ui
