// `eval --model M FILES...` and `eval-jsb --data DIR [--model M | --train --model KIND ...]
// [--metrics]`. eval-jsb's last line, `test-nll <value>`, is read by other tools: keep it (a
// GAN, which has no likelihood, ends with `test-nll n/a`).
//
// A model without a likelihood (the GAN) is judged by its music instead: it continues one-bar
// primers from the files (the test split) and the metrics compare its four bars with the four
// that really followed (ml/ContinuationMetrics.h). `eval --metrics` and `eval-jsb --metrics` do
// the same for any kind; `eval --training DIR` adds the copy rate against those files.
#include "cli/Commands.h"
#include "cli/MlCommon.h"
#include "midi/MidiFile.h"
#include "ml/BuiltinModels.h"
#include "ml/Checkpoint.h"
#include "ml/ContinuationMetrics.h"
#include "ml/ModelRegistry.h"
#include "ml/neural/NeuralKinds.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace torchestra::cli {

namespace {

ml::NllResult evaluateAll(const ml::SequenceModel& model,
                          const std::vector<ml::FrameSequence>& pieces) {
    ml::NllResult total;
    for (const auto& p : pieces) {
        if (interruptFlag().load())
            break;
        total.add(model.evaluate(p));
    }
    return total;
}

// Each primer with the bars a model continued it with, as `dir`/take-NNN.mid, so that what the
// metrics judged can be heard and read (--takes-out). A primer is one bar, so its length gives
// the takes' metre. "" or the first file's error.
std::string writeContinuations(const std::string& dir, const ml::ContinuationWindows& windows,
                               const std::vector<ml::FrameSequence>& generated,
                               const ml::RepresentationConfig& rep, int stepsPerQuarter) {
    constexpr int kPpq = 480;
    const int spq = std::clamp(stepsPerQuarter, 1, kPpq);
    for (std::size_t i = 0; i < generated.size(); ++i) {
        const ml::FrameSequence& primer = windows.primers[i];
        model::TempoMap map(kPpq);
        if (primer.steps % spq == 0)
            map.setTimeSignature({0, std::max(1, primer.steps / spq), 4});
        else if (2 * primer.steps % spq == 0)
            map.setTimeSignature({0, 2 * primer.steps / spq, 8});
        model::Song song;
        song.setTempoMap(map);
        const model::TrackId id = song.addTrack(model::Track{});
        const model::Tick stepTicks = kPpq / spq;
        song.addNotes(id, ml::sequenceToNotes(primer, rep, 0, stepTicks));
        song.addNotes(id,
                      ml::sequenceToNotes(generated[i], rep, primer.steps * stepTicks, stepTicks));
        char name[32];
        std::snprintf(name, sizeof name, "/take-%03zu.mid", i + 1);
        if (std::string err = midi::writeMidiFile(dir + name, song); !err.empty())
            return err;
    }
    return {};
}

// Continuations of up to `maxWindows` one-bar primers from `pieces`, four bars each, against what
// followed; copy rates against `training` when given. Prints the table and the closeness. Bars
// are a GAN's own length, else `barSteps` (--bar-steps) where the music has no metre. With
// `takesOut`, the continuations are written there, `stepsPerQuarter` steps a quarter note (0:
// a quarter of a bar, for music without a metre); false when they could not be.
bool printContinuationMetrics(const ml::SequenceModel& model,
                              const std::vector<ml::FrameSequence>& pieces, int barSteps,
                              const std::vector<ml::FrameSequence>* training,
                              const ml::SampleRequest& settings, const std::string& takesOut,
                              int stepsPerQuarter, std::size_t maxWindows) {
    const int stepsPerBar =
        model.config().kind == ml::ModelKind::Gan ? model.config().barSteps : barSteps;
    constexpr int kBars = 4;
    const ml::ContinuationWindows windows =
        ml::continuationWindows(pieces, stepsPerBar, 1, kBars, maxWindows);
    std::cout << "metrics: " << windows.primers.size() << " continuations of " << kBars
              << " bars from one-bar primers, against the bars that followed (bars of "
              << stepsPerBar << " steps where the music has no metre)" << std::endl;
    const std::vector<ml::FrameSequence> generated =
        ml::continueWindows(model, windows, &interruptFlag(), settings);
    if (interruptFlag().load()) {
        // No table of half the continuations (or none): it would read as a result.
        std::cerr << "metrics: cancelled\n";
        return true;
    }
    bool takesWritten = true;
    if (!takesOut.empty()) {
        if (std::string err = writeContinuations(
                takesOut, windows, generated, model.representation(),
                stepsPerQuarter > 0 ? stepsPerQuarter : std::max(1, stepsPerBar / 4));
            !err.empty()) {
            std::cerr << "metrics: the continuations were not written: " << err << "\n";
            takesWritten = false;
        } else {
            std::cout << "metrics: the " << generated.size() << " continuations are in " << takesOut
                      << "/" << std::endl;
        }
    }
    ml::MetricOptions options;
    options.stepsPerBar = stepsPerBar;
    ml::CopyIndex index(options);
    if (training)
        for (const ml::FrameSequence& piece : *training)
            index.add(piece);
    const ml::MetricsReport report = ml::compareSets(
        windows.followed, generated, model.representation(), options, training ? &index : nullptr);
    printMetricsTable(report);
    std::cout << "closeness " << fixed(ml::meanOverlap(report), 3)
              << " (mean overlap area over the metrics)" << std::endl;
    return takesWritten;
}

// Why `flag` is refused without --metrics.
std::string readWithMetrics(const std::string& flag) {
    return "--" + flag + " is read with --metrics (it concerns the continuations they judge)";
}

// --takes-out DIR, created before any long work so that a bad path is refused at once; "" or
// why it cannot be.
std::string makeTakesDir(const CliArgs& args) {
    const std::string dir = args.value("takes-out", "");
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::create_directories(dir, ec) && ec)
        return "--takes-out " + dir + ": " + ec.message();
    return {};
}

