#pragma once

// Training, on a worker thread, with progress and a Cancel that returns at once.

#include "ml/DataParallel.h"
#include "ml/Dataset.h"
#include "ml/SamplingCalibration.h"
#include "ml/SequenceModel.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace torchestra::ml {

// Called on the training thread after an epoch whose validation beat every one before: the
// best model so far (a copy of its own, which the trainer never touches again), the epoch
// and its validation loss. Keep it short (copying the model out to another thread is fine):
// training waits for it.
using ImprovedFn =
    std::function<void(std::shared_ptr<SequenceModel> best, int epoch, double validLoss)>;

// Small batches at a fairly high rate,
// weight averaging, and epochs of at least 50 batches: on 31 real MIDI files (openmsx) a 2x256
// LSTM reached a validation loss of 11.22 nats/step in 4 minutes this way, where batches of
// 16 at 1e-3 with an epoch of one pass (16 batches there, 1-2 on a small selection) stopped
// early at 12.36 (docs/results.md).
struct TrainOptions {
    int epochs = 30;
    int batchSize = 8;
    int windowSteps = 128;
    // Batches per epoch (an epoch ends with a validation); 0 = one pass over the training
    // steps, but at least kMinBatchesPerEpoch.
    long stepsPerEpoch = 0;
    double learningRate = 3e-3;
    double clipNorm = 1.0;  // gradient clipping (global L2 norm)
    double weightDecay = 0; // L2 penalty on every weight, as Adam's weight_decay (0 = none)
    // Weight averaging: validate, keep and return an exponential moving average of the weights
    // (this decay per batch, warmed up over the first batches) instead of the last ones. It
    // smooths out the noise of small batches at a high rate. 0 = off; 0.99-0.999 is typical.
    double averageDecay = 0.999;
    // Dropout on the model's input (the previous frame and the metre) while training: the model
    // learns not to lean on any one note of the last step. 0 = off.
    double inputDropout = 0;
    int lrPatience = 2; // epochs without improvement before the rate is halved
    double lrDecay = 0.5;
    // How the rate falls. Plateau: lrDecay after lrPatience epochs without improvement, and
    // patience ends the run. CosineToTimeLimit (alone, with maxMinutes): from learningRate down
    // a half cosine to kCosineFloor of it as the time limit nears, so a run ends settled
    // wherever the limit falls; the limit ends it, not patience (the best epoch is kept).
    // Data-parallel runs keep Plateau: each rank's clock would give it its own rate.
    enum class LrSchedule { Plateau, CosineToTimeLimit };
    LrSchedule lrSchedule = LrSchedule::Plateau;
    int patience = 6;  // epochs without improvement before training stops
    int transpose = 0; // augmentation: random shift within +-transpose semitones
    std::uint64_t seed = 1;
    int threads = 2;       // LibTorch intra-op threads (set on purpose: it starts at 1)
    double maxMinutes = 0; // stop (keeping the best model) after this long; 0 = no limit
    // A resumed run goes on at the rate its checkpoint kept (halvings included); false starts
    // it at learningRate instead (train --resume --lr), with Adam's moments kept.
    bool keepResumedLearningRate = true;
    // Optional: told of each improvement (a snapshot of the best model so far). The RNN, LSTM
    // and GAN trainers call it; a Markov model trains in one pass and has nothing to report.
    ImprovedFn onImproved;
    // Optional: train data-parallel with the other ranks of this group (RNN, LSTM, GAN). Every
    // rank passes the same data, config and options: each batch is batchSize windows per
    // rank, drawn from one seeded sequence (so the ranks' batches are the parts of one batch
    // of batchSize x ranks, the same as one process would draw), the gradients are averaged
    // before each step, validation is shared out and summed, and every decision (the rate,
    // stopping, the time limit) is taken on the same numbers everywhere.
    std::shared_ptr<DataParallel> dataParallel;
};

constexpr long kMinBatchesPerEpoch = 50;
constexpr double kCosineFloor = 0.02;

// Epochs for a run that time or patience ends: more than any budget here reaches.
constexpr int kEpochsWithoutLimit = 100000;

// The options a kind trains best with when the user sets none (the CLI's and the Train panel's
// starting point): an RNN or LSTM 30 epochs, at most kDefaultMaxTrainMinutes. The GAN's follow
// WGAN-GP practice (docs/results.md): batches of 64 bars, Adam at 1e-4, transposition within +-6
// semitones, epochs of a pass over the bars, and an average of the generator's weights (Yazici et
// al. 2019) as the model kept. The sequence models transpose within +-3 semitones (chosen on two
// corpora, Trainer.cpp); the NADE head within +-5 (defaultTrainOptions(const ModelConfig&) below).
TrainOptions defaultTrainOptions(ModelKind kind);

