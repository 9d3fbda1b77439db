#pragma once

// What the GAN's trainer builds from the data, shared by the trainer and its tests: the
// training bars, a batch of real bars with their conditions, one WGAN-GP step, and the
// validation windows the kept model is chosen on. Included only by ml/neural/*.cpp.

#include "ml/Dataset.h"
#include "ml/neural/GanNet.h"

#include <algorithm>
#include <deque>
#include <functional>
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

// Where the bars of some pieces are (the pieces are kept by the caller: the data held in
// memory, or a streamed corpus's pool, which re-indexes as it moves on).
struct GanBarIndex {
    std::vector<std::vector<StepRange>> bars; // per piece
    std::vector<std::pair<int, int>> index;   // (piece, bar) of every bar
};
GanBarIndex indexBars(const std::vector<FrameSequence>& pieces, int barSteps);

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
// `count` bars of `pieces` (indexed by `bars`) drawn uniformly, each transposed by a random
// shift within +-transpose, their key features as `harmony` says.
GanBatch makeGanBatch(const std::vector<FrameSequence>& pieces, const GanBarIndex& bars,
                      const GanShape& shape, HarmonyInput harmony, int count, int transpose,
                      std::mt19937_64& rng);

// Called between an update's backward pass and its optimizer step with the updated module's
// parameters and the update's loss (data-parallel training averages the gradients there).
using BeforeStep = std::function<void(const std::vector<torch::Tensor>& params, double loss)>;

// One critic update on a batch: returns its loss terms (Wasserstein estimate, penalty).
struct CriticStep {
    double wasserstein = 0; // mean D(real) - mean D(fake)
    double penalty = 0;
    double loss = 0; // what was minimised: -wasserstein + kPenaltyWeight * penalty
};
CriticStep criticStep(GanGenerator& generator, GanCritic& critic, torch::optim::Adam& adam,
                      const GanBatch& batch, int noise, const BeforeStep& beforeStep = {});

// What a generator update weighs beside the critic's verdict, for a GAN whose key features are
// each bar's own pitch-class profile (HarmonyInput::OwnBar: a GAN with a harmony plan). With the
// critic alone, bars followed their profiles loosely (L1 0.45) and their one-bar pitch-class
// entropy stayed under the chorales' (overlap 0.65 on JSB's valid windows); the profile as a
// target moved it but spread the pitches over more octaves (range 38.7 against 30.6), which the
// spread term holds: with both, overlaps 0.87 and 0.82 (docs/results.md, session 22).
struct GeneratorTargets {
    GanShape shape;
    double chromaWeight = 0;
    double spreadWeight = 0;
    bool quarters = false; // the profiles are the quarters' (HarmonyInput::OwnQuarters)
};
// The weights a GAN with a harmony plan trains with (chosen on JSB's valid split, session 22).
constexpr double kChromaWeight = 2.0, kSpreadWeight = 1.0;

// The L1 distance between each bar's pitch-class shares (its squared sounding probabilities
// summed over its real steps, per pitch class: what keyFeatures reads from a real bar) and the
// profile its condition holds, averaged over the bars whose profile is not silence. `bars` [B,
// barChannels, steps], `condition` [B, conditionChannels, steps]. With `quarters`, the same
// for each quarter of the bar against the profile on its steps, averaged over the quarters
// whose profile is not silence.
torch::Tensor chromaDistance(const torch::Tensor& bars, const torch::Tensor& condition,
                             const GanShape& shape, bool quarters = false);
// How far two batches of bars lie apart in how many pitches a bar sounds (each pitch's most
// probable step, summed over the pitches) and how widely they spread (the standard deviation
// of the sounding pitches, weighed by their sounding probabilities): for each of the two, the
// distance between the batches' means plus that between their standard deviations, in units
// of `real`'s standard deviation, or of one (pitch, semitone) where it is smaller (on JSB's
// batches of 64 it is 2.6 pitches on average, at least 1.9, and in 99% of them over one
// semitone). Batch moments, not
// each fake bar against its own real bar, so the bars may still differ from one another as the
// music's do.
torch::Tensor spreadDistance(const torch::Tensor& fake, const torch::Tensor& real,
                             const torch::Tensor& condition, const GanShape& shape);

// One generator update on a batch's conditions: returns its loss, -mean D(fake), plus with
// `targets` their weighted distances (chromaDistance to the conditions' profiles,
// spreadDistance to the batch's real bars). The critic's weights get no gradient from it.
double generatorStep(GanGenerator& generator, GanCritic& critic, torch::optim::Adam& adam,
                     const GanBatch& batch, int noise, const BeforeStep& beforeStep = {},
                     const GeneratorTargets* targets = nullptr);

// How many threads the compute thread gives each generator update, chosen by measurement. An
// update is hundreds of small parallel operations, and at the end of each the OpenMP team's
// threads spin while they wait for each other; when other processes keep the cores busy, one of
// them is often descheduled and the other spins away the time it needed. On the 2-core machine
// beside other engineers' builds and tests (load 2.5-4), an update took 2-7x as long with 2
// threads as with 1; on the quiet machine 2 threads are ~1.4x faster (docs/benchmarks.md, GAN).
// So with TrainOptions::threads > 1 a run starts on one thread, the safe choice, and now and
// then tries the other count for two updates and then the current one for two more: it
// switches when the faster try is under 0.9 of the faster of the two after. It tries after a
// warm-up update and three more, then every kFirstInterval updates at first and up to every
// kLongestInterval while the choice stands, and at once (but not within kMinGap updates of the
// last try) when an update takes over twice as long as the fastest of the three before it. (The
// weights a run reaches then depend on the load, as convolutions sum in another order on one
// thread than on two; with TrainOptions::threads 1 a run is reproducible.) Not thread-safe: the
// trainer's caller owns it.
class ThreadChoice {
public:
    explicit ThreadChoice(int most) : m_most(std::max(1, most)) {}
    // Threads for the next update.
    int next() const { return m_phase == Phase::Trying ? other() : m_current; }
    // The update that next() chose threads for took `seconds`.
    void record(double seconds);

private:
    enum class Phase { Running, Trying, Checking };
    static constexpr long kFirstInterval = 25, kLongestInterval = 200, kMinGap = 10;
    int other() const { return m_current == 1 ? m_most : 1; }
    void decide();
    int m_most, m_current = 1;
    Phase m_phase = Phase::Running;
    int m_left = 0; // updates left in this phase
    long m_updates = 0, m_tryAt = 4, m_lastTry = 0, m_interval = kFirstInterval;
    double m_tried = 0, m_checked = 0; // the faster update of the try and of the check after
    std::deque<double> m_recent;       // the current count's last updates
};

} // namespace torchestra::ml::neural
