// The window's file work and edit bookkeeping: dirty state and the title's '*', the save prompt
// on close and open, project save/load, MIDI import/export, damaged files, autosave and
// recovery after a crash. Dialogs are replaced through the window's injection points.
#include "TestFiles.h"

#include "project/ProjectFile.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/shell/MainWindow.h"
#include "ui/tracks/TrackListModel.h"

#include "midi/MidiFile.h"
#include "model/EditCommands.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QUrl>

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

// A track's notes as comparable values, ids aside, in a canonical order.
std::vector<std::tuple<model::Tick, int, model::Tick, int, int>> noteValues(const model::Track& t) {
    std::vector<std::tuple<model::Tick, int, model::Tick, int, int>> out;
    for (const model::Note& n : t.notes())
        out.emplace_back(n.start, n.pitch, n.length, n.velocity, n.channel);
    std::sort(out.begin(), out.end());
    return out;
}

class FileWorkflowTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir.isValid());
        QSettings().clear();
        QDir(MainWindow::recoveryDirectory()).removeRecursively();
        window = makeWindow();
        smallPath = writeSong(dir, QStringLiteral("small.mid"), makeSmallSong());
    }
    void TearDown() override {
        window.reset();
        QDir(MainWindow::recoveryDirectory()).removeRecursively();
        QSettings().clear();
    }
    std::unique_ptr<MainWindow> makeWindow() {
        auto w = std::make_unique<MainWindow>();
        w->setShowErrorDialogs(false);
        w->setSavePrompt([this](const QString& name) {
            promptedFor << name;
            return promptAnswer;
        });
        w->setFileChooser(
            [this](const QString&, const QString&, const QString&) { return chosenPath; });
        w->resize(1200, 800);
        w->show();
        EXPECT_TRUE(QTest::qWaitForWindowExposed(w.get()));
        return w;
    }
    bool open(const QString& path) {
        QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
        QSignalSpy failed(window.get(), &MainWindow::loadFailed);
        window->openFile(path);
        EXPECT_TRUE(waitUntil([&] { return loaded.count() + failed.count() > 0; }));
        return loaded.count() == 1;
    }
    // Runs the window's recovery check to its end; returns whether a song was restored.
    bool recover() {
        QSignalSpy checked(window.get(), &MainWindow::recoveryChecked);
        window->checkForRecovery();
        EXPECT_TRUE(waitUntil([&] { return checked.count() > 0; }));
        return checked.count() == 1 && checked.at(0).at(0).toBool();
    }
    bool saveTo(const QString& path) {
        QSignalSpy saved(window.get(), &MainWindow::saved);
        QSignalSpy failed(window.get(), &MainWindow::saveFailed);
        window->saveProject(path);
        EXPECT_TRUE(waitUntil([&] { return saved.count() + failed.count() > 0; }));
        return saved.count() == 1;
    }
    // An edit as a user makes it: select all of the current track, transpose up.
    void edit() {
        window->pianoRoll()->setFocus();
        window->pianoRoll()->selectAll();
        ASSERT_FALSE(window->pianoRoll()->selection().empty());
        ASSERT_TRUE(window->pianoRoll()->transposeSelection(1));
    }

    QTemporaryDir dir;
    QString smallPath;
    std::unique_ptr<MainWindow> window;
    QStringList promptedFor;
    MainWindow::SaveChoice promptAnswer = MainWindow::SaveChoice::Cancel;
    QString chosenPath;
};

} // namespace

