// Choosing a SoundFont while the built-in synth plays through a JACK server of the test's own:
// the settings dialog stays responsive during a load and shows its outcome; Cancel, closing the
// dialog or destroying the controller during a load are safe.
#include "../playback/JackServer.h"
#include "TestFiles.h"

#include "ui/playback/PlaybackController.h"
#include "ui/playback/SoundFontSetting.h"
#include "ui/shell/SettingsDialog.h"

#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <iostream>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

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
        ASSERT_EQ(storeSoundFont(QString::fromLatin1(kSmallSoundFont)), QString());
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

    // OK during a load (here by a program; the button is disabled) waits for the outcome: this
    // load fails, so what is stored is the SoundFont that plays, `next`. Two answers came before.
    void checkOkWaitsForAFailingLoad(SettingsDialog& dialog, const QSignalSpy& answers,
                                     const QString& truncated, const QString& next) {
        const QString small = QString::fromLatin1(kSmallSoundFont);
        EXPECT_TRUE(dialog.chooseSoundFont(truncated));
        dialog.accept();
        EXPECT_NE(dialog.result(), QDialog::Accepted);
        EXPECT_EQ(storedSoundFont(), small);
        ASSERT_TRUE(QTest::qWaitFor([&] { return dialog.result() == QDialog::Accepted; }, 15000));
        EXPECT_FALSE(dialog.isLoadingSoundFont());
        EXPECT_EQ(answers.count(), 3);
        EXPECT_EQ(storedSoundFont(), next);
        // The saved settings restarted the output, with that SoundFont.
        ASSERT_TRUE(waitUntil([&] { return !controller->isStarting(); }, 30000));
        EXPECT_TRUE(controller->hasAudio());
        EXPECT_TRUE(controller->outputDescription().contains(QFileInfo(next).fileName()))
            << controller->outputDescription().toStdString();
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
    EXPECT_EQ(storedSoundFont(), small); // not saved yet

    ASSERT_NO_FATAL_FAILURE(checkOkWaitsForAFailingLoad(dialog, answers, truncated, next));
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
    EXPECT_EQ(storedSoundFont(),
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
