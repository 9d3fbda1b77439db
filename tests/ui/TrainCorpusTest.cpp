// A built corpus as the Train panel's training data: chosen with Use Corpus (read on a worker),
// shown by its report's numbers and the whole report, trained on by every kind into the model
// library, refused with the folder and the problem when it is damaged, not a corpus or built
// for another grid, copied as `--corpus DIR` for a cluster, and kept with the project.
#include "LearningTestSupport.h"

#include "ml/corpus/CorpusBuilder.h"
#include "ml/corpus/CorpusReport.h"
#include "project/ProjectFile.h"

#include <QClipboard>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QPlainTextEdit>
#include <QTreeView>

#include <atomic>

namespace torchestra::ui::test {
namespace {

// Eight bars of 4/4: a held bass on track 0 and a line of eighth notes on track 1, different
// per seed, so no two files are duplicates.
model::Song corpusSong(int seed) {
    model::Song song = ::torchestra::testkit::songIn44();
    model::Track bass;
    bass.properties.name = "Bass";
    const model::TrackId bassId = song.addTrack(bass);
    model::Track line;
    line.properties.name = "Line";
    line.properties.channel = 1;
    const model::TrackId lineId = song.addTrack(line);
    std::vector<model::Note> low, high;
    for (int bar = 0; bar < 8; ++bar) {
        const model::Tick start = model::Tick(bar) * 1920;
        low.push_back(makeNote(start, 1920, 40 + (seed + bar) % 12, 70));
        for (int k = 0; k < 8; ++k)
            high.push_back(makeNote(start + k * 240, 240, 60 + (seed * 5 + bar * 3 + k * 2) % 24,
                                    60 + 8 * (k % 4), 1));
    }
    song.addNotes(bassId, low);
    song.addNotes(lineId, high);
    return song;
}

struct BuiltCorpus {
    QString dir;
    QString midiFolder;
    ml::corpus::CorpusManifest manifest;
    ml::corpus::CorpusReport report;
};

constexpr int kSongs = 8;

// kSongs songs, a copy of one and a file that is not MIDI in `name`-midi, built as `torchestra-cli
// corpus build` would into `name`.
BuiltCorpus buildCorpus(const QTemporaryDir& tmp, const QString& name,
                        ml::corpus::CorpusBuildOptions options = {}) {
    BuiltCorpus built;
    built.midiFolder = tmp.filePath(name + QStringLiteral("-midi"));
    built.dir = tmp.filePath(name);
    EXPECT_TRUE(QDir().mkpath(built.midiFolder));
    for (int i = 0; i < kSongs; ++i) {
        const QString path = QDir(built.midiFolder).filePath(QStringLiteral("song%1.mid").arg(i));
        EXPECT_EQ(midi::writeMidiFile(QFile::encodeName(path).toStdString(), corpusSong(i)), "");
    }
    EXPECT_TRUE(QFile::copy(QDir(built.midiFolder).filePath(QStringLiteral("song0.mid")),
                            QDir(built.midiFolder).filePath(QStringLiteral("song0 copy.mid"))));
    QFile broken(QDir(built.midiFolder).filePath(QStringLiteral("voice memo.mid")));
    EXPECT_TRUE(broken.open(QIODevice::WriteOnly));
    EXPECT_EQ(broken.write("not a MIDI file"), 15);
    broken.close();
    options.threads = 1;
    options.validPermille = 300;
    std::atomic<bool> cancel{false};
    const ml::corpus::CorpusBuildResult r =
        ml::corpus::buildCorpus({QFile::encodeName(built.midiFolder).toStdString()},
                                QFile::encodeName(built.dir).toStdString(), options, cancel);
    EXPECT_TRUE(r.ok) << r.error;
    built.manifest = r.manifest;
    built.report = ml::corpus::makeCorpusReport(r.manifest);
    return built;
}

// Answers the folder dialog with `dir`, clicks Use Corpus and waits until the panel has read
// it; while it reads, Train waits too.
bool chooseCorpus(TrainPanel* panel, const QString& dir) {
    QSignalSpy shown(panel, &TrainPanel::filesScanned);
    panel->setPathChooser([dir](bool folder) {
        EXPECT_TRUE(folder);
        return QStringList{dir};
    });
    QTest::mouseClick(panel->useCorpusButton(), Qt::LeftButton);
    EXPECT_TRUE(panel->isReadingCorpus());
    EXPECT_FALSE(panel->trainButton()->isEnabled()) << "nothing to train on before it is read";
    EXPECT_TRUE(panel->corpusLabel()->text().startsWith(QStringLiteral("Reading")))
        << panel->corpusLabel()->text().toStdString();
    return shown.wait(30000) && !panel->isReadingCorpus();
}

// Clicks Train and waits for the saved model ("" when none came).
QString trainOnce(TrainPanel* panel) {
    QSignalSpy trained(panel, &TrainPanel::modelTrained);
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    if (!trained.wait(120000)) {
        ADD_FAILURE() << "no model; state " << TrainPanel::stateName(panel->state()).toStdString()
                      << ": " << panel->lastError().toStdString();
        return {};
    }
    return trained.at(0).at(0).toString();
}

void chooseKind(TrainPanel* panel, ml::ModelKind kind) {
    panel->kindBox()->setCurrentIndex(panel->kindBox()->findData(int(kind)));
    panel->presetBox()->setCurrentIndex(0); // Small
}

class TrainCorpusTest : public LearningWindowTest {};

TEST_F(TrainCorpusTest, ChosenCorpusShowsItsNumbersAndItsReport) {
    TrainPanel* panel = m_window.trainPanel();
    QSignalSpy scanned(panel, &TrainPanel::filesScanned);
    panel->setInputs(m_files.good);
    ASSERT_TRUE(scanned.wait(20000));
    ml::corpus::CorpusBuildOptions options;
    options.trackIndices = {1};
    const BuiltCorpus corpus = buildCorpus(m_dir, QStringLiteral("corpus"), options);
    const ml::corpus::CorpusReport& r = corpus.report;
    ASSERT_EQ(r.used, kSongs);
    ASSERT_GT(r.trainFiles, 0);
    ASSERT_GT(r.validFiles, 0) << "the split needs both sides for this test";

    QSignalSpy edited(panel, &TrainPanel::settingsEdited);
    ASSERT_TRUE(chooseCorpus(panel, corpus.dir));
    EXPECT_EQ(edited.count(), 1) << "the project keeps the choice";
    EXPECT_EQ(panel->modelSettings().value(QStringLiteral("corpus")).toString(), corpus.dir);
    EXPECT_EQ(panel->corpus(), corpus.dir);
    ASSERT_TRUE(panel->corpusSummary().ok()) << panel->corpusSummary().error.toStdString();
    EXPECT_TRUE(panel->corpusLabel()->isVisible());
    EXPECT_FALSE(panel->fileList()->isVisible());
    const QLocale locale;
    auto n = [&locale](long v) { return locale.toString(qlonglong(v)); };
    const QString shown = panel->corpusLabel()->text();
    EXPECT_TRUE(shown.contains(QStringLiteral("Corpus %1").arg(corpus.dir))) << shown.toStdString();
    EXPECT_TRUE(shown.contains(QStringLiteral("%1 of %2 files used, 2 refused (one a duplicate)")
                                   .arg(kSongs)
                                   .arg(kSongs + 2)))
        << shown.toStdString();
    EXPECT_TRUE(
        shown.contains(QStringLiteral("%1 steps \u00b7 %2 hours \u00b7 %3 notes")
                           .arg(n(r.steps), locale.toString(r.seconds / 3600, 'f', 2), n(r.notes))))
        << shown.toStdString();
    EXPECT_TRUE(shown.contains(
        QStringLiteral("Split: %1 files (%2 steps) to train, %3 (%4 steps) to validate")
            .arg(n(r.trainFiles), n(r.trainSteps), n(r.validFiles), n(r.validSteps))))
        << shown.toStdString();
    EXPECT_TRUE(shown.contains(QStringLiteral("Built from track(s) 1 of every file")))
        << shown.toStdString();
    // The corpus fixes the tracks: shown, not editable.
    EXPECT_EQ(panel->tracksEdit()->text(), QStringLiteral("1"));
    EXPECT_FALSE(panel->tracksEdit()->isEnabled());
    EXPECT_TRUE(panel->trainingTracks().empty()) << "the files' own choice stays";

    // The whole report, as `corpus report` prints it.
    QTest::mouseClick(panel->corpusReportButton(), Qt::LeftButton);
    auto* dialog = panel->findChild<QDialog*>(QStringLiteral("corpusReportDialog"));
    ASSERT_NE(dialog, nullptr);
    auto* text = dialog->findChild<QPlainTextEdit*>(QStringLiteral("corpusReportText"));
    ASSERT_NE(text, nullptr);
    EXPECT_TRUE(text->isReadOnly());
    EXPECT_EQ(text->toPlainText().toStdString(),
              ml::corpus::formatCorpusReport(r, corpus.manifest, corpus.dir.toStdString()));
    EXPECT_TRUE(text->toPlainText().contains(QStringLiteral("refused, not a MIDI file, or "
                                                            "damaged: 1")));
    dialog->close();
}

TEST_F(TrainCorpusTest, TrainsAMarkovModelOnTheCorpusThenGoesBackToTheFiles) {
    TrainPanel* panel = m_window.trainPanel();
    QSignalSpy scanned(panel, &TrainPanel::filesScanned);
    panel->setInputs(m_files.good);
    ASSERT_TRUE(scanned.wait(20000));
    ml::corpus::CorpusBuildOptions options;
    options.trackIndices = {1};
    const BuiltCorpus corpus = buildCorpus(m_dir, QStringLiteral("corpus"), options);
    const ml::corpus::CorpusReport& r = corpus.report;
    ASSERT_TRUE(chooseCorpus(panel, corpus.dir));
    panel->kindBox()->setCurrentIndex(panel->kindBox()->findData(int(ml::ModelKind::Markov)));

    const QString path = trainOnce(panel);
    ASSERT_FALSE(path.isEmpty());
    EXPECT_EQ(panel->state(), TrainPanel::State::Finished);
    EXPECT_EQ(panel->session()->corpus(), corpus.dir);
    // Trained on the corpus's own training split (scored steps: all but each piece's first).
    EXPECT_EQ(panel->session()->trainRate().steps, r.trainSteps - r.trainFiles);
    EXPECT_EQ(panel->session()->validRate().steps, r.validSteps - r.validFiles);
    ModelLibrary* library = m_window.modelLibrary();
    ASSERT_EQ(library->count(), 1);
    const ModelLibrary::Entry& entry = library->entry(0);
    EXPECT_EQ(entry.path, path);
    EXPECT_EQ(entry.model->config().kind, ml::ModelKind::Markov);
    EXPECT_EQ(entry.metadata.files.size(), std::size_t(kSongs));
    EXPECT_EQ(entry.metadata.trackIndices, std::vector<int>{1});
    EXPECT_GT(entry.metadata.bestValidLoss, 0.0);

    // Back to the files, as they were.
    QSignalSpy edited(panel, &TrainPanel::settingsEdited);
    QTest::mouseClick(panel->useFilesButton(), Qt::LeftButton);
    EXPECT_EQ(edited.count(), 1);
    EXPECT_TRUE(panel->corpus().isEmpty());
    EXPECT_TRUE(panel->fileList()->isVisible());
    EXPECT_EQ(panel->fileModel()->rowCount(), m_files.good.size());
    EXPECT_TRUE(panel->tracksEdit()->isEnabled());
    EXPECT_TRUE(panel->tracksEdit()->text().isEmpty());
    EXPECT_FALSE(panel->modelSettings().contains(QStringLiteral("corpus")));
    EXPECT_TRUE(panel->trainButton()->isEnabled());
}

// A corpus over the data's memory budget streams from its shards: the panel trains from it
// all the same, with the training split's size and notes taken from the corpus's index.
TEST_F(TrainCorpusTest, ACorpusOverTheMemoryBudgetTrainsStreamed) {
    TrainPanel* panel = m_window.trainPanel();
    const BuiltCorpus corpus = buildCorpus(m_dir, QStringLiteral("corpus"), {});
    const ml::corpus::CorpusReport& r = corpus.report;
    ASSERT_TRUE(chooseCorpus(panel, corpus.dir));
    panel->session()->setDataMemoryBudget(20000); // a few of the pieces
    panel->kindBox()->setCurrentIndex(panel->kindBox()->findData(int(ml::ModelKind::Markov)));
    const QString path = trainOnce(panel);
    ASSERT_FALSE(path.isEmpty()) << panel->session()->lastError().toStdString();
    EXPECT_EQ(panel->state(), TrainPanel::State::Finished);
    EXPECT_EQ(panel->session()->trainRate().steps, r.trainSteps - r.trainFiles);
    EXPECT_GT(panel->session()->trainRate().notes, r.notes / 2);
    ASSERT_EQ(m_window.modelLibrary()->count(), 1);
    EXPECT_EQ(m_window.modelLibrary()->entry(0).metadata.files.size(), std::size_t(kSongs));
}

// A corpus folder added as a folder of MIDI files (it has none: its music is in shards) is used
// as the corpus; adding files afterwards trains on files again.
TEST_F(TrainCorpusTest, AddingACorpusFolderUsesItAsTheCorpus) {
    TrainPanel* panel = m_window.trainPanel();
    QSignalSpy scanned(panel, &TrainPanel::filesScanned);
    panel->setInputs(m_files.good);
    ASSERT_TRUE(scanned.wait(20000));
    const BuiltCorpus corpus = buildCorpus(m_dir, QStringLiteral("corpus"));
    panel->setPathChooser([&](bool) { return QStringList{corpus.dir}; });
    scanned.clear();
    QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("addFolderButton")),
                      Qt::LeftButton);
    ASSERT_TRUE(scanned.wait(30000));
    EXPECT_EQ(panel->corpus(), corpus.dir);
    EXPECT_TRUE(panel->corpusSummary().ok()) << panel->corpusSummary().error.toStdString();
    EXPECT_EQ(panel->inputs(), m_files.good) << "the files stay for later";