TEST_F(FileWorkflowTest, EditsMarkTheTitleAndUndoRestoresIt) {
    ASSERT_TRUE(open(smallPath));
    EXPECT_FALSE(window->isModified());
    EXPECT_EQ(window->windowTitle(), QString::fromUtf8("small.mid \u2014 Torchestra"));
    EXPECT_EQ(window->pianoRoll()->activeTrack(), window->song().trackIdAt(0))
        << "the first track with notes is the one edited";
    const model::Song before = window->song();
    edit();
    EXPECT_TRUE(window->isModified());
    EXPECT_EQ(window->windowTitle(), QString::fromUtf8("small.mid* \u2014 Torchestra"));
    QAction* undo = window->action("undo");
    ASSERT_NE(undo, nullptr);
    EXPECT_TRUE(undo->isEnabled());
    EXPECT_EQ(undo->text(), "&Undo Transpose");
    undo->trigger();
    EXPECT_TRUE(window->song().sameContent(before));
    EXPECT_FALSE(window->isModified());
    EXPECT_FALSE(window->windowTitle().contains('*'));
    EXPECT_EQ(window->action("redo")->text(), "&Redo Transpose");
    window->action("redo")->trigger();
    EXPECT_TRUE(window->isModified());
}

TEST_F(FileWorkflowTest, EditMenuActionsWorkOnTheSelection) {
    ASSERT_TRUE(open(smallPath));
    PianoRollView* roll = window->pianoRoll();
    EXPECT_FALSE(window->action("delete")->isEnabled()) << "nothing selected";
    window->action("selectAll")->trigger();
    EXPECT_EQ(roll->selection().size(), 3u);
    EXPECT_TRUE(window->action("delete")->isEnabled());
    window->action("copy")->trigger();
    window->action("delete")->trigger();
    EXPECT_EQ(window->song().trackAt(0).noteCount(), 0u);
    roll->setPlayheadTick(960);
    window->action("paste")->trigger();
    EXPECT_EQ(window->song().trackAt(0).noteCount(), 3u);
    EXPECT_EQ(window->song().trackAt(0).notes().front().start, 960);
    window->action("duplicate")->trigger();
    EXPECT_EQ(window->song().trackAt(0).noteCount(), 6u);
    window->action("octaveUp")->trigger();
    EXPECT_EQ(window->song().trackAt(0).notes().back().pitch, 67 + 12);
    for (int i = 0; i < 4; ++i)
        window->action("undo")->trigger();
    EXPECT_FALSE(window->isModified());
}

TEST_F(FileWorkflowTest, TrackChangesKeepTheCurrentTrackAndSelection) {
    ASSERT_TRUE(open(smallPath));
    const model::TrackId drums = window->song().trackIdAt(1);
    window->trackView()->selectionModel()->select(window->trackModel()->index(1, 0),
                                                  QItemSelectionModel::ClearAndSelect |
                                                      QItemSelectionModel::Rows);
    ASSERT_EQ(window->pianoRoll()->activeTrack(), drums);
    window->pianoRoll()->selectAll();
    model::TrackProperties p = window->song().trackAt(1).properties;
    p.name = "Kit";
    window->undoStack().push(std::make_unique<model::SetTrackPropertiesCommand>(drums, p));
    EXPECT_EQ(window->pianoRoll()->activeTrack(), drums);
    EXPECT_EQ(window->pianoRoll()->selection().size(), 6u);
    EXPECT_EQ(window->trackModel()->index(1, 0).data().toString(), "Kit");
}

TEST_F(FileWorkflowTest, CloseWithChangesAsksAndHonoursTheAnswer) {
    ASSERT_TRUE(open(smallPath));
    edit();
    promptAnswer = MainWindow::SaveChoice::Cancel;
    EXPECT_FALSE(window->close());
    EXPECT_TRUE(window->isVisible());
    EXPECT_EQ(promptedFor, QStringList{"small.mid"});

    // Save: an imported MIDI file has no project yet, so the chooser is asked for one.
    promptAnswer = MainWindow::SaveChoice::Save;
    chosenPath = dir.filePath("chosen"); // the suffix is added
    EXPECT_FALSE(window->close()) << "closes once the save has finished";
    ASSERT_TRUE(waitUntil([&] { return !window->isVisible(); }));
    EXPECT_TRUE(QFile::exists(dir.filePath("chosen.torchestra")));
    EXPECT_FALSE(window->isModified());
}

