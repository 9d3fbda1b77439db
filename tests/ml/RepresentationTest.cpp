#include "ml/Representation.h"
#include "MlTestUtil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace torchestra;
using namespace torchestra::ml;
using model::Note;
using model::Tick;

namespace {

std::vector<Note> sortedContent(std::vector<Note> notes) {
    for (Note& n : notes)
        n.id = 0;
    std::sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) {
        return std::tie(a.start, a.pitch, a.length) < std::tie(b.start, b.pitch, b.length);
    });
    return notes;
}

} // namespace

// A song already on the grid (starts and lengths in whole steps, velocities at bin centres, one
// velocity per step) survives song -> sequence -> notes exactly.
TEST(Representation, SongOnTheGridRoundTripsLosslessly) {
    RepresentationConfig config;
    std::mt19937 rng(7);
    model::Song song;
    model::TempoMap map(480);
    map.setTimeSignature({0, 3, 4});
    map.setTimeSignature({120 * 12 * 4, 4, 4});
    song.setTempoMap(map);
    model::TrackId t = song.addTrack(model::Track{});
    std::vector<Note> notes;
    std::vector<int> stepVelocity(400);
    for (auto& v : stepVelocity)
        v = binToVelocity(std::uint8_t(rng() % config.velocityBins), config.velocityBins);
    for (int i = 0; i < 300; ++i) {
        const int step = int(rng() % 380);
        const int len = 1 + int(rng() % 8);
        const int pitch = 21 + int(rng() % 88);
        // Same-pitch notes may touch but not overlap: a grid cell holds one note at a time.
        bool clash = false;
        for (const Note& n : notes)
            if (n.pitch == pitch && n.start < Tick(step + len) * 120 && n.end() > Tick(step) * 120)
                clash = true;
        if (!clash)
            notes.push_back(test::gridNote(Tick(step) * 120, Tick(len) * 120, pitch,
                                           stepVelocity[std::size_t(step)]));
    }
    song.addNotes(t, notes);
    FrameSequence seq = songToSequence(song, config);
    ASSERT_GT(seq.steps, 0);
    EXPECT_EQ(seq.steps % 4, 0);
    std::vector<Note> back = sequenceToNotes(seq, config, 0, ticksPerStep(song, config));
    EXPECT_EQ(back.size(), notes.size());
    const auto a = sortedContent(notes), b = sortedContent(back);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(model::sameContent(a[i], b[i]))
            << "note " << i << ": pitch " << int(a[i].pitch) << " at " << a[i].start;
}

TEST(Representation, OnsetsTellRepeatedNotesFromHeldOnes) {
    RepresentationConfig config;
    model::Song song = test::arpeggioSong(1);
    FrameSequence seq = songToSequence(song, config);
    ASSERT_EQ(seq.steps, 16);
    const int bass = 48 - config.lowPitch;
    EXPECT_EQ(seq.sounds(0, bass), 1);
    EXPECT_EQ(seq.starts(0, bass), 1);
    EXPECT_EQ(seq.sounds(5, bass), 1);
    EXPECT_EQ(seq.starts(5, bass), 0); // held
    // Two touching notes of one pitch stay two notes.
    model::Song two;
    model::TrackId t = two.addTrack(model::Track{});
    two.addNotes(t, {test::gridNote(0, 240, 60), test::gridNote(240, 240, 60)});
    FrameSequence s2 = songToSequence(two, config);
    EXPECT_EQ(sequenceToNotes(s2, config, 0, 120).size(), 2u);
}

TEST(Representation, MetreFollowsTimeSignatures) {
    RepresentationConfig config;
    model::Song song = test::arpeggioSong(2);
    model::TempoMap map = song.tempoMap();
    map.setTimeSignature({1920, 3, 4});
    song.setTempoMap(map);
    FrameSequence seq = songToSequence(song, config, {}, 0, 1920 + 1440);
    ASSERT_EQ(seq.steps, 16 + 12);
    EXPECT_EQ(seq.beatInBar[0], 0);
    EXPECT_EQ(seq.beatInBar[4], 1);
    EXPECT_EQ(seq.stepInBeat[5], 1);
    EXPECT_EQ(seq.beatInBar[16], 0); // new 3/4 bar
    EXPECT_EQ(seq.beatInBar[16 + 8], 2);
}

