// Reader rules, one test per rule, on files built byte by byte (SmfBuilder.h).

#include "SmfBuilder.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

using namespace torchestra;
using midi::readMidi;
using midi::ReadResult;
using smf::Track;

namespace {

int countWarnings(const ReadResult& r, const std::string& needle) {
    return int(std::count_if(r.warnings.begin(), r.warnings.end(), [&](const std::string& w) {
        return w.find(needle) != std::string::npos;
    }));
}

std::string allWarnings(const ReadResult& r) {
    std::string s;
    for (const auto& w : r.warnings)
        s += w + "\n";
    return s;
}

const std::vector<model::Note>& notesOf(const ReadResult& r, std::size_t track) {
    return r.song.trackAt(track).notes();
}

// Notes sorted by start, pitch, id: that is the model's order.
struct Expected {
    model::Tick start, length;
    int pitch, velocity, release, channel;
};

void expectNotes(const ReadResult& r, std::size_t track, const std::vector<Expected>& want) {
    const auto& got = notesOf(r, track);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE("note " + std::to_string(i));
        EXPECT_EQ(got[i].start, want[i].start);
        EXPECT_EQ(got[i].length, want[i].length);
        EXPECT_EQ(got[i].pitch, want[i].pitch);
        EXPECT_EQ(got[i].velocity, want[i].velocity);
        EXPECT_EQ(got[i].releaseVelocity, want[i].release);
        EXPECT_EQ(got[i].channel, want[i].channel);
    }
}

} // namespace

TEST(MidiReader, ReadsFormat0) {
    const auto bytes = smf::file(0, 96, {Track().on(0, 2, 60, 100).off(96, 2, 60, 30).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.format, 0);
    EXPECT_EQ(r.ppq, 96);
    EXPECT_EQ(r.song.ppq(), 96);
    EXPECT_FALSE(r.smpte);
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
    ASSERT_EQ(r.song.trackCount(), 1u);
    expectNotes(r, 0, {{0, 96, 60, 100, 30, 2}});
    EXPECT_EQ(r.song.trackAt(0).properties.channel, 2);
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 96);
}

TEST(MidiReader, Format1OneModelTrackPerChunkIncludingConductor) {
    const auto bytes =
        smf::file(1, 480,
                  {Track().meta(0, 0x03, "Conductor").tempo(0, 400000).tempo(960, 600000).end(10),
                   Track().meta(0, 0x03, "Piano").on(0, 0, 64, 90).off(480, 0, 64).end(),
                   Track().meta(0, 0x03, "Bass").on(240, 1, 40, 70).off(240, 1, 40).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.format, 1);
    ASSERT_EQ(r.song.trackCount(), 3u);
    EXPECT_EQ(r.song.trackAt(0).properties.name, "Conductor");
    EXPECT_EQ(r.song.trackAt(1).properties.name, "Piano");
    EXPECT_EQ(r.song.trackAt(2).properties.name, "Bass");
    EXPECT_EQ(r.song.trackAt(0).noteCount(), 0u);
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 970);
    expectNotes(r, 1, {{0, 480, 64, 90, 64, 0}});
    expectNotes(r, 2, {{240, 240, 40, 70, 64, 1}});
    EXPECT_EQ(r.song.trackAt(2).properties.channel, 1);
    const auto& tempos = r.song.tempoMap().tempos();
    ASSERT_EQ(tempos.size(), 2u);
    EXPECT_EQ(tempos[0], (model::TempoChange{0, 400000}));
    EXPECT_EQ(tempos[1], (model::TempoChange{960, 600000}));
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
}

