// The workstation's playback wiring: the controller's snapshots (mute/solo, metronome), the
// transport driven offline (Engine::Manual: the test calls the engine's process function, so
// time is exact and nothing depends on a sound card), edits reaching a looping transport,
// audition, the transport bar, track list edits as undoable commands that change what plays,
// the settings dialog, and the window without any audio device.
#include "../playback/JackServer.h"
#include "DemoSong.h"
#include "TestFiles.h"

#include "model/EditCommands.h"
#include "playback/MidiMessage.h"
#include "playback/MidiPorts.h"
#include "playback/Transport.h"
#include "ui/shell/MainWindow.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"
#include "ui/shell/SettingsDialog.h"
#include "project/TrackCommands.h"
#include "ui/tracks/TrackListModel.h"
#include "ui/playback/TransportBar.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <iostream>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

constexpr double kRate = 48000;
constexpr int kBlock = 480; // 10 ms

struct RecordingSink final : playback::MidiSink {
    struct Sent {
        double seconds;
        playback::MidiMessage message;
    };
    std::vector<Sent> sent;
    double clock = 0; // seconds of the block being processed
    void send(int offset, const playback::MidiMessage& m) override {
        sent.push_back({clock + offset / kRate, m});
    }
    int noteOns(int pitch, int channel = -1) const {
        return int(std::count_if(sent.begin(), sent.end(), [&](const Sent& s) {
            return s.message.isNoteOn() && s.message.bytes[1] == pitch &&
                   (channel < 0 || s.message.channel() == channel);
        }));
    }
    int noteOnsOnChannel(int channel) const {
        return int(std::count_if(sent.begin(), sent.end(), [&](const Sent& s) {
            return s.message.isNoteOn() && s.message.channel() == channel;
        }));
    }
};

// Advances the controller's engine by `seconds` of audio time, in 10 ms blocks.
void run(PlaybackController& c, RecordingSink& sink, double seconds) {
    const int blocks = int(seconds * kRate / kBlock + 0.5);
    for (int i = 0; i < blocks; ++i) {
        c.runEngine(kBlock, kRate, sink);
        sink.clock += kBlock / kRate;
    }
}

int noteOnsInSnapshot(const playback::PlaybackSnapshot& s, int channel, int pitch = -1) {
    int n = 0;
    for (const auto& e : s.events())
        n += e.isNoteOn() && (e.status & 0x0F) == channel && (pitch < 0 || e.data1 == pitch);
    return n;
}

bool hasEvent(const playback::PlaybackSnapshot& s, std::uint8_t status, int data1, int data2 = -1) {
    for (const auto& e : s.events())
        if (e.status == status && e.data1 == data1 && (data2 < 0 || e.data2 == data2))
            return true;
    return false;
}

class PlaybackTest : public ::testing::Test {
protected:
    void SetUp() override {
        QSettings().clear();
        song = makeSmallSong();
        lead = song.trackIdAt(0);
        drums = song.trackIdAt(1);
        controller = std::make_unique<PlaybackController>(PlaybackController::Engine::Manual);
        controller->setSong(&song);
        controller->setUndoStack(&undo);
    }
    void TearDown() override {
        controller.reset();
        QSettings().clear();
    }
    void setProperties(model::TrackId id, bool muted, bool solo) {
        model::TrackProperties p = song.track(id)->properties;
        p.muted = muted;
        p.solo = solo;
        undo.push(std::make_unique<model::SetTrackPropertiesCommand>(id, p));
        controller->flushRebuild();
    }

    model::Song song;
    model::UndoStack undo{song};
    model::TrackId lead = 0, drums = 0;
    std::unique_ptr<PlaybackController> controller;
};

} // namespace

TEST_F(PlaybackTest, SnapshotAppliesMuteAndSolo) {
    auto snap = controller->songSnapshot();
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->noteCount(), 9u);
    EXPECT_EQ(noteOnsInSnapshot(*snap, 0), 3);
    EXPECT_EQ(noteOnsInSnapshot(*snap, 9), 6);
    EXPECT_EQ(controller->playingSnapshot(), snap); // published to the transport

    setProperties(lead, true, false); // mute the lead
    snap = controller->songSnapshot();
    EXPECT_EQ(noteOnsInSnapshot(*snap, 0), 0);
    EXPECT_EQ(noteOnsInSnapshot(*snap, 9), 6);
    EXPECT_EQ(controller->playingSnapshot(), snap);

    setProperties(lead, false, false);
    setProperties(drums, false, true); // solo the drums: only they play
    snap = controller->songSnapshot();
    EXPECT_EQ(noteOnsInSnapshot(*snap, 0), 0);
    EXPECT_EQ(noteOnsInSnapshot(*snap, 9), 6);
    setProperties(lead, true, true); // a soloed track plays even when muted
    snap = controller->songSnapshot();
    EXPECT_EQ(noteOnsInSnapshot(*snap, 0), 3);

    undo.undo();
    undo.undo();
    controller->flushRebuild();
    EXPECT_EQ(noteOnsInSnapshot(*controller->songSnapshot(), 0), 3);
    EXPECT_EQ(noteOnsInSnapshot(*controller->songSnapshot(), 9), 6);
}

