#pragma once

#include "model/Track.h"

#include <QString>

#include <optional>

namespace torchestra::project::gm {

// General MIDI Level 1 names, as a user reads them in a track list. On model::kDrumChannel the
// program picks a drum kit (GM2/GS kit numbers) rather than an instrument.

// "Acoustic Grand Piano" for 0 ... "Gunshot" for 127; "" outside 0..127.
QString programName(int program);
// "Piano", "Chromatic Percussion", ... "Sound Effects": the GM family of a program.
QString familyName(int program);
// "Standard Kit", "Room Kit", ...; an unknown kit number falls back to the kit below it.
QString drumKitName(int program);
// "Acoustic Bass Drum" for 35 ... "Open Triangle" for 81; "" for notes GM does not map.
QString drumNoteName(int note);

// What a track plays: the kit on the drum channel, else the program's instrument. A track with
// no program change plays program 0 (GM's power-on default), so that name is given.
QString instrumentName(int channel, std::optional<int> program);

// The pitches an instrument usually plays (its written-for range, lowest and highest MIDI
// note): a flute 60-96, a tenor sax 44-76, a bass 28-67; the drum channel its GM drum notes
// (35-81). Families without a typical range (synths, effects) get a wide one. What the Generate
// panel's pitch range starts at for a track.
struct PitchRange {
    int low = 21;
    int high = 108;
};
PitchRange instrumentRange(int channel, std::optional<int> program);

// "C4" for 60 (middle C is C4, as in most sequencers), "C#4" for 61, "C-1" for 0.
QString pitchName(int pitch);

} // namespace torchestra::project::gm