TEST(MidiReader, Format2ReadsEachPatternAsATrackWithAWarning) {
    const auto bytes = smf::file(2, 120,
                                 {Track().on(0, 0, 60, 100).off(120, 0, 60).end(),
                                  Track().on(0, 0, 62, 100).off(60, 0, 62).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.format, 2);
    ASSERT_EQ(r.song.trackCount(), 2u);
    expectNotes(r, 0, {{0, 120, 60, 100, 64, 0}});
    expectNotes(r, 1, {{0, 60, 62, 100, 64, 0}});
    EXPECT_EQ(countWarnings(r, "format 2"), 1) << allWarnings(r);
}

TEST(MidiReader, UnknownFormatReadsAsFormat1WithWarning) {
    const auto bytes = smf::header(7, 1, 96) + Track().on(0, 0, 60, 1).off(1, 0, 60).end().chunk();
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.format, 1);
    EXPECT_EQ(countWarnings(r, "unknown format 7"), 1) << allWarnings(r);
    EXPECT_EQ(r.song.noteCount(), 1u);
}

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

TEST(MidiReader, WarningsAreCappedPerKind) {
    std::string bytes = smf::header(1, 50, 96);
    for (int i = 0; i < 50; ++i)
        bytes += Track().off(0, 0, 60).end().chunk();
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(countWarnings(r, "note-offs without a sounding note ignored"), 20) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "... and 30 more note-offs without a note"), 1) << allWarnings(r);
    EXPECT_EQ(r.warnings.size(), 21u);
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

TEST(MidiReader, SmpteDivisionConvertsExactly) {
    // 25 fps x 40 ticks per frame = 1000 ticks per second; the file's tempo is ignored.
    const auto bytes = smf::file(
        0, smf::smpteDivision(25, 40),
        {Track().tempo(0, 123456).on(0, 0, 60, 100).off(1000, 0, 60).tempo(0, 654321).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.smpte);
    EXPECT_EQ(r.ppq, 1000);
    EXPECT_EQ(r.song.ppq(), 1000);
    ASSERT_EQ(r.song.tempoMap().tempos().size(), 1u);
    EXPECT_EQ(r.song.tempoMap().tempos()[0], (model::TempoChange{0, 1000000}));
    EXPECT_DOUBLE_EQ(r.song.tempoMap().tickToSeconds(1000), 1.0);
    EXPECT_EQ(countWarnings(r, "SMPTE"), 1) << allWarnings(r);
    expectNotes(r, 0, {{0, 1000, 60, 100, 64, 0}});
}

TEST(MidiReader, SmpteDropFrameUses30TimesTicksPerFrameAndSlowerQuarter) {
    const auto bytes =
        smf::file(0, smf::smpteDivision(29, 4), {Track().on(0, 0, 60, 100).off(120, 0, 60).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.smpte);
    EXPECT_EQ(r.ppq, 120);
    ASSERT_EQ(r.song.tempoMap().tempos().size(), 1u);
    EXPECT_EQ(r.song.tempoMap().tempos()[0].usPerQuarter, 1001000);
    // "29.97" fps is 30000/1001 frames a second: 120 ticks are 30 frames, 1.001 s.
    EXPECT_NEAR(r.song.tempoMap().tickToSeconds(120), 1.001, 1e-12);
    EXPECT_NEAR(r.song.tempoMap().tickToSeconds(120) * 30000.0 / 1001.0 * 4, 120.0, 1e-9);
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
}

TEST(MidiReader, SmpteOtherRatesAndBadRate) {
    for (int fps : {24, 30}) {
        const ReadResult r = readMidi(smf::file(0, smf::smpteDivision(fps, 10),
                                                {Track().on(0, 0, 60, 1).off(1, 0, 60).end()}));
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.ppq, fps * 10);
        EXPECT_EQ(r.song.tempoMap().tempos()[0].usPerQuarter, 1000000);
    }
    const ReadResult bad = readMidi(smf::file(0, smf::smpteDivision(23, 10), {Track().end()}));
    ASSERT_FALSE(bad.ok);
    EXPECT_EQ(bad.errorOffset, 12u);
    EXPECT_NE(bad.error.find("byte 12: unknown SMPTE frame rate 23"), std::string::npos)
        << bad.error;
}

TEST(MidiReader, ZeroDivisionAssumes480WithWarning) {
    const ReadResult r = readMidi(smf::file(0, 0, {Track().on(0, 0, 60, 1).off(1, 0, 60).end()}));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.ppq, 480);
    EXPECT_EQ(countWarnings(r, "division is 0"), 1) << allWarnings(r);
}

