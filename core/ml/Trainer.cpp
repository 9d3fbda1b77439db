#include "ml/Trainer.h"

#include "ml/ModelRegistry.h"

#include <algorithm>
#include <chrono>

namespace torchestra::ml {

TrainOptions defaultTrainOptions(ModelKind kind) {
    TrainOptions o;
    if (kind == ModelKind::Gan) {
        o.batchSize = 64;
        o.learningRate = 1e-4;
        o.transpose = 6;
        o.stepsPerEpoch = 0; // a pass over the training bars (GanTrainer.cpp)
        // The time budget is what stops a GAN. Its closeness on validation climbs for the
        // whole 20 minutes on JSB, but not steadily: it fell from 0.69 (epoch 18) to 0.62
        // and passed 0.69 again only at epoch 56 on its way to 0.75 (epoch 96). With 8 epochs
        // of patience and at most 100 epochs the default run stopped at 6 minutes with 0.67,
        // with 40 at 10 minutes (its dip was longer) (docs/results.md, "The GAN given its
        // time", session 16). 100 epochs of patience stop only a run left without a budget.
        o.epochs = kEpochsWithoutLimit;
        o.patience = 100;
        o.maxMinutes = 20;
        o.averageDecay = 0.99; // about one epoch of generator steps
    } else {
        // Transpositions of +-3 semitones: chosen on JSB's valid split for a 1x256 LSTM (the
        // +-5 of the larger rows overfits less but needs more than 5 minutes), and measured on
        // openmsx's validation files (docs/results.md).
        o.transpose = 3;
        if (kind != ModelKind::Markov) // one pass over the data, no epochs to limit
            o.maxMinutes = kDefaultMaxTrainMinutes;
    }
    return o;
}

TrainOptions defaultTrainOptions(ModelKind kind, double budgetMinutes) {
    TrainOptions o = defaultTrainOptions(kind);
    o.epochs = kEpochsWithoutLimit;
    o.maxMinutes = std::max(0.0, budgetMinutes);
    return o;
}

namespace {

TrainOptions withHeadDefaults(TrainOptions o, const ModelConfig& model) {
    if (model.kind != ModelKind::Gan && model.kind != ModelKind::Markov &&
        model.head == HeadKind::Autoregressive)
        o.transpose = kNadeTranspose;
    return o;
}

} // namespace

TrainOptions defaultTrainOptions(const ModelConfig& model) {
    return withHeadDefaults(defaultTrainOptions(model.kind), model);
}

TrainOptions defaultTrainOptions(const ModelConfig& model, double budgetMinutes) {
    return withHeadDefaults(defaultTrainOptions(model.kind, budgetMinutes), model);
}

const std::vector<double>& trainBudgetChoices() {
    static const std::vector<double> choices = {1, 5, 15, 60, 0};
    return choices;
}

namespace {

// After a finished run, on the training thread (under a minute: 11 settings, each over three
// draws of up to 192 validation and 768 training windows' short continuations; about 46 s for
// simutrans' LSTM, 41 s for JSB's NADE): the
// temperature and the decoding (the bar's rhythm, its figures), or a GAN's harmony draw, cap
// on notes at once, hold odds, noise carry, floor and guidance (calibrateSampling).
void chooseSampling(const Dataset& data, const TrainOptions& options,
                    const std::atomic<bool>& cancel, const ProgressFn& progress, TrainProgress last,
                    TrainResult& result) {
    if (result.status != TrainStatus::Finished || !result.model || data.valid.empty() ||
        cancel.load())
        return;
    const bool gan = result.model->config().kind == ModelKind::Gan;
    if (!result.model->hasLikelihood() && !gan)
        return;
    // Data-parallel: rank 0 keeps the model, so only it calibrates.
    if (options.dataParallel && options.dataParallel->rank() != 0)
        return;
    if (progress) {
        last.phase = gan ? "choosing the harmony" : "choosing temperature";
        progress(last);
    }
    // The training files' windows beside the validation files' (SamplingCalibration.h; a GAN
    // continues only the validation files', as its harmony plan holds the training bars, and
    // compares its takes with what followed the training files' too).
    const CalibrationProgress settingRead = [&](int read, int total) {
        last.settingsRead = read;
        last.settingsToRead = total;
        if (progress)
            progress(last);
    };
    calibrateSampling(*result.model, data.valid, &cancel, result.sampling, &data.train,
                      kCalibrationWindows, kCalibrationMargin, kCalibrationMinWindows, settingRead);
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
    if (!data.hasTrainingData()) {
        failed.error = "no training data (every file was skipped; see the file list)";
        return failed;
    }
    if (resumeFrom && resumeFrom->config().kind != config.kind) {
        failed.error = "cannot resume: the checkpoint holds a different kind of model";
        return failed;
    }
    if (options.dataParallel && config.kind == ModelKind::Markov) {
        failed.error = "the Markov baseline counts its data in one pass (seconds): train it on "
                       "one machine, without --distributed or --launch";
        return failed;
    }
    const ModelKindHandlers* kind = findModelKind(config.kind);
    if (!kind) {
        failed.error = unregisteredKindMessage(config.kind);
        return failed;
    }
    try {
        TrainProgress last;
        const ProgressFn remember = [&last, &progress](const TrainProgress& p) {
            last = p;
            if (progress)
                progress(p);
        };
        TrainResult result = kind->train(data, config, options, cancel, remember, resumeFrom);
        chooseSampling(data, options, cancel, progress, last, result);
        return result;
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
