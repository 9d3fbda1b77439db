#include "ml/MarkovTrainer.h"

#include "ml/MarkovModel.h"
#include "ml/StreamedPieces.h"

#include <chrono>

namespace torchestra::ml {

namespace {

// Calls `use` with each training piece, held or streamed, until Cancel.
// Returns "" or the stream's read error.
std::string forEachTrainingPiece(const Dataset& data, const std::atomic<bool>& cancel,
                                 const std::function<void(const FrameSequence&)>& use) {
    for (const FrameSequence& piece : data.train) {
        if (cancel.load())
            return {};
        use(piece);
    }
    if (!data.trainStream)
        return {};
    FrameSequence piece;
    for (std::size_t i = 0; i < data.trainStream->size() && !cancel.load(); ++i) {
        if (std::string err = data.trainStream->read(i, piece); !err.empty())
            return err;
        use(piece);
    }
    return {};
}

double meanLoss(const NllResult& total) {
    if (total.frameSteps == 0)
        return 0;
    return (total.frameSum + total.onsetSum + total.velocitySum) / double(total.frameSteps);
}

} // namespace

TrainResult trainMarkov(const Dataset& data, const ModelConfig& config,
                        const std::atomic<bool>& cancel, const ProgressFn& progress) {
    TrainResult result;
    const auto t0 = std::chrono::steady_clock::now();
    auto model = std::make_shared<MarkovModel>(config);
    TrainProgress p;
    p.phase = "training";
    p.epoch = 1;
    p.epochs = 1;
    p.stepsPerEpoch = long(data.train.size() + (data.trainStream ? data.trainStream->size() : 0));
    // Count piece by piece so Cancel is honoured even on a large selection; a streamed corpus
    // is read one piece at a time.
    std::string err = forEachTrainingPiece(data, cancel, [&](const FrameSequence& piece) {
        model->train({piece});
        ++p.step;
    });
    p.phase = "validating";
    if (progress && err.empty())
        progress(p);
    NllResult train, valid;
    if (err.empty())
        err = forEachTrainingPiece(
            data, cancel, [&](const FrameSequence& piece) { train.add(model->evaluate(piece)); });
    for (std::size_t i = 0; i < data.valid.size() && !cancel.load(); ++i)
        valid.add(model->evaluate(data.valid[i]));
    const double trainLoss = meanLoss(train);
    const double validLoss = meanLoss(valid);
    if (!err.empty()) {
        result.status = TrainStatus::Failed;
        result.error = err;
        return result;
    }
    if (cancel.load()) {
        result.status = TrainStatus::Cancelled;
        return result;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.history.push_back({1, trainLoss, validLoss, 0.0, seconds});
    result.bestEpoch = 1;
    result.bestValidLoss = validLoss;
    result.model = model;
    result.status = TrainStatus::Finished;
    p.phase = "done";
    p.trainLoss = trainLoss;
    p.validLoss = validLoss;
    p.bestValidLoss = validLoss;
    p.framesPerSecond = seconds > 0 ? double(data.trainSteps()) / seconds : 0;
    if (progress)
        progress(p);
    return result;
}

} // namespace torchestra::ml
