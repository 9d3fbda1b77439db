// Training by time in the Train panel: the "Train for" choices give the options the command
// line's budget gives (one source), the project keeps the choice (and still reads an older
// project's epochs), and the best model so far is in the library while training goes on, ready
// for the Generate panel.
#include "LearningTestSupport.h"

#include "ui/panels/GeneratePanel.h"
#include "ui/pianoroll/PianoRollView.h"

#include <QClipboard>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>

#include <cstdio>

namespace torchestra::ui::test {
namespace {

// Every field a run's behaviour depends on (the callback aside: the session sets it).
void expectSameOptions(const ml::TrainOptions& a, const ml::TrainOptions& b) {
    EXPECT_EQ(a.epochs, b.epochs);
    EXPECT_EQ(a.batchSize, b.batchSize);
    EXPECT_EQ(a.windowSteps, b.windowSteps);
    EXPECT_EQ(a.stepsPerEpoch, b.stepsPerEpoch);
    EXPECT_EQ(a.learningRate, b.learningRate);
    EXPECT_EQ(a.clipNorm, b.clipNorm);
    EXPECT_EQ(a.weightDecay, b.weightDecay);
    EXPECT_EQ(a.averageDecay, b.averageDecay);
    EXPECT_EQ(a.inputDropout, b.inputDropout);
    EXPECT_EQ(a.lrPatience, b.lrPatience);
    EXPECT_EQ(a.lrDecay, b.lrDecay);
    EXPECT_EQ(a.patience, b.patience);
    EXPECT_EQ(a.transpose, b.transpose);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.threads, b.threads);
    EXPECT_EQ(a.maxMinutes, b.maxMinutes);
    EXPECT_EQ(a.keepResumedLearningRate, b.keepResumedLearningRate);
}

// Short epochs on one thread: the first snapshot comes within seconds even while other work
// keeps both cores busy (the budget's own epochs are at least 50 batches of 8 x 128 steps).
void quickEpochs(ml::TrainOptions& o) {
    o.stepsPerEpoch = 8;
    o.windowSteps = 64;
    o.threads = 1;
}

class TrainByTimeTest : public LearningWindowTest {};

// Each kind, each choice of the box (driven as a user does): the panel trains with exactly what
// ml::defaultTrainOptions(model, minutes) gives, which `train --max-minutes` uses too.
TEST_F(TrainByTimeTest, EachTrainForChoiceTrainsWithTheCommandLinesOptions) {
    TrainPanel* panel = m_window.trainPanel();
    QComboBox* trainFor = panel->trainForBox();
    ASSERT_EQ(trainFor->count(), int(ml::trainBudgetChoices().size()));
    EXPECT_EQ(trainFor->itemText(0), QStringLiteral("1 minute"));
    EXPECT_EQ(trainFor->itemText(1), QStringLiteral("5 minutes"));
    EXPECT_EQ(trainFor->itemText(trainFor->count() - 1),
              QStringLiteral("Until it stops improving"));
    EXPECT_EQ(panel->trainMinutes(), ml::kDefaultTrainBudgetMinutes);
    for (int k = 0; k < panel->kindBox()->count(); ++k) {
        panel->kindBox()->setCurrentIndex(k);
        const ml::ModelKind kind = panel->modelConfig().kind;
        EXPECT_EQ(trainFor->isEnabled(), kind != ml::ModelKind::Markov);
        for (int i = 0; i < trainFor->count(); ++i) {
            trainFor->setCurrentIndex(i);
            const double minutes = ml::trainBudgetChoices()[std::size_t(i)];
            SCOPED_TRACE(std::string(ml::toString(kind)) + ", " + std::to_string(minutes));
            EXPECT_EQ(panel->trainMinutes(), minutes);
            expectSameOptions(panel->trainOptions(),
                              ml::defaultTrainOptions(panel->modelConfig(), minutes));
            EXPECT_EQ(panel->modelConfig().representation.lookback,
                      ml::defaultLookback(kind, panel->modelConfig().head));
        }
    }
}

TEST_F(TrainByTimeTest, TheProjectKeepsTheChoiceAndReadsAnOlderProjectsEpochs) {
    TrainPanel* panel = m_window.trainPanel();
    QSignalSpy edited(panel, &TrainPanel::settingsEdited);
    panel->trainForBox()->setCurrentIndex(panel->trainForBox()->findData(60.0));
    EXPECT_EQ(edited.count(), 1) << "choosing is an edit";
    QJsonObject saved = panel->modelSettings();
    EXPECT_EQ(saved.value(QStringLiteral("trainMinutes")).toDouble(), 60.0);
    EXPECT_FALSE(saved.contains(QStringLiteral("epochs")));
    panel->trainForBox()->setCurrentIndex(0);
    edited.clear();
    panel->restoreModelSettings(saved);
    EXPECT_EQ(panel->trainMinutes(), 60.0);
    EXPECT_EQ(edited.count(), 0) << "restoring is not an edit";
    // Until it stops improving is 0 minutes, not a missing value.
    panel->trainForBox()->setCurrentIndex(panel->trainForBox()->count() - 1);
    saved = panel->modelSettings();
    panel->trainForBox()->setCurrentIndex(0);
    panel->restoreModelSettings(saved);
    EXPECT_EQ(panel->trainMinutes(), 0.0);
    // A project from before: "epochs" is no time; the kind and size still come back.
    edited.clear();
    panel->restoreModelSettings(QJsonObject{{QStringLiteral("kind"), QStringLiteral("lstm")},
                                            {QStringLiteral("preset"), QStringLiteral("small")},
                                            {QStringLiteral("epochs"), 7}});
    EXPECT_EQ(panel->modelConfig().kind, ml::ModelKind::Lstm);
    EXPECT_EQ(panel->presetBox()->currentIndex(), 0);
    EXPECT_EQ(panel->trainMinutes(), ml::kDefaultTrainBudgetMinutes);
    EXPECT_EQ(edited.count(), 0) << "restoring is not an edit";
}

// The acceptance test of issue #13: an LSTM trains; its first snapshot appears in the library;
// the Generate panel generates from it while the training is still running; Cancel then ends
// the run at once and leaves no snapshot behind (a cancelled run keeps nothing).
TEST_F(TrainByTimeTest, GeneratesFromTheBestModelSoFarWhileTrainingGoesOn) {
    ASSERT_TRUE(openFirstFile());
    TrainPanel* panel = chooseSmallLstmOnTheGoodFiles();
    ASSERT_FALSE(HasFailure()) << "the files were not read";
    // Patience that outlasts the test: the run must still be training when the take comes back.
    panel->setOptionsAdjuster([](ml::TrainOptions& o) {
        quickEpochs(o);
        o.patience = 100000;
    });
    QSignalSpy snapshots(panel->session(), &TrainingSession::snapshotSaved);
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    ASSERT_TRUE(snapshots.wait(60000)) << TrainPanel::stateName(panel->state()).toStdString() << " "
                                       << panel->lastError().toStdString();
    ASSERT_EQ(panel->state(), TrainPanel::State::Training);
    const QString snapshot = snapshots.at(0).at(0).toString();
    EXPECT_TRUE(QFileInfo(snapshot).fileName().endsWith(QStringLiteral("-training.tcm")));
    EXPECT_TRUE(QFileInfo::exists(snapshot));
    ModelLibrary* library = m_window.modelLibrary();
    const int row = library->rowOf(snapshot);
    ASSERT_GE(row, 0) << "the snapshot is listed";
    EXPECT_EQ(library->entry(row).model->config().kind, ml::ModelKind::Lstm);
    EXPECT_GT(library->entry(row).metadata.bestValidLoss, 0.0);

    GeneratePanel* generate = m_window.generatePanel();
    generate->setModelPath(snapshot);
    ASSERT_EQ(generate->modelPath(), snapshot);
    const model::TempoMap& map = m_window.song().tempoMap();
    m_window.pianoRoll()->setLoopRange(map.barToTick(0), map.barToTick(2));
    generate->barsBox()->setValue(1);
    generate->variationsBox()->setValue(1);
    QTest::mouseClick(generate->generateButton(), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return generate->state() != GeneratePanel::State::Generating; }, 30000));
    ASSERT_EQ(generate->state(), GeneratePanel::State::Done) << generate->lastError().toStdString();
    EXPECT_EQ(panel->state(), TrainPanel::State::Training) << "still training when it came back";
    ASSERT_FALSE(generate->variations().empty());
    std::size_t notes = 0;
    for (const auto& v : generate->variations())
        notes += v.notes.size();
    EXPECT_GT(notes, 0u);

    QElapsedTimer cancelClock;
    cancelClock.start();
    QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return panel->state() == TrainPanel::State::Cancelled; }, 5000));
    const qint64 cancelMs = cancelClock.elapsed();
    std::printf("[ measure  ] cancel with a snapshot kept took %lld ms\n",
                static_cast<long long>(cancelMs));
    EXPECT_LT(cancelMs, 200);
    // The snapshot goes with the run (once a write in flight has landed).
    EXPECT_TRUE(QTest::qWaitFor([&] { return !QFileInfo::exists(snapshot); }, 5000));
    EXPECT_LT(library->rowOf(snapshot), 0);
    EXPECT_EQ(library->count(), 0);
    EXPECT_TRUE(
        QDir(library->directory()).entryList({QStringLiteral("*.tcm*")}, QDir::Files).isEmpty())
        << "no snapshot or temporary file left behind";
}

