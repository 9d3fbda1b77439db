#include "cli/MlCommon.h"

#include "model/TrackIndices.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace torchestra::cli {

const std::vector<std::string> kModelValueFlags = {
    "model",       "head",     "hidden",         "layers",          "dropout",
    "nade-hidden", "order",    "steps-per-beat", "noise",           "bar-steps",
    "hold",        "lookback", "harmony-plan",   "harmony-quarters"};
const std::vector<std::string> kTrainValueFlags = {
    "epochs",         "batch",   "window",       "lr",       "transpose",
    "seed",           "threads", "max-minutes",  "patience", "steps-per-epoch",
    "valid-fraction", "cache",   "weight-decay", "average",  "input-dropout",
    "lr-schedule"};

std::string readModelConfig(const CliArgs& args, ml::ModelConfig& config) {
    std::string err;
    if (auto kind = args.value("model")) {
        if (!ml::parseModelKind(*kind, config.kind))
            return "--model must be markov, rnn, lstm or gan (got '" + *kind + "')";
    }
    if (auto head = args.value("head")) {
        if (!ml::parseHeadKind(*head, config.head))
            return "--head must be independent or autoregressive (got '" + *head + "')";
    }
    config.hidden = int(args.intValue("hidden", config.hidden, 1, 4096, err));
    config.layers =
        int(args.intValue("layers", ml::defaultLayers(config.kind, config.head), 1, 8, err));
    config.dropout = args.doubleValue("dropout", config.dropout, 0.0, 0.9, err);
    config.nadeHidden = int(args.intValue("nade-hidden", config.nadeHidden, 1, 4096, err));
    config.markovOrder = int(args.intValue("order", config.markovOrder, 1, 16, err));
    config.noiseSize = int(args.intValue("noise", config.noiseSize, 1, 1024, err));
    // The GAN's bar for data without a metre; with a metre the data decides (its longest bar).
    config.barSteps = int(args.intValue("bar-steps", config.barSteps, 4, 256, err));
    if (config.barSteps % 4 != 0 && err.empty())
        err = "--bar-steps must be a multiple of 4";
    config.representation.stepsPerBeat =
        int(args.intValue("steps-per-beat", config.representation.stepsPerBeat, 1, 24, err));
    config.holdPath = args.onOffValue("hold", config.holdPath, err);
    config.harmonyPlan = args.onOffValue("harmony-plan", config.harmonyPlan, err);
    config.harmonyQuarters = args.onOffValue("harmony-quarters", config.harmonyQuarters, err);
    config.representation.lookback =
        args.onOffValue("lookback", ml::defaultLookback(config.kind, config.head), err);
    return err;
}

std::string readTrainingFolder(const std::string& dir, const ml::RepresentationConfig& rep,
                               const ml::DatasetOptions& options,
                               std::vector<ml::FrameSequence>& out) {
    ml::Dataset data = ml::loadMidiDataset({dir}, rep, options);
    reportRefused(data);
    if (data.train.empty())
        return "no usable MIDI files in --training " + dir;
    out = std::move(data.train);
    return {};
}

std::string jsbDataFile(const std::string& data) {
    return std::filesystem::is_directory(data) ? data + "/jsb-chorales-quarter.json" : data;
}

void useModelHarmony(const CliArgs& args, const ml::SamplingCalibration& sampling,
                     ml::SampleRequest& request, const std::string& what) {
    if (!sampling.calibrated() || !sampling.choseHarmony())
        return;
    std::string given; // the flags that override the model's choices
    // `setting` takes the model's `chosen` value unless --`flag` was given.
    const auto chosenUnless = [&](const char* flag, auto& setting, auto chosen) {
        if (args.has(flag))
            given += std::string(" --") + flag;
        else
            setting = chosen;
    };
    chosenUnless("progressions", request.harmonyProgressions, sampling.harmonyProgressions);
    chosenUnless("max-poly", request.constraints.maxPolyphony, sampling.maxPolyphony);
    chosenUnless("hold-odds", request.holdOdds, sampling.holdOdds);
    chosenUnless("min-note", request.shortestNote, sampling.shortestNote);
    chosenUnless("noise-carry", request.noiseCarry, sampling.noiseCarry);
    chosenUnless("min-poly", request.constraints.minPolyphony, sampling.minPolyphony);
    chosenUnless("harmony-guidance", request.harmonyGuidance, sampling.harmonyGuidance);
    std::cout << what << " with the model's " << ml::describeCalibration(sampling)
              << (given.empty() ? "" : ", but" + given + " as given") << "\n";
}

