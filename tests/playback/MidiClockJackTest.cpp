// MIDI clock out through a real JACK server: another client (RtMidi, not Torchestra's input)
// sees Start, 24 evenly spaced pulses a beat at the song's tempo, and Stop when playback pauses.
#include "JackReceiver.h"
#include "JackServer.h"
#include "TestSongs.h"
#include "playback/MidiPorts.h"
#include "playback/Transport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <thread>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

TEST(MidiClockJack, AFollowerGetsStartEvenPulsesAtTheTempoAndStop) {
    if (JackServer::jackdPath().empty())
        GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
    JackServer server;
    ASSERT_EQ(server.start(), "");
    Receiver follower(true);
    model::Song song; // 150 BPM: a pulse every 1/60 s
    model::TempoMap map(480);
    map.setTempo(0, 400000);
    song.setTempoMap(map);
    addTrack(song, "t", 0, -1, {makeNote(0, 480, 60), makeNote(1920, 480, 64)});
    Transport transport;
    transport.setSnapshot(PlaybackSnapshot::fromSong(song));
    MidiPortOutput port;
    std::string error;
    ASSERT_TRUE(port.open(follower.portName(), error, "jack")) << error;
    ASSERT_TRUE(port.start(&transport, error)) << error;
    // Once JACK's graph has the new connection (what a port sends in its first periods can go
    // before it does), the clock goes on: the follower is told where the song is.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    transport.setMidiClockOut(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(transport.play());
    std::this_thread::sleep_for(std::chrono::milliseconds(2000));
    ASSERT_TRUE(transport.pause());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const double playedTicks = transport.positionTick();
    port.close();
    follower.waitQuiet(100);

    const Receiver::Clock got = follower.clock();
    // Told where the song is (stopped at 0), started, stopped.
    EXPECT_EQ(got.statuses, (std::vector<int>{MidiMessage::kSongPosition, MidiMessage::kStart,
                                              MidiMessage::kStop}));
    // A pulse every 20 ticks of what played, the one at tick 0 included.
    EXPECT_NEAR(double(got.pulseNs.size()), std::floor(playedTicks / 20) + 1, 1.0);
    ASSERT_GT(got.pulseNs.size(), 100u);
    // Even: each pulse within two JACK periods of a 1/60 s grid through the first one (after
    // taking out the median offset, as JackTest measures notes).
    const double periodNs = 1e9 / 60;
    std::vector<double> offsets;
    for (std::size_t i = 0; i < got.pulseNs.size(); ++i)
        offsets.push_back(double(got.pulseNs[i] - got.pulseNs[0]) - double(i) * periodNs);
    std::vector<double> sorted = offsets;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    std::vector<double> errorsMs;
    for (double o : offsets)
        errorsMs.push_back(std::fabs(o - median) / 1e6);
    std::sort(errorsMs.begin(), errorsMs.end());
    const double jackPeriodMs = 1000.0 * JackServer::kPeriod / JackServer::kRate;
    const double p99 = errorsMs[std::size_t(double(errorsMs.size()) * 0.99) - 1];
    std::cout << "[ clock   ] " << got.pulseNs.size() << " pulses; |error| median "
              << errorsMs[errorsMs.size() / 2] << " ms, p99 " << p99 << " ms\n";
    EXPECT_LE(p99, 2 * jackPeriodMs);
    // The tempo a follower derives from the pulses: 150 BPM.
    const double seconds = double(got.pulseNs.back() - got.pulseNs.front()) / 1e9;
    const double bpm = double(got.pulseNs.size() - 1) / 24 / seconds * 60;
    EXPECT_NEAR(bpm, 150, 1.5);
}
