// `calibrate --model MODEL [--training DIR] [--out MODEL2] VALID...` and
// `calibrate --model MODEL --data JSB.json [--out MODEL2]`: the sampling choices a model makes
// on its validation files when training ends (ml/SamplingCalibration.h: the temperature and the
// bar's rhythm, or a GAN's harmony, cap on notes at once, hold odds and noise carry), made again
// by this program on a trained model and saved in its checkpoint. A model trained before a
// calibration changed (session 23 added the GAN's cap and hold odds, session 24 its noise
// carry) gets the choices it would make now, without training again. The model itself is left
// as it was.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/MlCommon.h"
#include "ml/BuiltinModels.h"
#include "ml/Checkpoint.h"
#include "ml/Dataset.h"
#include "ml/SamplingCalibration.h"
#include "ml/neural/NeuralKinds.h"

#include <filesystem>
#include <iostream>

namespace torchestra::cli {

namespace {

int refuse(const std::string& why) {
    std::cerr << "torchestra-cli calibrate: " << why << "\n";
    return 2;
}

// The validation and training pieces: JSB's valid and train splits (--data), or the files given
// and --training's; "" or why not.
std::string readPieces(const CliArgs& args, const ml::SequenceModel& model,
                       const ml::TrainingMetadata& metadata, ml::Dataset& valid,
                       std::vector<ml::FrameSequence>& training) {
    if (auto data = args.value("data")) {
        if (std::string err = ml::loadJsbDataset(jsbDataFile(*data), valid); !err.empty())
            return err;
        if (model.representation() != valid.representation)
            return *args.value("model") + ": the model was not trained on JSB-style frames; "
                                          "give its validation MIDI files instead of --data";
        training = std::move(valid.train);
        valid.train = std::move(valid.valid);
        return {};
    }
    ml::DatasetOptions options;
    options.validFraction = 0;
    options.selection.indices = metadata.trackIndices; // the tracks it learned from
    valid = ml::loadMidiDataset(args.positional(), model.representation(), options);
    reportRefused(valid);
    if (valid.train.empty())
        return "no usable MIDI files among the validation files";
    if (auto dir = args.value("training"))
        return readTrainingFolder(*dir, model.representation(), options, training);
    return {};
}

} // namespace

int runCalibrate(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    std::string err = args.parse(rawArgs, {"model", "training", "data", "out", "threads"}, {});
    // One: the choices sample short takes, which two threads did not speed up (JSB's GAN: 18.9
    // s on one, 20.4 on two) and which a second thread slows many times over while other work
    // keeps the cores busy (more than 15 minutes beside a build, against 42 s on one).
    const int threads = int(args.intValue("threads", 1, 1, 256, err));
    if (err.empty() && !args.has("model"))
        err = "--model MODEL is required";
    if (err.empty() && args.has("data") == !args.positional().empty())
        err = "give the model's validation MIDI files, or --data JSB.json for a model trained "
              "with eval-jsb";
    if (err.empty() && args.has("data") && args.has("training"))
        err = "--training goes with validation MIDI files; --data reads JSB's train split";
    if (!err.empty())
        return refuse(err);
    const std::string reference = *args.value("model");
    ml::LoadedCheckpoint loaded = ml::loadModelReference(reference);
    if (!loaded.model)
        return refuse(loaded.error);
    std::string rerr;
    const std::string path = ml::resolveModelReference(args.value("out", reference), rerr);
    if (ml::builtinModelAtPath(path))
        return refuse(path + " is a built-in model's file and is not changed; give --out MODEL "
                             "for a calibrated copy");
    ml::Dataset valid;
    std::vector<ml::FrameSequence> training;
    if (std::string perr = readPieces(args, *loaded.model, loaded.metadata, valid, training);
        !perr.empty())
        return refuse(perr);
    ml::setComputeThreads(threads);
    installInterruptHandler();
    ml::SamplingCalibration chosen;
    if (!ml::calibrateSampling(*loaded.model, valid.train, &interruptFlag(), chosen,
                               training.empty() ? nullptr : &training)) {
        std::cerr << "torchestra-cli calibrate: "
                  << (interruptFlag().load()
                          ? std::string("cancelled; ") + reference + " is unchanged"
                          : "nothing to choose on these files (a GAN without a harmony plan "
                            "has nothing to choose, and every model needs 12 windows of a primer "
                            "bar and four bars in the validation files); " +
                                reference + " is unchanged")
                  << "\n";
        return 1;
    }
    std::cout << "sampling: " << ml::describeCalibration(chosen) << "\n";
    loaded.metadata.sampling = chosen;
    if (std::string serr = ml::saveCheckpoint(path, *loaded.model, loaded.metadata);
        !serr.empty()) {
        std::cerr << "torchestra-cli calibrate: " << serr << "\n";
        return 1;
    }
    std::cout << "saved " << path << "\n";
    return 0;
}

} // namespace torchestra::cli