TEST_F(PlaybackTest, EditsAreGatheredIntoOneRebuildPerEventLoopPass) {
    const auto before = controller->rebuildCount();
    for (int i = 0; i < 20; ++i) // a drag: many small changes in one pass
        undo.push(std::make_unique<model::AddNotesCommand>(
            lead, std::vector<model::Note>{makeNote(4000 + i * 10, 10, 70, 90)}));
    EXPECT_EQ(controller->rebuildCount(), before);
    QCoreApplication::processEvents();
    EXPECT_EQ(controller->rebuildCount(), before + 1);
    EXPECT_EQ(noteOnsInSnapshot(*controller->songSnapshot(), 0, 70), 20);
}

TEST_F(PlaybackTest, MetronomeAddsAccentedClicksOnChannel10WhileEnabled) {
    EXPECT_EQ(noteOnsInSnapshot(*controller->songSnapshot(), 9, 76), 0);
    controller->setMetronome(true);
    auto snap = controller->songSnapshot();
    // 4/4 at 480 PPQ: the accent on each bar, the plain click on the other beats.
    bool accentAt0 = false, clickAt480 = false;
    for (const auto& e : snap->events()) {
        if (e.isNoteOn() && e.tick == 0 && e.data1 == 76 && (e.status & 0x0F) == 9)
            accentAt0 = true;
        if (e.isNoteOn() && e.tick == 480 && e.data1 == 77 && (e.status & 0x0F) == 9)
            clickAt480 = true;
    }
    EXPECT_TRUE(accentAt0);
    EXPECT_TRUE(clickAt480);
    EXPECT_GE(noteOnsInSnapshot(*snap, 9, 76), 8); // at least 8 bars of clicks
    setProperties(lead, false, true);              // solo keeps the click
    EXPECT_GT(noteOnsInSnapshot(*controller->songSnapshot(), 9, 76), 0);
    EXPECT_EQ(noteOnsInSnapshot(*controller->songSnapshot(), 9, 36), 0); // drums are not soloed
    controller->setMetronome(false);
    EXPECT_EQ(noteOnsInSnapshot(*controller->songSnapshot(), 9, 76), 0);
}

TEST_F(PlaybackTest, PlayPauseStopSeekAndLoopDriveTheTransportAndThePlayhead) {
    RecordingSink sink;
    QSignalSpy playing(controller.get(), &PlaybackController::playingChanged);
    controller->play();
    EXPECT_TRUE(controller->isPlaying());
    ASSERT_EQ(playing.count(), 1);
    run(*controller, sink, 0.5);
    EXPECT_TRUE(controller->transport().isPlaying());
    // 120 BPM, 480 PPQ: 960 ticks a second.
    EXPECT_NEAR(controller->playheadTick(), 480, 10);
    EXPECT_EQ(sink.noteOns(60, 0), 1);

    controller->pause();
    run(*controller, sink, 0.2);
    EXPECT_FALSE(controller->transport().isPlaying());
    EXPECT_NEAR(controller->playheadTick(), 480, 10); // stays put

    controller->seekTick(1920);
    controller->play();
    run(*controller, sink, 0.1);
    EXPECT_NEAR(controller->playheadTick(), 1920 + 96, 10);
    EXPECT_EQ(sink.noteOns(67, 0), 1);

    controller->stop();
    run(*controller, sink, 0.1);
    EXPECT_FALSE(controller->transport().isPlaying());
    EXPECT_EQ(controller->playheadTick(), 0);

    // Loop the first beat: the playhead never leaves it, the first note comes round again.
    sink.sent.clear();
    controller->setLoop(true, 0, 480);
    controller->play();
    run(*controller, sink, 2.0);
    EXPECT_LT(controller->playheadTick(), 480);
    EXPECT_GE(sink.noteOns(60, 0), 3);
    EXPECT_EQ(sink.noteOns(64, 0), 0);
    controller->setLoop(false, 0, 480);
    controller->stop();
}

TEST_F(PlaybackTest, PlayheadSignalFollowsTheEngine) {
    RecordingSink sink;
    QSignalSpy moved(controller.get(), &PlaybackController::positionChanged);
    controller->play();
    run(*controller, sink, 0.25);
    ASSERT_TRUE(waitUntil([&] { return moved.count() > 0; }, 1000));
    EXPECT_NEAR(moved.last().at(0).toDouble(), 240, 10);
}

TEST_F(PlaybackTest, AnEditDuringLoopPlaybackIsHeardAtTheNextPass) {
    RecordingSink sink;
    controller->setLoop(true, 0, 1920); // two seconds
    controller->play();
    run(*controller, sink, 1.5); // past tick 960 of the first pass
    ASSERT_EQ(sink.noteOns(90), 0);
    undo.push(std::make_unique<model::AddNotesCommand>(
        lead, std::vector<model::Note>{makeNote(960, 240, 90, 100)}));
    QCoreApplication::processEvents(); // the 0 ms rebuild timer
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 0, 90), 1);
    run(*controller, sink, 1.6); // into the second pass, past tick 960
    EXPECT_EQ(sink.noteOns(90, 0), 1);
    // And a deletion stops it from sounding on the pass after.
    undo.undo();
    QCoreApplication::processEvents();
    run(*controller, sink, 2.0);
    EXPECT_EQ(sink.noteOns(90, 0), 1);
}

