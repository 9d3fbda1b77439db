// libFuzzer entry point for the dataset cache reader (ml::decodeCachedSequence, the `.seq` files
// loadMidiDataset keeps in its cache folder). The first input byte picks the representation the
// file is read for; unless its bit 3 is set, the header is repaired to match it (magic, pitch
// count, onset flag, and a step count that fits the bytes that follow, which are cut to fit), so
// the fuzzer explores the grid values rather than the length arithmetic. A file that decodes
// must hold only values in range for the representation and encode back to the same bytes.
//
// TORCHESTRA_FUZZ_WRITE_SEEDS=<dir> sequence_cache_fuzz writes two tiny seeds and exits.

#include "ml/Dataset.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

using namespace torchestra::ml;

namespace {

[[noreturn]] void die(const char* what, const std::string& detail) {
    std::fprintf(stderr, "sequence_cache_fuzz: %s: %s\n", what, detail.c_str());
    std::abort();
}

RepresentationConfig configFor(std::uint8_t selector) {
    RepresentationConfig c;
    c.lowPitch = 60;
    c.highPitch = 60 + (selector & 3) * 2; // 1, 3, 5 or 7 pitches
    c.onsets = (selector & 4) != 0;
    c.velocity = (selector & 16) != 0;
    c.velocityBins = 4;
    c.stepsPerBeat = 2;
    c.maxBeatsPerBar = 3;
    return c;
}

constexpr std::size_t kHeader = 8 + 16; // magic, then steps, pitches, onsets?, notes (int32)

void repair(std::string& bytes, const RepresentationConfig& c) {
    if (bytes.size() < kHeader)
        return;
    std::memcpy(&bytes[0], "TRCSEQ01", 8);
    const std::int32_t pitches = c.pitches(), onsets = c.onsets ? 1 : 0;
    const std::size_t perStep = std::size_t(pitches) * (onsets ? 2 : 1) + 3;
    const auto steps = std::int32_t((bytes.size() - kHeader) / perStep);
    std::memcpy(&bytes[8], &steps, 4);
    std::memcpy(&bytes[12], &pitches, 4);
    std::memcpy(&bytes[16], &onsets, 4);
    bytes.resize(kHeader + std::size_t(steps) * perStep);
}

void writeSeeds(const std::string& dir) {
    for (std::uint8_t selector : {std::uint8_t(0x01), std::uint8_t(0x16)}) {
        const RepresentationConfig c = configFor(selector);
        FrameSequence s;
        s.resize(4, c.pitches(), c.onsets);
        int notes = 0;
        for (int t = 0; t < s.steps; ++t) {
            const std::size_t cell = std::size_t(t) * c.pitches() + std::size_t(t % c.pitches());
            s.sounding[cell] = 1;
            if (c.onsets)
                s.onset[cell] = 1;
            if (c.velocity)
                s.velocityBin[std::size_t(t)] = std::uint8_t(t % c.velocityBins);
            s.stepInBeat[std::size_t(t)] = std::uint8_t(t % c.stepsPerBeat);
            s.beatInBar[std::size_t(t)] = std::uint8_t(t / c.stepsPerBeat % c.maxBeatsPerBar);
        }
        for (int t = 0; t < s.steps; ++t)
            for (int p = 0; p < s.pitches; ++p)
                notes += s.starts(t, p);
        std::ofstream(dir + "/seed" + std::to_string(selector) + ".seq",
                      std::ios::binary | std::ios::trunc)
            << char(selector) << encodeCachedSequence(s, notes);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (const char* dir = std::getenv("TORCHESTRA_FUZZ_WRITE_SEEDS")) {
        writeSeeds(dir);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const RepresentationConfig config = configFor(data[0]);
    std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    if ((data[0] & 8) == 0)
        repair(bytes, config);
    FrameSequence s;
    int notes = -1;
    if (!decodeCachedSequence(bytes, config, s, notes))
        return 0;
    const std::size_t cells = std::size_t(s.steps) * std::size_t(s.pitches);
    if (s.steps < 0 || s.pitches != config.pitches() || s.sounding.size() != cells ||
        s.onset.size() != (config.onsets ? cells : 0) ||
        s.velocityBin.size() != std::size_t(s.steps) ||
        s.stepInBeat.size() != std::size_t(s.steps) || s.beatInBar.size() != std::size_t(s.steps))
        die("a decoded grid has the wrong shape", std::to_string(s.steps));
    for (int t = 0; t < s.steps; ++t) {
        const std::uint8_t v = s.velocityBin[std::size_t(t)];
        if (v != kNoVelocity && (!config.velocity || v >= config.velocityBins))
            die("velocity bin out of range", std::to_string(v));
        const std::uint8_t sib = s.stepInBeat[std::size_t(t)], bib = s.beatInBar[std::size_t(t)];
        if ((sib != kUnknownMetre && sib >= config.stepsPerBeat) ||
            (bib != kUnknownMetre && bib >= config.maxBeatsPerBar))
            die("metre out of range", std::to_string(t));
    }
    for (std::uint8_t x : s.sounding)
        if (x > 1)
            die("sounding is not 0/1", std::to_string(x));
    for (std::uint8_t x : s.onset)
        if (x > 1)
            die("onset is not 0/1", std::to_string(x));
    if (notes < 0)
        die("negative note count", std::to_string(notes));
    // With no steps the onset vector is empty either way, so the writer cannot tell whether the
    // grid had onsets and writes 0; the reader accepts the flag the representation asks for.
    if (s.steps > 0 && encodeCachedSequence(s, notes) != bytes)
        die("a decoded file does not encode back to its bytes", std::to_string(bytes.size()));
    return 0;
}
