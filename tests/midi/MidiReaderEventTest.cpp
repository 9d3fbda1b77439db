// Reader rules inside a track chunk, one test per rule, on files built byte by byte
// (SmfBuilder.h): running status, note pairing, SysEx, metas, channel messages.

#include "ReadChecks.h"
#include "SmfBuilder.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

using namespace torchestra;
using namespace readchecks;
using midi::readMidi;
using midi::ReadResult;
using smf::Track;

TEST(MidiReader, RunningStatus) {
    // 90 3C 64 | 00 3E 64 | 60 3C 00 | 00 3E 00: one status byte for four events.
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .event(0, {0x91, 60, 100})
                                      .event(0, {62, 101})
                                      .event(96, {60, 0})
                                      .event(0, {62, 0})
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
    expectNotes(r, 0, {{0, 96, 60, 100, 64, 1}, {0, 96, 62, 101, 64, 1}});
}

TEST(MidiReader, RunningStatusAcrossMetaContinuesWithOneWarningPerTrack) {
    // Per the spec the meta event cancels running status; we continue the last channel status.
    const auto bytes =
        smf::file(1, 96,
                  {Track()
                       .event(0, {0x90, 60, 100})
                       .meta(10, 0x01, "text")
                       .event(0, {62, 100}) // data byte after a meta
                       .meta(10, 0x06, "marker")
                       .event(0, {60, 0})
                       .event(0, {62, 0})
                       .end(),
                   Track().event(0, {0xB3, 7, 100}).meta(5, 0x01, "x").event(0, {10, 64}).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(countWarnings(r, "running status continues"), 2) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "track 0: running status"), 1) << allWarnings(r);
    expectNotes(r, 0, {{0, 20, 60, 100, 64, 0}, {10, 10, 62, 100, 64, 0}});
    const auto& ev = r.song.trackAt(1).channelEvents;
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1], (model::ChannelEvent{5, 0xB3, 10, 64}));
}

TEST(MidiReader, RunningStatusAcrossSysExContinuesWithWarning) {
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .event(0, {0x90, 60, 100})
                                      .sysEx(0, false, smf::bytes({0x7E, 0x7F, 0x09, 0x01, 0xF7}))
                                      .event(48, {60, 0})
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(countWarnings(r, "running status continues"), 1) << allWarnings(r);
    expectNotes(r, 0, {{0, 48, 60, 100, 64, 0}});
    ASSERT_EQ(r.song.trackAt(0).sysExEvents.size(), 1u);
}

TEST(MidiReader, StatusAfterMetaNeedsNoWarning) {
    // The spec-conforming shape: a full status byte after the meta event.
    const auto bytes = smf::file(
        0, 96,
        {Track().event(0, {0x90, 60, 100}).meta(0, 0x01, "t").event(10, {0x90, 60, 0}).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
    expectNotes(r, 0, {{0, 10, 60, 100, 64, 0}});
}

TEST(MidiReader, DataByteWithoutAnyStatusIsAnErrorWithOffset) {
    const auto bytes = smf::file(0, 96, {Track().event(0, {60, 100}).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_FALSE(r.ok);
    // Header 14 + chunk header 8 + delta 1: the data byte is at 23.
    EXPECT_EQ(r.errorOffset, 23u);
    EXPECT_NE(r.error.find("byte 23"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("status byte"), std::string::npos) << r.error;
}

TEST(MidiReader, NoteOnVelocityZeroIsNoteOffWithRelease64AndNoteOffKeepsRelease) {
    const auto bytes = smf::file(
        0, 96,
        {Track().on(0, 0, 60, 100).on(0, 0, 61, 100).on(10, 0, 60, 0).off(5, 0, 61, 17).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 10, 60, 100, 64, 0}, {0, 15, 61, 100, 17, 0}});
}

TEST(MidiReader, OverlappingSamePitchNotesPairFirstInFirstOut) {
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .on(0, 3, 60, 10)
                                      .on(10, 3, 60, 20)
                                      .on(0, 4, 60, 30) // other channel: its own queue
                                      .off(10, 3, 60, 1)
                                      .off(10, 3, 60, 2)
                                      .off(10, 4, 60, 3)
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 20, 60, 10, 1, 3}, {10, 20, 60, 20, 2, 3}, {10, 30, 60, 30, 3, 4}});
}

TEST(MidiReader, NotesNeverSwitchedOffEndAtEndOfTrackWithWarning) {
    const auto bytes =
        smf::file(0, 96, {Track().on(0, 0, 60, 100).on(10, 0, 62, 100).off(10, 0, 62).end(100)});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 120, 60, 100, 64, 0}, {10, 10, 62, 100, 64, 0}});
    EXPECT_EQ(countWarnings(r, "never switched off"), 1) << allWarnings(r);
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 120);
}

TEST(MidiReader, NotesNeverSwitchedOffWithoutEndOfTrackEndAtLastEvent) {
    const auto bytes = smf::file(0, 96, {Track().on(0, 0, 60, 100).cc(50, 0, 7, 100)});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 50, 60, 100, 64, 0}});
    EXPECT_EQ(countWarnings(r, "never switched off"), 1) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "no End of Track"), 1) << allWarnings(r);
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 50);
}