TEST_F(PlaybackTest, AuditionPlaysTheGivenSongNotTheWindows) {
    model::Song variation;
    const model::TrackId t = variation.addTrack(model::Track());
    variation.addNotes(t, {makeNote(0, 240, 100, 100, 3), makeNote(480, 240, 101, 100, 3)});
    RecordingSink sink;
    QSignalSpy auditions(controller.get(), &PlaybackController::auditionChanged);
    controller->audition(variation, 0, 960, true);
    EXPECT_TRUE(controller->isAuditioning());
    run(*controller, sink, 2.5); // 2.5 passes of the one-second loop
    EXPECT_EQ(sink.noteOns(100, 3), 3);
    EXPECT_EQ(sink.noteOns(101, 3), 2);
    EXPECT_EQ(sink.noteOnsOnChannel(0), 0); // nothing of the window's song
    EXPECT_EQ(sink.noteOnsOnChannel(9), 0);
    // An edit of the window's song meanwhile does not replace the audition.
    undo.push(std::make_unique<model::AddNotesCommand>(
        lead, std::vector<model::Note>{makeNote(0, 240, 50, 100)}));
    QCoreApplication::processEvents();
    run(*controller, sink, 1.0);
    EXPECT_EQ(sink.noteOns(50), 0);

    // play() goes back to the window's song.
    controller->play();
    EXPECT_FALSE(controller->isAuditioning());
    EXPECT_EQ(controller->playingSnapshot(), controller->songSnapshot());
    ASSERT_GE(auditions.count(), 2);
    EXPECT_FALSE(auditions.last().at(0).toBool());
    controller->seekTick(0);
    sink.sent.clear();
    run(*controller, sink, 0.5);
    EXPECT_EQ(sink.noteOns(100), 0);
    EXPECT_EQ(sink.noteOns(60, 0), 1);
    EXPECT_EQ(sink.noteOns(50, 0), 1);

    // stop() ends an audition too.
    controller->audition(variation, 0, 960, false);
    controller->stop();
    EXPECT_FALSE(controller->isAuditioning());
    EXPECT_EQ(controller->playingSnapshot(), controller->songSnapshot());
}

TEST_F(PlaybackTest, TrackListEditsAreUndoableAndChangePlayback) {
    TrackListModel model;
    model.setSong(&song);
    model.setUndoStack(&undo);
    const QModelIndex leadMute = model.index(0, TrackListModel::MuteColumn);
    ASSERT_TRUE(model.flags(leadMute) & Qt::ItemIsUserCheckable);

    // Mute.
    ASSERT_TRUE(model.setData(leadMute, Qt::Checked, Qt::CheckStateRole));
    EXPECT_EQ(undo.undoLabel(), "Mute track");
    QCoreApplication::processEvents();
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 0), 0);
    EXPECT_EQ(model.index(0, TrackListModel::MuteColumn).data(Qt::CheckStateRole).toInt(),
              Qt::Checked);
    undo.undo();
    QCoreApplication::processEvents();
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 0), 3);
    EXPECT_FALSE(song.track(lead)->properties.muted);

    // Solo.
    ASSERT_TRUE(
        model.setData(model.index(0, TrackListModel::SoloColumn), Qt::Checked, Qt::CheckStateRole));
    QCoreApplication::processEvents();
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 9), 0);
    undo.undo();
    QCoreApplication::processEvents();
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 9), 6);

    // Instrument: a program change at the start of the lead's channel.
    const QModelIndex instrument = model.index(0, TrackListModel::InstrumentColumn);
    EXPECT_EQ(instrument.data(Qt::EditRole).toInt(), 40);
    ASSERT_TRUE(model.setData(instrument, 24)); // Acoustic Guitar (nylon)
    QCoreApplication::processEvents();
    EXPECT_EQ(model.index(0, TrackListModel::InstrumentColumn).data().toString(),
              "Acoustic Guitar (nylon)");
    EXPECT_TRUE(hasEvent(*controller->playingSnapshot(), 0xC0, 24));
    EXPECT_FALSE(hasEvent(*controller->playingSnapshot(), 0xC0, 40));
    undo.undo();
    QCoreApplication::processEvents();
    EXPECT_TRUE(hasEvent(*controller->playingSnapshot(), 0xC0, 40));

    // Volume: a CC 7 at tick 0, added then removed by undo.
    const QModelIndex volume = model.index(0, TrackListModel::VolumeColumn);
    EXPECT_EQ(volume.data(Qt::EditRole).toInt(), project::kDefaultVolume);
    ASSERT_TRUE(model.setData(volume, 64));
    EXPECT_EQ(undo.undoLabel(), "Track volume");
    QCoreApplication::processEvents();
    EXPECT_EQ(project::trackVolume(*song.track(lead)), 64);
    EXPECT_TRUE(hasEvent(*controller->playingSnapshot(), 0xB0, 7, 64));
    RecordingSink sink;
    controller->play();
    run(*controller, sink, 0.1);
    const bool volumeSent = std::any_of(sink.sent.begin(), sink.sent.end(), [](const auto& s) {
        return s.message.bytes[0] == 0xB0 && s.message.bytes[1] == 7 && s.message.bytes[2] == 64;
    });
    EXPECT_TRUE(volumeSent);
    controller->stop();
    ASSERT_TRUE(model.setData(model.index(0, TrackListModel::VolumeColumn), 90)); // edits it
    EXPECT_EQ(project::trackVolume(*song.track(lead)), 90);
    EXPECT_EQ(song.track(lead)->channelEvents.size(), 1u);
    undo.undo();
    undo.undo();
    QCoreApplication::processEvents();
    EXPECT_FALSE(project::trackVolume(*song.track(lead)));
    EXPECT_FALSE(hasEvent(*controller->playingSnapshot(), 0xB0, 7));

    // Channel: the notes follow, as one undo step.
    ASSERT_TRUE(model.setData(model.index(0, TrackListModel::ChannelColumn), 3)); // shown 1-based
    QCoreApplication::processEvents();
    EXPECT_EQ(song.track(lead)->properties.channel, 2);
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 2), 3);
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 0), 0);
    undo.undo();
    QCoreApplication::processEvents();
    EXPECT_EQ(noteOnsInSnapshot(*controller->playingSnapshot(), 0), 3);

    // Name and colour.
    ASSERT_TRUE(
        model.setData(model.index(0, TrackListModel::NameColumn), QStringLiteral("Violin")));
    EXPECT_EQ(song.track(lead)->properties.name, "Violin");
    ASSERT_TRUE(model.setData(model.index(0, TrackListModel::NameColumn), QColor(0x12, 0x34, 0x56),
                              Qt::DecorationRole));
    EXPECT_EQ(song.track(lead)->properties.colour, 0x123456u);
    undo.undo();
    undo.undo();
    EXPECT_EQ(song.track(lead)->properties.name, "Lead");
    EXPECT_FALSE(undo.canUndo());
}