// Each file's NLL per step and the total; exit status 0, or 1 when cancelled.
int printNll(const ml::SequenceModel& model, const std::vector<ml::FrameSequence>& pieces,
             std::size_t refused) {
    ml::NllResult total;
    for (const auto& piece : pieces) {
        if (interruptFlag().load()) {
            std::cerr << "torchestra-cli eval: cancelled\n";
            return 1;
        }
        const ml::NllResult r = model.evaluate(piece);
        total.add(r);
        const double n = std::max<long>(1, r.frameSteps);
        std::cout << piece.source << ": " << r.frameSteps << " steps, frame-nll "
                  << fixed(r.frameSum / n, 4) << ", onset " << fixed(r.onsetSum / n, 4)
                  << ", velocity " << fixed(r.velocitySum / n, 4) << " nats/step\n";
    }
    const double n = std::max<long>(1, total.frameSteps);
    // Every file given is accounted for: scored here, or refused above with its reason.
    std::cout << "total: " << pieces.size() << " files"
              << (refused ? " (" + std::to_string(refused) + " refused, see above)" : std::string())
              << ", " << total.frameSteps << " steps, frame-nll " << fixed(total.frameSum / n, 4)
              << ", onset " << fixed(total.onsetSum / n, 4) << ", velocity "
              << fixed(total.velocitySum / n, 4) << ", all "
              << fixed((total.frameSum + total.onsetSum + total.velocitySum) / n, 4)
              << " nats/step\n";
    return 0;
}

// --windows N: how many windows the metrics continue, evenly spread over the files (default
// 50, 200 bars). One set of 50 reads as differently as one draw of it (docs/results.md,
// session 21): read a choice on all of a split's windows (a large N) or several sets.
std::size_t metricsWindows(const CliArgs& args, std::string& err) {
    return std::size_t(args.intValue("windows", 50, 1, 1000000, err));
}

