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

// Cells are 0 or 1 (FrameSequence's contract). Eight at a time: multiplying their eight bytes
// (read little-endian) by this constant moves cell k's bit to bit 56 + k with no two products on
// the same bit (so no carries); a quarter of an encode's time before, byte by byte.
char* packRow(const std::uint8_t* cells, int pitches, char* out) {
    int p = 0;
    for (; p + 8 <= pitches; p += 8) {
        std::uint64_t x;
        std::memcpy(&x, cells + p, sizeof x);
        *out++ = char((x * 0x0102040810204080ull) >> 56);
    }
    if (p < pitches) {
        unsigned byte = 0;
        for (int bit = 0; p + bit < pitches; ++bit)
            byte |= unsigned(cells[p + bit] != 0) << bit;
        *out++ = char(byte);
    }
    return out;
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
    const bool onsets = !s.onset.empty();
    std::string out(kHeader + std::size_t(s.steps) * (rowBytes(s.pitches) * (onsets ? 2 : 1) + 3),
                    '\0');
    const std::int32_t header[4] = {s.steps, s.pitches, onsets ? 1 : 0, notes};
    std::memcpy(out.data(), header, sizeof header);
    char* at = out.data() + kHeader;
    for (int t = 0; t < s.steps; ++t) {
        const std::size_t row = std::size_t(t) * std::size_t(s.pitches);
        at = packRow(s.sounding.data() + row, s.pitches, at);
        if (onsets)
            at = packRow(s.onset.data() + row, s.pitches, at);
    }
    for (const auto* v : {&s.velocityBin, &s.stepInBeat, &s.beatInBar}) {
        if (!v->empty())
            std::memcpy(at, v->data(), v->size());
        at += v->size();
    }
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
