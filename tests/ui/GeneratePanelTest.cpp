// The Generate panel, driven through its widgets after a tiny Markov model was trained through
// the Train panel: variations as overlays and list entries, accept as one undo step, discard,
// regenerate the selected bars, cancel, audition, the settings kept in the project, and the
// numbers beside every take (closeness, NLL, the copy warning).
#include "LearningTestSupport.h"
#include "common/GanChoices.h"

#include "ml/Checkpoint.h"
#include "ml/MarkovModel.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/TakeNumbers.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"

#include "model/Track.h"
#include "model/UndoStack.h"

#include <QAction>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QListWidget>
#include <QSpinBox>
#include <QTreeWidget>

#include <QFile>
#include <QJsonObject>
#include <QLabel>

#include <algorithm>

namespace torchestra::ui::test {
namespace {

std::vector<model::Note> sorted(std::vector<model::Note> notes) {
    std::sort(notes.begin(), notes.end(), [](const model::Note& a, const model::Note& b) {
        if (a.start != b.start)
            return a.start < b.start;
        if (a.pitch != b.pitch)
            return a.pitch < b.pitch;
        return a.length < b.length;
    });
    return notes;
}

// The track's notes starting in [from, to).
std::vector<model::Note> startingIn(const model::Song& song, model::TrackId track, model::Tick from,
                                    model::Tick to) {
    std::vector<model::Note> out;
    for (const model::Note& n : song.track(track)->notes())
        if (n.start >= from && n.start < to)
            out.push_back(n);
    return sorted(out);
}

bool sameNotes(const std::vector<model::Note>& a, const std::vector<model::Note>& b) {
    if (a.size() != b.size())
        return false;
    const std::vector<model::Note> x = sorted(a), y = sorted(b);
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!model::sameContent(x[i], y[i]))
            return false;
    return true;
}

// Waits for the numbers of the shown takes; false when they do not come.
bool waitForNumbers(GeneratePanel* panel) {
    QSignalSpy assessed(panel, &GeneratePanel::takesAssessed);
    return !panel->numbersPending() || assessed.wait(30000);
}

QString itemRole(const GeneratePanel* panel, int row, int role) {
    return panel->variationList()->item(row)->data(role).toString();
}

class GeneratePanelTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(m_dir.isValid());
        m_files = showLearningWindow(m_window, m_dir);
        m_modelPath = openAndTrain(m_window, m_files);
        ASSERT_FALSE(m_modelPath.isEmpty());
        m_panel = m_window.generatePanel();
        ASSERT_EQ(m_panel->modelPath(), m_modelPath);
        m_track = m_window.pianoRoll()->activeTrack();
        ASSERT_NE(m_track, model::kNoTrack);
        ASSERT_GT(m_window.song().track(m_track)->noteCount(), 0u);
    }

    model::Tick bar(int index) const { return m_window.song().tempoMap().barToTick(index); }

    // Clicks `button` and waits for the run to end; returns the final state.
    GeneratePanel::State run(QPushButton* button) {
        QTest::mouseClick(button, Qt::LeftButton);
        (void)QTest::qWaitFor([&] { return m_panel->state() != GeneratePanel::State::Generating; },
                              30000);
        return m_panel->state();
    }

    // The library's row of the model at `path`; -1 if it lists none.
    int rowOf(const QString& path) const {
        const ModelLibrary* library = m_window.modelLibrary();
        for (int i = 0; i < library->count(); ++i)
            if (library->entry(i).path == path)
                return i;
        return -1;
    }

    // A model that chose its temperature (0.7) and the bar's rhythm on validation, as train
    // writes it, saved in the library's folder and listed; its path. With `harmonyChosen`, the
    // choices a GAN makes instead (its harmony along the training progressions, and the rest).
    QString addCalibratedModel(bool harmonyChosen = false, bool figuresChosen = false) {
        ml::ModelConfig config;
        config.kind = ml::ModelKind::Markov;
        ml::MarkovModel markov(config);
        markov.train({ml::songToSequence(makeDemoSong(), config.representation)});
        ml::TrainingMetadata meta;
        meta.sampling.temperature = 0.7;
        meta.sampling.closeness = 0.6;
        meta.sampling.tried = {{1.0, 0.4}, {0.9, 0.5}, {0.8, 0.55}, {0.7, 0.6}, {0.6, 0.58}};
        meta.sampling.rhythm = ml::kRhythmOddsTried;
        meta.sampling.triedWithRhythm = {
            {1.0, 0.5}, {0.9, 0.55}, {0.8, 0.58}, {0.7, 0.59}, {0.6, 0.5}};
        if (figuresChosen) {
            meta.sampling.rhythm = ml::kFigureOddsTried;
            meta.sampling.triedFigures = {{0.7, 0.59}, {0.1, 0.6}};
        }
        if (harmonyChosen)
            meta.sampling = torchestra::test::ganChoicesExample();
        const QString path =
            m_dir.filePath(harmonyChosen   ? QStringLiteral("models/harmony.tcm")
                           : figuresChosen ? QStringLiteral("models/figures.tcm")
                                           : QStringLiteral("models/calibrated.tcm"));
        EXPECT_EQ(ml::saveCheckpoint(path.toStdString(), markov, meta), "");
        QSignalSpy refreshed(m_window.modelLibrary(), &ModelLibrary::refreshed);
        m_window.modelLibrary()->refresh();
        EXPECT_TRUE(refreshed.wait(10000));
        return path;
    }

    int firstNonEmptyVariation() const {
        for (std::size_t i = 0; i < m_panel->variations().size(); ++i)
            if (!m_panel->variations()[i].notes.empty())
                return int(i);
        return -1;
    }

    QTemporaryDir m_dir;
    MainWindow m_window;
    TrainingFiles m_files;
    QString m_modelPath;
    GeneratePanel* m_panel = nullptr;
    model::TrackId m_track = model::kNoTrack;
};

