#include "ml/MarkovTrainer.h"

#include "ml/MarkovModel.h"

#include <chrono>

namespace torchestra::ml {

namespace {

double meanLoss(const SequenceModel& model, const std::vector<FrameSequence>& pieces,
                const std::atomic<bool>& cancel) {
    NllResult total;
    for (const FrameSequence& s : pieces) {
        if (cancel.load())
            break;
        total.add(model.evaluate(s));
    }
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
    p.stepsPerEpoch = long(data.train.size());
    // Count piece by piece so Cancel is honoured even on a large selection.
    for (const FrameSequence& piece : data.train) {
        if (cancel.load()) {
            result.status = TrainStatus::Cancelled;
            return result;
        }
        model->train({piece});
        ++p.step;
    }
    p.phase = "validating";
    if (progress)
        progress(p);
    const double trainLoss = meanLoss(*model, data.train, cancel);
    const double validLoss = meanLoss(*model, data.valid, cancel);
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
