// What a generator update weighs beside the critic (ml/neural/GanTraining.h: chromaDistance,
// spreadDistance, GeneratorTargets), checked against hand-computed values.

#include "ml/neural/GanNet.h"
#include "ml/neural/GanTraining.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace torchestra::ml;
using namespace torchestra::ml::neural;

namespace {

// Four pitches from A#3 (58), so unit 2 is C and the pitch classes wrap past B.
GanShape fourPitches() {
    GanShape s;
    s.pitches = 4;
    s.lowPitch = 58;
    s.steps = 8;
    s.velocityBins = 4;
    return s;
}

// Conditions whose bars are `lengths` steps long, with the given 12-class profiles (C first).
torch::Tensor conditions(const GanShape& shape, const std::vector<int>& lengths,
                         const std::vector<std::vector<float>>& profiles) {
    const auto batch = std::int64_t(lengths.size());
    torch::Tensor c = torch::zeros({batch, shape.conditionChannels(), shape.steps});
    for (std::int64_t b = 0; b < batch; ++b) {
        c[b].narrow(0, shape.firstGlobalChannel() + 2, 1)
            .narrow(1, 0, lengths[std::size_t(b)])
            .fill_(1.f);
        for (int k = 0; k < 12; ++k)
            c[b][shape.firstGlobalChannel() + 3 + k].fill_(
                profiles[std::size_t(b)][std::size_t(k)]);
    }
    return c;
}

// Sets pitch unit `unit`'s sounding probability to `p` on steps [from, to) of bar `b`.
void sound(torch::Tensor& bars, const GanShape& shape, int b, int unit, int from, int to, float p) {
    bars[b][shape.pitches + unit].narrow(0, from, to - from).fill_(p);
}

std::vector<float> profileOf(std::initializer_list<std::pair<int, float>> shares) {
    std::vector<float> profile(12, 0.f);
    for (const auto& [pitchClass, share] : shares)
        profile[std::size_t(pitchClass)] = share;
    return profile;
}

} // namespace

// The bar's squared sounding probabilities summed over its real steps, per pitch class, as
// shares, against the profile its condition holds; bars asked for silence are not counted.
TEST(GanTargets, ChromaDistanceIsTheL1BetweenABarsSharesAndItsProfile) {
    const GanShape shape = fourPitches();
    torch::Tensor bars = torch::zeros({3, shape.barChannels(), shape.steps});
    // Units 0-3 are A#, B, C, C#. Bar 0: C (unit 2) on all 8 steps, B (unit 1) at 0.5 on all
    // 8: squared, C 8, B 2, shares 0.8 and 0.2; asked for C alone: L1 0.4.
    sound(bars, shape, 0, 2, 0, 8, 1.f);
    sound(bars, shape, 0, 1, 0, 8, 0.5f);
    // Bar 1: asked for silence, so not counted whatever it sounds.
    sound(bars, shape, 1, 0, 0, 8, 1.f);
    // Bar 2: 4 steps long; A# (unit 0) on steps 0-3, C# (unit 3) only past its end: A# alone,
    // asked for A# and C# half each: L1 1.
    sound(bars, shape, 2, 0, 0, 4, 1.f);
    sound(bars, shape, 2, 3, 4, 8, 1.f);
    const torch::Tensor condition =
        conditions(shape, {8, 8, 4},
                   {profileOf({{0, 1.f}}), profileOf({}), profileOf({{10, 0.5f}, {1, 0.5f}})});
    EXPECT_NEAR(chromaDistance(bars, condition, shape).item<double>(), (0.4 + 1.0) / 2, 1e-5);
}

// A real bar's own profile (the condition a harmony-planned GAN trains on) is exactly its
// chroma, transposed or not, and so are its quarters' profiles each quarter's: the distance of
// the real bars to their conditions is 0, read as they were written.
TEST(GanTargets, RealBarsLieOnTheirOwnProfiles) {
    const RepresentationConfig rep; // 88 pitches from A0: transposed, none leaves the range
    const GanShape shape = ganShape(rep, 16);
    std::vector<FrameSequence> pieces(1);
    FrameSequence& piece = pieces[0];
    piece.resize(4 * 16, rep.pitches(), true);
    std::mt19937 rng(3);
    for (int t = 0; t < piece.steps; ++t)
        for (int p = 30; p < 54; ++p)
            if (rng() % 5 == 0)
                piece.sounding[std::size_t(t * piece.pitches + p)] = 1;
    const GanBarIndex index = indexBars(pieces, 16);
    std::mt19937_64 draws(7);
    const GanBatch batch = makeGanBatch(pieces, index, shape, HarmonyInput::OwnBar, 16, 6, draws);
    EXPECT_LT(chromaDistance(batch.real, batch.condition, shape).item<double>(), 1e-5);
    // The same bars against another bar's profile are not.
    const torch::Tensor swapped = batch.condition.roll(1, 0);
    EXPECT_GT(chromaDistance(batch.real, swapped, shape).item<double>(), 0.1);
    // Quarter by quarter, against the quarters' own profiles, and not against the bar's.
    const GanBatch byQuarter =
        makeGanBatch(pieces, index, shape, HarmonyInput::OwnQuarters, 16, 6, draws);
    EXPECT_LT(chromaDistance(byQuarter.real, byQuarter.condition, shape, true).item<double>(),
              1e-5);
    EXPECT_GT(chromaDistance(batch.real, batch.condition, shape, true).item<double>(), 0.1);
    // Read over the whole bar, the quarters' profiles are not the bar's.
    EXPECT_GT(chromaDistance(byQuarter.real, byQuarter.condition, shape).item<double>(), 0.05);
}