TEST_F(GeneratePanelTest, GeneratesVariationsAndAcceptsOneAsOneUndoStep) {
    // The primer: bars 1-2 (the loop range); write 2 bars after them, 3 variations.
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(3);
    m_panel->seedBox()->setValue(7);
    ASSERT_EQ(run(m_panel->generateButton()), GeneratePanel::State::Done)
        << m_panel->lastError().toStdString();
    EXPECT_EQ(m_panel->primerFrom(), bar(0));
    EXPECT_EQ(m_panel->targetFrom(), bar(2));
    EXPECT_EQ(m_panel->targetTo(), bar(4));
    EXPECT_EQ(m_panel->targetTrack(), m_track);

    // Three list entries and three overlays in the piano roll, the chosen one emphasised.
    const std::vector<GeneratePanel::Variation> variations = m_panel->variations(); // a copy
    ASSERT_EQ(variations.size(), 3u);
    EXPECT_EQ(m_panel->variationList()->count(), 3);
    const auto& overlays = m_window.pianoRoll()->noteOverlays();
    ASSERT_EQ(overlays.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_TRUE(sameNotes(overlays[i].notes, variations[i].notes));
        EXPECT_EQ(overlays[i].emphasised, int(i) == m_panel->currentVariation());
        for (const model::Note& n : variations[i].notes) {
            EXPECT_GE(n.start, bar(2));
            EXPECT_LE(n.end(), bar(4));
        }
    }
    const int chosen = firstNonEmptyVariation();
    ASSERT_GE(chosen, 0) << "the model wrote nothing";
    m_panel->setCurrentVariation(chosen);
    EXPECT_TRUE(m_window.pianoRoll()->noteOverlays()[std::size_t(chosen)].emphasised);

    const model::Song before = m_window.song();
    const std::vector<model::Note> expected = variations[std::size_t(chosen)].notes;
    const int steps = m_window.undoStack().count();
    QTest::mouseClick(m_panel->acceptButton(), Qt::LeftButton);
    EXPECT_EQ(m_window.undoStack().count(), steps + 1); // one step
    EXPECT_EQ(m_window.undoStack().undoLabel(),
              "Accept take " + variations[std::size_t(chosen)].name.toStdString());
    EXPECT_TRUE(sameNotes(startingIn(m_window.song(), m_track, bar(2), bar(4)), expected));
    // What follows the range is untouched.
    EXPECT_TRUE(sameNotes(startingIn(m_window.song(), m_track, bar(4), 1 << 30),
                          startingIn(before, m_track, bar(4), 1 << 30)));
    EXPECT_TRUE(m_window.pianoRoll()->noteOverlays().empty());
    EXPECT_EQ(m_panel->variationList()->count(), 0);
    EXPECT_TRUE(m_window.isModified());

    EXPECT_TRUE(m_panel->statusLabel()->text().contains("Undo"))
        << m_panel->statusLabel()->text().toStdString();

    // Undo takes the take out and brings the variations back, the accepted one chosen, and
    // the status says so (it no longer says the take is in).
    m_window.action(QStringLiteral("undo"))->trigger();
    EXPECT_TRUE(m_window.song().sameContent(before));
    ASSERT_EQ(m_panel->variations().size(), variations.size());
    EXPECT_EQ(m_panel->currentVariation(), chosen);
    EXPECT_EQ(m_window.pianoRoll()->noteOverlays().size(), variations.size());
    EXPECT_TRUE(m_panel->statusLabel()->text().contains("undone"))
        << m_panel->statusLabel()->text().toStdString();
    m_window.action(QStringLiteral("redo"))->trigger();
    EXPECT_TRUE(sameNotes(startingIn(m_window.song(), m_track, bar(2), bar(4)), expected));
}

