// MIDI clock out from the Transport, driven in one thread so every message's frame is checked:
// 24 pulses a quarter note along the tempo map and the tempo scale, Start / Song Position
// Pointer / Continue / Stop as playback starts, pauses, seeks and stops, the pointer at a loop's
// wrap, nothing during a count-in, and nothing at all unless asked for.
#include "RunTransport.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

constexpr double kRate = 48000;

// 120 BPM then 60 BPM from bar 3 (tick 3840), 4/4, 480 PPQ.
model::Song tempoChangeSong() {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, 500000);
    map.setTempo(3840, 1000000);
    song.setTempoMap(map);
    addTrack(song, "t", 0, -1, {makeNote(0, 480, 60), makeNote(3840, 480, 62)});
    return song;
}

bool isClockish(const MidiMessage& m) {
    return m.status() >= 0xF0;
}

std::vector<SentMessage> clockMessages(const RecordingSink& sink) {
    std::vector<SentMessage> out;
    for (const auto& s : sink.sent)
        if (isClockish(s.message))
            out.push_back(s);
    return out;
}

std::vector<std::int64_t> pulseFrames(const RecordingSink& sink) {
    std::vector<std::int64_t> out;
    for (const auto& s : sink.sent)
        if (s.message.status() == MidiMessage::kClock)
            out.push_back(s.frame);
    return out;
}

// The clock messages other than pulses, in order, as status bytes (the pointer's value after
// 0xF2 as a negative number, so one vector says it all).
std::vector<int> transportMessages(const RecordingSink& sink) {
    std::vector<int> out;
    for (const auto& s : clockMessages(sink)) {
        if (s.message.status() == MidiMessage::kClock)
            continue;
        out.push_back(s.message.status());
        if (s.message.status() == MidiMessage::kSongPosition)
            out.push_back(-s.message.songPositionValue());
    }
    return out;
}

} // namespace

TEST(MidiClock, PulsesFollowTheTempoMapInEveryBlockSize) {
    for (int block : {64, 256, 1000, 4096}) {
        SCOPED_TRACE(block);
        Transport t;
        t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
        t.setMidiClockOut(true);
        ASSERT_TRUE(t.play());
        RecordingSink sink;
        // Bars 1-2 at 120 BPM (4 s), then 2 s of bar 3 at 60 BPM.
        runFrames(t, sink, std::int64_t(6 * kRate), block);
        const auto messages = clockMessages(sink);
        ASSERT_FALSE(messages.empty());
        EXPECT_EQ(messages[0].message.status(), MidiMessage::kStart);
        EXPECT_EQ(messages[0].frame, 0);
        const auto pulses = pulseFrames(sink);
        // 8 beats at 120 BPM then 2 at 60 BPM: 240 pulses, 1000 frames apart, then 2000.
        ASSERT_EQ(pulses.size(), 240u);
        for (std::size_t i = 0; i < pulses.size(); ++i) {
            const double want = i < 192 ? double(i) * 1000 : 192000 + double(i - 192) * 2000;
            ASSERT_NEAR(double(pulses[i]), want, 1.0) << "pulse " << i;
        }
        EXPECT_EQ(transportMessages(sink), std::vector<int>{MidiMessage::kStart});
    }
}

TEST(MidiClock, TheTempoScaleSpeedsThePulsesWithTheSong) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
    t.setMidiClockOut(true);
    t.setTempoScale(2.0);
    ASSERT_TRUE(t.play());
    RecordingSink sink;
    runFrames(t, sink, std::int64_t(kRate)); // 2 s of song: 4 beats
    const auto pulses = pulseFrames(sink);
    ASSERT_EQ(pulses.size(), 96u);
    EXPECT_NEAR(double(pulses[95] - pulses[0]), 95 * 500.0, 1.0);
}

