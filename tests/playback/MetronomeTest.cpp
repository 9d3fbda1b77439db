// The metronome's clicks: one per beat of each bar in the bar's time signature, the bar's first
// accented; the click track added to a song's snapshot; the count-in's clicks before the start.
#include "playback/Metronome.h"
#include "TestSongs.h"
#include "playback/Transport.h"

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

model::TempoMap mapWith(int numerator, int denominator) {
    model::TempoMap map(480);
    model::TimeSignature ts;
    ts.numerator = numerator;
    ts.denominator = denominator;
    map.setTimeSignature(ts);
    return map;
}

std::vector<model::Tick> starts(const std::vector<model::Note>& notes) {
    std::vector<model::Tick> out;
    for (const auto& n : notes)
        out.push_back(n.start);
    return out;
}

std::vector<int> pitches(const std::vector<model::Note>& notes) {
    std::vector<int> out;
    for (const auto& n : notes)
        out.push_back(n.pitch);
    return out;
}

// The click note-ons of a snapshot (drum channel, wood blocks).
std::size_t clickCount(const PlaybackSnapshot& snapshot) {
    std::size_t count = 0;
    for (const auto& e : snapshot.events())
        if (e.isNoteOn() && (e.status & 0x0F) == model::kDrumChannel &&
            (e.data1 == Metronome::kAccentPitch || e.data1 == Metronome::kBeatPitch))
            ++count;
    return count;
}

} // namespace

TEST(Metronome, FourFourClicksEveryQuarterAccentingTheBar) {
    const auto clicks = Metronome::clicks(mapWith(4, 4), 2 * 1920);
    EXPECT_EQ(starts(clicks),
              (std::vector<model::Tick>{0, 480, 960, 1440, 1920, 2400, 2880, 3360}));
    EXPECT_EQ(pitches(clicks), (std::vector<int>{76, 77, 77, 77, 76, 77, 77, 77}));
    for (const auto& n : clicks) {
        EXPECT_EQ(n.channel, model::kDrumChannel);
        EXPECT_EQ(n.length, 120); // a quarter of the beat
        EXPECT_EQ(n.velocity, n.pitch == 76 ? 127 : 90);
    }
}

TEST(Metronome, ThreeFourClicksThreeBeatsABar) {
    const auto clicks = Metronome::clicks(mapWith(3, 4), 2 * 1440);
    EXPECT_EQ(starts(clicks), (std::vector<model::Tick>{0, 480, 960, 1440, 1920, 2400}));
    EXPECT_EQ(pitches(clicks), (std::vector<int>{76, 77, 77, 76, 77, 77}));
}

TEST(Metronome, SixEightClicksEighthsAndFollowsAChangeOfMeter) {
    const auto sixEight = Metronome::clicks(mapWith(6, 8), 1440);
    EXPECT_EQ(starts(sixEight), (std::vector<model::Tick>{0, 240, 480, 720, 960, 1200}));
    EXPECT_EQ(sixEight[1].length, 60);

    model::TempoMap map = mapWith(4, 4);
    model::TimeSignature threeFour;
    threeFour.tick = 1920; // bar 2 in 3/4
    threeFour.numerator = 3;
    map.setTimeSignature(threeFour);
    const auto mixed = Metronome::clicks(map, 1920 + 1440 + 1);
    EXPECT_EQ(starts(mixed),
              (std::vector<model::Tick>{0, 480, 960, 1440, 1920, 2400, 2880, 3360, 3840, 4320}));
    EXPECT_EQ(pitches(mixed), (std::vector<int>{76, 77, 77, 77, 76, 77, 77, 76, 77, 77}));
}

TEST(Metronome, EndsAtTheLastBarStartingBeforeTheEnd) {
    EXPECT_TRUE(Metronome::clicks(mapWith(4, 4), 0).empty());
    EXPECT_EQ(Metronome::clicks(mapWith(4, 4), 1).size(), 4u);    // bar 1 starts before tick 1
    EXPECT_EQ(Metronome::clicks(mapWith(4, 4), 1920).size(), 4u); // bar 2 starts at the end
    EXPECT_EQ(Metronome::clicks(mapWith(4, 4), 1921).size(), 8u);
}

TEST(Metronome, SnapshotClicksAtLeastEightBarsOrToTheSongsEnd) {
    model::Song empty;
    const auto eightBars = Metronome::snapshotWithClicks(empty);
    EXPECT_EQ(clickCount(*eightBars), 8u * 4u);
    EXPECT_EQ(eightBars->noteCount(), 8u * 4u);

    EXPECT_EQ(clickCount(*Metronome::snapshotWithClicks(empty, 10 * 1920 + 1)), 11u * 4u);

    model::Song song;
    addTrack(song, "long", 0, -1, {makeNote(12 * 1920, 480, 60)}); // ends in bar 13
    const auto thirteen = Metronome::snapshotWithClicks(song);
    EXPECT_EQ(clickCount(*thirteen), 13u * 4u);
    EXPECT_EQ(thirteen->noteCount(), 13u * 4u + 1u);
    EXPECT_EQ(song.tracks().size(), 1u); // the song itself is left alone
}

TEST(Metronome, ClicksPlayAgainstASoloedTrack) {
    model::Song song;
    const model::TrackId soloed = addTrack(song, "soloed", 0, -1, {makeNote(0, 480, 60)});
    addTrack(song, "other", 1, -1, {makeNote(0, 480, 62)});
    model::TrackProperties p = song.track(soloed)->properties;
    p.solo = true;
    song.setTrackProperties(soloed, p);
    const auto snapshot = Metronome::snapshotWithClicks(song);
    EXPECT_EQ(clickCount(*snapshot), 8u * 4u);
    EXPECT_EQ(snapshot->noteCount(), 8u * 4u + 1u); // the other track is silent
}

TEST(Metronome, CountInBeforeTheStartUsesTheFirstBarsGridAndTempo) {
    const CountIn fourFour = Metronome::countInBefore(mapWith(4, 4), 1920); // 120 BPM
    EXPECT_DOUBLE_EQ(fourFour.seconds, 2.0);
    EXPECT_DOUBLE_EQ(fourFour.beatSeconds, 0.5);
    EXPECT_DOUBLE_EQ(fourFour.ticksPerSecond, 960.0);
    EXPECT_EQ(fourFour.beatsPerBar, 4);
    EXPECT_EQ(fourFour.accent.status(), 0x99);
    EXPECT_EQ(fourFour.accent.bytes[1], 76);
    EXPECT_EQ(fourFour.accent.bytes[2], 127);
    EXPECT_EQ(fourFour.click.status(), 0x99);
    EXPECT_EQ(fourFour.click.bytes[1], 77);
    EXPECT_EQ(fourFour.click.bytes[2], 90);

    model::TempoMap slow = mapWith(3, 4);
    slow.setTempo(0, 600000); // 100 BPM: a beat is 0.6 s
    const CountIn threeFour = Metronome::countInBefore(slow, 960);
    EXPECT_NEAR(threeFour.seconds, 1.2, 1e-12);
    EXPECT_NEAR(threeFour.beatSeconds, 0.6, 1e-12);
    EXPECT_NEAR(threeFour.ticksPerSecond, 800.0, 1e-9);
    EXPECT_EQ(threeFour.beatsPerBar, 3);
}