// A model that chose its temperature on validation brings it into the panel when the user picks
// it; the user's own setting holds through a library refresh and for a model that chose none.
TEST_F(GeneratePanelTest, AChosenModelBringsTheTemperatureItChoseOnValidation) {
    ModelLibrary* library = m_window.modelLibrary();
    // SetUp's model held out one 16-bar file: 3 windows, too few to choose on.
    ASSERT_GE(rowOf(m_modelPath), 0);
    EXPECT_FALSE(library->entry(rowOf(m_modelPath)).metadata.sampling.calibrated());

    const QString calibratedPath = addCalibratedModel();
    const int calibrated = rowOf(calibratedPath), trained = rowOf(m_modelPath);
    ASSERT_GE(calibrated, 0);
    ASSERT_GE(trained, 0);
    EXPECT_TRUE(ModelLibrary::describe(library->entry(calibrated))
                    .contains(QStringLiteral("temperature 0.7 and the bar's rhythm kept, chosen "
                                             "on validation")))
        << ModelLibrary::describe(library->entry(calibrated)).toStdString();

    // As the user picks: the keyboard on the combo box (it emits activated).
    QComboBox* models = m_panel->findChild<QComboBox*>(QStringLiteral("generateModelBox"));
    ASSERT_NE(models, nullptr);
    auto pick = [&](int row) {
        models->setFocus();
        while (models->currentIndex() != row) {
            const int before = models->currentIndex();
            QTest::keyClick(models, row > before ? Qt::Key_Down : Qt::Key_Up);
            if (models->currentIndex() == before)
                break;
        }
    };
    m_panel->temperatureBox()->setValue(1.4);
    pick(trained);
    ASSERT_EQ(models->currentIndex(), trained);
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 1.4);
    EXPECT_TRUE(m_panel->modelRhythm().isDefault()); // chose nothing: its sampler's own
    pick(calibrated);
    ASSERT_EQ(models->currentIndex(), calibrated);
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 0.7);
    EXPECT_DOUBLE_EQ(m_panel->modelRhythm().startOdds, ml::kRhythmOddsTried.startOdds);
    EXPECT_DOUBLE_EQ(m_panel->modelRhythm().offBeatOdds, ml::kRhythmOddsTried.offBeatOdds);

    m_panel->temperatureBox()->setValue(1.3);
    QSignalSpy again(library, &ModelLibrary::refreshed);
    library->refresh();
    ASSERT_TRUE(again.wait(10000));
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 1.3);
    pick(rowOf(m_modelPath));
    ASSERT_EQ(models->currentIndex(), rowOf(m_modelPath));
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 1.3);
    pick(rowOf(calibratedPath));
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 0.7);
}

// Until the user or the project sets a temperature, the box shows the one the selected model
// chose (as its takes already keep the rhythm it chose), without marking the project changed.
TEST_F(GeneratePanelTest, UntilATemperatureIsSetTheBoxFollowsTheSelectedModel) {
    const QString calibratedPath = addCalibratedModel();
    const int calibrated = rowOf(calibratedPath), trained = rowOf(m_modelPath);
    ASSERT_GE(calibrated, 0);
    ASSERT_GE(trained, 0);
    QComboBox* models = m_panel->findChild<QComboBox*>(QStringLiteral("generateModelBox"));
    ASSERT_NE(models, nullptr);
    QSignalSpy changed(m_panel, &GeneratePanel::settingsChanged);

    // A project that saved no temperature (a new one): the box follows the selection.
    m_panel->restoreSettings(QJsonObject{});
    models->setCurrentIndex(calibrated);
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 0.7);
    models->setCurrentIndex(trained); // chose none: the default
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 1.0);
    models->setCurrentIndex(calibrated);
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 0.7);
    EXPECT_EQ(changed.count(), 0);

    // The user's own temperature holds when the selection moves.
    m_panel->temperatureBox()->setValue(1.1);
    EXPECT_EQ(changed.count(), 1);
    models->setCurrentIndex(trained);
    models->setCurrentIndex(calibrated);
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 1.1);

    // So does a project's.
    m_panel->restoreSettings(QJsonObject{{QStringLiteral("temperature"), 1.2}});
    models->setCurrentIndex(trained);
    models->setCurrentIndex(calibrated);
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 1.2);
}

