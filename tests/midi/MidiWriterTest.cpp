// Writer rules: exact bytes, event order within a tick, formats, atomic files.

#include "SmfBuilder.h"
#include "SongCompare.h"
#include "common/TestNotes.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace torchestra;
using smf::bytes;
using torchestra::testkit::makeNote;

namespace {

model::TrackId addTrack(model::Song& song, model::Track t, const std::vector<model::Note>& notes) {
    const model::TrackId id = song.addTrack(std::move(t));
    if (!notes.empty())
        song.addNotes(id, notes);
    return id;
}

// Splits a file written without running status into (delta, event bytes) per track, so tests
// can check the order of events without trusting the reader.
std::vector<std::vector<std::string>> events(const std::string& file) {
    std::vector<std::vector<std::string>> out;
    std::size_t pos = 14;
    while (pos + 8 <= file.size()) {
        EXPECT_EQ(file.substr(pos, 4), "MTrk");
        const std::size_t len = std::size_t(std::uint8_t(file[pos + 4])) << 24 |
                                std::size_t(std::uint8_t(file[pos + 5])) << 16 |
                                std::size_t(std::uint8_t(file[pos + 6])) << 8 |
                                std::uint8_t(file[pos + 7]);
        std::size_t p = pos + 8;
        const std::size_t end = p + len;
        out.emplace_back();
        while (p < end) {
            const std::size_t start = p;
            while (std::uint8_t(file[p]) & 0x80)
                ++p;
            ++p;
            const auto status = std::uint8_t(file[p]);
            std::size_t n = 0;
            if (status == 0xFF || status == 0xF0 || status == 0xF7) {
                std::size_t q = p + (status == 0xFF ? 2 : 1);
                std::size_t l = 0;
                while (std::uint8_t(file[q]) & 0x80)
                    l = (l << 7) | (std::uint8_t(file[q++]) & 0x7F);
                l = (l << 7) | std::uint8_t(file[q++]);
                n = q + l - p;
            } else {
                const int type = status & 0xF0;
                n = (type == 0xC0 || type == 0xD0) ? 2 : 3;
            }
            p += n;
            out.back().push_back(file.substr(start, p - start));
        }
        pos = end;
    }
    return out;
}

std::string hex(const std::string& s) {
    std::ostringstream o;
    for (unsigned char c : s)
        o << std::hex << (c < 16 ? "0" : "") << int(c) << ' ';
    return o.str();
}

} // namespace

TEST(MidiWriter, ExactBytesOfASmallSong) {
    model::Song song;
    model::TempoMap map(96);
    map.setTempo(0, 500000);
    song.setTempoMap(map);
    model::Track t;
    t.properties.name = "A";
    t.properties.channel = 2;
    t.properties.program = 5;
    addTrack(song, t, {makeNote(0, 96, 60, 100, 2)});

    const std::string expected = smf::header(1, 1, 96) + "MTrk" + smf::be32(26) +
                                 bytes({0x00, 0xFF, 0x03, 0x01, 'A',              // name
                                        0x00, 0xC2, 0x05,                         // program
                                        0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, // tempo
                                        0x00, 0x92, 0x3C, 0x64,                   // note on
                                        0x60, 0x3C, 0x00, // note off: running status, vel 0
                                        0x00, 0xFF, 0x2F, 0x00});
    EXPECT_EQ(hex(midi::writeMidi(song)), hex(expected));

    midi::WriteOptions plain;
    plain.runningStatus = false;
    const std::string expectedPlain =
        smf::header(1, 1, 96) + "MTrk" + smf::be32(27) +
        bytes({0x00, 0xFF, 0x03, 0x01, 'A',  0x00, 0xC2, 0x05, 0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1,
               0x20, 0x00, 0x92, 0x3C, 0x64, 0x60, 0x82, 0x3C, 0x40, 0x00, 0xFF, 0x2F, 0x00});
    EXPECT_EQ(hex(midi::writeMidi(song, plain)), hex(expectedPlain));
}

