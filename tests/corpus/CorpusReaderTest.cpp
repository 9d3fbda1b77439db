// Opening a corpus whose files are damaged or do not fit: each gives an error naming the corpus
// and the file at fault, never a crash.
#include "ml/corpus/CorpusReader.h"
#include "CorpusTestUtil.h"

using namespace torchestra;
using namespace torchestra::ml;
using namespace torchestra::ml::corpus;
using namespace torchestra::corpustest;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A small corpus of three shards, its manifest as built.
std::string builtCorpus(CorpusManifest& manifest) {
    const std::string in = writeSongs(makeTempDir(), 0, 5);
    const std::string out = makeTempDir() + "/corpus";
    CorpusBuildOptions options;
    options.shardBytes = 6000;
    CorpusBuildResult r = build(in, out, options);
    EXPECT_TRUE(r.ok) << r.error;
    manifest = r.manifest;
    return out;
}

} // namespace

TEST(CorpusReader, DamagedShardIsNamed) {
    CorpusManifest m;
    const std::string dir = builtCorpus(m);
    const std::string shard = dir + "/shard-00001.bin";
    std::string bytes = slurp(shard);
    ASSERT_GT(bytes.size(), 100u);
    bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x10);
    spit(shard, bytes);
    CorpusReader reader;
    const std::string err = reader.open(dir);
    EXPECT_NE(err.find(shard + ": checksum mismatch"), std::string::npos) << err;
    EXPECT_EQ(err.rfind("corpus " + dir, 0), 0u) << err;

    spit(shard, bytes.substr(0, bytes.size() - 7));
    const std::string cut = reader.open(dir);
    EXPECT_NE(cut.find(shard + ": " + std::to_string(bytes.size() - 7) + " bytes"),
              std::string::npos)
        << cut;

    // The next build does not trust it: it says so and reads every file again.
    CorpusBuildResult r = build(m.files[0].path.substr(0, m.files[0].path.rfind('/')), dir);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_NE(r.manifest.lastBuild.note.find("not reused (corpus " + dir), std::string::npos)
        << r.manifest.lastBuild.note;
    EXPECT_EQ(r.manifest.lastBuild.processed, 5);
    EXPECT_EQ(reader.open(dir), "");
}

TEST(CorpusReader, OtherRepresentationIsRefusedWithTheDifference) {
    CorpusManifest m;
    const std::string dir = builtCorpus(m);
    RepresentationConfig expected;
    expected.stepsPerBeat = 2;
    expected.velocity = false;
    CorpusReader reader;
    const std::string err = reader.open(dir, &expected);
    EXPECT_NE(err.find("corpus " + dir), std::string::npos) << err;
    EXPECT_NE(err.find("steps per beat 4 in the corpus, 2 expected"), std::string::npos) << err;
    EXPECT_NE(err.find("velocity 1 in the corpus, 0 expected"), std::string::npos) << err;
    Dataset d;
    EXPECT_EQ(loadCorpusDataset(dir, expected, d), err);
}

TEST(CorpusReader, TruncatedOrForeignIndexAndManifestAreNamed) {
    CorpusManifest m;
    const std::string dir = builtCorpus(m);
    const std::string index = dir + "/" + m.indexFile;
    const std::string good = slurp(index);
    CorpusReader reader;
    spit(index, good.substr(0, good.size() / 2));
    std::string err = reader.open(dir);
    EXPECT_NE(err.find(index + ": does not match the manifest"), std::string::npos) << err;
    spit(index, good);

    const std::string manifest = dir + "/manifest.json";
    const std::string text = slurp(manifest);
    spit(manifest, text.substr(0, text.size() / 3));
    err = reader.open(dir);
    EXPECT_NE(err.find(manifest + ": not JSON"), std::string::npos) << err;
    spit(manifest, "{\"format\": \"something else\"}");
    err = reader.open(dir);
    EXPECT_NE(err.find("not a Torchestra corpus manifest"), std::string::npos) << err;
    fs::remove(manifest);
    err = reader.open(dir);
    EXPECT_NE(err.find(manifest), std::string::npos) << err;
    spit(manifest, text);
    EXPECT_EQ(reader.open(dir), "");
}

// The index decoder on every prefix and on single-byte changes of a real index: an error or a
// result whose records all lie inside their shards, never a crash (the fuzzer goes further).
TEST(CorpusReader, IndexDecoderRefusesEveryCutAndChecksBounds) {
    CorpusManifest m;
    const std::string dir = builtCorpus(m);
    const std::string good = slurp(dir + "/" + m.indexFile);
    CorpusIndex index;
    ASSERT_EQ(decodeIndex(good, index), "");
    EXPECT_EQ(encodeIndex(index), good);
    for (std::size_t n = 0; n < good.size(); ++n)
        EXPECT_NE(decodeIndex(std::string_view(good).substr(0, n), index), "") << n;
    for (std::size_t at = 0; at < good.size(); ++at) {
        std::string bad = good;
        bad[at] = char(bad[at] ^ 0xff);
        CorpusIndex out;
        if (!decodeIndex(bad, out).empty())
            continue;
        for (const CorpusRecord& r : out.records) {
            ASSERT_LT(r.shard, out.shards.size());
            EXPECT_LE(r.offset + r.length, out.shards[r.shard].bytes);
        }
    }
}
