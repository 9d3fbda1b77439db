// Building a corpus: every file's fate, equality with loadMidiDataset, incremental rebuilds, the
// split as the corpus grows, and cancelling.
#include "CorpusTestUtil.h"
#include "ml/Dataset.h"
#include "ml/corpus/CorpusReader.h"
#include "ml/corpus/CorpusReport.h"

#include <map>
#include <set>

using namespace torchestra;
using namespace torchestra::ml;
using namespace torchestra::ml::corpus;
using namespace torchestra::corpustest;
namespace fs = std::filesystem;

namespace {

const CorpusFileEntry* entryFor(const CorpusManifest& m, const std::string& name) {
    for (const auto& f : m.files)
        if (fs::path(f.path).filename() == name)
            return &f;
    return nullptr;
}

// Every record of the corpus decoded, by its file's path.
std::map<std::string, FrameSequence> readAll(const std::string& dir) {
    CorpusReader reader;
    EXPECT_EQ(reader.open(dir), "");
    std::map<std::string, FrameSequence> out;
    for (std::size_t i = 0; i < reader.size(); ++i) {
        FrameSequence seq;
        EXPECT_EQ(reader.read(i, seq), "");
        out[seq.source] = seq;
    }
    return out;
}

void expectSameGrid(const FrameSequence& a, const FrameSequence& b) {
    EXPECT_EQ(a.steps, b.steps) << a.source;
    EXPECT_EQ(a.pitches, b.pitches) << a.source;
    EXPECT_EQ(a.sounding, b.sounding) << a.source;
    EXPECT_EQ(a.onset, b.onset) << a.source;
    EXPECT_EQ(a.velocityBin, b.velocityBin) << a.source;
    EXPECT_EQ(a.stepInBeat, b.stepInBeat) << a.source;
    EXPECT_EQ(a.beatInBar, b.beatInBar) << a.source;
}

// What loadMidiDataset makes of the same folder, by path (every file in train).
std::map<std::string, FrameSequence> loadDirectly(const std::string& dir) {
    DatasetOptions options;
    options.validFraction = 0;
    Dataset d = loadMidiDataset({dir}, RepresentationConfig{}, options);
    std::map<std::string, FrameSequence> out;
    for (auto& s : d.train)
        out[fs::absolute(s.source).lexically_normal().string()] = s;
    return out;
}

} // namespace

TEST(CorpusBuild, AccountsForEveryFileWithReasons) {
    const std::string in = writeSongs(makeTempDir(), 0, 6);
    fs::copy_file(in + "/song0.mid", in + "/sub/copy-of-song0.mid");
    std::ofstream(in + "/garbage.mid") << "MThd garbage";
    std::ofstream(in + "/empty.mid", std::ios::binary)
        << midi::writeMidi(::torchestra::testkit::songIn44());
    const std::string out = makeTempDir() + "/corpus";
    std::vector<CorpusProgress> seen;
    std::atomic<bool> cancel{false};
    CorpusBuildOptions options;
    options.threads = 2;
    CorpusBuildResult r = buildCorpus({in}, out, options, cancel,
                                      [&](const CorpusProgress& p) { seen.push_back(p); });
    ASSERT_TRUE(r.ok) << r.error;
    const CorpusReport report = makeCorpusReport(r.manifest);
    EXPECT_EQ(report.files, 9);
    EXPECT_EQ(report.used, 6);
    EXPECT_EQ(report.refused, 3);
    EXPECT_EQ(report.duplicates, 1);
    EXPECT_GT(report.notes, 6 * 4 * 8);
    EXPECT_NEAR(report.seconds, 6 * 4 * 2.0, 0.01); // 4 bars of 4/4 at 120 BPM each
    std::map<std::string, long> byReason;
    for (const auto& g : report.refusals)
        byReason[g.reason] = g.count;
    EXPECT_EQ(byReason[kRefusedNotMidi], 1);
    EXPECT_EQ(byReason[kRefusedNoNotes], 1);
    EXPECT_EQ(byReason[kRefusedDuplicate], 1);
    const CorpusFileEntry* copy = entryFor(r.manifest, "copy-of-song0.mid");
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->duplicateOf, fs::absolute(in + "/song0.mid").lexically_normal().string());
    const CorpusFileEntry* garbage = entryFor(r.manifest, "garbage.mid");
    ASSERT_NE(garbage, nullptr);
    ASSERT_FALSE(garbage->problems.empty());
    EXPECT_NE(garbage->problems[0].find("not read"), std::string::npos) << garbage->problems[0];
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().done, 9);
    EXPECT_EQ(seen.back().total, 9);
    EXPECT_EQ(seen.back().processed, 9);
    const std::string text = formatCorpusReport(report, r.manifest, out);
    EXPECT_NE(text.find("refused, " + std::string(kRefusedNotMidi) + ": 1"), std::string::npos)
        << text;
    EXPECT_NE(text.find("garbage.mid"), std::string::npos) << text;
    EXPECT_TRUE(fs::exists(out + "/report.txt"));
}