// A model's choice of repeating figures kept strictly goes into every run; the library names it.
TEST_F(GeneratePanelTest, AModelsChoiceOfRepeatingFiguresGoesIntoEveryRun) {
    const QString figuresPath = addCalibratedModel(false, true);
    const int figures = rowOf(figuresPath);
    ASSERT_GE(figures, 0);
    EXPECT_TRUE(ModelLibrary::describe(m_window.modelLibrary()->entry(figures))
                    .contains(QStringLiteral("temperature 0.7 and the bar's rhythm kept, "
                                             "repeating figures strictly, chosen on validation")))
        << ModelLibrary::describe(m_window.modelLibrary()->entry(figures)).toStdString();
    QComboBox* models = m_panel->findChild<QComboBox*>(QStringLiteral("generateModelBox"));
    ASSERT_NE(models, nullptr);
    ml::SampleRequest request;
    models->setCurrentIndex(figures);
    m_panel->useModelSampling(request);
    EXPECT_TRUE(request.rhythm.keepsFigures());
    EXPECT_DOUBLE_EQ(request.rhythm.repeatOffBeatOdds, ml::kFigureOddsTried.repeatOffBeatOdds);
    const int plain = rowOf(addCalibratedModel());
    ASSERT_GE(plain, 0);
    models->setCurrentIndex(plain);
    m_panel->useModelSampling(request);
    EXPECT_DOUBLE_EQ(request.rhythm.offBeatOdds, ml::kRhythmOddsTried.offBeatOdds);
    EXPECT_FALSE(request.rhythm.keepsFigures());
}

// A GAN's choices (how its harmony moves, its cap on notes at once, hold odds, shortest note,
// noise carry, floor on notes at once and harmony guidance) go into every run's request, as its
// rhythm does; a model that chose nothing keeps each bar's match, no cap, the decoding's odds,
// any length, the default carry, no floor and the plan's own harmony.
TEST_F(GeneratePanelTest, AGansHarmonyChoiceGoesIntoEveryRun) {
    const QString harmonyPath = addCalibratedModel(true);
    const int chosen = rowOf(harmonyPath), trained = rowOf(m_modelPath);
    ASSERT_GE(chosen, 0);
    ASSERT_GE(trained, 0);
    QComboBox* models = m_panel->findChild<QComboBox*>(QStringLiteral("generateModelBox"));
    ASSERT_NE(models, nullptr);
    ml::SampleRequest request;
    models->setCurrentIndex(chosen);
    m_panel->useModelSampling(request);
    EXPECT_TRUE(request.harmonyProgressions);
    EXPECT_TRUE(request.rhythm.isDefault()) << "the GAN's own decoding";
    EXPECT_EQ(request.constraints.maxPolyphony, 2);
    EXPECT_DOUBLE_EQ(request.holdOdds, 3);
    EXPECT_EQ(request.shortestNote, 2);
    EXPECT_DOUBLE_EQ(request.noiseCarry, 0.9);
    EXPECT_EQ(request.constraints.minPolyphony, 2);
    EXPECT_DOUBLE_EQ(request.harmonyGuidance, 1.5);
    EXPECT_DOUBLE_EQ(m_panel->temperatureBox()->value(), 1.0);
    models->setCurrentIndex(trained);
    m_panel->useModelSampling(request);
    EXPECT_FALSE(request.harmonyProgressions);
    EXPECT_EQ(request.constraints.maxPolyphony, 0);
    EXPECT_LT(request.holdOdds, 0) << "the decoding's own";
    EXPECT_EQ(request.shortestNote, 0);
    EXPECT_DOUBLE_EQ(request.noiseCarry, ml::kDefaultNoiseCarry);
    EXPECT_EQ(request.constraints.minPolyphony, 0);
    EXPECT_LT(request.harmonyGuidance, 0) << "the plan's own";
}

