// The numbers beside a take (ml/TakeAssessment.h): closeness against hand-worked values and
// against what it must tell apart (training excerpts, random notes), the copy warning, the
// NLL with the primer as context, and a reference whose files are gone.
#include "ml/TakeAssessment.h"
#include "MlTestUtil.h"
#include "midi/MidiFile.h"
#include "ml/MarkovModel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

using namespace torchestra;
using namespace torchestra::ml;

namespace {

// A chorale-like piece in C major, different for every seed: a whole-bar bass note, the
// bar's triad in two half notes, and a melody in quarters or eighths stepping along the scale.
model::Song choraleLike(unsigned seed, int bars) {
    model::Song song = testkit::songIn44();
    const model::TrackId id = song.addTrack(model::Track{});
    std::mt19937 rng(seed);
    const int scale[7] = {0, 2, 4, 5, 7, 9, 11};
    const int roots[6] = {0, 3, 4, 5, 1, 2}; // scale degrees: I IV V vi ii iii
    std::vector<model::Note> notes;
    int degree = 9; // the melody's scale degree above C4
    for (int bar = 0; bar < bars; ++bar) {
        const model::Tick start = model::Tick(bar) * 1920;
        const int root = roots[rng() % 6];
        notes.push_back(test::gridNote(start, 1920, 48 + scale[root], 70));
        for (int half = 0; half < 2; ++half)
            for (int k : {0, 2, 4}) {
                const int d = root + k;
                notes.push_back(test::gridNote(start + half * 960, 960,
                                               60 + 12 * (d / 7) + scale[d % 7] - 12, 70));
            }
        const int count = rng() % 2 ? 4 : 8;
        for (int i = 0; i < count; ++i) {
            degree = std::clamp(degree + int(rng() % 5) - 2, 7, 14);
            notes.push_back(test::gridNote(start + i * 1920 / count, 1920 / count,
                                           60 + 12 * (degree / 7) + scale[degree % 7], 90));
        }
    }
    song.addNotes(id, notes);
    return song;
}

std::vector<FrameSequence> trainingPieces(int count, int bars, unsigned firstSeed = 1) {
    std::vector<FrameSequence> pieces;
    for (int i = 0; i < count; ++i)
        pieces.push_back(
            songToSequence(choraleLike(firstSeed + unsigned(i), bars), RepresentationConfig{}));
    return pieces;
}

// Bars [from, from + count) of a 4/4 piece at 16 steps a bar.
FrameSequence bars(const FrameSequence& piece, int from, int count) {
    return piece.slice(from * 16, count * 16);
}

ModelConfig markovConfig() {
    ModelConfig c;
    c.kind = ModelKind::Markov;
    c.markovOrder = 2;
    return c;
}

} // namespace

TEST(TakeAssessment, MetricClosenessMatchesHandWorkedValues) {
    // Reference 1..5: sd = sqrt(2.5), Scott's h = sd * 5^-0.2 = 1.14596; F(x) is the mean of
    // Phi((x - r) / h) over the five values.
    const std::vector<double> ref{1, 2, 3, 4, 5};
    EXPECT_NEAR(smoothedCdf(ref, 3), 0.5, 1e-12); // the middle, by symmetry
    EXPECT_NEAR(smoothedCdf(ref, 1), 0.147315, 1e-5);
    EXPECT_NEAR(smoothedCdf(ref, 8), 0.999066, 1e-5);
    // Inside the middle 90%: fully typical; beyond it, the tail share over 0.1.
    EXPECT_DOUBLE_EQ(metricCloseness(ref, 3), 1.0);
    EXPECT_DOUBLE_EQ(metricCloseness(ref, 1), 1.0); // F = 0.147: tail 0.29 > 0.1
    EXPECT_NEAR(metricCloseness(ref, 6.5), 0.444094, 1e-5);
    EXPECT_NEAR(metricCloseness(ref, 8), 0.018687, 1e-5);
    EXPECT_NEAR(metricCloseness(ref, -2), metricCloseness(ref, 8), 1e-12); // two-sided

    // A metric the training data never varies: its value is typical, anything else is not.
    const std::vector<double> constant{0, 0, 0, 0};
    EXPECT_DOUBLE_EQ(metricCloseness(constant, 0), 1.0);
    EXPECT_NEAR(metricCloseness(constant, 0.25), 0.0, 1e-12);

    const MetricPlacement p = placeMetric("x", {5, 1, 4, 2, 3}, 6.5);
    EXPECT_EQ(p.name, "x");
    EXPECT_DOUBLE_EQ(p.value, 6.5);
    EXPECT_DOUBLE_EQ(p.referenceMedian, 3);
    EXPECT_DOUBLE_EQ(p.referenceLow, 1.2);  // 5th percentile, interpolated
    EXPECT_DOUBLE_EQ(p.referenceHigh, 4.8); // 95th
    EXPECT_NEAR(p.percentile, 0.977795, 1e-5);
    EXPECT_NEAR(p.closeness, 0.444094, 1e-5);
}