TEST(MidiWriter, OrderWithinATick) {
    // At tick 10: the note ending there goes off first, then the controller, then the note-ons
    // (the zero-length one first, as it ends first), then the zero-length note's off.
    model::Song song;
    model::Track t;
    t.channelEvents.push_back({10, 0xB0, 64, 127});
    addTrack(song, t, {makeNote(0, 10, 60), makeNote(10, 10, 60), makeNote(10, 0, 60, 50, 0, 20)});
    midi::WriteOptions plain;
    plain.runningStatus = false;
    const std::string file = midi::writeMidi(song, plain);
    const auto ev = events(file);
    ASSERT_EQ(ev.size(), 1u);
    const std::vector<std::string> want = {
        bytes({0x00, 0x90, 60, 100}), bytes({0x0A, 0x80, 60, 64}),    bytes({0x00, 0xB0, 64, 127}),
        bytes({0x00, 0x90, 60, 50}),  bytes({0x00, 0x90, 60, 100}),   bytes({0x00, 0x80, 60, 20}),
        bytes({0x0A, 0x80, 60, 64}),  bytes({0x00, 0xFF, 0x2F, 0x00})};
    ASSERT_EQ(ev[0].size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
        EXPECT_EQ(hex(ev[0][i]), hex(want[i])) << "event " << i;
    const midi::ReadResult r = midi::readMidi(file);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(songcompare::firstDifference(song, r.song), "");
}

TEST(MidiWriter, SamePitchNotesStartingTogetherComeBackWithTheirLengths) {
    model::Song song;
    addTrack(song, {},
             {makeNote(0, 30, 60, 10, 0, 1), makeNote(0, 10, 60, 20, 0, 2),
              makeNote(0, 20, 60, 30, 0, 3)});
    const midi::ReadResult r = midi::readMidi(midi::writeMidi(song));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(songcompare::firstDifference(song, r.song), "");
}

TEST(MidiWriter, EndOfTrackIsTheLaterOfEndOfTrackAndLastEvent) {
    model::Song song;
    model::Track late;
    late.endOfTrack = 1000;
    addTrack(song, late, {makeNote(0, 100, 60)});
    model::Track early;
    early.endOfTrack = 10;
    addTrack(song, early, {makeNote(0, 100, 60)});
    model::Track empty;
    addTrack(song, empty, {});
    const midi::ReadResult r = midi::readMidi(midi::writeMidi(song));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 1000);
    EXPECT_EQ(r.song.trackAt(1).endOfTrack, 100);
    EXPECT_EQ(r.song.trackAt(2).endOfTrack, 0);
    EXPECT_TRUE(r.warnings.empty());
}

TEST(MidiWriter, TempoMapGoesIntoTheFirstTrack) {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, 600000);
    map.setTempo(1920, 400000);
    map.setTimeSignature({0, 3, 4, 24, 8});
    map.setKeySignature({0, -2, true});
    song.setTempoMap(map);
    addTrack(song, {}, {makeNote(0, 480, 60)});
    addTrack(song, {}, {makeNote(0, 480, 62)});
    midi::WriteOptions plain;
    plain.runningStatus = false;
    const std::string file = midi::writeMidi(song, plain);
    const auto ev = events(file);
    ASSERT_EQ(ev.size(), 2u);
    auto metaCount = [](const std::vector<std::string>& track, int type) {
        int n = 0;
        for (const auto& e : track) {
            std::size_t p = 0;
            while (std::uint8_t(e[p]) & 0x80)
                ++p;
            if (std::uint8_t(e[p + 1]) == 0xFF && std::uint8_t(e[p + 2]) == type)
                ++n;
        }
        return n;
    };
    EXPECT_EQ(metaCount(ev[0], 0x51), 2);
    EXPECT_EQ(metaCount(ev[0], 0x58), 1);
    EXPECT_EQ(metaCount(ev[0], 0x59), 1);
    EXPECT_EQ(metaCount(ev[1], 0x51), 0);
    const midi::ReadResult r = midi::readMidi(file);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.tempoMap(), map);
    EXPECT_EQ(songcompare::firstDifference(song, r.song), "");
}

