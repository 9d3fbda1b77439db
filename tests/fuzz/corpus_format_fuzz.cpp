// libFuzzer entry point for the corpus readers (ml/corpus): the index (decodeIndex), a record
// (decodeRecord) and the manifest (decodeManifest), the files `corpus build` writes and
// CorpusReader trusts only after these checks. The first input byte picks the parser (bits 0-1:
// index, record, manifest) and, for a record, the representation it is read for (bits 2-4).
// What decodes must satisfy the reader's assumptions and encode back to the same bytes (index,
// record).
//
// TORCHESTRA_FUZZ_WRITE_SEEDS=<dir> corpus_format_fuzz writes a tiny seed of each kind and exits.

#include "ml/corpus/CorpusFormat.h"
#include "ml/corpus/RecordCodec.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

using namespace torchestra::ml;
using namespace torchestra::ml::corpus;

namespace {

[[noreturn]] void die(const char* what, const std::string& detail) {
    std::fprintf(stderr, "corpus_format_fuzz: %s: %s\n", what, detail.c_str());
    std::abort();
}

RepresentationConfig configFor(std::uint8_t selector) {
    RepresentationConfig c;
    c.lowPitch = 60;
    c.highPitch = 60 + ((selector >> 2) & 1) * 9; // 1 or 10 pitches (a partly used byte)
    c.onsets = (selector & 8) != 0;
    c.velocity = (selector & 16) != 0;
    c.velocityBins = 4;
    c.stepsPerBeat = 2;
    c.maxBeatsPerBar = 3;
    return c;
}

void checkIndex(const std::string& bytes) {
    CorpusIndex index;
    if (!decodeIndex(bytes, index).empty())
        return;
    for (const CorpusRecord& r : index.records) {
        if (r.shard >= index.shards.size())
            die("a record names a missing shard", std::to_string(r.shard));
        const std::uint64_t size = index.shards[r.shard].bytes;
        if (r.offset > size || r.length > size - r.offset || r.steps < 0 || r.notes < 0)
            die("a record lies outside its shard", r.path);
    }
    if (encodeIndex(index) != bytes)
        die("a decoded index does not encode back to its bytes", std::to_string(bytes.size()));
}

void checkRecord(const std::string& bytes, const RepresentationConfig& config) {
    FrameSequence s;
    int notes = -1;
    if (!decodeRecord(bytes, config, s, notes))
        return;
    const std::size_t cells = std::size_t(s.steps) * std::size_t(s.pitches);
    if (s.pitches != config.pitches() || s.sounding.size() != cells ||
        s.onset.size() != (config.onsets ? cells : 0) || notes < 0)
        die("a decoded record has the wrong shape", std::to_string(s.steps));
    for (std::size_t i = 0; i < cells; ++i)
        if (s.sounding[i] > 1 || (!s.onset.empty() && s.onset[i] > 1))
            die("a cell is not 0/1", std::to_string(i));
    if (s.steps > 0 && encodeRecord(s, notes) != bytes)
        die("a decoded record does not encode back to its bytes", std::to_string(bytes.size()));
}

void writeSeeds(const std::string& dir) {
    CorpusIndex index;
    index.shards.push_back({"shard-00000.bin", 100, 42});
    index.records.push_back({0, 8, 40, 0x1234, 4, 2, "/music/a.mid"});
    std::ofstream(dir + "/index.bin", std::ios::binary) << char(0) << encodeIndex(index);
    const std::uint8_t selector = 1 | 4 | 8 | 16;
    const RepresentationConfig c = configFor(selector);
    FrameSequence s;
    s.resize(4, c.pitches(), true);
    for (int t = 0; t < 4; ++t) {
        s.sounding[std::size_t(t * c.pitches() + t)] = s.onset[std::size_t(t * c.pitches() + t)] =
            1;
        s.velocityBin[std::size_t(t)] = std::uint8_t(t % 4);
        s.stepInBeat[std::size_t(t)] = std::uint8_t(t % 2);
        s.beatInBar[std::size_t(t)] = std::uint8_t(t / 2 % 3);
    }
    std::ofstream(dir + "/record.bin", std::ios::binary) << char(selector) << encodeRecord(s, 4);
    CorpusManifest m;
    m.indexFile = "index-00000.bin";
    CorpusFileEntry f;
    f.path = "/music/a.mid";
    f.hash = "0000000000001234";
    f.used = true;
    m.files.push_back(f);
    std::ofstream(dir + "/manifest.json", std::ios::binary) << char(2) << encodeManifest(m);
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
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] & 3) {
    case 0:
        checkIndex(bytes);
        break;
    case 1:
        checkRecord(bytes, configFor(data[0]));
        break;
    default: {
        CorpusManifest m;
        if (decodeManifest(bytes, m).empty() && (m.validPermille < 0 || m.validPermille > 1000))
            die("a decoded manifest has a split out of range", std::to_string(m.validPermille));
        break;
    }
    }
    return 0;
}
