// The sampling temperature and decoding an LSTM or RNN chooses on its validation pieces
// (ml/SamplingCalibration.h), and their trip through a checkpoint's metadata. A GAN's choices:
// GanCalibrationTest.cpp.

#include "CalibrationTestUtil.h"
#include "MlTestUtil.h"

#include "ml/Checkpoint.h"
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
            out.push_back(primersLastBarAgain(r));
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

// Which of its decodings an LSTM's takes come closest with (FigureModel).
enum class Figures {
    Closer, // figures kept: every take; the bar's rhythm alone: every other window's
    Looser, // the bar's rhythm alone: every take; figures kept: none
    Needed, // figures kept: every take, at any temperature; the bar's rhythm alone: none
};

// An LSTM whose takes continue the primer's bar as `figures` says (at 0.9 and below, except
// where Needed), and are noise otherwise.
class FigureModel : public StubModel {
public:
    explicit FigureModel(Figures figures) : StubModel(ModelConfig{}), m_figures(figures) {}
    std::vector<FrameSequence> sample(const SampleRequest& r,
                                      const std::atomic<bool>* cancel) const override {
        if (cancel && cancel->load())
            return {};
        const bool rhythmKept = !r.rhythm.isDefault() && !r.rhythm.isOff();
        bool close = false;
        if (m_figures == Figures::Needed)
            close = r.rhythm.keepsFigures();
        else if (r.temperature <= 0.9 + 1e-9 && rhythmKept)
            close = r.rhythm.keepsFigures() ? m_figures == Figures::Closer
                                            : m_figures == Figures::Looser || r.seed % 2 == 0;
        return {close ? primersLastBarAgain(r) : noise(r.future, unsigned(r.seed) * 7)};
    }

private:
    Figures m_figures;
};

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
    // Kept again over the draws of its decodings (the figures kept too are as close, not
    // closer).
    ASSERT_EQ(c.triedFigures.size(), 3u);
    EXPECT_GT(c.triedFigures[1].second, c.triedFigures[0].second + 0.2);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedFigures[1].second);
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
    EXPECT_TRUE(c.triedFigures.empty());
    EXPECT_EQ(describeCalibration(c).find("rhythm"), std::string::npos);
}

// At the chosen temperature an LSTM reads its takes plain, with the bar's rhythm kept and with
// its repeating figures kept strictly too, over several draws, and keeps the closest of them.
TEST(SamplingCalibration, KeepsRepeatingFiguresWhereItsTakesAreCloser) {
    SamplingCalibration c;
    const FigureModel closer(Figures::Closer);
    ASSERT_TRUE(calibrateSampling(closer, repeatingPieces(), nullptr, c));
    EXPECT_DOUBLE_EQ(c.temperature, 0.9) << describeCalibration(c);
    EXPECT_TRUE(c.rhythm.keepsFigures());
    EXPECT_DOUBLE_EQ(c.rhythm.repeatOffBeatOdds, kFigureOddsTried.repeatOffBeatOdds);
    ASSERT_EQ(c.triedFigures.size(), 3u);
    EXPECT_DOUBLE_EQ(c.triedFigures[0].first, kRhythmOff.offBeatOdds);
    EXPECT_DOUBLE_EQ(c.triedFigures[1].first, kRhythmOddsTried.offBeatOdds);
    EXPECT_DOUBLE_EQ(c.triedFigures[2].first, kFigureOddsTried.repeatOffBeatOdds);
    EXPECT_GT(c.triedFigures[2].second, c.triedFigures[1].second + 0.1);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedFigures[2].second);
    EXPECT_NE(describeCalibration(c).find("and the bar's rhythm kept, repeating figures strictly, "
                                          "chosen on validation"),
              std::string::npos)
        << describeCalibration(c);
    EXPECT_NE(describeCalibration(c).find("; over 3 draws, plain "), std::string::npos);

    const FigureModel looser(Figures::Looser);
    ASSERT_TRUE(calibrateSampling(looser, repeatingPieces(), nullptr, c));
    EXPECT_TRUE(c.keepsRhythm());
    EXPECT_FALSE(c.rhythm.keepsFigures());
    ASSERT_EQ(c.triedFigures.size(), 3u);
    EXPECT_LT(c.triedFigures[2].second, c.triedFigures[1].second);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedFigures[1].second);
    EXPECT_EQ(describeCalibration(c).find("figures strictly,"), std::string::npos);

    // Alike with and without: plain, read over the draws.
    const TemperatureModel plain(0.8);
    ASSERT_TRUE(calibrateSampling(plain, repeatingPieces(), nullptr, c));
    EXPECT_TRUE(c.rhythm.isOff());
    ASSERT_EQ(c.triedFigures.size(), 3u);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedFigures[0].second);
}

// The figures are read whether or not the bar's rhythm alone came closer: on simutrans' folds
// it never won by the margin, and the figures, read only after it, were never reached.
TEST(SamplingCalibration, ReadsTheFiguresWhereTheRhythmAloneIsNoCloser) {
    SamplingCalibration c;
    const FigureModel needed(Figures::Needed);
    ASSERT_TRUE(calibrateSampling(needed, repeatingPieces(), nullptr, c));
    EXPECT_EQ(c.triedWithRhythm.size(), calibrationTemperatures().size());
    EXPECT_DOUBLE_EQ(c.temperature, 1.0) << describeCalibration(c);
    EXPECT_TRUE(c.rhythm.keepsFigures()) << describeCalibration(c);
    ASSERT_EQ(c.triedFigures.size(), 3u);
    EXPECT_GT(c.triedFigures[2].second, c.triedFigures[0].second + 0.1);
    EXPECT_GT(c.triedFigures[2].second, c.triedFigures[1].second + 0.1);
}

