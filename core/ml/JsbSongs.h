#pragma once

// The JSB Chorales as MIDI songs, so the built-in models learn in the representation the
// Generate panel and `generate` use (onsets, velocity, the bar grid), not in JSB-style frames:
// `export-jsb` writes a split as MIDI files and `train` learns from them like any others
// (scripts/train-builtin-models). No torch.

#include "ml/Representation.h"
#include "model/Song.h"

namespace torchestra::ml {

// Defaults of the songs a JSB piece becomes. The data carries no tempo, metre or dynamics:
// 4/4 from the first step (pickups are not marked in the data), a moderate chorale tempo and
// one mezzo-forte velocity.
constexpr int kJsbSongPpq = 480;
constexpr int kJsbUsPerQuarter = 750000; // 80 BPM
constexpr int kJsbVelocity = 80;

// One JSB piece (frames of sounding pitches, `stepsPerQuarter` frames a quarter note: 4 for
// jsb-chorales-16th.json) as a one-track song. The data does not tell a held note from a
// repeated one; a pitch sounding over consecutive frames becomes one held note. Any thread.
model::Song jsbPieceToSong(const FrameSequence& piece, const RepresentationConfig& frames,
                           int stepsPerQuarter);

} // namespace torchestra::ml
