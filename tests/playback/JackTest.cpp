// Through a real JACK server (jackd1, dummy driver, 48 kHz, 256-frame periods): a song played to
// a port arrives complete, in order and on time at another client; what a player sends is
// recorded with the right timing and echoed (thru); and hard edits, seeks and loops while playing
// never lose a note-off.
#include "JackReceiver.h"
#include "JackServer.h"
#include "TestSongs.h"
#include "playback/EventScheduler.h"
#include "playback/LiveAudioOutput.h"
#include "playback/MidiPorts.h"
#include "playback/MidiRecorder.h"
#include "playback/SoundFontLocator.h"
#include "playback/Transport.h"

#include <gtest/gtest.h>
#include <rtmidi/RtMidi.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <thread>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

// A song with a tempo change, 2 channels and program changes: ~4 s, 96 notes.
model::Song timingSong() {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, 500000);
    map.setTempo(3840, 375000); // 160 BPM from bar 3
    song.setTempoMap(map);
    std::vector<model::Note> a, b;
    for (int i = 0; i < 64; ++i)
        a.push_back(makeNote(model::Tick(i) * 120 + (i % 3) * 7, 90, 60 + (i * 5) % 24, 90));
    for (int i = 0; i < 32; ++i)
        b.push_back(makeNote(model::Tick(i) * 240 + 60, 200, 36 + (i % 12), 100, 1));
    addTrack(song, "lead", 0, 80, a);
    addTrack(song, "bass", 1, 33, b);
    return song;
}

struct TimingReport {
    double p50Ms = 0, p99Ms = 0, maxMs = 0;
};

// |error| after removing the median offset.
TimingReport timingErrors(const std::vector<double>& diffsMs) {
    std::vector<double> sorted = diffsMs;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    std::vector<double> err;
    for (double d : diffsMs)
        err.push_back(std::fabs(d - median));
    std::sort(err.begin(), err.end());
    TimingReport r;
    r.p50Ms = err[err.size() / 2];
    r.p99Ms = err[std::min(err.size() - 1, std::size_t(std::ceil(0.99 * double(err.size()))) - 1)];
    r.maxMs = err.back();
    return r;
}

class JackTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (JackServer::jackdPath().empty())
            GTEST_SKIP() << "jackd is not installed (apt-get install jackd1); JACK tests skipped";
        const std::string err = m_server.start();
        ASSERT_EQ(err, "") << err;
        ASSERT_EQ(preferredMidiApi(), "jack");
    }
    void TearDown() override { m_server.stop(); }
    JackServer m_server;
};

constexpr double kPeriodMs = 1000.0 * JackServer::kPeriod / JackServer::kRate;
// The test's jackd runs without real-time priority (--no-realtime) on a shared runner, so a
// period can come a few ms late whatever the sender does. Typical runs stay within one period;
// the bound allows two for the 1% tail, still far below what a scheduling bug gives (a wrong
// tempo or a block-sized burst is tens to hundreds of ms off).
constexpr double kJitterBoundMs = 2 * kPeriodMs;

struct NotePairing {
    int ons = 0;   // note-ons received
    int stuck = 0; // keys left sounding at the end
};

// Walks what `rx` received: each note-on must find its key silent and each note-off sounding
// (checked per message, so a failure names it).
NotePairing pairNotes(const Receiver& rx) {
    NotePairing result;
    std::map<int, int> sounding;
    for (int i = 0; i < rx.count(); ++i) {
        const MidiMessage& m = rx.at(i).message;
        const int key = m.channel() * 128 + m.bytes[1];
        if (m.isNoteOn()) {
            ++result.ons;
            EXPECT_EQ(sounding[key], 0) << "note-on over a sounding key at message " << i;
            ++sounding[key];
        } else if (m.isNoteOff()) {
            EXPECT_EQ(sounding[key], 1) << "unmatched note-off at message " << i;
            --sounding[key];
        }
    }
    for (const auto& [key, n] : sounding)
        result.stuck += n;
    return result;
}

} // namespace

TEST_F(JackTest, PortsListsJackPortsWithTheirApi) {
    Receiver rx;
    std::vector<std::string> notes;
    auto ports = listMidiPorts(&notes);
    bool found = false;
    for (const auto& p : ports)
        found = found || (!p.isInput && p.api == "jack" && p.name == rx.portName());
    EXPECT_TRUE(found) << "receiver port not listed";
}