// Voices "as the track" on a track of chords: a GAN's cap on notes at once, as it chose on
// validation; no limit from a model that chose none. The voices used are in the provenance.
TEST_F(GeneratePanelTest, AGansCapOnNotesAtOnceHoldsOnATrackOfChords) {
    const QString capped = addCalibratedModel(true);
    const model::TrackId chords = melodyAndChords(m_window.song()).chords;
    ASSERT_NE(chords, model::kNoTrack);
    m_window.pianoRoll()->setActiveTrack(chords);
    m_panel->variationsBox()->setValue(4);
    ASSERT_EQ(m_panel->voicesBox()->value(), 0); // as the track
    QComboBox* models = m_panel->findChild<QComboBox*>(QStringLiteral("generateModelBox"));
    ASSERT_NE(models, nullptr);
    const auto voicesUsed = [&](int row) {
        models->setCurrentIndex(row);
        EXPECT_EQ(run(m_panel->generateButton()), GeneratePanel::State::Done);
        int most = 0;
        for (const GeneratePanel::Variation& v : m_panel->variations())
            most = std::max(most, mostNotesAtOnce(v.notes));
        return std::make_pair(
            m_panel->takes().back().provenance.constraints.value("voices").toInt(), most);
    };
    const auto [uncappedVoices, uncappedMost] = voicesUsed(rowOf(m_modelPath));
    EXPECT_EQ(uncappedVoices, 0);
    EXPECT_GT(uncappedMost, 2) << "the chords the model learned";
    const auto [cappedVoices, cappedMost] = voicesUsed(rowOf(capped));
    EXPECT_EQ(cappedVoices, 2);
    EXPECT_LE(cappedMost, 2);
}

TEST_F(GeneratePanelTest, DiscardRemovesTheVariationAndItsOverlay) {
    m_panel->variationsBox()->setValue(3);
    ASSERT_EQ(run(m_panel->generateButton()), GeneratePanel::State::Done);
    ASSERT_EQ(m_window.pianoRoll()->noteOverlays().size(), 3u);
    const std::vector<model::Note> third = m_panel->variations()[2].notes;
    m_panel->setCurrentVariation(1);
    const model::Song before = m_window.song();
    QTest::mouseClick(m_panel->discardButton(), Qt::LeftButton);
    ASSERT_EQ(m_panel->variations().size(), 2u);
    EXPECT_EQ(m_panel->variationList()->count(), 2);
    ASSERT_EQ(m_window.pianoRoll()->noteOverlays().size(), 2u);
    EXPECT_TRUE(sameNotes(m_window.pianoRoll()->noteOverlays()[1].notes, third));
    EXPECT_TRUE(m_window.song().sameContent(before)); // the song is not touched
    m_panel->discard(0);
    m_panel->discard(0);
    EXPECT_TRUE(m_window.pianoRoll()->noteOverlays().empty());
    EXPECT_FALSE(m_panel->acceptButton()->isEnabled());
}

TEST_F(GeneratePanelTest, RegenerateSelectionReplacesTheChosenBars) {
    // Bars 3-4 chosen by the loop range; primed by the bars before them.
    m_window.pianoRoll()->setLoopRange(bar(2), bar(4));
    m_panel->variationsBox()->setValue(2);
    const model::Song before = m_window.song();
    ASSERT_EQ(run(m_panel->regenerateButton()), GeneratePanel::State::Done);
    EXPECT_EQ(m_panel->targetFrom(), bar(2));
    EXPECT_EQ(m_panel->targetTo(), bar(4));
    EXPECT_EQ(m_panel->primerFrom(), bar(0));
    const int chosen = std::max(0, firstNonEmptyVariation());
    const std::vector<model::Note> expected = m_panel->variations()[std::size_t(chosen)].notes;
    EXPECT_TRUE(m_panel->accept(chosen));
    EXPECT_TRUE(sameNotes(startingIn(m_window.song(), m_track, bar(2), bar(4)), expected));
    // Outside the bars: notes after are the same; notes before start where they did.
    EXPECT_TRUE(sameNotes(startingIn(m_window.song(), m_track, bar(4), 1 << 30),
                          startingIn(before, m_track, bar(4), 1 << 30)));
    const auto earlier = startingIn(m_window.song(), m_track, 0, bar(2));
    const auto earlierBefore = startingIn(before, m_track, 0, bar(2));
    ASSERT_EQ(earlier.size(), earlierBefore.size());
    for (std::size_t i = 0; i < earlier.size(); ++i) {
        EXPECT_EQ(earlier[i].start, earlierBefore[i].start);
        EXPECT_EQ(earlier[i].pitch, earlierBefore[i].pitch);
    }
    m_window.undoStack().undo();
    EXPECT_TRUE(m_window.song().sameContent(before));

    // Without a selection there is nothing to regenerate, and it says so.
    m_window.pianoRoll()->setLoopRange(0, 0);
    m_window.pianoRoll()->clearSelection();
    EXPECT_FALSE(m_panel->regenerateSelection());
    EXPECT_EQ(m_panel->state(), GeneratePanel::State::Failed);
    EXPECT_FALSE(m_panel->lastError().isEmpty());
}