// A checkpoint written before session 30 holds two decodings read (the rhythm and its figures);
// it is still described.
TEST(SamplingCalibration, DescribesTheFiguresAnOlderCheckpointRead) {
    SamplingCalibration c;
    c.temperature = 0.9;
    c.closeness = 0.63;
    c.rhythm = kFigureOddsTried;
    c.tried = {{1.0, 0.5}};
    c.triedFigures = {{0.7, 0.6}, {0.1, 0.63}};
    EXPECT_NE(describeCalibration(c).find("; over 3 draws, a repeating figure kept as loosely as "
                                          "the rest 0.600, strictly 0.630)"),
              std::string::npos)
        << describeCalibration(c);
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
    const LoadedCheckpoint loaded = savedAndLoaded(meta);
    ASSERT_TRUE(loaded.model) << loaded.error;
    const SamplingCalibration& back = loaded.metadata.sampling;
    EXPECT_TRUE(back.calibrated());
    EXPECT_DOUBLE_EQ(back.temperature, 0.7);
    EXPECT_DOUBLE_EQ(back.closeness, 0.53);
    EXPECT_EQ(back.tried, meta.sampling.tried);
    EXPECT_DOUBLE_EQ(back.rhythm.startOdds, 1.2);
    EXPECT_DOUBLE_EQ(back.rhythm.offBeatOdds, 0.7);
    EXPECT_EQ(back.triedWithRhythm, meta.sampling.triedWithRhythm);
    EXPECT_FALSE(back.rhythm.keepsFigures());

    // Repeating figures kept: the third odds and what was tried travel too.
    meta.sampling.rhythm = kFigureOddsTried;
    meta.sampling.triedFigures = {{0.7, 0.6}, {0.1, 0.63}};
    const LoadedCheckpoint figures = savedAndLoaded(meta);
    EXPECT_TRUE(figures.metadata.sampling.rhythm.keepsFigures());
    EXPECT_DOUBLE_EQ(figures.metadata.sampling.rhythm.repeatOffBeatOdds, 0.1);
    EXPECT_EQ(figures.metadata.sampling.triedFigures, meta.sampling.triedFigures);
    meta.sampling.triedFigures.clear();

    // Metadata without it (older checkpoints, uncalibrated runs) reads as not calibrated.
    meta.sampling = {};
    const LoadedCheckpoint plain = savedAndLoaded(meta);
    EXPECT_FALSE(plain.metadata.sampling.calibrated());
    EXPECT_DOUBLE_EQ(plain.metadata.sampling.temperature, 1.0);
    EXPECT_TRUE(plain.metadata.sampling.rhythm.isOff());

    // Calibrated before the rhythm was tried: off, not tried.
    meta.sampling.temperature = 0.9;
    meta.sampling.closeness = 0.4;
    const LoadedCheckpoint older = savedAndLoaded(meta);
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

// An LSTM's or RNN's calibration continues more training windows than validation ones (up to
// kCalibrationTrainingWindows): over a few of them, spread through the files in the order
// given, its choice moved with that order (session 31).
TEST(SamplingCalibration, ContinuesMoreTrainingWindowsThanValidationOnes) {
    SamplingCalibration c;
    const TemperatureModel alone(0.8);
    ASSERT_TRUE(calibrateSampling(alone, repeatingPieces(), nullptr, c, nullptr, 4, 0.02, 4));
    const std::vector<FrameSequence> training = repeatingPieces(); // 12 windows
    const TemperatureModel beside(0.8);
    ASSERT_TRUE(calibrateSampling(beside, repeatingPieces(), nullptr, c, &training, 4, 0.02, 4));
    EXPECT_EQ(beside.calls, 4 * alone.calls); // 4 validation windows and all 12 training ones
    EXPECT_DOUBLE_EQ(c.temperature, 0.8);
}

// Each setting read is reported as it is read, of as many as it will read: an LSTM's five
// temperatures plain and with the bar's rhythm, then its figures; a Markov model's five.
TEST(SamplingCalibration, ReportsEachSettingReadOfAllItWillRead) {
    for (const auto& [kind, settings] :
         {std::pair{ModelKind::Lstm, 11}, std::pair{ModelKind::Markov, 5}}) {
        std::vector<std::pair<int, int>> heard;
        const CalibrationProgress progress = [&](int read, int total) {
            heard.emplace_back(read, total);
        };
        SamplingCalibration c;
        ASSERT_TRUE(calibrateSampling(TemperatureModel(0.8, false, kind), repeatingPieces(),
                                      nullptr, c, nullptr, kCalibrationWindows, kCalibrationMargin,
                                      kCalibrationMinWindows, progress));
        ASSERT_EQ(heard.size(), std::size_t(settings));
        for (int i = 0; i < settings; ++i)
            EXPECT_EQ(heard[std::size_t(i)], std::pair(i + 1, settings));
    }
}