TEST_F(FileWorkflowTest, AFailedSaveOnCloseKeepsTheWindowOpen) {
    ASSERT_TRUE(open(smallPath));
    edit();
    promptAnswer = MainWindow::SaveChoice::Save;
    chosenPath = dir.filePath("missing/dir/x.torchestra");
    QSignalSpy failed(window.get(), &MainWindow::saveFailed);
    EXPECT_FALSE(window->close());
    ASSERT_TRUE(waitUntil([&] { return failed.count() == 1; }));
    QTest::qWait(50);
    EXPECT_TRUE(window->isVisible());
    EXPECT_TRUE(window->isModified());
    // A later save does not close the window behind the user's back.
    ASSERT_TRUE(saveTo(dir.filePath("later.torchestra")));
    QTest::qWait(50);
    EXPECT_TRUE(window->isVisible());
}

TEST_F(FileWorkflowTest, DiscardClosesWithoutSaving) {
    ASSERT_TRUE(open(smallPath));
    edit();
    promptAnswer = MainWindow::SaveChoice::Discard;
    EXPECT_TRUE(window->close());
    EXPECT_EQ(promptedFor.size(), 1);
}

TEST_F(FileWorkflowTest, CleanCloseDoesNotAsk) {
    ASSERT_TRUE(open(smallPath));
    EXPECT_TRUE(window->close());
    EXPECT_TRUE(promptedFor.isEmpty());
}

TEST_F(FileWorkflowTest, OpeningAnotherFileWithChangesAsksOnceItIsRead) {
    ASSERT_TRUE(open(smallPath));
    edit();
    const model::Song edited = window->song();
    // The question comes after the read (no load running any more), with the work still shown.
    bool askedWhileLoading = true;
    bool songKeptWhileAsking = false;
    window->setSavePrompt([&](const QString& name) {
        promptedFor << name;
        askedWhileLoading = window->isLoading();
        songKeptWhileAsking = window->song().sameContent(edited);
        return promptAnswer;
    });
    promptAnswer = MainWindow::SaveChoice::Cancel;
    QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
    window->openFile(smallPath);
    EXPECT_TRUE(window->isLoading()) << "reads first";
    EXPECT_TRUE(promptedFor.isEmpty()) << "asked before reading";
    ASSERT_TRUE(waitUntil([&] { return promptedFor.size() == 1; }));
    EXPECT_FALSE(askedWhileLoading);
    EXPECT_TRUE(songKeptWhileAsking);
    QTest::qWait(50);
    EXPECT_EQ(loaded.count(), 0);
    EXPECT_TRUE(window->song().sameContent(edited));
    EXPECT_TRUE(window->isModified());
    EXPECT_EQ(window->statusText(),
              QStringLiteral("small.mid was not opened; your changes are kept"));
    promptAnswer = MainWindow::SaveChoice::Discard;
    ASSERT_TRUE(open(smallPath));
    EXPECT_FALSE(window->isModified());
    EXPECT_EQ(promptedFor.size(), 2);
}

TEST_F(FileWorkflowTest, ABrokenFileFailsWithoutAskingAboutUnsavedWork) {
    ASSERT_TRUE(open(smallPath));
    edit();
    const model::Song edited = window->song();
    const QString broken = writeBytes(dir, QStringLiteral("broken.mid"), "MThd, but no more");
    promptAnswer = MainWindow::SaveChoice::Discard; // would lose the work, if it were asked
    QSignalSpy failed(window.get(), &MainWindow::loadFailed);
    EXPECT_FALSE(open(broken));
    EXPECT_EQ(failed.count(), 1);
    EXPECT_TRUE(promptedFor.isEmpty()) << "asked to discard work for a file that cannot open";
    EXPECT_TRUE(window->song().sameContent(edited));
    EXPECT_TRUE(window->isModified());
    EXPECT_TRUE(window->statusText().startsWith(QStringLiteral("Could not open broken.mid")));
}

