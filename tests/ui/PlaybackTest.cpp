// The workstation's playback wiring: the controller's snapshots (mute/solo, metronome), the
// transport driven offline (Engine::Manual: the test calls the engine's process function, so
// time is exact and nothing depends on a sound card), edits reaching a looping transport,
// audition, track list edits as undoable commands that change what plays, and the settings
// dialog's SoundFont choice. The window is in PlaybackWindowTest.cpp, JACK in
// PlaybackJackTest.cpp and SoundFontJackTest.cpp.
#include "PlaybackTestSupport.h"
#include "TestFiles.h"

#include "model/EditCommands.h"
#include "playback/MidiMessage.h"
#include "playback/SoundFontLocator.h"
#include "playback/Transport.h"
#include "project/TrackCommands.h"
#include "ui/playback/PlaybackController.h"
#include "ui/playback/SoundFontSetting.h"
#include "ui/shell/SettingsDialog.h"
#include "ui/tracks/TrackListModel.h"

#include <QColor>
#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>

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

    // The lead's volume through the track list: a CC 7 at tick 0 that is played, edited in
    // place, and removed by undo.
    void checkVolumeEdits(TrackListModel& model) {
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
            return s.message.bytes[0] == 0xB0 && s.message.bytes[1] == 7 &&
                   s.message.bytes[2] == 64;
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

    ASSERT_NO_FATAL_FAILURE(checkVolumeEdits(model));

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

// One SoundFont choice for the window and the command line: what Preferences stores is what
// `render` finds (playback::SoundFontLocator::locate), and what `render --remember-soundfont`
// stored is what Preferences shows. A choice kept by older versions in QSettings moves over.
TEST_F(PlaybackTest, PreferencesAndTheCommandLineShareTheSoundFontChoice) {
    QTemporaryDir dir;
    const QString good = QStringLiteral("/usr/share/sounds/sf2/TimGM6mb.sf2");
    const QString chosen = dir.filePath(QStringLiteral("Chosen.sf2"));
    ASSERT_TRUE(QFile::copy(good, chosen));
    ASSERT_EQ(storeSoundFont(QString()), QString());

    ASSERT_EQ(playback::SoundFontLocator::rememberChoice(good.toStdString()), ""); // the CLI
    EXPECT_EQ(SettingsDialog(nullptr).soundFont(), good);

    {
        SettingsDialog dialog(nullptr);
        ASSERT_TRUE(dialog.chooseSoundFont(chosen));
        dialog.accept();
    }
    std::string error;
    EXPECT_EQ(playback::SoundFontLocator().locate(error), chosen.toStdString()) << error;
    EXPECT_EQ(playback::SoundFontLocator::rememberedChoice(), chosen.toStdString());

    {
        SettingsDialog dialog(nullptr);
        QTest::mouseClick(dialog.findChild<QPushButton*>(QStringLiteral("automaticSoundFont")),
                          Qt::LeftButton);
        dialog.accept();
    }
    EXPECT_EQ(playback::SoundFontLocator::rememberedChoice(), "");
    EXPECT_EQ(storedSoundFont(), QString());

    QSettings().setValue(QStringLiteral("playback/soundFont"), chosen); // an older version's
    EXPECT_EQ(storedSoundFont(), chosen);
    EXPECT_EQ(playback::SoundFontLocator::rememberedChoice(), chosen.toStdString());
    EXPECT_FALSE(QSettings().contains(QStringLiteral("playback/soundFont")));
    ASSERT_EQ(storeSoundFont(QString()), QString());
}

TEST_F(PlaybackTest, SettingsRefuseAMissingOrBrokenSoundFontAndKeepThePrevious) {
    QTemporaryDir dir;
    const QString good = QStringLiteral("/usr/share/sounds/sf2/TimGM6mb.sf2");
    ASSERT_EQ(storeSoundFont(good), QString());
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
    EXPECT_EQ(storedSoundFont(), good); // the old one stays
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
        EXPECT_EQ(storedSoundFont(), next);
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
