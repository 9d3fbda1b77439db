// The sampling temperature a model chooses on its validation pieces (ml/SamplingCalibration.h),
// and its trip through a checkpoint's metadata.

#include "MlTestUtil.h"

#include "ml/Checkpoint.h"
#include "ml/MarkovModel.h"
#include "ml/SamplingCalibration.h"

#include <gtest/gtest.h>

using namespace torchestra::ml;
using namespace torchestra::ml::test;

namespace {

// Continues its primer's last bar exactly at and below `sharpFrom`, and writes noise above it:
// a model whose music is closest at the lower temperatures, like one trained on a corpus where
// temperature 1.0 starts stray notes. With `needsRhythm`, only where the request keeps the bar's
// rhythm (SampleRequest::rhythm).
class TemperatureModel : public StubModel {
public:
    explicit TemperatureModel(double sharpFrom, bool needsRhythm = false,
                              ModelKind kind = ModelKind::Lstm)
        : StubModel(configOf(kind)), m_sharpFrom(sharpFrom), m_needsRhythm(needsRhythm) {}
    std::vector<FrameSequence> sample(const SampleRequest& r,
                                      const std::atomic<bool>* cancel) const override {
        if (cancel && cancel->load())
            return {};
        ++calls;
        std::vector<FrameSequence> out;
        for (int v = 0; v < r.variations; ++v) {
            const bool rhythmKept = !r.rhythm.isDefault() && !r.rhythm.isOff();
            if (r.temperature > m_sharpFrom + 1e-9 || (m_needsRhythm && !rhythmKept)) {
                out.push_back(noise(r.future, unsigned(r.seed) * 7 + unsigned(v)));
                continue;
            }
            FrameSequence take = r.future;
            const int bar = 16, from = r.primer.steps - bar;
            for (int t = 0; t < take.steps; ++t)
                for (int p = 0; p < take.pitches; ++p) {
                    const std::size_t at = std::size_t(t) * take.pitches + std::size_t(p);
                    take.sounding[at] = r.primer.sounds(from + t % bar, p);
                    take.onset[at] = r.primer.starts(from + t % bar, p);
                }
            out.push_back(take);
        }
        return out;
    }
    mutable int calls = 0;

private:
    static ModelConfig configOf(ModelKind kind) {
        ModelConfig c;
        c.kind = kind;
        return c;
    }
    double m_sharpFrom;
    bool m_needsRhythm;
};

// Pieces that repeat one bar, in three keys: what follows a bar is that bar again. 20 bars
// each: 4 windows of a primer bar and four bars, 12 in all.
std::vector<FrameSequence> repeatingPieces() {
    std::vector<FrameSequence> pieces;
    for (int transpose : {0, 2, 5})
        pieces.push_back(songToSequence(arpeggioSong(20, 480, transpose), RepresentationConfig{}));
    return pieces;
}

} // namespace

TEST(SamplingCalibration, ChoosesTheHighestTemperatureOfTheClosestMusic) {
    const TemperatureModel model(0.8);
    SamplingCalibration c;
    ASSERT_TRUE(calibrateSampling(model, repeatingPieces(), nullptr, c));
    ASSERT_TRUE(c.calibrated());
    ASSERT_EQ(c.tried.size(), calibrationTemperatures().size());
    // 0.8, 0.7 and 0.6 write the same music; the first of them wins, as none beats it.
    EXPECT_DOUBLE_EQ(c.temperature, 0.8);
    EXPECT_GT(c.tried[2].second, c.tried[0].second + 0.2) << describeCalibration(c);
    EXPECT_DOUBLE_EQ(c.closeness, c.tried[2].second);
    EXPECT_NE(describeCalibration(c).find("temperature 0.8, chosen on validation"),
              std::string::npos)
        << describeCalibration(c);
}