// The continuations' sampling, and --takes-out DIR, where they are written.
const std::vector<std::string> kContinuationFlags{
    "temperature", "top-k",         "top-p",     "noise-carry",      "rhythm-odds",
    "key-odds",    "sampling-seed", "takes-out", "progressions",     "windows",
    "max-poly",    "hold-odds",     "min-poly",  "harmony-guidance", "min-note"};

// --temperature, --top-k, --top-p, --noise-carry, --rhythm-odds, --key-odds, --progressions,
// --max-poly, --hold-odds, --min-note, --min-poly, --harmony-guidance: the sampling settings of
// the continuations (defaults: the generate command's; eval-jsb's temperature is 1.0 unless
// given, so its table rows reproduce; a GAN's harmony, cap and floor on notes at once, hold
// odds, shortest note, noise carry and harmony guidance as it chose), so that they can be
// chosen on a validation split.
// --sampling-seed N: window i is sampled with seed N + i (default 1), so that a choice can be
// read over several draws of the same windows.
ml::SampleRequest readMetricsSampling(const CliArgs& args, std::string& err) {
    ml::SampleRequest settings;
    settings.temperature = args.doubleValue("temperature", settings.temperature, 0.01, 10.0, err);
    settings.topK = int(args.intValue("top-k", settings.topK, 0, 128, err));
    settings.topP = args.doubleValue("top-p", settings.topP, 0.01, 1.0, err);
    settings.noiseCarry = args.doubleValue("noise-carry", -1.0, 0.0, 1.0, err);
    settings.seed = std::uint64_t(args.intValue("sampling-seed", 1, 0, 1LL << 53, err));
    if (err.empty())
        err = readRhythmOdds(args, settings.rhythm);
    if (err.empty())
        err = readKeyOdds(args, settings.outOfKeyOdds);
    settings.harmonyProgressions = args.onOffValue("progressions", false, err);
    settings.constraints.maxPolyphony = int(args.intValue("max-poly", 0, 0, 128, err));
    settings.constraints.minPolyphony = int(args.intValue("min-poly", 0, 0, 128, err));
    settings.harmonyGuidance = args.doubleValue("harmony-guidance", -1.0, 0.0, 4.0, err);
    settings.holdOdds = args.doubleValue("hold-odds", -1.0, 0.1, 1000.0, err);
    if (err.empty())
        err = readShortestNote(args, settings.shortestNote);
    metricsWindows(args, err);
    return settings;
}

} // namespace

