// Three playback behaviours a musician notices: recording from bar 1 gets a count-in bar before
// the song (the transport plays clicks in time the song does not have), the Speed box plays the
// song slower or faster without editing it (and a take recorded meanwhile still lands on the
// ticks heard), and switching the audio output or stopping it never makes the window wait.
//
// The first two run on the manual engine (the test calls the engine's process function, so time
// is exact); the last needs a running audio driver and uses a JACK server of the test's own
// (dummy driver, no sound card).
#include "../playback/JackServer.h"
#include "TestFiles.h"

#include "model/UndoStack.h"
#include "playback/LiveAudioOutput.h"
#include "playback/MidiMessage.h"
#include "playback/MidiPorts.h"
#include "playback/Transport.h"
#include "ui/playback/PlaybackController.h"
#include "ui/playback/TransportBar.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <thread>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

constexpr double kRate = 48000;
constexpr int kBlock = 480; // 10 ms
constexpr double kFrame = 1.0 / kRate;
constexpr int kAccent = 76; // the metronome's GM wood blocks on channel 10
constexpr int kClick = 77;

struct Sent {
    double seconds;
    playback::MidiMessage message;
};

struct CollectingSink final : playback::MidiSink {
    std::vector<Sent> sent;
    double clock = 0; // seconds of the block being processed
    void send(int offset, const playback::MidiMessage& m) override {
        sent.push_back({clock + offset / kRate, m});
    }
    std::vector<Sent> noteOns(int channel) const {
        std::vector<Sent> out;
        for (const Sent& s : sent)
            if (s.message.isNoteOn() && s.message.channel() == channel)
                out.push_back(s);
        return out;
    }
};

bool isClick(const playback::MidiMessage& m) {
    return (m.isNoteOn() || m.isNoteOff()) && m.channel() == 9 &&
           (m.bytes[1] == kAccent || m.bytes[1] == kClick);
}

// Advances the controller's engine by `seconds` of audio time, in 10 ms blocks.
void run(PlaybackController& c, CollectingSink& sink, double seconds) {
    const int blocks = int(seconds * kRate / kBlock + 0.5);
    for (int i = 0; i < blocks; ++i) {
        c.runEngine(kBlock, kRate, sink);
        sink.clock += kBlock / kRate;
    }
}

const model::Note* noteWithPitch(const model::Track& track, int pitch) {
    for (const auto& n : track.notes())
        if (n.pitch == pitch)
            return &n;
    return nullptr;
}

// Types `text` into a spin box and commits it with Return, as a user does.
void typeInto(QAbstractSpinBox* box, const QString& text) {
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
}

class RecordingAndSpeedTest : public ::testing::Test {
protected:
    void SetUp() override {
        QSettings().clear();
        song = makeSmallSong(); // 120 BPM, 4/4, 480 PPQ: 960 ticks a second, a bar is 2 s
        lead = song.trackIdAt(0);
        controller = std::make_unique<PlaybackController>(PlaybackController::Engine::Manual);
        controller->setSong(&song);
        controller->setUndoStack(&undo);
    }
    void TearDown() override {
        controller.reset();
        QSettings().clear();
    }

    model::Song song;
    model::UndoStack undo{song};
    model::TrackId lead = 0;
    std::unique_ptr<PlaybackController> controller;
};

} // namespace

// --- count-in from bar 1 -----------------------------------------------------------------------