TEST(TakeAssessment, WindowsAreCutAtBarsAndThinnedEvenly) {
    const TrainingReference ref = makeTrainingReference(trainingPieces(2, 4), {});
    ASSERT_EQ(ref.pieces.size(), 2u);
    ASSERT_EQ(ref.options.stepsPerBar, 16); // 4 beats of 4 steps (used without a metre)
    const ReferenceWindows two = measureWindows(ref, 2);
    EXPECT_EQ(two.count, 6u); // bars 1-2, 2-3, 3-4 of each piece
    EXPECT_EQ(two.windowBars, 2);
    ASSERT_EQ(two.values.size(), metricNames().size());
    for (const auto& v : two.values)
        EXPECT_EQ(v.size(), 6u);
    // Each window is measured as a 2-bar piece: its bar count is not a metric, but its pitch
    // range is that of its own bars.
    const PieceMetrics first = measurePiece(bars(ref.pieces[0], 0, 2), ref.representation);
    EXPECT_DOUBLE_EQ(two.values[9][0], first.pitchRange);

    EXPECT_EQ(measureWindows(ref, 1, 3).count, 3u);
    // Longer than any piece: the whole pieces stand in.
    const ReferenceWindows eight = measureWindows(ref, 8);
    EXPECT_EQ(eight.count, 2u);
    EXPECT_EQ(eight.windowBars, 4);
}

TEST(TakeAssessment, ATakeCopyingTrainingBarsIsFlagged) {
    const std::vector<FrameSequence> pieces = trainingPieces(6, 16);
    const TrainingReference ref = makeTrainingReference(pieces, {});
    const FrameSequence primer = bars(pieces[2], 0, 4);

    // Bars 5-8 of a training piece: every 2-bar window of it is the training data's.
    const FrameSequence copy = bars(pieces[2], 4, 4);
    // Two bars of one piece, then two of another: two copies of two bars each, but never four
    // bars in a row from one place.
    const FrameSequence spliced = joinSequences(bars(pieces[0], 0, 2), bars(pieces[3], 6, 2));
    // The copy moved up a semitone is no longer verbatim.
    const FrameSequence moved = copy.transposed(1);

    const auto result = assessTakes({copy, spliced, moved}, primer, nullptr, &ref);
    ASSERT_EQ(result.size(), 3u);
    EXPECT_TRUE(result[0].copyChecked);
    EXPECT_TRUE(result[0].copies());
    EXPECT_EQ(result[0].copyFirstBar, 0);
    EXPECT_EQ(result[0].copyLastBar, 3);
    EXPECT_EQ(result[0].takeWindows, 3);
    EXPECT_EQ(result[0].copiedWindows, 3);

    EXPECT_TRUE(result[1].copies());
    EXPECT_EQ(result[1].copiedWindows, 2); // bars 1-2 and 3-4, not 2-3
    EXPECT_EQ(result[1].copyFirstBar, 0);
    EXPECT_EQ(result[1].copyLastBar, 1);

    EXPECT_TRUE(result[2].copyChecked);
    EXPECT_FALSE(result[2].copies());
    EXPECT_EQ(result[2].copiedWindows, 0);
    EXPECT_EQ(result[2].copyFirstBar, -1);
    // Without a model there is no NLL.
    EXPECT_FALSE(result[0].hasNll);
}

