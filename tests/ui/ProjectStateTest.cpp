// What the project keeps beyond the song, driven through the window and its panels: the tracks
// the Train panel learns from (chosen per index, shown per file, used by the training job),
// panel settings making the project modified until saved, the loop range saved and restored,
// and the crash-recovery check running off the GUI thread.
#include "LearningTestSupport.h"
#include "common/TestNotes.h"

#include "project/ProjectFile.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/TrainingSession.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"

#include "midi/MidiFile.h"

#include <QDir>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QTreeView>

namespace torchestra::ui::test {
namespace {

constexpr int kMelodyNotes = 64;
constexpr int kBassNotes = 32;

// Eight bars of 4/4: a melody of eighth notes high up and a bass of quarter notes low down, on
// two tracks, so what a model learned from shows in its note count.
model::Song makeTwoTrackSong() {
    model::Song song = ::torchestra::testkit::songIn44();
    model::Track melody;
    melody.properties.name = "Melody";
    melody.properties.channel = 0;
    const model::TrackId melodyId = song.addTrack(melody);
    std::vector<model::Note> high;
    for (int i = 0; i < kMelodyNotes; ++i)
        high.push_back(makeNote(i * 240, 200, 72 + (i % 5) * 2, 100, 0));
    song.addNotes(melodyId, high);
    model::Track bass;
    bass.properties.name = "Bass";
    bass.properties.channel = 1;
    const model::TrackId bassId = song.addTrack(bass);
    std::vector<model::Note> low;
    for (int i = 0; i < kBassNotes; ++i)
        low.push_back(makeNote(i * 480, 400, 36 + (i % 4) * 3, 90, 1));
    song.addNotes(bassId, low);
    return song;
}

// The index a track has in the file as written (what `inspect` and the Tracks field count).
int trackIndexInFile(const QString& path, const std::string& name) {
    const midi::ReadResult r = midi::readMidiFile(QFile::encodeName(path).toStdString());
    EXPECT_TRUE(r.ok) << r.error;
    for (std::size_t i = 0; i < r.song.trackCount(); ++i)
        if (r.song.trackAt(i).properties.name == name)
            return int(i);
    ADD_FAILURE() << "no track " << name;
    return -1;
}

std::optional<ModelRow> fileRow(const QAbstractItemModel* list, const QString& name) {
    return findRow(list, TrainPanel::FileNameColumn, name);
}

int number(const QString& text) {
    return QString(text).remove(QLatin1Char(',')).remove(QChar(0xa0)).toInt();
}

class ProjectStateTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(m_dir.isValid());
        QSettings().clear();
        QDir(MainWindow::recoveryDirectory()).removeRecursively();
        m_window = makeWindow();
        useModelFolder(*m_window, m_dir.filePath(QStringLiteral("models")));
        const model::Song song = makeTwoTrackSong();
        for (const char* name : {"two-a.mid", "two-b.mid", "two-c.mid"})
            m_files << writeSong(m_dir, QLatin1String(name), song);
    }
    void TearDown() override {
        m_window.reset();
        QDir(MainWindow::recoveryDirectory()).removeRecursively();
        QSettings().clear();
    }

    std::unique_ptr<MainWindow> makeWindow() {
        auto w = std::make_unique<MainWindow>();
        w->setShowErrorDialogs(false);
        w->setSavePrompt([this](const QString&) {
            ++m_prompts;
            return m_promptAnswer;
        });
        w->resize(1400, 900);
        w->show();
        EXPECT_TRUE(QTest::qWaitForWindowExposed(w.get()));
        return w;
    }
    bool open(MainWindow& window, const QString& path) {
        QSignalSpy loaded(&window, &MainWindow::fileLoaded);
        QSignalSpy failed(&window, &MainWindow::loadFailed);
        window.openFile(path);
        EXPECT_TRUE(waitUntil([&] { return loaded.count() + failed.count() > 0; }, 10000));
        return loaded.count() == 1;
    }
    bool save(const QString& path) {
        QSignalSpy saved(m_window.get(), &MainWindow::saved);
        m_window->saveProject(path);
        return waitUntil([&] { return saved.count() > 0; }, 10000);
    }
    // Types `text` into the Train panel's Tracks field and leaves it with Return.
    void typeTracks(const QString& text) {
        QLineEdit* edit = m_window->trainPanel()->tracksEdit();
        edit->setFocus();
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Backspace);
        QTest::keyClicks(edit, text);
        QTest::keyClick(edit, Qt::Key_Return);
    }

    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
    QStringList m_files;
    int m_prompts = 0;
    MainWindow::SaveChoice m_promptAnswer = MainWindow::SaveChoice::Discard;
};

