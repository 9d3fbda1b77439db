// The Transport's count-in: clicks in time the song does not have, before its position, then
// the song, exactly where the count-in ends, in any block size and at any tempo scale; the
// playhead counts up to the start; pause and seek end a count-in with its click's note-off.
#include "RunTransport.h"

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

constexpr double kRate = 48000;

model::Song oneNote() {
    model::Song song; // 120 BPM, 4/4, 480 PPQ: a beat is 0.5 s
    addTrack(song, "t", 0, -1, {makeNote(0, 480, 60)});
    return song;
}

// A bar of 4/4 at 120 BPM: four clicks, half a second apart.
CountIn oneBar() {
    CountIn c;
    c.seconds = 2.0;
    c.beatSeconds = 0.5;
    c.ticksPerSecond = 960;
    c.beatsPerBar = 4;
    c.accent = MidiMessage::noteOn(9, 76, 127);
    c.click = MidiMessage::noteOn(9, 77, 90);
    return c;
}

std::vector<SentMessage> onChannel(const std::vector<SentMessage>& in, int channel) {
    std::vector<SentMessage> out;
    for (const auto& s : in)
        if (s.message.channel() == channel)
            out.push_back(s);
    return out;
}

} // namespace

TEST(CountIn, ClicksABarBeforeTheSongInEveryBlockSize) {
    for (int block : {64, 256, 480, 1000, 4096}) {
        SCOPED_TRACE(block);
        Transport t;
        t.setSnapshot(PlaybackSnapshot::fromSong(oneNote()));
        ASSERT_TRUE(t.playAfterCountIn(oneBar()));
        RecordingSink sink;
        runFrames(t, sink, std::int64_t(3 * kRate), block);
        const auto clicks = onChannel(sink.noteOns(), 9);
        ASSERT_EQ(clicks.size(), 4u);
        for (std::size_t i = 0; i < 4; ++i) {
            EXPECT_EQ(clicks[i].frame, std::int64_t(i) * 24000) << i;
            EXPECT_EQ(clicks[i].message.bytes[1], i == 0 ? 76 : 77) << i;
        }
        const auto offs = onChannel(sink.noteOffs(), 9);
        ASSERT_EQ(offs.size(), 4u);
        EXPECT_EQ(offs[0].frame, 6000); // a quarter beat
        const auto song = onChannel(sink.noteOns(), 0);
        ASSERT_EQ(song.size(), 1u);
        EXPECT_EQ(song[0].frame, 96000); // where the count-in ends
        EXPECT_EQ(onChannel(sink.noteOffs(), 0).at(0).frame, 96000 + 24000);
    }
}

TEST(CountIn, ThePlayheadCountsUpToTheStartAndTheSongIsNotFinishedBeforeIt) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(model::Song())); // nothing to play at all
    ASSERT_TRUE(t.playAfterCountIn(oneBar()));
    RecordingSink sink;
    runFrames(t, sink, 24000, 256);
    EXPECT_TRUE(t.isCountingIn());
    EXPECT_FALSE(t.isFinished());
    EXPECT_NEAR(t.positionSeconds(), -1.5, 256 / kRate);
    EXPECT_NEAR(t.positionTick(), -1440, 256 / kRate * 960);
    runFrames(t, sink, 72000 + 256, 256);
    EXPECT_FALSE(t.isCountingIn());
    EXPECT_GE(t.positionSeconds(), 0.0);
    EXPECT_TRUE(t.isFinished());
}

TEST(CountIn, HalfSpeedTakesTwiceAsLong) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(oneNote()));
    t.setTempoScale(0.5);
    ASSERT_TRUE(t.playAfterCountIn(oneBar()));
    RecordingSink sink;
    runFrames(t, sink, std::int64_t(5 * kRate), 256);
    const auto clicks = onChannel(sink.noteOns(), 9);
    ASSERT_EQ(clicks.size(), 4u);
    EXPECT_EQ(clicks[3].frame, 3 * 48000);
    const auto song = onChannel(sink.noteOns(), 0);
    ASSERT_EQ(song.size(), 1u);
    EXPECT_EQ(song[0].frame, 4 * 48000);
}

TEST(CountIn, PauseAndSeekEndItWithTheClicksNoteOff) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(oneNote()));
    ASSERT_TRUE(t.playAfterCountIn(oneBar()));
    RecordingSink sink;
    runFrames(t, sink, 1000, 256); // the first click sounds
    ASSERT_EQ(sink.noteOns().size(), 1u);
    ASSERT_TRUE(t.pause());
    runFrames(t, sink, 256, 256);
    EXPECT_FALSE(t.isCountingIn());
    EXPECT_EQ(sink.noteOffs().size(), 1u);
    EXPECT_EQ(t.positionSeconds(), 0.0);
    // Play goes on with the song, not the count-in.
    ASSERT_TRUE(t.play());
    runFrames(t, sink, 256, 256);
    EXPECT_EQ(onChannel(sink.noteOns(), 0).size(), 1u);

    ASSERT_TRUE(t.playAfterCountIn(oneBar()));
    runFrames(t, sink, 1000, 256);
    ASSERT_TRUE(t.seekTick(0));
    runFrames(t, sink, 256, 256);
    EXPECT_FALSE(t.isCountingIn());
    EXPECT_EQ(onChannel(sink.noteOns(), 9).size(), onChannel(sink.noteOffs(), 9).size());
}
