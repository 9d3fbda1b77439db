// The fused NADE head (ml/neural/NadeHead.h) against the same equations written with torch's
// own operations in double precision: the logits and the gradients of b, c, W and V, on awkward
// sizes (37 pitches; 20 hidden units, so the 8-lane loops have a tail), with padding steps
// whose gradient is zero, at one and two threads.

#include "ml/neural/NadeHead.h"
#include "ml/neural/NeuralNet.h"

#include <gtest/gtest.h>

using namespace torchestra::ml::neural;

namespace {

constexpr int64_t kB = 3, kT = 11, kP = 37, kHn = 20;

// The head as NeuralNetImpl::frameLogits wrote it before the fused operation: an exclusive
// cumulative sum over the pitch axis.
torch::Tensor referenceLogits(const torch::Tensor& b, const torch::Tensor& c,
                              const torch::Tensor& frames, const torch::Tensor& W,
                              const torch::Tensor& V) {
    const int64_t P = frames.size(2);
    torch::Tensor vPrev = torch::constant_pad_nd(frames.narrow(2, 0, P - 1), {1, 0});
    torch::Tensor wPrev = torch::constant_pad_nd(W.narrow(0, 0, P - 1), {0, 0, 1, 0});
    torch::Tensor acc = (vPrev.unsqueeze(-1) * wPrev).cumsum(2);
    torch::Tensor hid = torch::sigmoid(c.unsqueeze(2) + acc);
    return b + (hid * V).sum(-1);
}

struct Inputs {
    torch::Tensor b, c, frames, W, V, lossWeights;
};

Inputs randomInputs() {
    torch::manual_seed(11);
    Inputs in;
    in.b = torch::randn({kB, kT, kP});
    in.c = torch::randn({kB, kT, kHn});
    in.frames = (torch::rand({kB, kT, kP}) < 0.2).to(torch::kFloat);
    in.W = torch::randn({kP, kHn});
    in.V = torch::randn({kP, kHn});
    in.lossWeights = torch::randn({kB, kT, kP});
    in.lossWeights[1].narrow(0, 7, 4).zero_(); // padding steps at the end of the second row
    return in;
}

struct Result {
    torch::Tensor logits, db, dc, dW, dV;
};

template <class Head> Result run(const Inputs& in, torch::ScalarType type, Head head) {
    std::vector<torch::Tensor> leaves;
    for (const torch::Tensor& t : {in.b, in.c, in.W, in.V})
        leaves.push_back(t.to(type).detach().requires_grad_(true));
    torch::Tensor logits = head(leaves[0], leaves[1], in.frames.to(type), leaves[2], leaves[3]);
    (logits * in.lossWeights.to(type)).sum().backward();
    return {logits.detach().to(torch::kDouble), leaves[0].grad().to(torch::kDouble),
            leaves[1].grad().to(torch::kDouble), leaves[2].grad().to(torch::kDouble),
            leaves[3].grad().to(torch::kDouble)};
}

double worst(const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
}

class NadeHead : public ::testing::TestWithParam<int> {};

} // namespace

TEST_P(NadeHead, MatchesTheCumulativeSumFormulaAndItsGradients) {
    const int previous = setThisThreadsThreads(GetParam());
    const Inputs in = randomInputs();
    const Result fused = run(in, torch::kFloat, nadeHeadLogits);
    const Result ref = run(in, torch::kDouble, referenceLogits);
    setThisThreadsThreads(previous);

    EXPECT_LT(worst(fused.logits, ref.logits), 1e-4);
    EXPECT_LT(worst(fused.db, ref.db), 1e-6);
    EXPECT_LT(worst(fused.dc, ref.dc), 1e-4);
    EXPECT_LT(worst(fused.dW, ref.dW), 1e-3);
    EXPECT_LT(worst(fused.dV, ref.dV), 1e-3);
    // The top pitch's W row reaches no pitch; padding steps get no gradient.
    EXPECT_EQ(fused.dW[kP - 1].abs().max().item<double>(), 0.0);
    EXPECT_EQ(fused.dc[1].narrow(0, 7, 4).abs().max().item<double>(), 0.0);
    // The comparison is not vacuous: the gradients are far from zero.
    EXPECT_GT(ref.dW.abs().max().item<double>(), 0.5);
    EXPECT_GT(ref.dc.abs().max().item<double>(), 0.1);
}

TEST(NadeHeadThreads, LogitsAreTheSameBitsForAnyThreadCount) {
    const Inputs in = randomInputs();
    const int previous = setThisThreadsThreads(1);
    const torch::Tensor one = nadeHeadLogits(in.b, in.c, in.frames, in.W, in.V);
    setThisThreadsThreads(2);
    const torch::Tensor two = nadeHeadLogits(in.b, in.c, in.frames, in.W, in.V);
    setThisThreadsThreads(previous);
    EXPECT_TRUE(torch::equal(one, two));
}

INSTANTIATE_TEST_SUITE_P(Threads, NadeHead, ::testing::Values(1, 2));