TEST(TrainPanelTracks, ParsesListsAndRangesAndRefusesTypos) {
    std::vector<int> out;
    ASSERT_TRUE(TrainPanel::parseTracks(QStringLiteral(" 4, 1-2 ,2"), out));
    EXPECT_EQ(out, (std::vector<int>{1, 2, 4}));
    EXPECT_EQ(TrainPanel::tracksText(out), QStringLiteral("1, 2, 4"));
    ASSERT_TRUE(TrainPanel::parseTracks(QStringLiteral("  "), out));
    EXPECT_TRUE(out.empty()); // all tracks
    for (const char* bad : {"1-", "1,,2", "2,", "3-1", "1-2-3", "a", "0-300", "70000"})
        EXPECT_FALSE(TrainPanel::parseTracks(QLatin1String(bad), out)) << bad;
}

TEST_F(ProjectStateTest, TrainPanelLearnsOnlyFromTheChosenTrack) {
    const int bass = trackIndexInFile(m_files[0], "Bass");
    ASSERT_GE(bass, 0);
    TrainPanel* panel = m_window->trainPanel();
    QSignalSpy scanned(panel, &TrainPanel::filesScanned);
    panel->setPathChooser([this](bool) { return m_files; });
    QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("addFilesButton")),
                      Qt::LeftButton);
    ASSERT_TRUE(scanned.wait(20000));
    // By default every track but drums: both parts.
    const QAbstractItemModel* list = panel->fileList()->model();
    auto row = fileRow(list, QStringLiteral("two-a.mid"));
    ASSERT_TRUE(row);
    EXPECT_EQ(number(row->text(TrainPanel::NotesColumn)), kMelodyNotes + kBassNotes);
    EXPECT_EQ(row->text(TrainPanel::TracksColumn), QStringLiteral("all but drums"));

    // The bass alone: the stats say which track and count only its notes.
    scanned.clear();
    typeTracks(QString::number(bass));
    ASSERT_TRUE(scanned.wait(20000));
    EXPECT_EQ(panel->trainingTracks(), std::vector<int>{bass});
    EXPECT_EQ(m_window->trainingTracks(), std::vector<int>{bass}); // the project keeps it
    row = fileRow(list, QStringLiteral("two-a.mid"));
    ASSERT_TRUE(row);
    EXPECT_EQ(number(row->text(TrainPanel::NotesColumn)), kBassNotes);
    EXPECT_EQ(row->text(TrainPanel::TracksColumn), QStringLiteral("%1 Bass").arg(bass));
    EXPECT_TRUE(row->toolTip(TrainPanel::TracksColumn).contains(QStringLiteral("Melody")));
    EXPECT_EQ(row->text(TrainPanel::ProblemsColumn), QStringLiteral("OK"));

    // A Markov model trained now learned from the bass only: its metadata counts its notes.
    QComboBox* kind = panel->kindBox();
    kind->setCurrentIndex(kind->findData(int(ml::ModelKind::Markov)));
    QSignalSpy trained(panel, &TrainPanel::modelTrained);
    ASSERT_TRUE(panel->trainButton()->isEnabled());
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    ASSERT_TRUE(trained.wait(60000)) << panel->lastError().toStdString();
    ModelLibrary* library = m_window->modelLibrary();
    const int entry = library->rowOf(trained.at(0).at(0).toString());
    ASSERT_GE(entry, 0);
    const ml::TrainingMetadata& meta = library->entry(entry).metadata;
    ASSERT_EQ(meta.files.size(), 3u);
    for (const ml::DatasetFileInfo& f : meta.files)
        EXPECT_EQ(f.notes, kBassNotes) << f.path;
    // ...and it says which track it learned from, in the library's description too.
    EXPECT_EQ(meta.trackIndices, std::vector<int>{bass});
    EXPECT_TRUE(library->data(library->index(entry, 0), Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("track(s) %1").arg(bass)));

    // A track the files lack is named as their problem, and nothing is usable.
    scanned.clear();
    typeTracks(QStringLiteral("7"));
    ASSERT_TRUE(scanned.wait(20000));
    row = fileRow(list, QStringLiteral("two-a.mid"));
    ASSERT_TRUE(row);
    EXPECT_TRUE(row->text(TrainPanel::ProblemsColumn).startsWith(QStringLiteral("Skipped")));
    EXPECT_TRUE(row->text(TrainPanel::ProblemsColumn).contains(QStringLiteral("no track 7")))
        << row->text(TrainPanel::ProblemsColumn).toStdString();
    EXPECT_TRUE(row->text(TrainPanel::StepsColumn).isEmpty());

    // Text that is not a list of tracks is refused and the choice stays.
    typeTracks(QStringLiteral("1-"));
    EXPECT_EQ(panel->trainingTracks(), std::vector<int>{7});
    // Clearing the field goes back to all tracks.
    scanned.clear();
    typeTracks(QString());
    ASSERT_TRUE(scanned.wait(20000));
    EXPECT_TRUE(panel->trainingTracks().empty());
}