TEST(MidiWriter, Format0MergesTracksIntoOneChunk) {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, 600000);
    song.setTempoMap(map);
    model::Track a;
    a.properties.name = "First";
    addTrack(song, a, {makeNote(0, 480, 60), makeNote(480, 480, 64)});
    model::Track b;
    b.channelEvents.push_back({240, 0xB1, 7, 90});
    addTrack(song, b, {makeNote(0, 960, 40, 100, 1)});
    midi::WriteOptions options;
    options.format = 0;
    const std::string file = midi::writeMidi(song, options);
    EXPECT_EQ(file.substr(0, 14), smf::header(0, 1, 480));
    const midi::ReadResult r = midi::readMidi(file);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.format, 0);
    ASSERT_EQ(r.song.trackCount(), 1u);
    EXPECT_EQ(r.song.trackAt(0).properties.name, "First");
    EXPECT_EQ(r.song.noteCount(), 3u);
    EXPECT_EQ(r.song.trackAt(0).channelEvents.size(), 1u);
    EXPECT_EQ(r.song.tempoMap(), map);
    EXPECT_TRUE(r.warnings.empty());
}

TEST(MidiWriter, TrackChannelSurvivesWhenAnotherChannelsEventComesFirst) {
    // The reader takes the channel from the first channel message; the writer must put the
    // note on the track's channel before the controller on channel 5 at the same tick.
    model::Song song;
    model::Track t;
    t.properties.channel = 2;
    t.channelEvents.push_back({0, 0xB5, 7, 100});
    addTrack(song, t, {makeNote(0, 10, 60, 100, 2)});
    const midi::ReadResult r = midi::readMidi(midi::writeMidi(song));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(songcompare::firstDifference(song, r.song), "");
    EXPECT_EQ(r.song.trackAt(0).properties.channel, 2);
}

TEST(MidiWriter, ProgramChangeThatIsNotTheTracksProgramStaysAnEvent) {
    // Read from "note-on, then program change, both at tick 0": the program change is an event.
    model::Song song;
    model::Track t;
    t.channelEvents.push_back({0, 0xC0, 12, 0});
    addTrack(song, t, {makeNote(0, 10, 60)});
    const midi::ReadResult r = midi::readMidi(midi::writeMidi(song));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.song.trackAt(0).properties.program.has_value());
    EXPECT_EQ(songcompare::firstDifference(song, r.song), "");
}

TEST(MidiWriter, EmptyNameIsWrittenWhenATrackNameEventSitsAtTickZero) {
    model::Song song;
    model::Track t;
    t.metaEvents.push_back({0, 0x03, "not the name"});
    addTrack(song, t, {});
    const midi::ReadResult r = midi::readMidi(midi::writeMidi(song));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.trackAt(0).properties.name, "");
    EXPECT_EQ(songcompare::firstDifference(song, r.song), "");
}

TEST(MidiWriter, EmptySongAndSongWithoutTracks) {
    const model::Song empty;
    const std::string file = midi::writeMidi(empty);
    EXPECT_EQ(file, smf::header(1, 0, 480));
    const midi::ReadResult r = midi::readMidi(file);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.trackCount(), 0u);
}

TEST(MidiWriter, WriteMidiFileIntoMissingFolderFailsNamingThePath) {
    model::Song song;
    addTrack(song, {}, {makeNote(0, 10, 60)});
    const std::string path = "/nonexistent-torchestra-folder/sub/out.mid";
    const std::string error = midi::writeMidiFile(path, song);
    ASSERT_FALSE(error.empty());
    EXPECT_NE(error.find(path), std::string::npos) << error;
}

TEST(MidiWriter, WriteMidiFileReplacesAnExistingFileWhole) {
    const std::string path = ::testing::TempDir() + "/writer_replace_test.mid";
    {
        std::ofstream f(path, std::ios::binary);
        f << std::string(100000, 'x');
    }
    model::Song song;
    addTrack(song, {}, {makeNote(0, 10, 60)});
    ASSERT_EQ(midi::writeMidiFile(path, song), "");
    std::ifstream f(path, std::ios::binary);
    const std::string onDisk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(onDisk, midi::writeMidi(song));
    const midi::ReadResult r = midi::readMidiFile(path);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.noteCount(), 1u);
    std::remove(path.c_str());
}
