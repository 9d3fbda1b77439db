#include "ml/Dataset.h"
#include "MlTestUtil.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

using namespace torchestra;
using namespace torchestra::ml;

namespace {

std::string writeSongs(int count) {
    const std::string dir = test::makeTempDir();
    std::filesystem::create_directories(dir + "/sub");
    for (int i = 0; i < count; ++i) {
        const std::string path =
            dir + (i % 2 ? "/sub/" : "/") + "song" + std::to_string(i) + ".mid";
        EXPECT_EQ(midi::writeMidiFile(path, test::arpeggioSong(2 + i, 480, i)), "");
    }
    return dir;
}

} // namespace

TEST(Dataset, ReadsFoldersRecursivelyAndReportsBadFiles) {
    const std::string dir = writeSongs(5);
    std::ofstream(dir + "/broken.mid") << "MThd garbage";
    std::ofstream(dir + "/notes.txt") << "not a midi file, and not named like one";
    DatasetOptions options;
    options.validFraction = 0.2;
    Dataset d = loadMidiDataset({dir, dir + "/missing.mid"}, RepresentationConfig{}, options);
    EXPECT_EQ(d.train.size() + d.valid.size(), 5u);
    EXPECT_EQ(d.valid.size(), 1u);
    int broken = 0, missing = 0;
    for (const auto& f : d.files) {
        if (f.path.find("broken.mid") != std::string::npos) {
            ++broken;
            EXPECT_FALSE(f.used);
            ASSERT_FALSE(f.problems.empty());
            EXPECT_NE(f.problems[0].find("not read"), std::string::npos) << f.problems[0];
        }
        if (f.path.find("missing.mid") != std::string::npos) {
            ++missing;
            EXPECT_FALSE(f.used);
        }
        EXPECT_EQ(f.path.find("notes.txt"), std::string::npos);
    }
    EXPECT_EQ(broken, 1);
    EXPECT_EQ(missing, 1);
}

TEST(Dataset, SplitIsByFileAndReproducible) {
    const std::string dir = writeSongs(8);
    DatasetOptions options;
    options.validFraction = 0.25;
    options.seed = 42;
    Dataset a = loadMidiDataset({dir}, RepresentationConfig{}, options);
    Dataset b = loadMidiDataset({dir}, RepresentationConfig{}, options);
    ASSERT_EQ(a.valid.size(), 2u);
    for (std::size_t i = 0; i < a.valid.size(); ++i)
        EXPECT_EQ(a.valid[i].source, b.valid[i].source);
    for (const auto& v : a.valid)
        for (const auto& t : a.train)
            EXPECT_NE(v.source, t.source) << "a file is in both splits";
    options.seed = 43;
    bool differs = false;
    for (int s = 43; s < 60 && !differs; ++s) {
        options.seed = std::uint64_t(s);
        Dataset c = loadMidiDataset({dir}, RepresentationConfig{}, options);
        differs = c.valid[0].source != a.valid[0].source || c.valid[1].source != a.valid[1].source;
    }
    EXPECT_TRUE(differs) << "the seed does not affect the split";
}

TEST(Dataset, CacheGivesTheSameSequences) {
    const std::string dir = writeSongs(3);
    DatasetOptions options;
    options.cacheDir = test::makeTempDir() + "/cache";
    Dataset first = loadMidiDataset({dir}, RepresentationConfig{}, options);
    ASSERT_FALSE(std::filesystem::is_empty(options.cacheDir));
    Dataset second = loadMidiDataset({dir}, RepresentationConfig{}, options);
    ASSERT_EQ(first.train.size(), second.train.size());
    for (std::size_t i = 0; i < first.train.size(); ++i) {
        EXPECT_EQ(first.train[i].sounding, second.train[i].sounding);
        EXPECT_EQ(first.train[i].onset, second.train[i].onset);
        EXPECT_EQ(first.train[i].velocityBin, second.train[i].velocityBin);
        EXPECT_EQ(first.train[i].beatInBar, second.train[i].beatInBar);
    }
    // A corrupt cache entry is ignored, not trusted.
    for (const auto& e : std::filesystem::directory_iterator(options.cacheDir))
        std::ofstream(e.path(), std::ios::trunc) << "junk";
    Dataset third = loadMidiDataset({dir}, RepresentationConfig{}, options);
    ASSERT_EQ(third.train.size(), first.train.size());
    EXPECT_EQ(third.train[0].sounding, first.train[0].sounding);
}

