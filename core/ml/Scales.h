#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace torchestra::ml {

// A key as a mask of allowed pitch classes (bit k = pitch class k, C = 0) for generation.
struct KeyMask {
    int tonic = 0; // 0..11
    std::string mode = "chromatic";
    std::uint16_t mask = 0x0FFF;
};

// Parses "C:major", "F#:minor", "Bb:dorian", "A:harmonic-minor", "D:pentatonic" ... ("" or
// "chromatic" allows everything). Returns "" or an error listing what is accepted.
std::string parseKey(const std::string& text, KeyMask& out);
std::vector<std::string> scaleNames();
// The pitch classes of a scale relative to its tonic (bit i: i semitones above it), for a name
// scaleNames() gives; 0 for an unknown name. The one scale table, shared with the piano roll.
std::uint16_t scaleMask(const std::string& name);

// Counts per pitch class (C = 0) that lie in the major scale on `tonic` (minor keys share the
// sets of their relative majors).
int majorScaleCount(const std::array<int, 12>& counts, int tonic);
// The tonic of the major scale holding the most of `counts`: `preferred` when it ties for the
// most (a key held while the music stays in it), else the lowest such tonic; -1 when every
// count is 0. The scale-consistency metric and the sampler's key odds read it alike.
int bestMajorScale(const std::array<int, 12>& counts, int preferred = -1);

} // namespace torchestra::ml
