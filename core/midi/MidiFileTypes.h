#pragma once

// The file names taken for Standard MIDI Files: the one list behind the Open and Import
// dialogs, training folders and the CLI, so each finds the same files.

#include <string>
#include <vector>

namespace torchestra::midi {

// Lower case, without the dot: "mid", "midi", "kar" (karaoke), "rmi" (RIFF-wrapped), "smf".
const std::vector<std::string>& midiFileSuffixes();

// Whether `path` ends in one of midiFileSuffixes(), in any letter case.
bool hasMidiFileSuffix(const std::string& path);

} // namespace torchestra::midi