TEST_F(ProjectStateTest, TrackChoiceAndModelSettingsRoundTripThroughTheProject) {
    ASSERT_TRUE(open(*m_window, m_files[0]));
    TrainPanel* panel = m_window->trainPanel();
    panel->setPathChooser([this](bool) { return QStringList{m_files[0]}; });
    QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("addFilesButton")),
                      Qt::LeftButton);
    typeTracks(QStringLiteral("2, 1"));
    EXPECT_EQ(panel->tracksEdit()->text(), QStringLiteral("1, 2")); // tidied
    panel->kindBox()->setCurrentIndex(panel->kindBox()->findData(int(ml::ModelKind::Rnn)));
    panel->presetBox()->setCurrentIndex(0);
    panel->trainForBox()->setCurrentIndex(panel->trainForBox()->findData(15.0));
    const QString path = m_dir.filePath(QStringLiteral("tracks.torchestra"));
    ASSERT_TRUE(save(path));
    project::Project saved;
    ASSERT_EQ(project::ProjectFile::read(path, saved), "");
    EXPECT_EQ(saved.trainingTracks, (std::vector<int>{1, 2}));
    EXPECT_EQ(saved.trainingModel.value(QStringLiteral("kind")).toString(), "rnn");

    auto other = makeWindow();
    ASSERT_TRUE(open(*other, path));
    TrainPanel* again = other->trainPanel();
    EXPECT_EQ(again->trainingTracks(), (std::vector<int>{1, 2}));
    EXPECT_EQ(again->tracksEdit()->text(), QStringLiteral("1, 2"));
    EXPECT_EQ(again->modelConfig().kind, ml::ModelKind::Rnn);
    EXPECT_EQ(again->presetBox()->currentIndex(), 0);
    EXPECT_EQ(again->trainMinutes(), 15.0);
    EXPECT_FALSE(other->isModified()) << "restoring the panels is not an edit";

    // A MIDI import starts from the defaults again.
    ASSERT_TRUE(open(*other, m_files[1]));
    EXPECT_TRUE(again->trainingTracks().empty());
    EXPECT_EQ(again->modelConfig().kind, trainPanelDefaults().kind);
}