TEST_F(GeneratePanelTest, CancelSaysCancelledAndShowsNothing) {
    m_panel->barsBox()->setValue(64);
    m_panel->variationsBox()->setValue(8);
    QTest::mouseClick(m_panel->generateButton(), Qt::LeftButton);
    ASSERT_EQ(m_panel->state(), GeneratePanel::State::Generating);
    EXPECT_TRUE(m_panel->cancelButton()->isEnabled());
    QTest::mouseClick(m_panel->cancelButton(), Qt::LeftButton);
    EXPECT_EQ(m_panel->state(), GeneratePanel::State::Cancelled);
    QTest::qWait(1500); // the worker's late answer must not show up
    EXPECT_EQ(m_panel->state(), GeneratePanel::State::Cancelled);
    EXPECT_TRUE(m_panel->variations().empty());
    EXPECT_TRUE(m_window.pianoRoll()->noteOverlays().empty());
    EXPECT_TRUE(m_panel->generateButton()->isEnabled());
}

TEST_F(GeneratePanelTest, AuditionPlaysPrimerAndVariationFromACopy) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    ASSERT_EQ(run(m_panel->generateButton()), GeneratePanel::State::Done);
    const int chosen = std::max(0, firstNonEmptyVariation());
    m_panel->setCurrentVariation(chosen);
    m_panel->loopCheck()->setChecked(true);
    const model::Song before = m_window.song();
    model::Song heard;
    model::Tick from = -1, to = -1;
    bool loop = false;
    QObject::connect(&m_window, &MainWindow::auditionRequested, &m_window,
                     [&](const model::Song& song, model::Tick f, model::Tick t, bool l) {
                         heard = song;
                         from = f;
                         to = t;
                         loop = l;
                     });
    QTest::mouseClick(m_panel->auditionButton(), Qt::LeftButton);
    EXPECT_EQ(from, bar(0));
    EXPECT_EQ(to, bar(4));
    EXPECT_TRUE(loop);
    ASSERT_NE(heard.track(m_track), nullptr);
    EXPECT_TRUE(sameNotes(startingIn(heard, m_track, bar(2), bar(4)),
                          m_panel->variations()[std::size_t(chosen)].notes));
    EXPECT_TRUE(m_window.song().sameContent(before)); // the live song is not touched
    QTest::mouseClick(m_panel->stopButton(), Qt::LeftButton);
}

TEST_F(GeneratePanelTest, AcceptingEndsTheAudition) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    ASSERT_EQ(run(m_panel->generateButton()), GeneratePanel::State::Done);
    m_panel->setCurrentVariation(std::max(0, firstNonEmptyVariation()));
    QTest::mouseClick(m_panel->auditionButton(), Qt::LeftButton);
    ASSERT_TRUE(m_window.playback()->isAuditioning());
    QTest::mouseClick(m_panel->acceptButton(), Qt::LeftButton);
    EXPECT_FALSE(m_window.playback()->isAuditioning());
    EXPECT_FALSE(m_window.playback()->isPlaying());
}

TEST_F(GeneratePanelTest, SettingsAndPanelsRoundTripThroughTheProject) {
    m_panel->temperatureBox()->setValue(0.7);
    m_panel->tonicBox()->setCurrentIndex(9); // A
    m_panel->scaleBox()->setCurrentIndex(m_panel->scaleBox()->findData(QStringLiteral("minor")));
    m_panel->densityBox()->setValue(1.5);
    EXPECT_EQ(m_window.generationSettings().value(QStringLiteral("key")).toString(),
              QStringLiteral("A:minor"));
    EXPECT_DOUBLE_EQ(m_window.generationSettings().value(QStringLiteral("temperature")).toDouble(),
                     0.7);

    const QString project = m_dir.filePath(QStringLiteral("song.torchestra"));
    QSignalSpy saved(&m_window, &MainWindow::saved);
    m_window.saveProject(project);
    ASSERT_TRUE(saved.wait(10000));

    MainWindow other;
    other.setShowErrorDialogs(false);
    useModelFolder(other, m_dir.filePath(QStringLiteral("models")));
    QSignalSpy loaded(&other, &MainWindow::fileLoaded);
    QSignalSpy scanned(other.trainPanel(), &TrainPanel::filesScanned);
    other.openFile(project);
    ASSERT_TRUE(loaded.wait(10000));
    EXPECT_EQ(other.trainPanel()->inputs(), m_files.good);
    ASSERT_TRUE(scanned.count() > 0 || scanned.wait(20000));
    EXPECT_EQ(other.trainPanel()->fileList()->model()->rowCount(), 3);
    EXPECT_DOUBLE_EQ(other.generatePanel()->temperatureBox()->value(), 0.7);
    EXPECT_DOUBLE_EQ(other.generatePanel()->densityBox()->value(), 1.5);
    EXPECT_EQ(other.generatePanel()->settings().value(QStringLiteral("key")).toString(),
              QStringLiteral("A:minor"));
    EXPECT_EQ(other.generatePanel()->modelPath(), m_modelPath);
}

} // namespace
} // namespace torchestra::ui::test