TEST_F(FileWorkflowTest, ProjectSaveAndLoadRoundTrip) {
    ASSERT_TRUE(open(smallPath));
    edit();
    window->setTrainingFiles({"/music/one.mid", "/music/two.mid"});
    window->setGenerationSettings(QJsonObject{{"temperature", 1.1}, {"bars", 4}});
    window->setModelPath("/models/m.ckpt");
    const QString path = dir.filePath("song.torchestra");
    ASSERT_TRUE(saveTo(path));
    EXPECT_FALSE(window->isModified());
    EXPECT_EQ(window->projectPath(), path);
    EXPECT_EQ(window->windowTitle(), QString::fromUtf8("song.torchestra \u2014 Torchestra"));
    EXPECT_TRUE(window->recentFiles().contains(path));
    const model::Song saved = window->song();

    window->newProject();
    EXPECT_EQ(window->song().trackCount(), 1u);
    EXPECT_EQ(window->song().noteCount(), 0u);
    EXPECT_TRUE(window->projectPath().isEmpty());

    ASSERT_TRUE(open(path));
    EXPECT_TRUE(window->song().sameContent(saved, false));
    EXPECT_EQ(window->trainingFiles(), (QStringList{"/music/one.mid", "/music/two.mid"}));
    EXPECT_EQ(window->generationSettings().value("bars").toInt(), 4);
    EXPECT_EQ(window->modelPath(), "/models/m.ckpt");
    EXPECT_EQ(window->projectPath(), path);
    EXPECT_FALSE(window->isModified());

    // Save (not As) goes back to the same file, atomically replacing it.
    edit();
    QSignalSpy savedSpy(window.get(), &MainWindow::saved);
    window->action("save")->trigger();
    ASSERT_TRUE(waitUntil([&] { return savedSpy.count() == 1; }));
    EXPECT_EQ(savedSpy.at(0).at(0).toString(), path);
    project::Project onDisk;
    ASSERT_EQ(project::ProjectFile::read(path, onDisk), "");
    EXPECT_TRUE(onDisk.song.sameContent(window->song(), false));
}

TEST_F(FileWorkflowTest, ImportThenExportKeepsTheNotes) {
    const model::Song original = makeSmallSong();
    ASSERT_TRUE(open(smallPath));
    const QString out = dir.filePath("exported.mid");
    QSignalSpy exported(window.get(), &MainWindow::exported);
    window->exportMidi(out);
    ASSERT_TRUE(waitUntil([&] { return exported.count() == 1; }));

    const midi::ReadResult back = midi::readMidiFile(QFile::encodeName(out).toStdString());
    ASSERT_TRUE(back.ok) << back.error;
    EXPECT_EQ(back.format, 1);
    ASSERT_EQ(back.song.trackCount(), original.trackCount());
    for (std::size_t i = 0; i < original.trackCount(); ++i)
        EXPECT_EQ(noteValues(back.song.trackAt(i)), noteValues(original.trackAt(i))) << i;

    // And through the window again: the same notes.
    ASSERT_TRUE(open(out));
    for (std::size_t i = 0; i < original.trackCount(); ++i)
        EXPECT_EQ(noteValues(window->song().trackAt(i)), noteValues(original.trackAt(i))) << i;
}

TEST_F(FileWorkflowTest, EditedSongExportsWhatIsShown) {
    ASSERT_TRUE(open(smallPath));
    edit();
    const QString out = dir.filePath("edited.mid");
    QSignalSpy exported(window.get(), &MainWindow::exported);
    window->exportMidi(out);
    ASSERT_TRUE(waitUntil([&] { return exported.count() == 1; }));
    const midi::ReadResult back = midi::readMidiFile(QFile::encodeName(out).toStdString());
    ASSERT_TRUE(back.ok);
    EXPECT_EQ(noteValues(back.song.trackAt(0)), noteValues(window->song().trackAt(0)));
    EXPECT_TRUE(window->isModified()) << "exporting is not saving the project";
}

