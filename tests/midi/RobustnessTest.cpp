// Damaged input: every prefix of a valid file and thousands of random byte flips must give
// either a song (which then writes and reads back) or a clean error naming a byte offset.

#include "RandomSong.h"
#include "SmfBuilder.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

using namespace torchestra;
using smf::Track;

namespace {

// A file with a bit of everything the reader handles specially.
std::string richFile() {
    std::mt19937 rng(5);
    model::Song song = randomsong::randomSong(rng);
    while (song.noteCount() < 50)
        song = randomsong::randomSong(rng);
    std::string file = midi::writeMidi(song);
    // Append hand-made oddities: running status after a meta, SysEx packets, an unknown chunk.
    Track odd;
    odd.event(0, {0x93, 60, 100})
        .meta(0, 0x01, "text")
        .event(5, {62, 100})
        .sysEx(0, false, smf::bytes({0x43, 0x10}))
        .sysEx(3, true, smf::bytes({0x01, 0xF7}))
        .event(7, {0x83, 60, 10})
        .event(0, {62, 0})
        .end();
    file += "XYZW" + smf::be32(3) + "abc" + odd.chunk();
    return file;
}

// The contract every damaged input must meet.
void checkOutcome(const std::string& input, const std::string& label) {
    const midi::ReadResult r = midi::readMidi(input);
    if (r.ok) {
        EXPECT_TRUE(r.error.empty()) << label;
        const std::string again = midi::writeMidi(r.song);
        const midi::ReadResult r2 = midi::readMidi(again);
        ASSERT_TRUE(r2.ok) << label << ": rewritten file does not read: " << r2.error;
        EXPECT_EQ(r2.song.noteCount(), r.song.noteCount()) << label;
        EXPECT_EQ(r2.song.trackCount(), r.song.trackCount()) << label;
    } else {
        ASSERT_FALSE(r.error.empty()) << label;
        EXPECT_NE(r.error.find("byte " + std::to_string(r.errorOffset)), std::string::npos)
            << label << ": " << r.error;
        EXPECT_LE(r.errorOffset, input.size()) << label << ": " << r.error;
    }
}

} // namespace

TEST(MidiRobustness, EveryPrefixOfAValidFile) {
    const std::string file = richFile();
    ASSERT_TRUE(midi::readMidi(file).ok);
    ASSERT_GT(file.size(), 500u);
    // Chunk boundaries: a cut there leaves a shorter but well-formed file.
    std::vector<std::size_t> boundaries;
    for (std::size_t pos = 14; pos + 8 <= file.size();) {
        boundaries.push_back(pos);
        pos += 8 + (std::size_t(std::uint8_t(file[pos + 4])) << 24 |
                    std::size_t(std::uint8_t(file[pos + 5])) << 16 |
                    std::size_t(std::uint8_t(file[pos + 6])) << 8 | std::uint8_t(file[pos + 7]));
    }
    int loaded = 0;
    for (std::size_t n = 0; n <= file.size(); ++n) {
        ASSERT_NO_FATAL_FAILURE(checkOutcome(file.substr(0, n), "prefix " + std::to_string(n)));
        const midi::ReadResult r = midi::readMidi(file.substr(0, n));
        if (r.ok) {
            ++loaded;
            // A cut file says so, unless the cut fell exactly between chunks.
            const bool boundary =
                std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
            if (n < file.size() && !boundary && r.warnings.empty())
                ADD_FAILURE() << "prefix " << n << " loaded without a warning";
        }
    }
    // Everything from the first track chunk header on loads (policy: header + one MTrk).
    EXPECT_GT(loaded, int(file.size()) - 40);
}

TEST(MidiRobustness, EveryPrefixOfAWrappedAndSmpteFile) {
    const std::string file = smf::rmid(
        smf::file(1, smf::smpteDivision(29, 40),
                  {Track().tempo(0, 500000).end(), Track().on(0, 0, 60, 1).off(10, 0, 60).end()}));
    for (std::size_t n = 0; n <= file.size(); ++n)
        ASSERT_NO_FATAL_FAILURE(checkOutcome(file.substr(0, n), "prefix " + std::to_string(n)));
}

TEST(MidiRobustness, RandomByteFlips) {
    const std::string file = richFile();
    std::mt19937 rng(1234);
    int loaded = 0, failed = 0;
    for (int i = 0; i < 6000; ++i) {
        std::string damaged = file;
        const int flips = randomsong::uniform(rng, 1, 6);
        for (int k = 0; k < flips; ++k) {
            const auto at = std::size_t(randomsong::uniform(rng, 0, int(file.size()) - 1));
            damaged[at] = randomsong::chance(rng, 0.5)
                              ? char(randomsong::uniform(rng, 0, 255))
                              : char(damaged[at] ^ (1 << randomsong::uniform(rng, 0, 7)));
        }
        ASSERT_NO_FATAL_FAILURE(checkOutcome(damaged, "flip run " + std::to_string(i)));
        (midi::readMidi(damaged).ok ? loaded : failed)++;
    }
    // Both outcomes occur: the flips hit both fatal and recoverable places.
    EXPECT_GT(loaded, 100);
    EXPECT_GT(failed, 10);
}

TEST(MidiRobustness, RandomInsertionsDeletionsAndGarbage) {
    const std::string file = richFile();
    std::mt19937 rng(77);
    for (int i = 0; i < 2000; ++i) {
        std::string damaged = file;
        const auto at = std::size_t(randomsong::uniform(rng, 0, int(file.size()) - 1));
        if (randomsong::chance(rng, 0.5))
            damaged.erase(at, std::size_t(randomsong::uniform(rng, 1, 16)));
        else
            damaged.insert(at, randomsong::randomBytes(rng, 16));
        ASSERT_NO_FATAL_FAILURE(checkOutcome(damaged, "edit run " + std::to_string(i)));
    }
    for (int i = 0; i < 2000; ++i) {
        // Pure garbage after a valid header, and pure garbage.
        std::string garbage = randomsong::randomBytes(rng, 200);
        if (i % 2)
            garbage =
                smf::header(1, 2, 96) + "MTrk" + smf::be32(std::uint32_t(garbage.size())) + garbage;
        ASSERT_NO_FATAL_FAILURE(checkOutcome(garbage, "garbage run " + std::to_string(i)));
    }
}

TEST(MidiRobustness, ManyTinyTracksWithLyingLengthsStayFast) {
    // 10,000 track chunks, each claiming to run to the end of the file and holding one note that
    // is never switched off: per-track work must not scale with the file or the key space.
    // (Not more: Song::addNotes finds its track by a linear search, so the model itself is
    // quadratic in the number of tracks; reported to the model's owner.)
    const int tracks = 10000;
    std::string file = smf::header(1, tracks, 96);
    for (int i = 0; i < tracks; ++i)
        file += Track().on(0, i % 16, i % 128, 1).end(1).chunk(0x7FFFFFFF);
    const auto t0 = std::chrono::steady_clock::now();
    const midi::ReadResult r = midi::readMidi(file);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.song.trackCount(), std::size_t(tracks));
    EXPECT_EQ(r.song.noteCount(), std::size_t(tracks));
    EXPECT_EQ(r.song.trackAt(7).notes().front().length, 1);
    // Generous even for sanitizer builds; the quadratic versions took minutes.
    EXPECT_LT(seconds, 20.0);
}
