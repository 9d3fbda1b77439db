#pragma once

// What the GAN's trainer builds from the data, shared by the trainer and its tests: the
// training bars, a batch of real bars with their conditions, one WGAN-GP step, and the
// validation windows the kept model is chosen on. Included only by ml/neural/*.cpp.

#include "ml/Dataset.h"
#include "ml/neural/GanNet.h"

#include <memory>
#include <random>
#include <vector>

namespace torchestra::ml::neural {

// The WGAN-GP settings of Gulrajani et al. (2017), which MuseGAN kept.
constexpr int kCriticSteps = 5;
constexpr double kPenaltyWeight = 10.0;
constexpr double kAdamBeta1 = 0.5, kAdamBeta2 = 0.9;
// Fewer training bars than this and a GAN only memorises them (and the critic wins at once).
constexpr long kMinGanBars = 32;

// The pieces cut into bars. Shared with the training passes, which may outlive the run.
struct GanBarSet {
    std::vector<FrameSequence> pieces;
    std::vector<std::vector<StepRange>> bars; // per piece
    std::vector<std::pair<int, int>> index;   // (piece, bar) of every bar
};
GanBarSet cutIntoBars(const std::vector<FrameSequence>& pieces, int barSteps);

// The longest bar of the pieces rounded up to a multiple of 4 steps (the critic halves the bar
// twice), at most 64; `unmetered` for data without a metre.
int ganBarSteps(const std::vector<FrameSequence>& pieces, int unmetered);

// How often a training bar is shown without the bar before it (so the model can start from
// nothing) and with the bar after it (so it can infill; without it, it continues).
constexpr double kDropPrevious = 0.1;
constexpr double kKeepNext = 0.5;

struct GanBatch {
    torch::Tensor real;      // [B, barChannels, steps]
    torch::Tensor condition; // [B, conditionChannels, steps]
};
// `count` bars drawn uniformly, each transposed by a random shift within +-transpose.
GanBatch makeGanBatch(const GanBarSet& data, const GanShape& shape, int count, int transpose,
                      std::mt19937_64& rng);

// One critic update on a batch: returns its loss terms (Wasserstein estimate, penalty).
struct CriticStep {
    double wasserstein = 0; // mean D(real) - mean D(fake)
    double penalty = 0;
    double loss = 0; // what was minimised: -wasserstein + kPenaltyWeight * penalty
};
CriticStep criticStep(GanGenerator& generator, GanCritic& critic, torch::optim::Adam& adam,
                      const GanBatch& batch, int noise);
// One generator update on a batch's conditions: returns its loss, -mean D(fake). The critic's
// weights get no gradient from it.
double generatorStep(GanGenerator& generator, GanCritic& critic, torch::optim::Adam& adam,
                     const GanBatch& batch, int noise);

} // namespace torchestra::ml::neural