    panel->setPathChooser([&](bool) { return QStringList{m_files.broken}; });
    scanned.clear();
    QTest::mouseClick(panel->findChild<QPushButton*>(QStringLiteral("addFilesButton")),
                      Qt::LeftButton);
    ASSERT_TRUE(scanned.wait(20000));
    EXPECT_TRUE(panel->corpus().isEmpty());
    EXPECT_TRUE(panel->inputs().contains(m_files.broken));
    EXPECT_TRUE(panel->fileList()->isVisible());
}

// RNN, LSTM and GAN read the corpus as the Markov model does; a few short epochs each.
TEST_F(TrainCorpusTest, NeuralKindsTrainFromACorpus) {
    TrainPanel* panel = m_window.trainPanel();
    const BuiltCorpus corpus = buildCorpus(m_dir, QStringLiteral("corpus"));
    ASSERT_GT(corpus.report.trainFiles, 0);
    ASSERT_TRUE(chooseCorpus(panel, corpus.dir));
    panel->setOptionsAdjuster([](ml::TrainOptions& o) {
        o.epochs = 1;
        o.stepsPerEpoch = 4;
        o.windowSteps = 64;
        o.threads = 1;
    });
    int trained = 0;
    for (ml::ModelKind kind : {ml::ModelKind::Rnn, ml::ModelKind::Lstm, ml::ModelKind::Gan}) {
        SCOPED_TRACE(ml::toString(kind));
        chooseKind(panel, kind);
        const QString path = trainOnce(panel);
        ASSERT_FALSE(path.isEmpty());
        ++trained;
        ModelLibrary* library = m_window.modelLibrary();
        const int row = library->rowOf(path);
        ASSERT_GE(row, 0);
        EXPECT_EQ(library->entry(row).model->config().kind, kind);
        EXPECT_EQ(library->entry(row).metadata.files.size(), std::size_t(kSongs));
        EXPECT_GT(panel->trainSeries()->count(), 0) << "progress reached the chart";
    }
    EXPECT_EQ(trained, 3);
}