TEST_F(JackTest, PlayedSongArrivesCompleteInOrderAndOnTime) {
    Receiver rx;
    model::Song song = timingSong();
    auto snap = PlaybackSnapshot::fromSong(song);

    // What should arrive, and when (song seconds): the scheduler run offline.
    EventScheduler reference;
    reference.setSnapshot(snap.get());
    reference.play();
    RecordingSink expected;
    while (!reference.finished()) {
        reference.process(256, 48000, 1.0, expected);
        expected.blockStart += 256;
    }

    Transport transport;
    transport.setSnapshot(snap);
    MidiPortOutput out;
    std::string err;
    ASSERT_TRUE(out.open(rx.portName(), err)) << err;
    EXPECT_EQ(out.api(), "jack");
    ASSERT_TRUE(transport.play());
    ASSERT_TRUE(out.start(&transport, err)) << err;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!transport.isFinished() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(transport.isFinished());
    out.close();
    rx.waitQuiet(100);

    // Everything, in order, then the 16 all-notes-off of closing.
    const int n = int(expected.sent.size());
    ASSERT_EQ(rx.count(), n + 16);
    for (int i = 0; i < n; ++i) {
        const auto& want = expected.sent[std::size_t(i)].message;
        const auto& got = rx.at(i).message;
        ASSERT_EQ(got.size, want.size) << "message " << i;
        for (int k = 0; k < want.size; ++k)
            ASSERT_EQ(got.bytes[k], want.bytes[k]) << "message " << i;
    }
    for (int i = n; i < n + 16; ++i)
        EXPECT_EQ(rx.at(i).message.bytes[1], 123);

    std::vector<double> diffs;
    for (int i = 0; i < n; ++i)
        diffs.push_back(double(rx.at(i).ns - rx.at(0).ns) / 1e6 -
                        double(expected.sent[std::size_t(i)].frame) * 1000.0 / 48000.0);
    TimingReport t = timingErrors(diffs);
    const SendStats s = out.stats();
    std::printf("[ jack out ] %d messages; arrival error vs song time: p50 %.3f ms, p99 %.3f ms, "
                "max %.3f ms (JACK period %.3f ms); sender lateness p50 %.0f us, p99 %.0f us, "
                "max %.0f us, real-time priority %s\n",
                n, t.p50Ms, t.p99Ms, t.maxMs, kPeriodMs, s.p50LateUs, s.p99LateUs, s.maxLateUs,
                s.realtimePriority ? "yes" : "no");
    EXPECT_LE(t.p50Ms, kPeriodMs);
    EXPECT_LE(t.p99Ms, kJitterBoundMs);
}