TEST(MidiReader, RiffRmidWrapper) {
    const auto inner = smf::file(1, 96, {Track().on(0, 5, 70, 80).off(96, 5, 70).end()});
    const ReadResult r = readMidi(smf::rmid(inner));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.warnings.empty()) << allWarnings(r);
    expectNotes(r, 0, {{0, 96, 70, 80, 64, 5}});

    // A RIFF with other chunks before "data" (an odd-sized one is padded).
    std::string riff = "RMID" + std::string("INFO") + smf::le32(3) + "abc" + '\0' + "data" +
                       smf::le32(std::uint32_t(inner.size())) + inner;
    riff = "RIFF" + smf::le32(std::uint32_t(riff.size())) + riff;
    const ReadResult r2 = readMidi(riff);
    ASSERT_TRUE(r2.ok) << r2.error;
    EXPECT_EQ(r2.song.noteCount(), 1u);

    // Errors inside the wrapped file name offsets in the whole file.
    std::string broken = inner;
    broken[0] = 'X';
    const ReadResult r3 = readMidi(smf::rmid(broken));
    ASSERT_FALSE(r3.ok);
    EXPECT_EQ(r3.errorOffset, 20u) << r3.error;

    const ReadResult r4 = readMidi("RIFF" + smf::le32(4) + "WAVE");
    ASSERT_FALSE(r4.ok);
    EXPECT_NE(r4.error.find("RMID"), std::string::npos) << r4.error;
    const ReadResult r5 = readMidi("RIFF" + smf::le32(4) + "RMID");
    ASSERT_FALSE(r5.ok);
    EXPECT_NE(r5.error.find("'data'"), std::string::npos) << r5.error;
}

TEST(MidiReader, UnknownChunksAreSkippedWithWarning) {
    const auto t = Track().on(0, 0, 60, 1).off(1, 0, 60).end().chunk();
    const auto bytes = smf::header(1, 2, 96) + "XFIH" + smf::be32(5) + "hello" + t + t;
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.trackCount(), 2u);
    EXPECT_EQ(countWarnings(r, "unknown chunk 'XFIH' at byte 14 skipped"), 1) << allWarnings(r);
}

TEST(MidiReader, BytesAfterLastChunkAreIgnoredWithWarning) {
    const auto good = smf::file(0, 96, {Track().on(0, 0, 60, 1).off(1, 0, 60).end()});
    for (const std::string& tail :
         {std::string("\0\0\0", 3), std::string("\x81\x02\x03\x04\x05\x06\x07\x08\x09", 9)}) {
        const ReadResult r = readMidi(good + tail);
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.song.noteCount(), 1u);
        EXPECT_EQ(countWarnings(r, "ignored"), 1) << allWarnings(r);
        EXPECT_NE(allWarnings(r).find("byte " + std::to_string(good.size())), std::string::npos)
            << allWarnings(r);
    }
}

TEST(MidiReader, MissingEndOfTrackWarns) {
    const auto bytes = smf::file(
        1, 96,
        {Track().on(0, 0, 60, 1).off(7, 0, 60), Track().on(0, 0, 61, 1).off(3, 0, 61).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.trackCount(), 2u);
    EXPECT_EQ(countWarnings(r, "track 0 has no End of Track"), 1) << allWarnings(r);
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 7);
    expectNotes(r, 1, {{0, 3, 61, 1, 64, 0}});
}

TEST(MidiReader, TrackLengthBeyondEndOfFileIsClamped) {
    const auto t = Track().on(0, 0, 60, 1).off(4, 0, 60).end();
    const auto bytes = smf::header(0, 1, 96) + t.chunk(0xFFFFFFF0);
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 4, 60, 1, 64, 0}});
    EXPECT_EQ(countWarnings(r, "claims 4294967280 bytes"), 1) << allWarnings(r);
}