TEST(MidiReader, NoteOffsWithoutNoteAreIgnoredWithOneWarningPerTrack) {
    Track t;
    for (int i = 0; i < 1000; ++i)
        t.off(1, 0, 60);
    t.on(0, 0, 61, 1).off(1, 0, 61).end();
    const ReadResult r = readMidi(smf::file(0, 96, {t}));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.warnings.size(), 1u) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "1000 note-offs without a sounding note"), 1) << allWarnings(r);
    expectNotes(r, 0, {{1000, 1, 61, 1, 64, 0}});
}

TEST(MidiReader, SysExWithF0AndF7PacketsAndEscapes) {
    // An F0 packet without its final F7, an F7 continuation packet that ends it, then an F7
    // escape carrying a raw real-time byte.
    const auto first = smf::bytes({0x43, 0x12, 0x00});
    const auto cont = smf::bytes({0x43, 0x12, 0xF7});
    const auto escape = smf::bytes({0xFA});
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .sysEx(0, false, first)
                                      .sysEx(20, true, cont)
                                      .sysEx(30, true, escape)
                                      .sysEx(0, false, "")
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    const auto& s = r.song.trackAt(0).sysExEvents;
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0], (model::SysExEvent{0, false, first}));
    EXPECT_EQ(s[1], (model::SysExEvent{20, true, cont}));
    EXPECT_EQ(s[2], (model::SysExEvent{50, true, escape}));
    EXPECT_EQ(s[3], (model::SysExEvent{50, false, ""}));
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
}

TEST(MidiReader, EveryMetaEventIsKeptOrMapped) {
    Track conductor;
    conductor.meta(0, 0x03, "Song title")
        .meta(0, 0x03, "second name at tick 0")
        .meta(0, 0x00, smf::bytes({0, 7}))
        .meta(0, 0x54, smf::bytes({0x60, 0, 0, 0, 0}))
        .meta(0, 0x58, smf::bytes({6, 3, 24, 8}))
        .meta(0, 0x59, smf::bytes({0xFD, 1}))
        .tempo(0, 500000);
    for (int type = 0x01; type <= 0x0F; ++type)
        if (type != 0x03)
            conductor.meta(1, type, "text " + std::to_string(type));
    conductor.meta(1, 0x03, "late name")
        .meta(1, 0x20, smf::bytes({5}))
        .meta(1, 0x21, smf::bytes({1}))
        .meta(1, 0x7F, smf::bytes({0, 0, 0x41, 1, 2}))
        .meta(1, 0x60, "unknown meta")
        .end();
    // Tempo, metre and key from a later track also go into the song's map.
    Track other;
    other.tempo(100, 250000)
        .meta(0, 0x58, smf::bytes({3, 2, 24, 8}))
        .meta(0, 0x59, smf::bytes({2, 0}))
        .end();
    const ReadResult r = readMidi(smf::file(1, 96, {conductor, other}));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
    const auto& tr = r.song.trackAt(0);
    EXPECT_EQ(tr.properties.name, "Song title");
    std::vector<model::MetaEvent> want = {{0, 0x03, "second name at tick 0"},
                                          {0, 0x00, smf::bytes({0, 7})},
                                          {0, 0x54, smf::bytes({0x60, 0, 0, 0, 0})}};
    model::Tick tick = 0;
    for (int type = 0x01; type <= 0x0F; ++type)
        if (type != 0x03)
            want.push_back({++tick, std::uint8_t(type), "text " + std::to_string(type)});
    want.push_back({++tick, 0x03, "late name"});
    want.push_back({++tick, 0x20, smf::bytes({5})});
    want.push_back({++tick, 0x21, smf::bytes({1})});
    want.push_back({++tick, 0x7F, smf::bytes({0, 0, 0x41, 1, 2})});
    want.push_back({++tick, 0x60, "unknown meta"});
    EXPECT_EQ(tr.metaEvents, want);
    EXPECT_EQ(tr.endOfTrack, tick);

    const auto& map = r.song.tempoMap();
    ASSERT_EQ(map.tempos().size(), 2u);
    EXPECT_EQ(map.tempos()[1], (model::TempoChange{100, 250000}));
    ASSERT_EQ(map.timeSignatures().size(), 2u);
    EXPECT_EQ(map.timeSignatures()[0], (model::TimeSignature{0, 6, 8, 24, 8}));
    EXPECT_EQ(map.timeSignatures()[1], (model::TimeSignature{100, 3, 4, 24, 8}));
    ASSERT_EQ(map.keySignatures().size(), 2u);
    EXPECT_EQ(map.keySignatures()[0], (model::KeySignature{0, -3, true}));
    EXPECT_EQ(map.keySignatures()[1], (model::KeySignature{100, 2, false}));
    EXPECT_TRUE(r.song.trackAt(1).metaEvents.empty());
}

