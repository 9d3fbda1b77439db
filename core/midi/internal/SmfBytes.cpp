#include "midi/internal/SmfBytes.h"

#include <cstdio>
#include <utility>

namespace torchestra::midi {

void fail(std::size_t offset, std::string message) {
    throw ParseError{offset, "byte " + std::to_string(offset) + ": " + std::move(message)};
}

std::string hex2(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
    return buf;
}

std::string describeBytes(std::string_view bytes, std::size_t at, std::size_t n) {
    std::string s;
    for (std::size_t i = at; i < bytes.size() && i < at + n; ++i) {
        if (!s.empty())
            s += ' ';
        s += hex2(std::uint8_t(bytes[i]));
    }
    return s.empty() ? "end of file" : s;
}

bool isPlausibleChunkId(std::string_view bytes, std::size_t at) {
    if (at + 4 > bytes.size())
        return false;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto c = std::uint8_t(bytes[at + i]);
        const bool alnum =
            (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!(alnum || (i > 0 && c == ' ')))
            return false;
        if (i == 0 && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    }
    return true;
}

} // namespace torchestra::midi
