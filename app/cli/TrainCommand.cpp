// `train --model markov|rnn|lstm|gan [--head independent|autoregressive] --out model.tcm
//  FILES_OR_DIRS... [--valid FILE_OR_DIR] [--epochs --hidden --layers --noise --bar-steps
//  --steps-per-beat --seed --resume ...] [--distributed | --launch N]`
//
// The model is chosen on held-out files: --valid names them (a benchmark's own valid split),
// else --valid-fraction of the inputs is held out at random.
#include "cli/Commands.h"
#include "cli/CorpusData.h"
#include "cli/DistributedTraining.h"
#include "cli/MlCommon.h"
#include "ml/BuiltinModels.h"
#include "ml/Checkpoint.h"
#include "ml/ModelRegistry.h"
#include "ml/neural/NeuralKinds.h"

#include <cmath>
#include <iostream>

namespace torchestra::cli {

namespace {

int refuse(const std::string& why) {
    std::cerr << "torchestra-cli train: " << why << "\n";
    return 2;
}

std::string readTrainFlags(const std::vector<std::string>& rawArgs, CliArgs& args,
                           ml::ModelConfig& config, ml::TrainOptions& options) {
    std::vector<std::string> valueFlags = kModelValueFlags;
    valueFlags.insert(valueFlags.end(), kTrainValueFlags.begin(), kTrainValueFlags.end());
    valueFlags.insert(valueFlags.end(), {"out", "resume", "tracks", "valid", "launch", "corpus",
                                         "data-memory-mb", "optimizer-state"});
    std::string err = args.parse(rawArgs, valueFlags, {"distributed"});
    if (err.empty())
        err = readModelConfig(args, config);
    // Each kind's own defaults (Trainer.h: an RNN or LSTM 30 epochs, kDefaultMaxTrainMinutes at
    // most). --max-minutes trains by time, as the Train panel's "Train for" does: the budget's
    // defaults (no epoch limit unless --epochs sets one).
    options = ml::defaultTrainOptions(config);
    if (err.empty() && args.has("max-minutes")) {
        const double minutes = args.doubleValue("max-minutes", 0.0, 0.0, 1e6, err);
        options = ml::defaultTrainOptions(config, minutes);
    }
    if (err.empty())
        err = readTrainOptions(args, options);
    // A resumed run goes on at the checkpoint's learning rate unless --lr says otherwise.
    options.keepResumedLearningRate = !args.has("lr");
    if (err.empty() && !args.has("out"))
        err = "--out MODEL is required";
    if (err.empty())
        args.onOffValue("optimizer-state", true, err);
    if (err.empty() && args.positional().empty() && !args.has("corpus"))
        err = "give MIDI files or folders to learn from (or --corpus CORPUS)";
    if (err.empty() && args.has("valid") && args.has("valid-fraction"))
        err = "--valid names the validation files; --valid-fraction would hold out more";
    if (err.empty() && args.has("launch") && args.has("distributed"))
        err = "--launch N starts the ranks itself; --distributed is for a rank another "
              "launcher started";
    return err;
}

// --resume: the checkpoint decides the model; flags may not contradict it.
struct Resumed {
    std::shared_ptr<ml::SequenceModel> model;
    ml::TrainingMetadata metadata;
};

std::string readResume(const CliArgs& args, ml::ModelConfig& config, Resumed& resumed) {
    const auto from = args.value("resume");
    if (!from)
        return {};
    ml::LoadedCheckpoint loaded = ml::loadModelReference(*from);
    if (!loaded.model)
        return loaded.error;
    config = loaded.model->config();
    resumed.model = loaded.model;
    resumed.metadata = loaded.metadata;
    std::cerr << "resuming " << *from << " (" << ml::toString(config.kind) << ", "
              << resumed.metadata.history.size() << " epochs done)\n";
    return {};
}

// The training data, every input accounted for on stderr (used, refused with the reason).
std::string readTrainingData(const CliArgs& args, const ml::ModelConfig& config,
                             const ml::TrainOptions& options, const Resumed& resumed,
                             ml::DatasetOptions& dataOptions, ml::Dataset& data) {
    dataOptions.seed = options.seed;
    dataOptions.cacheDir = args.value("cache", "");
    if (std::string err = readTrackIndices(args, "tracks", dataOptions.selection.indices);
        !err.empty())
        return err;
    // A resumed model goes on learning from the tracks it learned from, unless told otherwise.
    if (resumed.model && !args.has("tracks"))
        dataOptions.selection.indices = resumed.metadata.trackIndices;
    std::string verr;
    dataOptions.validFraction = args.doubleValue("valid-fraction", 0.1, 0.0, 0.9, verr);
    if (!verr.empty())
        return verr;
    const auto validPath = args.value("valid");
    if (validPath)
        dataOptions.validFraction = 0;
    data = ml::loadMidiDataset(args.positional(), config.representation, dataOptions);
    int used = 0;
    auto report = [&used](const std::vector<ml::DatasetFileInfo>& files) {
        for (const auto& f : files) {
            used += f.used;
            for (const auto& p : f.problems)
                if (!f.used || p.rfind("warning", 0) != 0)
                    std::cerr << f.path << ": " << p << "\n";
        }
    };
    report(data.files);
    std::size_t listed = data.files.size();
    if (validPath) {
        // Its files choose the model and are not learned from: they stay out of data.files,
        // which the checkpoint lists as the training data.
        ml::Dataset held = ml::loadMidiDataset({*validPath}, config.representation, dataOptions);
        report(held.files);
        listed += held.files.size();
        data.valid = std::move(held.train);
        if (data.valid.empty())
            return "no usable MIDI files in --valid " + *validPath;
    }
    std::cerr << "data: " << used << " of " << listed << " files, " << data.trainSteps()
              << " training steps, " << data.validSteps() << " validation steps ("
              << data.train.size() << " / " << data.valid.size() << " files)\n";
    if (data.train.empty())
        return "no usable MIDI files among the inputs";
    return {};
}

// The checkpoint's metadata: what came before a resume, then this run.
ml::TrainingMetadata runMetadata(const ml::TrainResult& result, const Resumed& resumed,
                                 const ml::DatasetOptions& dataOptions, const ml::Dataset& data) {
    const ml::TrainingMetadata& previous = resumed.metadata;
    ml::TrainingMetadata meta;
    meta.trackIndices = dataOptions.selection.indices;
    meta.files = previous.files;
    for (const auto& f : data.files)
        if (f.used)
            meta.files.push_back(f);
    meta.history = previous.history;
    const int offset = int(previous.history.size());
    for (auto e : result.history) {
        e.epoch += offset;
        meta.history.push_back(e);
    }
    meta.bestEpoch = result.bestEpoch + offset;
    meta.bestValidLoss = result.bestValidLoss;
    meta.sampling = result.sampling.calibrated() ? result.sampling : previous.sampling;
    return meta;
}

// Where the model goes (--out), and whether with its optimizer's state (--optimizer-state off:
// a third of the file, for a model to share rather than resume).
struct SaveTarget {
    std::string path;
    ml::OptimizerState optimizer = ml::OptimizerState::Kept;
};

SaveTarget saveTarget(const CliArgs& args) {
    std::string unused; // checked by readTrainFlags
    return {*args.value("out"), args.onOffValue("optimizer-state", true, unused)
                                    ? ml::OptimizerState::Kept
                                    : ml::OptimizerState::Left};
}

// Saves the finished or cancelled run's model with its metadata and says so; 1 when there is
// nothing to save or the file cannot be written.
int saveResult(const ml::TrainResult& result, const ml::ModelConfig& config, const SaveTarget& out,
               const Resumed& resumed, const ml::DatasetOptions& dataOptions,
               const ml::Dataset& data) {
    if (!result.model) {
        std::cerr << "torchestra-cli train: "
                  << (result.status == ml::TrainStatus::Cancelled
                          ? "cancelled before any model was complete; nothing saved"
                          : result.error)
                  << "\n";
        return 1;
    }
    const ml::TrainingMetadata meta = runMetadata(result, resumed, dataOptions, data);
    if (std::string serr = ml::saveCheckpoint(out.path, *result.model, meta, out.optimizer);
        !serr.empty()) {
        std::cerr << "torchestra-cli train: " << serr << "\n";
        return 1;
    }
    const char* saved = result.status == ml::TrainStatus::Finished ? "saved "
                        : result.status == ml::TrainStatus::Cancelled
                            ? "cancelled; saved the best model so far to "
                            : "failed; saved the best model so far to ";
    std::cout << saved << out.path << " (" << ml::describeModel(result.model->config())
              << (meta.trackIndices.empty() ? std::string()
                                            : ", tracks " + ml::trackIndicesText(meta.trackIndices))
              << (config.kind == ml::ModelKind::Gan
                      ? ", best validation closeness " + fixed(1.0 - result.bestValidLoss, 3)
                      : ", best validation loss " + fixed(result.bestValidLoss, 4) + " nats/step")
              << " at epoch " << meta.bestEpoch << ")\n";
    if (result.sampling.calibrated())
        std::cout << "sampling: " << ml::describeCalibration(result.sampling) << "\n";
    return 0;
}

// How the run will end, said before it starts: the epochs, the time and the patience that
// apply, whichever comes first (a Markov model reads its data once and has none of them).
std::string stoppingRule(const ml::TrainOptions& o) {
    std::vector<std::string> ends;
    if (o.epochs < ml::kEpochsWithoutLimit)
        ends.push_back(std::to_string(o.epochs) + " epochs");
    if (o.maxMinutes > 0)
        ends.push_back(fixed(o.maxMinutes, o.maxMinutes == std::floor(o.maxMinutes) ? 0 : 1) +
                       " minutes");
    ends.push_back(std::to_string(o.patience) + " epochs without a better validation score");
    std::string text = "training until ";
    for (std::size_t i = 0; i < ends.size(); ++i)
        text += (i == 0 ? "" : i + 1 == ends.size() ? " or " : ", ") + ends[i];
    return text + ", whichever comes first (--epochs, --max-minutes, --patience)";
}

// What the gradient exchange cost (docs/scaling.md projects larger groups from it).
void printExchange(const ml::DataParallel& group) {
    const ml::ExchangeStats s = group.exchangeStats();
    if (s.collectives == 0)
        return;
    std::cout << "data-parallel: " << group.worldSize() << " ranks, " << s.collectives
              << " exchanges, " << fixed(s.bytes / double(s.collectives) / 1e6, 3) << " MB and "
              << fixed(1e3 * s.seconds / double(s.collectives), 2)
              << " ms each on average (waiting for the slowest rank included)\n";
}

} // namespace

int runTrain(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    ml::ModelConfig config;
    ml::TrainOptions options;
    if (std::string err = readTrainFlags(rawArgs, args, config, options); !err.empty())
        return refuse(err);
    if (args.has("launch")) {
        std::string err;
        const int ranks = int(args.intValue("launch", 1, 1, 64, err));
        return err.empty() ? launchLocalRanks(rawArgs, ranks) : refuse(err);
    }
    const SaveTarget out = saveTarget(args);
    Resumed resumed;
    if (std::string err = readResume(args, config, resumed); !err.empty())
        return refuse(err);
    if (resumed.model && !args.has("transpose")) // the checkpoint's model decides the defaults
        options.transpose = ml::defaultTrainOptions(config).transpose;
    ml::DatasetOptions dataOptions;
    ml::Dataset data;
    if (std::string err =
            args.has("corpus")
                ? readCorpusTrainingData(args, config.representation, dataOptions, data)
                : readTrainingData(args, config, options, resumed, dataOptions, data);
        !err.empty())
        return refuse(err);

    if (args.has("distributed"))
        if (std::string err = joinDistributedTraining(config, data, options); !err.empty())
            return refuse(err);
    // Data-parallel, rank 0 speaks and keeps the model; the others train in silence.
    const int rank = options.dataParallel ? options.dataParallel->rank() : 0;
    if (options.dataParallel && rank == 0) {
        // Each better model is written as it comes (atomically), so a run that loses a peer
        // leaves the last good one on disk; the final save adds the whole history.
        options.onImproved = [&](std::shared_ptr<ml::SequenceModel> best, int epoch, double loss) {
            ml::TrainResult sofar;
            sofar.bestEpoch = epoch;
            sofar.bestValidLoss = loss;
            const std::string err = ml::saveCheckpoint(
                out.path, *best, runMetadata(sofar, resumed, dataOptions, data), out.optimizer);
            if (!err.empty())
                std::cerr << "torchestra-cli train: " << err << "\n";
        };
    }

    if (rank == 0 && config.kind != ml::ModelKind::Markov)
        std::cerr << stoppingRule(options) << "\n";
    ml::setComputeThreads(options.threads);
    installInterruptHandler();
    ProgressPrinter printer;
    ml::ProgressFn progress;
    if (rank == 0)
        progress = [&](const ml::TrainProgress& p) { printer(p); };
    ml::TrainResult result =
        ml::trainModel(data, config, options, interruptFlag(), progress, resumed.model.get());
    printer.finish();
    if (rank != 0) {
        if (result.status == ml::TrainStatus::Failed)
            std::cerr << "torchestra-cli train: " << result.error << "\n";
        return result.status == ml::TrainStatus::Failed ? 1 : 0;
    }
    if (result.status == ml::TrainStatus::Failed) {
        // A data-parallel run saved each better model as it came; alone, the best model so far
        // (e.g. before a damaged corpus record or a divergence) is saved now. Still a failure.
        std::cerr << "torchestra-cli train: " << result.error << "\n";
        if (result.model && !options.dataParallel)
            saveResult(result, config, out, resumed, dataOptions, data);
        return 1;
    }
    if (options.dataParallel)
        printExchange(*options.dataParallel);
    return saveResult(result, config, out, resumed, dataOptions, data);
}

} // namespace torchestra::cli
