// The GAN through the window, as a musician meets it: chosen in the Train panel, trained on
// the files to a saved model (its curves on the chart: critic, generator, validation), then
// Generate writes variations after a selection and Accept takes one as one undo step.
#include "LearningTestSupport.h"

#include "ui/panels/GeneratePanel.h"
#include "ui/panels/LossChart.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/pianoroll/PianoRollView.h"

#include "model/UndoStack.h"

#include <QJsonObject>
#include <QLineSeries>
#include <QListWidget>
#include <QSpinBox>

#include <functional>

namespace torchestra::ui::test {
namespace {

// The learning window with the first training file open.
class GanPanel : public LearningWindowTest {
protected:
    void SetUp() override {
        LearningWindowTest::SetUp();
        ASSERT_TRUE(openFirstFile());
    }
    MainWindow& window = m_window;
    const TrainingFiles& files = m_files;
};

TEST_F(GanPanel, TrainsAGanThenGeneratesAndAcceptsAVariation) {
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

// The Generate panel's "Shortest note": a GAN writes its own choice on validation (the built-in
// GAN's: each take its primer's) until the box sets one; the box is the project's, a take records
// it and Again makes the take with it; other kinds write the lengths they predict, so the box is
// off for them.
TEST_F(GanPanel, TheShortestNoteIsTheGansChoiceUnlessTheBoxSetsOne) {
    ModelLibrary* library = window.modelLibrary();
    QSignalSpy added(library, &ModelLibrary::modelAdded);
    library->load(QStringLiteral("builtin:bach-gan"));
    ASSERT_TRUE(added.wait(20000));
    GeneratePanel* generate = window.generatePanel();
    ASSERT_EQ(generate->chosenModel()->config().kind, ml::ModelKind::Gan);
    QComboBox* box = generate->shortestNoteBox();
    EXPECT_TRUE(box->isEnabled());
    EXPECT_TRUE(box->toolTip().contains(QStringLiteral("chose the primer's, up to a beat")))
        << box->toolTip().toStdString();
    const auto shortestAsked = [&] {
        ml::SampleRequest request;
        generate->useModelSampling(request);
        return request.shortestNote;
    };
    EXPECT_EQ(shortestAsked(), ml::kShortestNoteOfPrimer) << "the model's choice";
    box->setCurrentIndex(box->findText(QStringLiteral("Any length")));
    EXPECT_EQ(shortestAsked(), 0);
    box->setCurrentIndex(box->findText(QStringLiteral("A quarter")));
    EXPECT_EQ(shortestAsked(), 4) << "a beat of the model's grid";
    EXPECT_EQ(generate->settings().value(QStringLiteral("shortestNote")).toInt(), 4);

    // Two bars after the first two, with quarters the shortest: no note ends sooner unless the
    // run's end cuts it.
    const model::TempoMap& map = window.song().tempoMap();
    window.pianoRoll()->setLoopRange(map.barToTick(0), map.barToTick(2));
    generate->barsBox()->setValue(2);
    generate->variationsBox()->setValue(2);
    const auto run = [&](const std::function<void()>& start) {
        start();
        EXPECT_TRUE(QTest::qWaitFor(
            [&] { return generate->state() != GeneratePanel::State::Generating; }, 30000));
        EXPECT_EQ(generate->state(), GeneratePanel::State::Done)
            << generate->lastError().toStdString();
    };
    const model::Tick quarter = map.barToTick(1) / 4, end = map.barToTick(4);
    const auto shorterNotes = [&](const QString& shortest) {
        box->setCurrentIndex(box->findText(shortest));
        run([&] { QTest::mouseClick(generate->generateButton(), Qt::LeftButton); });
        int notes = 0, shorter = 0;
        for (const GeneratePanel::Variation& v : generate->variations())
            for (const model::Note& n : v.notes) {
                ++notes;
                shorter += n.length < quarter && n.end() < end;
            }
        EXPECT_GT(notes, 4) << shortest.toStdString();
        return shorter;
    };
    EXPECT_GT(shorterNotes(QStringLiteral("Any length")), 0);
    EXPECT_EQ(shorterNotes(QStringLiteral("A quarter")), 0);
    const project::Take made = generate->takes().back();
    EXPECT_EQ(made.provenance.constraints.value(QStringLiteral("shortestNote")).toInt(), 4);

    // Again with the box moved on: the take's own shortest note, and the same notes.
    box->setCurrentIndex(box->findText(QStringLiteral("Any length")));
    run([&] { EXPECT_TRUE(generate->againWithSeed(int(generate->takes().size()) - 1)); });
    EXPECT_EQ(box->currentText(), QStringLiteral("A quarter"));
    EXPECT_EQ(generate->takes().back().notes, made.notes);
    // A project keeps it; one from before the box has the model's choice.
    generate->restoreSettings(QJsonObject{{QStringLiteral("bars"), 2}});
    EXPECT_EQ(box->currentText(), QStringLiteral("As the model chose"));

    // A Markov model writes the lengths it predicts: the box is off.
    const QString markov = trainThroughPanel(window, files.good);
    ASSERT_FALSE(markov.isEmpty());
    ASSERT_EQ(generate->modelPath(), markov);
    EXPECT_FALSE(box->isEnabled());
    EXPECT_TRUE(box->toolTip().contains(QStringLiteral("writes the lengths it predicts")));
}

} // namespace
} // namespace torchestra::ui::test