TEST(TakeAssessment, TrainingExcerptsScoreHighAndRandomNotesLow) {
    const std::vector<FrameSequence> pieces = trainingPieces(8, 16);
    const TrainingReference ref = makeTrainingReference(pieces, {});
    std::vector<FrameSequence> excerpts;
    for (std::size_t i = 0; i < pieces.size(); ++i)
        excerpts.push_back(bars(pieces[i], int(i % 12), 4));
    // New music of the same kind (seeds the reference never saw) is close too.
    for (const FrameSequence& piece : trainingPieces(4, 8, 100))
        excerpts.push_back(bars(piece, 2, 4));
    double sum = 0;
    for (const TakeAssessment& a : assessTakes(excerpts, {}, nullptr, &ref)) {
        ASSERT_EQ(a.metrics.size(), metricNames().size());
        EXPECT_EQ(a.windowBars, 4);
        EXPECT_EQ(a.referenceWindows, 8u * 13u);
        EXPECT_GE(a.closeness, 0.75);
        EXPECT_LE(a.closeness, 1.0);
        sum += a.closeness;
    }
    EXPECT_GE(sum / double(excerpts.size()), 0.9);

    // Random notes over the whole keyboard. Three measures cannot tell them from these
    // chorales (no empty bars, always two or more notes sounding, and an onset on every step
    // looks like a steady groove), so they hold the figure at 0.3; on every other measure
    // random notes lie beyond anything the training music does.
    for (unsigned seed = 1; seed <= 5; ++seed) {
        const auto a =
            assessTakes({test::noise(bars(pieces[0], 0, 4), seed)}, {}, nullptr, &ref)[0];
        EXPECT_LT(a.closeness, 0.31) << "seed " << seed;
        EXPECT_LT(a.closeness, sum / double(excerpts.size()) / 3);
        for (const MetricPlacement& m : a.metrics) {
            if (m.name != "empty-bar-rate" && m.name != "polyphony-rate" &&
                m.name != "groove-consistency") {
                EXPECT_LT(m.closeness, 0.01) << m.name << " = " << m.value;
            }
        }
        EXPECT_FALSE(a.copies());
    }
    // An empty take is not like this data either (it never rests a whole bar).
    FrameSequence silence = bars(pieces[0], 0, 4);
    std::fill(silence.sounding.begin(), silence.sounding.end(), 0);
    std::fill(silence.onset.begin(), silence.onset.end(), 0);
    EXPECT_LT(assessTakes({silence}, {}, nullptr, &ref)[0].closeness, 0.2);
}

TEST(TakeAssessment, NllIsTheTakesShareGivenThePrimer) {
    const std::vector<FrameSequence> pieces = trainingPieces(6, 16);
    MarkovModel model(markovConfig());
    model.train(pieces);
    const FrameSequence primer = bars(pieces[1], 0, 2);
    const FrameSequence take = bars(pieces[1], 2, 2);

    const auto a = assessTakes({take}, primer, &model, nullptr)[0];
    ASSERT_TRUE(a.hasNll);
    EXPECT_EQ(a.nllSteps, take.steps); // every step of the take, the first given the primer
    // By hand: the first four bars scored, less the first two.
    const NllResult whole = model.evaluate(bars(pieces[1], 0, 4));
    const NllResult before = model.evaluate(primer);
    const double frame = (whole.frameSum - before.frameSum) / take.steps;
    const double velocity = (whole.velocitySum - before.velocitySum) / take.steps;
    EXPECT_NEAR(a.frameNll, frame, 1e-9);
    EXPECT_NEAR(a.velocityNll, velocity, 1e-9);
    EXPECT_NEAR(a.nll, frame + velocity, 1e-9);
    EXPECT_GT(a.nll, 0.0);

    // Without a primer the take's first step has no context and is not scored, as evaluate()
    // and validation count.
    const auto alone = assessTakes({take}, {}, &model, nullptr)[0];
    const NllResult own = model.evaluate(take);
    ASSERT_TRUE(alone.hasNll);
    EXPECT_EQ(alone.nllSteps, take.steps - 1);
    EXPECT_NEAR(alone.frameNll, own.frameSum / (take.steps - 1), 1e-9);

    // Random notes are far less likely under the model than its own training music.
    const auto random = assessTakes({test::noise(take, 3)}, primer, &model, nullptr)[0];
    EXPECT_GT(random.nll, 5 * a.nll);

    // A model without a likelihood gets closeness and the copy check, and no NLL.
    const TrainingReference ref = makeTrainingReference(pieces, {});
    test::NoLikelihoodModel gan;
    const auto g = assessTakes({take}, primer, &gan, &ref)[0];
    EXPECT_FALSE(g.hasNll);
    EXPECT_GE(g.closeness, 0.75);
    EXPECT_TRUE(g.copies());
}