TEST_F(TrainCorpusTest, DamagedOrForeignFoldersSayWhatIsWrongAndThePanelStaysUsable) {
    TrainPanel* panel = m_window.trainPanel();
    QSignalSpy scanned(panel, &TrainPanel::filesScanned);
    panel->setInputs(m_files.good);
    ASSERT_TRUE(scanned.wait(20000));
    const BuiltCorpus good = buildCorpus(m_dir, QStringLiteral("good"));
    const BuiltCorpus damaged = buildCorpus(m_dir, QStringLiteral("damaged"));
    const QString shard = QDir(damaged.dir).filePath(QStringLiteral("shard-00000.bin"));
    {
        QFile f(shard);
        ASSERT_TRUE(f.open(QIODevice::ReadWrite)) << shard.toStdString();
        QByteArray bytes = f.readAll();
        ASSERT_GT(bytes.size(), 100);
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x10);
        ASSERT_TRUE(f.seek(0));
        ASSERT_EQ(f.write(bytes), bytes.size());
    }
    ml::corpus::CorpusBuildOptions coarse;
    coarse.representation.stepsPerBeat = 2;
    const BuiltCorpus other = buildCorpus(m_dir, QStringLiteral("other-grid"), coarse);
    const QString missing = m_dir.filePath(QStringLiteral("moved-away"));

    struct Case {
        QString dir;
        QString problem;
    };
    const Case cases[] = {
        {damaged.dir, shard + QStringLiteral(": checksum mismatch (the shard is damaged)")},
        {good.midiFolder,
         QStringLiteral("%1 is not a corpus (it has no manifest.json)").arg(good.midiFolder)},
        {other.dir, QStringLiteral("built for another representation (steps per beat 2 in the "
                                   "corpus, 4 expected")},
        {missing, QStringLiteral("%1: no such folder").arg(missing)},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.dir.toStdString());
        ASSERT_TRUE(chooseCorpus(panel, c.dir));
        EXPECT_FALSE(panel->corpusSummary().ok());
        const QString shown = panel->corpusLabel()->text();
        EXPECT_TRUE(shown.startsWith(QStringLiteral("Not usable: "))) << shown.toStdString();
        EXPECT_TRUE(shown.contains(c.dir)) << shown.toStdString();
        EXPECT_TRUE(shown.contains(c.problem)) << shown.toStdString();
        EXPECT_TRUE(panel->statusLabel()->text().contains(c.problem))
            << panel->statusLabel()->text().toStdString();
        EXPECT_FALSE(panel->trainButton()->isEnabled());
        EXPECT_FALSE(panel->corpusReportButton()->isEnabled());
        EXPECT_TRUE(panel->useFilesButton()->isEnabled());
        EXPECT_TRUE(panel->useCorpusButton()->isEnabled());
    }
    QTest::mouseClick(panel->useFilesButton(), Qt::LeftButton);
    EXPECT_TRUE(panel->trainButton()->isEnabled()) << "the files are there again";

    // A corpus damaged after it was shown is found when Train reads it again.
    ASSERT_TRUE(chooseCorpus(panel, good.dir));
    ASSERT_TRUE(panel->trainButton()->isEnabled());
    const QString goodShard = QDir(good.dir).filePath(QStringLiteral("shard-00000.bin"));
    {
        QFile f(goodShard);
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        ASSERT_TRUE(f.seek(f.size() - 3));
        ASSERT_EQ(f.write("xyz", 3), 3);
    }
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return panel->state() == TrainPanel::State::Failed; }, 20000));
    EXPECT_TRUE(panel->lastError().contains(goodShard + QStringLiteral(": checksum mismatch")))
        << panel->lastError().toStdString();
    EXPECT_TRUE(panel->statusLabel()->text().contains(QStringLiteral("checksum mismatch")));
    EXPECT_EQ(m_window.modelLibrary()->count(), 0);
}