TEST(MidiReader, InvalidTempoMapMetasAreSkippedWithWarnings) {
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .meta(0, 0x51, smf::bytes({7, 0xA1}))
                                      .meta(0, 0x58, smf::bytes({4, 2, 24}))
                                      .meta(0, 0x59, smf::bytes({1}))
                                      .meta(0, 0x59, smf::bytes({9, 0}))
                                      .meta(0, 0x58, smf::bytes({0, 2, 24, 8}))
                                      .meta(0, 0x51, smf::bytes({0, 0, 0}))
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(countWarnings(r, "skipped"), 6) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "tempo event at byte 22 has 2 data bytes (expected 3)"), 1)
        << allWarnings(r);
    EXPECT_TRUE(r.song.tempoMap().tempos().empty());
    EXPECT_TRUE(r.song.tempoMap().timeSignatures().empty());
    EXPECT_TRUE(r.song.tempoMap().keySignatures().empty());
    EXPECT_TRUE(r.song.trackAt(0).metaEvents.empty());
}

// Data bytes over 127: MidiReaderRepairTest.cpp.

TEST(MidiReader, ProgramAndChannelOfTheTrack) {
    // Program change at tick 0 as the first channel message: the track's program.
    const ReadResult a = readMidi(smf::file(
        0, 96,
        {Track().meta(0, 0x03, "Lead").program(0, 4, 33).on(0, 4, 60, 1).off(1, 4, 60).end()}));
    ASSERT_TRUE(a.ok) << a.error;
    EXPECT_EQ(a.song.trackAt(0).properties.program, std::optional<std::uint8_t>(33));
    EXPECT_EQ(a.song.trackAt(0).properties.channel, 4);
    EXPECT_TRUE(a.song.trackAt(0).channelEvents.empty());

    // After a note on the same channel at tick 0: an ordinary event.
    const ReadResult b =
        readMidi(smf::file(0, 96, {Track().on(0, 4, 60, 1).program(0, 4, 33).off(1, 4, 60).end()}));
    ASSERT_TRUE(b.ok) << b.error;
    EXPECT_FALSE(b.song.trackAt(0).properties.program.has_value());
    ASSERT_EQ(b.song.trackAt(0).channelEvents.size(), 1u);
    EXPECT_EQ(b.song.trackAt(0).channelEvents[0], (model::ChannelEvent{0, 0xC4, 33, 0}));

    // After a controller on another channel: the track's channel is that channel.
    const ReadResult c =
        readMidi(smf::file(0, 96, {Track().cc(0, 9, 7, 100).program(0, 4, 33).end()}));
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_FALSE(c.song.trackAt(0).properties.program.has_value());
    EXPECT_EQ(c.song.trackAt(0).properties.channel, 9);
    EXPECT_EQ(c.song.trackAt(0).channelEvents.size(), 2u);

    // Not at tick 0: an ordinary event.
    const ReadResult d = readMidi(smf::file(0, 96, {Track().program(5, 2, 33).end()}));
    ASSERT_TRUE(d.ok) << d.error;
    EXPECT_FALSE(d.song.trackAt(0).properties.program.has_value());
    EXPECT_EQ(d.song.trackAt(0).properties.channel, 2);
    EXPECT_EQ(d.song.trackAt(0).channelEvents.size(), 1u);

    // A note-off with nothing to switch off does not decide the channel; no events: channel 0.
    const ReadResult e = readMidi(smf::file(
        1, 96, {Track().off(0, 7, 60).on(0, 3, 60, 1).off(1, 3, 60).end(), Track().end()}));
    ASSERT_TRUE(e.ok) << e.error;
    EXPECT_EQ(e.song.trackAt(0).properties.channel, 3);
    EXPECT_EQ(e.song.trackAt(1).properties.channel, 0);
}

TEST(MidiReader, SystemMessagesInsideATrackAreSkipped) {
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .on(0, 0, 60, 1)
                                      .event(0, {0xF8})
                                      .event(0, {0xF2, 1, 2})
                                      .event(0, {0x90, 60, 0})
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(countWarnings(r, "does not belong in a MIDI file"), 2) << allWarnings(r);
    expectNotes(r, 0, {{0, 0, 60, 1, 64, 0}});
}

TEST(MidiReader, ChannelEventsOfEveryKind) {
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .event(0, {0xA1, 60, 10})
                                      .event(1, {0xB1, 64, 127})
                                      .event(1, {0xC1, 5})
                                      .event(1, {0xD1, 77})
                                      .event(1, {0xE1, 0x00, 0x40})
                                      .event(1, {0x7F, 0x7F}) // running status pitch bend
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    const std::vector<model::ChannelEvent> want = {{0, 0xA1, 60, 10},  {1, 0xB1, 64, 127},
                                                   {2, 0xC1, 5, 0},    {3, 0xD1, 77, 0},
                                                   {4, 0xE1, 0, 0x40}, {5, 0xE1, 0x7F, 0x7F}};
    EXPECT_EQ(r.song.trackAt(0).channelEvents, want);
    EXPECT_EQ(r.song.trackAt(0).properties.channel, 1);
}