TEST_F(RecordingAndSpeedTest, RecordingFromBarOneCountsInABarBeforeTheSong) {
    const std::size_t notesBefore = song.track(lead)->noteCount();
    CollectingSink sink;
    QString why;
    ASSERT_TRUE(controller->record(lead, 0, why)) << why.toStdString();
    ASSERT_TRUE(controller->isRecording());

    run(*controller, sink, 1.0); // half the count-in
    EXPECT_TRUE(controller->isCountingIn());
    EXPECT_NEAR(controller->playheadTick(), -960, 1); // a second before the song's start
    controller->feedInput(playback::MidiMessage::noteOn(0, 50, 90)); // too early: not taken
    controller->feedInput(playback::MidiMessage::noteOff(0, 50));
    run(*controller, sink, 0.95);
    controller->feedInput(playback::MidiMessage::noteOn(0, 71, 80)); // 50 ms early: clamped to 0
    run(*controller, sink, 0.05);
    EXPECT_FALSE(controller->isCountingIn());
    EXPECT_NEAR(controller->playheadTick(), 0, 1);
    controller->feedInput(playback::MidiMessage::noteOn(0, 72, 111)); // on the downbeat of bar 1
    run(*controller, sink, 0.25);
    controller->feedInput(playback::MidiMessage::noteOff(0, 72));
    controller->feedInput(playback::MidiMessage::noteOff(0, 71));
    EXPECT_NEAR(controller->playheadTick(), 240, 1);

    // The count-in: four clicks a beat apart, the first accented, all before anything of the
    // song; the song starts where the count-in ends.
    std::vector<Sent> countIn;
    double firstSongEvent = 1e9;
    for (const Sent& s : sink.sent) {
        if (isClick(s.message) && s.seconds < 2.0 - kFrame) {
            if (s.message.isNoteOn())
                countIn.push_back(s);
        } else {
            firstSongEvent = std::min(firstSongEvent, s.seconds);
        }
    }
    ASSERT_EQ(countIn.size(), 4u);
    for (std::size_t i = 0; i < countIn.size(); ++i) {
        EXPECT_NEAR(countIn[i].seconds, 0.5 * double(i), kFrame) << i;
        EXPECT_EQ(countIn[i].message.bytes[1], i == 0 ? kAccent : kClick) << i;
    }
    const auto countInOffs = std::count_if(sink.sent.begin(), sink.sent.end(), [](const Sent& s) {
        return isClick(s.message) && s.message.isNoteOff() && s.seconds < 2.0 - kFrame;
    });
    EXPECT_EQ(countInOffs, 4); // each click ends before the song begins
    EXPECT_NEAR(firstSongEvent, 2.0, kFrame);
    const auto lead0 = sink.noteOns(0);
    ASSERT_FALSE(lead0.empty());
    EXPECT_EQ(lead0.front().message.bytes[1], 60);
    EXPECT_NEAR(lead0.front().seconds, 2.0, kFrame);

    controller->stop();
    EXPECT_FALSE(controller->isRecording());
    EXPECT_FALSE(controller->metronome()); // restored
    EXPECT_EQ(undo.undoLabel(), "Record");
    const model::Track* track = song.track(lead);
    ASSERT_EQ(track->noteCount(), notesBefore + 2);
    EXPECT_EQ(noteWithPitch(*track, 50), nullptr);
    const model::Note* downbeat = noteWithPitch(*track, 72);
    ASSERT_TRUE(downbeat);
    EXPECT_EQ(downbeat->start, 0);
    EXPECT_EQ(downbeat->length, 240);
    EXPECT_EQ(downbeat->velocity, 111);
    const model::Note* early = noteWithPitch(*track, 71);
    ASSERT_TRUE(early);
    EXPECT_EQ(early->start, 0);
    EXPECT_EQ(early->length, 240); // from tick 0 to where it was let go
}

TEST_F(RecordingAndSpeedTest, RecordingFromALaterBarCountsInOverTheBarBefore) {
    CollectingSink sink;
    QString why;
    ASSERT_TRUE(controller->record(lead, 1920, why)) << why.toStdString();
    run(*controller, sink, 0.1);
    EXPECT_FALSE(controller->isCountingIn()); // the song has a bar to count in over
    EXPECT_NEAR(controller->playheadTick(), 96, 1);
    const auto lead0 = sink.noteOns(0);
    ASSERT_FALSE(lead0.empty());
    EXPECT_NEAR(lead0.front().seconds, 0.0, kFrame); // bar 1 is heard during the count-in
    run(*controller, sink, 1.9);
    controller->feedInput(playback::MidiMessage::noteOn(0, 72, 100));
    run(*controller, sink, 0.5);
    controller->feedInput(playback::MidiMessage::noteOff(0, 72));
    controller->stop();
    const model::Note* take = noteWithPitch(*song.track(lead), 72);
    ASSERT_TRUE(take);
    EXPECT_EQ(take->start, 1920);
    EXPECT_EQ(take->length, 480);
}

