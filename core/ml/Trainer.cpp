#include "ml/Trainer.h"

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

} // namespace

TrainResult trainModel(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                       const std::atomic<bool>& cancel, const ProgressFn& progress,
                       const SequenceModel* resumeFrom) {
    TrainResult failed;
    if (config.representation != data.representation) {
        failed.error = "the model's representation does not match the data's";
        return failed;
    }
    if (data.train.empty()) {
        failed.error = "no training data (every file was skipped; see the file list)";
        return failed;
    }
    if (resumeFrom && resumeFrom->config().kind != config.kind) {
        failed.error = "cannot resume: the checkpoint holds a different kind of model";
        return failed;
    }
    try {
        if (config.kind == ModelKind::Markov)
            return trainMarkov(data, config, cancel, progress);
        return trainNeural(data, config, options, cancel, progress, resumeFrom);
    } catch (const std::exception& e) {
        failed.error = std::string("training failed: ") + e.what();
        return failed;
    }
}

TrainingJob::~TrainingJob() {
    cancel();
    if (m_thread.joinable())
        m_thread.join();
}

void TrainingJob::start(Dataset data, ModelConfig config, TrainOptions options, ProgressFn progress,
                        std::function<void(const TrainResult&)> done,
                        std::shared_ptr<const SequenceModel> resumeFrom) {
    if (m_thread.joinable())
        m_thread.join();
    m_cancel.store(false);
    m_running.store(true);
    m_thread = std::thread([this, data = std::move(data), config = std::move(config),
                            options = std::move(options), progress = std::move(progress),
                            done = std::move(done), resumeFrom = std::move(resumeFrom)] {
        m_result = trainModel(data, config, options, m_cancel, progress, resumeFrom.get());
        m_running.store(false);
        if (done)
            done(m_result);
    });
}

TrainResult TrainingJob::wait() {
    if (m_thread.joinable())
        m_thread.join();
    return m_result;
}

} // namespace torchestra::ml