// "Run on: a cluster" copies `train --corpus DIR` (the CLI's tests run such a line), with no
// --tracks (the corpus has its own) and none of the files.
TEST_F(TrainCorpusTest, ClusterCommandLineNamesTheCorpus) {
    TrainPanel* panel = chooseSmallLstmOnTheGoodFiles();
    ASSERT_FALSE(HasFailure());
    ml::corpus::CorpusBuildOptions options;
    options.trackIndices = {1};
    const BuiltCorpus corpus = buildCorpus(m_dir, QStringLiteral("my corpus"), options);
    ASSERT_TRUE(chooseCorpus(panel, corpus.dir));
    ASSERT_TRUE(panel->corpusSummary().ok());
    panel->runOnBox()->setCurrentIndex(panel->runOnBox()->findData(false));
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    const QString copied = QGuiApplication::clipboard()->text();
    EXPECT_TRUE(copied.startsWith(QStringLiteral("torchestra-cli train --model lstm ")))
        << copied.toStdString();
    EXPECT_TRUE(copied.endsWith(
        QStringLiteral(" --distributed --out model.tcm --corpus '%1'").arg(corpus.dir)))
        << copied.toStdString();
    EXPECT_FALSE(copied.contains(QStringLiteral("--tracks"))) << copied.toStdString();
    for (const QString& file : m_files.good)
        EXPECT_FALSE(copied.contains(file)) << copied.toStdString();
    EXPECT_TRUE(panel->statusLabel()->text().contains(QStringLiteral("the corpus at the same")));
    EXPECT_EQ(panel->state(), TrainingSession::State::Idle) << "nothing trains here";

    QTest::mouseClick(panel->useFilesButton(), Qt::LeftButton);
    const QString files = panel->clusterCommandLine();
    EXPECT_FALSE(files.contains(QStringLiteral("--corpus"))) << files.toStdString();
    EXPECT_TRUE(files.contains(m_files.good[0])) << files.toStdString();
}