TEST(Representation, DrumsAreLeftOutByDefault) {
    RepresentationConfig config;
    model::Song song;
    model::TrackId t = song.addTrack(model::Track{});
    song.addNotes(t, {test::gridNote(0, 120, 60, 80, 0), test::gridNote(0, 120, 36, 80, 9)});
    FrameSequence seq = songToSequence(song, config);
    EXPECT_EQ(seq.notesAt(0), 1);
    TrackSelection chosen;
    chosen.tracks = {t};
    EXPECT_EQ(songToSequence(song, config, chosen).notesAt(0), 2);
}

// A note starting in the last half step of the range rounds to the grid's end: it is left out
// (it used to be written one step past the grid: a heap overflow ASan reports, found by
// reading the fuzz harnesses' findings).
TEST(Representation, ANoteRoundingToTheGridsEndIsLeftOut) {
    RepresentationConfig config;
    model::Song song; // 480 ppq, 4/4: a bar is 1920 ticks, 16 steps of 120
    model::TrackId t = song.addTrack(model::Track{});
    song.addNotes(t, {test::gridNote(0, 120, 64, 80, 0), test::gridNote(1919, 1, 60, 80, 0)});
    const FrameSequence seq = songToSequence(song, config);
    ASSERT_EQ(seq.steps, 16);
    EXPECT_EQ(seq.notesAt(0), 1);
    for (int s = 1; s < seq.steps; ++s)
        EXPECT_EQ(seq.notesAt(s), 0) << s;
}

TEST(Representation, TransposeDropsWhatLeavesTheRange) {
    RepresentationConfig config;
    FrameSequence seq = songToSequence(test::arpeggioSong(1), config);
    FrameSequence up = seq.transposed(2);
    EXPECT_EQ(up.sounds(0, 62 - 21), 1);
    EXPECT_EQ(up.sounds(0, 60 - 21), 0);
    FrameSequence far = seq.transposed(100);
    for (int t = 0; t < far.steps; ++t)
        EXPECT_EQ(far.notesAt(t), 0);
}

TEST(Representation, InputLayoutIsFrameThenOnsetsVelocityAndNextMetre) {
    RepresentationConfig config;
    FrameSequence seq = songToSequence(test::arpeggioSong(1), config);
    std::vector<float> in(std::size_t(inputSize(config)));
    ASSERT_EQ(in.size(), std::size_t(88 * 2 + 8 + 4 + 8));
    buildInput(seq, -1, config, in.data());
    // The start frame is silent; only the metre of step 0 (bar start) is set.
    EXPECT_EQ(std::count(in.begin(), in.end(), 1.0f), 2);
    EXPECT_EQ(in[88 * 2 + 8 + 0], 1.0f);
    EXPECT_EQ(in[88 * 2 + 8 + 4 + 0], 1.0f);
    buildInput(seq, 4, config, in.data());
    EXPECT_EQ(in[48 - 21], 1.0f);      // bass sounds
    EXPECT_EQ(in[88 + 48 - 21], 0.0f); // but is held, not started
    EXPECT_EQ(in[60 - 21], 1.0f);
    EXPECT_EQ(in[88 + 60 - 21], 1.0f);
    EXPECT_EQ(in[88 * 2 + velocityToBin(104, 8)], 1.0f);
    EXPECT_EQ(in[88 * 2 + 8 + 1], 1.0f);     // step 5 is the second sixteenth of a beat
    EXPECT_EQ(in[88 * 2 + 8 + 4 + 1], 1.0f); // of beat 2
}

