#include "ml/Checkpoint.h"
#include "MlTestUtil.h"
#include "ml/MarkovModel.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace torchestra;
using namespace torchestra::ml;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

struct Saved {
    std::string path;
    FrameSequence song;
    double nll;
};

Saved saveMarkov(const std::string& dir) {
    ModelConfig c;
    c.kind = ModelKind::Markov;
    MarkovModel model(c);
    Saved s;
    s.song = songToSequence(test::arpeggioSong(4), RepresentationConfig{});
    model.train({s.song});
    s.nll = model.evaluate(s.song).frameSum;
    TrainingMetadata meta;
    DatasetFileInfo f;
    f.path = "song.mid";
    f.hash = "0123456789abcdef";
    f.steps = s.song.steps;
    meta.files.push_back(f);
    meta.trackIndices = {1, 3};
    meta.history.push_back({1, 0.5, 0.75, 0.001, 2.0});
    meta.bestEpoch = 1;
    meta.bestValidLoss = 0.75;
    s.path = dir + "/model.tcm";
    EXPECT_EQ(saveCheckpoint(s.path, model, meta), "");
    return s;
}

} // namespace

TEST(Checkpoint, SaveLoadKeepsModelConfigAndMetadata) {
    Saved s = saveMarkov(test::makeTempDir());
    LoadedCheckpoint loaded = loadCheckpoint(s.path);
    ASSERT_NE(loaded.model, nullptr) << loaded.error;
    EXPECT_EQ(loaded.model->config().kind, ModelKind::Markov);
    EXPECT_EQ(loaded.model->representation(), RepresentationConfig{});
    EXPECT_DOUBLE_EQ(loaded.model->evaluate(s.song).frameSum, s.nll);
    ASSERT_EQ(loaded.metadata.files.size(), 1u);
    EXPECT_EQ(loaded.metadata.files[0].hash, "0123456789abcdef");
    EXPECT_EQ(loaded.metadata.trackIndices, (std::vector<int>{1, 3}));
    ASSERT_EQ(loaded.metadata.history.size(), 1u);
    EXPECT_DOUBLE_EQ(loaded.metadata.history[0].validLoss, 0.75);
    EXPECT_EQ(loaded.metadata.programVersion, TORCHESTRA_VERSION);
    EXPECT_FALSE(loaded.metadata.createdUtc.empty());
}

TEST(Checkpoint, EveryTruncationIsAClearError) {
    Saved s = saveMarkov(test::makeTempDir());
    const std::string bytes = slurp(s.path);
    const std::string cut = s.path + ".cut";
    for (std::size_t n = 0; n < bytes.size(); n += std::max<std::size_t>(1, bytes.size() / 97)) {
        spit(cut, bytes.substr(0, n));
        LoadedCheckpoint l = loadCheckpoint(cut);
        EXPECT_EQ(l.model, nullptr) << "a file cut at " << n << " bytes loaded";
        EXPECT_NE(l.error.find(cut), std::string::npos) << l.error;
    }
}

TEST(Checkpoint, FlippedByteIsCaughtByTheChecksum) {
    Saved s = saveMarkov(test::makeTempDir());
    std::string bytes = slurp(s.path);
    bytes[bytes.size() / 2] ^= 0x10;
    spit(s.path, bytes);
    LoadedCheckpoint l = loadCheckpoint(s.path);
    EXPECT_EQ(l.model, nullptr);
    EXPECT_NE(l.error.find("checksum"), std::string::npos) << l.error;
}

TEST(Checkpoint, ForeignAndFutureFilesAreRefused) {
    const std::string dir = test::makeTempDir();
    spit(dir + "/song.mid", "MThd\0\0\0\6");
    LoadedCheckpoint l = loadCheckpoint(dir + "/song.mid");
    EXPECT_EQ(l.model, nullptr);
    EXPECT_NE(l.error.find("not a Torchestra model"), std::string::npos) << l.error;
    Saved s = saveMarkov(dir);
    std::string bytes = slurp(s.path);
    bytes[16] = 99; // format version
    spit(s.path, bytes);
    l = loadCheckpoint(s.path);
    EXPECT_NE(l.error.find("format 99"), std::string::npos) << l.error;
    l = loadCheckpoint(dir + "/absent.tcm");
    EXPECT_NE(l.error.find("absent.tcm"), std::string::npos) << l.error;
}

TEST(Checkpoint, FailedSaveLeavesTheOldFile) {
    Saved s = saveMarkov(test::makeTempDir());
    const std::string before = slurp(s.path);
    ModelConfig c;
    c.kind = ModelKind::Markov;
    MarkovModel other(c);
    EXPECT_NE(saveCheckpoint("/nonexistent-dir/x.tcm", other, {}), "");
    EXPECT_EQ(slurp(s.path), before);
}

namespace {
// A model whose payload is whatever a test wants to hand the loader behind a valid container.
class RawPayloadModel : public test::StubModel {
public:
    RawPayloadModel(ModelConfig config, std::string payload)
        : StubModel(std::move(config)), m_payload(std::move(payload)) {}
    std::string serialize() const override { return m_payload; }

private:
    std::string m_payload;
};
} // namespace

TEST(Checkpoint, LoadsFromBytesAndNamesTheGivenName) {
    Saved s = saveMarkov(test::makeTempDir());
    LoadedCheckpoint loaded = loadCheckpointFromBytes(slurp(s.path), "memory");
    ASSERT_NE(loaded.model, nullptr) << loaded.error;
    EXPECT_DOUBLE_EQ(loaded.model->evaluate(s.song).frameSum, s.nll);
    LoadedCheckpoint bad = loadCheckpointFromBytes("junk", "memory");
    EXPECT_EQ(bad.model, nullptr);
    EXPECT_EQ(bad.error.rfind("memory: ", 0), 0u) << bad.error;
}

TEST(Checkpoint, AbsurdMarkovTableSizeIsAnErrorNotACrash) {
    // Found by tests/fuzz/checkpoint_fuzz: a context count whose byte size wraps around 2^64
    // passed the length check, and reserving it threw out of loadCheckpoint (std::terminate).
    ModelConfig c;
    c.kind = ModelKind::Markov;
    c.markovOrder = 1;
    std::string payload = "MRKV0001";
    auto put = [&](auto v) { payload.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(std::uint32_t(0));                   // frames
    put(std::uint32_t(2));                   // context levels: order + 1
    put(std::uint64_t(0x1555555555555556u)); // contexts: times 12 bytes wraps to 8
    put(std::uint64_t(0));                   // those 8 bytes
    const std::string path = test::makeTempDir() + "/absurd.tcm";
    ASSERT_EQ(saveCheckpoint(path, RawPayloadModel(c, payload), TrainingMetadata{}), "");
    LoadedCheckpoint loaded = loadCheckpoint(path);
    EXPECT_EQ(loaded.model, nullptr);
    EXPECT_NE(loaded.error.find("Markov payload"), std::string::npos) << loaded.error;
}