TEST(Dataset, CacheKeepsEachChoiceOfTracksApart) {
    // Track 0: the arpeggio; track 1: one high note a bar. One cache folder for both choices.
    model::Song song = test::arpeggioSong(2);
    std::vector<model::Note> high;
    for (int bar = 0; bar < 2; ++bar)
        high.push_back(test::gridNote(model::Tick(bar) * 1920, 480, 96));
    song.addTrack(model::Track{}, high);
    const std::string dir = test::makeTempDir();
    ASSERT_EQ(midi::writeMidiFile(dir + "/two.mid", song), "");
    DatasetOptions options;
    options.validFraction = 0;
    options.cacheDir = dir + "/cache";
    auto soundingPitches = [&](std::vector<int> indices) {
        options.selection.indices = std::move(indices);
        Dataset d = loadMidiDataset({dir + "/two.mid"}, RepresentationConfig{}, options);
        EXPECT_EQ(d.train.size(), 1u);
        std::set<int> pitches;
        if (d.train.empty())
            return pitches;
        const FrameSequence& seq = d.train[0];
        for (int t = 0; t < seq.steps; ++t)
            for (int p = 0; p < seq.pitches; ++p)
                if (seq.sounding[std::size_t(t) * std::size_t(seq.pitches) + std::size_t(p)])
                    pitches.insert(p);
        return pitches;
    };
    const std::set<int> first = soundingPitches({0});
    const std::set<int> second = soundingPitches({1}); // a cached grid of {0} must not answer
    const std::set<int> again = soundingPitches({0});  // from the cache now
    EXPECT_EQ(second.size(), 1u);
    EXPECT_GT(first.size(), 1u);
    EXPECT_EQ(first, again);
    EXPECT_EQ(first.count(*second.begin()), 0u);
}

TEST(Dataset, BatchesAreBarAlignedMaskedAndTransposed) {
    Dataset d;
    d.train.push_back(songToSequence(test::arpeggioSong(8), RepresentationConfig{}));
    d.train.push_back(songToSequence(test::arpeggioSong(1), RepresentationConfig{}));
    std::mt19937_64 rng(3);
    Batch b = sampleBatch(d.train, 32, 32, 0, rng);
    ASSERT_EQ(b.windows.size(), 32u);
    int shortOnes = 0;
    for (int i = 0; i < b.count; ++i) {
        const FrameSequence& w = b.windows[std::size_t(i)];
        EXPECT_EQ(w.steps, 32);
        EXPECT_EQ(w.beatInBar[0], 0);
        EXPECT_EQ(w.stepInBeat[0], 0);
        const int real = std::count(b.mask.begin() + i * 32, b.mask.begin() + (i + 1) * 32, 1);
        if (real == 16) {
            ++shortOnes;
            EXPECT_EQ(w.notesAt(20), 0); // padding is silent
        } else {
            EXPECT_EQ(real, 32);
        }
    }
    EXPECT_GT(shortOnes, 0);
    Batch t = sampleBatch({d.train[0]}, 16, 16, 3, rng);
    bool shifted = false;
    for (const auto& w : t.windows)
        shifted = shifted || !w.sounds(0, 48 - 21);
    EXPECT_TRUE(shifted) << "no window was transposed";
}

