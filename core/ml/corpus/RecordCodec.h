#pragma once

// One file's grid as a corpus record: the dataset cache's fields (Dataset.h,
// encodeCachedSequence) with the sounding and onset cells packed eight to a byte, which makes
// a record about seven times smaller for 88 pitches (shards are written, checksummed and read
// back in proportion to their size: this is most of a build's cost).
//
// Layout (little-endian): steps, pitches, onsets (0/1), notes as int32; then per step the
// sounding bits (pitches / 8 rounded up bytes, pitch 0 in bit 0 of the first byte, unused high
// bits zero) followed by the onset bits (when onsets); then velocityBin, stepInBeat and
// beatInBar, one byte a step each.

#include "ml/Representation.h"

#include <string>
#include <string_view>

namespace torchestra::ml::corpus {

std::string encodeRecord(const FrameSequence& seq, int notes);
// Accepts what encodeRecord wrote for a grid of `config` (its pitch count, onsets or not, every
// value in range, unused bits zero, the note count right) and returns false for anything else,
// leaving `out` unspecified. Any thread.
bool decodeRecord(std::string_view bytes, const RepresentationConfig& config, FrameSequence& out,
                  int& notes);

} // namespace torchestra::ml::corpus