TEST(TakeAssessment, JoinKeepsTheMetreAndVelocityOfBothParts) {
    const FrameSequence piece = trainingPieces(1, 4)[0];
    const FrameSequence joined = joinSequences(bars(piece, 0, 1), bars(piece, 1, 3));
    EXPECT_EQ(joined.steps, piece.steps);
    EXPECT_EQ(joined.sounding, piece.sounding);
    EXPECT_EQ(joined.onset, piece.onset);
    EXPECT_EQ(joined.velocityBin, piece.velocityBin);
    EXPECT_EQ(joined.beatInBar, piece.beatInBar);
    EXPECT_EQ(joined.stepInBeat, piece.stepInBeat);
    FrameSequence other;
    other.resize(4, 12, true);
    EXPECT_THROW(joinSequences(piece, other), std::invalid_argument);
}

TEST(TakeAssessment, MissingTrainingFilesLeaveClosenessUnavailable) {
    TrainingMetadata metadata;
    DatasetFileInfo gone;
    gone.path = test::makeTempDir() + "/moved-away.mid";
    gone.hash = "0123456789abcdef";
    metadata.files = {gone};
    const TrainingReference ref = loadTrainingReference(metadata, RepresentationConfig{});
    EXPECT_FALSE(ref.usable());
    EXPECT_EQ(ref.filesListed, 1u);
    ASSERT_EQ(ref.missing.size(), 1u);
    EXPECT_EQ(ref.missing[0], gone.path);
    EXPECT_EQ(ref.note(), "training files not found: closeness unavailable");

    const std::vector<FrameSequence> pieces = trainingPieces(3, 8);
    MarkovModel model(markovConfig());
    model.train(pieces);
    const auto a = assessTakes({bars(pieces[0], 2, 2)}, bars(pieces[0], 0, 2), &model, &ref)[0];
    EXPECT_LT(a.closeness, 0.0);
    EXPECT_TRUE(a.metrics.empty());
    EXPECT_FALSE(a.copyChecked);
    EXPECT_EQ(a.referenceNote, "training files not found: closeness unavailable");
    EXPECT_TRUE(a.hasNll); // the model's own figure does not need the files

    const TrainingReference nothing; // a checkpoint from before files were recorded
    EXPECT_EQ(nothing.note(), "no training files recorded in the model: closeness unavailable");
}

TEST(TakeAssessment, ReferenceReadsTheFilesTrainedOnAndLeavesOutChangedOnes) {
    const std::string dir = test::makeTempDir();
    TrainingMetadata metadata;
    for (unsigned i = 0; i < 2; ++i) {
        const std::string path = dir + "/piece" + std::to_string(i) + ".mid";
        ASSERT_EQ(midi::writeMidiFile(path, choraleLike(i + 1, 8)), "");
        DatasetFileInfo f;
        f.path = path;
        metadata.files.push_back(f);
    }
    // The hashes training recorded: the files as they are now.
    DatasetOptions options;
    options.validFraction = 0;
    const Dataset read = loadMidiDataset({metadata.files[0].path, metadata.files[1].path},
                                         RepresentationConfig{}, options);
    ASSERT_EQ(read.files.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i)
        for (const DatasetFileInfo& f : read.files)
            if (f.path == metadata.files[i].path)
                metadata.files[i].hash = f.hash;
    DatasetFileInfo gone;
    gone.path = "piece-that-was-deleted.mid"; // relative, found neither here nor beside
    metadata.files.push_back(gone);

    const TrainingReference ref = loadTrainingReference(metadata, {}, {}, dir);
    EXPECT_TRUE(ref.usable());
    EXPECT_EQ(ref.pieces.size(), 2u);
    EXPECT_EQ(ref.missing, std::vector<std::string>{gone.path});
    EXPECT_TRUE(ref.changed.empty());
    EXPECT_EQ(ref.note(), "1 of 3 training files not found; judged against the rest");
    // What was read is the training music: a take from it is a copy.
    const FrameSequence take = songToSequence(choraleLike(2, 8), {}).slice(32, 32);
    EXPECT_TRUE(assessTakes({take}, {}, nullptr, &ref)[0].copies());

    // A file rewritten since training is not what the model learned: left out, and said.
    ASSERT_EQ(midi::writeMidiFile(metadata.files[1].path, choraleLike(9, 8)), "");
    const TrainingReference after = loadTrainingReference(metadata, {}, {}, dir);
    EXPECT_EQ(after.pieces.size(), 1u);
    EXPECT_EQ(after.changed, std::vector<std::string>{metadata.files[1].path});
    EXPECT_EQ(after.note(), "1 of 3 training files not found, 1 of 3 changed since training "
                            "(left out); judged against the rest");
    EXPECT_FALSE(assessTakes({take}, {}, nullptr, &after)[0].copies());
    std::filesystem::remove_all(dir);
}