TEST_F(PlaybackTest, SettingsRefuseAMissingOrBrokenSoundFontAndKeepThePrevious) {
    QTemporaryDir dir;
    const QString good = QStringLiteral("/usr/share/sounds/sf2/TimGM6mb.sf2");
    QSettings().setValue(settings::kSoundFont, good);
    SettingsDialog dialog(controller.get());
    EXPECT_EQ(dialog.soundFont(), good);

    const QString missing = dir.filePath(QStringLiteral("missing.sf2"));
    EXPECT_FALSE(dialog.chooseSoundFont(missing));
    EXPECT_EQ(dialog.soundFont(), good);
    EXPECT_TRUE(dialog.soundFontError().contains(missing)) << dialog.soundFontError().toStdString();
    EXPECT_TRUE(dialog.soundFontStatus()->text().contains(QStringLiteral("not found")));

    const QString broken = writeBytes(dir, QStringLiteral("broken.sf2"), "RIFF1234WAVEjunk");
    dialog.setFileChooser([&] { return broken; });
    QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("chooseSoundFont")),
                      Qt::LeftButton);
    EXPECT_EQ(dialog.soundFont(), good);
    EXPECT_TRUE(dialog.soundFontError().contains(QStringLiteral("not a SoundFont")));

    dialog.autosaveBox()->setValue(30);
    dialog.accept();
    EXPECT_EQ(QSettings().value(settings::kSoundFont).toString(), good); // the old one stays
    EXPECT_EQ(QSettings().value(SettingsDialog::kAutosaveKey).toInt(), 30);

    // A good file is taken once the controller answered (without a synth: the file check).
    {
        SettingsDialog again(controller.get());
        QSignalSpy answers(controller.get(), &PlaybackController::soundFontChanged);
        const QString other = QStringLiteral("/usr/share/sounds/sf2/FluidR3_GM.sf2");
        const QString next = QFileInfo::exists(other) ? other : good;
        EXPECT_TRUE(again.chooseSoundFont(next));
        EXPECT_TRUE(again.isLoadingSoundFont());
        EXPECT_EQ(answers.count(), 0); // never inside the call
        ASSERT_TRUE(QTest::qWaitFor([&] { return !again.isLoadingSoundFont(); }, 5000));
        ASSERT_EQ(answers.count(), 1);
        EXPECT_EQ(answers.at(0).at(0).toString(), next);
        EXPECT_EQ(answers.at(0).at(1).toString(), "");
        EXPECT_EQ(again.soundFontError(), "");
        EXPECT_EQ(again.soundFont(), next);
        again.accept();
        EXPECT_EQ(again.result(), QDialog::Accepted);
        EXPECT_EQ(QSettings().value(settings::kSoundFont).toString(), next);
    }
    // Without a controller only the file is checked, and a good one is taken at once.
    {
        SettingsDialog alone(nullptr);
        EXPECT_TRUE(alone.chooseSoundFont(good));
        EXPECT_FALSE(alone.isLoadingSoundFont());
        EXPECT_EQ(alone.soundFont(), good);
        EXPECT_EQ(alone.soundFontStatus()->text(), "Chosen");
    }
    // The output choices are listed, the built-in synth first.
    SettingsDialog third(controller.get());
    EXPECT_EQ(third.midiOutBox()->itemText(0), "Built-in synthesizer");
    EXPECT_EQ(third.midiInBox()->itemText(0), "None");
    EXPECT_EQ(third.driverBox()->itemText(0), "Automatic");
    EXPECT_GT(third.driverBox()->count(), 1);
}

// --- The window ---------------------------------------------------------------------------------

namespace {

class PlaybackWindowTest : public ::testing::Test {
protected:
    void SetUp() override {
        QSettings().clear();
        window = std::make_unique<MainWindow>();
        window->setShowErrorDialogs(false);
        window->resize(1200, 800);
        window->show();
        QApplication::setActiveWindow(window.get());
        ASSERT_TRUE(QTest::qWaitForWindowActive(window.get()));
        window->song().reset(makeDemoSong());
    }
    void TearDown() override {
        window.reset();
        QSettings().clear();
    }
    // Waits for the output to be settled (audio started, or the silent clock after a failure).
    bool waitForOutput() {
        return waitUntil(
            [&] {
                return !window->playback()->isStarting() &&
                       !window->playback()->outputDescription().isEmpty();
            },
            15000);
    }
    std::unique_ptr<MainWindow> window;
};

} // namespace

