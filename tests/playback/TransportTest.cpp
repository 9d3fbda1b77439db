// The UI-facing Transport driven in one thread (control calls, then the engine's process()),
// so every effect can be checked exactly.
#include "playback/Transport.h"
#include "TestSongs.h"

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

model::Song fourBars() {
    model::Song song; // 120 BPM, 4/4: a bar is 2 s
    std::vector<model::Note> notes;
    for (int bar = 0; bar < 4; ++bar)
        notes.push_back(makeNote(bar * 1920, 480, 60 + bar));
    addTrack(song, "t", 0, 5, notes);
    return song;
}

void runSeconds(Transport& t, RecordingSink& sink, double seconds) {
    for (int i = 0; i < int(seconds * 48000 / 256); ++i) {
        t.process(256, 48000, sink);
        sink.blockStart += 256;
    }
}

} // namespace

TEST(Transport, PlayPublishesThePlayheadAndFinishes) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(fourBars()));
    RecordingSink sink;
    runSeconds(t, sink, 0.5);
    EXPECT_FALSE(t.isPlaying());
    EXPECT_EQ(t.positionSeconds(), 0.0);
    ASSERT_TRUE(t.play());
    runSeconds(t, sink, 1.0);
    EXPECT_TRUE(t.isPlaying());
    EXPECT_NEAR(t.positionSeconds(), 1.0, 0.01);
    EXPECT_NEAR(t.positionTick(), 960, 10);
    runSeconds(t, sink, 7.0);
    EXPECT_TRUE(t.isFinished());
    EXPECT_EQ(sink.noteOns().size(), 4u);
    EXPECT_EQ(sink.noteOffs().size(), 4u);
    EXPECT_EQ(t.blocksProcessed(), std::uint64_t(0.5 * 48000 / 256) + std::uint64_t(48000 / 256) +
                                       std::uint64_t(7.0 * 48000 / 256));
}

TEST(Transport, LoopBarsSeekTempoScaleAndStop) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(fourBars()));
    ASSERT_TRUE(t.setLoopBars(true, 1, 3)); // bars 2 and 3: 2 s .. 6 s
    ASSERT_TRUE(t.seekTick(1920));
    ASSERT_TRUE(t.play());
    RecordingSink sink;
    runSeconds(t, sink, 9.0); // 2.25 passes of the 4 s loop
    auto ons = sink.noteOns();
    ASSERT_EQ(ons.size(), 5u); // 61 62 | 61 62 | 61
    EXPECT_EQ(ons[0].message.bytes[1], 61);
    EXPECT_EQ(ons[2].message.bytes[1], 61);
    EXPECT_EQ(ons[2].frame, 4 * 48000);
    EXPECT_FALSE(t.isFinished());

    t.setTempoScale(2.0);
    const double before = t.positionSeconds();
    runSeconds(t, sink, 0.5);
    EXPECT_NEAR(t.positionSeconds() - before, 1.0, 0.01);
    EXPECT_EQ(t.tempoScale(), 2.0);
    t.setTempoScale(100); // clamped
    EXPECT_EQ(t.tempoScale(), 4.0);

    ASSERT_TRUE(t.stop());
    runSeconds(t, sink, 0.1);
    EXPECT_FALSE(t.isPlaying());
    EXPECT_EQ(t.positionSeconds(), 0.0);
    EXPECT_EQ(sink.noteOns().size(), sink.noteOffs().size());
}

TEST(Transport, NewSnapshotIsPickedUpAtTheNextBlockAndOldOnesAreFreed) {
    Transport t;
    model::Song song = fourBars();
    auto first = PlaybackSnapshot::fromSong(song);
    std::weak_ptr<const PlaybackSnapshot> weakFirst = first;
    t.setSnapshot(std::move(first));
    t.play();
    RecordingSink sink;
    runSeconds(t, sink, 1.0);
    song.addNotes(song.trackIdAt(0), {makeNote(1440, 100, 90)}); // 1.5 s, just ahead
    t.setSnapshot(PlaybackSnapshot::fromSong(song));
    EXPECT_FALSE(weakFirst.expired()); // the engine may still be reading it
    runSeconds(t, sink, 1.2);
    auto ons = sink.noteOns();
    ASSERT_EQ(ons.size(), 3u);
    EXPECT_EQ(ons[1].message.bytes[1], 90);
    EXPECT_EQ(ons[1].frame, std::int64_t(1.5 * 48000));
    // The engine moved on; the next publication frees the first snapshot.
    t.setSnapshot(PlaybackSnapshot::fromSong(song));
    EXPECT_TRUE(weakFirst.expired());
}

TEST(Transport, AFullCommandRingRefusesRatherThanBlocks) {
    Transport t;
    int accepted = 0;
    for (int i = 0; i < 5000; ++i)
        accepted += t.play();
    EXPECT_GE(accepted, 1024);
    EXPECT_LT(accepted, 5000);
    RecordingSink sink;
    t.process(256, 48000, sink); // the engine drains it
    EXPECT_TRUE(t.play());
}