// A take goes on past the song's end (3 s here, clicks to bar 8 = 16 s): the clicks keep
// coming, extended as the playhead nears their end, and a note played at 70 s is kept.
TEST_F(RecordingAndSpeedTest, RecordingGoesOnPastTheSongsEnd) {
    CollectingSink sink;
    QString why;
    ASSERT_TRUE(controller->record(lead, 0, why)) << why.toStdString();
    auto play = [&](double seconds) { // in steps of a second, the position timer between
        for (double done = 0; done < seconds; done += 1.0) {
            run(*controller, sink, std::min(1.0, seconds - done));
            QTest::qWait(20);
        }
    };
    play(2.0 + 70.0); // count-in, then 70 s of song: 35 bars
    ASSERT_TRUE(controller->isRecording());
    controller->feedInput(playback::MidiMessage::noteOn(0, 74, 100));
    play(0.5);
    controller->feedInput(playback::MidiMessage::noteOff(0, 74));
    play(9.5);
    EXPECT_TRUE(controller->isRecording());
    const double lastClick = [&] {
        double last = 0;
        for (const Sent& s : sink.sent)
            if (isClick(s.message) && s.message.isNoteOn())
                last = s.seconds;
        return last;
    }();
    EXPECT_GT(lastClick, 2.0 + 79.0); // clicks still come at the song's 80th second
    controller->stop();
    EXPECT_FALSE(controller->isRecording());
    const model::Note* take = noteWithPitch(*song.track(lead), 74);
    ASSERT_TRUE(take);
    EXPECT_NEAR(double(take->start), 70.0 * 960, 10);
    EXPECT_NEAR(double(take->length), 480, 10);
    // Once the take is made the clicks end with bar 8 again.
    ASSERT_TRUE(controller->playingSnapshot());
    EXPECT_LE(controller->playingSnapshot()->lengthSeconds(), 16.5);
}

TEST_F(RecordingAndSpeedTest, TransportBarShowsTheCountInAndStopEndsIt) {
    TransportBar bar(controller.get(), nullptr);
    bar.setSong(&song, &undo);
    CollectingSink sink;
    QString why;
    ASSERT_TRUE(controller->record(lead, 0, why));
    run(*controller, sink, 0.6); // the second beat of four
    ASSERT_TRUE(waitUntil([&] { return bar.positionLabel()->text() == "Count-in 3"; }, 2000))
        << bar.positionLabel()->text().toStdString();
    controller->stop();
    run(*controller, sink, 0.1);
    EXPECT_FALSE(controller->isCountingIn());
    EXPECT_EQ(controller->playheadTick(), 0);
    // Every click that started also ended.
    const auto ons = std::count_if(sink.sent.begin(), sink.sent.end(), [](const Sent& s) {
        return isClick(s.message) && s.message.isNoteOn();
    });
    const auto offs = std::count_if(sink.sent.begin(), sink.sent.end(), [](const Sent& s) {
        return isClick(s.message) && s.message.isNoteOff();
    });
    EXPECT_EQ(ons, 2);
    EXPECT_EQ(offs, 2);
    ASSERT_TRUE(
        waitUntil([&] { return bar.positionLabel()->text() == "1:1:000   0:00.000"; }, 2000));
}

// --- speed ------------------------------------------------------------------------------------

TEST_F(RecordingAndSpeedTest, HalfSpeedFromTheSpeedBoxPlaysTheSameEventsAtTwiceTheFrames) {
    TransportBar bar(controller.get(), nullptr);
    bar.setSong(&song, &undo);
    QSpinBox* speed = bar.speedBox();
    ASSERT_TRUE(speed);
    EXPECT_EQ(speed->value(), 100);
    EXPECT_EQ(speed->text(), "100%");

    CollectingSink normal;
    controller->play();
    run(*controller, normal, 4.0);
    controller->stop();

    typeInto(speed, QStringLiteral("50"));
    EXPECT_EQ(controller->tempoScale(), 0.5);
    EXPECT_EQ(speed->text(), "50%");
    CollectingSink half;
    controller->play();
    run(*controller, half, 8.0);
    controller->stop();

    auto songEvents = [](const CollectingSink& s) {
        std::vector<Sent> out;
        for (const Sent& e : s.sent)
            if (e.message.isNoteOn() || e.message.isNoteOff())
                out.push_back(e);
        return out;
    };
    const auto a = songEvents(normal);
    const auto b = songEvents(half);
    ASSERT_EQ(a.size(), 18u); // the small song: 9 notes, each on and off
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(b[i].message.bytes[0], a[i].message.bytes[0]) << i;
        EXPECT_EQ(b[i].message.bytes[1], a[i].message.bytes[1]) << i;
        EXPECT_NEAR(b[i].seconds * kRate, 2 * a[i].seconds * kRate, 1.0) << i; // frames
    }
    EXPECT_TRUE(song.tempoMap() == makeSmallSong().tempoMap()); // the song is not edited
    EXPECT_FALSE(undo.canUndo());

    // The box follows the controller, and refuses what it does not offer.
    controller->setTempoScale(1.5);
    EXPECT_EQ(speed->value(), 150);
    typeInto(speed, QStringLiteral("20"));
    EXPECT_GE(controller->tempoScale(), 0.5);
}

