// trainNeural: Adam with gradient clipping, a halving learning rate and early stopping on the
// validation NLL, keeping the best weights.
//
// Cancel returns within 200 ms at any point. Splitting batches into short passes is not enough:
// on a busy machine an OpenMP barrier waits for a descheduled thread and one pass can take
// seconds, and small chunks make the LSTM's matrix products inefficient. So the passes run on a
// helper thread (ComputeThread) while this thread polls `cancel` every 20 ms; on Cancel it
// returns the best weights at once (a deep copy the helper never touches) and abandons the pass
// in flight (after a 30 ms grace, so a short one can still be joined). A pass owns everything it
// touches (the module, the optimizer, its batch tensors), never the caller's data, so it can
// finish safely after trainNeural has returned; the process waits for such passes at exit.
//
// Epochs: options.epochs is how many this call runs; the history, progress and bestEpoch count
// this call's epochs (the CLI offsets them by the checkpoint's history), while the weights' own
// count (NeuralTrainingState::epoch, in the payload) continues from a resumed model's. A resumed
// run restores the learning rate and Adam's state from the payload and scores the resumed
// weights first: they are the ones to beat (bestEpoch 0 if never beaten).

#include "ml/neural/NeuralNet.h"

#include "ml/neural/NeuralKinds.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

