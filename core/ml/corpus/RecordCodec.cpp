#include "ml/corpus/RecordCodec.h"

#include "ml/Dataset.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace torchestra::ml::corpus {

namespace {

constexpr std::size_t kHeader = 16;

std::size_t rowBytes(int pitches) {
    return (std::size_t(pitches) + 7) / 8;
}

void packRow(const std::uint8_t* cells, int pitches, std::string& out) {
    for (int base = 0; base < pitches; base += 8) {
        unsigned byte = 0;
        for (int bit = 0; bit < 8 && base + bit < pitches; ++bit)
            byte |= unsigned(cells[base + bit] != 0) << bit;
        out.push_back(char(byte));
    }
}

// False when a bit beyond the last pitch is set (the encoding would not come back the same).
bool unpackRow(const unsigned char* in, int pitches, std::uint8_t* cells) {
    for (int p = 0; p < pitches; ++p)
        cells[p] = std::uint8_t((in[p / 8] >> (p % 8)) & 1);
    const int spare = int(rowBytes(pitches)) * 8 - pitches;
    return spare == 0 || (in[rowBytes(pitches) - 1] >> (8 - spare)) == 0;
}

bool allBelow(const std::vector<std::uint8_t>& v, int limit, std::uint8_t orElse) {
    return std::all_of(v.begin(), v.end(),
                       [&](std::uint8_t x) { return int(x) < limit || x == orElse; });
}

} // namespace

std::string encodeRecord(const FrameSequence& s, int notes) {
    std::string out;
    const bool onsets = !s.onset.empty();
    out.reserve(kHeader + std::size_t(s.steps) * (rowBytes(s.pitches) * (onsets ? 2 : 1) + 3));
    const std::int32_t header[4] = {s.steps, s.pitches, onsets ? 1 : 0, notes};
    out.append(reinterpret_cast<const char*>(header), sizeof header);
    for (int t = 0; t < s.steps; ++t) {
        packRow(s.sounding.data() + std::size_t(t) * std::size_t(s.pitches), s.pitches, out);
        if (onsets)
            packRow(s.onset.data() + std::size_t(t) * std::size_t(s.pitches), s.pitches, out);
    }
    for (const auto* v : {&s.velocityBin, &s.stepInBeat, &s.beatInBar})
        out.append(reinterpret_cast<const char*>(v->data()), v->size());
    return out;
}

bool decodeRecord(std::string_view bytes, const RepresentationConfig& config, FrameSequence& s,
                  int& notes) {
    std::int32_t header[4];
    if (bytes.size() < kHeader)
        return false;
    std::memcpy(header, bytes.data(), sizeof header);
    // The models index one-hot inputs by these values: a grid of another shape or a value out of
    // range (a damaged or planted record) is refused here, not read past later.
    if (header[0] < 0 || header[1] != config.pitches() || header[1] <= 0 || header[1] > 128 ||
        (header[2] != 0) != config.onsets || (header[2] != 0 && header[2] != 1) || header[3] < 0)
        return false;
    const auto steps = std::size_t(header[0]);
    const int pitches = header[1];
    const std::size_t perStep = rowBytes(pitches) * (header[2] ? 2 : 1) + 3;
    if ((bytes.size() - kHeader) / perStep != steps || (bytes.size() - kHeader) % perStep != 0)
        return false;
    s.resize(int(steps), pitches, header[2] != 0);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data()) + kHeader;
    for (std::size_t t = 0; t < steps; ++t) {
        if (!unpackRow(p, pitches, s.sounding.data() + t * std::size_t(pitches)))
            return false;
        p += rowBytes(pitches);
        if (header[2]) {
            if (!unpackRow(p, pitches, s.onset.data() + t * std::size_t(pitches)))
                return false;
            p += rowBytes(pitches);
        }
    }
    for (auto* v : {&s.velocityBin, &s.stepInBeat, &s.beatInBar}) {
        if (steps > 0)
            std::memcpy(v->data(), p, steps);
        p += steps;
    }
    if (!allBelow(s.velocityBin, config.velocity ? config.velocityBins : 0, kNoVelocity) ||
        !allBelow(s.stepInBeat, config.stepsPerBeat, kUnknownMetre) ||
        !allBelow(s.beatInBar, config.maxBeatsPerBar, kUnknownMetre))
        return false;
    if (countOnsets(s) != header[3])
        return false;
    notes = header[3];
    return true;
}

} // namespace torchestra::ml::corpus