// After three validations the panel says where validation is heading by the end of the budget
// (or that it is not falling), in the units of the chart.
TEST_F(TrainByTimeTest, SaysWhereValidationIsHeadingAfterThreeValidations) {
    TrainPanel* panel = chooseSmallLstmOnTheGoodFiles();
    ASSERT_FALSE(HasFailure()) << "the files were not read";
    panel->setOptionsAdjuster([](ml::TrainOptions& o) {
        quickEpochs(o);
        o.patience = 100000;
    });
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor([&] { return !panel->forecastLabel()->text().isEmpty(); }, 30000))
        << TrainPanel::stateName(panel->state()).toStdString();
    EXPECT_EQ(panel->state(), TrainPanel::State::Training);
    const QString text = panel->forecastLabel()->text();
    EXPECT_TRUE((text.startsWith(QStringLiteral("Validation heading for about")) &&
                 text.endsWith(QStringLiteral("bits/note by 5:00"))) ||
                text.contains(QStringLiteral("not falling")))
        << text.toStdString();
    QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return panel->state() == TrainPanel::State::Cancelled; }, 5000));
}

// A run that ends by itself leaves its final model, never its snapshot.
TEST_F(TrainByTimeTest, AFinishedRunLeavesItsFinalModelAndNoSnapshot) {
    TrainPanel* panel = m_window.trainPanel();
    panel->presetBox()->setCurrentIndex(0); // Small
    panel->setOptionsAdjuster([](ml::TrainOptions& o) {
        quickEpochs(o);
        o.epochs = 2;
    });
    QSignalSpy snapshots(panel->session(), &TrainingSession::snapshotSaved);
    const QString path = trainThroughPanel(m_window, m_files.good, ml::ModelKind::Lstm);
    ASSERT_FALSE(path.isEmpty());
    EXPECT_FALSE(path.endsWith(QStringLiteral("-training.tcm")));
    EXPECT_GE(snapshots.count(), 1) << "the first epoch improved on nothing: a snapshot";
    ModelLibrary* library = m_window.modelLibrary();
    EXPECT_TRUE(QTest::qWaitFor(
        [&] {
            return QDir(library->directory())
                       .entryList({QStringLiteral("*.tcm*")}, QDir::Files)
                       .size() == 1;
        },
        5000))
        << QDir(library->directory()).entryList().join(QLatin1Char(' ')).toStdString();
    EXPECT_EQ(library->count(), 1);
    EXPECT_EQ(library->rowOf(path), 0);
    EXPECT_EQ(m_window.generatePanel()->modelPath(), path) << "the final model is the choice";
    EXPECT_TRUE(panel->session()->snapshotPath().isEmpty());
}