TEST(Dataset, ReadsJsbJsonAndRejectsBadPitches) {
    const std::string dir = test::makeTempDir();
    std::ofstream(dir + "/jsb.json")
        << R"({"train":[[[60,64],[60,64,67],[]]],"valid":[[[62]]],"test":[[[21,108],[50]]]})";
    Dataset d;
    ASSERT_EQ(loadJsbDataset(dir + "/jsb.json", d), "");
    ASSERT_EQ(d.train.size(), 1u);
    EXPECT_EQ(d.train[0].steps, 3);
    EXPECT_EQ(d.train[0].notesAt(1), 3);
    EXPECT_EQ(d.train[0].notesAt(2), 0);
    EXPECT_EQ(d.test[0].sounds(0, 0), 1);
    EXPECT_EQ(d.test[0].sounds(0, 87), 1);
    EXPECT_FALSE(d.representation.onsets);
    std::ofstream(dir + "/bad.json") << R"({"train":[[[10]]],"valid":[],"test":[]})";
    std::string err = loadJsbDataset(dir + "/bad.json", d);
    EXPECT_NE(err.find("bad.json"), std::string::npos) << err;
    EXPECT_NE(loadJsbDataset(dir + "/nope.json", d), "");
}

TEST(Dataset, CacheReaderRefusesGridsThatDoNotFitTheRepresentation) {
    RepresentationConfig config;
    config.lowPitch = 60;
    config.highPitch = 63;
    FrameSequence s;
    s.resize(2, config.pitches(), config.onsets);
    s.sounding[0] = s.onset[0] = 1;
    s.velocityBin[0] = 3;
    s.stepInBeat = {0, 1};
    s.beatInBar = {0, 0};
    const std::string good = encodeCachedSequence(s, 1);
    FrameSequence out;
    int notes = -1;
    ASSERT_TRUE(decodeCachedSequence(good, config, out, notes));
    EXPECT_EQ(notes, 1);
    EXPECT_EQ(out.sounding, s.sounding);
    EXPECT_EQ(out.velocityBin, s.velocityBin);

    // Each of these once read fine and handed the models an index past their one-hot inputs
    // (or a grid of another size): a damaged cache file must be parsed afresh instead.
    auto refused = [&](auto change) {
        FrameSequence bad = s;
        int badNotes = 1;
        change(bad, badNotes);
        return !decodeCachedSequence(encodeCachedSequence(bad, badNotes), config, out, notes);
    };
    EXPECT_TRUE(refused([](FrameSequence& b, int&) { b.velocityBin[1] = 8; }));
    EXPECT_TRUE(refused([](FrameSequence& b, int&) { b.stepInBeat[1] = 4; }));
    EXPECT_TRUE(refused([](FrameSequence& b, int&) { b.beatInBar[1] = 8; }));
    EXPECT_TRUE(refused([](FrameSequence& b, int&) { b.sounding[1] = 2; }));
    EXPECT_TRUE(refused([](FrameSequence& b, int& n) { b.onset[1] = 1, n = 1; }));
    EXPECT_TRUE(refused([](FrameSequence& b, int& n) { n = -1; }));
    EXPECT_TRUE(refused([](FrameSequence& b, int&) { b.resize(2, 5, true); }));
    EXPECT_TRUE(refused([](FrameSequence& b, int& n) { b.resize(2, 4, false), n = 0; }));
    EXPECT_TRUE(decodeCachedSequence(good, config, out, notes)); // and the good one still reads

    // A grid without onsets has an empty onset vector: reading it once passed null to memcpy
    // (UB, reported by UBSan; found by tests/fuzz/sequence_cache_fuzz).
    config.onsets = false;
    FrameSequence frames;
    frames.resize(2, config.pitches(), false);
    frames.sounding[1] = 1;
    ASSERT_TRUE(decodeCachedSequence(encodeCachedSequence(frames, 1), config, out, notes));
    EXPECT_TRUE(out.onset.empty());
    EXPECT_EQ(out.sounding, frames.sounding);
}