TEST_F(PlaybackWindowTest, WithoutAudioDeviceSaysSoAndStaysUsable) {
    ASSERT_TRUE(waitForOutput());
    PlaybackController* c = window->playback();
    if (c->hasAudio())
        GTEST_SKIP() << "this machine has working audio: " << c->outputDescription().toStdString();
    EXPECT_TRUE(c->outputDescription().startsWith(QStringLiteral("no audio output: ")))
        << c->outputDescription().toStdString();
    EXPECT_TRUE(window->statusText().startsWith(QStringLiteral("no audio output")))
        << window->statusText().toStdString();
    // Still plays (silently): the playhead moves, in the piano roll too.
    window->transportBar()->playAction()->trigger();
    EXPECT_TRUE(c->isPlaying());
    ASSERT_TRUE(waitUntil([&] { return window->pianoRoll()->playheadTick() > 200; }, 3000));
    c->stop();
    ASSERT_TRUE(waitUntil([&] { return c->playheadTick() == 0; }, 2000));
    c->previewPitch(60, true); // nowhere to go, and no harm
    c->previewPitch(60, false);
}

TEST_F(PlaybackWindowTest, TransportBarButtonAndSpaceKeyTogglePlay) {
    ASSERT_TRUE(waitForOutput());
    PlaybackController* c = window->playback();
    TransportBar* bar = window->transportBar();
    auto* button = qobject_cast<QToolButton*>(bar->widgetForAction(bar->playAction()));
    ASSERT_TRUE(button);
    QTest::mouseClick(button, Qt::LeftButton);
    EXPECT_TRUE(c->isPlaying());
    EXPECT_TRUE(bar->playAction()->isChecked());
    QTest::mouseClick(button, Qt::LeftButton);
    EXPECT_FALSE(c->isPlaying());
    EXPECT_FALSE(bar->playAction()->isChecked());

    window->pianoRoll()->setFocus();
    QTest::keyClick(window->pianoRoll(), Qt::Key_Space);
    EXPECT_TRUE(c->isPlaying());
    // The position display moves with the playhead.
    ASSERT_TRUE(waitUntil([&] { return c->playheadTick() > 960; }, 3000));
    ASSERT_TRUE(waitUntil([&] { return bar->positionLabel()->text() != "1:1:000   0:00.000"; }));
    QTest::keyClick(window->pianoRoll(), Qt::Key_Space);
    EXPECT_FALSE(c->isPlaying());
    const double paused = c->playheadTick();
    QTest::keyClick(window->pianoRoll(), Qt::Key_Home);
    ASSERT_TRUE(waitUntil([&] { return c->playheadTick() == 0; }, 2000));
    EXPECT_GT(paused, 0);
    EXPECT_TRUE(waitUntil([&] { return bar->positionLabel()->text() == "1:1:000   0:00.000"; }));

    // L loops the ruler's range (four bars from the playhead when none is drawn).
    QTest::keyClick(window->pianoRoll(), Qt::Key_L);
    EXPECT_TRUE(c->loopEnabled());
    EXPECT_TRUE(window->pianoRoll()->hasLoopRange());
    EXPECT_EQ(c->loopStart(), 0);
    EXPECT_EQ(c->loopEnd(), window->song().tempoMap().barToTick(4));
    QTest::keyClick(window->pianoRoll(), Qt::Key_L);
    EXPECT_FALSE(c->loopEnabled());
}

TEST_F(PlaybackWindowTest, TempoEditIsOneUndoableStep) {
    TransportBar* bar = window->transportBar();
    model::Song& song = window->song();
    const double before = song.tempoMap().bpmAt(0);
    EXPECT_NEAR(bar->tempoBox()->value(), before, 0.01);
    // Typed into the box, as a user does.
    QDoubleSpinBox* box = bar->tempoBox();
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, QStringLiteral("150"));
    QTest::keyClick(box, Qt::Key_Tab); // leaving the box commits
    ASSERT_NEAR(song.tempoMap().bpmAt(0), 150.0, 0.01);
    EXPECT_EQ(window->undoStack().count(), 1);
    window->action(QStringLiteral("undo"))->trigger();
    EXPECT_NEAR(song.tempoMap().bpmAt(0), before, 0.01);
    window->action(QStringLiteral("redo"))->trigger();
    EXPECT_NEAR(song.tempoMap().bpmAt(0), 150.0, 0.01);
    // Return in the box commits too (the window's Return shortcut does not take it).
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, QStringLiteral("140"));
    QTest::keyClick(box, Qt::Key_Return);
    EXPECT_NEAR(song.tempoMap().bpmAt(0), 140.0, 0.01);
    window->action(QStringLiteral("undo"))->trigger();
    EXPECT_NEAR(song.tempoMap().bpmAt(0), 150.0, 0.01);
    // The snapshot follows the tempo map.
    window->playback()->flushRebuild();
    EXPECT_NEAR(window->playback()->songSnapshot()->tickToSeconds(480), 0.4, 1e-6);
}