TEST(MidiClock, PauseStopsAndPlayContinuesFromTheNextSixteenth) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
    t.setMidiClockOut(true);
    ASSERT_TRUE(t.play());
    RecordingSink sink;
    // 0.53 s: tick 508.8, just past the fifth sixteenth (480); the 21st pulse (tick 500) went.
    runFrames(t, sink, std::int64_t(0.53 * kRate), 53);
    EXPECT_EQ(pulseFrames(sink).size(), 26u); // ticks 0, 20 ... 500
    ASSERT_TRUE(t.pause());
    runFrames(t, sink, 2560);
    ASSERT_TRUE(t.play());
    const std::int64_t resumedAt = sink.blockStart;
    runFrames(t, sink, std::int64_t(0.5 * kRate));
    // Pointer at sixteenth 5 (tick 600, the one after 508.8), then Continue; the first pulse
    // after is at tick 600, 91.2 ticks (0.095 s) after the resume.
    EXPECT_EQ(transportMessages(sink),
              (std::vector<int>{MidiMessage::kStart, MidiMessage::kStop, MidiMessage::kSongPosition,
                                -5, MidiMessage::kContinue}));
    const auto pulses = pulseFrames(sink);
    ASSERT_GT(pulses.size(), 27u);
    EXPECT_NEAR(double(pulses[26] - resumedAt), (600 - 508.8) / 960 * kRate, 2.0);
    EXPECT_NEAR(double(pulses[27] - pulses[26]), 1000, 1.0);
}

TEST(MidiClock, SeeksPointTheFollowerAndStopGoesBackToTheStart) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
    t.setMidiClockOut(true);
    RecordingSink sink;
    runFrames(t, sink, 256);       // enabled while stopped: the follower learns where the song is
    ASSERT_TRUE(t.seekTick(1920)); // stopped: the pointer alone
    runFrames(t, sink, 256);
    ASSERT_TRUE(t.play()); // not at the start: Continue from there
    runFrames(t, sink, 4800);
    ASSERT_TRUE(t.seekTick(960)); // while playing: Stop, pointer, Continue
    runFrames(t, sink, 4800);
    ASSERT_TRUE(t.stop()); // Stop, and the pointer back at the start
    runFrames(t, sink, 256);
    ASSERT_TRUE(t.play()); // from the start: Start
    runFrames(t, sink, 256);
    const int F2 = MidiMessage::kSongPosition;
    EXPECT_EQ(transportMessages(sink),
              (std::vector<int>{F2, 0, F2, -16, F2, -16, MidiMessage::kContinue, MidiMessage::kStop,
                                F2, -8, MidiMessage::kContinue, MidiMessage::kStop, F2, 0,
                                MidiMessage::kStart}));
}

TEST(MidiClock, ALoopWrapPointsBackWithoutStopping) {
    for (int block : {300, 333}) { // wrapping at a block's end and inside one
        SCOPED_TRACE(block);
        Transport t;
        t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
        t.setMidiClockOut(true);
        ASSERT_TRUE(t.setLoopBars(true, 0, 1)); // bar 1: 2 s, 96 pulses
        ASSERT_TRUE(t.play());
        RecordingSink sink;
        runFrames(t, sink, std::int64_t(5 * kRate), block); // two and a half passes
        const int F2 = MidiMessage::kSongPosition;
        EXPECT_EQ(transportMessages(sink), (std::vector<int>{MidiMessage::kStart, F2, 0, F2, 0}));
        const auto pulses = pulseFrames(sink);
        ASSERT_EQ(pulses.size(), 240u);
        for (std::size_t i = 0; i < pulses.size(); ++i)
            ASSERT_NEAR(double(pulses[i]), double(i) * 1000, 1.0) << "pulse " << i;
        // The pointer goes out at the wrap (in the last frame of a block that ends there),
        // before the pass's first pulse.
        int pointers = 0;
        for (const auto& s : clockMessages(sink)) {
            if (s.message.status() != F2)
                continue;
            ++pointers;
            EXPECT_NEAR(double(s.frame), double(pointers) * 96000, 1.0);
            EXPECT_LE(s.frame, pulses[std::size_t(pointers) * 96]);
        }
        EXPECT_EQ(pointers, 2);
    }
}

