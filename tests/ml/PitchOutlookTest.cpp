// SequenceModel::outlook, the probability overlay's numbers: each step's per-pitch probabilities
// given the steps before it, checked against what the models' own likelihoods imply.

#include "NeuralTestData.h"

#include "ml/MarkovModel.h"
#include "ml/Trainer.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/NeuralModel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace torchestra::ml;
using namespace torchestra::ml::testdata;

namespace {

// A representation of a few pitches, so that every frame of a step can be enumerated.
RepresentationConfig fewPitches(int count, bool onsets) {
    RepresentationConfig rep;
    rep.lowPitch = 60;
    rep.highPitch = 60 + count - 1;
    rep.onsets = onsets;
    return rep;
}

std::unique_ptr<SequenceModel> neuralModel(const ModelConfig& c, std::uint64_t seed) {
    std::string error;
    auto m = neural::createNeuralModel(c, seed, error);
    EXPECT_TRUE(m) << error;
    return m;
}

// `seq` with step t set to frame `code`: per pitch p its state is digit p of `code` in base
// `states` (0 silent, 1 sounding, 2 sounding and starting).
FrameSequence withFrame(FrameSequence seq, int t, int code, int states) {
    for (int p = 0; p < seq.pitches; ++p, code /= states) {
        const int s = code % states;
        seq.sounding[std::size_t(t) * seq.pitches + p] = s > 0;
        if (!seq.onset.empty())
            seq.onset[std::size_t(t) * seq.pitches + p] = s == 2;
    }
    seq.velocityBin[std::size_t(t)] = 1;
    return seq;
}

// Steps that are, at random, pitches 0+1 or pitches 2+3 together: what a pitch does depends on
// the pitches below it in the same step, which only the NADE head can learn.
FrameSequence pairedPitches(const RepresentationConfig& rep, int steps, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    FrameSequence seq;
    seq.resize(steps, rep.pitches(), rep.onsets);
    for (int t = 0; t < steps; ++t) {
        const int low = (rng() & 1) ? 0 : 2;
        for (int p : {low, low + 1}) {
            seq.sounding[std::size_t(t) * seq.pitches + p] = 1;
            seq.onset[std::size_t(t) * seq.pitches + p] = 1;
        }
        seq.velocityBin[std::size_t(t)] = 3;
        seq.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        seq.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
    }
    return seq;
}

} // namespace

// With independent outputs the outlook is the teacher-forced probabilities themselves: sounding
// is the frame head, starting is sounding times the onset head.
TEST(PitchOutlook, IndependentHeadGivesTheTeacherForcedProbabilities) {
    const RepresentationConfig rep;
    auto model = neuralModel(smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 48), 3);
    ASSERT_TRUE(model);
    const FrameSequence seq = randomPiece(rep, 30, 5);
    const PitchOutlook o = model->outlook(seq);
    const neural::StepProbabilities p = neural::fastProbabilities(*model, seq);
    ASSERT_EQ(o.steps, seq.steps);
    ASSERT_EQ(o.pitches, rep.pitches());
    EXPECT_EQ(o.samples, 0);
    for (std::size_t i = 0; i < p.frame.size(); ++i) {
        ASSERT_NEAR(o.sounding[i], p.frame[i], 1e-6) << i;
        ASSERT_NEAR(o.starting[i], p.frame[i] * p.onset[i], 1e-6) << i;
    }
}