TEST_F(ProjectStateTest, PanelSettingsMarkTheProjectModifiedUntilSaved) {
    ASSERT_TRUE(open(*m_window, m_files[0]));
    EXPECT_FALSE(m_window->isModified());
    EXPECT_FALSE(m_window->windowTitle().contains(QLatin1Char('*')));

    // A generation setting changed in the real widget, as its arrow does.
    GeneratePanel* generate = m_window->generatePanel();
    generate->temperatureBox()->stepBy(1);
    EXPECT_TRUE(m_window->isModified());
    EXPECT_EQ(m_window->windowTitle(), QString::fromUtf8("two-a.mid* \u2014 Torchestra"));
    const QString path = m_dir.filePath(QStringLiteral("settings.torchestra"));
    ASSERT_TRUE(save(path));
    EXPECT_FALSE(m_window->isModified());
    EXPECT_FALSE(m_window->windowTitle().contains(QLatin1Char('*')));
    project::Project saved;
    ASSERT_EQ(project::ProjectFile::read(path, saved), "");
    EXPECT_DOUBLE_EQ(saved.generation.value(QStringLiteral("temperature")).toDouble(),
                     generate->temperatureBox()->value());

    // The seed, the key, the Train panel's model kind and its track choice count too.
    generate->seedBox()->stepBy(1);
    EXPECT_TRUE(m_window->isModified());
    ASSERT_TRUE(save(path));
    generate->scaleBox()->setCurrentIndex(1);
    EXPECT_TRUE(m_window->isModified());
    ASSERT_TRUE(save(path));
    TrainPanel* train = m_window->trainPanel();
    // (a kind other than the default, so that the choice changes)
    train->kindBox()->setCurrentIndex(train->kindBox()->findData(int(ml::ModelKind::Rnn)));
    EXPECT_TRUE(m_window->isModified());
    ASSERT_TRUE(save(path));
    typeTracks(QStringLiteral("1"));
    EXPECT_TRUE(m_window->isModified());

    // Closing asks about them like about an edit of the song.
    m_promptAnswer = MainWindow::SaveChoice::Cancel;
    m_prompts = 0;
    EXPECT_FALSE(m_window->close());
    EXPECT_EQ(m_prompts, 1);
    m_promptAnswer = MainWindow::SaveChoice::Discard;
}

TEST_F(ProjectStateTest, LoopRangeIsSavedAndRestored) {
    ASSERT_TRUE(open(*m_window, m_files[0]));
    PlaybackController* playback = m_window->playback();
    playback->setLoop(true, 480, 1920);
    m_window->pianoRoll()->setLoopRange(480, 1920);
    const QString path = m_dir.filePath(QStringLiteral("loop.torchestra"));
    ASSERT_TRUE(save(path));
    project::Project saved;
    ASSERT_EQ(project::ProjectFile::read(path, saved), "");
    EXPECT_TRUE(saved.loop == (project::LoopRange{true, 480, 1920}));

    auto other = makeWindow();
    ASSERT_TRUE(open(*other, path));
    EXPECT_TRUE(other->playback()->loopEnabled());
    EXPECT_EQ(other->playback()->loopStart(), 480);
    EXPECT_EQ(other->playback()->loopEnd(), 1920);
    ASSERT_TRUE(other->pianoRoll()->hasLoopRange());
    EXPECT_EQ(other->pianoRoll()->loopStart(), 480);
    EXPECT_EQ(other->pianoRoll()->loopEnd(), 1920);
    EXPECT_FALSE(other->isModified());

    // A range drawn but not looping comes back drawn and not looping.
    playback->setLoop(false, 0, 0);
    m_window->pianoRoll()->setLoopRange(960, 2880);
    ASSERT_TRUE(save(path));
    ASSERT_TRUE(open(*other, path));
    EXPECT_FALSE(other->playback()->loopEnabled());
    EXPECT_EQ(other->pianoRoll()->loopStart(), 960);
    EXPECT_EQ(other->pianoRoll()->loopEnd(), 2880);

    // An older project without a loop opens with none, whatever was set before.
    other->playback()->setLoop(true, 0, 960);
    project::Project old;
    old.song = makeTwoTrackSong();
    QJsonObject root = QJsonDocument::fromJson(project::ProjectFile::serialize(old)).object();
    ASSERT_FALSE(root.contains(QStringLiteral("loop")));
    const QString oldPath = m_dir.filePath(QStringLiteral("old.torchestra"));
    ASSERT_EQ(project::ProjectFile::write(oldPath, old), "");
    ASSERT_TRUE(open(*other, oldPath));
    EXPECT_FALSE(other->playback()->loopEnabled());
    EXPECT_FALSE(other->pianoRoll()->hasLoopRange());
}

