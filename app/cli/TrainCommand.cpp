// `train --model markov|rnn|lstm [--head independent|autoregressive] --out model.tcm
//  FILES_OR_DIRS... [--epochs --hidden --layers --steps-per-beat --seed --resume ...]`
#include "cli/Commands.h"
#include "cli/MlCommon.h"
#include "ml/Checkpoint.h"
#include "ml/neural/NeuralKinds.h"

#include <iostream>

namespace torchestra::cli {

int runTrain(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    std::vector<std::string> valueFlags = kModelValueFlags;
    valueFlags.insert(valueFlags.end(), kTrainValueFlags.begin(), kTrainValueFlags.end());
    valueFlags.insert(valueFlags.end(), {"out", "resume", "tracks"});
    std::string err = args.parse(rawArgs, valueFlags, {});
    ml::ModelConfig config;
    ml::TrainOptions options;
    options.transpose = 5;
    if (err.empty())
        err = readModelConfig(args, config);
    if (err.empty())
        err = readTrainOptions(args, options);
    if (err.empty() && !args.has("out"))
        err = "--out MODEL is required";
    if (err.empty() && args.positional().empty())
        err = "give MIDI files or folders to learn from";
    if (!err.empty()) {
        std::cerr << "torchestra-cli train: " << err << "\n";
        return 2;
    }
    const std::string out = *args.value("out");

    std::shared_ptr<ml::SequenceModel> resume;
    ml::TrainingMetadata previous;
    if (auto from = args.value("resume")) {
        ml::LoadedCheckpoint loaded = ml::loadCheckpoint(*from);
        if (!loaded.model) {
            std::cerr << "torchestra-cli train: " << loaded.error << "\n";
            return 2;
        }
        // The checkpoint decides the model; flags may not contradict it.
        config = loaded.model->config();
        resume = loaded.model;
        previous = loaded.metadata;
        std::cerr << "resuming " << *from << " (" << ml::toString(config.kind) << ", "
                  << previous.history.size() << " epochs done)\n";
    }

    ml::DatasetOptions dataOptions;
    dataOptions.seed = options.seed;
    dataOptions.cacheDir = args.value("cache", "");
    if (std::string terr = readTrackIndices(args, "tracks", dataOptions.selection.indices);
        !terr.empty()) {
        std::cerr << "torchestra-cli train: " << terr << "\n";
        return 2;
    }
    // A resumed model goes on learning from the tracks it learned from, unless told otherwise.
    if (resume && !args.has("tracks"))
        dataOptions.selection.indices = previous.trackIndices;
    std::string verr;
    dataOptions.validFraction = args.doubleValue("valid-fraction", 0.1, 0.0, 0.9, verr);
    ml::Dataset data = ml::loadMidiDataset(args.positional(), config.representation, dataOptions);
    int used = 0;
    for (const auto& f : data.files) {
        used += f.used;
        for (const auto& p : f.problems)
            if (!f.used || p.rfind("warning", 0) != 0)
                std::cerr << f.path << ": " << p << "\n";
    }
    std::cerr << "data: " << used << " of " << data.files.size() << " files, " << data.trainSteps()
              << " training steps, " << data.validSteps() << " validation steps ("
              << data.train.size() << " / " << data.valid.size() << " files)\n";
    if (data.train.empty()) {
        std::cerr << "torchestra-cli train: no usable MIDI files among the inputs\n";
        return 2;
    }

    ml::setComputeThreads(options.threads);
    installInterruptHandler();
    ProgressPrinter printer;
    ml::TrainResult result = ml::trainModel(
        data, config, options, interruptFlag(), [&](const ml::TrainProgress& p) { printer(p); },
        resume.get());
    printer.finish();
    if (!result.model) {
        std::cerr << "torchestra-cli train: "
                  << (result.status == ml::TrainStatus::Cancelled
                          ? "cancelled before any model was complete; nothing saved"
                          : result.error)
                  << "\n";
        return 1;
    }
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
    if (std::string serr = ml::saveCheckpoint(out, *result.model, meta); !serr.empty()) {
        std::cerr << "torchestra-cli train: " << serr << "\n";
        return 1;
    }
    std::cout << (result.status == ml::TrainStatus::Cancelled
                      ? "cancelled; saved the best model so far to "
                      : "saved ")
              << out << " (" << ml::toString(config.kind)
              << (config.kind == ml::ModelKind::Markov
                      ? ""
                      : std::string(", ") + ml::toString(config.head))
              << (meta.trackIndices.empty() ? std::string()
                                            : ", tracks " + ml::trackIndicesText(meta.trackIndices))
              << ", best validation loss " << result.bestValidLoss << " nats/step at epoch "
              << meta.bestEpoch << ")\n";
    return 0;
}

} // namespace torchestra::cli