namespace torchestra::ui::test {
namespace {

TEST_F(GeneratePanelTest, NumbersFollowTheTakesAndExplainThemselves) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(3);
    // The takes show the moment they are written; their numbers are still being worked out.
    bool pendingWhenShown = false, numberedWhenShown = true;
    QString shownLine, shownLabel;
    QObject::connect(m_panel, &GeneratePanel::stateChanged, m_panel, [&](GeneratePanel::State s) {
        if (s != GeneratePanel::State::Done)
            return;
        pendingWhenShown = m_panel->numbersPending();
        numberedWhenShown = m_panel->variations()[0].assessment.has_value();
        shownLine = itemRole(m_panel, 0, takenumbers::NumbersRole);
        shownLabel = m_panel->numbersLabel()->text();
    });
    ASSERT_EQ(run(m_panel->generateButton()), GeneratePanel::State::Done);
    ASSERT_EQ(m_panel->variationList()->count(), 3);
    EXPECT_TRUE(pendingWhenShown);
    EXPECT_FALSE(numberedWhenShown);
    EXPECT_EQ(shownLine, QStringLiteral("working out its numbers\u2026"));
    EXPECT_TRUE(shownLabel.startsWith(QStringLiteral("Working out"))) << shownLabel.toStdString();
    ASSERT_TRUE(waitForNumbers(m_panel));
    EXPECT_FALSE(m_panel->numbersPending());

    for (int i = 0; i < 3; ++i) {
        const auto& a = m_panel->variations()[std::size_t(i)].assessment;
        ASSERT_TRUE(a.has_value()) << "variation " << i;
        // The demo files are where training read them: closeness and the copy check are there.
        EXPECT_GE(a->closeness, 0.0);
        EXPECT_LE(a->closeness, 1.0);
        EXPECT_EQ(a->metrics.size(), ml::metricNames().size());
        EXPECT_EQ(a->windowBars, 2);
        EXPECT_TRUE(a->copyChecked);
        ASSERT_TRUE(a->hasNll); // a Markov model has a likelihood
        EXPECT_GT(a->nll, 0.0);
        // The list shows them, the tooltip explains them.
        const QString numbers = itemRole(m_panel, i, takenumbers::NumbersRole);
        EXPECT_TRUE(numbers.startsWith(
            QStringLiteral("closeness %1%").arg(std::lround(100 * a->closeness))))
            << numbers.toStdString();
        EXPECT_TRUE(numbers.contains(QStringLiteral("NLL %1 nats/step").arg(a->nll, 0, 'f', 2)))
            << numbers.toStdString();
        EXPECT_EQ(itemRole(m_panel, i, takenumbers::WarningRole).isEmpty(), !a->copies());
        const QString tip = m_panel->variationList()->item(i)->toolTip();
        EXPECT_TRUE(tip.contains(QStringLiteral("Closeness"))) << tip.toStdString();
        EXPECT_TRUE(tip.contains(QStringLiteral("Pitch range"))) << tip.toStdString();
        EXPECT_TRUE(tip.contains(QStringLiteral("nats/step"))) << tip.toStdString();
        EXPECT_TRUE(m_panel->variationList()->item(i)->text().contains(numbers));
    }
    EXPECT_TRUE(m_panel->numbersLabel()->text().startsWith(QStringLiteral("Closeness:")))
        << m_panel->numbersLabel()->text().toStdString();

