// trainGan: WGAN-GP (kCriticSteps critic updates per generator update, gradient penalty, Adam
// with betas 0.5/0.9) on bars drawn from the training pieces, each with its condition. An
// epoch is options.stepsPerEpoch generator steps; after each, the validation score: 1 minus the
// closeness (mean overlap area of the music metrics, ml/MusicMetrics.h) of four-bar
// continuations the generator writes from validation primers to the validation bars that
// really followed. A GAN's losses say little about its music, so the model kept is the one
// closest on validation, and patience counts epochs without a closer one (from the
// kUpdatesBeforePatience-th update on).
//
// Cancel returns within 200 ms: every pass runs on the ComputeThread (why: NeuralTrainer.cpp's
// file comment) and owns what it touches (modules, optimizers, the bars, its random state).
// By default an epoch is a pass over the training bars.
//
// Streamed data (Dataset::trainStream, a corpus larger than its memory budget): the bars are
// drawn from a PiecePool's pieces, re-indexed as the pool moves on by one generator batch of
// bars per update (in memory, an epoch is a pass of the training bars through the generator
// too). The bar length is the longest bar of the first pool and the validation pieces (a
// sample by hash of the corpus; a longer bar later is cut, as any is); data-parallel ranks take
// rank 0's. Each streamed rank draws its own batches from its own share.
//
// The weights kept are an average of the generator's (options.averageDecay), which smooths the
// oscillation of adversarial training.
// The compute thread's thread count (at most options.threads) is chosen per update by
// measurement (ThreadChoice, GanTraining.h): on a busy machine one thread is much the faster.

#include "ml/ContinuationMetrics.h"
#include "ml/StreamedPieces.h"
#include "ml/neural/ComputeThread.h"
#include "ml/neural/GanModel.h"
#include "ml/neural/GanTraining.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/NeuralNet.h"
#include "ml/neural/TrainingPasses.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace torchestra::ml {

namespace {

using Clock = std::chrono::steady_clock;
using namespace neural;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string saveOptimizer(torch::optim::Adam& adam) {
    torch::serialize::OutputArchive ar;
    adam.save(ar);
    std::ostringstream os;
    ar.save_to(os);
    return os.str();
}

void loadOptimizer(torch::optim::Adam& adam, const std::string& bytes) {
    if (bytes.empty())
        return;
    torch::serialize::InputArchive ar;
    ar.load_from(bytes.data(), bytes.size());
    adam.load(ar);
}

std::vector<torch::Tensor> copyOf(torch::nn::Module& m) {
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> out;
    for (const auto& p : m.parameters())
        out.push_back(p.detach().clone());
    return out;
}

void assign(torch::nn::Module& m, const std::vector<torch::Tensor>& values) {
    torch::NoGradGuard noGrad;
    auto params = m.parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
        params[i].copy_(values[i]);
}

// glibc's malloc returns freed memory at the top of its heap to the kernel once more than a
// threshold is free (2x the largest block freed so far, a few MB here), and a generator update
// frees nearly all it allocated (tens of MB of activations and gradients) at its end: every
// update then faulted those pages in again, ~7,500 page faults and ~25% of an update's time
// (docs/benchmarks.md, GAN). Keeping up to 64 MB free per heap (and mapping only blocks over
// 32 MB, glibc's own upper bound for its adaptive threshold) lets the passes reuse it. Process
// wide and kept for the process's life; a few tens of MB on a 24 GB workstation.
void keepFreedMemoryForReuse() {
#ifdef __GLIBC__
    static const bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
        return true;
    }();
    (void)done;
#endif
}