TEST_F(JackTest, RecordsInputWithTimingAndEchoesThru) {
    Receiver rx; // hears the thru
    // A "keyboard": another JACK client with an output port we open as our input.
    const std::string playerClient = "player-" + std::to_string(::getpid());
    RtMidiOut player(RtMidi::UNIX_JACK, playerClient);
    player.openVirtualPort("out");

    MidiPortOutput thruOut;
    std::string err;
    ASSERT_TRUE(thruOut.open(rx.portName(), err)) << err;
    ASSERT_TRUE(thruOut.start(nullptr, err)) << err;
    MidiPortInput in;
    ASSERT_TRUE(in.open(playerClient + ":out", err)) << err;
    EXPECT_EQ(in.api(), "jack");
    in.setThru(&thruOut);
    std::this_thread::sleep_for(std::chrono::milliseconds(100)); // connections settle

    model::TempoMap map(480); // 120 BPM: 1 ms = 0.96 ticks
    const std::int64_t origin = nowNs();
    MidiRecorder recorder(map, origin);
    // 40 notes, 50 ms apart, each 30 ms long, sent at known times.
    std::vector<std::int64_t> sentAt, sentOffAt;
    for (int i = 0; i < 40; ++i) {
        const std::int64_t on = origin + 100'000'000 + std::int64_t(i) * 50'000'000;
        std::this_thread::sleep_until(
            std::chrono::steady_clock::time_point(std::chrono::nanoseconds(on)));
        const unsigned char noteOn[3] = {0x90, static_cast<unsigned char>(48 + i % 24), 100};
        player.sendMessage(noteOn, 3);
        sentAt.push_back(nowNs());
        std::this_thread::sleep_until(
            std::chrono::steady_clock::time_point(std::chrono::nanoseconds(on + 30'000'000)));
        const unsigned char noteOff[3] = {0x80, static_cast<unsigned char>(48 + i % 24), 0};
        player.sendMessage(noteOff, 3);
        sentOffAt.push_back(nowNs());
        InputEvent e;
        while (in.pop(e))
            recorder.add(e);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    InputEvent e;
    while (in.pop(e))
        recorder.add(e);
    auto notes = recorder.finish(nowNs());
    in.close();
    thruOut.close();
    rx.waitQuiet(100);

    ASSERT_EQ(notes.size(), 40u);
    EXPECT_EQ(in.dropped(), 0u);
    std::vector<double> diffs;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        EXPECT_EQ(notes[i].pitch, 48 + int(i) % 24);
        const double recordedMs = map.tickToSeconds(notes[i].start) * 1000.0;
        diffs.push_back(recordedMs - double(sentAt[i] - origin) / 1e6);
        // Lengths against when the player really sent (its thread may wake late under load).
        const double sentLengthTicks = double(sentOffAt[i] - sentAt[i]) / 1e6 * 0.96;
        EXPECT_NEAR(double(notes[i].length), sentLengthTicks, 0.96 * kJitterBoundMs + 2);
    }
    TimingReport t = timingErrors(diffs);
    std::printf("[ jack in  ] 40 notes recorded; onset error p50 %.3f ms, p99 %.3f ms, max "
                "%.3f ms (tick rounding 1.04 ms at 120 BPM)\n",
                t.p50Ms, t.p99Ms, t.maxMs);
    EXPECT_LE(t.p50Ms, kPeriodMs + 1.05); // plus rounding to whole ticks
    EXPECT_LE(t.p99Ms, kJitterBoundMs + 1.05);

    // Thru: the receiver heard all 80 messages in order, then the closing all-notes-off.
    ASSERT_EQ(rx.count(), 80 + 16);
    for (int i = 0; i < 80; ++i)
        EXPECT_EQ(rx.at(i).message.bytes[1], 48 + (i / 2) % 24) << i;
}

TEST_F(JackTest, StressEditsSeeksAndLoopsNeverLoseANoteOff) {
    Receiver rx;
    model::Song song = timingSong();
    Transport transport;
    transport.setSnapshot(PlaybackSnapshot::fromSong(song));
    MidiPortOutput out;
    std::string err;
    ASSERT_TRUE(out.open(rx.portName(), err)) << err;
    ASSERT_TRUE(transport.play());
    ASSERT_TRUE(out.start(&transport, err)) << err;

    // The control thread hammers the engine for 3 s: edits (new snapshots), seeks, loops,
    // tempo changes, pauses; the playhead is read all along and must keep moving.
    std::mt19937 rng(1234);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int edits = 0, seeks = 0, loops = 0, refused = 0;
    double lastPos = -1;
    int posChanges = 0;
    while (std::chrono::steady_clock::now() < end) {
        switch (rng() % 6) {
        case 0: { // an edit: move, add or delete notes
            const model::TrackId id = song.trackIdAt(rng() % 2);
            const auto& notes = song.track(id)->notes();
            if (!notes.empty() && rng() % 2) {
                song.removeNotes(id, {notes[rng() % notes.size()].id});
            } else {
                song.addNotes(id, {makeNote(model::Tick(rng() % 7000), 30 + rng() % 900,
                                            40 + rng() % 40, 100, int(rng() % 2))});
            }
            transport.setSnapshot(PlaybackSnapshot::fromSong(song));
            ++edits;
            break;
        }
        case 1:
            refused += !transport.seek(double(rng() % 4000) / 1000.0);
            ++seeks;
            break;
        case 2: {
            const model::Tick a = model::Tick(rng() % 5000);
            refused += !transport.setLoop(rng() % 4 != 0, a, a + 60 + rng() % 2000);
            ++loops;
            break;
        }
        case 3:
            transport.setTempoScale(0.5 + double(rng() % 300) / 100.0);
            break;
        case 4:
            refused += !(rng() % 8 ? transport.play() : transport.pause());
            break;
        default:
            refused += !transport.play();
            break;
        }
        const double pos = transport.positionSeconds();
        posChanges += pos != lastPos;
        lastPos = pos;
        std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 1500));
    }
    transport.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    out.close();
    rx.waitQuiet(150);

    // Every note-on was followed by its note-off, on every channel and key.
    const NotePairing pairing = pairNotes(rx);
    const int ons = pairing.ons;
    EXPECT_EQ(pairing.stuck, 0);
    EXPECT_EQ(std::uint64_t(rx.count()), out.stats().sent + 16 /* closing all-notes-off */ - 0);
    std::printf("[ stress   ] 3 s: %d edits, %d seeks, %d loop changes, %d commands refused "
                "(ring full); %d note-ons, all matched; playhead moved %d times\n",
                edits, seeks, loops, refused, ons, posChanges);
    EXPECT_GT(ons, 50);
    EXPECT_GT(edits, 100);
    EXPECT_GT(posChanges, 100);
}