TEST(SamplingCalibration, StaysAtOneWhenNoLowerTemperatureIsClearlyCloser) {
    // Noise at every temperature: the closeness differs only by the noise's seeds.
    const TemperatureModel model(0.0);
    SamplingCalibration c;
    ASSERT_TRUE(calibrateSampling(model, repeatingPieces(), nullptr, c));
    EXPECT_DOUBLE_EQ(c.temperature, 1.0) << describeCalibration(c);
    // With a margin no lower temperature can beat, the same holds for the closest model.
    const TemperatureModel sharp(0.9);
    ASSERT_TRUE(calibrateSampling(sharp, repeatingPieces(), nullptr, c, nullptr, 48, 1.0));
    EXPECT_DOUBLE_EQ(c.temperature, 1.0) << describeCalibration(c);
}

TEST(SamplingCalibration, KeepsTheBarsRhythmWhereItsTakesAreCloser) {
    // Close to what followed only with the rhythm kept, at 0.9 and below: its training chooses
    // both, every temperature tried both ways.
    const TemperatureModel rhythmic(0.9, true);
    SamplingCalibration c;
    ASSERT_TRUE(calibrateSampling(rhythmic, repeatingPieces(), nullptr, c));
    EXPECT_DOUBLE_EQ(c.temperature, 0.9);
    EXPECT_DOUBLE_EQ(c.rhythm.startOdds, kRhythmOddsTried.startOdds);
    EXPECT_DOUBLE_EQ(c.rhythm.offBeatOdds, kRhythmOddsTried.offBeatOdds);
    ASSERT_EQ(c.tried.size(), calibrationTemperatures().size());
    ASSERT_EQ(c.triedWithRhythm.size(), calibrationTemperatures().size());
    EXPECT_GT(c.triedWithRhythm[1].second, c.tried[1].second + 0.2) << describeCalibration(c);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedWithRhythm[1].second);
    EXPECT_EQ(describeCalibration(c).rfind("temperature 0.9 and the bar's rhythm kept, chosen on "
                                           "validation (closeness 1.0: ",
                                           0),
              0u)
        << describeCalibration(c);
    EXPECT_NE(describeCalibration(c).find("; keeping the bar's rhythm 1.0: "), std::string::npos);

    // The same music with and without: not kept (it must win by the margin).
    const TemperatureModel plain(0.8);
    ASSERT_TRUE(calibrateSampling(plain, repeatingPieces(), nullptr, c));
    EXPECT_DOUBLE_EQ(c.temperature, 0.8);
    EXPECT_TRUE(c.rhythm.isOff());
    EXPECT_EQ(c.triedWithRhythm.size(), calibrationTemperatures().size());
    EXPECT_EQ(describeCalibration(c).rfind("temperature 0.8, chosen on validation", 0), 0u);

    // A Markov model's sampler does not read the odds: not tried.
    const TemperatureModel markov(1.0, true, ModelKind::Markov);
    ASSERT_TRUE(calibrateSampling(markov, repeatingPieces(), nullptr, c));
    EXPECT_TRUE(c.rhythm.isOff());
    EXPECT_TRUE(c.triedWithRhythm.empty());
    EXPECT_EQ(describeCalibration(c).find("rhythm"), std::string::npos);
}

TEST(SamplingCalibration, CancelledOrWithoutWindowsLeavesItUncalibrated) {
    const TemperatureModel model(0.8);
    std::atomic<bool> cancel{true};
    SamplingCalibration c;
    c.closeness = 0.5; // overwritten
    EXPECT_FALSE(calibrateSampling(model, repeatingPieces(), &cancel, c));
    EXPECT_FALSE(c.calibrated());
    EXPECT_EQ(describeCalibration(c), "");

    // A piece shorter than a primer bar and four bars after it holds no window.
    const std::vector<FrameSequence> shortPiece{repeatingPieces()[0].slice(0, 40)};
    EXPECT_FALSE(calibrateSampling(model, shortPiece, nullptr, c));
    EXPECT_FALSE(c.calibrated());
    // Two pieces hold 8 windows: too few to tell the temperatures apart.
    std::vector<FrameSequence> two = repeatingPieces();
    two.pop_back();
    EXPECT_FALSE(calibrateSampling(model, two, nullptr, c));
    EXPECT_FALSE(c.calibrated());
    EXPECT_EQ(model.calls, 0);
}

