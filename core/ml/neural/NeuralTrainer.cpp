// trainNeural: Adam with gradient clipping, a halving learning rate and early stopping on the
// validation NLL, keeping the best weights.
//
// Cancel returns within 200 ms at any point. Splitting batches into short passes is not enough:
// on a busy machine an OpenMP barrier waits for a descheduled thread and one pass can take
// seconds, and small chunks make the LSTM's matrix products inefficient. So the passes run on a
// helper thread (ComputeThread.h) while this thread polls `cancel` every 20 ms; on Cancel it
// returns the best weights at once (a deep copy the helper never touches) and abandons the pass
// in flight (after a 30 ms grace, so a short one can still be joined). A pass owns everything it
// touches (the module, the optimizer, its batch tensors), never the caller's data, so it can
// finish safely after trainNeural has returned; the process waits for such passes at exit.
//
// Epochs: options.epochs is how many this call runs; the history, progress and bestEpoch count
// this call's epochs (the CLI offsets them by the checkpoint's history), while the weights' own
// count (NeuralTrainingState::epoch, in the payload) continues from a resumed model's. A resumed
// run restores Adam's state and the learning rate from the payload (the rate only when
// options.keepResumedLearningRate; otherwise it starts at options.learningRate) and scores the
// resumed weights first: they are the ones to beat (bestEpoch 0 if never beaten).
//
// Data-parallel (options.dataParallel, see Trainer.h): rank 0's initial weights are broadcast;
// each step every rank draws the same batch of batchSize x ranks windows and trains on its own
// rows, its loss scaled by ranks / (the whole batch's real steps), so that the allreduced sum
// divided by the rank count is exactly the one-process gradient of the whole batch (up to the
// order of the float sums). The time limit is decided in the same allreduce, so every rank
// stops after the same step. A failed collective (a dead or stalled peer) throws, and the run
// fails with the best model so far.
//
// Streamed data (Dataset::trainStream, a corpus larger than its memory budget): batches come
// from a PiecePool that moves through the stream as training covers it. Data-parallel, each
// rank streams its own share of the corpus, so each draws its own batchSize windows (seeded by
// its rank) and scales its loss by 1 / its own real steps: the average over the ranks is then
// the mean of the ranks' batch means.

#include "ml/neural/NeuralNet.h"

#include "ml/StreamedPieces.h"
#include "ml/neural/ComputeThread.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/TrainingPasses.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

namespace torchestra::ml {

namespace {

using Clock = std::chrono::steady_clock;
using neural::batchRows;
using neural::BatchTensors;
using neural::ComputeThread;
using neural::NeuralModel;
using neural::NeuralNet;
using neural::NeuralNetImpl;
using neural::NeuralTrainingState;
using neural::realSteps;
using neural::validationLoss;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string saveOptimizer(const torch::optim::Adam& adam) {
    torch::serialize::OutputArchive ar;
    adam.save(ar);
    std::ostringstream os;
    ar.save_to(os);
    return os.str();
}

void setLearningRate(torch::optim::Adam& adam, double lr) {
    for (auto& group : adam.param_groups())
        group.options().set_lr(lr);
}

bool sameShape(const ModelConfig& a, const ModelConfig& b) {
    return a.kind == b.kind && a.head == b.head && a.layers == b.layers && a.hidden == b.hidden &&
           (a.head == HeadKind::Independent || a.nadeHidden == b.nadeHidden) &&
           a.representation == b.representation;
}

// Weights kept aside (a deep copy) with the training state that goes with them.
struct Snapshot {
    std::vector<torch::Tensor> params;
    NeuralTrainingState state;
    std::string optimizer;
    bool valid() const { return !params.empty(); }
};

Snapshot takeSnapshot(NeuralNet& net, const torch::optim::Adam& adam, int epoch, double lr,
                      double best) {
    torch::NoGradGuard noGrad;
    Snapshot s;
    for (const auto& p : net->parameters())
        s.params.push_back(p.detach().clone());
    s.state.epoch = epoch;
    s.state.learningRate = lr;
    s.state.bestValidLoss = best;
    s.optimizer = saveOptimizer(adam);
    return s;
}

std::shared_ptr<SequenceModel> modelFrom(const ModelConfig& config, const Snapshot& s) {
    NeuralNet net{nullptr};
    if (!neural::makeNet(config, net).empty())
        return nullptr;
    torch::NoGradGuard noGrad;
    auto params = net->parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
        params[i].copy_(s.params[i]);
    return std::make_shared<NeuralModel>(net, s.state, s.optimizer);
}

// One call of trainNeural. The run's state lives here so that each phase (set-up and resume,
// scoring the resumed weights, a batch, an epoch, its validation, the result) is a method.
class NeuralTrainingRun {
public:
    NeuralTrainingRun(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                      const std::atomic<bool>& cancel, const ProgressFn& progress);
    NeuralTrainingRun(const NeuralTrainingRun&) = delete;
    NeuralTrainingRun& operator=(const NeuralTrainingRun&) = delete;

