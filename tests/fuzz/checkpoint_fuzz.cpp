// libFuzzer entry point for model checkpoints (ml::loadCheckpointFromBytes). Random bytes would
// stop at the magic or the checksum, so most inputs are repaired first the way saveCheckpoint
// writes them (magic, version, header length within the file, payload length, CRC-32; and for
// an RNN/LSTM payload its own version, length and FNV-1a) and the fuzzer explores the JSON
// header, the config and the Markov or LibTorch payload behind them.
// An input whose first byte has its low three bits clear goes in unrepaired (the byte is
// dropped either way). A load must give a model or an error naming the file, never both; a
// model that loads must evaluate a short sequence of its own representation.
//
// TORCHESTRA_FUZZ_WRITE_SEEDS=<dir> checkpoint_fuzz writes the seed corpus (a tiny Markov and a
// tiny LSTM checkpoint, each with a leading repair byte) and exits.

#include "ml/Checkpoint.h"
#include "ml/MarkovModel.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/NeuralModel.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

using namespace torchestra;
using namespace torchestra::ml;

namespace {

const char* const kName = "fuzz.tcm";

[[noreturn]] void die(const char* what, const std::string& detail) {
    std::fprintf(stderr, "checkpoint_fuzz: %s: %s\n", what, detail.c_str());
    std::abort();
}

template <typename T> void store(std::string& bytes, std::size_t pos, T v) {
    std::memcpy(&bytes[pos], &v, sizeof v);
}

// The RNN/LSTM payload's own header (ml/neural/NeuralModel.cpp): "TNRL", version:u32,
// archive length:u64, FNV-1a 64 of the archive, then LibTorch's archive (little-endian).
void repairNeuralPayload(std::string& bytes, std::size_t at) {
    constexpr std::size_t kHeader = 4 + 4 + 8 + 8;
    if (bytes.size() - 4 < at + kHeader || bytes.compare(at, 4, "TNRL") != 0)
        return;
    const std::size_t archiveAt = at + kHeader, archiveLength = bytes.size() - 4 - archiveAt;
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = archiveAt; i < archiveAt + archiveLength; ++i) {
        h ^= std::uint8_t(bytes[i]);
        h *= 1099511628211ull;
    }
    store(bytes, at + 4, std::uint32_t(1));
    store(bytes, at + 8, std::uint64_t(archiveLength));
    store(bytes, at + 16, h);
}

// Layout: magic[16] version:u32 headerLength:u32 header payloadLength:u64 payload crc:u32.
void repair(std::string& bytes) {
    constexpr std::size_t kFixed = 16 + 4 + 4 + 8 + 4;
    if (bytes.size() < kFixed)
        return;
    std::memcpy(&bytes[0], "TORCHESTRA-MODEL", 16);
    store(bytes, 16, std::uint32_t(kCheckpointVersion));
    std::uint32_t headerLength = 0;
    std::memcpy(&headerLength, &bytes[20], sizeof headerLength);
    headerLength = std::uint32_t(headerLength % (bytes.size() - kFixed + 1));
    store(bytes, 20, headerLength);
    const std::size_t payloadAt = 24 + headerLength + 8;
    store(bytes, payloadAt - 8, std::uint64_t(bytes.size() - 4 - payloadAt));
    repairNeuralPayload(bytes, payloadAt);
    store(bytes, bytes.size() - 4, checkpointCrc32(bytes.data(), bytes.size() - 4));
}

FrameSequence probe(const RepresentationConfig& r) {
    FrameSequence s;
    s.resize(4, r.pitches(), r.onsets);
    for (int t = 0; t < s.steps; ++t) {
        s.sounding[std::size_t(t) * r.pitches() + std::size_t(t % r.pitches())] = 1;
        if (r.onsets)
            s.onset[std::size_t(t) * r.pitches() + std::size_t(t % r.pitches())] = 1;
        if (r.velocity)
            s.velocityBin[std::size_t(t)] = std::uint8_t(t % r.velocityBins);
        s.stepInBeat[std::size_t(t)] = std::uint8_t(t % r.stepsPerBeat);
        s.beatInBar[std::size_t(t)] = 0;
    }
    return s;
}

void writeSeed(const std::string& dir, const std::string& name, const SequenceModel& model) {
    TrainingMetadata meta;
    DatasetFileInfo f;
    f.path = "song.mid";
    f.hash = "0123456789abcdef";
    f.steps = 4;
    f.notes = 4;
    meta.files.push_back(f);
    meta.trackIndices = {1};
    meta.history.push_back({1, 0.5, 0.75, 0.001, 2.0});
    meta.bestEpoch = 1;
    meta.bestValidLoss = 0.75;
    meta.createdUtc = "2024-01-01T00:00:00Z"; // reproducible seeds
    const std::string tmp = dir + "/" + name + ".tmp";
    if (std::string err = saveCheckpoint(tmp, model, meta); !err.empty())
        die("cannot write a seed", err);
    std::ifstream in(tmp, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::remove(tmp.c_str());
    if (const LoadedCheckpoint check = loadCheckpointFromBytes(bytes, name); !check.model)
        die("a seed does not load", check.error); // a seed must reach the payload reader
    std::ofstream(dir + "/" + name, std::ios::binary | std::ios::trunc) << '\x01' << bytes;
}

void writeSeeds(const std::string& dir) {
    ModelConfig c;
    c.representation.lowPitch = 60;
    c.representation.highPitch = 63;
    c.representation.velocityBins = 2;
    c.representation.maxBeatsPerBar = 4;
    c.kind = ModelKind::Markov;
    c.markovOrder = 1;
    MarkovModel markov(c);
    markov.train({probe(c.representation)});
    writeSeed(dir, "markov.tcm", markov);

    c.kind = ModelKind::Lstm;
    c.layers = 1;
    c.hidden = 4;
    c.nadeHidden = 2;
    std::string err;
    const auto lstm = neural::createNeuralModel(c, 1, err);
    if (!lstm)
        die("cannot make the seed LSTM", err);
    writeSeed(dir, "lstm.tcm", *lstm);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    torchestra::ml::neural::registerNeuralKinds();
    if (const char* dir = std::getenv("TORCHESTRA_FUZZ_WRITE_SEEDS")) {
        writeSeeds(dir);
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    if ((data[0] & 7) != 0)
        repair(bytes);
    const LoadedCheckpoint loaded = loadCheckpointFromBytes(bytes, kName);
    if (!loaded.model) {
        if (loaded.error.rfind(std::string(kName) + ": ", 0) != 0)
            die("an error does not name the file", loaded.error);
        return 0;
    }
    if (!loaded.error.empty())
        die("a model loaded with an error", loaded.error);
    const NllResult nll = loaded.model->evaluate(probe(loaded.model->representation()));
    if (nll.frameSteps < 0)
        die("negative step count", std::to_string(nll.frameSteps));
    return 0;
}
