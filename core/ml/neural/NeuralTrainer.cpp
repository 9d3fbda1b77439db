// trainNeural: Adam with gradient clipping, a halving learning rate and early stopping on the
// validation NLL, keeping the best weights. Every wait is short: a batch is split into chunks
// sized from the measured time per window so that no single forward or backward pass runs much
// longer than ~70 ms, and `cancel` is checked before, between and after them (and between the
// segments of a validation pass), so a Cancel returns well inside 200 ms.

#include "ml/neural/NeuralNet.h"

#include "ml/Trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

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
// Pieces of similar length are batched; false when cancelled.
bool validationLoss(NeuralNet& net, const std::vector<FrameSequence>& pieces,
                    const std::atomic<bool>& cancel, double& loss) {
    torch::NoGradGuard noGrad;
    net->eval();
    std::vector<const FrameSequence*> sorted;
    for (const FrameSequence& p : pieces)
        sorted.push_back(&p);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const FrameSequence* a, const FrameSequence* b) {
                         return a->steps < b->steps;
                     });
    double sum = 0;
    long steps = 0;
    constexpr std::size_t kBatch = 16;
    for (std::size_t i = 0; i < sorted.size(); i += kBatch) {
        std::vector<const FrameSequence*> group(
            sorted.begin() + long(i), sorted.begin() + long(std::min(sorted.size(), i + kBatch)));
        std::vector<NllResult> out;
        if (!neural::sequenceNll(net, group, 128, out, &cancel))
            return false;
        for (const NllResult& r : out) {
            sum += r.frameSum + r.onsetSum + r.velocitySum;
            steps += r.frameSteps;
        }
    }
    loss = steps > 0 ? sum / double(steps) : 0.0;
    return true;
}

}  // namespace

TrainResult trainNeural(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                        const std::atomic<bool>& cancel, const ProgressFn& progress,
                        const SequenceModel* resumeFrom) {
    TrainResult result;
    const Clock::time_point start = Clock::now();
    ModelConfig cfg = config;
    cfg.representation = data.representation;  // the data decides what the model reads
    Snapshot best;
    std::shared_ptr<SequenceModel> resumedModel;
    try {
        setComputeThreads(options.threads);
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

        torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(lr));
        if (!optimizerState.empty()) {
            torch::serialize::InputArchive ar;
            ar.load_from(optimizerState.data(), optimizerState.size());
            adam.load(ar);
        }
        setLearningRate(adam, lr);

        const RepresentationConfig& rep = cfg.representation;
        const long windowFrames = long(options.batchSize) * options.windowSteps;
        const long stepsPerEpoch =
            options.stepsPerEpoch > 0
                ? options.stepsPerEpoch
                : std::max(1L, (data.trainSteps() + windowFrames - 1) / windowFrames);
        const bool haveValid = !data.valid.empty() && data.validSteps() > long(data.valid.size());
        const double maxSeconds = options.maxMinutes > 0 ? options.maxMinutes * 60.0 : 0.0;

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
            result.bestEpoch = bestEpoch;
            result.bestValidLoss = std::isfinite(bestLoss) ? bestLoss : 0.0;
            return result;
        };

        // A resumed model is the one to beat: score it first.
        if (resumeFrom) {
            resumedModel = modelFrom(cfg, takeSnapshot(net, adam, startEpoch, lr, 0.0));
            if (haveValid) {
                prog.phase = "validating";
                prog.epoch = startEpoch;
                report(true);
                double v = 0;
                if (!validationLoss(net, data.valid, cancel, v))
                    return finishCancelled();
                bestLoss = v;
                lastValid = v;
                bestEpoch = startEpoch;
                best = takeSnapshot(net, adam, startEpoch, lr, v);
            }
        }

        long framesTrained = 0;
        double trainSeconds = 0;
        double msPerWindow = 0;  // measured forward+backward time per window (EMA)
        bool timeUp = false;

        for (int epoch = startEpoch + 1; epoch <= options.epochs && !timeUp; ++epoch) {
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

                // Chunks of windows small enough that each pass stays well under 200 ms.
                int chunk = msPerWindow > 0 ? int(100.0 / msPerWindow) : 4;
                chunk = std::clamp(chunk, 1, batch.count);
                const int chunks = (batch.count + chunk - 1) / chunk;
                chunk = (batch.count + chunks - 1) / chunks;

                adam.zero_grad();
                double batchLoss = 0;
                for (int c0 = 0; c0 < batch.count; c0 += chunk) {
                    const int c1 = std::min(batch.count, c0 + chunk);
                    std::vector<const FrameSequence*> seqs;
                    for (int b = c0; b < c1; ++b)
                        seqs.push_back(&batch.windows[std::size_t(b)]);
                    std::vector<std::uint8_t> mask(
                        batch.mask.begin() + long(c0) * batch.length,
                        batch.mask.begin() + long(c1) * batch.length);
                    BatchTensors bt = neural::makeBatchTensors(seqs, 0, batch.length, rep, &mask);
                    if (bt.realSteps == 0)
                        continue;
                    NeuralNetImpl::State state;
                    torch::Tensor loss =
                        neural::stepLosses(net, bt, state).total().sum() / double(real);
                    if (cancelled())
                        return finishCancelled();
                    loss.backward();
                    batchLoss += loss.item<double>();
                    if (cancelled())
                        return finishCancelled();
                }
                if (options.clipNorm > 0)
                    torch::nn::utils::clip_grad_norm_(net->parameters(), options.clipNorm);
                adam.step();

                const double batchSeconds = secondsSince(batchStart);
                const double perWindow = 1000.0 * batchSeconds / batch.count;
                msPerWindow = msPerWindow > 0 ? 0.7 * msPerWindow + 0.3 * perWindow : perWindow;
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
                const double perBatch = trainSeconds / double(std::max(1L, framesTrained)) *
                                        double(windowFrames);
                const double batchesLeft = double(stepsPerEpoch - step) +
                                           double(options.epochs - epoch) * double(stepsPerEpoch);
                prog.secondsLeft = batchesLeft * perBatch +
                                   double(options.epochs - epoch + 1) * lastValidSeconds;
                if (maxSeconds > 0)
                    prog.secondsLeft =
                        std::min(prog.secondsLeft, std::max(0.0, maxSeconds - secondsSince(start)));
                report(false);
            }
            if (lossSteps == 0 && timeUp)
                break;  // the limit hit before this epoch trained anything

            // Score the epoch (validation, or the training loss without validation data).
            double score = lossSteps > 0 ? lossSum / double(lossSteps) : 0.0;
            if (haveValid) {
                prog.phase = "validating";
                report(true);
                const Clock::time_point validStart = Clock::now();
                double v = 0;
                if (!validationLoss(net, data.valid, cancel, v))
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
                best = takeSnapshot(net, adam, epoch, lr, score);
            } else {
                ++sinceImprovement;
                ++sinceRateChange;
                if (options.lrPatience > 0 && sinceRateChange >= options.lrPatience) {
                    lr *= options.lrDecay;
                    setLearningRate(adam, lr);
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
            result.model = modelFrom(cfg, takeSnapshot(net, adam, startEpoch, lr, 0.0));
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

}  // namespace torchestra::ml
