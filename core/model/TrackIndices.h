#pragma once

// The one grammar for choosing tracks by their index in a file, as `inspect` lists them: the
// Train panel's Tracks field and the CLI's --tracks/--prime-tracks both read it.

#include <string>
#include <vector>

namespace torchestra::model {

// Parses "1, 3-4" (indices and ranges, commas between, spaces anywhere) into sorted unique
// indices. "" gives an empty list (meaning: the caller's default). Returns "" or what is wrong:
// a typo ("1,,2", "4-2", "x"), an index past a MIDI file's 65,535 tracks, or more than 256
// tracks (a typo rather than a choice).
std::string parseTrackIndices(const std::string& text, std::vector<int>& out);

// "1, 3, 4": the indices as parseTrackIndices reads them back.
std::string trackIndicesText(const std::vector<int>& indices);

} // namespace torchestra::model