    // Numbers travel with their take when another is discarded.
    const double third = m_panel->variations()[2].assessment->closeness;
    m_panel->discard(1);
    ASSERT_EQ(m_panel->variations().size(), 2u);
    EXPECT_DOUBLE_EQ(m_panel->variations()[1].assessment->closeness, third);
    EXPECT_TRUE(itemRole(m_panel, 1, Qt::DisplayRole).contains(QStringLiteral("closeness")));
}

TEST_F(GeneratePanelTest, MissingTrainingFilesLeaveClosenessUnavailable) {
    // The files the model was trained on are gone (moved, deleted) before its first takes.
    for (const QString& file : m_files.good)
        ASSERT_TRUE(QFile::remove(file));
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(2);
    ASSERT_EQ(run(m_panel->generateButton()), GeneratePanel::State::Done);
    ASSERT_TRUE(waitForNumbers(m_panel));
    for (int i = 0; i < 2; ++i) {
        const auto& a = m_panel->variations()[std::size_t(i)].assessment;
        ASSERT_TRUE(a.has_value());
        EXPECT_LT(a->closeness, 0.0);
        EXPECT_FALSE(a->copyChecked);
        EXPECT_TRUE(a->hasNll); // the model's own figure needs no files
        const QString numbers = itemRole(m_panel, i, takenumbers::NumbersRole);
        EXPECT_TRUE(numbers.startsWith(QStringLiteral("closeness unavailable")))
            << numbers.toStdString();
        EXPECT_TRUE(numbers.contains(QStringLiteral("NLL")));
        EXPECT_TRUE(m_panel->variationList()->item(i)->toolTip().contains(
            QStringLiteral("training files not found: closeness unavailable")));
    }
    EXPECT_EQ(m_panel->numbersLabel()->text(),
              QStringLiteral("Training files not found: closeness unavailable."));
}

// One track playing the same bar eight times (an arpeggio in eighths over a held bass): a
// model that learned it continues it note for note, whatever its back-off draws, so its takes
// copy two bars of its training data verbatim.
model::Song repeatedFigure() {
    model::Song song = testkit::songIn44();
    model::Track track;
    track.properties.name = "Figure";
    const model::TrackId id = song.addTrack(track);
    const int figure[8] = {60, 64, 67, 72, 67, 64, 60, 55};
    std::vector<model::Note> notes;
    for (int bar = 0; bar < 8; ++bar) {
        notes.push_back(makeNote(bar * 1920, 1920, 48, 70));
        for (int i = 0; i < 8; ++i)
            notes.push_back(makeNote(bar * 1920 + i * 240, 240, figure[i], 90));
    }
    song.addNotes(id, notes);
    return song;
}

TEST(TakeNumbers, ATakeCopyingTrainingBarsIsFlaggedInTheList) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    MainWindow window;
    showLearningWindow(window, dir);
    QStringList files;
    for (const char* name : {"figure-a.mid", "figure-b.mid", "figure-c.mid"})
        files << writeSong(dir, QLatin1String(name), repeatedFigure());
    QSignalSpy loaded(&window, &MainWindow::fileLoaded);
    window.openFile(files[0]);
    ASSERT_TRUE(loaded.wait(10000));
    ASSERT_FALSE(trainThroughPanel(window, files).isEmpty());
    GeneratePanel* panel = window.generatePanel();
    const model::TempoMap& map = window.song().tempoMap();

    // Primed by bars 1-2, almost without chance: the model knows only this figure.
    window.pianoRoll()->setLoopRange(map.barToTick(0), map.barToTick(2));
    panel->barsBox()->setValue(2);
    panel->variationsBox()->setValue(2);
    panel->temperatureBox()->setValue(0.1);
    QTest::mouseClick(panel->generateButton(), Qt::LeftButton);
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return panel->state() != GeneratePanel::State::Generating; }, 30000));
    ASSERT_EQ(panel->state(), GeneratePanel::State::Done) << panel->lastError().toStdString();
    ASSERT_TRUE(waitForNumbers(panel));
    ASSERT_EQ(panel->variations().size(), 2u);
    for (int i = 0; i < 2; ++i) {
        const auto& a = panel->variations()[std::size_t(i)].assessment;
        ASSERT_TRUE(a.has_value());
        ASSERT_TRUE(a->copies()) << "variation " << i << " did not continue the figure";
        EXPECT_EQ(a->copyFirstBar, 0);
        EXPECT_EQ(a->copyLastBar, 1);
        // Bars 3-4 of the song, as the list and the tooltip say.
        EXPECT_EQ(itemRole(panel, i, takenumbers::WarningRole),
                  QStringLiteral("\u26a0 copies bars 3\u20134 of the training data"));
        EXPECT_TRUE(panel->variationList()->item(i)->toolTip().contains(
            QStringLiteral("Bars 3\u20134 copy the training data verbatim")));
        // A copy is as close to the training music as anything can be.
        EXPECT_GE(a->closeness, 0.9);
    }
}

} // namespace
} // namespace torchestra::ui::test
