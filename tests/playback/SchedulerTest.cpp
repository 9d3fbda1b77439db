// The scheduler as pure logic: times through the tempo map, loop wraps, seeks, edits while
// playing, mute/solo, and the rule that every note-on gets exactly one note-off.
#include "TestSongs.h"
#include "playback/EventScheduler.h"
#include "playback/PlaybackSnapshot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

constexpr double kRate = 48000;

// Runs `blocks` blocks of `blockFrames` frames.
void run(EventScheduler& s, RecordingSink& sink, int blocks, int blockFrames = 256,
         double scale = 1.0) {
    for (int b = 0; b < blocks; ++b) {
        s.process(blockFrames, kRate, scale, sink);
        sink.blockStart += blockFrames;
    }
}

// Every note-on is followed by exactly one note-off on its channel/key before the next note-on
// of the same key, and nothing is left sounding.
void expectPaired(const std::vector<SentMessage>& sent) {
    std::map<int, int> sounding;
    for (const auto& s : sent) {
        const int key = s.message.channel() * 128 + s.message.bytes[1];
        if (s.message.isNoteOn()) {
            EXPECT_EQ(sounding[key], 0) << "note-on on a sounding key " << key;
            sounding[key]++;
        } else if (s.message.isNoteOff()) {
            EXPECT_EQ(sounding[key], 1) << "note-off without note-on, key " << key;
            sounding[key]--;
        }
    }
    for (const auto& [key, n] : sounding)
        EXPECT_EQ(n, 0) << "key " << key << " left sounding";
}

model::Song twoTrackSong() {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, 500000);     // 120 BPM
    map.setTempo(1920, 1000000); // 60 BPM from bar 2
    song.setTempoMap(map);
    addTrack(song, "piano", 0, 0,
             {makeNote(0, 480, 60), makeNote(960, 480, 64), makeNote(1920, 480, 67)});
    addTrack(song, "bass", 1, 33,
             {makeNote(480, 960, 40, 100, 1), makeNote(2400, 240, 43, 100, 1)});
    return song;
}

} // namespace

TEST(PlaybackSnapshot, SortsEventsAndAppliesTempoMap) {
    auto snap = PlaybackSnapshot::fromSong(twoTrackSong());
    ASSERT_EQ(snap->noteCount(), 5u);
    // Two program changes at tick 0 come before the first note.
    ASSERT_GE(snap->events().size(), 7u);
    EXPECT_EQ(snap->events()[0].status & 0xF0, 0xC0);
    EXPECT_EQ(snap->events()[1].status & 0xF0, 0xC0);
    EXPECT_TRUE(snap->events()[2].isNoteOn());
    for (std::size_t i = 1; i < snap->events().size(); ++i)
        EXPECT_LE(snap->events()[i - 1].seconds, snap->events()[i].seconds);
    // Tick 2400 = 4 beats at 120 BPM (2 s) + 1 beat at 60 BPM (1 s).
    const auto& last = snap->events().back();
    EXPECT_EQ(last.tick, 2400);
    EXPECT_DOUBLE_EQ(last.seconds, 3.0);
    EXPECT_DOUBLE_EQ(last.endSeconds, 3.5);
    EXPECT_DOUBLE_EQ(snap->lengthSeconds(), 3.5);
}

TEST(PlaybackSnapshot, MuteAndSolo) {
    model::Song song = twoTrackSong();
    auto props = song.trackAt(1).properties;
    props.muted = true;
    song.setTrackProperties(song.trackIdAt(1), props);
    EXPECT_EQ(PlaybackSnapshot::fromSong(song)->noteCount(), 3u);

    props = song.trackAt(1).properties;
    props.muted = false;
    props.solo = true;
    song.setTrackProperties(song.trackIdAt(1), props);
    auto snap = PlaybackSnapshot::fromSong(song);
    EXPECT_EQ(snap->noteCount(), 2u);
    for (const auto& e : snap->events())
        EXPECT_EQ(e.status & 0x0F, 1);
}