TEST(CorpusBuild, ReaderGivesWhatLoadMidiDatasetGives) {
    const std::string in = writeSongs(makeTempDir(), 0, 7);
    const std::string out = makeTempDir() + "/corpus";
    CorpusBuildOptions options;
    options.shardBytes = 4000; // a few records a shard
    CorpusBuildResult r = build(in, out, options);
    ASSERT_TRUE(r.ok) << r.error;
    const auto fromCorpus = readAll(out);
    const auto direct = loadDirectly(in);
    ASSERT_EQ(fromCorpus.size(), 7u);
    ASSERT_EQ(direct.size(), 7u);
    for (const auto& [path, seq] : direct) {
        ASSERT_EQ(fromCorpus.count(path), 1u) << path;
        expectSameGrid(fromCorpus.at(path), seq);
    }
    CorpusReader reader;
    ASSERT_EQ(reader.open(out), "");
    EXPECT_GT(reader.index().shards.size(), 2u);
    Dataset d;
    ASSERT_EQ(loadCorpusDataset(out, RepresentationConfig{}, d), "");
    EXPECT_EQ(d.train.size() + d.valid.size(), 7u);
    EXPECT_EQ(d.files.size(), 7u);
}

TEST(CorpusBuild, RebuildReadsOnlyNewChangedAndDuplicateFiles) {
    const std::string in = writeSongs(makeTempDir(), 0, 6);
    const std::string out = makeTempDir() + "/corpus";
    CorpusBuildOptions options;
    options.shardBytes = 4000;
    ASSERT_TRUE(build(in, out, options).ok);

    CorpusBuildResult same = build(in, out, options);
    ASSERT_TRUE(same.ok) << same.error;
    EXPECT_EQ(same.manifest.lastBuild.processed, 0);
    EXPECT_EQ(same.manifest.lastBuild.unchanged, 6);

    writeSongs(in, 6, 2);                              // two new files
    writeSong(in + "/song2.mid", 40, 6);               // one changed
    fs::remove(in + "/sub/song3.mid");                 // one removed
    fs::rename(in + "/song4.mid", in + "/moved4.mid"); // one moved: same bytes
    std::vector<CorpusProgress> seen;
    std::atomic<bool> cancel{false};
    options.threads = 2;
    CorpusBuildResult r = buildCorpus({in}, out, options, cancel,
                                      [&](const CorpusProgress& p) { seen.push_back(p); });
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.manifest.lastBuild.processed, 4); // 2 new, 1 changed, 1 moved
    EXPECT_EQ(r.manifest.lastBuild.reusedByHash, 1);
    EXPECT_EQ(r.manifest.lastBuild.unchanged, 3);
    EXPECT_EQ(r.manifest.lastBuild.removed, 2); // song3 and the old name of song4
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.front().done, 3) << "unchanged files count as done at once";
    EXPECT_EQ(seen.back().processed, 4);
    EXPECT_EQ(makeCorpusReport(r.manifest).used, 7);

    const auto fromCorpus = readAll(out);
    const auto direct = loadDirectly(in);
    ASSERT_EQ(fromCorpus.size(), direct.size());
    for (const auto& [path, seq] : direct) {
        ASSERT_EQ(fromCorpus.count(path), 1u) << path;
        expectSameGrid(fromCorpus.at(path), seq);
    }
    // Only the files the manifest names are left in the folder.
    CorpusReader reader;
    ASSERT_EQ(reader.open(out), "");
    std::set<std::string> named = {"manifest.json", "report.txt", r.manifest.indexFile};
    for (const auto& s : reader.index().shards)
        named.insert(s.file);
    for (const auto& e : fs::directory_iterator(out))
        EXPECT_EQ(named.count(e.path().filename().string()), 1u) << e.path();
}