TEST(MidiReader, TrackLengthTooShortReadsOnUntilEndOfTrack) {
    // Declared 5 bytes; the bytes at the declared end are a note-off, not a chunk id.
    const auto t0 = Track().on(0, 0, 60, 1).on(0, 0, 62, 1).off(4, 0, 60).off(4, 0, 62).end();
    const auto t1 = Track().on(0, 1, 50, 1).off(2, 1, 50).end();
    const auto bytes = smf::header(1, 2, 96) + t0.chunk(5) + t1.chunk();
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.trackCount(), 2u);
    expectNotes(r, 0, {{0, 4, 60, 1, 64, 0}, {0, 8, 62, 1, 64, 0}});
    expectNotes(r, 1, {{0, 2, 50, 1, 64, 1}});
    EXPECT_EQ(countWarnings(r, "reading on until End of Track"), 1) << allWarnings(r);
}

TEST(MidiReader, TrackLengthTooLongIntoNextChunkIsIgnored) {
    const auto t0 = Track().on(0, 0, 60, 1).off(4, 0, 60).end();
    const auto t1 = Track().on(0, 1, 50, 1).off(2, 1, 50).end();
    const auto bytes =
        smf::header(1, 2, 96) + t0.chunk(std::int64_t(t0.body().size() + 10)) + t1.chunk();
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.trackCount(), 2u);
    expectNotes(r, 1, {{0, 2, 50, 1, 64, 1}});
    EXPECT_EQ(countWarnings(r, "runs past End of Track into the next track chunk"), 1)
        << allWarnings(r);
}

TEST(MidiReader, PaddingAfterEndOfTrackIsIgnoredWithWarning) {
    const auto t = Track().on(0, 0, 60, 1).off(4, 0, 60).end().raw(std::string(3, '\0'));
    const ReadResult r = readMidi(smf::header(0, 1, 96) + t.chunk());
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.noteCount(), 1u);
    EXPECT_EQ(countWarnings(r, "3 bytes after End of Track"), 1) << allWarnings(r);
}

TEST(MidiReader, HeaderTrackCountDisagreeingWarns) {
    const auto t = Track().on(0, 0, 60, 1).off(1, 0, 60).end().chunk();
    const ReadResult more = readMidi(smf::header(1, 5, 96) + t + t);
    ASSERT_TRUE(more.ok) << more.error;
    EXPECT_EQ(more.song.trackCount(), 2u);
    EXPECT_EQ(countWarnings(more, "declares 5 tracks but the file has 2"), 1) << allWarnings(more);
    const ReadResult fewer = readMidi(smf::header(1, 1, 96) + t + t + t);
    ASSERT_TRUE(fewer.ok) << fewer.error;
    EXPECT_EQ(fewer.song.trackCount(), 3u);
    EXPECT_EQ(countWarnings(fewer, "declares 1 tracks but the file has 3"), 1)
        << allWarnings(fewer);
}

TEST(MidiReader, TruncatedTrackKeepsWhatCameBeforeTheCut) {
    const auto t = Track().on(0, 0, 60, 1).off(4, 0, 60).on(0, 0, 62, 1).off(4, 0, 62).end();
    const std::string full = smf::header(0, 1, 96) + t.chunk();
    // Cut inside the last note-off (after its status byte).
    const std::string cut = full.substr(0, full.size() - 5);
    const ReadResult r = readMidi(cut);
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 4, 60, 1, 64, 0}, {4, 0, 62, 1, 64, 0}});
    EXPECT_EQ(countWarnings(r, "cut off"), 1) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "never switched off"), 1) << allWarnings(r);
}

TEST(MidiReader, TruncatedHeaderIsAnError) {
    const std::string full = smf::file(0, 96, {Track().end()});
    for (std::size_t n = 1; n < 14; ++n) {
        const ReadResult r = readMidi(full.substr(0, n));
        ASSERT_FALSE(r.ok) << n;
        EXPECT_NE(r.error.find("byte"), std::string::npos) << r.error;
    }
    const ReadResult r = readMidi(full.substr(0, 10));
    EXPECT_NE(r.error.find("file ends inside the header"), std::string::npos) << r.error;
    // Header complete but no track chunk at all while one is declared.
    const ReadResult none = readMidi(full.substr(0, 14));
    ASSERT_FALSE(none.ok);
    EXPECT_NE(none.error.find("no track chunk"), std::string::npos) << none.error;
    // A header declaring no tracks and nothing else is an empty song.
    const ReadResult empty = readMidi(smf::header(1, 0, 96));
    ASSERT_TRUE(empty.ok) << empty.error;
    EXPECT_EQ(empty.song.trackCount(), 0u);
}