TEST_F(FileWorkflowTest, DamagedProjectShowsADialogAndKeepsTheSong) {
    ASSERT_TRUE(open(smallPath));
    const model::Song before = window->song();
    window->setShowErrorDialogs(true);
    const QString bad = writeBytes(dir, "bad.torchestra", "{\"format\": \"torchestra-project\", ");
    QSignalSpy failed(window.get(), &MainWindow::loadFailed);
    window->openFile(bad);
    ASSERT_TRUE(waitUntil([&] { return failed.count() == 1; }));
    auto* box = window->findChild<QMessageBox*>("loadErrorBox");
    ASSERT_NE(box, nullptr);
    EXPECT_TRUE(box->isVisible());
    EXPECT_TRUE(box->text().contains("bad.torchestra"));
    box->close();
    EXPECT_TRUE(window->song().sameContent(before));
    EXPECT_EQ(window->currentPath(), smallPath);

    // A project from a newer Torchestra says so.
    window->setShowErrorDialogs(false);
    const QString newer = writeBytes(dir, "newer.torchestra",
                                     R"({"format":"torchestra-project","version":99,"song":{}})");
    QSignalSpy failed2(window.get(), &MainWindow::loadFailed);
    window->openFile(newer);
    ASSERT_TRUE(waitUntil([&] { return failed2.count() == 1; }));
    EXPECT_TRUE(failed2.at(0).at(1).toString().contains("newer"))
        << failed2.at(0).at(1).toString().toStdString();
    EXPECT_TRUE(window->song().sameContent(before));
}

TEST_F(FileWorkflowTest, SaveFailureKeepsTheChangesAndSaysSo) {
    ASSERT_TRUE(open(smallPath));
    edit();
    EXPECT_FALSE(saveTo(dir.filePath("no/such/dir/x.torchestra")));
    EXPECT_TRUE(window->isModified());
}

TEST_F(FileWorkflowTest, AutosaveWritesARecoveryFileAndACleanSaveRemovesIt) {
    ASSERT_TRUE(open(smallPath));
    QSignalSpy autosaved(window.get(), &MainWindow::autosaved);
    window->setAutosaveInterval(30);
    QTest::qWait(100);
    EXPECT_EQ(autosaved.count(), 0) << "nothing to autosave while unchanged";
    edit();
    ASSERT_TRUE(waitUntil([&] { return autosaved.count() >= 1; }));
    const QString recovery = window->recoveryFilePath();
    EXPECT_TRUE(recovery.startsWith(MainWindow::recoveryDirectory()));
    ASSERT_TRUE(QFile::exists(recovery));
    project::Project project;
    ASSERT_EQ(project::ProjectFile::read(recovery, project), "");
    EXPECT_TRUE(project.song.sameContent(window->song(), false));
    EXPECT_EQ(project.recoveryFor, "");

    ASSERT_TRUE(saveTo(dir.filePath("clean.torchestra")));
    EXPECT_FALSE(QFile::exists(recovery));
}

TEST_F(FileWorkflowTest, RecoveryIsOfferedAfterACrash) {
    // What a crashed session leaves: a recovery file with no live lock beside it.
    ASSERT_TRUE(open(smallPath));
    edit();
    project::Project crashed;
    crashed.song = window->song();
    crashed.recoveryFor = "";
    const QString leftover = QDir(MainWindow::recoveryDirectory()).filePath("crashed.torchestra");
    ASSERT_EQ(project::ProjectFile::write(leftover, crashed), "");

    promptAnswer = MainWindow::SaveChoice::Discard;
    window.reset();
    window = makeWindow();
    int asked = 0;
    window->setRecoveryPrompt([&](const QString& name, const QDateTime& when) {
        ++asked;
        EXPECT_EQ(name, "an untitled song");
        EXPECT_TRUE(when.isValid());
        return true;
    });
    ASSERT_TRUE(recover());
    EXPECT_EQ(asked, 1);
    EXPECT_TRUE(window->song().sameContent(crashed.song, false));
    EXPECT_TRUE(window->isModified());
    EXPECT_TRUE(window->windowTitle().contains('*'));
    EXPECT_FALSE(QFile::exists(leftover));
    // Nothing left to offer next time.
    EXPECT_FALSE(recover());
}