TEST_F(JackTest, LiveAudioThroughFluidSynthsJackDriver) {
    model::Song song = timingSong();
    Transport transport;
    transport.setSnapshot(PlaybackSnapshot::fromSong(song));
    LiveAudioOutput audio;
    LiveAudioOptions o;
    o.driver = "jack";
    std::string err;
    ASSERT_TRUE(audio.start(transport, o, err)) << err;
    EXPECT_EQ(audio.driver(), "jack");
    EXPECT_EQ(audio.sampleRate(), 48000);
    ASSERT_TRUE(transport.play());
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    EXPECT_GT(audio.callbacks(), 100u); // 187.5 periods a second
    EXPECT_GT(audio.takePeak(), 0.01f);
    EXPECT_NEAR(transport.positionSeconds(), 1.0, 0.35);

    // A broken SoundFont is refused and the current one keeps playing.
    const std::string before = audio.soundFont();
    EXPECT_FALSE(audio.setSoundFont("/etc/hostname", err));
    EXPECT_NE(err.find("/etc/hostname"), std::string::npos) << err;
    EXPECT_EQ(audio.soundFont(), before);
    audio.takePeak();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_GT(audio.takePeak(), 0.01f);
    // A good one replaces it without stopping.
    ASSERT_TRUE(audio.setSoundFont(before, err)) << err;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_GT(audio.takePeak(), 0.0f);
    audio.stop();
    EXPECT_FALSE(audio.isRunning());
}

namespace {

// What a SoundFont change reported, and on which thread; the test waits on `result`.
struct SoundFontOutcome {
    std::promise<std::string> promise;
    std::future<std::string> result = promise.get_future();
    std::atomic<bool> called{false};
    std::thread::id thread;
    LiveAudioOutput::SoundFontDone done() {
        return [this](const std::string& error) {
            thread = std::this_thread::get_id();
            called.store(true);
            promise.set_value(error);
        };
    }
    bool ready(int timeoutMs) {
        return result.wait_for(std::chrono::milliseconds(timeoutMs)) == std::future_status::ready;
    }
};

// Starts like a SoundFont (passes checkSoundFontFile) but is cut short: only FluidSynth's loader
// finds out, on the worker.
std::string writeTruncatedSoundFont() {
    const std::string path =
        ::testing::TempDir() + "truncated-" + std::to_string(::getpid()) + ".sf2";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return "";
    const char head[] = "RIFF\x40\x00\x00\x00sfbkLIST\x20\x00\x00\x00INFOifil";
    const bool ok = std::fwrite(head, 1, sizeof head - 1, f) == sizeof head - 1;
    return std::fclose(f) == 0 && ok ? path : "";
}

} // namespace