    // Call once.
    TrainResult run(const SequenceModel* resumeFrom);

private:
    // What comes after a phase: go on, stop early (patience), or end the run at once.
    enum class Next { Continue, Stop, Cancelled, Diverged, DataFailed };
    // An epoch's training loss so far, summed over its real steps.
    struct EpochLoss {
        double sum = 0;
        long steps = 0;
        double mean() const { return steps > 0 ? sum / double(steps) : 0.0; }
    };

    TrainResult train(const SequenceModel* resumeFrom);
    bool setUp(const SequenceModel* resumeFrom);
    bool restore(const SequenceModel& resumeFrom, std::string& optimizerState);
    void makeOptimizer(const std::string& optimizerState);
    bool scoreResumed();
    bool broadcastWeights();
    Next trainEpoch(int epoch, EpochLoss& loss);
    bool drawBatch(Batch& batch, long& real, double& lossScale);
    bool trainBatch(Batch batch, double lossScale, bool timeUp, double& batchLoss);
    bool backward(const std::shared_ptr<const Batch>& batch, int c0, int c1, double lossScale,
                  double& loss);
    bool step(double& batchLoss, bool timeUp);
    void reportTraining(int epoch, long step, const EpochLoss& loss);
    Next endEpoch(int epoch, const EpochLoss& loss, Clock::time_point epochStart);
    void keepOrSlowDown(int epoch, double score);
    void followCosine();
    void report(bool force);
    bool cancelled() const { return m_cancel.load(std::memory_order_relaxed); }
    std::shared_ptr<SequenceModel> bestModel() const;
    TrainResult finished();
    TrainResult endedEarly(TrainStatus status);
    TrainResult cancelledResult();
    TrainResult failed(const std::string& error);

    const Dataset& m_data;
    ModelConfig m_cfg;
    const TrainOptions& m_options;
    const std::atomic<bool>& m_cancel;
    const ProgressFn& m_progress;
    const Clock::time_point m_start = Clock::now();
    TrainResult m_result;
    Snapshot m_best;
    std::shared_ptr<SequenceModel> m_resumedModel;
    std::mt19937_64 m_rng;
    std::optional<PiecePool> m_pool; // streamed data only
    std::string m_dataError;         // the stream's read error (Next::DataFailed)

    NeuralNet m_net{nullptr};
    std::shared_ptr<torch::optim::Adam> m_adam;
    std::optional<ComputeThread> m_compute;
    // Weight averaging (options.averageDecay): `m_averaged` follows the weights after every
    // step; validation, the best snapshot and the result use it instead of `m_net`. Both are
    // owned by the passes that touch them (see the file comment). `m_scored` is the one used.
    NeuralNet m_averaged{nullptr};
    NeuralNet m_scored{nullptr};
    std::shared_ptr<long> m_averagedSteps = std::make_shared<long>(0);
    // Data-parallel (options.dataParallel): this rank of `m_ranks`; null/1/0 alone.
    std::shared_ptr<DataParallel> m_group;
    int m_ranks = 1;
    int m_rank = 0;

    int m_startEpoch = 0; // the weights' own epoch count when this run began
    double m_lr = 0;
    long m_windowFrames = 0;
    long m_stepsPerEpoch = 0;
    bool m_haveValid = false;
    double m_maxSeconds = 0;

