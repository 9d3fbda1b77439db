#include "model/TrackIndices.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace torchestra::model {

namespace {

constexpr long kMaxIndex = 65535; // a Standard MIDI File counts its tracks in 16 bits
constexpr long kMaxTracks = 256;

std::string trimmed(const std::string& s) {
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
        --b;
    return s.substr(a, b - a);
}

// A whole non-negative decimal number, or -1.
long number(const std::string& text) {
    const std::string s = trimmed(text);
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        }))
        return -1;
    return s.size() > 6 ? kMaxIndex + 1 : std::strtol(s.c_str(), nullptr, 10);
}

} // namespace

std::string parseTrackIndices(const std::string& text, std::vector<int>& out) {
    out.clear();
    if (trimmed(text).empty())
        return {};
    const std::string usage = "track indices such as 1, 3-4 (as inspect lists them)";
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        const std::string part = text.substr(pos, comma - pos);
        pos = comma + 1;
        const std::size_t dash = part.find('-');
        const long from = number(part.substr(0, dash));
        const long to = dash == std::string::npos ? from : number(part.substr(dash + 1));
        if (from < 0 || to < from)
            return "'" + trimmed(part) + "' is not one of " + usage;
        if (to > kMaxIndex)
            return "track " + std::to_string(to) + " is past the 65,535 a MIDI file can have";
        if (to - from >= kMaxTracks || long(out.size()) + (to - from) >= kMaxTracks)
            return "more than " + std::to_string(kMaxTracks) + " tracks chosen";
        for (long index = from; index <= to; ++index)
            out.push_back(int(index));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return {};
}

std::string trackIndicesText(const std::vector<int>& indices) {
    std::string text;
    for (int index : indices)
        text += (text.empty() ? "" : ", ") + std::to_string(index);
    return text;
}

} // namespace torchestra::model