TEST_F(RecordingAndSpeedTest, ATakeRecordedWhileScaledLandsOnTheTicksHeard) {
    TransportBar bar(controller.get(), nullptr);
    bar.setSong(&song, &undo);
    typeInto(bar.speedBox(), QStringLiteral("50"));
    ASSERT_EQ(controller->tempoScale(), 0.5);
    CollectingSink sink;
    QString why;
    ASSERT_TRUE(controller->record(lead, 0, why));
    run(*controller, sink, 4.0); // the count-in bar lasts twice as long at half speed
    EXPECT_NEAR(controller->playheadTick(), 0, 1);
    controller->feedInput(playback::MidiMessage::noteOn(0, 72, 100));
    run(*controller, sink, 1.0); // half a second of song: 480 ticks
    controller->feedInput(playback::MidiMessage::noteOff(0, 72));
    controller->feedInput(playback::MidiMessage::noteOn(0, 74, 100));
    EXPECT_NEAR(controller->playheadTick(), 480, 1);
    // Back to full speed while recording, from the box: the clock goes on at the new rate.
    typeInto(bar.speedBox(), QStringLiteral("100"));
    ASSERT_EQ(controller->tempoScale(), 1.0);
    run(*controller, sink, 0.5);
    controller->feedInput(playback::MidiMessage::noteOff(0, 74));
    controller->feedInput(playback::MidiMessage::noteOn(0, 76, 100));
    EXPECT_NEAR(controller->playheadTick(), 960, 1);
    run(*controller, sink, 0.25);
    controller->stop();
    const model::Track& track = *song.track(lead);
    const model::Note* first = noteWithPitch(track, 72);
    const model::Note* second = noteWithPitch(track, 74);
    const model::Note* third = noteWithPitch(track, 76);
    ASSERT_TRUE(first && second && third);
    EXPECT_EQ(first->start, 0);
    EXPECT_EQ(first->length, 480);
    EXPECT_EQ(second->start, 480);
    EXPECT_EQ(second->length, 480);
    EXPECT_EQ(third->start, 960);
    EXPECT_EQ(third->length, 240); // ended by stop()
}

// --- the GUI thread never waits for audio -------------------------------------------------------

namespace {

// Time this thread spent runnable but waiting for a CPU (the kernel's run_delay, the second
// field of /proc/thread-self/schedstat), in ns; 0 where the kernel does not keep it.
std::int64_t runQueueWaitNs() {
    std::ifstream in("/proc/thread-self/schedstat");
    std::int64_t onCpu = 0, waiting = 0;
    return in >> onCpu >> waiting ? waiting : 0;
}

// How long the calling (GUI) thread was held by what it called: wall time minus the time the
// scheduler kept it off a CPU. Under ctest -j2 on two cores another test can take the CPU for
// 15+ ms at any moment; that is load, not the code under test waiting.
class HeldTimer {
public:
    void restart() {
        m_wall.start();
        m_wait0 = runQueueWaitNs();
    }
    double ms() const {
        const double descheduled = double(runQueueWaitNs() - m_wait0);
        return std::max(0.0, double(m_wall.nsecsElapsed()) - descheduled) / 1e6;
    }

private:
    QElapsedTimer m_wall;
    std::int64_t m_wait0 = 0;
};

class OutputSwitchJackTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (playback::test::JackServer::jackdPath().empty())
            GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
        const auto drivers = playback::LiveAudioOutput::availableDrivers();
        if (std::find(drivers.begin(), drivers.end(), "jack") == drivers.end())
            GTEST_SKIP() << "this FluidSynth has no JACK driver";
        ASSERT_EQ(server.start(), "");
        QSettings().clear();
        QSettings().setValue(settings::kAudioDriver, QStringLiteral("jack"));
        song = makeSmallSong();
    }
    void TearDown() override {
        QSettings().clear();
        server.stop();
    }
    // Waits for the built-in synth to be up (through JACK).
    static bool waitForAudio(PlaybackController& c) {
        return waitUntil([&] { return !c.isStarting() && c.hasAudio(); }, 15000);
    }

    playback::test::JackServer server;
    model::Song song;
};

} // namespace

