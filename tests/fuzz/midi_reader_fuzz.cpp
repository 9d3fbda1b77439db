// libFuzzer entry point: any input must read as a song or fail with an error naming a byte
// offset; a song that reads must write, and the written file must read back with the same
// tracks and notes. Anything else aborts, so libFuzzer keeps the input.

#include "midi/MidiFile.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace torchestra;

namespace {
[[noreturn]] void die(const char* what, const std::string& detail) {
    std::fprintf(stderr, "midi_reader_fuzz: %s: %s\n", what, detail.c_str());
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const midi::ReadResult r = midi::readMidi(input);
    if (!r.ok) {
        if (r.error.empty())
            die("read failed without a message", "");
        if (r.error.find("byte " + std::to_string(r.errorOffset)) == std::string::npos)
            die("error does not name its byte offset", r.error);
        return 0;
    }
    const std::string written = midi::writeMidi(r.song);
    const midi::ReadResult again = midi::readMidi(written);
    if (!again.ok)
        die("a written file does not read back", again.error);
    if (again.song.trackCount() != r.song.trackCount())
        die("track count changed on rewrite", std::to_string(r.song.trackCount()));
    if (again.song.noteCount() != r.song.noteCount())
        die("note count changed on rewrite", std::to_string(r.song.noteCount()));
    return 0;
}
