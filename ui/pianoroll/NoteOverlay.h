#pragma once

#include "model/Note.h"

#include <QColor>

#include <vector>

namespace torchestra::ui {

// Generated notes shown over the song, not part of it (the Generate panel's variations): drawn
// as outlined, translucent notes in their own colour above the real ones. A layer marked
// `emphasised` is drawn stronger (the variation chosen in the list). Its own header so the
// painter can read layers without the view; the view names it PianoRollView::NoteOverlay.
struct NoteOverlay {
    std::vector<model::Note> notes;
    QColor colour;
    bool emphasised = false;
};

} // namespace torchestra::ui