// The old stop() paused, slept 50 ms for the notes to ring out and closed the driver on the
// calling thread, and applySettings() also waited for a start still in progress: each of the
// measurements below was 50 ms or more (seconds for the pending start) before the teardown
// moved to the output's worker.
TEST_F(OutputSwitchJackTest, SwitchingTheAudioOutputDoesNotBlockTheGuiThread) {
    auto controller = std::make_unique<PlaybackController>(PlaybackController::Engine::Auto);
    controller->setSong(&song);
    controller->applySettings();
    ASSERT_TRUE(waitForAudio(*controller)) << controller->outputDescription().toStdString();
    controller->setLoop(true, 0, 1920);
    controller->play();
    ASSERT_TRUE(waitUntil([&] { return controller->playheadTick() > 200; }, 3000));

    // A driver switch while playing (the settings dialog calls applySettings()).
    HeldTimer timer;
    timer.restart();
    controller->applySettings();
    const double switchMs = timer.ms();
    EXPECT_FALSE(controller->hasAudio());
    ASSERT_TRUE(waitForAudio(*controller)) << controller->outputDescription().toStdString();
    controller->play();
    const double before = controller->playheadTick();
    ASSERT_TRUE(waitUntil([&] { return controller->playheadTick() != before; }, 3000))
        << "the new driver does not drive the transport";

    // Another switch while the previous start is still on the worker.
    controller->applySettings();
    timer.restart();
    controller->applySettings();
    const double pendingMs = timer.ms();
    ASSERT_TRUE(waitForAudio(*controller)) << controller->outputDescription().toStdString();

    // From the synth to a MIDI port: the port starts once the synth let go of the transport.
    playback::MidiPortInput synth; // stands in for an external synthesizer
    std::string error;
    ASSERT_TRUE(synth.openVirtual("gaps-synth", error, "jack")) << error;
    QSettings().setValue(settings::kMidiOut, QStringLiteral("gaps-synth"));
    controller->play();
    timer.restart();
    controller->applySettings();
    const double toPortMs = timer.ms();
    ASSERT_TRUE(waitUntil(
        [&] { return controller->outputDescription().startsWith(QStringLiteral("MIDI port")); },
        3000))
        << controller->outputDescription().toStdString();
    controller->play();
    int noteOns = 0;
    ASSERT_TRUE(waitUntil(
        [&] {
            playback::InputEvent e;
            while (synth.pop(e))
                noteOns += e.message.isNoteOn();
            return noteOns > 0;
        },
        3000));
    QSettings().remove(settings::kMidiOut);
    controller->applySettings(); // back to the synth, then the window closes
    ASSERT_TRUE(waitForAudio(*controller));
    controller->play();
    timer.restart();
    controller.reset();
    const double closeMs = timer.ms();
    synth.close();

    std::cout << "[ measure ] GUI thread held (wall time less run-queue wait): driver switch while "
                 "playing "
              << switchMs << " ms, switch during a pending start " << pendingMs
              << " ms, synth to MIDI port " << toPortMs << " ms; closing (joins the audio worker) "
              << closeMs << " ms\n";
    EXPECT_LT(switchMs, 10);
    EXPECT_LT(pendingMs, 10);
    EXPECT_LT(toPortMs, 10);
    EXPECT_LT(closeMs, 2000); // no deadlock, no ring-out pause
}
