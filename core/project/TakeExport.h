#pragma once

// Takes' provenance in an exported MIDI file (off by default: File > Export with Take
// Provenance): a text meta event at the start of each take that is in the song, on its track,
// saying which model, checkpoint, seed and settings made it. A DAW shows it as a marker or
// text; anyone can later tell where those bars came from.

#include "model/Song.h"
#include "project/Takes.h"

#include <string>
#include <vector>

namespace torchestra::project {

// One line: "Torchestra take B: Bach chorales — LSTM-NADE (built in), checkpoint 1a2b3c4d5e6f7a8b,
// seed 5 (variation 3 of 16), temperature 1.00, bars 9-12 after bars 5-8, made
// 2026-12-04T17:24:22Z" (its constraints too: key, range, density, voices).
std::string provenanceText(const Take& take, const model::Song& song);

// The takes that are in the song: every note of the take is in one track (its own, else the
// first other that holds them: accepted as a new track), start, length and pitch, as after an
// accept; takes only shown, discarded or edited since are not.
struct TakeInSong {
    std::size_t take = 0;  // index into the takes
    std::size_t track = 0; // index of the track holding it
};
std::vector<TakeInSong> takesInSong(const model::Song& song, const std::vector<Take>& takes);

// `song` with a text event (meta type 0x01) of provenanceText at each such take's first tick
// on the track holding it. The song itself is not changed.
model::Song withTakeProvenance(const model::Song& song, const std::vector<Take>& takes);

} // namespace torchestra::project