// The window's way to change the SoundFont: setSoundFontAsync() returns at once, even while the
// worker is busy, and `done` reports from the worker. A file only the loader can refuse is
// refused there and the old bank goes on playing; a good one plays afterwards.
TEST_F(JackTest, SoundFontChangeReturnsAtOnceAndReportsFromTheWorker) {
    const std::string truncated = writeTruncatedSoundFont();
    ASSERT_NE(truncated, "");
    ASSERT_EQ(checkSoundFontFile(truncated), ""); // so the load itself must fail
    model::Song song = timingSong();
    Transport transport;
    transport.setSnapshot(PlaybackSnapshot::fromSong(song));
    // Declared before the output, whose destructor joins the worker that answers into them.
    std::promise<void> gate;
    std::shared_future<void> gateOpen = gate.get_future().share();
    SoundFontOutcome broken, good;
    LiveAudioOutput audio;
    LiveAudioOptions o;
    o.driver = "jack";
    o.soundFont = "/usr/share/sounds/sf2/TimGM6mb.sf2";
    if (!std::filesystem::exists(o.soundFont))
        o.soundFont.clear(); // whatever SoundFontLocator finds
    std::string err;
    ASSERT_TRUE(audio.start(transport, o, err)) << err;
    const std::string before = audio.soundFont();
    ASSERT_TRUE(transport.play());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_GT(audio.takePeak(), 0.01f);

    // The worker is held up by the first answer (its `done` waits for the test): the second
    // request must still return at once, its answer waiting behind.
    std::string soundFontAtAnswer;
    audio.setSoundFontAsync(truncated, [&](const std::string& e) {
        gateOpen.wait();
        soundFontAtAnswer = audio.soundFont(); // the next job cannot have run yet
        broken.done()(e);
    });
    const std::string big = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
    const std::string next = std::filesystem::exists(big) ? big : before;
    const auto asked = std::chrono::steady_clock::now();
    audio.setSoundFontAsync(next, good.done());
    const auto callMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked).count();
    EXPECT_LT(callMs, 100.0);
    EXPECT_FALSE(broken.called.load());
    EXPECT_FALSE(good.called.load());
    gate.set_value();

    ASSERT_TRUE(broken.ready(10000));
    const std::string brokenError = broken.result.get();
    EXPECT_NE(brokenError, "");
    EXPECT_NE(brokenError.find(truncated), std::string::npos) << brokenError;
    EXPECT_NE(broken.thread, std::this_thread::get_id()); // on the worker
    EXPECT_EQ(soundFontAtAnswer, before);                 // the failure left the old bank in place
    ASSERT_TRUE(good.ready(30000));
    const std::string goodError = good.result.get();
    EXPECT_EQ(goodError, "");
    EXPECT_NE(good.thread, std::this_thread::get_id());
    const double loadMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked).count();
    std::printf("[ soundfont] setSoundFontAsync returned in %.2f ms; %s played after %.0f ms\n",
                callMs, next.c_str(), loadMs);
    EXPECT_EQ(audio.soundFont(), next);
    audio.resendPrograms(); // as the window does on its own thread
    audio.takePeak();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_GT(audio.takePeak(), 0.0f);
    audio.stop();
    EXPECT_FALSE(audio.isRunning());
    std::filesystem::remove(truncated);
}

// A refused load alone: the old bank keeps playing and stays the reported SoundFont.
TEST_F(JackTest, SoundFontThatFailsToLoadKeepsTheOldBankPlaying) {
    const std::string truncated = writeTruncatedSoundFont();
    ASSERT_NE(truncated, "");
    model::Song song = timingSong();
    Transport transport;
    transport.setSnapshot(PlaybackSnapshot::fromSong(song));
    SoundFontOutcome outcome;
    LiveAudioOutput audio;
    LiveAudioOptions o;
    o.driver = "jack";
    std::string err;
    ASSERT_TRUE(audio.start(transport, o, err)) << err;
    const std::string before = audio.soundFont();
    ASSERT_TRUE(transport.play());
    audio.setSoundFontAsync(truncated, outcome.done());
    ASSERT_TRUE(outcome.ready(10000));
    const std::string error = outcome.result.get();
    EXPECT_NE(error.find(truncated), std::string::npos) << error;
    EXPECT_EQ(audio.soundFont(), before);
    EXPECT_TRUE(audio.isRunning());
    audio.takePeak();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_GT(audio.takePeak(), 0.01f);
    audio.stop();
    std::filesystem::remove(truncated);
}

// Without a running synth there is nothing to wait for: `done` says so within the call.
TEST(LiveAudio, SoundFontChangeWithoutAudioSaysSoAtOnce) {
    LiveAudioOutput audio;
    SoundFontOutcome outcome;
    audio.setSoundFontAsync("/usr/share/sounds/sf2/TimGM6mb.sf2", outcome.done());
    ASSERT_TRUE(outcome.called.load());
    EXPECT_EQ(outcome.thread, std::this_thread::get_id());
    EXPECT_EQ(outcome.result.get(), "audio is not running");
    std::string err;
    EXPECT_FALSE(audio.setSoundFont("/usr/share/sounds/sf2/TimGM6mb.sf2", err));
    EXPECT_EQ(err, "audio is not running");
}

TEST(LiveAudio, NoWorkingDriverSaysSo) {
    Transport transport;
    LiveAudioOutput audio;
    LiveAudioOptions o;
    o.driver = "no-such-driver";
    std::string err;
    EXPECT_FALSE(audio.start(transport, o, err));
    EXPECT_NE(err.find("no-such-driver"), std::string::npos) << err;
    EXPECT_FALSE(audio.isRunning());
    // The transport is still usable without audio.
    EXPECT_TRUE(transport.play());
}