TEST_F(PlaybackWindowTest, EventLoopStaysResponsiveWhilePlaying) {
    ASSERT_TRUE(waitForOutput());
    PlaybackController* c = window->playback();
    c->setLoop(true, 0, window->song().tempoMap().barToTick(2));
    c->play();
    // A 5 ms timer measures how late the event loop gets while the playhead moves, the piano
    // roll repaints and edits rebuild the snapshot. Wall-clock gaps include the time the
    // machine gave to other processes (the test runs beside compilers on two cores); the GUI
    // thread's own CPU time between two fires is what this code spends and must stay short.
    auto threadCpuMs = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
    };
    QElapsedTimer clock;
    clock.start();
    double lastWall = 0, lastCpu = threadCpuMs(), worstCpu = 0;
    std::vector<double> gaps;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const double wall = double(clock.nsecsElapsed()) / 1e6;
        const double cpu = threadCpuMs();
        gaps.push_back(wall - lastWall);
        worstCpu = std::max(worstCpu, cpu - lastCpu);
        lastWall = wall;
        lastCpu = cpu;
    });
    QTimer editor;
    int edits = 0;
    const model::TrackId track = window->song().trackIdAt(0);
    QObject::connect(&editor, &QTimer::timeout, [&] {
        window->undoStack().push(std::make_unique<model::AddNotesCommand>(
            track, std::vector<model::Note>{makeNote(edits * 60, 60, 72, 90)}));
        ++edits;
    });
    probe.start(5);
    editor.start(50);
    lastWall = double(clock.nsecsElapsed()) / 1e6;
    lastCpu = threadCpuMs();
    QTest::qWait(2000);
    probe.stop();
    editor.stop();
    c->stop();
    EXPECT_GT(edits, 20);
    EXPECT_GT(c->rebuildCount(), 20u);
    ASSERT_GT(gaps.size(), 100u);
    std::sort(gaps.begin(), gaps.end());
    const double worst = gaps.back();
    const double p99 = gaps[gaps.size() * 99 / 100];
    std::cout << "[ measure ] event loop while playing (5 ms probe, " << gaps.size()
              << " fires): worst " << worst << " ms, p99 " << p99 << " ms, worst GUI-thread CPU "
              << worstCpu << " ms between fires (" << c->outputDescription().left(40).toStdString()
              << ")\n";
    EXPECT_LT(worstCpu, 50);
    EXPECT_LT(p99, 50);
}

TEST_F(PlaybackWindowTest, MuteButtonInTheTrackListIsUndoableAndSilencesTheTrack) {
    QTreeView* view = window->trackView();
    TrackListModel* model = window->trackModel();
    const QModelIndex mute = model->index(0, TrackListModel::MuteColumn);
    const int channel = window->song().trackAt(0).properties.channel;
    window->playback()->flushRebuild();
    const int before = noteOnsInSnapshot(*window->playback()->songSnapshot(), channel);
    ASSERT_GT(before, 0);
    const QRect cell = view->visualRect(mute);
    ASSERT_TRUE(cell.isValid());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, cell.center());
    EXPECT_TRUE(window->song().trackAt(0).properties.muted);
    QCoreApplication::processEvents();
    EXPECT_EQ(noteOnsInSnapshot(*window->playback()->playingSnapshot(), channel), 0);
    window->action(QStringLiteral("undo"))->trigger();
    EXPECT_FALSE(window->song().trackAt(0).properties.muted);
    QCoreApplication::processEvents();
    EXPECT_EQ(noteOnsInSnapshot(*window->playback()->playingSnapshot(), channel), before);
}

TEST_F(PlaybackWindowTest, GeneratePanelAuditionsGoThroughTheEngine) {
    model::Song variation;
    const model::TrackId t = variation.addTrack(model::Track());
    variation.addNotes(t, {makeNote(0, 240, 100, 100, 3)});
    emit window->auditionRequested(variation, 0, 960, true);
    PlaybackController* c = window->playback();
    EXPECT_TRUE(c->isAuditioning());
    EXPECT_EQ(noteOnsInSnapshot(*c->playingSnapshot(), 3, 100), 1);
    EXPECT_NE(c->playingSnapshot(), c->songSnapshot());
    emit window->auditionStopRequested();
    EXPECT_FALSE(c->isAuditioning());
    EXPECT_EQ(c->playingSnapshot(), c->songSnapshot());
}

TEST_F(PlaybackWindowTest, RecordWithoutAMidiInputSaysWhatToDo) {
    TransportBar* bar = window->transportBar();
    bar->recordAction()->trigger(); // no track selected yet
    EXPECT_FALSE(window->playback()->isRecording());
    EXPECT_EQ(window->statusText(), "Select a track to record into");
    window->trackView()->selectionModel()->select(window->trackModel()->index(0, 0),
                                                  QItemSelectionModel::ClearAndSelect |
                                                      QItemSelectionModel::Rows);
    ASSERT_NE(window->pianoRoll()->activeTrack(), model::kNoTrack);
    bar->recordAction()->trigger();
    EXPECT_FALSE(bar->recordAction()->isChecked());
    EXPECT_FALSE(window->playback()->isRecording());
    EXPECT_TRUE(window->statusText().contains(QStringLiteral("MIDI input")))
        << window->statusText().toStdString();
}

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
    EXPECT_FALSE(controller.isStarting()); // a port opens at once
    ASSERT_GE(outputs.count(), 1);
    EXPECT_TRUE(controller.outputDescription().startsWith(QStringLiteral("MIDI port")))
        << controller.outputDescription().toStdString();
    controller.play();
    std::vector<playback::MidiMessage> got;
    auto drain = [&] {
        playback::InputEvent e;
        while (synth.pop(e))
            got.push_back(e.message);
    };
    ASSERT_TRUE(waitUntil(
        [&] {
            drain();
            return controller.playheadTick() > 2400;
        },
        5000));
    controller.stop();
    QTest::qWait(100);
    drain();
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