TEST_F(ProjectStateTest, ChangingTheLoopMarksTheProjectModified) {
    ASSERT_TRUE(open(*m_window, m_files[0]));
    EXPECT_FALSE(m_window->isModified());
    // The transport's Loop button calls setLoop; the saved project would differ from the file.
    m_window->playback()->setLoop(true, 480, 1920);
    EXPECT_TRUE(m_window->isModified());
    EXPECT_TRUE(m_window->windowTitle().contains(QLatin1Char('*')));
    const QString path = m_dir.filePath(QStringLiteral("loop-edit.torchestra"));
    ASSERT_TRUE(save(path));
    EXPECT_FALSE(m_window->isModified());
    // A range dragged on the ruler (the piano roll announces it when the drag ends).
    emit m_window->pianoRoll()->loopRangeChanged(960, 2880);
    EXPECT_TRUE(m_window->isModified());
    ASSERT_TRUE(save(path));
    // Opening restores a loop without counting as a change.
    ASSERT_TRUE(open(*m_window, path));
    EXPECT_TRUE(m_window->playback()->loopEnabled());
    EXPECT_FALSE(m_window->isModified());
}

TEST_F(ProjectStateTest, RecoveryIsReadOffTheGuiThreadThenAskedAbout) {
    // A crash's leftover, with a loop and a track choice that must come back with it.
    project::Project crashed;
    crashed.song = makeTwoTrackSong();
    crashed.recoveryFor = QStringLiteral("");
    crashed.trainingTracks = {1};
    crashed.loop = project::LoopRange{true, 0, 1920};
    const QString leftover = QDir(MainWindow::recoveryDirectory()).filePath("crashed.torchestra");
    ASSERT_EQ(project::ProjectFile::write(leftover, crashed), "");

    int asked = 0;
    QThread* askedOn = nullptr;
    m_window->setRecoveryPrompt([&](const QString&, const QDateTime&) {
        ++asked;
        askedOn = QThread::currentThread();
        return true;
    });
    QSignalSpy checked(m_window.get(), &MainWindow::recoveryChecked);
    // The start-up call returns before any file is read or the user asked.
    m_window->checkForRecovery();
    EXPECT_TRUE(m_window->isCheckingRecovery());
    EXPECT_EQ(asked, 0);
    EXPECT_EQ(m_window->song().noteCount(), 0u);

    ASSERT_TRUE(waitUntil([&] { return checked.count() > 0; }, 10000));
    EXPECT_TRUE(checked.at(0).at(0).toBool());
    EXPECT_FALSE(m_window->isCheckingRecovery());
    EXPECT_EQ(asked, 1);
    EXPECT_EQ(askedOn, m_window->thread()); // the question is asked on the GUI thread
    EXPECT_TRUE(m_window->song().sameContent(crashed.song, false));
    EXPECT_TRUE(m_window->isModified());
    EXPECT_FALSE(QFile::exists(leftover));
    EXPECT_EQ(m_window->trainingTracks(), std::vector<int>{1});
    EXPECT_EQ(m_window->trainPanel()->trainingTracks(), std::vector<int>{1});
    EXPECT_TRUE(m_window->playback()->loopEnabled());
    EXPECT_EQ(m_window->playback()->loopEnd(), 1920);
}

TEST_F(ProjectStateTest, RecoveryWaitsForUnsavedChangesMadeWhileItRead) {
    project::Project crashed;
    crashed.song = makeTwoTrackSong();
    crashed.recoveryFor = QStringLiteral("");
    const QString leftover = QDir(MainWindow::recoveryDirectory()).filePath("crashed.torchestra");
    ASSERT_EQ(project::ProjectFile::write(leftover, crashed), "");
    ASSERT_TRUE(open(*m_window, m_files[0]));
    m_window->generatePanel()->barsBox()->stepBy(1); // an unsaved change
    ASSERT_TRUE(m_window->isModified());

    m_window->setRecoveryPrompt([](const QString&, const QDateTime&) { return true; });
    m_promptAnswer = MainWindow::SaveChoice::Cancel;
    m_prompts = 0;
    QSignalSpy checked(m_window.get(), &MainWindow::recoveryChecked);
    m_window->checkForRecovery();
    ASSERT_TRUE(waitUntil([&] { return checked.count() > 0; }, 10000));
    EXPECT_EQ(m_prompts, 1);
    EXPECT_FALSE(checked.at(0).at(0).toBool());
    EXPECT_EQ(m_window->currentPath(), m_files[0]) << "Cancel keeps the open song";
    EXPECT_TRUE(QFile::exists(leftover)) << "and the recovery for next time";
    m_promptAnswer = MainWindow::SaveChoice::Discard;
}

} // namespace
} // namespace torchestra::ui::test
