#pragma once

#include "model/Note.h"

#include <cstdint>
#include <vector>

namespace torchestra::ui {

// The notes Copy/Cut put aside, with starts relative to the earliest one and no ids.
// In-process: the workstation is one window; a system clipboard format can come with multiple
// windows. GUI thread only.
class NoteClipboard {
public:
    // Replaces the contents; false (and no change) when `notes` is empty.
    static bool store(std::vector<model::Note> notes);
    static bool hasNotes();
    // The contents placed at `start` on `channel`, ready to add to a track.
    static std::vector<model::Note> notesAt(model::Tick start, std::uint8_t channel);
};

} // namespace torchestra::ui