int runEval(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    std::vector<std::string> valueFlags{"model", "threads", "training", "bar-steps"};
    valueFlags.insert(valueFlags.end(), kContinuationFlags.begin(), kContinuationFlags.end());
    std::string err = args.parse(rawArgs, valueFlags, {"metrics"});
    ml::SampleRequest sampling = readMetricsSampling(args, err);
    // One by default: two were never faster here (the NADE's NLL of JSB's 229 training
    // chorales 4.5 s on one, 5.0 on two; a GAN's metrics 2.0 and 2.1 s) and, beside two busy
    // processes, several times slower (13.0 s against 4.4; 57 s against 2.9), docs/results.md
    // session 24.
    const int threads = int(args.intValue("threads", 1, 1, 256, err));
    const int barSteps = int(args.intValue("bar-steps", 16, 4, 256, err));
    if (err.empty() && !args.has("model"))
        err = "--model MODEL is required";
    if (err.empty() && args.positional().empty())
        err = "give MIDI files or folders to evaluate on";
    if (!err.empty()) {
        std::cerr << "torchestra-cli eval: " << err << "\n";
        return 2;
    }
    ml::LoadedCheckpoint loaded = ml::loadModelReference(*args.value("model"));
    if (!loaded.model) {
        std::cerr << "torchestra-cli eval: " << loaded.error << "\n";
        return 2;
    }
    ml::setComputeThreads(threads);
    installInterruptHandler();
    ml::DatasetOptions options;
    options.validFraction = 0;
    const bool metrics = !loaded.model->hasLikelihood() || args.has("metrics");
    for (const char* flag : {"training", "takes-out"})
        if (args.has(flag) && !metrics) {
            std::cerr << "torchestra-cli eval: " << readWithMetrics(flag) << "\n";
            return 2;
        }
    if (std::string terr = makeTakesDir(args); !terr.empty()) {
        std::cerr << "torchestra-cli eval: " << terr << "\n";
        return 2;
    }
    ml::Dataset data =
        ml::loadMidiDataset(args.positional(), loaded.model->representation(), options);
    const std::size_t refused = reportRefused(data);
    if (data.train.empty()) {
        std::cerr << "torchestra-cli eval: no usable MIDI files among the inputs\n";
        return 2;
    }
    std::vector<ml::FrameSequence> training;
    if (auto dir = args.value("training"))
        if (std::string terr =
                readTrainingFolder(*dir, loaded.model->representation(), options, training);
            !terr.empty()) {
            std::cerr << "torchestra-cli eval: " << terr << "\n";
            return 2;
        }
    if (metrics) {
        useModelSampling(args, loaded.metadata, sampling, "continuations"); // as generate
        if (!loaded.model->hasLikelihood())
            std::cout << ml::describeModel(loaded.model->config())
                      << ": no likelihood to score; its music against these files instead\n";
        const bool written = printContinuationMetrics(
            *loaded.model, data.train, barSteps, training.empty() ? nullptr : &training, sampling,
            args.value("takes-out", ""), loaded.model->representation().stepsPerBeat,
            metricsWindows(args, err));
        if (!loaded.model->hasLikelihood() || interruptFlag().load() || !written)
            return interruptFlag().load() || !written ? 1 : 0;
    }
    return printNll(*loaded.model, data.train, refused);
}