TEST(SamplingCalibration, TravelsInTheCheckpointMetadata) {
    TrainingMetadata meta;
    meta.sampling.temperature = 0.7;
    meta.sampling.closeness = 0.53;
    meta.sampling.tried = {{1.0, 0.16}, {0.9, 0.3}, {0.8, 0.45}, {0.7, 0.53}, {0.6, 0.52}};
    meta.sampling.rhythm = kRhythmOddsTried;
    meta.sampling.triedWithRhythm = {{1.0, 0.2}, {0.9, 0.4}, {0.8, 0.5}, {0.7, 0.61}, {0.6, 0.5}};
    ModelConfig config;
    config.kind = ModelKind::Markov;
    MarkovModel model(config);
    model.train(repeatingPieces());
    const std::string path = makeTempDir() + "/calibrated.tcm";
    ASSERT_EQ(saveCheckpoint(path, model, meta), "");
    const LoadedCheckpoint loaded = loadCheckpoint(path);
    ASSERT_TRUE(loaded.model) << loaded.error;
    const SamplingCalibration& back = loaded.metadata.sampling;
    EXPECT_TRUE(back.calibrated());
    EXPECT_DOUBLE_EQ(back.temperature, 0.7);
    EXPECT_DOUBLE_EQ(back.closeness, 0.53);
    EXPECT_EQ(back.tried, meta.sampling.tried);
    EXPECT_DOUBLE_EQ(back.rhythm.startOdds, 1.2);
    EXPECT_DOUBLE_EQ(back.rhythm.offBeatOdds, 0.7);
    EXPECT_EQ(back.triedWithRhythm, meta.sampling.triedWithRhythm);

    // Metadata without it (older checkpoints, uncalibrated runs) reads as not calibrated.
    meta.sampling = {};
    ASSERT_EQ(saveCheckpoint(path, model, meta), "");
    const LoadedCheckpoint plain = loadCheckpoint(path);
    EXPECT_FALSE(plain.metadata.sampling.calibrated());
    EXPECT_DOUBLE_EQ(plain.metadata.sampling.temperature, 1.0);
    EXPECT_TRUE(plain.metadata.sampling.rhythm.isOff());

    // Calibrated before the rhythm was tried: off, not tried.
    meta.sampling.temperature = 0.9;
    meta.sampling.closeness = 0.4;
    ASSERT_EQ(saveCheckpoint(path, model, meta), "");
    const LoadedCheckpoint older = loadCheckpoint(path);
    EXPECT_TRUE(older.metadata.sampling.calibrated());
    EXPECT_TRUE(older.metadata.sampling.rhythm.isOff());
    EXPECT_TRUE(older.metadata.sampling.triedWithRhythm.empty());
}

// The training pieces' windows are read beside the validation ones (each window once per
// setting tried), but the validation windows alone must be enough to choose on.
TEST(SamplingCalibration, ReadsTheTrainingPiecesWindowsBesideTheValidationOnes) {
    SamplingCalibration c;
    const TemperatureModel alone(0.8);
    ASSERT_TRUE(calibrateSampling(alone, repeatingPieces(), nullptr, c));
    const std::vector<FrameSequence> training = repeatingPieces();
    const TemperatureModel beside(0.8);
    ASSERT_TRUE(calibrateSampling(beside, repeatingPieces(), nullptr, c, &training));
    EXPECT_EQ(beside.calls, 2 * alone.calls);
    EXPECT_DOUBLE_EQ(c.temperature, 0.8);

    std::vector<FrameSequence> two = repeatingPieces();
    two.pop_back(); // 8 validation windows
    EXPECT_FALSE(calibrateSampling(beside, two, nullptr, c, &training));
    EXPECT_FALSE(c.calibrated());
}