TEST(EventScheduler, NotesLandOnTheirFramesThroughATempoChange) {
    auto snap = PlaybackSnapshot::fromSong(twoTrackSong());
    EventScheduler s;
    s.setSnapshot(snap.get());
    s.play();
    RecordingSink sink;
    run(s, sink, int(4.0 * kRate / 256));
    auto ons = sink.noteOns();
    ASSERT_EQ(ons.size(), 5u);
    const double expected[] = {0.0, 0.5, 1.0, 2.0, 3.0};
    for (std::size_t i = 0; i < ons.size(); ++i)
        EXPECT_EQ(ons[i].frame, std::int64_t(expected[i] * kRate)) << "note " << i;
    auto offs = sink.noteOffs();
    ASSERT_EQ(offs.size(), 5u);
    // The bass note 480..1440 ends at 1.5 s; the last note at 3.5 s.
    EXPECT_EQ(offs.back().frame, std::int64_t(3.5 * kRate));
    expectPaired(sink.sent);
    EXPECT_TRUE(s.finished());
}

TEST(EventScheduler, BlockSizeDoesNotChangeTiming) {
    auto snap = PlaybackSnapshot::fromSong(twoTrackSong());
    std::vector<std::int64_t> reference;
    for (int block : {1, 7, 64, 256, 1000, 4096}) {
        EventScheduler s;
        s.setSnapshot(snap.get());
        s.play();
        RecordingSink sink;
        run(s, sink, int(4.0 * kRate / block) + 1, block);
        std::vector<std::int64_t> frames;
        for (const auto& m : sink.sent)
            frames.push_back(m.frame);
        if (reference.empty())
            reference = frames;
        else
            EXPECT_EQ(frames, reference) << "block size " << block;
    }
}

TEST(EventScheduler, TempoScaleStretchesTime) {
    auto snap = PlaybackSnapshot::fromSong(twoTrackSong());
    EventScheduler s;
    s.setSnapshot(snap.get());
    s.play();
    RecordingSink sink;
    run(s, sink, int(2.5 * kRate / 256), 256, 2.0); // twice as fast
    auto ons = sink.noteOns();
    ASSERT_EQ(ons.size(), 5u);
    EXPECT_EQ(ons[4].frame, std::int64_t(1.5 * kRate)); // song 3.0 s at double speed
    EXPECT_NEAR(s.position(), int(2.5 * kRate / 256) * 256 / kRate * 2.0, 1e-9);
}

TEST(EventScheduler, LoopWrapsEndsNotesAndReplays) {
    auto snap = PlaybackSnapshot::fromSong(twoTrackSong());
    EventScheduler s;
    s.setSnapshot(snap.get());
    // Loop bar 1 only (ticks 0..1920 = 2 s); the bass note 480..1440 fits, nothing crosses.
    // Add a loop that cuts a note: 0..1200 ends the bass (480..1440) early.
    s.setLoop(true, 0, 1200); // 1.25 s
    s.play();
    RecordingSink sink;
    run(s, sink, int(5.0 * kRate / 256)); // four passes
    auto ons = sink.noteOns();
    // Per pass: piano 60 at 0, bass at 0.5, piano 64 at 1.0.
    ASSERT_EQ(ons.size(), 12u);
    const std::int64_t pass = std::int64_t(std::ceil(1.25 * kRate));
    EXPECT_EQ(ons[3].frame, pass);
    EXPECT_NEAR(double(ons[6].frame), double(2 * pass), 1.0);
    // The bass note is cut at the loop end, before the next pass starts.
    auto offs = sink.noteOffs();
    bool cutAtLoopEnd = false;
    for (const auto& o : offs)
        cutAtLoopEnd =
            cutAtLoopEnd || (o.message.bytes[1] == 40 && std::llabs(o.frame - pass) <= 1);
    EXPECT_TRUE(cutAtLoopEnd);
    EXPECT_FALSE(s.finished());
    s.stop(sink);
    expectPaired(sink.sent);
}