namespace {

int refuseJsb(const std::string& why) {
    std::cerr << "torchestra-cli eval-jsb: " << why << "\n";
    return 2;
}

std::string readEvalJsbFlags(const std::vector<std::string>& rawArgs, CliArgs& args,
                             ml::ModelConfig& config, ml::TrainOptions& options) {
    std::vector<std::string> valueFlags = kModelValueFlags;
    valueFlags.insert(valueFlags.end(), kTrainValueFlags.begin(), kTrainValueFlags.end());
    valueFlags.insert(valueFlags.end(), {"data", "out", "split"});
    valueFlags.insert(valueFlags.end(), kContinuationFlags.begin(), kContinuationFlags.end());
    std::string err = args.parse(rawArgs, valueFlags, {"train", "metrics"});
    // JSB pieces average 60 quarter steps: 64-step windows hold most of a piece with little
    // padding. Small batches with a high rate learn far faster per second here than the old
    // MIDI defaults (measured: 8.95 test NLL after 9 s for a 1x128 LSTM, against 10.3 after a
    // minute at batch 16, window 128, rate 1e-3). One pass over the split is then ~27 batches,
    // too few to judge an epoch by, so an epoch is 50 batches. Transpositions and weight
    // averaging are train's (defaultTrainOptions): with them and one layer the defaults reach
    // 8.26 in 5 minutes (docs/results.md); rows recorded before them give --transpose 0
    // --average 0 to reproduce.
    options.epochs = 500;
    options.windowSteps = 64;
    options.batchSize = 8;
    options.learningRate = 0.005;
    options.stepsPerEpoch = 50;
    options.lrPatience = 3;
    options.patience = 8;
    if (err.empty() && args.has("train")) {
        err = readModelConfig(args, config);
        if (config.kind == ml::ModelKind::Gan)
            options = ml::defaultTrainOptions(ml::ModelKind::Gan);
        else
            options.transpose = ml::defaultTrainOptions(config).transpose; // the head's
        if (err.empty())
            err = readTrainOptions(args, options);
    }
    if (err.empty() && !args.has("model"))
        err = "give --model MODEL.tcm, or --train --model markov|rnn|lstm|gan";
    if (err.empty() && args.value("split", "test") != "test" && args.value("split", "") != "valid")
        err = "--split takes valid or test (the split the metrics continue)";
    if (err.empty()) {
        readMetricsSampling(args, err); // refused before a long training, not after
        args.intValue("bar-steps", 16, 4, 256, err);
    }
    if (err.empty() && !args.positional().empty())
        err = "unexpected argument '" + args.positional()[0] + "'";
    if (err.empty() && args.has("takes-out") && !args.has("metrics") && args.has("train") &&
        config.kind != ml::ModelKind::Gan)
        err = readWithMetrics("takes-out");
    if (err.empty())
        err = makeTakesDir(args);
    return err;
}

void saveJsbModel(const std::string& out, const ml::TrainResult& result,
                  const std::string& dataPath) {
    ml::TrainingMetadata meta;
    meta.history = result.history;
    meta.bestEpoch = result.bestEpoch;
    meta.bestValidLoss = result.bestValidLoss;
    meta.sampling = result.sampling;
    ml::DatasetFileInfo f;
    f.path = dataPath;
    f.used = true;
    meta.files.push_back(f);
    if (std::string serr = ml::saveCheckpoint(out, *result.model, meta); !serr.empty())
        std::cerr << "torchestra-cli eval-jsb: " << serr << "\n";
    else
        std::cout << "saved " << out << std::endl;
}

// --train: a model trained on the train split and chosen on the valid split; null (after a
// message) when none was trained.
std::shared_ptr<ml::SequenceModel> trainOnJsb(const CliArgs& args, ml::ModelConfig config,
                                              const ml::TrainOptions& options,
                                              const ml::Dataset& data, const std::string& dataPath,
                                              ml::SamplingCalibration& sampling) {
    // JSB's frames have no metre, so "a bar back" is a guess of four beats: measured on its
    // valid split it hurts (8.2467 against 8.1157 nats/step, docs/results.md "The bar before"),
    // so here the bar before is read only when --lookback on asks for it.
    const bool lookback = args.has("lookback") && config.representation.lookback;
    config.representation = data.representation;
    config.representation.lookback = lookback;
    std::cout << "training " << ml::describeModel(config)
              << " on the train split, choosing on the valid split"
              << (options.maxMinutes > 0 ? ", within " + fixed(options.maxMinutes, 1) + " minutes"
                                         : std::string())
              << std::endl;
    const auto t0 = std::chrono::steady_clock::now();
    ProgressPrinter printer;
    ml::TrainResult result = ml::trainModel(data, config, options, interruptFlag(),
                                            [&](const ml::TrainProgress& p) { printer(p); });
    printer.finish();
    if (!result.model) {
        std::cerr << "torchestra-cli eval-jsb: "
                  << (result.error.empty() ? "no model was trained" : result.error) << "\n";
        return nullptr;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "trained in " << formatDuration(seconds) << " (" << result.history.size()
              << " epochs, best at epoch " << result.bestEpoch << ")"
              << (result.status == ml::TrainStatus::Cancelled ? ", cancelled" : "") << std::endl;
    if (auto out = args.value("out"))
        saveJsbModel(*out, result, dataPath);
    sampling = result.sampling;
    return result.model;
}

// --model M.tcm: a model trained on JSB-style frames; "" or why not.
std::string loadJsbModel(const std::string& path, const ml::Dataset& data,
                         std::shared_ptr<ml::SequenceModel>& model,
                         ml::SamplingCalibration& sampling) {
    ml::LoadedCheckpoint loaded = ml::loadModelReference(path);
    if (!loaded.model)
        return loaded.error;
    if (loaded.model->representation() != data.representation)
        return path + ": the model was not trained on JSB-style frames (quarter-note steps, "
                      "88 pitches, no onsets); train one with eval-jsb --train";
    model = loaded.model;
    sampling = loaded.metadata.sampling;
    return {};
}

// The continuations' settings as given; a GAN's harmony draw, when not given, as it chose.
ml::SampleRequest jsbMetricsSampling(const CliArgs& args, const ml::SamplingCalibration& chosen) {
    std::string err; // read once before
    ml::SampleRequest settings = readMetricsSampling(args, err);
    useModelHarmony(args, chosen, settings, "continuations");
    return settings;
}

// The scores; the last line, `test-nll <value>`, is read by other tools.
void printJsbScores(const ml::NllResult& valid, const ml::NllResult& test, std::size_t pieces) {
    const double validNll = valid.frameSum / double(std::max<long>(1, valid.frameSteps));
    const double testNll = test.frameSum / double(std::max<long>(1, test.frameSteps));
    const long testAllSteps = test.frameSteps + long(pieces);
    const double testAll =
        (test.frameSum + test.firstFrame) / double(std::max<long>(1, testAllSteps));
    std::cout << "valid-nll " << fixed(validNll, 4) << " (" << valid.frameSteps << " frames)\n";
    std::cout << "test-nll-every-frame " << fixed(testAll, 4) << " (" << testAllSteps
              << " frames; the first frame of each piece scored from a silent start)\n";
    std::cout << "test frames scored: " << test.frameSteps
              << " (Bai et al. 2018 convention: the first frame of each piece is not scored)\n";
    std::cout << "test-nll " << fixed(testNll, 4) << std::endl;
}

} // namespace

int runEvalJsb(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    ml::ModelConfig config;
    ml::TrainOptions options;
    if (std::string err = readEvalJsbFlags(rawArgs, args, config, options); !err.empty())
        return refuseJsb(err);
    const std::string dataPath = jsbDataFile(args.value("data", "../shared/datasets/jsb-chorales"));
    ml::Dataset data;
    if (std::string lerr = ml::loadJsbDataset(dataPath, data); !lerr.empty())
        return refuseJsb(lerr);
    std::cout << "data: " << dataPath << ": " << data.train.size() << " / " << data.valid.size()
              << " / " << data.test.size() << " pieces (train / valid / test)" << std::endl;
    ml::setComputeThreads(options.threads);
    installInterruptHandler();

    std::shared_ptr<ml::SequenceModel> model;
    ml::SamplingCalibration chosen;
    if (args.has("train")) {
        model = trainOnJsb(args, config, options, data, dataPath, chosen);
        if (!model)
            return 1;
    } else if (std::string lerr = loadJsbModel(*args.value("model"), data, model, chosen);
               !lerr.empty()) {
        return refuseJsb(lerr);
    } else if (args.has("takes-out") && !args.has("metrics") && model->hasLikelihood()) {
        return refuseJsb(readWithMetrics("takes-out"));
    }
    bool written = true;
    if (!model->hasLikelihood() || args.has("metrics")) {
        std::string err;
        const int barSteps = int(args.intValue("bar-steps", 16, 4, 256, err));
        // Settings are chosen with --split valid; the table of docs/results.md is on test.
        const bool onValid = args.value("split", "test") == "valid";
        std::cout << "metrics on the " << (onValid ? "valid" : "test") << " split\n";
        written = printContinuationMetrics(*model, onValid ? data.valid : data.test, barSteps,
                                           &data.train, jsbMetricsSampling(args, chosen),
                                           args.value("takes-out", ""),
                                           0, // JSB's frames: a bar of 4/4
                                           metricsWindows(args, err));
    }
    if (!model->hasLikelihood()) {
        std::cout << "test-nll n/a" << std::endl; // a GAN has no likelihood
        return interruptFlag().load() || !written ? 1 : 0;
    }
    const ml::NllResult valid = evaluateAll(*model, data.valid);
    const ml::NllResult test = evaluateAll(*model, data.test);
    if (interruptFlag().load()) {
        std::cerr << "torchestra-cli eval-jsb: cancelled\n";
        return 1;
    }
    printJsbScores(valid, test, data.test.size());
    return written ? 0 : 1;
}

} // namespace torchestra::cli
