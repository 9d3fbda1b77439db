// Playback through a JACK server of the test's own (dummy driver): recording from a MIDI
// keyboard after a count-in, and playing to a chosen MIDI output port.
#include "../playback/JackReceiver.h"
#include "../playback/JackServer.h"
#include "TestFiles.h"

#include "model/UndoStack.h"
#include "playback/MidiMessage.h"
#include "playback/MidiPorts.h"
#include "ui/playback/PlaybackController.h"
#include "ui/shell/SettingsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

// Plays until the playhead passes `tick` (within 5 s), stops, and returns every message `port`
// received meanwhile; `reached` says whether the playhead got there.
std::vector<playback::MidiMessage> playPast(PlaybackController& controller,
                                            playback::MidiPortInput& port, model::Tick tick,
                                            bool& reached) {
    controller.play();
    std::vector<playback::MidiMessage> got;
    auto drain = [&] {
        playback::InputEvent e;
        while (port.pop(e))
            got.push_back(e.message);
    };
    reached = waitUntil(
        [&] {
            drain();
            return controller.playheadTick() > tick;
        },
        5000);
    controller.stop();
    QTest::qWait(100);
    drain();
    return got;
}

} // namespace

// Recording from a MIDI keyboard, end to end through a JACK server of the test's own (dummy
// driver): a virtual output port plays the "keyboard", the controller opens it as its input
// (the setting a user picks), counts in one bar and records into the track; the take is one
// undo step. The built-in synth plays through JACK meanwhile (or the silent clock when
// FluidSynth's JACK driver is not there).
TEST(PlaybackJackTest, RecordsFromAMidiKeyboardAfterACountIn) {
    playback::test::JackServer server;
    if (playback::test::JackServer::jackdPath().empty())
        GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
    const std::string up = server.start();
    ASSERT_EQ(up, "");
    QSettings().clear();
    playback::MidiPortOutput keyboard;
    std::string error;
    ASSERT_TRUE(keyboard.openVirtual("test-keyboard", error, "jack")) << error;
    ASSERT_TRUE(keyboard.start(nullptr, error)) << error;
    QSettings().setValue(settings::kMidiIn, QStringLiteral("test-keyboard"));

    model::Song song = makeSmallSong();
    model::TempoMap map = song.tempoMap();
    map.setTempo(0, 250000); // 240 BPM: a 4/4 bar lasts one second, 1920 ticks a second
    song.setTempoMap(map);
    model::UndoStack undo(song);
    PlaybackController controller(PlaybackController::Engine::Auto);
    controller.setSong(&song);
    controller.setUndoStack(&undo);
    controller.applySettings();
    ASSERT_TRUE(waitUntil([&] { return !controller.isStarting(); }, 15000));
    ASSERT_TRUE(controller.hasMidiInput()) << controller.outputDescription().toStdString();
    std::cout << "[ output  ] " << controller.outputDescription().toStdString() << "\n";

    const model::TrackId lead = song.trackIdAt(0);
    const std::size_t notesBefore = song.track(lead)->noteCount();
    QString why;
    QElapsedTimer sinceRecord;
    sinceRecord.start();
    ASSERT_TRUE(controller.record(lead, 1920, why)) << why.toStdString();
    EXPECT_TRUE(controller.isRecording());
    EXPECT_TRUE(controller.metronome()); // the count-in clicks
    // Played during the count-in: too early, not part of the take.
    ASSERT_TRUE(waitUntil([&] { return controller.playheadTick() > 600; }, 3000));
    keyboard.pushThru(playback::MidiMessage::noteOn(0, 50, 90));
    keyboard.pushThru(playback::MidiMessage::noteOff(0, 50));
    ASSERT_TRUE(waitUntil([&] { return controller.playheadTick() >= 1920; }, 3000));
    std::cout << "[ timing  ] count-in took " << sinceRecord.elapsed() << " ms, playhead at "
              << controller.playheadTick() << "\n";
    // Where the engine is as the key goes down, and how long it is held, by the clocks the
    // test sees (a loaded machine may run this thread late; the take must follow the keys).
    const double sentAt = controller.playheadTick();
    QElapsedTimer held;
    held.start();
    keyboard.pushThru(playback::MidiMessage::noteOn(0, 72, 111));
    QTest::qWait(250);
    const double heldTicks = double(held.elapsed()) * 1.92; // 1920 ticks a second
    keyboard.pushThru(playback::MidiMessage::noteOff(0, 72));
    QTest::qWait(100);
    controller.stop();
    EXPECT_FALSE(controller.isRecording());
    EXPECT_FALSE(controller.metronome()); // restored
    EXPECT_EQ(undo.undoLabel(), "Record");
    const model::Track* track = song.track(lead);
    ASSERT_EQ(track->noteCount(), notesBefore + 1);
    const model::Note* take = nullptr;
    for (const auto& n : track->notes())
        if (n.pitch == 72)
            take = &n;
    ASSERT_TRUE(take);
    EXPECT_EQ(take->velocity, 111);
    EXPECT_EQ(take->channel, track->properties.channel);
    // Within ~30 ms (JACK periods, the sender's millisecond) of where it was played, after
    // the count-in's bar.
    EXPECT_GE(take->start, 1920 - 20);
    EXPECT_NEAR(double(take->start), sentAt, 60);
    EXPECT_NEAR(double(take->length), heldTicks, 60);
    undo.undo();
    EXPECT_EQ(song.track(lead)->noteCount(), notesBefore);
    keyboard.close();
    QSettings().clear();
}