// Per bar, the pitches it sounds (each one's most probable step) and the spread of its pitches;
// the batches' means and deviations of both, apart in units of the real bars' deviation.
TEST(GanTargets, SpreadDistanceComparesTheBatchesPitchesAndSpread) {
    const GanShape shape = fourPitches();
    const torch::Tensor condition = conditions(shape, {8, 8}, {profileOf({}), profileOf({})});
    // Real: a bar of unit 1 alone (1 pitch, spread 0) and one of units 1 and 3 held alike (2
    // pitches, spread 1 unit).
    torch::Tensor real = torch::zeros({2, shape.barChannels(), shape.steps});
    sound(real, shape, 0, 1, 0, 8, 1.f);
    sound(real, shape, 1, 1, 0, 8, 1.f);
    sound(real, shape, 1, 3, 0, 8, 1.f);
    real.requires_grad_(true);
    EXPECT_NEAR(spreadDistance(real, real, condition, shape).item<double>(), 0.0, 1e-6);
    // Fake: both bars as the second real one. Pitches: real 1 and 2 (mean 1.5, deviation
    // 1/sqrt 2), fake 2 and 2 (mean 2, deviation 0): 0.5 + 0.707, in units of 1 (the real
    // deviation is under one pitch). Spreads: real 0 and 1, fake 1 and 1: the same. (The guard
    // that keeps the deviations' gradient finite moves the sum in the third decimal.)
    torch::Tensor fake = real.detach().clone();
    sound(fake, shape, 0, 3, 0, 8, 1.f);
    fake.requires_grad_(true);
    const torch::Tensor distance = spreadDistance(fake, real, condition, shape);
    EXPECT_NEAR(distance.item<double>(), 2 * (0.5 + std::sqrt(0.5)), 1e-2);
    // Only the fake bars get a gradient: the real ones are the target.
    distance.backward();
    EXPECT_TRUE(fake.grad().defined());
    EXPECT_FALSE(real.grad().defined());
    // Moved a semitone down, the real bars sound as many pitches as widely.
    torch::Tensor down = torch::zeros_like(fake);
    down.narrow(1, shape.pitches, shape.pitches - 1)
        .copy_(real.detach().narrow(1, shape.pitches + 1, shape.pitches - 1));
    EXPECT_NEAR(spreadDistance(down, real, condition, shape).item<double>(), 0.0, 1e-6);
}

// With targets the generator's loss is the critic's verdict plus their weighted distances, on
// the same generated bars; without them, the verdict alone.
TEST(GanTargets, GeneratorStepAddsTheWeightedDistances) {
    const GanShape shape = fourPitches();
    torch::manual_seed(5);
    GanGenerator g(shape, 10, 16);
    GanCritic d(shape, 16);
    // A rate of 0: the steps leave the generator as it was, so each sees the same bars.
    torch::optim::Adam adam(g->parameters(), torch::optim::AdamOptions(0.0));
    GanBatch batch;
    batch.condition =
        conditions(shape, {8, 8, 6},
                   {profileOf({{0, 1.f}}), profileOf({{2, 0.5f}, {7, 0.5f}}), profileOf({})});
    batch.real = torch::zeros({3, shape.barChannels(), shape.steps});
    sound(batch.real, shape, 0, 2, 0, 8, 1.f);
    sound(batch.real, shape, 1, 0, 0, 8, 1.f);
    sound(batch.real, shape, 1, 3, 2, 8, 1.f);
    double verdict = 0, chroma = 0, spread = 0;
    {
        torch::NoGradGuard noGrad;
        torch::manual_seed(11);
        const torch::Tensor fake = g(torch::randn({3, 10}), batch.condition);
        verdict = -d(fake, batch.condition).mean().item<double>();
        chroma = chromaDistance(fake, batch.condition, shape).item<double>();
        spread = spreadDistance(fake, batch.real, batch.condition, shape).item<double>();
    }
    EXPECT_GT(chroma, 0.0);
    EXPECT_GT(spread, 0.0);
    torch::manual_seed(11);
    EXPECT_NEAR(generatorStep(g, d, adam, batch, 10), verdict, 1e-5);
    const GeneratorTargets targets{shape, 2.0, 0.5};
    torch::manual_seed(11);
    EXPECT_NEAR(generatorStep(g, d, adam, batch, 10, {}, &targets),
                verdict + 2.0 * chroma + 0.5 * spread, 1e-5);
}