// Everything a training pass touches, shared with the passes (they may outlive the run).
struct GanState {
    GanShape shape;
    int noise = 100;
    GanGenerator generator{nullptr}, averaged{nullptr};
    GanCritic critic{nullptr};
    std::shared_ptr<torch::optim::Adam> generatorAdam, criticAdam;
    // The training pieces: the data's held in memory (a copy, as the passes may outlive the
    // run), or a streamed corpus's pool; their bars.
    std::vector<FrameSequence> held;
    std::optional<PiecePool> pool;
    GanBarIndex bars;
    const std::vector<FrameSequence>& pieces() const { return pool ? pool->pieces() : held; }
    // ModelConfig::harmonyPlan: the training pieces' progressions (streamed: the first pool's).
    std::shared_ptr<const HarmonyPlan> plan;
    HarmonyInput harmony() const {
        return !plan              ? HarmonyInput::KeyAround
               : plan->quarters() ? HarmonyInput::OwnQuarters
                                  : HarmonyInput::OwnBar;
    }
    // With a plan, the generator's loss also weighs how its bars follow their profiles.
    const GeneratorTargets* targets() const { return plan ? &generatorTargets : nullptr; }
    GeneratorTargets generatorTargets;
    std::mt19937_64 rng;
    long steps = 0; // generator steps, for the average's warm-up
    // Data-parallel (TrainOptions::dataParallel): each batch is drawn for all ranks at once
    // and this rank trains on its rows; every update's gradients are averaged over the ranks.
    std::shared_ptr<DataParallel> group;
};

struct UpdateResult {
    double wasserstein = 0; // the critic steps' mean estimate
    double generatorLoss = 0;
    double seconds = 0;
    bool timeUp = false; // data-parallel: some rank's time limit came
};

// The weights and training state worth keeping.
struct GanSnapshot {
    std::vector<torch::Tensor> generator, critic;
    GanTrainingState state;
    bool valid() const { return !generator.empty(); }
};

// Validation: four-bar continuations of one-bar primers, at most 96 of them (a few seconds).
constexpr int kValidationBars = 4;
constexpr std::size_t kValidationWindows = 96;
constexpr long kMinStepsPerEpoch = 50;
// Patience starts counting after this many generator updates of a run. Before them the music
// is still forming and the validation score wanders: on Debian's openmsx (22 steps an epoch
// then) the first epoch's continuations were the closest for the next eight, and a default run
// stopped after 198 updates, having learned nothing (docs/results.md).
constexpr long kUpdatesBeforePatience = 1000;

class GanTrainingRun {
public:
    GanTrainingRun(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                   const std::atomic<bool>& cancel, const ProgressFn& progress)
        : m_data(data), m_cfg(config), m_options(options), m_cancel(cancel), m_progress(progress) {
        m_cfg.representation = data.representation;
    }
    TrainResult run(const SequenceModel* resumeFrom);

private:
    enum class Next { Continue, Stop, Cancelled, Diverged, DataFailed };
    TrainResult train(const SequenceModel* resumeFrom);
    bool setUp(const SequenceModel* resumeFrom);
    bool takeTrainingPieces();
    void makeOptimizers(const SequenceModel* resumeFrom);
    int barStepsOfData() const;
    bool advanceStream();
    bool restore(const SequenceModel& resumeFrom);
    Next trainEpoch(int epoch, double& wasserstein, double& generatorLoss);
    bool generatorUpdate(bool timeUp, double& wasserstein, double& generatorLoss);
    int ranks() const { return m_options.dataParallel ? m_options.dataParallel->worldSize() : 1; }
    bool validate(double& score);
    Next endEpoch(int epoch, double wasserstein, double generatorLoss, Clock::time_point start);
    GanSnapshot snapshot(int epoch, double best) const;
    std::shared_ptr<SequenceModel> modelFrom(const GanSnapshot& s) const;
    TrainResult result(TrainStatus status, const std::string& error = {});
    void report(bool force);
    bool cancelled() const { return m_cancel.load(std::memory_order_relaxed); }

    const Dataset& m_data;
    ModelConfig m_cfg;
    const TrainOptions& m_options;
    const std::atomic<bool>& m_cancel;
    const ProgressFn& m_progress;
    const Clock::time_point m_start = Clock::now();
    TrainResult m_result;
    std::shared_ptr<GanState> m_state;
    std::optional<ComputeThread> m_compute;
    ContinuationWindows m_valid;
    GanSnapshot m_best;
    std::shared_ptr<SequenceModel> m_resumedModel;
    int m_startEpoch = 0;
    double m_bestScore = std::numeric_limits<double>::infinity();
    int m_bestEpoch = 0;
    int m_sinceImprovement = 0;
    double m_maxSeconds = 0;
    bool m_timeUp = false;
    double m_stepSeconds = 0, m_lastValidSeconds = 0;
    std::optional<ThreadChoice> m_threads;
    long m_stepsDone = 0;
    std::string m_dataError; // the stream's read error (Next::DataFailed)
    TrainProgress m_prog;
    Clock::time_point m_lastReport = Clock::now() - std::chrono::seconds(1);
};