void useModelSampling(const CliArgs& args, const ml::TrainingMetadata& metadata,
                      ml::SampleRequest& request, const std::string& what) {
    if (!metadata.sampling.calibrated())
        return;
    const bool modelRhythm = !args.has("rhythm-odds");
    if (modelRhythm)
        request.rhythm = metadata.sampling.rhythm;
    if (metadata.sampling.choseHarmony()) {
        useModelHarmony(args, metadata.sampling, request, what);
        return;
    }
    if (!args.has("temperature")) {
        request.temperature = metadata.sampling.temperature;
        std::cout << what << " at the model's " << ml::describeCalibration(metadata.sampling)
                  << "\n";
    } else if (modelRhythm && metadata.sampling.keepsRhythm()) {
        std::cout << what << " at the temperature given, keeping the bar's rhythm as the model "
                  << "chose on validation (--rhythm-odds off does not)\n";
    }
}

std::string readTrainOptions(const CliArgs& args, ml::TrainOptions& o) {
    std::string err;
    o.epochs = int(args.intValue("epochs", o.epochs, 1, 100000, err));
    o.batchSize = int(args.intValue("batch", o.batchSize, 1, 4096, err));
    o.windowSteps = int(args.intValue("window", o.windowSteps, 2, 100000, err));
    o.learningRate = args.doubleValue("lr", o.learningRate, 1e-7, 1.0, err);
    o.weightDecay = args.doubleValue("weight-decay", o.weightDecay, 0.0, 1.0, err);
    o.averageDecay = args.doubleValue("average", o.averageDecay, 0.0, 0.99999, err);
    o.inputDropout = args.doubleValue("input-dropout", o.inputDropout, 0.0, 0.9, err);
    o.transpose = int(args.intValue("transpose", o.transpose, 0, 12, err));
    o.seed = std::uint64_t(args.intValue("seed", 1, 0, (1ll << 62), err));
    o.threads = int(args.intValue("threads", o.threads, 1, 256, err));
    o.maxMinutes = args.doubleValue("max-minutes", o.maxMinutes, 0.0, 1e6, err);
    o.patience = int(args.intValue("patience", o.patience, 1, 100000, err));
    o.stepsPerEpoch = args.intValue("steps-per-epoch", o.stepsPerEpoch, 0, 100000000, err);
    if (auto schedule = args.value("lr-schedule")) {
        if (*schedule == "plateau")
            o.lrSchedule = ml::TrainOptions::LrSchedule::Plateau;
        else if (*schedule == "cosine")
            o.lrSchedule = ml::TrainOptions::LrSchedule::CosineToTimeLimit;
        else if (err.empty())
            err = "--lr-schedule takes plateau or cosine (cosine needs --max-minutes)";
    }
    // The limit the rate falls to is the user's: not a default (train's kDefaultMaxTrainMinutes).
    if (err.empty() && o.lrSchedule == ml::TrainOptions::LrSchedule::CosineToTimeLimit &&
        (!args.has("max-minutes") || o.maxMinutes <= 0))
        err = "--lr-schedule cosine falls to the time limit: give --max-minutes";
    return err;
}

std::atomic<bool>& interruptFlag() {
    static std::atomic<bool> flag{false};
    return flag;
}

namespace {
extern "C" void onInterrupt(int) {
    interruptFlag().store(true);
}
} // namespace

