#pragma once

// Byte access and the one fatal error of the Standard MIDI File reader (MidiReader.cpp). The
// accessors are inline: the track parser's hot loop calls them for every byte.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace torchestra::midi {

// Thrown inside the reader only; readMidi() turns it into ReadResult::error. Exceptions keep
// the hot path free of error plumbing, and a file has at most one fatal error.
struct ParseError {
    std::size_t offset;
    std::string message;
};

// Throws ParseError with a message that starts "byte <offset>: ".
[[noreturn]] void fail(std::size_t offset, std::string message);

inline std::uint8_t byteAt(std::string_view bytes, std::size_t i) {
    return std::uint8_t(bytes[i]);
}
inline std::uint32_t be32(std::string_view bytes, std::size_t i) {
    return std::uint32_t(byteAt(bytes, i)) << 24 | std::uint32_t(byteAt(bytes, i + 1)) << 16 |
           std::uint32_t(byteAt(bytes, i + 2)) << 8 | byteAt(bytes, i + 3);
}
inline std::uint32_t le32(std::string_view bytes, std::size_t i) {
    return std::uint32_t(byteAt(bytes, i + 3)) << 24 | std::uint32_t(byteAt(bytes, i + 2)) << 16 |
           std::uint32_t(byteAt(bytes, i + 1)) << 8 | byteAt(bytes, i);
}
inline std::uint16_t be16(std::string_view bytes, std::size_t i) {
    return std::uint16_t(byteAt(bytes, i) << 8 | byteAt(bytes, i + 1));
}

// "0x4D": one byte as messages show it.
std::string hex2(unsigned v);

// Up to n bytes from `at` as hex for an error message, or "end of file" when there are none.
std::string describeBytes(std::string_view bytes, std::size_t at, std::size_t n);

// Whether the 4 bytes at `at` look like a chunk id (a letter, then letters, digits or spaces):
// what tells a chunk from stray bytes where a length may have lied.
bool isPlausibleChunkId(std::string_view bytes, std::size_t at);

} // namespace torchestra::midi