TEST(MidiReader, DataBytesWithTopBitAreMaskedWithWarning) {
    const auto bytes = smf::file(0, 96, {Track().event(0, {0x90, 60, 0xE4}).off(5, 0, 60).end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 5, 60, 0x64, 64, 0}});
    EXPECT_EQ(countWarnings(r, "masked to 7 bits"), 1) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "byte 25"), 1) << allWarnings(r);
}

TEST(MidiReader, LongVarLenIsAnErrorWithOffset) {
    const auto bytes = smf::file(0, 96,
                                 {Track()
                                      .on(0, 0, 60, 1)
                                      .raw(smf::bytes({0x81, 0x82, 0x83, 0x84, 0x05}))
                                      .raw(smf::bytes({0x80, 60, 0}))
                                      .end()});
    const ReadResult r = readMidi(bytes);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.errorOffset, 26u);
    EXPECT_NE(r.error.find("byte 26: delta time is longer than 4 bytes"), std::string::npos)
        << r.error;
    // The longest legal delta (4 bytes) is fine.
    const auto ok = smf::file(0, 96, {Track().on(0, 0, 60, 1).off(0x0FFFFFFF, 0, 60).end()});
    const ReadResult r2 = readMidi(ok);
    ASSERT_TRUE(r2.ok) << r2.error;
    expectNotes(r2, 0, {{0, 0x0FFFFFFF, 60, 1, 64, 0}});
}

TEST(MidiReader, NotAMidiFile) {
    const std::string png = "\x89PNG\r\n\x1a\n" + std::string(100, '\0');
    const ReadResult r = readMidi(png);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.errorOffset, 0u);
    EXPECT_NE(r.error.find("not a Standard MIDI File (expected 'MThd' at byte 0"),
              std::string::npos)
        << r.error;
    const ReadResult empty = readMidi("");
    ASSERT_FALSE(empty.ok);
    EXPECT_NE(empty.error.find("empty file"), std::string::npos) << empty.error;
}

TEST(MidiReader, HugeLengthFieldsCostNothing) {
    // A meta claiming 256 MB and a SysEx claiming the same in a tiny file: the reader keeps
    // what came before and allocates nothing close to the claim.
    for (int status : {0xFF, 0xF0}) {
        Track t;
        t.on(0, 0, 60, 1).off(1, 0, 60);
        if (status == 0xFF)
            t.raw(smf::bytes({0, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 'a'}));
        else
            t.raw(smf::bytes({0, 0xF0, 0xFF, 0xFF, 0xFF, 0x7F, 'a'}));
        const ReadResult r = readMidi(smf::header(0, 1, 96) + t.chunk(0x7FFFFFFF));
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.song.noteCount(), 1u);
        EXPECT_EQ(countWarnings(r, "cut off"), 1) << allWarnings(r);
    }
}

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

TEST(MidiReader, ReadMidiFileReportsMissingFile) {
    const ReadResult r = midi::readMidiFile("/nonexistent/folder/x.mid");
    ASSERT_FALSE(r.ok);
    // The caller names the file (MidiFile.h); the error says what went wrong with it.
    EXPECT_NE(r.error.find("cannot open"), std::string::npos) << r.error;
    EXPECT_EQ(r.error.find("/nonexistent/folder/x.mid"), std::string::npos) << r.error;
}

TEST(MidiReader, ReadMidiFileReadsAFile) {
    const auto bytes = smf::file(0, 96, {Track().on(0, 0, 60, 1).off(1, 0, 60).end()});
    const std::string path = ::testing::TempDir() + "/reader_test.mid";
    {
        std::ofstream f(path, std::ios::binary);
        f << bytes;
    }
    const ReadResult r = midi::readMidiFile(path);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.noteCount(), 1u);
    std::remove(path.c_str());
}