// "Run on: a cluster": Train copies the command line that trains the chosen model with the
// chosen files and tracks on every machine (ml::trainCommandArguments, which the command-line
// tests run), and nothing trains here.
TEST_F(TrainByTimeTest, RunOnAClusterCopiesTheCommandLineInsteadOfTraining) {
    TrainPanel* panel = chooseSmallLstmOnTheGoodFiles();
    ASSERT_FALSE(HasFailure());
    panel->tracksEdit()->setText(QStringLiteral("0"));
    QTest::keyClick(panel->tracksEdit(), Qt::Key_Return);
    panel->runOnBox()->setCurrentIndex(panel->runOnBox()->findData(false));
    EXPECT_EQ(panel->trainButton()->text(), QStringLiteral("Copy Command Line"));
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
    const QString copied = QGuiApplication::clipboard()->text();
    const ml::ModelConfig config = panel->modelConfig();
    EXPECT_TRUE(copied.startsWith(QStringLiteral("torchestra-cli train --model lstm --head "
                                                 "independent --hidden %1 --layers %2 ")
                                      .arg(config.hidden)
                                      .arg(config.layers)))
        << copied.toStdString();
    EXPECT_TRUE(copied.contains(QStringLiteral(" --max-minutes %1 ").arg(panel->trainMinutes())))
        << copied.toStdString();
    EXPECT_TRUE(copied.contains(QStringLiteral(" --tracks 0 --distributed --out model.tcm ")))
        << copied.toStdString();
    for (const QString& input : panel->inputs())
        EXPECT_TRUE(copied.contains(input)) << copied.toStdString();
    EXPECT_EQ(panel->state(), TrainingSession::State::Idle) << "nothing trains here";
    EXPECT_TRUE(panel->statusLabel()->text().startsWith(QStringLiteral("Copied the command line")));
    panel->runOnBox()->setCurrentIndex(panel->runOnBox()->findData(true));
    EXPECT_EQ(panel->trainButton()->text(), QStringLiteral("Train"));
}

} // namespace
} // namespace torchestra::ui::test
