#include "ui/pianoroll/PianoRollKeys.h"

#include "ui/pianoroll/PianoRollView.h"

#include <QCoreApplication>
#include <QKeyEvent>

#include <algorithm>

namespace torchestra::ui {

namespace {

constexpr double kKeyZoomFactor = 1.25;

QString tr(const char* text) {
    return QCoreApplication::translate("PianoRollKeys", text);
}

std::vector<PianoRollKeyBinding> makeBindings() {
    return {
        {{Qt::Key_Delete, Qt::Key_Backspace},
         tr("Delete, Backspace"),
         tr("Delete the selected notes"),
         [](PianoRollView& v, bool) { v.deleteSelection(); }},
        {{Qt::Key_Up},
         tr("Up (Shift+Up)"),
         tr("Transpose the selection up a semitone (an octave)"),
         [](PianoRollView& v, bool shift) { v.transposeSelection(shift ? 12 : 1); }},
        {{Qt::Key_Down},
         tr("Down (Shift+Down)"),
         tr("Transpose the selection down a semitone (an octave)"),
         [](PianoRollView& v, bool shift) { v.transposeSelection(shift ? -12 : -1); }},
        {{Qt::Key_Left},
         tr("Left"),
         tr("Move the selection one grid step earlier"),
         [](PianoRollView& v, bool) { v.nudgeSelection(-1); }},
        {{Qt::Key_Right},
         tr("Right"),
         tr("Move the selection one grid step later"),
         [](PianoRollView& v, bool) { v.nudgeSelection(1); }},
        {{Qt::Key_Q},
         tr("Q"),
         tr("Quantize the selection to the grid"),
         [](PianoRollView& v, bool) { v.quantizeSelection(); }},
        {{Qt::Key_Escape},
         tr("Esc"),
         tr("Clear the selection"),
         [](PianoRollView& v, bool) { v.clearSelection(); }},
        {{Qt::Key_Plus, Qt::Key_Equal},
         tr("+"),
         tr("Zoom in (time)"),
         [](PianoRollView& v, bool) { v.zoomHorizontally(kKeyZoomFactor); }},
        {{Qt::Key_Minus, Qt::Key_Underscore},
         tr("-"),
         tr("Zoom out (time)"),
         [](PianoRollView& v, bool) { v.zoomHorizontally(1.0 / kKeyZoomFactor); }},
        {{Qt::Key_0},
         tr("0"),
         tr("Zoom to fit the song"),
         [](PianoRollView& v, bool) { v.zoomToFit(); }},
    };
}

std::vector<PianoRollKeyBinding> makeOutlookBindings() {
    return {
        {{Qt::Key_Left},
         tr("Left (Shift+Left)"),
         tr("Move the overlay's cursor a step (a bar) earlier"),
         [](PianoRollView& v, bool shift) { v.requestOutlookStep(-1, shift); }},
        {{Qt::Key_Right},
         tr("Right (Shift+Right)"),
         tr("Move the overlay's cursor a step (a bar) later"),
         [](PianoRollView& v, bool shift) { v.requestOutlookStep(1, shift); }},
        {{Qt::Key_Return, Qt::Key_Enter},
         tr("Enter"),
         tr("Add the likeliest chord at the overlay's cursor"),
         [](PianoRollView& v, bool) { v.requestOutlookChord(); }},
    };
}

bool runBinding(const std::vector<PianoRollKeyBinding>& bindings, PianoRollView& view,
                const QKeyEvent& event) {
    for (const PianoRollKeyBinding& binding : bindings) {
        if (std::find(binding.keys.begin(), binding.keys.end(), event.key()) !=
            binding.keys.end()) {
            binding.run(view, event.modifiers() & Qt::ShiftModifier);
            return true;
        }
    }
    return false;
}

} // namespace

const std::vector<PianoRollKeyBinding>& pitchOutlookKeyBindings() {
    static const std::vector<PianoRollKeyBinding> bindings = makeOutlookBindings();
    return bindings;
}

const std::vector<PianoRollKeyBinding>& pianoRollKeyBindings() {
    static const std::vector<PianoRollKeyBinding> bindings = makeBindings();
    return bindings;
}

bool handlePianoRollKey(PianoRollView& view, const QKeyEvent& event) {
    // Window shortcuts (the Edit menu) normally take these first; handling them here too keeps
    // the view usable on its own and when its window is not the active one.
    if (event.matches(QKeySequence::Copy)) {
        view.copySelection();
        return true;
    }
    if (event.matches(QKeySequence::Cut)) {
        view.cutSelection();
        return true;
    }
    if (event.matches(QKeySequence::Paste)) {
        view.paste();
        return true;
    }
    if (event.matches(QKeySequence::SelectAll)) {
        view.selectAll();
        return true;
    }
    if (event.key() == Qt::Key_D && event.modifiers() == Qt::ControlModifier) {
        view.duplicateSelection();
        return true;
    }
    if (event.modifiers() & Qt::ControlModifier)
        return false;
    if (view.pitchOutlook().visible && runBinding(pitchOutlookKeyBindings(), view, event))
        return true;
    return runBinding(pianoRollKeyBindings(), view, event);
}

} // namespace torchestra::ui
