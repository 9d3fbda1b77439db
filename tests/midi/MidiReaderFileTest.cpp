// Reader rules for the file as a whole, one test per rule, on files built byte by byte
// (SmfBuilder.h): formats, time division, RIFF, chunk framing and lengths, truncation, errors.

#include "ReadChecks.h"
#include "SmfBuilder.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace torchestra;
using namespace readchecks;
using midi::readMidi;
using midi::ReadResult;
using smf::Track;

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
