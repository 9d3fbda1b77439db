#pragma once

// What the Train and Generate panel tests share: training files written from the demo song, a
// window whose model library lives in a temporary folder, and training a tiny Markov model
// through the Train panel's own widgets.

#include "DemoSong.h"
#include "TestFiles.h"

#include "ui/panels/ModelLibrary.h"
#include "ui/panels/TrainPanel.h"
#include "ui/shell/MainWindow.h"

#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

namespace torchestra::ui::test {

// The most notes sounding at once among `notes`.
inline int mostNotesAtOnce(const std::vector<model::Note>& notes) {
    int most = 0;
    for (const model::Note& a : notes) {
        int at = 0;
        for (const model::Note& b : notes)
            at += b.start <= a.start && a.start < b.start + b.length;
        most = std::max(most, at);
    }
    return most;
}

// The song's last pitched track (not drums, not empty) that plays one note at a time, and its
// last that plays chords (notes overlapping); kNoTrack where there is none.
struct MelodyAndChords {
    model::TrackId melody = model::kNoTrack, chords = model::kNoTrack;
};
inline MelodyAndChords melodyAndChords(const model::Song& song) {
    MelodyAndChords found;
    for (std::size_t i = 0; i < song.tracks().size(); ++i) {
        const model::Track& t = song.trackAt(i);
        if (t.properties.channel == 9 || t.notes().empty())
            continue;
        (mostNotesAtOnce(t.notes()) > 1 ? found.chords : found.melody) = song.trackIdAt(i);
    }
    return found;
}

// The demo song three times under different names (so one file is held out for validation),
// plus a file that is not MIDI at all.
struct TrainingFiles {
    QStringList good;
    QString broken;
};

inline TrainingFiles writeTrainingFiles(const QTemporaryDir& dir) {
    TrainingFiles files;
    const model::Song demo = makeDemoSong();
    for (const char* name : {"demo-a.mid", "demo-b.mid", "demo-c.mid"})
        files.good << writeSong(dir, QLatin1String(name), demo);
    files.broken = writeBytes(dir, QStringLiteral("broken.mid"), "this is not a MIDI file");
    return files;
}

// A window whose model library is an empty temporary folder, without the built-in models
// (FirstRunTest and ModelLibraryTest cover those), so what it lists is what a test trained.
inline void useModelFolder(MainWindow& window, const QString& folder) {
    ModelLibrary* library = window.modelLibrary();
    library->setDirectory(folder);
    library->setBuiltinsShown(false);
    QSignalSpy refreshed(library, &ModelLibrary::refreshed);
    library->refresh();
    ASSERT_TRUE(refreshed.wait(10000));
}

// Chooses `kind` in the Train panel and clicks Train; returns the saved model's path ("" on
// failure).
inline QString trainThroughPanel(MainWindow& window, const QStringList& files,
                                 ml::ModelKind kind = ml::ModelKind::Markov) {
    TrainPanel* panel = window.trainPanel();
    QSignalSpy scanned(panel, &TrainPanel::filesScanned);
    panel->setPathChooser([files](bool) { return files; });
    QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("addFilesButton")),
                      Qt::LeftButton);
    EXPECT_TRUE(scanned.wait(20000));
    QComboBox* kindBox = panel->kindBox();
    kindBox->setCurrentIndex(kindBox->findData(int(kind)));
    QSignalSpy trained(panel, &TrainPanel::modelTrained);
    if (!panel->trainButton()->isEnabled()) {
        ADD_FAILURE() << "Train is disabled";
        return {};
    }
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    if (!trained.wait(60000)) {
        ADD_FAILURE() << "no model trained; state "
                      << TrainPanel::stateName(panel->state()).toStdString() << ": "
                      << panel->lastError().toStdString();
        return {};
    }
    return trained.at(0).at(0).toString();
}

// Opens the first good file in `window` and trains a tiny model on the good files through the
// Train panel: the model's path, "" when the file did not open or training failed.
inline QString openAndTrain(MainWindow& window, const TrainingFiles& files) {
    QSignalSpy loaded(&window, &MainWindow::fileLoaded);
    window.openFile(files.good[0]);
    if (!loaded.wait(10000))
        return {};
    return trainThroughPanel(window, files.good);
}

// The window as the learning tests use it: shown at a size where both panels fit, no error
// dialogs, models in `dir`/models, three demo files written to train on.
inline TrainingFiles showLearningWindow(MainWindow& window, const QTemporaryDir& dir) {
    window.setShowErrorDialogs(false);
    window.resize(1400, 900);
    window.show();
    useModelFolder(window, dir.filePath(QStringLiteral("models")));
    return writeTrainingFiles(dir);
}

// A fixture with that window shown and the files written (the Train panel tests').
class LearningWindowTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(m_dir.isValid());
        m_files = showLearningWindow(m_window, m_dir);
    }

    // The good files read into the Train panel and a small LSTM chosen (a run that keeps
    // training while a test watches it). A file scan that never ends is a failure: check
    // HasFailure() after it.
    TrainPanel* chooseSmallLstmOnTheGoodFiles() {
        TrainPanel* panel = m_window.trainPanel();
        QSignalSpy scanned(panel, &TrainPanel::filesScanned);
        panel->setInputs(m_files.good);
        EXPECT_TRUE(scanned.wait(20000));
        panel->kindBox()->setCurrentIndex(panel->kindBox()->findData(int(ml::ModelKind::Lstm)));
        panel->presetBox()->setCurrentIndex(0); // Small
        return panel;
    }

    // Opens the first good file in the window; false when it did not load.
    bool openFirstFile() {
        QSignalSpy loaded(&m_window, &MainWindow::fileLoaded);
        m_window.openFile(m_files.good[0]);
        return loaded.wait(10000);
    }

    QTemporaryDir m_dir;
    MainWindow m_window;
    TrainingFiles m_files;
};

} // namespace torchestra::ui::test