void installInterruptHandler() {
    static_assert(std::atomic<bool>::is_always_lock_free, "signal handler needs a lock-free flag");
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string formatDuration(double seconds) {
    if (!(seconds >= 0) || seconds > 1e7)
        return "?";
    char buf[32];
    const long s = long(seconds + 0.5);
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

std::string readRhythmOdds(const CliArgs& args, ml::RhythmOdds& out) {
    const auto text = args.value("rhythm-odds");
    if (!text)
        return {};
    if (*text == "off") {
        out = {1.0, 1.0};
        return {};
    }
    double start = -1, offBeat = -1, repeat = -1;
    char tail = 0;
    const int read = std::sscanf(text->c_str(), "%lf,%lf,%lf%c", &start, &offBeat, &repeat, &tail);
    if ((read != 2 && read != 3) || !(start >= 0 && start <= 100) ||
        !(offBeat >= 0 && offBeat <= 100) || (read == 3 && !(repeat >= 0 && repeat <= 100)))
        return "--rhythm-odds: '" + *text +
               "' is not two odds from 0 to 100 (where the bar before started a note, where "
               "it did not: e.g. 1.2,0.7), a third where it did not and the music repeats its "
               "figure (1.2,0.7,0.1), or off";
    out = {start, offBeat, read == 3 ? repeat : -1};
    return {};
}

std::string readShortestNote(const CliArgs& args, int& out) {
    if (args.value("min-note") == "primer") {
        out = ml::kShortestNoteOfPrimer;
        return {};
    }
    std::string err; // a number of steps, read as every whole-number flag is
    out = int(args.intValue("min-note", 1, 1, 64, err));
    return err.empty() ? err : err + ", or primer (each take's shortest note its primer's)";
}

std::string readKeyOdds(const CliArgs& args, double& out) {
    const auto text = args.value("key-odds");
    if (!text)
        return {};
    if (*text == "off") {
        out = 1.0;
        return {};
    }
    double odds = -1;
    char tail = 0;
    if (std::sscanf(text->c_str(), "%lf%c", &odds, &tail) != 1 || !(odds >= 0 && odds <= 100))
        return "--key-odds: '" + *text +
               "' is not odds from 0 to 100 (on a new note outside the key of the music before "
               "it: e.g. 0.5) or off";
    out = odds;
    return {};
}

std::string readTrackIndices(const CliArgs& args, const std::string& flag, std::vector<int>& out) {
    const auto text = args.value(flag);
    if (!text)
        return {};
    if (std::string err = model::parseTrackIndices(*text, out); !err.empty())
        return "--" + flag + ": " + err;
    return {};
}

void ProgressPrinter::operator()(const ml::TrainProgress& p) {
    static const bool tty = ::isatty(STDERR_FILENO);
    const double now =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    const bool newEpoch = p.epoch != m_lastEpoch && p.validLoss > 0;
    const bool chosen = p.settingsToRead > 0 && p.settingsRead == p.settingsToRead;
    if (!tty && !newEpoch && !chosen && p.phase != "done" && now - m_lastPrint < 5.0)
        return;
    if (tty && now - m_lastPrint < 0.2 && p.phase == "training")
        return;
    m_lastPrint = now;
    // A run by time has no epoch limit (kEpochsWithoutLimit): no "/100000" then.
    const std::string epoch =
        std::to_string(p.epoch) +
        (p.epochs < ml::kEpochsWithoutLimit ? "/" + std::to_string(p.epochs) : std::string());
    char line[256];
    if (p.settingsToRead > 0) // choosing the sampling after training
        std::snprintf(line, sizeof line, "sampling settings read %d/%d  [%s]", p.settingsRead,
                      p.settingsToRead, p.phase.c_str());
    else
        std::snprintf(line, sizeof line,
                      "epoch %s  batch %ld/%ld  train %.4f  valid %s  best %s  %.0f frames/s  "
                      "left %s  [%s]",
                      epoch.c_str(), p.step, p.stepsPerEpoch, p.trainLoss,
                      p.validLoss > 0 ? std::to_string(p.validLoss).substr(0, 7).c_str() : "-",
                      p.bestValidLoss > 0 ? std::to_string(p.bestValidLoss).substr(0, 7).c_str()
                                          : "-",
                      p.framesPerSecond, formatDuration(p.secondsLeft).c_str(), p.phase.c_str());
    if (tty) {
        std::fprintf(stderr, "\r\033[K%s", line);
        m_open = true;
        if (newEpoch) {
            std::fprintf(stderr, "\n");
            m_open = false;
        }
    } else {
        std::fprintf(stderr, "%s\n", line);
    }
    if (newEpoch)
        m_lastEpoch = p.epoch;
}

void ProgressPrinter::finish() {
    if (m_open)
        std::fprintf(stderr, "\n");
    m_open = false;
}

void printMetricsTable(const ml::MetricsReport& r) {
    std::printf("%-24s %22s %22s %8s %8s\n", "metric", "reference mean (sd)", "generated mean (sd)",
                "overlap", "KL");
    for (const ml::MetricRow& row : r.rows) {
        const auto& c = row.comparison;
        std::printf("%-24s %22s %22s %8s %8s\n", row.name.c_str(),
                    (fixed(c.referenceMean, 3) + " (" + fixed(c.referenceStd, 3) + ")").c_str(),
                    (fixed(c.generatedMean, 3) + " (" + fixed(c.generatedStd, 3) + ")").c_str(),
                    fixed(c.overlap, 3).c_str(), fixed(c.kl, 3).c_str());
    }
    std::printf("pieces: %zu reference, %zu generated\n", r.referencePieces, r.generatedPieces);
    if (r.generatedCopyRate >= 0)
        std::printf("copy rate (2-bar windows found verbatim in the training data): generated "
                    "%s, reference %s\n",
                    fixed(r.generatedCopyRate, 3).c_str(), fixed(r.referenceCopyRate, 3).c_str());
}

std::size_t reportRefused(const ml::Dataset& data) {
    std::size_t refused = 0;
    for (const auto& f : data.files) {
        refused += !f.used;
        if (!f.used)
            for (const auto& p : f.problems)
                std::cerr << f.path << ": " << p << "\n";
    }
    return refused;
}

} // namespace torchestra::cli
