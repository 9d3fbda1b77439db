#pragma once

#include "midi/MidiFile.h"

#include <string>

namespace torchestra::cli {

// Reads a MIDI file a command was given. On success `r` holds the song and each of the
// reader's warnings (what it recovered from a damaged file) is on stderr as
// "warning: PATH: ...", the same from every command; returns "" then. Otherwise returns
// "PATH: problem" for the command to report in its own words.
std::string readMidiInput(const std::string& path, midi::ReadResult& r);

} // namespace torchestra::cli