// A MIDI output port instead of the built-in synth: the song arrives at another JACK client.
TEST(PlaybackJackTest, PlaysToTheChosenMidiOutputPort) {
    playback::test::JackServer server;
    if (playback::test::JackServer::jackdPath().empty())
        GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
    ASSERT_EQ(server.start(), "");
    QSettings().clear();
    playback::MidiPortInput synth; // stands in for an external synthesizer
    std::string error;
    ASSERT_TRUE(synth.openVirtual("test-synth", error, "jack")) << error;
    QSettings().setValue(settings::kMidiOut, QStringLiteral("test-synth"));

    model::Song song = makeSmallSong();
    PlaybackController controller(PlaybackController::Engine::Auto);
    controller.setSong(&song);
    QSignalSpy outputs(&controller, &PlaybackController::outputChanged);
    controller.applySettings();
    // The port opens on the output's port worker: meanwhile the window says so.
    EXPECT_TRUE(controller.isStarting());
    EXPECT_TRUE(controller.outputDescription().startsWith(QStringLiteral("opening MIDI port")))
        << controller.outputDescription().toStdString();
    ASSERT_TRUE(waitUntil([&] { return !controller.isStarting(); }, 5000));
    ASSERT_GE(outputs.count(), 2);
    EXPECT_TRUE(controller.outputDescription().startsWith(QStringLiteral("MIDI port")))
        << controller.outputDescription().toStdString();
    bool reached = false;
    const std::vector<playback::MidiMessage> got = playPast(controller, synth, 2400, reached);
    ASSERT_TRUE(reached);
    auto count = [&](int status, int data1) {
        return std::count_if(got.begin(), got.end(), [&](const playback::MidiMessage& m) {
            return m.isNoteOn() && m.status() == status && m.bytes[1] == data1;
        });
    };
    EXPECT_EQ(count(0x90, 60), 1); // the lead's notes up to tick 2400
    EXPECT_EQ(count(0x90, 64), 1);
    EXPECT_EQ(count(0x90, 67), 1);
    EXPECT_GE(count(0x99, 36), 2); // and the drums
    const bool allNotesOff = std::any_of(got.begin(), got.end(), [](const auto& m) {
        return m.type() == 0xB0 && m.bytes[1] == 123;
    });
    EXPECT_TRUE(allNotesOff); // stop silences the port
    synth.close();
    QSettings().clear();
}