namespace {

constexpr const char* kSmallSoundFont = "/usr/share/sounds/sf2/TimGM6mb.sf2";
constexpr const char* kBigSoundFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2"; // 140 MB

// Starts like a SoundFont (RIFF....sfbk, so the quick file check passes) but is cut short: only
// FluidSynth's loader refuses it, on the audio worker.
QString writeTruncatedSoundFont(const QTemporaryDir& dir) {
    return writeBytes(dir, QStringLiteral("truncated.sf2"),
                      std::string("RIFF\x40\x00\x00\x00sfbkLIST\x20\x00\x00\x00INFOifil", 24));
}

// A controller whose built-in synth plays through the test's JACK server (automatic driver),
// with kSmallSoundFont as the stored setting.
class SoundFontJackTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (playback::test::JackServer::jackdPath().empty())
            GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
        if (!QFileInfo::exists(QString::fromLatin1(kSmallSoundFont)))
            GTEST_SKIP() << "needs " << kSmallSoundFont << " (timgm6mb-soundfont)";
        ASSERT_EQ(server.start(), "");
        QSettings().clear();
        QSettings().setValue(settings::kSoundFont, QString::fromLatin1(kSmallSoundFont));
        song = makeSmallSong();
        controller = std::make_unique<PlaybackController>(PlaybackController::Engine::Auto);
        controller->setSong(&song);
        controller->applySettings();
        ASSERT_TRUE(waitUntil([&] { return !controller->isStarting(); }, 15000));
        ASSERT_TRUE(controller->hasAudio()) << controller->outputDescription().toStdString();
    }
    void TearDown() override {
        controller.reset();
        server.stop();
        QSettings().clear();
    }
    // The big SoundFont when installed (its load takes a while), else the small one.
    static QString goodSoundFont() {
        const QString big = QString::fromLatin1(kBigSoundFont);
        return QFileInfo::exists(big) ? big : QString::fromLatin1(kSmallSoundFont);
    }

    playback::test::JackServer server;
    model::Song song;
    std::unique_ptr<PlaybackController> controller;
};

} // namespace

// Choosing a SoundFont while the built-in synth plays: chooseSoundFont() returns at once with
// the loading state shown (Choose, Automatic and OK disabled), and the outcome arrives later
// as the controller's signal. A file that does not load is reported and the previous SoundFont
// stays; a good one becomes the choice and the output's description names it. An accept during
// a load waits for the outcome, so the stored setting names what plays.
TEST_F(SoundFontJackTest, ChoosingASoundFontReturnsAtOnceAndShowsTheOutcomeLater) {
    const QString small = QString::fromLatin1(kSmallSoundFont);
    controller->play();
    SettingsDialog dialog(controller.get());
    auto* choose = dialog.findChild<QPushButton*>(QStringLiteral("chooseSoundFont"));
    auto* automatic = dialog.findChild<QPushButton*>(QStringLiteral("automaticSoundFont"));
    auto* box = dialog.findChild<QDialogButtonBox*>();
    ASSERT_TRUE(choose && automatic && box);
    QPushButton* ok = box->button(QDialogButtonBox::Ok);
    ASSERT_TRUE(ok);
    QSignalSpy answers(controller.get(), &PlaybackController::soundFontChanged);
    QSignalSpy outputs(controller.get(), &PlaybackController::outputChanged);

    // Through the Choose button, a file only the loader refuses.
    QTemporaryDir dir;
    const QString truncated = writeTruncatedSoundFont(dir);
    dialog.setFileChooser([&] { return truncated; });
    QTest::mouseClick(choose, Qt::LeftButton);
    EXPECT_TRUE(dialog.isLoadingSoundFont());
    EXPECT_EQ(answers.count(), 0);
    EXPECT_TRUE(
        dialog.soundFontStatus()->text().startsWith(QStringLiteral("Loading truncated.sf2")))
        << dialog.soundFontStatus()->text().toStdString();
    EXPECT_FALSE(choose->isEnabled());
    EXPECT_FALSE(automatic->isEnabled());
    EXPECT_FALSE(ok->isEnabled());
    EXPECT_FALSE(dialog.chooseSoundFont(small)); // one load at a time
    ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog.isLoadingSoundFont(); }, 15000));
    ASSERT_EQ(answers.count(), 1);
    EXPECT_EQ(answers.at(0).at(0).toString(), truncated);
    EXPECT_TRUE(answers.at(0).at(1).toString().contains(truncated))
        << answers.at(0).at(1).toString().toStdString();
    EXPECT_EQ(dialog.soundFont(), small); // the previous one stays
    EXPECT_TRUE(
        dialog.soundFontStatus()->text().contains(QStringLiteral("Could not use that SoundFont")));
    EXPECT_TRUE(
        dialog.soundFontStatus()->text().contains(QStringLiteral("The previous one stays")));
    EXPECT_TRUE(choose->isEnabled());
    EXPECT_TRUE(automatic->isEnabled());
    EXPECT_TRUE(ok->isEnabled());
    EXPECT_TRUE(controller->hasAudio());
    EXPECT_EQ(outputs.count(), 0);

    // A good one (the big one when installed).
    const QString next = goodSoundFont();
    QElapsedTimer clock;
    clock.start();
    EXPECT_TRUE(dialog.chooseSoundFont(next));
    const qint64 callMs = clock.elapsed();
    EXPECT_TRUE(dialog.isLoadingSoundFont());
    EXPECT_EQ(answers.count(), 1);
    EXPECT_LT(callMs, 200);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog.isLoadingSoundFont(); }, 30000));
    std::cout << "[ sf load ] chooseSoundFont returned in " << callMs << " ms; "
              << QFileInfo(next).fileName().toStdString() << " played after " << clock.elapsed()
              << " ms\n";
    ASSERT_EQ(answers.count(), 2);
    EXPECT_EQ(answers.at(1).at(0).toString(), next);
    EXPECT_EQ(answers.at(1).at(1).toString(), "");
    EXPECT_EQ(dialog.soundFont(), next);
    EXPECT_EQ(dialog.soundFontError(), "");
    EXPECT_EQ(dialog.soundFontStatus()->text(), "Chosen");
    ASSERT_GE(outputs.count(), 1);
    EXPECT_TRUE(controller->outputDescription().contains(QFileInfo(next).fileName()))
        << controller->outputDescription().toStdString();
    EXPECT_EQ(QSettings().value(settings::kSoundFont).toString(), small); // not saved yet

    // OK during a load (here by a program; the button is disabled) waits for the outcome: this
    // load fails, so what is stored is the SoundFont that plays, `next`.
    EXPECT_TRUE(dialog.chooseSoundFont(truncated));
    dialog.accept();
    EXPECT_NE(dialog.result(), QDialog::Accepted);
    EXPECT_EQ(QSettings().value(settings::kSoundFont).toString(), small);
    ASSERT_TRUE(QTest::qWaitFor([&] { return dialog.result() == QDialog::Accepted; }, 15000));
    EXPECT_FALSE(dialog.isLoadingSoundFont());
    EXPECT_EQ(answers.count(), 3);
    EXPECT_EQ(QSettings().value(settings::kSoundFont).toString(), next);
    // The saved settings restarted the output, with that SoundFont.
    ASSERT_TRUE(waitUntil([&] { return !controller->isStarting(); }, 30000));
    EXPECT_TRUE(controller->hasAudio());
    EXPECT_TRUE(controller->outputDescription().contains(QFileInfo(next).fileName()))
        << controller->outputDescription().toStdString();
}

