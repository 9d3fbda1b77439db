// The hold path (ModelConfig::holdPath): the fast sampler adds the same per-pitch terms as the
// torch module trained them with, and checkpoints written before it still load without it.

#include "../NeuralTestData.h"

#include "ml/Checkpoint.h"
#include "ml/neural/NeuralNet.h"

#include "common/TempDir.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace torchestra::ml;
using namespace torchestra::ml::neural;
using namespace torchestra::ml::testdata;

namespace {

// A model whose hold weights are far from their zero start, so the comparison sees them.
std::unique_ptr<NeuralModel> modelWithHoldWeights(const ModelConfig& config) {
    torch::manual_seed(5);
    NeuralNet net{nullptr};
    EXPECT_EQ(makeNet(config, net), "");
    {
        torch::NoGradGuard noGrad;
        EXPECT_TRUE(net->m_holdFrame.defined());
        net->m_holdFrame.uniform_(-3.0, 3.0);
        if (net->m_holdOnset.defined())
            net->m_holdOnset.uniform_(-3.0, 3.0);
    }
    return std::make_unique<NeuralModel>(net, NeuralTrainingState{}, "");
}

float worstDifference(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    float worst = 0;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

// (head, MIDI-style or JSB-style representation, lookback input)
class HoldPath : public ::testing::TestWithParam<std::tuple<HeadKind, bool, bool>> {};

} // namespace

TEST_P(HoldPath, FastPathAddsTheSameTermsAsTorch) {
    const auto [head, midi, lookback] = GetParam();
    RepresentationConfig rep = midi ? RepresentationConfig{} : jsbRepresentation();
    rep.lookback = lookback;
    ModelConfig c = smallConfig(ModelKind::Lstm, head, rep, 32, 2);
    ASSERT_TRUE(c.holdPath); // new models have it
    auto model = modelWithHoldWeights(c);
    FrameSequence seq = randomPiece(rep, 40, 3, 0.15);
    if (!midi)
        seq = unknownMetre(seq);

    const StepProbabilities withHold = torchProbabilities(*model, seq);
    const StepProbabilities fast = fastProbabilities(*model, seq);
    EXPECT_LT(worstDifference(withHold.frame, fast.frame), 1e-4f);
    EXPECT_LT(worstDifference(withHold.onset, fast.onset), 1e-4f);
    ASSERT_EQ(withHold.onset.empty(), !midi);

    // The ranking's batch scoring on the fast path adds them too (the torch path's evaluate()
    // of the parts is the reference).
    std::vector<FrameSequence> seqs;
    for (int i = 0; i < 18; ++i) {
        FrameSequence s = randomPiece(rep, 24 + i % 5, 70 + std::uint64_t(i), 0.15);
        seqs.push_back(midi ? s : unknownMetre(s));
    }
    const SequenceModel& scored = *model;
    const std::vector<NllResult> batch = scored.evaluateFrom(seqs, 8);
    const std::vector<NllResult> parts = scored.SequenceModel::evaluateFrom(seqs, 8);
    ASSERT_EQ(batch.size(), parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        EXPECT_NEAR(batch[i].frameSum, parts[i].frameSum, 1e-4 * std::max(1.0, parts[i].frameSum))
            << i;
        EXPECT_NEAR(batch[i].onsetSum, parts[i].onsetSum, 1e-4 * std::max(1.0, parts[i].onsetSum))
            << i;
    }

    // The terms change the probabilities of the pitches that sounded the step before, and with
    // lookback those of the pitches that sounded a bar before.
    const int blocks = rep.pitchBlocks();
    ASSERT_EQ(model->net()->m_holdFrame.size(0), blocks);
    if (lookback) {
        {
            torch::NoGradGuard noGrad;
            model->net()->m_holdFrame.narrow(0, blocks / 2, blocks / 2).zero_();
        }
        const StepProbabilities noLookback = torchProbabilities(*model, seq);
        EXPECT_GT(worstDifference(withHold.frame, noLookback.frame), 0.1f);
    }
    {
        torch::NoGradGuard noGrad;
        model->net()->m_holdFrame.zero_();
    }
    const StepProbabilities without = torchProbabilities(*model, seq);
    EXPECT_GT(worstDifference(withHold.frame, without.frame), 0.1f);
}

INSTANTIATE_TEST_SUITE_P(
    Heads, HoldPath,
    ::testing::Combine(::testing::Values(HeadKind::Independent, HeadKind::Autoregressive),
                       ::testing::Bool(), ::testing::Bool()),
    [](const ::testing::TestParamInfo<HoldPath::ParamType>& p) {
        return std::string(std::get<0>(p.param) == HeadKind::Independent ? "independent" : "nade") +
               (std::get<1>(p.param) ? "_midi" : "_jsb") +
               (std::get<2>(p.param) ? "_lookback" : "");
    });

// A checkpoint from before the hold path has no "holdPath" in its config: it loads as a model
// without one (its parameters would not match otherwise), and a new one keeps its own.
TEST(HoldPathConfig, OlderConfigsHaveNoHoldPathAndNewOnesKeepTheirs) {
    ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, RepresentationConfig{});
    expectOlderConfigsReadFalse(c, "\"holdPath\":true", &ModelConfig::holdPath);

    // Such a model round-trips through a checkpoint without the hold parameters.
    ModelConfig old = c;
    old.holdPath = false;
    std::string error;
    std::unique_ptr<SequenceModel> model = createNeuralModel(old, 3, error);
    ASSERT_TRUE(model) << error;
    const std::string path = torchestra::testkit::makeTempDir("hold") + "/old.tcm";
    ASSERT_EQ(saveCheckpoint(path, *model, {}), "");
    const LoadedCheckpoint loaded = loadCheckpoint(path);
    ASSERT_TRUE(loaded.model) << loaded.error;
    EXPECT_FALSE(loaded.model->config().holdPath);
}