TrainResult GanTrainingRun::run(const SequenceModel* resumeFrom) {
    try {
        return train(resumeFrom);
    } catch (const c10::Error& e) {
        return result(TrainStatus::Failed,
                      std::string("training failed: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        return result(TrainStatus::Failed, std::string("training failed: ") + e.what());
    }
}

TrainResult GanTrainingRun::train(const SequenceModel* resumeFrom) {
    // Only the compute thread runs torch in parallel (NeuralNet.h); the caller gets its own
    // count back afterwards.
    const SerialWhileAlive serialForTheRun;
    if (!setUp(resumeFrom))
        return std::move(m_result);
    if (resumeFrom) {
        double score = 0;
        if (!validate(score))
            return result(TrainStatus::Cancelled);
        m_bestScore = score;
        m_best = snapshot(m_startEpoch, score);
    }
    for (int epoch = 1; epoch <= m_options.epochs && !m_timeUp; ++epoch) {
        const Clock::time_point epochStart = Clock::now();
        double wasserstein = 0, generatorLoss = 0;
        const Next trained = trainEpoch(epoch, wasserstein, generatorLoss);
        if (trained == Next::Cancelled)
            return result(TrainStatus::Cancelled);
        if (trained == Next::DataFailed)
            return result(TrainStatus::Failed, m_dataError);
        if (trained == Next::Diverged)
            return result(TrainStatus::Failed,
                          "training diverged (a loss is not finite); try a lower learning rate");
        const Next next = endEpoch(epoch, wasserstein, generatorLoss, epochStart);
        if (next == Next::Cancelled)
            return result(TrainStatus::Cancelled);
        if (next == Next::Stop)
            break;
    }
    return result(TrainStatus::Finished);
}

bool GanTrainingRun::setUp(const SequenceModel* resumeFrom) {
    if (m_options.batchSize < 1 || m_options.epochs < 0) {
        m_result.error = "the batch size must be positive";
        return false;
    }
    m_state = std::make_shared<GanState>();
    if (!takeTrainingPieces())
        return false;
    if (resumeFrom)
        m_cfg = resumeFrom->config(); // its shape (bar length included) is the model's
    else
        m_cfg.barSteps = barStepsOfData();
    m_state->bars = indexBars(m_state->pieces(), m_cfg.barSteps);
    // Streamed, the bars of the whole split (every rank's share) are estimated from its steps.
    const long trainingBars =
        m_state->pool ? m_data.trainSteps() / m_cfg.barSteps : long(m_state->bars.index.size());
    if (trainingBars < kMinGanBars || m_state->bars.index.empty()) {
        m_result.error = "too little music for a GAN: " + std::to_string(trainingBars) +
                         " bars in the training files, at least " + std::to_string(kMinGanBars) +
                         " needed (add files or choose more tracks)";
        return false;
    }
    torch::manual_seed(m_options.seed);
    std::unique_ptr<GanModel> fresh = createGanModel(m_cfg, m_options.seed, m_result.error);
    if (!fresh)
        return false;
    m_state->shape = fresh->shape();
    m_state->generatorTargets = {m_state->shape, kChromaWeight, kSpreadWeight,
                                 m_cfg.harmonyQuarters};
    if (m_cfg.harmonyPlan)
        m_state->plan = std::make_shared<const HarmonyPlan>(HarmonyPlan::fromPieces(
            m_state->pieces(), m_state->shape, m_cfg.barSteps, m_cfg.harmonyQuarters));
    m_state->noise = m_cfg.noiseSize;
    m_state->generator = fresh->generator();
    m_state->critic = fresh->critic();
    // Held data-parallel ranks draw the same batches (and train on their rows); streamed ones
    // each their own.
    const int rank = m_options.dataParallel ? m_options.dataParallel->rank() : 0;
    m_state->rng.seed(m_options.seed + (m_state->pool ? std::uint64_t(rank) : 0));
    if (resumeFrom && !restore(*resumeFrom))
        return false;
    if (m_options.dataParallel) {
        // Every rank starts from rank 0's weights (the training thread runs torch serially).
        m_state->group = m_options.dataParallel;
        broadcastParameters(m_state->generator->parameters(), *m_state->group, 0);
        broadcastParameters(m_state->critic->parameters(), *m_state->group, 0);
        seedThisRank(m_options.seed, *m_state->group);
    }
    m_state->averaged = GanGenerator(m_state->shape, m_cfg.noiseSize, ganWidth(m_cfg));
    assign(*m_state->averaged, copyOf(*m_state->generator));
    makeOptimizers(resumeFrom);
    // Short validation pieces may hold no five-bar window: then one-bar continuations, and
    // without validation files, the training pieces' own.
    const std::vector<FrameSequence>& judged =
        m_data.valid.empty() ? m_state->pieces() : m_data.valid;
    for (int length : {kValidationBars, 1})
        if (m_valid.primers.empty())
            m_valid = continuationWindows(judged, m_cfg.barSteps, 1, length, kValidationWindows);
    if (m_valid.primers.empty()) {
        m_result.error = "the pieces are too short to judge a GAN by (two bars at least)";
        return false;
    }
    m_maxSeconds = m_options.maxMinutes > 0 ? m_options.maxMinutes * 60.0 : 0.0;
    keepFreedMemoryForReuse();
    m_compute.emplace(m_options.threads);
    m_threads.emplace(m_options.threads);
    m_prog.epochs = m_options.epochs;
    // By default an epoch is one pass over the training bars (each generator step sees a batch
    // of new conditions), at least kMinStepsPerEpoch so that small data is still judged rarely
    // enough for the validation (a few seconds) to be worth its time.
    m_prog.stepsPerEpoch =
        m_options.stepsPerEpoch > 0
            ? m_options.stepsPerEpoch
            : std::max(kMinStepsPerEpoch,
                       trainingBars / std::max(1, m_options.batchSize * ranks()));
    return true;
}

// Adam for the generator and the critic, with the resumed run's state.
void GanTrainingRun::makeOptimizers(const SequenceModel* resumeFrom) {
    const auto adamOptions = [this] {
        return torch::optim::AdamOptions(m_options.learningRate)
            .betas(std::make_tuple(kAdamBeta1, kAdamBeta2));
    };
    m_state->generatorAdam =
        std::make_shared<torch::optim::Adam>(m_state->generator->parameters(), adamOptions());
    m_state->criticAdam =
        std::make_shared<torch::optim::Adam>(m_state->critic->parameters(), adamOptions());
    if (resumeFrom) {
        const GanTrainingState& s = static_cast<const GanModel&>(*resumeFrom).trainingState();
        loadOptimizer(*m_state->generatorAdam, s.generatorOptimizer);
        loadOptimizer(*m_state->criticAdam, s.criticOptimizer);
        m_resumedModel = modelFrom(snapshot(m_startEpoch, s.bestValidLoss));
    }
}

// The data's pieces in memory, or the first pool of a streamed corpus (each rank its own order
// of its own share). False (with the error) when the stream cannot be read.
bool GanTrainingRun::takeTrainingPieces() {
    if (!m_data.trainStream) {
        m_state->held = m_data.train;
        return true;
    }
    const int rank = m_options.dataParallel ? m_options.dataParallel->rank() : 0;
    m_state->pool.emplace(m_data.trainStream, m_data.representation, m_data.streamBudgetBytes,
                          rankSeed(m_options.seed, rank));
    m_result.error = m_state->pool->fill();
    return m_result.error.empty();
}

// The bar length of a new model (see the file comment), the same on every rank.
int GanTrainingRun::barStepsOfData() const {
    int steps = ganBarSteps(m_state->pieces(), m_cfg.barSteps);
    if (!m_state->pool)
        return steps; // held data is the same on every rank (their fingerprints agreed)
    if (!m_data.valid.empty())
        steps = std::max(steps, ganBarSteps(m_data.valid, m_cfg.barSteps));
    if (m_options.dataParallel) {
        float agreed = float(steps);
        m_options.dataParallel->broadcast(&agreed, 1, 0);
        steps = int(agreed);
    }
    return steps;
}

// Streamed: the pool moves on by the update's generator batch; the bars are re-indexed when
// its pieces changed. False (with m_dataError) when the stream cannot be read.
bool GanTrainingRun::advanceStream() {
    if (!m_state->pool)
        return true;
    PiecePool& pool = *m_state->pool;
    const long version = pool.version();
    m_dataError = pool.advance(long(m_options.batchSize) * m_cfg.barSteps);
    if (!m_dataError.empty())
        return false;
    if (pool.version() != version)
        m_state->bars = indexBars(pool.pieces(), m_cfg.barSteps);
    return true;
}

bool GanTrainingRun::restore(const SequenceModel& resumeFrom) {
    const auto* resumed = dynamic_cast<const GanModel*>(&resumeFrom);
    if (!resumed || resumed->config().representation != m_data.representation) {
        m_result.error = "cannot resume: the checkpoint is not a GAN for this representation";
        return false;
    }
    GanGenerator g = resumed->generator();
    GanCritic c = resumed->critic();
    assign(*m_state->generator, copyOf(*g));
    assign(*m_state->critic, copyOf(*c));
    m_startEpoch = resumed->trainingState().epoch;
    m_state->steps = resumed->trainingState().generatorSteps;
    return true;
}

GanTrainingRun::Next GanTrainingRun::trainEpoch(int epoch, double& wasserstein,
                                                double& generatorLoss) {
    m_prog.phase = "training";
    m_prog.epoch = epoch;
    double sumW = 0, sumG = 0;
    long done = 0;
    for (long step = 1; step <= m_prog.stepsPerEpoch; ++step) {
        if (cancelled())
            return Next::Cancelled;
        // Alone, the limit ends the run before this update; data-parallel, after it (the ranks
        // agree in the update's exchange: their clocks differ).
        const bool timeUp = m_maxSeconds > 0 && secondsSince(m_start) >= m_maxSeconds;
        if (timeUp && !m_state->group) {
            m_timeUp = true;
            break;
        }
        const Clock::time_point stepStart = Clock::now();
        double w = 0, g = 0;
        if (!generatorUpdate(timeUp, w, g))
            return Next::Cancelled;
        if (!advanceStream())
            return Next::DataFailed;
        if (!std::isfinite(w) || !std::isfinite(g))
            return Next::Diverged;
        m_stepSeconds += secondsSince(stepStart);
        ++m_stepsDone;
        sumW += w;
        sumG += g;
        ++done;
        m_prog.step = step;
        m_prog.trainLoss = sumW / double(done);
        m_prog.generatorLoss = sumG / double(done);
        const double perStep = m_stepSeconds / double(m_stepsDone);
        const double left = double(m_prog.stepsPerEpoch - step) +
                            double(m_options.epochs - epoch) * double(m_prog.stepsPerEpoch);
        m_prog.secondsLeft =
            left * perStep + double(m_options.epochs - epoch + 1) * m_lastValidSeconds;
        if (m_maxSeconds > 0)
            m_prog.secondsLeft =
                std::min(m_prog.secondsLeft, std::max(0.0, m_maxSeconds - secondsSince(m_start)));
        m_prog.framesPerSecond =
            double(m_stepsDone * m_options.batchSize * ranks() * m_cfg.barSteps) / m_stepSeconds;
        report(false);
        if (m_timeUp)
            break;
    }
    wasserstein = done ? sumW / double(done) : 0;
    generatorLoss = done ? sumG / double(done) : 0;
    return Next::Continue;
}

// A batch of `batch` bars per rank. Held data-parallel: drawn for every rank alike, this
// rank's rows; streamed, each rank's own from its own share.
GanBatch drawBatch(GanState& s, int batch, int transpose) {
    if (!s.group || s.pool)
        return makeGanBatch(s.pieces(), s.bars, s.shape, s.harmony(), batch, transpose, s.rng);
    GanBatch b = makeGanBatch(s.pieces(), s.bars, s.shape, s.harmony(),
                              batch * s.group->worldSize(), transpose, s.rng);
    const std::int64_t first = std::int64_t(s.group->rank()) * batch;
    b.real = b.real.narrow(0, first, batch);
    b.condition = b.condition.narrow(0, first, batch);
    return b;
}

// kCriticSteps critic updates, one generator update and the average's (run on the helper
// thread). Data-parallel, every update's gradients are averaged over the ranks, and the
// generator's exchange also averages the losses and says whether any rank's time is up.
UpdateResult updatePass(GanState& s, int batch, int transpose, double decay, bool timeUp) {
    UpdateResult out;
    BeforeStep averageCritic;
    if (s.group)
        averageCritic = [&s](const std::vector<torch::Tensor>& params, double) {
            averageGradients(params, *s.group, {});
        };
    double w = 0;
    for (int i = 0; i < kCriticSteps; ++i)
        w += criticStep(s.generator, s.critic, *s.criticAdam, drawBatch(s, batch, transpose),
                        s.noise, averageCritic)
                 .wasserstein;
    out.wasserstein = w / kCriticSteps;
    BeforeStep averageGenerator;
    double meanGeneratorLoss = 0;
    if (s.group)
        averageGenerator = [&](const std::vector<torch::Tensor>& params, double loss) {
            const std::vector<float> mean = averageGradients(
                params, *s.group, {float(out.wasserstein), float(loss), timeUp ? 1.f : 0.f});
            out.wasserstein = mean[0];
            meanGeneratorLoss = mean[1];
            out.timeUp = mean[2] > 0.f;
        };
    out.generatorLoss =
        generatorStep(s.generator, s.critic, *s.generatorAdam, drawBatch(s, batch, transpose),
                      s.noise, averageGenerator, s.targets());
    if (s.group)
        out.generatorLoss = meanGeneratorLoss; // every rank reports (and judges) the same
    ++s.steps;
    torch::NoGradGuard noGrad;
    const double d =
        decay > 0 ? std::min(decay, (1.0 + double(s.steps)) / (10.0 + double(s.steps))) : 0.0;
    auto avg = s.averaged->parameters();
    auto cur = s.generator->parameters();
    for (std::size_t i = 0; i < avg.size(); ++i)
        avg[i].mul_(d).add_(cur[i], 1.0 - d);
    return out;
}

// One generator update on the helper thread, with the threads m_threads chooses.
bool GanTrainingRun::generatorUpdate(bool timeUp, double& wasserstein, double& generatorLoss) {
    auto out = std::make_shared<UpdateResult>();
    const int batch = m_options.batchSize, transpose = m_options.transpose;
    const int threads = m_threads->next();
    const double decay = m_options.averageDecay;
    const bool done = m_compute->run(
        [s = m_state, out, batch, transpose, decay, threads, timeUp] {
            setThisThreadsThreads(threads);
            const Clock::time_point start = Clock::now();
            *out = updatePass(*s, batch, transpose, decay, timeUp);
            out->seconds = secondsSince(start);
        },
        m_cancel);
    if (!done)
        return false;
    m_threads->record(out->seconds);
    wasserstein = out->wasserstein;
    generatorLoss = out->generatorLoss;
    m_timeUp = m_timeUp || out->timeUp;
    return true;
}

// 1 - closeness of the averaged generator's continuations; false when cancelled.
bool GanTrainingRun::validate(double& score) {
    m_prog.phase = "validating";
    report(true);
    const Clock::time_point start = Clock::now();
    DataParallel* group = m_state->group.get();
    if (group && group->rank() != 0) {
        // Rank 0 scores its averaged generator (the same weights everywhere) and tells the
        // others, so every rank takes the same decisions.
        float told = 0;
        group->broadcast(&told, 1, 0);
        score = told;
        m_lastValidSeconds = secondsSince(start);
        return true;
    }
    auto out = std::make_shared<double>(1.0);
    auto windows = std::make_shared<const ContinuationWindows>(m_valid);
    const bool done = m_compute->run(
        [s = m_state, out, windows, cfg = m_cfg] {
            const GanModel model(cfg, s->averaged, s->critic, {}, s->plan);
            MetricOptions options;
            options.stepsPerBar = cfg.barSteps;
            const MetricsReport report = compareSets(
                windows->followed, continueWindows(model, *windows), cfg.representation, options);
            *out = 1.0 - meanOverlap(report);
        },
        m_cancel);
    m_lastValidSeconds = secondsSince(start);
    score = *out;
    if (done && group) {
        float told = float(score);
        group->broadcast(&told, 1, 0);
        score = told; // rounded as the others see it
    }
    return done;
}

GanTrainingRun::Next GanTrainingRun::endEpoch(int epoch, double wasserstein, double generatorLoss,
                                              Clock::time_point start) {
    double score = 0;
    if (!validate(score))
        return Next::Cancelled;
    EpochRecord rec;
    rec.epoch = epoch;
    rec.trainLoss = wasserstein;
    rec.generatorLoss = generatorLoss;
    rec.validLoss = score;
    rec.learningRate = m_options.learningRate;
    rec.seconds = secondsSince(start);
    m_result.history.push_back(rec);
    m_prog.validLoss = score;
    if (score < m_bestScore) {
        m_bestScore = score;
        m_bestEpoch = epoch;
        m_sinceImprovement = 0;
        m_best = snapshot(m_startEpoch + epoch, score);
        if (m_options.onImproved)
            m_options.onImproved(modelFrom(m_best), epoch, score);
    } else if (m_stepsDone >= kUpdatesBeforePatience) {
        ++m_sinceImprovement;
    }
    m_prog.bestValidLoss = m_bestScore;
    report(true);
    return m_options.patience > 0 && m_sinceImprovement >= m_options.patience ? Next::Stop
                                                                              : Next::Continue;
}

GanSnapshot GanTrainingRun::snapshot(int epoch, double best) const {
    GanSnapshot s;
    s.generator = copyOf(*m_state->averaged);
    s.critic = copyOf(*m_state->critic);
    s.state.epoch = epoch;
    s.state.generatorSteps = m_state->steps;
    s.state.bestValidLoss = best;
    s.state.generatorOptimizer = saveOptimizer(*m_state->generatorAdam);
    s.state.criticOptimizer = saveOptimizer(*m_state->criticAdam);
    return s;
}

std::shared_ptr<SequenceModel> GanTrainingRun::modelFrom(const GanSnapshot& s) const {
    std::string error;
    std::unique_ptr<GanModel> fresh = createGanModel(m_cfg, 0, error);
    if (!fresh)
        return nullptr;
    GanGenerator g = fresh->generator();
    GanCritic c = fresh->critic();
    assign(*g, s.generator);
    assign(*c, s.critic);
    return std::make_shared<GanModel>(m_cfg, g, c, s.state, m_state->plan);
}

TrainResult GanTrainingRun::result(TrainStatus status, const std::string& error) {
    m_result.status = status;
    m_result.error = error;
    m_result.model = m_best.valid() ? modelFrom(m_best) : m_resumedModel;
    if (!m_result.model && status == TrainStatus::Finished && m_state)
        m_result.model = modelFrom(snapshot(m_startEpoch, 0.0)); // nothing completed
    m_result.bestEpoch = m_best.valid() ? m_bestEpoch : 0;
    m_result.bestValidLoss = std::isfinite(m_bestScore) ? m_bestScore : 0.0;
    if (status == TrainStatus::Finished) {
        m_prog.phase = "done";
        report(true);
    }
    return std::move(m_result);
}

void GanTrainingRun::report(bool force) {
    if (!m_progress)
        return;
    if (!force && Clock::now() - m_lastReport < std::chrono::milliseconds(40))
        return;
    m_lastReport = Clock::now();
    m_progress(m_prog);
}

} // namespace

TrainResult trainGan(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                     const std::atomic<bool>& cancel, const ProgressFn& progress,
                     const SequenceModel* resumeFrom) {
    GanTrainingRun run(data, config, options, cancel, progress);
    return run.run(resumeFrom);
}

} // namespace torchestra::ml