// Whether any note begins at a step, with onsets known and without: without, a pitch begins a
// note where it begins to sound; with, where its onset is marked as well, so a re-struck held
// note begins one and a note held on does not. Malformed marks read as sequenceToNotes reads
// them: an onset on a silent pitch begins nothing, a sounding run without its mark still begins
// a note.
TEST(Representation, StartsAnyBeginsNotesWhereSequenceToNotesDoes) {
    RepresentationConfig config;
    const int P = config.pitches();
    FrameSequence seq;
    seq.resize(8, P, false);
    for (int t = 2; t < 6; ++t) // one note, steps 2-5
        seq.sounding[std::size_t(t) * P + 30] = 1;
    std::vector<bool> fromRuns;
    for (int t = 0; t < seq.steps; ++t)
        fromRuns.push_back(seq.startsAny(t));
    EXPECT_EQ(fromRuns, (std::vector<bool>{false, false, true, false, false, false, false, false}));

    seq.onset.assign(seq.sounding.size(), 0);
    seq.onset[std::size_t(2) * P + 30] = 1;
    seq.onset[std::size_t(4) * P + 30] = 1; // re-struck at step 4
    seq.onset[std::size_t(7) * P + 31] = 1; // marked on a pitch that does not sound
    for (int t = 6; t < 8; ++t)             // a run of steps 6-7 with no mark at its start
        seq.sounding[std::size_t(t) * P + 32] = 1;
    std::vector<bool> fromOnsets;
    for (int t = 0; t < seq.steps; ++t)
        fromOnsets.push_back(seq.startsAny(t));
    EXPECT_EQ(fromOnsets, (std::vector<bool>{false, false, true, false, true, false, true, false}));
    EXPECT_TRUE(seq.starts(7, 31)) << "the onset is read as marked";

    std::vector<bool> fromNotes(std::size_t(seq.steps), false);
    for (const auto& note : sequenceToNotes(seq, config, 0, 1, 0))
        fromNotes[std::size_t(note.start)] = true;
    EXPECT_EQ(fromOnsets, fromNotes);
}

// A figure repeats when the half bar before a step starts notes where the half bar before that
// did, all but once, at two steps or more; counted from any pitch's onsets.
TEST(Representation, FigureRepeatsComparesTheHalvesOfTheBarBefore) {
    RepresentationConfig config;
    const int P = config.pitches();
    FrameSequence seq;
    seq.resize(32, P, true);
    const auto strike = [&](int t, int p) {
        seq.sounding[std::size_t(t) * P + std::size_t(p)] = 1;
        seq.onset[std::size_t(t) * P + std::size_t(p)] = 1;
    };
    for (const int t : {0, 3, 4, 8, 11, 12}) // 0 3 4 | 8 11 12: the halves start alike
        strike(t, t == 3 || t == 11 ? 40 : 30);
    EXPECT_TRUE(figureRepeats(seq, 16, 0));
    EXPECT_FALSE(figureRepeats(seq, 16, -1)); // no bar before
    EXPECT_FALSE(figureRepeats(seq, 15, 0));  // a bar of an odd number of steps
    strike(13, 50);                           // one step differs: still the figure
    EXPECT_TRUE(figureRepeats(seq, 16, 0));
    strike(14, 50); // two differ
    EXPECT_FALSE(figureRepeats(seq, 16, 0));
    // A held note is no onset: the second half starts only at step 8 again, like step 0.
    FrameSequence sparse;
    sparse.resize(16, P, true);
    for (int t = 0; t < 16; ++t)
        sparse.sounding[std::size_t(t) * P + 30] = 1;
    sparse.onset[30] = 1;
    sparse.onset[std::size_t(8) * P + 30] = 1;
    EXPECT_FALSE(figureRepeats(sparse, 16, 0)) << "one onset a half is no figure";
    sparse.onset[std::size_t(4) * P + 30] = 1;
    sparse.onset[std::size_t(12) * P + 30] = 1;
    EXPECT_TRUE(figureRepeats(sparse, 16, 0));
}

