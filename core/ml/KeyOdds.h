#pragma once

// The key of the music before a step, as SampleRequest::outOfKeyOdds reads it: the major scale
// (or its relative minor) holding the most note onsets of the kKeyWindowBeats beats before the
// step, and the factor each pitch's new notes get from it. One definition for every sampler
// that reads the odds. Any thread; no torch here.

#include "ml/Representation.h"

#include <array>

namespace torchestra::ml {

// The music the key is read from: four bars of four beats.
constexpr int kKeyWindowBeats = 16;

// Whether SampleRequest::outOfKeyOdds weighs anything (1 and negative are off).
constexpr bool keyOddsInEffect(double odds) {
    return odds >= 0 && odds != 1.0;
}

// Note onsets per pitch class (C = 0); step t of `seq` added (sign 1) or taken away (-1).
void countStepOnsets(const FrameSequence& seq, int t, int lowPitch, int sign,
                     std::array<int, 12>& counts);

// Whether pitch unit p (MIDI pitch lowPitch + p) lies outside the major scale on `tonic`; false
// for every pitch when tonic is -1 (no key: no notes yet).
bool outsideKey(int tonic, int lowPitch, int p);

// The key (bestMajorScale's tonic, `preferred` on a tie) of the kKeyWindowBeats beats before step
// `from` of `take`, reaching back into the end of `primer` (which may be empty) where the take
// has fewer steps before it. `stepsPerBeat` sets the window.
int keyBefore(const FrameSequence& primer, const FrameSequence& take, int from, int stepsPerBeat,
              int lowPitch, int preferred);

} // namespace torchestra::ml