namespace torchestra::ml {

namespace {

using Clock = std::chrono::steady_clock;
using neural::BatchTensors;
using neural::NeuralModel;
using neural::NeuralNet;
using neural::NeuralNetImpl;
using neural::NeuralTrainingState;

double secondsSince(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Passes abandoned by a Cancel and still running. The process waits for them at exit (up to
// 10 s) so that torch's globals are not destroyed under a running backward pass.
std::atomic<int> g_abandoned{0};

void waitForAbandonedPasses() {
    for (int i = 0; i < 1000 && g_abandoned.load() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// One helper thread that runs torch passes for the trainer (see the file comment).
class ComputeThread {
public:
    explicit ComputeThread(int threads) : m_s(std::make_shared<Shared>()) {
        std::shared_ptr<Shared> s = m_s;
        m_thread = std::thread([s, threads] {
            neural::setThisThreadsThreads(threads);
            std::unique_lock<std::mutex> lock(s->mutex);
            for (;;) {
                s->cv.wait(lock, [&] { return s->stop || s->job; });
                if (!s->job) {
                    if (s->abandoned)
                        g_abandoned.fetch_sub(1);
                    return;
                }
                std::function<void()> job = std::move(s->job);
                s->job = nullptr;
                lock.unlock();
                std::exception_ptr error;
                try {
                    job();
                } catch (...) {
                    error = std::current_exception();
                }
                job = nullptr; // release what the pass owned before reporting
                lock.lock();
                s->error = error;
                s->busy = false;
                s->cv.notify_all();
            }
        });
    }
    ComputeThread(const ComputeThread&) = delete;
    ComputeThread& operator=(const ComputeThread&) = delete;

    ~ComputeThread() {
        bool busy;
        {
            std::lock_guard<std::mutex> lock(m_s->mutex);
            m_s->stop = true;
            busy = m_s->busy;
            if (busy) {
                static const bool registered = (std::atexit(waitForAbandonedPasses), true);
                (void)registered;
                m_s->abandoned = true;
                g_abandoned.fetch_add(1);
            }
            m_s->cv.notify_all();
        }
        // An abandoned pass finishes on its own; the thread then sees `stop` and exits.
        if (busy)
            m_thread.detach();
        else
            m_thread.join();
    }

    // Runs `job` on the helper thread and waits for it. False if `cancel` was set first: the
    // job is abandoned (it keeps running and must own everything it touches). Rethrows what
    // the job threw.
    bool run(std::function<void()> job, const std::atomic<bool>& cancel) {
        std::unique_lock<std::mutex> lock(m_s->mutex);
        m_s->job = std::move(job);
        m_s->busy = true;
        m_s->error = nullptr;
        m_s->cv.notify_all();
        // Every wake-up takes a core from the pass's OpenMP team (two threads on two cores
        // here), and a barrier then waits for the preempted thread: poll no more often than the
        // 200 ms Cancel promise needs.
        while (m_s->busy) {
            m_s->cv.wait_for(lock, std::chrono::milliseconds(20));
            if (m_s->busy && cancel.load(std::memory_order_relaxed)) {
                // Give a short pass the chance to end so the thread can be joined rather than
                // left running; a long one (a busy machine) is abandoned.
                m_s->cv.wait_for(lock, std::chrono::milliseconds(30), [&] { return !m_s->busy; });
                return false;
            }
        }
        if (m_s->error)
            std::rethrow_exception(m_s->error);
        return true;
    }

private:
    struct Shared {
        std::mutex mutex;
        std::condition_variable cv;
        std::function<void()> job;
        bool busy = false;
        bool stop = false;
        bool abandoned = false;
        std::exception_ptr error;
    };
    std::shared_ptr<Shared> m_s;
    std::thread m_thread;
};

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

// Validation NLL per scored step (steps 1..T-1 of each piece, as evaluate() counts them).
// Pieces of similar length are batched and run in segments of 128 steps with the state carried
// (exact); the tensors are built here, the passes run on `compute`. False when cancelled.
bool validationLoss(ComputeThread& compute, NeuralNet net, const std::vector<FrameSequence>& pieces,
                    const RepresentationConfig& rep, const std::atomic<bool>& cancel,
                    double& loss) {
    net->eval();
    std::vector<const FrameSequence*> sorted;
    for (const FrameSequence& p : pieces)
        sorted.push_back(&p);
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [](const FrameSequence* a, const FrameSequence* b) { return a->steps < b->steps; });
    double sum = 0;
    long steps = 0;
    constexpr std::size_t kBatch = 16;
    constexpr int kSegment = 128;
    for (std::size_t i = 0; i < sorted.size(); i += kBatch) {
        const std::vector<const FrameSequence*> group(
            sorted.begin() + long(i), sorted.begin() + long(std::min(sorted.size(), i + kBatch)));
        int maxT = 0;
        for (const FrameSequence* p : group) {
            maxT = std::max(maxT, p->steps);
            steps += std::max(0, p->steps - 1);
        }
        auto state = std::make_shared<NeuralNetImpl::State>();
        for (int from = 0; from < maxT; from += kSegment) {
            if (cancel.load(std::memory_order_relaxed))
                return false;
            auto bt = std::make_shared<BatchTensors>(
                neural::makeBatchTensors(group, from, std::min(kSegment, maxT - from), rep));
            // Step 0 of each piece is not scored (the published convention).
            if (from == 0)
                bt->stepMask.select(1, 0).zero_();
            auto out = std::make_shared<double>(0.0);
            NeuralNet m = net;
            if (!compute.run(
                    [m, bt, state, out]() mutable {
                        torch::NoGradGuard noGrad;
                        neural::StepLosses sl = neural::stepLosses(m, *bt, *state);
                        *out = (sl.total() * bt->stepMask).sum().item<double>();
                    },
                    cancel))
                return false;
            sum += *out;
        }
    }
    loss = steps > 0 ? sum / double(steps) : 0.0;
    return true;
}

} // namespace

TrainResult trainNeural(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                        const std::atomic<bool>& cancel, const ProgressFn& progress,
                        const SequenceModel* resumeFrom) {
    TrainResult result;
    const Clock::time_point start = Clock::now();
    ModelConfig cfg = config;
    cfg.representation = data.representation; // the data decides what the model reads
    Snapshot best;
    std::shared_ptr<SequenceModel> resumedModel;
    try {
        // Only the compute thread runs torch in parallel while training; the caller gets its
        // own count back afterwards (the CLI scores the test split on it).
        struct SerialForTheRun {
            bool chosen = neural::thisThreadChoseThreads();
            int previous = neural::setThisThreadsThreads(1);
            ~SerialForTheRun() {
                if (chosen)
                    neural::setThisThreadsThreads(previous);
            }
        } serialForTheRun;
        if (data.train.empty()) {
            result.error = "no training data";
            return result;
        }
        if (options.batchSize < 1 || options.windowSteps < 1 || options.epochs < 0) {
            result.error = "batch size and window must be positive";
            return result;
        }
        torch::manual_seed(options.seed);
        std::mt19937_64 rng(options.seed);

        NeuralNet net{nullptr};
        result.error = neural::makeNet(cfg, net);
        if (!result.error.empty())
            return result;

        int startEpoch = 0;
        double lr = options.learningRate;
        std::string optimizerState;
        if (resumeFrom) {
            const auto* resumed = dynamic_cast<const NeuralModel*>(resumeFrom);
            if (!resumed) {
                result.error = "cannot resume: the checkpoint is not an RNN/LSTM model";
                return result;
            }
            if (!sameShape(resumed->config(), cfg)) {
                result.error = "cannot resume: the checkpoint's model or representation differs "
                               "from the requested one";
                return result;
            }
            NeuralNet from = resumed->net();
            neural::copyParameters(from, net);
            startEpoch = resumed->trainingState().epoch;
            if (resumed->trainingState().learningRate > 0)
                lr = resumed->trainingState().learningRate;
            optimizerState = resumed->optimizerState();
        }

        auto adam = std::make_shared<torch::optim::Adam>(
            net->parameters(), torch::optim::AdamOptions(lr).weight_decay(options.weightDecay));
        if (!optimizerState.empty()) {
            torch::serialize::InputArchive ar;
            ar.load_from(optimizerState.data(), optimizerState.size());
            adam->load(ar);
        }
        setLearningRate(*adam, lr);

        const RepresentationConfig& rep = cfg.representation;
        const long windowFrames = long(options.batchSize) * options.windowSteps;
        const long stepsPerEpoch =
            options.stepsPerEpoch > 0
                ? options.stepsPerEpoch
                : std::max(kMinBatchesPerEpoch,
                           (data.trainSteps() + windowFrames - 1) / windowFrames);
        const bool haveValid = !data.valid.empty() && data.validSteps() > long(data.valid.size());
        const double maxSeconds = options.maxMinutes > 0 ? options.maxMinutes * 60.0 : 0.0;
        ComputeThread compute(options.threads);

        // Weight averaging (options.averageDecay): `averaged` follows the weights after every
        // step; validation, the best snapshot and the result use it instead of `net`. Both are
        // owned by the passes that touch them (see the file comment).
        const bool averaging = options.averageDecay > 0;
        NeuralNet averaged{nullptr};
        if (averaging) {
            result.error = neural::makeNet(cfg, averaged);
            if (!result.error.empty())
                return result;
            neural::copyParameters(net, averaged);
        }
        NeuralNet scored = averaging ? averaged : net;
        auto averagedSteps = std::make_shared<long>(0);

        double bestLoss = std::numeric_limits<double>::infinity();
        int bestEpoch = 0;
        int sinceImprovement = 0;
        int sinceRateChange = 0;
        double lastValid = 0;
        double lastValidSeconds = 0;

        TrainProgress prog;
        prog.epochs = options.epochs;
        prog.stepsPerEpoch = stepsPerEpoch;
        Clock::time_point lastReport = Clock::now() - std::chrono::seconds(1);
        auto report = [&](bool force) {
            if (!progress)
                return;
            if (!force && Clock::now() - lastReport < std::chrono::milliseconds(40))
                return;
            lastReport = Clock::now();
            progress(prog);
        };
        auto cancelled = [&] { return cancel.load(std::memory_order_relaxed); };
        auto finishCancelled = [&] {
            result.status = TrainStatus::Cancelled;
            result.model = best.valid() ? modelFrom(cfg, best) : resumedModel;
            result.bestEpoch = best.valid() ? bestEpoch : 0;
            result.bestValidLoss = std::isfinite(bestLoss) ? bestLoss : 0.0;
            return result;
        };

        // A resumed model is the one to beat: score it first.
        if (resumeFrom) {
            resumedModel = modelFrom(cfg, takeSnapshot(net, *adam, startEpoch, lr, 0.0));
            if (haveValid) {
                prog.phase = "validating";
                prog.epoch = 0;
                report(true);
                double v = 0;
                if (!validationLoss(compute, net, data.valid, rep, cancel, v))
                    return finishCancelled();
                bestLoss = v;
                lastValid = v;
                bestEpoch = 0; // the resumed weights: before this run's first epoch
                best = takeSnapshot(net, *adam, startEpoch, lr, v);
            }
        }

        long framesTrained = 0;
        double trainSeconds = 0;
        bool timeUp = false;

        // `epoch` counts this run's epochs (history, progress, bestEpoch: what the caller
        // offsets by the checkpoint's history); the weights' own count continues from the
        // resumed one.
        for (int epoch = 1; epoch <= options.epochs && !timeUp; ++epoch) {
            const Clock::time_point epochStart = Clock::now();
            net->train();
            double lossSum = 0;
            long lossSteps = 0;
            prog.phase = "training";
            prog.epoch = epoch;
            for (long step = 1; step <= stepsPerEpoch; ++step) {
                if (cancelled())
                    return finishCancelled();
                if (maxSeconds > 0 && secondsSince(start) >= maxSeconds) {
                    timeUp = true;
                    break;
                }
                const Clock::time_point batchStart = Clock::now();
                Batch batch = sampleBatch(data.train, options.batchSize, options.windowSteps,
                                          options.transpose, rng);
                long real = 0;
                for (std::uint8_t m : batch.mask)
                    real += m;
                if (real == 0)
                    continue;

                // The whole batch in one pass (the helper thread makes Cancel independent of
                // how long a pass takes), unless the NADE head's [B, T, P, nadeHidden]
                // activations would pass ~100 MB: then chunks with gradients accumulated.
                int chunk = batch.count;
                if (cfg.head == HeadKind::Autoregressive) {
                    const double perWindow =
                        double(batch.length) * rep.pitches() * std::max(1, cfg.nadeHidden);
                    chunk = std::clamp(int(25e6 / perWindow), 1, batch.count);
                }
                adam->zero_grad();
                double batchLoss = 0;
                // The batch's tensors are built on the helper too: torch::zeros on this thread
                // would start a second OpenMP team, whose spinning threads then compete with
                // the pass's team for the two cores. The job owns the batch (see above).
                auto shared = std::make_shared<const Batch>(std::move(batch));
                for (int c0 = 0; c0 < shared->count; c0 += chunk) {
                    const int c1 = std::min(shared->count, c0 + chunk);
                    auto out = std::make_shared<double>(0.0);
                    NeuralNet m = net;
                    const double scale = 1.0 / double(real);
                    const double inputDropout = options.inputDropout;
                    if (!compute.run(
                            [m, shared, c0, c1, rep, out, scale, inputDropout]() mutable {
                                std::vector<const FrameSequence*> seqs;
                                for (int b = c0; b < c1; ++b)
                                    seqs.push_back(&shared->windows[std::size_t(b)]);
                                const std::vector<std::uint8_t> mask(
                                    shared->mask.begin() + long(c0) * shared->length,
                                    shared->mask.begin() + long(c1) * shared->length);
                                BatchTensors bt =
                                    neural::makeBatchTensors(seqs, 0, shared->length, rep, &mask);
                                if (bt.realSteps == 0)
                                    return;
                                if (inputDropout > 0)
                                    bt.x = torch::dropout(bt.x, inputDropout, true);
                                NeuralNetImpl::State state;
                                torch::Tensor loss =
                                    neural::stepLosses(m, bt, state).total().sum() * scale;
                                loss.backward();
                                *out = loss.item<double>();
                            },
                            cancel))
                        return finishCancelled();
                    batchLoss += *out;
                }
                {
                    NeuralNet m = net;
                    const double clip = options.clipNorm;
                    const double decay = options.averageDecay;
                    if (!compute.run(
                            [m, adam, clip, averaged, decay, averagedSteps]() mutable {
                                if (clip > 0)
                                    torch::nn::utils::clip_grad_norm_(m->parameters(), clip);
                                adam->step();
                                if (averaged)
                                    neural::averageInto(m, averaged, decay, ++*averagedSteps);
                            },
                            cancel))
                        return finishCancelled();
                }

                const double batchSeconds = secondsSince(batchStart);
                trainSeconds += batchSeconds;
                framesTrained += real;
                if (!std::isfinite(batchLoss)) {
                    result.error = "training diverged (loss is not finite); try a lower learning "
                                   "rate";
                    result.status = TrainStatus::Failed;
                    result.model = best.valid() ? modelFrom(cfg, best) : resumedModel;
                    return result;
                }
                lossSum += batchLoss * double(real);
                lossSteps += real;

                prog.step = step;
                prog.trainLoss = lossSum / double(lossSteps);
                prog.framesPerSecond = trainSeconds > 0 ? double(framesTrained) / trainSeconds : 0;
                const double perBatch =
                    trainSeconds / double(std::max(1L, framesTrained)) * double(windowFrames);
                const double batchesLeft = double(stepsPerEpoch - step) +
                                           double(options.epochs - epoch) * double(stepsPerEpoch);
                prog.secondsLeft =
                    batchesLeft * perBatch + double(options.epochs - epoch + 1) * lastValidSeconds;
                if (maxSeconds > 0)
                    prog.secondsLeft =
                        std::min(prog.secondsLeft, std::max(0.0, maxSeconds - secondsSince(start)));
                report(false);
            }
            if (lossSteps == 0 && timeUp)
                break; // the limit hit before this epoch trained anything

            // Score the epoch (validation, or the training loss without validation data).
            double score = lossSteps > 0 ? lossSum / double(lossSteps) : 0.0;
            if (haveValid) {
                prog.phase = "validating";
                report(true);
                const Clock::time_point validStart = Clock::now();
                double v = 0;
                if (!validationLoss(compute, scored, data.valid, rep, cancel, v))
                    return finishCancelled();
                lastValidSeconds = secondsSince(validStart);
                score = v;
                lastValid = v;
                prog.validLoss = v;
            }

            EpochRecord rec;
            rec.epoch = epoch;
            rec.trainLoss = lossSteps > 0 ? lossSum / double(lossSteps) : 0.0;
            rec.validLoss = haveValid ? lastValid : 0.0;
            rec.learningRate = lr;
            rec.seconds = secondsSince(epochStart);
            result.history.push_back(rec);

            if (score < bestLoss) {
                bestLoss = score;
                bestEpoch = epoch;
                sinceImprovement = 0;
                sinceRateChange = 0;
                best = takeSnapshot(scored, *adam, startEpoch + epoch, lr, score);
            } else {
                ++sinceImprovement;
                ++sinceRateChange;
                if (options.lrPatience > 0 && sinceRateChange >= options.lrPatience) {
                    lr *= options.lrDecay;
                    setLearningRate(*adam, lr);
                    sinceRateChange = 0;
                }
            }
            prog.bestValidLoss = bestLoss;
            if (options.patience > 0 && sinceImprovement >= options.patience)
                break;
        }

        result.status = TrainStatus::Finished;
        result.model = best.valid() ? modelFrom(cfg, best) : resumedModel;
        if (!result.model) {
            // Nothing completed (e.g. a zero time limit): keep the initial weights.
            result.model = modelFrom(cfg, takeSnapshot(scored, *adam, startEpoch, lr, 0.0));
        }
        result.bestEpoch = bestEpoch;
        result.bestValidLoss = std::isfinite(bestLoss) ? bestLoss : 0.0;
        prog.phase = "done";
        report(true);
        return result;
    } catch (const c10::Error& e) {
        result.error = std::string("training failed: ") + e.what_without_backtrace();
    } catch (const std::exception& e) {
        result.error = std::string("training failed: ") + e.what();
    }
    result.status = TrainStatus::Failed;
    result.model = best.valid() ? modelFrom(cfg, best) : resumedModel;
    return result;
}

} // namespace torchestra::ml
