#include "ui/pianoroll/PianoRollKeys.h"

#include "ui/pianoroll/PianoRollView.h"

#include <QKeyEvent>

namespace torchestra::ui {

namespace {

constexpr double kKeyZoomFactor = 1.25;

} // namespace

bool handlePianoRollKey(PianoRollView& view, const QKeyEvent& event) {
    const bool shift = event.modifiers() & Qt::ShiftModifier;
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
    switch (event.key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        view.zoomHorizontally(kKeyZoomFactor);
        return true;
    case Qt::Key_Minus:
    case Qt::Key_Underscore:
        view.zoomHorizontally(1.0 / kKeyZoomFactor);
        return true;
    case Qt::Key_0:
        view.zoomToFit();
        return true;
    case Qt::Key_Delete:
    case Qt::Key_Backspace:
        view.deleteSelection();
        return true;
    case Qt::Key_Up:
        view.transposeSelection(shift ? 12 : 1);
        return true;
    case Qt::Key_Down:
        view.transposeSelection(shift ? -12 : -1);
        return true;
    case Qt::Key_Left:
        view.nudgeSelection(-1);
        return true;
    case Qt::Key_Right:
        view.nudgeSelection(1);
        return true;
    case Qt::Key_Escape:
        view.clearSelection();
        return true;
    case Qt::Key_Q:
        view.quantizeSelection();
        return true;
    default:
        return false;
    }
}

} // namespace torchestra::ui
