// The GAN through the window, as a musician meets it: chosen in the Train panel, trained on
// the files to a saved model (its curves on the chart: critic, generator, validation), then
// Generate writes variations after a selection and Accept takes one as one undo step.
#include "LearningTestSupport.h"

#include "ui/panels/GeneratePanel.h"
#include "ui/panels/LossChart.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/pianoroll/PianoRollView.h"

#include "model/UndoStack.h"

#include <QLineSeries>
#include <QListWidget>
#include <QSpinBox>

namespace torchestra::ui::test {
namespace {

TEST(GanPanel, TrainsAGanThenGeneratesAndAcceptsAVariation) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    MainWindow window;
    const TrainingFiles files = showLearningWindow(window, dir);
    QSignalSpy loaded(&window, &MainWindow::fileLoaded);
    window.openFile(files.good[0]);
    ASSERT_TRUE(loaded.wait(10000));

    TrainPanel* train = window.trainPanel();
    train->presetBox()->setCurrentIndex(0); // Small: a 128-wide generator
    train->setOptionsAdjuster([](ml::TrainOptions& o) { o.epochs = 1; }); // seconds, not minutes
    const QString path = trainThroughPanel(window, files.good, ml::ModelKind::Gan);
    ASSERT_FALSE(path.isEmpty());
    LossChart* chart = train->findChild<LossChart*>();
    ASSERT_NE(chart, nullptr);
    EXPECT_GT(chart->generatorSeries()->count(), 0);
    EXPECT_TRUE(chart->generatorSeries()->isVisible());
    EXPECT_GT(chart->validSeries()->count(), 0);
    EXPECT_TRUE(chart->trainSeries()->name().contains(QStringLiteral("Wasserstein")));
    ModelLibrary* library = window.modelLibrary();
    ASSERT_EQ(library->count(), 1);
    EXPECT_TRUE(library->data(library->index(0, ModelLibrary::KindColumn))
                    .toString()
                    .startsWith(QStringLiteral("GAN")));
    EXPECT_TRUE(library->data(library->index(0, ModelLibrary::LossColumn))
                    .toString()
                    .startsWith(QStringLiteral("closeness")));

    GeneratePanel* generate = window.generatePanel();
    ASSERT_EQ(generate->modelPath(), path);
    const model::TempoMap& map = window.song().tempoMap();
    window.pianoRoll()->setLoopRange(map.barToTick(0), map.barToTick(2));
    generate->barsBox()->setValue(2);
    generate->variationsBox()->setValue(2);
    QTest::mouseClick(generate->generateButton(), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return generate->state() != GeneratePanel::State::Generating; }, 30000));
    ASSERT_EQ(generate->state(), GeneratePanel::State::Done) << generate->lastError().toStdString();
    ASSERT_EQ(generate->variationList()->count(), 2);
    for (const auto& v : generate->variations())
        for (const model::Note& n : v.notes) {
            EXPECT_GE(n.start, map.barToTick(2));
            EXPECT_LE(n.end(), map.barToTick(4));
        }
    const int steps = window.undoStack().count();
    QTest::mouseClick(generate->acceptButton(), Qt::LeftButton);
    EXPECT_EQ(window.undoStack().count(), steps + 1);
    EXPECT_EQ(generate->variationList()->count(), 0);

    // The takes record how much noise carried from bar to bar, and Again makes the same notes
    // with it; a take from before the carry (none recorded) is made again without it.
    ASSERT_EQ(generate->takes().size(), 2u);
    const project::Take made = generate->takes()[1];
    EXPECT_EQ(made.provenance.constraints.value(QStringLiteral("noiseCarry")).toDouble(-1),
              ml::kDefaultNoiseCarry);
    const auto againOf = [&](const project::Take& take) {
        std::vector<project::Take> takes = generate->takes();
        takes.push_back(take);
        generate->restoreTakes(takes);
        EXPECT_TRUE(generate->againWithSeed(int(takes.size()) - 1));
        EXPECT_TRUE(QTest::qWaitFor(
            [&] { return generate->state() != GeneratePanel::State::Generating; }, 30000));
        return generate->takes().back();
    };
    EXPECT_EQ(againOf(made).notes, made.notes);
    project::Take older = made;
    older.provenance.constraints.remove(QStringLiteral("noiseCarry"));
    EXPECT_EQ(
        againOf(older).provenance.constraints.value(QStringLiteral("noiseCarry")).toDouble(-1),
        0.0);
}

} // namespace
} // namespace torchestra::ui::test