// Lookback: the input also carries the step one bar before the one predicted, found by its place
// in the bar, so a 3/4 bar after a 4/4 one looks back 12 steps, and a place the bar before did
// not have (a 4/4 bar's fourth beat) two bars back or nowhere.
TEST(Representation, LookbackReadsTheStepOneBarBefore) {
    RepresentationConfig config;
    config.lookback = true;
    const int P = config.pitches();
    ASSERT_EQ(inputSize(config), P * 4 + 8 + 4 + 8);
    FrameSequence seq;
    seq.resize(16 + 12 + 12, P, true);
    for (int s = 0; s < seq.steps; ++s) {
        const int inBar = s < 16 ? s : (s - 16) % 12;
        seq.stepInBeat[std::size_t(s)] = std::uint8_t(inBar % 4);
        seq.beatInBar[std::size_t(s)] = std::uint8_t(inBar / 4);
    }
    seq.sounding[std::size_t(2) * P + (60 - 21)] = 1; // a C4 struck at step 2
    seq.onset[std::size_t(2) * P + (60 - 21)] = 1;
    EXPECT_EQ(lookbackStep(seq, 5, config), -1); // the first bar has none before it
    EXPECT_EQ(lookbackStep(seq, 18, config), 2);
    EXPECT_EQ(lookbackStep(seq, 30, config), 18);
    EXPECT_EQ(lookbackStep(seq, 27, config), 11);
    EXPECT_EQ(lookbackStep(seq, 16 + 12 + 3, config), 16 + 3);

    std::vector<float> in(std::size_t(inputSize(config)));
    buildInput(seq, 17, config, in.data()); // predicting step 18
    EXPECT_EQ(in[2 * P + (60 - 21)], 1.0f); // sounding one bar back
    EXPECT_EQ(in[3 * P + (60 - 21)], 1.0f); // and struck there
    EXPECT_EQ(std::count(in.begin(), in.begin() + 4 * P, 1.0f), 2) << "nothing else sounds";
    buildInput(seq, 18, config, in.data()); // predicting step 19: the bar before was silent
    EXPECT_EQ(std::count(in.begin(), in.begin() + 4 * P, 1.0f), 0);

    // Without a metre a bar is taken as four beats.
    std::fill(seq.stepInBeat.begin(), seq.stepInBeat.end(), kUnknownMetre);
    std::fill(seq.beatInBar.begin(), seq.beatInBar.end(), kUnknownMetre);
    EXPECT_EQ(lookbackStep(seq, 20, config), 4);
    EXPECT_EQ(lookbackStep(seq, 15, config), -1);

    // It is kept in checkpoints (absent in older ones: off) and changes no frames, so two
    // configs that differ only in it describe the same music.
    RepresentationConfig back;
    ASSERT_EQ(RepresentationConfig::fromJson(config.toJson(), back), "");
    EXPECT_TRUE(back.lookback);
    ASSERT_EQ(RepresentationConfig::fromJson(RepresentationConfig{}.toJson(), back), "");
    EXPECT_FALSE(back.lookback);
    EXPECT_EQ(config, RepresentationConfig{});
}

TEST(Representation, VelocityBinsRoundTrip) {
    for (int bins : {1, 4, 8, 16, 127})
        for (int b = 0; b < bins; ++b)
            EXPECT_EQ(velocityToBin(binToVelocity(std::uint8_t(b), bins), bins), b)
                << bins << " bins, bin " << b;
}

TEST(Representation, ConfigJsonRoundTripsAndRejectsNonsense) {
    RepresentationConfig c;
    c.stepsPerBeat = 3;
    c.onsets = false;
    RepresentationConfig back;
    ASSERT_EQ(RepresentationConfig::fromJson(c.toJson(), back), "");
    EXPECT_EQ(back, c);
    EXPECT_NE(RepresentationConfig::fromJson("{\"stepsPerBeat\":0}", back), "");
    EXPECT_NE(RepresentationConfig::fromJson("not json", back), "");
}

TEST(Representation, TracksCanBeChosenByIndex) {
    RepresentationConfig config;
    model::Song song;
    model::TrackId a = song.addTrack(model::Track{});
    model::TrackId b = song.addTrack(model::Track{});
    song.addNotes(a, {test::gridNote(0, 120, 60)});
    song.addNotes(b, {test::gridNote(0, 120, 64), test::gridNote(0, 120, 36, 80, 9)});
    TrackSelection second;
    second.indices = {1};
    FrameSequence seq = songToSequence(song, config, second);
    EXPECT_EQ(seq.sounds(0, 60 - 21), 0);
    EXPECT_EQ(seq.sounds(0, 64 - 21), 1);
    EXPECT_EQ(seq.sounds(0, 36 - 21), 1) << "a chosen track keeps its channel-10 notes";
    EXPECT_EQ(songToSequence(song, config).notesAt(0), 2);
}