    double m_bestLoss = std::numeric_limits<double>::infinity();
    int m_bestEpoch = 0;
    int m_sinceImprovement = 0;
    int m_sinceRateChange = 0;
    double m_lastValid = 0;
    double m_lastValidSeconds = 0;

    TrainProgress m_prog;
    Clock::time_point m_lastReport = Clock::now() - std::chrono::seconds(1);
    long m_framesTrained = 0;
    double m_trainSeconds = 0;
    bool m_timeUp = false;
    bool m_cosine = false; // options.lrSchedule is CosineToTimeLimit and it applies here
};

NeuralTrainingRun::NeuralTrainingRun(const Dataset& data, const ModelConfig& config,
                                     const TrainOptions& options, const std::atomic<bool>& cancel,
                                     const ProgressFn& progress)
    : m_data(data), m_cfg(config), m_options(options), m_cancel(cancel), m_progress(progress),
      m_rng(options.seed), m_group(options.dataParallel), m_lr(options.learningRate) {
    // The data decides the frames (grid, pitches, onsets, velocity); the model whether it also
    // reads the bar before, which a JSB file or a built corpus does not know of.
    m_cfg.representation = data.representation;
    m_cfg.representation.lookback = config.representation.lookback;
    if (m_group) {
        m_ranks = m_group->worldSize();
        m_rank = m_group->rank();
    }
}

TrainResult NeuralTrainingRun::run(const SequenceModel* resumeFrom) {
    try {
        return train(resumeFrom);
    } catch (const c10::Error& e) {
        return failed(std::string("training failed: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        return failed(std::string("training failed: ") + e.what());
    }
}

TrainResult NeuralTrainingRun::train(const SequenceModel* resumeFrom) {
    // Only the compute thread runs torch in parallel while training; the caller gets its own
    // count back afterwards (the CLI scores the test split on it).
    const neural::SerialWhileAlive serialForTheRun;
    if (!setUp(resumeFrom))
        return std::move(m_result);
    if (resumeFrom && !scoreResumed())
        return cancelledResult();
    // `epoch` counts this run's epochs (history, progress, bestEpoch: what the caller offsets
    // by the checkpoint's history); the weights' own count continues from the resumed one.
    for (int epoch = 1; epoch <= m_options.epochs && !m_timeUp; ++epoch) {
        const Clock::time_point epochStart = Clock::now();
        EpochLoss loss;
        const Next trained = trainEpoch(epoch, loss);
        if (trained == Next::Cancelled)
            return cancelledResult();
        if (trained == Next::DataFailed)
            return failed(m_dataError);
        if (trained == Next::Diverged)
            return failed("training diverged (loss is not finite); try a lower learning rate");
        if (loss.steps == 0 && m_timeUp)
            break; // the limit hit before this epoch trained anything
        const Next next = endEpoch(epoch, loss, epochStart);
        if (next == Next::Cancelled)
            return cancelledResult();
        if (next == Next::Stop)
            break;
    }
    return finished();
}

// False (with m_result.error) when the data, the options or the resumed model will not do.
bool NeuralTrainingRun::setUp(const SequenceModel* resumeFrom) {
    if (!m_data.hasTrainingData()) {
        m_result.error = "no training data";
        return false;
    }
    if (m_options.batchSize < 1 || m_options.windowSteps < 1 || m_options.epochs < 0) {
        m_result.error = "batch size and window must be positive";
        return false;
    }
    torch::manual_seed(m_options.seed);
    m_result.error = neural::makeNet(m_cfg, m_net);
    if (!m_result.error.empty())
        return false;
    std::string optimizerState;
    if (resumeFrom && !restore(*resumeFrom, optimizerState))
        return false;
    makeOptimizer(optimizerState);
    if (m_data.trainStream) {
        // Each rank its own order of its own share.
        m_pool.emplace(m_data.trainStream, m_data.representation, m_data.streamBudgetBytes,
                       rankSeed(m_options.seed, m_rank));
        m_rng.seed(m_options.seed + std::uint64_t(m_rank));
        m_result.error = m_pool->fill();
        if (!m_result.error.empty())
            return false;
    }

    // Frames of one step's batch, over all ranks (an epoch is a pass over the data by all).
    m_windowFrames = long(m_options.batchSize) * m_ranks * m_options.windowSteps;
    m_stepsPerEpoch = m_options.stepsPerEpoch > 0
                          ? m_options.stepsPerEpoch
                          : std::max(kMinBatchesPerEpoch,
                                     (m_data.trainSteps() + m_windowFrames - 1) / m_windowFrames);
    m_haveValid = !m_data.valid.empty() && m_data.validSteps() > long(m_data.valid.size());
    m_maxSeconds = m_options.maxMinutes > 0 ? m_options.maxMinutes * 60.0 : 0.0;
    m_cosine = m_options.lrSchedule == TrainOptions::LrSchedule::CosineToTimeLimit &&
               m_maxSeconds > 0 && !m_group;
    m_compute.emplace(m_options.threads);
    if (m_group && !broadcastWeights())
        return false;

    const bool averaging = m_options.averageDecay > 0;
    if (averaging) {
        m_result.error = neural::makeNet(m_cfg, m_averaged);
        if (!m_result.error.empty())
            return false;
        neural::copyParameters(m_net, m_averaged);
    }
    m_scored = averaging ? m_averaged : m_net;
    m_prog.epochs = m_options.epochs;
    m_prog.stepsPerEpoch = m_stepsPerEpoch;
    return true;
}

// Data-parallel: every rank starts from rank 0's weights (set up the same way, but a resumed
// checkpoint could differ between machines). False (with m_result.error) when cancelled.
bool NeuralTrainingRun::broadcastWeights() {
    const bool done = m_compute->run(
        [m = m_net, group = m_group, seed = m_options.seed]() mutable {
            neural::broadcastParameters(m->parameters(), *group, 0);
            neural::seedThisRank(seed, *group);
        },
        m_cancel);
    if (!done)
        m_result.error = "cancelled";
    return done;
}

// Continues a checkpoint's model: its weights, its epoch count, its learning rate (unless
// options.keepResumedLearningRate is false: then options.learningRate) and Adam's state
// (returned for makeOptimizer).
bool NeuralTrainingRun::restore(const SequenceModel& resumeFrom, std::string& optimizerState) {
    const auto* resumed = dynamic_cast<const NeuralModel*>(&resumeFrom);
    if (!resumed) {
        m_result.error = "cannot resume: the checkpoint is not an RNN/LSTM model";
        return false;
    }
    if (!sameShape(resumed->config(), m_cfg)) {
        m_result.error = "cannot resume: the checkpoint's model or representation differs from "
                         "the requested one";
        return false;
    }
    NeuralNet from = resumed->net();
    neural::copyParameters(from, m_net);
    const NeuralTrainingState& state = resumed->trainingState();
    m_startEpoch = state.epoch;
    if (m_options.keepResumedLearningRate && state.learningRate > 0)
        m_lr = state.learningRate;
    optimizerState = resumed->optimizerState();
    return true;
}

void NeuralTrainingRun::makeOptimizer(const std::string& optimizerState) {
    m_adam = std::make_shared<torch::optim::Adam>(
        m_net->parameters(), torch::optim::AdamOptions(m_lr).weight_decay(m_options.weightDecay));
    if (!optimizerState.empty()) {
        torch::serialize::InputArchive ar;
        ar.load_from(optimizerState.data(), optimizerState.size());
        m_adam->load(ar);
    }
    // Loading Adam's state also brings back the rate its param groups were saved with: the
    // run's rate (the checkpoint's or the one the options ask for) must win.
    setLearningRate(*m_adam, m_lr);
}

// A resumed model is the one to beat: score it first. False when cancelled.
bool NeuralTrainingRun::scoreResumed() {
    m_resumedModel = modelFrom(m_cfg, takeSnapshot(m_net, *m_adam, m_startEpoch, m_lr, 0.0));
    if (!m_haveValid)
        return true;
    m_prog.phase = "validating";
    m_prog.epoch = 0;
    report(true);
    double v = 0;
    if (!validationLoss(*m_compute, m_net, m_data.valid, m_cfg.representation, m_cancel,
                        m_group.get(), v))
        return false;
    m_bestLoss = v;
    m_lastValid = v;
    m_bestEpoch = 0; // the resumed weights: before this run's first epoch
    m_best = takeSnapshot(m_net, *m_adam, m_startEpoch, m_lr, v);
    return true;
}

// The epoch's batches, fewer when the time limit hits (m_timeUp).
NeuralTrainingRun::Next NeuralTrainingRun::trainEpoch(int epoch, EpochLoss& loss) {
    m_net->train();
    m_prog.phase = "training";
    m_prog.epoch = epoch;
    for (long step = 1; step <= m_stepsPerEpoch; ++step) {
        if (cancelled())
            return Next::Cancelled;
        // Alone, the limit ends the run before this step; data-parallel, after it: the ranks'
        // clocks differ, so each says whether its time is up in the step's allreduce.
        const bool timeUp = m_maxSeconds > 0 && secondsSince(m_start) >= m_maxSeconds;
        if (timeUp && !m_group) {
            m_timeUp = true;
            break;
        }
        if (m_cosine)
            followCosine();
        const Clock::time_point batchStart = Clock::now();
        Batch batch;
        long real = 0;
        double lossScale = 0;
        if (!drawBatch(batch, real, lossScale))
            return Next::DataFailed;
        if (real == 0 && !(m_group && m_pool))
            continue; // streamed data-parallel ranks all step, whatever they drew
        double batchLoss = 0;
        if (!trainBatch(std::move(batch), lossScale, timeUp, batchLoss))
            return Next::Cancelled;
        m_trainSeconds += secondsSince(batchStart);
        m_framesTrained += real;
        if (!std::isfinite(batchLoss))
            return Next::Diverged;
        loss.sum += batchLoss * double(real);
        loss.steps += real;
        reportTraining(epoch, step, loss);
        if (m_timeUp)
            break;
    }
    return Next::Continue;
}

// This rank's windows of the step's batch, their real steps and the scale of their loss (see
// the file comment). False (with m_dataError) when the stream cannot be read.
bool NeuralTrainingRun::drawBatch(Batch& batch, long& real, double& lossScale) {
    if (m_pool) {
        batch = sampleBatch(m_pool->pieces(), m_options.batchSize, m_options.windowSteps,
                            m_options.transpose, m_rng);
        real = realSteps(batch);
        lossScale = real > 0 ? 1.0 / double(real) : 0.0;
        m_dataError = m_pool->advance(real);
        return m_dataError.empty();
    }
    batch = sampleBatch(m_data.train, m_options.batchSize * m_ranks, m_options.windowSteps,
                        m_options.transpose, m_rng);
    real = realSteps(batch); // the whole batch's, the same on every rank
    lossScale = real > 0 ? double(m_ranks) / double(real) : 0.0;
    if (m_group)
        batch = batchRows(batch, m_rank * m_options.batchSize, m_options.batchSize);
    return true;
}

// Forward and backward over the batch (each window's loss times `lossScale`), then one
// optimizer step. False when cancelled.
bool NeuralTrainingRun::trainBatch(Batch batch, double lossScale, bool timeUp, double& batchLoss) {
    // The whole batch in one pass (the helper thread makes Cancel independent of how long a
    // pass takes), unless the NADE head's [B, T, P, nadeHidden] activations would pass
    // ~100 MB: then chunks with gradients accumulated.
    int chunk = batch.count;
    if (m_cfg.head == HeadKind::Autoregressive) {
        const double perWindow =
            double(batch.length) * m_cfg.representation.pitches() * std::max(1, m_cfg.nadeHidden);
        chunk = std::clamp(int(25e6 / perWindow), 1, batch.count);
    }
    m_adam->zero_grad();
    // The batch's tensors are built on the helper too: torch::zeros on this thread would start
    // a second OpenMP team, whose spinning threads then compete with the pass's team for the
    // two cores. The job owns the batch (see the file comment).
    const auto shared = std::make_shared<const Batch>(std::move(batch));
    for (int c0 = 0; c0 < shared->count; c0 += chunk) {
        double chunkLoss = 0;
        if (!backward(shared, c0, std::min(shared->count, c0 + chunk), lossScale, chunkLoss))
            return false;
        batchLoss += chunkLoss;
    }
    return step(batchLoss, timeUp);
}

// Accumulates the gradients of windows [c0, c1) of `batch`; `loss` is their summed loss times
// `scale` (their share of the batch's mean loss per real step). False when cancelled.
bool NeuralTrainingRun::backward(const std::shared_ptr<const Batch>& batch, int c0, int c1,
                                 double scale, double& loss) {
    auto out = std::make_shared<double>(0.0);
    const double inputDropout = m_options.inputDropout;
    // Copies only: the pass may outlive this run (see the file comment).
    if (!m_compute->run(
            [m = m_net, shared = batch, c0, c1, rep = m_cfg.representation, out, scale,
             inputDropout]() mutable {
                std::vector<const FrameSequence*> seqs;
                for (int b = c0; b < c1; ++b)
                    seqs.push_back(&shared->windows[std::size_t(b)]);
                const std::vector<std::uint8_t> mask(
                    shared->mask.begin() + long(c0) * shared->length,
                    shared->mask.begin() + long(c1) * shared->length);
                BatchTensors bt = neural::makeBatchTensors(seqs, 0, shared->length, rep, &mask);
                if (bt.realSteps == 0)
                    return;
                if (inputDropout > 0)
                    bt.x = torch::dropout(bt.x, inputDropout, true);
                NeuralNetImpl::State state;
                torch::Tensor l = neural::stepLosses(m, bt, state).total().sum() * scale;
                l.backward();
                *out = l.item<double>();
            },
            m_cancel))
        return false;
    loss = *out;
    return true;
}

// Data-parallel: averages the gradients (and the batch loss and the time limit) over the ranks.
// Then clips the gradients, steps Adam and updates the average. False when cancelled.
bool NeuralTrainingRun::step(double& batchLoss, bool timeUp) {
    auto shared = std::make_shared<std::pair<double, bool>>(batchLoss, timeUp);
    const bool done = m_compute->run(
        [m = m_net, adam = m_adam, clip = m_options.clipNorm, averaged = m_averaged,
         decay = m_options.averageDecay, averagedSteps = m_averagedSteps, group = m_group,
         shared]() mutable {
            if (group) {
                const std::vector<float> mean = neural::averageGradients(
                    m->parameters(), *group, {float(shared->first), shared->second ? 1.f : 0.f});
                *shared = {double(mean[0]), mean[1] > 0.f}; // any rank's time is up
            }
            if (clip > 0)
                torch::nn::utils::clip_grad_norm_(m->parameters(), clip);
            adam->step();
            if (averaged)
                neural::averageInto(m, averaged, decay, ++*averagedSteps);
        },
        m_cancel);
    if (done && m_group) {
        batchLoss = shared->first;
        m_timeUp = shared->second;
    }
    return done;
}

void NeuralTrainingRun::reportTraining(int epoch, long step, const EpochLoss& loss) {
    m_prog.step = step;
    m_prog.trainLoss = loss.mean();
    m_prog.framesPerSecond = m_trainSeconds > 0 ? double(m_framesTrained) / m_trainSeconds : 0;
    const double perBatch =
        m_trainSeconds / double(std::max(1L, m_framesTrained)) * double(m_windowFrames);
    const double batchesLeft =
        double(m_stepsPerEpoch - step) + double(m_options.epochs - epoch) * double(m_stepsPerEpoch);
    m_prog.secondsLeft =
        batchesLeft * perBatch + double(m_options.epochs - epoch + 1) * m_lastValidSeconds;
    if (m_maxSeconds > 0)
        m_prog.secondsLeft =
            std::min(m_prog.secondsLeft, std::max(0.0, m_maxSeconds - secondsSince(m_start)));
    report(false);
}

// Scores the epoch (validation, or the training loss without validation data), records it and
// applies the schedule. Stop when patience ran out.
NeuralTrainingRun::Next NeuralTrainingRun::endEpoch(int epoch, const EpochLoss& loss,
                                                    Clock::time_point epochStart) {
    double score = loss.mean();
    if (m_haveValid) {
        m_prog.phase = "validating";
        report(true);
        const Clock::time_point validStart = Clock::now();
        double v = 0;
        if (!validationLoss(*m_compute, m_scored, m_data.valid, m_cfg.representation, m_cancel,
                            m_group.get(), v))
            return Next::Cancelled;
        m_lastValidSeconds = secondsSince(validStart);
        score = v;
        m_lastValid = v;
        m_prog.validLoss = v;
    }

    EpochRecord rec;
    rec.epoch = epoch;
    rec.trainLoss = loss.mean();
    rec.validLoss = m_haveValid ? m_lastValid : 0.0;
    rec.learningRate = m_lr;
    rec.seconds = secondsSince(epochStart);
    m_result.history.push_back(rec);

    keepOrSlowDown(epoch, score);
    m_prog.bestValidLoss = m_bestLoss;
    if (!m_cosine && m_options.patience > 0 && m_sinceImprovement >= m_options.patience)
        return Next::Stop;
    return Next::Continue;
}

// Keeps a better epoch's weights; after lrPatience epochs without one, lowers the rate.
void NeuralTrainingRun::keepOrSlowDown(int epoch, double score) {
    if (score < m_bestLoss) {
        m_bestLoss = score;
        m_bestEpoch = epoch;
        m_sinceImprovement = 0;
        m_sinceRateChange = 0;
        m_best = takeSnapshot(m_scored, *m_adam, m_startEpoch + epoch, m_lr, score);
        if (m_options.onImproved)
            m_options.onImproved(modelFrom(m_cfg, m_best), epoch, score);
        return;
    }
    ++m_sinceImprovement;
    ++m_sinceRateChange;
    if (m_cosine)
        return; // the clock sets the rate (followCosine)
    if (m_options.lrPatience > 0 && m_sinceRateChange >= m_options.lrPatience) {
        m_lr *= m_options.lrDecay;
        setLearningRate(*m_adam, m_lr);
        m_sinceRateChange = 0;
    }
}

// The rate for this moment of a run the time limit ends (TrainOptions::LrSchedule).
void NeuralTrainingRun::followCosine() {
    const double done = std::clamp(secondsSince(m_start) / m_maxSeconds, 0.0, 1.0);
    const double shape = 0.5 * (1.0 + std::cos(std::acos(-1.0) * done));
    m_lr = m_options.learningRate * (kCosineFloor + (1.0 - kCosineFloor) * shape);
    setLearningRate(*m_adam, m_lr);
}

void NeuralTrainingRun::report(bool force) {
    if (!m_progress)
        return;
    if (!force && Clock::now() - m_lastReport < std::chrono::milliseconds(40))
        return;
    m_lastReport = Clock::now();
    m_progress(m_prog);
}

std::shared_ptr<SequenceModel> NeuralTrainingRun::bestModel() const {
    return m_best.valid() ? modelFrom(m_cfg, m_best) : m_resumedModel;
}

TrainResult NeuralTrainingRun::finished() {
    m_result.status = TrainStatus::Finished;
    m_result.model = bestModel();
    if (!m_result.model) {
        // Nothing completed (e.g. a zero time limit): keep the initial weights.
        m_result.model = modelFrom(m_cfg, takeSnapshot(m_scored, *m_adam, m_startEpoch, m_lr, 0.0));
    }
    m_result.bestEpoch = m_bestEpoch;
    m_result.bestValidLoss = std::isfinite(m_bestLoss) ? m_bestLoss : 0.0;
    m_prog.phase = "done";
    report(true);
    return std::move(m_result);
}

// Cancelled or failed, never Finished: with the best model so far (or the resumed one) and its
// epoch and loss, for a caller that keeps it.
TrainResult NeuralTrainingRun::endedEarly(TrainStatus status) {
    m_result.status = status;
    m_result.model = bestModel();
    m_result.bestEpoch = m_best.valid() ? m_bestEpoch : 0;
    m_result.bestValidLoss = std::isfinite(m_bestLoss) ? m_bestLoss : 0.0;
    return std::move(m_result);
}

TrainResult NeuralTrainingRun::cancelledResult() {
    return endedEarly(TrainStatus::Cancelled);
}

TrainResult NeuralTrainingRun::failed(const std::string& error) {
    m_result.error = error;
    return endedEarly(TrainStatus::Failed);
}

} // namespace

TrainResult trainNeural(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                        const std::atomic<bool>& cancel, const ProgressFn& progress,
                        const SequenceModel* resumeFrom) {
    NeuralTrainingRun run(data, config, options, cancel, progress);
    return run.run(resumeFrom);
}

} // namespace torchestra::ml
