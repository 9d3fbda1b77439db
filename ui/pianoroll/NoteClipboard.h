#pragma once

#include "model/Song.h"

#include <cstdint>
#include <vector>

namespace torchestra::ui {

// The notes Copy/Cut put aside, with starts relative to the earliest one and no ids. They go on
// the system clipboard twice: in Torchestra's own format (the notes exactly, for a paste in
// any Torchestra window) and as a Standard MIDI File's bytes (audio/midi, for a DAW; no file
// is written, MidiMime.h). A paste takes the clipboard's notes: Torchestra's own, or
// the notes of a MIDI file another program copied. GUI thread only.
class NoteClipboard {
public:
    // The MIME type of Torchestra's own format: {"notes": [[start, length, pitch, velocity,
    // release, channel], ...]} as the project file writes notes.
    static constexpr const char* kNotesMimeType = "application/x-torchestra-notes";

    // Replaces the contents with `notes` of `song` (its tempo map and `properties` go into the
    // MIDI file); false (and no change) when `notes` is empty.
    static bool store(std::vector<model::Note> notes, const model::Song& song,
                      const model::TrackProperties& properties);
    static bool hasNotes();
    // The contents placed at `start` on `channel`, ready to add to a track (a MIDI file's
    // notes at the paste's resolution, `ppq`).
    static std::vector<model::Note> notesAt(model::Tick start, std::uint8_t channel, int ppq);
};

} // namespace torchestra::ui