TEST(CorpusBuild, SplitByContentHashIsStableAsTheCorpusGrows) {
    const std::string in = writeSongs(makeTempDir(), 0, 40);
    const std::string out = makeTempDir() + "/corpus";
    CorpusBuildOptions options;
    options.validPermille = 250;
    CorpusBuildResult first = build(in, out, options);
    ASSERT_TRUE(first.ok) << first.error;
    std::map<std::string, bool> split;
    for (const auto& f : first.manifest.files)
        split[f.path] = f.valid;
    const long valid = makeCorpusReport(first.manifest).validFiles;
    EXPECT_GE(valid, 3); // 10 expected of 40
    EXPECT_LE(valid, 20);

    writeSongs(in, 40, 30);
    CorpusBuildResult grown = build(in, out, options);
    ASSERT_TRUE(grown.ok) << grown.error;
    int kept = 0;
    for (const auto& f : grown.manifest.files) {
        if (split.count(f.path)) {
            ++kept;
            EXPECT_EQ(f.valid, split[f.path]) << f.path << " changed sides";
        }
    }
    EXPECT_EQ(kept, 40);
    // A fresh build of the grown folder splits the same way: by content, not by history.
    const std::string fresh = makeTempDir() + "/corpus";
    CorpusBuildResult again = build(in, fresh, options);
    ASSERT_TRUE(again.ok);
    ASSERT_EQ(again.manifest.files.size(), grown.manifest.files.size());
    for (std::size_t i = 0; i < again.manifest.files.size(); ++i)
        EXPECT_EQ(again.manifest.files[i].valid, grown.manifest.files[i].valid);
}

TEST(CorpusBuild, CancelledOrFailedBuildLeavesThePreviousCorpus) {
    const std::string in = writeSongs(makeTempDir(), 0, 5);
    const std::string out = makeTempDir() + "/corpus";
    CorpusBuildOptions options;
    options.shardBytes = 4000;
    ASSERT_TRUE(build(in, out, options).ok);
    std::set<std::string> before;
    for (const auto& e : fs::directory_iterator(out))
        before.insert(e.path().filename().string());

    writeSongs(in, 5, 3);
    fs::remove(in + "/song0.mid"); // its shard is rewritten: records are copied before cancel
    std::atomic<bool> cancel{true};
    CorpusBuildResult r = buildCorpus({in}, out, options, cancel);
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.cancelled);
    std::set<std::string> after;
    for (const auto& e : fs::directory_iterator(out))
        after.insert(e.path().filename().string());
    EXPECT_EQ(after, before);
    CorpusReader reader;
    ASSERT_EQ(reader.open(out), "");
    EXPECT_EQ(reader.size(), 5u);

    CorpusBuildResult missing = build(in + "/nowhere", out, options);
    EXPECT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find("nowhere: no such file or folder"), std::string::npos)
        << missing.error;
    ASSERT_EQ(reader.open(out), "");
}

TEST(CorpusBuild, AnotherRepresentationOrTrackChoiceRebuildsEverything) {
    const std::string in = writeSongs(makeTempDir(), 0, 3);
    const std::string out = makeTempDir() + "/corpus";
    ASSERT_TRUE(build(in, out).ok);
    CorpusBuildOptions options;
    options.representation.stepsPerBeat = 2;
    CorpusBuildResult r = build(in, out, options);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.manifest.lastBuild.processed, 3);
    EXPECT_NE(r.manifest.lastBuild.note.find("another representation"), std::string::npos);
    CorpusReader reader;
    ASSERT_EQ(reader.open(out, &options.representation), "");
    FrameSequence seq;
    ASSERT_EQ(reader.read(0, seq), "");
    EXPECT_EQ(seq.steps, 4 * 4 * 2);
}