// Cancel during a load stores nothing, drops the load and restarts the output with the stored
// SoundFont; the dialog may go away before the answer; the controller may go away too (the
// window closing): its answer must not reach it.
TEST_F(SoundFontJackTest, ClosingTheDialogOrTheControllerDuringALoadIsSafe) {
    const QString next = goodSoundFont();
    QSignalSpy answers(controller.get(), &PlaybackController::soundFontChanged);
    {
        SettingsDialog dialog(controller.get());
        EXPECT_TRUE(dialog.chooseSoundFont(next));
        EXPECT_TRUE(dialog.isLoadingSoundFont());
        dialog.accept(); // waits for the load...
        dialog.reject(); // ...but Cancel wins
        EXPECT_EQ(dialog.result(), QDialog::Rejected);
    }
    ASSERT_TRUE(QTest::qWaitFor([&] { return answers.count() == 1; }, 30000));
    EXPECT_EQ(QSettings().value(settings::kSoundFont).toString(),
              QString::fromLatin1(kSmallSoundFont)); // Cancel stored nothing
    ASSERT_TRUE(waitUntil([&] { return !controller->isStarting(); }, 30000));
    EXPECT_TRUE(controller->hasAudio());
    EXPECT_TRUE(controller->outputDescription().contains(QStringLiteral("TimGM6mb.sf2")))
        << controller->outputDescription().toStdString();

    // Cancel after a load that finished puts the stored SoundFont back too (the other file is
    // a copy under another name, so the output's description tells them apart).
    {
        QTemporaryDir dir;
        const QString other = dir.filePath(QStringLiteral("other.sf2"));
        ASSERT_TRUE(QFile::copy(QString::fromLatin1(kSmallSoundFont), other));
        SettingsDialog dialog(controller.get());
        EXPECT_TRUE(dialog.chooseSoundFont(other));
        ASSERT_TRUE(QTest::qWaitFor([&] { return !dialog.isLoadingSoundFont(); }, 30000));
        EXPECT_TRUE(controller->outputDescription().contains(QStringLiteral("other.sf2")))
            << controller->outputDescription().toStdString();
        dialog.reject();
        ASSERT_TRUE(waitUntil([&] { return !controller->isStarting(); }, 30000));
        EXPECT_TRUE(controller->outputDescription().contains(QStringLiteral("TimGM6mb.sf2")))
            << controller->outputDescription().toStdString();
    }
    answers.clear();

    controller->requestSoundFont(QString::fromLatin1(kSmallSoundFont));
    controller->requestSoundFont(next);
    QElapsedTimer clock;
    clock.start();
    controller.reset();
    std::cout << "[ sf load ] controller destroyed during a load in " << clock.elapsed() << " ms\n";
    QTest::qWait(200); // anything still posted for it would run now
    EXPECT_EQ(answers.count(), 0);
}