TEST(EventScheduler, SeekEndsSoundingNotesAndChasesPrograms) {
    auto snap = PlaybackSnapshot::fromSong(twoTrackSong());
    EventScheduler s;
    s.setSnapshot(snap.get());
    s.play();
    RecordingSink sink;
    run(s, sink, int(0.75 * kRate / 256)); // piano 60 done, bass 40 sounding
    ASSERT_EQ(s.soundingNotes(), 1);
    sink.sent.clear();
    s.seek(2.5, sink); // between the 67 (2.0..2.5) and the 43 (3.0)
    EXPECT_EQ(s.soundingNotes(), 0);
    ASSERT_FALSE(sink.sent.empty());
    EXPECT_TRUE(sink.sent[0].message.isNoteOff());
    EXPECT_EQ(sink.sent[0].message.bytes[1], 40);
    int programs = 0;
    for (const auto& m : sink.sent)
        programs += m.message.type() == 0xC0;
    EXPECT_EQ(programs, 2); // both tracks' programs resent
    sink.sent.clear();
    run(s, sink, int(1.5 * kRate / 256));
    auto ons = sink.noteOns();
    ASSERT_EQ(ons.size(), 1u);
    EXPECT_EQ(ons[0].message.bytes[1], 43);
}

TEST(EventScheduler, EditWhilePlayingIsHeardAheadAndNeverHangsANote) {
    model::Song song = twoTrackSong();
    auto first = PlaybackSnapshot::fromSong(song);
    EventScheduler s;
    s.setSnapshot(first.get());
    s.play();
    RecordingSink sink;
    run(s, sink, int(0.75 * kRate / 256)); // bass 40 sounding (until 1.5 s)
    // Delete every note and add one ahead of the playhead.
    model::Song edited = song;
    for (std::size_t t = 0; t < edited.trackCount(); ++t) {
        std::vector<model::NoteId> ids;
        for (const auto& n : edited.trackAt(t).notes())
            ids.push_back(n.id);
        edited.removeNotes(edited.trackIdAt(t), ids);
    }
    edited.addNotes(edited.trackIdAt(0), {makeNote(1440, 100, 72)}); // 1.5 s
    auto second = PlaybackSnapshot::fromSong(edited);
    s.setSnapshot(second.get());
    run(s, sink, int(4.0 * kRate / 256));
    auto ons = sink.noteOns();
    ASSERT_EQ(ons.size(), 3u); // 60, 40 before the edit, 72 after
    EXPECT_EQ(ons[2].message.bytes[1], 72);
    EXPECT_EQ(ons[2].frame, std::int64_t(1.5 * kRate));
    expectPaired(sink.sent); // the deleted bass note still got its note-off
}

TEST(EventScheduler, StopAndPanicSilenceEverything) {
    auto snap = PlaybackSnapshot::fromSong(twoTrackSong());
    EventScheduler s;
    s.setSnapshot(snap.get());
    s.play();
    RecordingSink sink;
    run(s, sink, int(0.75 * kRate / 256));
    s.stop(sink, 5);
    int allNotesOff = 0;
    for (const auto& m : sink.sent)
        allNotesOff += m.message.type() == 0xB0 && m.message.bytes[1] == 123;
    EXPECT_EQ(allNotesOff, 16);
    EXPECT_EQ(s.position(), 0.0);
    EXPECT_FALSE(s.playing());
    expectPaired(sink.sent);
    // Stopped: time does not move and nothing is sent.
    const auto before = sink.sent.size();
    run(s, sink, 10);
    EXPECT_EQ(sink.sent.size(), before);

    s.play();
    run(s, sink, int(0.1 * kRate / 256));
    s.panic(sink);
    int soundOff = 0;
    for (const auto& m : sink.sent)
        soundOff += m.message.type() == 0xB0 && m.message.bytes[1] == 120;
    EXPECT_EQ(soundOff, 16);
    expectPaired(sink.sent);
}

TEST(EventScheduler, RepeatedKeyIsReleasedBeforeRetrigger) {
    model::Song song;
    // Overlapping notes on the same key: the second starts before the first ends.
    addTrack(song, "t", 0, -1, {makeNote(0, 960, 60), makeNote(480, 960, 60)});
    auto snap = PlaybackSnapshot::fromSong(song);
    EventScheduler s;
    s.setSnapshot(snap.get());
    s.play();
    RecordingSink sink;
    run(s, sink, int(2.0 * kRate / 256));
    EXPECT_EQ(sink.noteOns().size(), 2u);
    EXPECT_EQ(sink.noteOffs().size(), 2u);
    expectPaired(sink.sent);
}
