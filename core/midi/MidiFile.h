#pragma once

#include "model/Song.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace torchestra::midi {

// What a read gives: the song (one model track per track chunk of the file, in file order, so
// track index i is chunk i), the file's format and division, and warnings a user should see.
struct ReadResult {
    bool ok = false;
    model::Song song;
    int format = 1;
    int ppq = 480;      // ticks per quarter (after SMPTE conversion, if any)
    bool smpte = false; // the file used SMPTE time division (converted to ticks)
    std::vector<std::string> warnings;
    // When !ok: what went wrong, with the byte offset and what was expected.
    std::string error;
    std::size_t errorOffset = 0;
};

// Reads a Standard MIDI File (formats 0, 1 and 2, or one wrapped in RIFF/RMID) from memory.
// Never throws, crashes or hangs, and never allocates more than a small multiple of the input
// size, whatever the length fields say. Sensible input loads (with warnings); input that cannot
// be read gives !ok and an error naming the byte offset. Any thread.
ReadResult readMidi(std::string_view bytes);

// Reads a file; errors and warnings do not repeat the path (the caller names the file).
ReadResult readMidiFile(const std::string& path);

struct WriteOptions {
    int format = 1; // 0 merges every track into one; 1 writes one chunk per track
    bool runningStatus = true;
};

// Encodes a song as a Standard MIDI File. Tempo, time and key signatures go into the first
// track. Any thread.
std::string writeMidi(const model::Song& song, const WriteOptions& options = {});

// Writes atomically (temporary file + rename); returns "" on success, else a message naming
// the file and the problem.
std::string writeMidiFile(const std::string& path, const model::Song& song,
                          const WriteOptions& options = {});

} // namespace torchestra::midi
