// Property tests: whatever the model holds survives write -> read unchanged (ids aside).

#include "RandomSong.h"
#include "SongCompare.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <dirent.h>

using namespace torchestra;

namespace {

constexpr int kSongs = 400;

void expectRoundTrip(const model::Song& song, const midi::WriteOptions& options,
                     const std::string& label) {
    const std::string bytes = midi::writeMidi(song, options);
    const midi::ReadResult r = midi::readMidi(bytes);
    ASSERT_TRUE(r.ok) << label << ": " << r.error;
    EXPECT_TRUE(r.warnings.empty()) << label << ": " << r.warnings.front();
    EXPECT_EQ(r.format, options.format) << label;
    EXPECT_EQ(songcompare::firstDifference(song, r.song), "") << label;
    // Writing what was read gives the same bytes: the encoding is canonical.
    const std::string again = midi::writeMidi(r.song, options);
    std::size_t differ = 0;
    while (differ < again.size() && differ < bytes.size() && again[differ] == bytes[differ])
        ++differ;
    EXPECT_TRUE(again == bytes) << label << ": rewritten file differs from byte " << differ
                                << " (sizes " << again.size() << ", " << bytes.size() << ")";
}

} // namespace

TEST(MidiRoundTrip, RandomSongsFormat1WithRunningStatus) {
    std::mt19937 rng(20261125);
    for (int i = 0; i < kSongs; ++i) {
        const model::Song song = randomsong::randomSong(rng);
        ASSERT_NO_FATAL_FAILURE(expectRoundTrip(song, {}, "song " + std::to_string(i)));
        if (HasFailure())
            return;
    }
}

TEST(MidiRoundTrip, RandomSongsFormat1WithoutRunningStatus) {
    std::mt19937 rng(7);
    midi::WriteOptions options;
    options.runningStatus = false;
    for (int i = 0; i < kSongs; ++i) {
        const model::Song song = randomsong::randomSong(rng);
        ASSERT_NO_FATAL_FAILURE(expectRoundTrip(song, options, "song " + std::to_string(i)));
        if (HasFailure())
            return;
        // Running status only changes the size.
        EXPECT_GE(midi::writeMidi(song, options).size(), midi::writeMidi(song).size());
    }
}

TEST(MidiRoundTrip, RandomSingleTrackSongsFormat0) {
    // With one track, format 0 holds everything format 1 does (the tempo map shares the track).
    std::mt19937 rng(42);
    midi::WriteOptions options;
    options.format = 0;
    int tested = 0;
    for (int i = 0; tested < 150; ++i) {
        model::Song song = randomsong::randomSong(rng);
        while (song.trackCount() > 1)
            song.removeTrack(song.trackIdAt(song.trackCount() - 1));
        ++tested;
        ASSERT_NO_FATAL_FAILURE(expectRoundTrip(song, options, "song " + std::to_string(i)));
        if (HasFailure())
            return;
    }
}

TEST(MidiRoundTrip, Format0MergesAllTracks) {
    std::mt19937 rng(99);
    for (int i = 0; i < 50; ++i) {
        const model::Song song = randomsong::randomSong(rng);
        midi::WriteOptions options;
        options.format = 0;
        const midi::ReadResult r = midi::readMidi(midi::writeMidi(song, options));
        ASSERT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.format, 0);
        ASSERT_EQ(r.song.trackCount(), 1u);
        EXPECT_EQ(r.song.tempoMap(), song.tempoMap());
        // Merging can pair same-pitch notes of different tracks differently, never lose them.
        EXPECT_EQ(r.song.noteCount(), song.noteCount());
        std::size_t events = 0, sysex = 0;
        for (const auto& t : song.tracks()) {
            events += t.channelEvents.size();
            sysex += t.sysExEvents.size();
        }
        EXPECT_EQ(r.song.trackAt(0).sysExEvents.size(), sysex);
        // Programs become program changes, some of which may be read as the track's program.
        std::size_t programs = 0;
        for (const auto& t : song.tracks())
            programs += t.properties.program ? 1 : 0;
        EXPECT_EQ(r.song.trackAt(0).channelEvents.size() +
                      (r.song.trackAt(0).properties.program ? 1 : 0),
                  events + programs);
    }
}

// Real files, when the machine has some (scripts/setup installs Debian's openttd-openmsx):
// read -> write -> read must give the same song.
TEST(MidiRoundTrip, RealFilesWhenAvailable) {
    const std::string dir = "/usr/share/games/openttd/baseset/openmsx";
    DIR* d = opendir(dir.c_str());
    if (!d)
        GTEST_SKIP() << dir << " not installed";
    int files = 0;
    while (dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() < 4 || name.substr(name.size() - 4) != ".mid")
            continue;
        const midi::ReadResult first = midi::readMidiFile(dir + "/" + name);
        ASSERT_TRUE(first.ok) << name << ": " << first.error;
        EXPECT_GT(first.song.noteCount(), 0u) << name;
        const midi::ReadResult second = midi::readMidi(midi::writeMidi(first.song));
        ASSERT_TRUE(second.ok) << name << ": " << second.error;
        EXPECT_EQ(songcompare::firstDifference(first.song, second.song), "") << name;
        ++files;
    }
    closedir(d);
    EXPECT_GT(files, 0);
}
