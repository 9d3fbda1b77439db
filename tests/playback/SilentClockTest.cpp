// The silent clock drives a Transport in real time when no output works: the playhead moves
// while playing, no faster than the wall clock, stands while paused and stops with the clock.
#include "playback/SilentClock.h"
#include "TestSongs.h"
#include "playback/Transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

using Clock = std::chrono::steady_clock;

// A minute of song, so the Transport does not reach the end while a test runs.
SnapshotPtr longSong() {
    model::Song song; // 120 BPM: a minute is 120 beats
    addTrack(song, "t", 0, -1, {makeNote(0, 480, 60), makeNote(120 * 480, 480, 62)});
    return PlaybackSnapshot::fromSong(song);
}

// Waits (up to a few seconds, the machine may be busy) until the playhead passes `seconds`.
bool waitForPosition(const Transport& t, double seconds) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
        if (t.positionSeconds() >= seconds)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

} // namespace

TEST(SilentClock, AdvancesThePlayheadNoFasterThanTheWallClock) {
    Transport t;
    t.setSnapshot(longSong());
    ASSERT_TRUE(t.play());
    const auto started = Clock::now();
    auto clock = std::make_unique<SilentClock>(t);
    ASSERT_TRUE(waitForPosition(t, 0.2));
    const double wall = std::chrono::duration<double>(Clock::now() - started).count();
    EXPECT_LE(t.positionSeconds(), wall + 1e-3);
    EXPECT_TRUE(t.isPlaying());

    clock.reset(); // joins the thread: the playhead stands from here
    const double stopped = t.positionSeconds();
    EXPECT_NEAR(t.positionTick(), stopped * 960, 1e-6); // 120 BPM at 480 PPQ
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(t.positionSeconds(), stopped);
}

TEST(SilentClock, APausedTransportStands) {
    Transport t;
    t.setSnapshot(longSong());
    ASSERT_TRUE(t.play());
    SilentClock clock(t);
    ASSERT_TRUE(waitForPosition(t, 0.05));
    ASSERT_TRUE(t.pause());
    // The clock's next block takes the pause; then the playhead no longer moves.
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (t.isPlaying() && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_FALSE(t.isPlaying());
    const double paused = t.positionSeconds();
    EXPECT_GE(paused, 0.05);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(t.positionSeconds(), paused);
}