// The virtual output port "Torchestra" (Settings: MIDI output): a DAW connects to it and
// records what plays; here another JACK client does.
TEST(PlaybackJackTest, PlaysToItsOwnVirtualPortForADawToRecord) {
    playback::test::JackServer server;
    if (playback::test::JackServer::jackdPath().empty())
        GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
    ASSERT_EQ(server.start(), "");
    QSettings().clear();
    QSettings().setValue(settings::kMidiOut, QString::fromLatin1(settings::kVirtualMidiOut));
    model::Song song = makeSmallSong();
    PlaybackController controller(PlaybackController::Engine::Auto);
    controller.setSong(&song);
    controller.applySettings();
    ASSERT_TRUE(waitUntil([&] { return !controller.isStarting(); }, 5000));
    EXPECT_TRUE(controller.outputDescription().contains(QStringLiteral("virtual")))
        << controller.outputDescription().toStdString();
    playback::MidiPortInput daw; // connects to the port, as a DAW's MIDI track would
    std::string error;
    ASSERT_TRUE(daw.open(settings::kVirtualPortName, error, "jack")) << error;
    bool reached = false;
    const std::vector<playback::MidiMessage> got = playPast(controller, daw, 2400, reached);
    ASSERT_TRUE(reached);
    const auto noteOns = std::count_if(got.begin(), got.end(), [](const playback::MidiMessage& m) {
        return m.isNoteOn() && m.status() == 0x90 && m.bytes[1] == 64;
    });
    EXPECT_EQ(noteOns, 1) << got.size() << " messages";
    daw.close();
    QSettings().clear();
}

// Settings › MIDI output › Send MIDI clock, as a user turns it on for a drum machine on a port:
// the drum machine gets Start, 24 pulses a beat and Stop with playback, and the pointer back to
// the start after Stop. The box means nothing for the built-in synth, so it is greyed there.
TEST(PlaybackJackTest, SendsMidiClockToTheOutputPortWhenSettingsSaySo) {
    playback::test::JackServer server;
    if (playback::test::JackServer::jackdPath().empty())
        GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
    ASSERT_EQ(server.start(), "");
    QSettings().clear();
    playback::test::Receiver drumMachine(true);
    model::Song song = makeSmallSong();
    PlaybackController controller(PlaybackController::Engine::Auto);
    controller.setSong(&song);
    {
        SettingsDialog dialog(&controller);
        QCheckBox* clock = dialog.midiClockBox();
        ASSERT_TRUE(clock);
        EXPECT_FALSE(clock->isEnabled()); // the built-in synth is chosen
        const int port =
            dialog.midiOutBox()->findData(QString::fromStdString(drumMachine.portName()));
        ASSERT_GE(port, 0) << "the drum machine's port is not listed";
        dialog.midiOutBox()->setCurrentIndex(port);
        EXPECT_TRUE(clock->isEnabled());
        clock->click();
        dialog.accept();
    }
    ASSERT_TRUE(waitUntil(
        [&] { return controller.outputDescription().startsWith(QStringLiteral("MIDI port")); },
        5000))
        << controller.outputDescription().toStdString();
    EXPECT_TRUE(controller.outputDescription().contains(QStringLiteral("MIDI clock")));
    controller.play();
    ASSERT_TRUE(waitUntil([&] { return controller.playheadTick() > 1920; }, 5000));
    controller.stop();
    QTest::qWait(100);
    drumMachine.waitQuiet(100);
    playback::test::Receiver::Clock got = drumMachine.clock();
    std::vector<int>& statuses = got.statuses;
    using playback::MidiMessage;
    // The pointer the port sends as it opens may go out before JACK's graph has the new
    // connection (seen once in a few runs): only what follows is certain to arrive.
    if (!statuses.empty() && statuses.front() == MidiMessage::kSongPosition)
        statuses.erase(statuses.begin());
    EXPECT_EQ(statuses, (std::vector<int>{MidiMessage::kStart, MidiMessage::kStop,
                                          MidiMessage::kSongPosition}));
    // A bar's worth at least (480 PPQ: a pulse every 20 ticks).
    EXPECT_GE(got.pulseNs.size(), 1920u / 20);
    QSettings().clear();
}
