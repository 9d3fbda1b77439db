#include "ml/Scales.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace torchestra::ml {

namespace {

struct Scale {
    const char* name;
    std::vector<int> steps;
};

const std::vector<Scale>& scales() {
    static const std::vector<Scale> list = {
        {"major", {0, 2, 4, 5, 7, 9, 11}},
        {"minor", {0, 2, 3, 5, 7, 8, 10}},
        {"harmonic-minor", {0, 2, 3, 5, 7, 8, 11}},
        {"melodic-minor", {0, 2, 3, 5, 7, 9, 11}},
        {"dorian", {0, 2, 3, 5, 7, 9, 10}},
        {"phrygian", {0, 1, 3, 5, 7, 8, 10}},
        {"lydian", {0, 2, 4, 6, 7, 9, 11}},
        {"mixolydian", {0, 2, 4, 5, 7, 9, 10}},
        {"locrian", {0, 1, 3, 5, 6, 8, 10}},
        {"pentatonic", {0, 2, 4, 7, 9}},
        {"minor-pentatonic", {0, 3, 5, 7, 10}},
        {"blues", {0, 3, 5, 6, 7, 10}},
        {"chromatic", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
    };
    return list;
}

} // namespace

std::vector<std::string> scaleNames() {
    std::vector<std::string> names;
    for (const Scale& s : scales())
        names.emplace_back(s.name);
    return names;
}

std::uint16_t scaleMask(const std::string& name) {
    for (const Scale& s : scales()) {
        if (name != s.name)
            continue;
        std::uint16_t mask = 0;
        for (int step : s.steps)
            mask = std::uint16_t(mask | (1u << step));
        return mask;
    }
    return 0;
}

std::string parseKey(const std::string& text, KeyMask& out) {
    if (text.empty() || text == "chromatic") {
        out = KeyMask{};
        return {};
    }
    const auto colon = text.find(':');
    const std::string tonicText = text.substr(0, colon);
    std::string mode = colon == std::string::npos ? "major" : text.substr(colon + 1);
    std::transform(mode.begin(), mode.end(), mode.begin(), ::tolower);
    static const std::pair<char, int> letters[] = {{'C', 0}, {'D', 2}, {'E', 4}, {'F', 5},
                                                   {'G', 7}, {'A', 9}, {'B', 11}};
    int tonic = 0;
    bool valid = false;
    if (!tonicText.empty()) {
        const char letter = char(std::toupper(static_cast<unsigned char>(tonicText[0])));
        for (const auto& [l, pc] : letters) {
            if (l == letter) {
                tonic = pc;
                valid = true;
            }
        }
        for (std::size_t i = 1; i < tonicText.size() && valid; ++i) {
            if (tonicText[i] == '#')
                ++tonic;
            else if (tonicText[i] == 'b')
                --tonic;
            else
                valid = false;
        }
    }
    std::string names;
    for (const Scale& s : scales())
        names += std::string(names.empty() ? "" : ", ") + s.name;
    if (!valid)
        return "unknown key '" + text +
               "' (write it as TONIC:SCALE, e.g. C:major or F#:minor; "
               "scales: " +
               names + ")";
    tonic = (tonic + 12) % 12;
    for (const Scale& s : scales()) {
        if (mode == s.name) {
            KeyMask k;
            k.tonic = tonic;
            k.mode = s.name;
            k.mask = 0;
            for (int step : s.steps)
                k.mask = std::uint16_t(k.mask | (1u << ((tonic + step) % 12)));
            out = k;
            return {};
        }
    }
    return "unknown scale '" + mode + "' (scales: " + names + ")";
}

int majorScaleCount(const std::array<int, 12>& counts, int tonic) {
    constexpr std::array<int, 7> kMajor{0, 2, 4, 5, 7, 9, 11};
    int in = 0;
    for (int step : kMajor)
        in += counts[std::size_t((tonic + step) % 12)];
    return in;
}

int bestMajorScale(const std::array<int, 12>& counts, int preferred) {
    int best = -1, most = 0;
    for (int tonic = 0; tonic < 12; ++tonic) {
        const int in = majorScaleCount(counts, tonic);
        if (in > most) {
            best = tonic;
            most = in;
        }
    }
    if (preferred >= 0 && best >= 0 && majorScaleCount(counts, preferred) == most)
        return preferred;
    return best;
}

} // namespace torchestra::ml