TEST_F(FileWorkflowTest, StaleRecoveryIsDroppedAndLiveSessionsAreLeftAlone) {
    // A recovery older than its project (the project was saved later): not offered.
    const QString projectPath = dir.filePath("p.torchestra");
    project::Project project;
    project.song = makeSmallSong();
    project.recoveryFor = projectPath;
    const QString stale = QDir(MainWindow::recoveryDirectory()).filePath("old.torchestra");
    ASSERT_EQ(project::ProjectFile::write(stale, project), "");
    QFile(stale).setFileTime(QDateTime::currentDateTime().addSecs(-3600),
                             QFileDevice::FileModificationTime);
    project.recoveryFor.clear();
    ASSERT_EQ(project::ProjectFile::write(projectPath, project), "");

    // Another live window's autosave.
    auto other = makeWindow();
    ASSERT_TRUE(QFile::copy(smallPath, dir.filePath("o.mid")));
    {
        QSignalSpy loaded(other.get(), &MainWindow::fileLoaded);
        other->openFile(dir.filePath("o.mid"));
        ASSERT_TRUE(waitUntil([&] { return loaded.count() == 1; }));
    }
    QSignalSpy autosaved(other.get(), &MainWindow::autosaved);
    other->pianoRoll()->selectAll();
    ASSERT_TRUE(other->pianoRoll()->deleteSelection());
    other->setAutosaveInterval(20);
    ASSERT_TRUE(waitUntil([&] { return autosaved.count() >= 1; }));

    int asked = 0;
    window->setRecoveryPrompt([&](const QString&, const QDateTime&) {
        ++asked;
        return true;
    });
    EXPECT_FALSE(recover());
    EXPECT_EQ(asked, 0);
    EXPECT_FALSE(QFile::exists(stale));
    EXPECT_TRUE(QFile::exists(other->recoveryFilePath()));
    promptAnswer = MainWindow::SaveChoice::Discard;
}

TEST_F(FileWorkflowTest, DroppedProjectsOpenAndRecentFilesListThem) {
    ASSERT_TRUE(open(smallPath));
    const QString path = dir.filePath("dropped.torchestra");
    ASSERT_TRUE(saveTo(path));
    window->newProject();

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(300, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window.get(), &enter);
    EXPECT_TRUE(enter.isAccepted());
    QSignalSpy loaded(window.get(), &MainWindow::fileLoaded);
    QDropEvent drop(QPointF(300, 300), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(window.get(), &drop);
    ASSERT_TRUE(waitUntil([&] { return loaded.count() == 1; }));
    EXPECT_EQ(window->projectPath(), path);
    EXPECT_EQ(window->song().noteCount(), 9u);
    EXPECT_EQ(window->recentFiles().value(0), path);
    EXPECT_EQ(window->recentFiles().value(1), smallPath);
}

TEST_F(FileWorkflowTest, NewProjectIsReadyToDrawIn) {
    window->newProject();
    EXPECT_EQ(window->windowTitle(), QString::fromUtf8("Untitled \u2014 Torchestra"));
    PianoRollView* roll = window->pianoRoll();
    ASSERT_NE(roll->activeTrack(), model::kNoTrack);
    roll->setTool(PianoRollView::Tool::Draw);
    roll->centreOnPitch(60);
    const PianoRollGeometry& g = roll->rollGeometry();
    const QPoint p(int(g.tickToX(480 + 30)), int(g.pitchToY(60) + g.keyHeight() / 2));
    QTest::mouseClick(roll->viewport(), Qt::LeftButton, {}, p);
    ASSERT_EQ(window->song().noteCount(), 1u);
    EXPECT_EQ(window->song().trackAt(0).notes().at(0).start, 480);
    EXPECT_EQ(window->windowTitle(), QString::fromUtf8("Untitled* \u2014 Torchestra"));
    promptAnswer = MainWindow::SaveChoice::Discard;
}