// The NADE head's outlook is an estimate of each pitch's marginal. Checked against the exact
// marginal from enumerating all 2^5 frames (of a model trained where pitches come in pairs) of a
// step, each frame's probability the product of the head's conditionals for it.
TEST(PitchOutlook, NadeHeadEstimatesTheMarginalOfEachPitch) {
    const RepresentationConfig rep = fewPitches(5, true);
    ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Autoregressive, rep, 32);
    c.nadeHidden = 24;
    Dataset data;
    data.representation = rep;
    for (std::uint64_t s = 0; s < 4; ++s)
        data.train.push_back(pairedPitches(rep, 64, s));
    data.valid.push_back(pairedPitches(rep, 48, 9));
    TrainOptions opt;
    opt.epochs = 10;
    opt.windowSteps = 32;
    opt.stepsPerEpoch = 15;
    opt.learningRate = 0.02;
    opt.averageDecay = 0;
    opt.threads = 1;
    std::atomic<bool> cancel{false};
    const TrainResult trained = trainNeural(data, c, opt, cancel, {}, nullptr);
    ASSERT_EQ(trained.status, TrainStatus::Finished) << trained.error;
    const std::shared_ptr<SequenceModel> model = trained.model;
    const FrameSequence seq = pairedPitches(rep, 12, 77);
    const PitchOutlook o = model->outlook(seq);
    ASSERT_EQ(o.steps, seq.steps);
    EXPECT_GT(o.samples, 0);
    const int P = rep.pitches();
    // The conditionals of the step's actual frame: what a marginal is not. Some must be far off
    // it, or the check below could not tell an estimate of the marginal from them.
    const neural::StepProbabilities given = neural::fastProbabilities(*model, seq);
    double furthest = 0;
    for (int t : {0, 5, 11}) {
        std::vector<double> exact(std::size_t(P), 0.0);
        double total = 0;
        for (int code = 0; code < (1 << P); ++code) {
            const FrameSequence f = withFrame(seq, t, code, 2);
            const neural::StepProbabilities cond = neural::fastProbabilities(*model, f);
            double joint = 1;
            for (int p = 0; p < P; ++p) {
                const double q = cond.frame[std::size_t(t) * P + p];
                joint *= f.sounds(t, p) ? q : 1 - q;
            }
            total += joint;
            for (int p = 0; p < P; ++p)
                exact[std::size_t(p)] += f.sounds(t, p) ? joint : 0.0;
        }
        EXPECT_NEAR(total, 1.0, 1e-5);
        for (int p = 0; p < P; ++p) {
            EXPECT_NEAR(o.sound(t, p), exact[std::size_t(p)], 0.02)
                << "step " << t << " pitch " << p;
            furthest = std::max(
                furthest, std::abs(given.frame[std::size_t(t) * P + p] - exact[std::size_t(p)]));
        }
    }
    EXPECT_GT(furthest, 0.1);
}

// The Markov model's outlook is exact: each pitch's marginal of the distribution its
// evaluate() scores, found by enumerating every frame of the step (3 states per pitch).
TEST(PitchOutlook, MarkovGivesTheExactMarginalOfItsFrameDistribution) {
    for (const bool onsets : {true, false}) {
        const RepresentationConfig rep = fewPitches(3, onsets);
        ModelConfig c;
        c.kind = ModelKind::Markov;
        c.markovOrder = 2;
        c.representation = rep;
        MarkovModel model(c);
        std::vector<FrameSequence> pieces;
        for (std::uint64_t s = 0; s < 6; ++s)
            pieces.push_back(randomPiece(rep, 40, 20 + s, 0.35));
        model.train(pieces);
        FrameSequence seq = randomPiece(rep, 16, 99, 0.35);
        if (!onsets)
            seq.onset.clear();
        const PitchOutlook o = model.outlook(seq);
        ASSERT_EQ(o.steps, seq.steps);
        EXPECT_EQ(o.samples, 0);
        const int P = rep.pitches();
        const int states = onsets ? 3 : 2;
        int frames = 1;
        for (int p = 0; p < P; ++p)
            frames *= states;
        for (int t : {3, 9, 15}) {
            const double before = model.evaluate(seq.slice(0, t)).frameSum;
            std::vector<double> sound(std::size_t(P), 0.0), start(std::size_t(P), 0.0);
            double total = 0;
            for (int code = 0; code < frames; ++code) {
                const FrameSequence f = withFrame(seq, t, code, states).slice(0, t + 1);
                const double prob = std::exp(before - model.evaluate(f).frameSum);
                total += prob;
                for (int p = 0; p < P; ++p) {
                    sound[std::size_t(p)] += f.sounds(t, p) ? prob : 0.0;
                    start[std::size_t(p)] += f.starts(t, p) && f.sounds(t, p) ? prob : 0.0;
                }
            }
            EXPECT_NEAR(total, 1.0, 1e-6) << "onsets " << onsets;
            for (int p = 0; p < P; ++p) {
                EXPECT_NEAR(o.sound(t, p), sound[std::size_t(p)], 1e-5) << t << " " << p;
                EXPECT_NEAR(o.start(t, p), start[std::size_t(p)], 1e-5) << t << " " << p;
            }
        }
    }
}