// Training by time: the options for a budget of `budgetMinutes` (the run stops after that long
// or when patience runs out, whichever comes first), or for 0, until the validation loss stops
// improving (patience alone ends it). The same as defaultTrainOptions(kind) otherwise, so the
// CLI (train --max-minutes) and the Train panel's "Train for" choice share one source.
TrainOptions defaultTrainOptions(ModelKind kind, double budgetMinutes);

// The options for this model: its kind's (above), with what its head adds. The NADE head
// transposes within +-kNadeTranspose semitones: with +-3 it overfits (docs/results.md: JSB
// valid 4.94 against 5.06 in 15 minutes, openmsx 7.31 against 8.80 nats/step). The CLI and
// the Train panel start here once they know the model.
TrainOptions defaultTrainOptions(const ModelConfig& model);
TrainOptions defaultTrainOptions(const ModelConfig& model, double budgetMinutes);
constexpr int kNadeTranspose = 5;

// The Train panel's "Train for" choices, in minutes (0 = until it stops improving), and the
// one it starts with.
const std::vector<double>& trainBudgetChoices();
constexpr double kDefaultTrainBudgetMinutes = 5;

// The time an RNN or LSTM trains for at most when no budget is given (defaultTrainOptions(kind):
// the command line's `train` without --max-minutes): its 30 epochs take 3-4 minutes on a few
// dozen files, but 33-40 on 424 (552,000 steps; docs/results.md, session 32), so on a larger
// corpus the time ends the run (the best epoch kept), and a model is ready, calibration
// included, within 20 minutes on any corpus.
constexpr double kDefaultMaxTrainMinutes = 15;

struct TrainProgress {
    std::string phase; // "training", "validating", "done"
    int epoch = 0;     // 1-based
    int epochs = 0;
    long step = 0; // batch within the epoch, 1-based
    long stepsPerEpoch = 0;
    double trainLoss = 0; // running mean this epoch, nats per step
    double validLoss = 0; // last validation, nats per step (0 before the first)
    double bestValidLoss = 0;
    // GAN: trainLoss is the critic's Wasserstein estimate, this the generator's loss, and the
    // validation figures are 1 - the closeness of generated bars to the validation bars.
    double generatorLoss = 0;
    double framesPerSecond = 0;
    double secondsLeft = 0;
    // While choosing (the phases after training): the sampling settings read so far of those
    // it will read (SamplingCalibration.h; about a minute in all).
    int settingsRead = 0;
    int settingsToRead = 0;
};

struct EpochRecord {
    int epoch = 0;
    double trainLoss = 0;
    double validLoss = 0;
    double generatorLoss = 0; // GAN only (see TrainProgress)
    double learningRate = 0;
    double seconds = 0;
};

enum class TrainStatus { Finished, Cancelled, Failed };

struct TrainResult {
    TrainStatus status = TrainStatus::Failed;
    // The best model so far on the validation data (also when cancelled, if one epoch ended or
    // the model had been resumed); null when there is none.
    std::shared_ptr<SequenceModel> model;
    std::vector<EpochRecord> history;
    int bestEpoch = 0;
    double bestValidLoss = 0;
    // The model's sampling temperature, chosen on the validation pieces after training
    // (SamplingCalibration.h); not calibrated when cancelled, without validation pieces, or
    // for a model without a likelihood (the GAN chooses its model by the same closeness).
    SamplingCalibration sampling;
    std::string error;
};

// Called at most ~25 times a second, on the training thread.
using ProgressFn = std::function<void(const TrainProgress&)>;

// Trains synchronously on the calling thread (use TrainingJob for a worker). Checks `cancel`
// at least once per batch. `resumeFrom` continues a model loaded from a checkpoint.
TrainResult trainModel(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                       const std::atomic<bool>& cancel, const ProgressFn& progress,
                       const SequenceModel* resumeFrom = nullptr);

// Runs trainModel on its own thread. The job owns a copy of the data, never the live song.
class TrainingJob {
public:
    TrainingJob() = default;
    ~TrainingJob();
    TrainingJob(const TrainingJob&) = delete;
    TrainingJob& operator=(const TrainingJob&) = delete;

    // Any thread. `progress` and `done` are called on the worker thread.
    void start(Dataset data, ModelConfig config, TrainOptions options, ProgressFn progress,
               std::function<void(const TrainResult&)> done = {},
               std::shared_ptr<const SequenceModel> resumeFrom = nullptr);
    void cancel() { m_cancel.store(true); }
    bool isRunning() const { return m_running.load(); }
    // Blocks until the worker ends (never call on the UI thread while it runs).
    TrainResult wait();

private:
    std::thread m_thread;
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_running{false};
    TrainResult m_result;
};

} // namespace torchestra::ml