TEST(MidiClock, ACountInStartsTheFollowerWhereTheSongStarts) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
    t.setMidiClockOut(true);
    CountIn c;
    c.seconds = 2.0;
    c.beatSeconds = 0.5;
    c.ticksPerSecond = 960;
    c.accent = MidiMessage::noteOn(9, 76, 127);
    c.click = MidiMessage::noteOn(9, 77, 90);
    ASSERT_TRUE(t.playAfterCountIn(c));
    RecordingSink sink;
    runFrames(t, sink, std::int64_t(3 * kRate), 1000);
    const auto messages = clockMessages(sink);
    ASSERT_GE(messages.size(), 3u);
    EXPECT_EQ(messages[0].message.status(), MidiMessage::kSongPosition); // told while counting
    EXPECT_EQ(messages[1].message.status(), MidiMessage::kStart);
    EXPECT_EQ(messages[1].frame, std::int64_t(2 * kRate));
    const auto pulses = pulseFrames(sink);
    ASSERT_EQ(pulses.size(), 48u);
    EXPECT_EQ(pulses[0], std::int64_t(2 * kRate));
}

TEST(MidiClock, OffSendsNothingAndTurningItOffStopsTheFollower) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
    ASSERT_TRUE(t.play());
    RecordingSink sink;
    runFrames(t, sink, std::int64_t(kRate));
    EXPECT_TRUE(clockMessages(sink).empty());
    EXPECT_EQ(sink.noteOns().size(), 1u); // the song played
    t.setMidiClockOut(true);              // while playing: where it is, then Continue
    runFrames(t, sink, std::int64_t(kRate));
    t.setMidiClockOut(false);
    runFrames(t, sink, std::int64_t(kRate));
    EXPECT_EQ(transportMessages(sink),
              (std::vector<int>{MidiMessage::kSongPosition, -8, MidiMessage::kContinue,
                                MidiMessage::kStop}));
    EXPECT_EQ(pulseFrames(sink).size(), 48u);
}

TEST(MidiClock, ShuttingTheEngineDownStopsTheFollower) {
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(tempoChangeSong()));
    t.setMidiClockOut(true);
    ASSERT_TRUE(t.play());
    RecordingSink sink;
    runFrames(t, sink, 4800);
    t.shutdown(sink);
    const auto statuses = transportMessages(sink);
    ASSERT_FALSE(statuses.empty());
    EXPECT_EQ(statuses.back(), MidiMessage::kStop);
}

TEST(MidiClock, SongPositionPointerEncodesFourteenBits) {
    const MidiMessage m = MidiMessage::songPosition(300);
    EXPECT_EQ(m.size, 3);
    EXPECT_EQ(m.bytes[0], 0xF2);
    EXPECT_EQ(m.bytes[1], 300 & 0x7F);
    EXPECT_EQ(m.bytes[2], 300 >> 7);
    EXPECT_EQ(m.songPositionValue(), 300);
    EXPECT_EQ(MidiMessage::songPosition(1 << 20).songPositionValue(), 0x3FFF);
    EXPECT_EQ(MidiMessage::realtime(MidiMessage::kClock).size, 1);
}

TEST(MidiClock, APpqThatTwentyFourDoesNotDivideStillGetsEvenPulses) {
    model::Song song; // 120 BPM: a pulse every 100/24 ticks, 1000 frames
    model::TempoMap map(100);
    song.setTempoMap(map);
    addTrack(song, "t", 0, -1, {makeNote(0, 100, 60)});
    Transport t;
    t.setSnapshot(PlaybackSnapshot::fromSong(song));
    t.setMidiClockOut(true);
    ASSERT_TRUE(t.play());
    RecordingSink sink;
    runFrames(t, sink, std::int64_t(kRate));
    const auto pulses = pulseFrames(sink);
    ASSERT_EQ(pulses.size(), 48u);
    for (std::size_t i = 0; i < pulses.size(); ++i)
        ASSERT_NEAR(double(pulses[i]), double(i) * 1000, 1.0) << "pulse " << i;
}