// The corpus is kept with the project, as the files are, and read again when it opens.
TEST_F(TrainCorpusTest, TheProjectKeepsTheCorpus) {
    TrainPanel* panel = m_window.trainPanel();
    ASSERT_TRUE(openFirstFile());
    EXPECT_FALSE(m_window.isModified());
    const BuiltCorpus corpus = buildCorpus(m_dir, QStringLiteral("corpus"));
    ASSERT_TRUE(chooseCorpus(panel, corpus.dir));
    EXPECT_TRUE(m_window.isModified()) << "choosing a corpus is an edit of the project";
    const QString path = m_dir.filePath(QStringLiteral("with-corpus.torchestra"));
    QSignalSpy saved(&m_window, &MainWindow::saved);
    m_window.saveProject(path);
    ASSERT_TRUE(waitUntil([&] { return saved.count() > 0; }, 10000));
    project::Project project;
    ASSERT_EQ(project::ProjectFile::read(path, project), "");
    EXPECT_EQ(project.trainingModel.value(QStringLiteral("corpus")).toString(), corpus.dir);

    MainWindow other;
    other.setShowErrorDialogs(false);
    useModelFolder(other, m_dir.filePath(QStringLiteral("models")));
    TrainPanel* again = other.trainPanel();
    QSignalSpy shown(again, &TrainPanel::filesScanned);
    QSignalSpy loaded(&other, &MainWindow::fileLoaded);
    other.openFile(path);
    ASSERT_TRUE(loaded.wait(10000));
    ASSERT_TRUE(waitUntil([&] { return !again->isReadingCorpus() && shown.count() > 0; }, 30000));
    EXPECT_EQ(again->corpus(), corpus.dir);
    EXPECT_TRUE(again->corpusSummary().ok()) << again->corpusSummary().error.toStdString();
    EXPECT_TRUE(again->trainButton()->isEnabled());
    EXPECT_FALSE(other.isModified()) << "restoring the panel is not an edit";
}

} // namespace
} // namespace torchestra::ui::test
