// ML benchmark: training throughput of a 2x256 LSTM over 88 pitches (JSB-like shapes, batches
// of 16 x 128 steps) and sampling latency on the fast inference path (8 bars = 128 steps at
// batch 1, 8 variations of 8 bars, and 64 candidates of 8 bars), and the GAN's training speed (one
// generator update of the default GAN: 5 critic steps with the gradient penalty and 1 generator
// step, batch 64), beside the same networks in PyTorch (bench/ml_peer.py, run in the same process
// tree with Debian's /usr/bin/python3). 2 threads on both sides.
//
//   ml_bench [--batches N] [--threads N] [--sample-threads 1|2] [--no-peer] [--sample-only]
//            [--repeats N] [--gan-only | --no-gan] [--gan-updates N] [--gan-rounds N]
//            [--candidates-only | --no-candidates]
//
// --candidates-only times only 64 candidates x 8 bars in one call (re-ranking's batch) for the
// independent and NADE heads, on 1 and 2 fast-path threads, beside the peer (median of 7 calls
// unless --repeats says otherwise);
// --sample-only skips the training figures (the sampling models are still trained briefly);
// --repeats sets the calls per sampling median (default 21 at batch 1, 11 for 8 variations).
// --gan-only runs only the GAN figures, --no-gan all but them; --gan-updates sets how many
// generator updates are timed on each side (default 24, after one for warm-up: the trainer
// starts on one thread and settles on its thread count within about 8 updates, see ThreadChoice
// in core/ml/neural/GanTraining.h) and --gan-rounds how many times the two sides take turns
// (default 2).

#include "ml/Dataset.h"
#include "ml/Trainer.h"
#include "ml/neural/FastInference.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/NeuralModel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace torchestra::ml;
using Clock = std::chrono::steady_clock;

namespace {

int kThreads = 2;       // --threads: LibTorch intra-op threads (training), and PyTorch's
int kSampleThreads = 1; // --sample-threads: the fast path (2 = split units with a helper)

FrameSequence randomPiece(const RepresentationConfig& rep, int steps, std::mt19937_64& rng) {
    // Four voices moving by small steps, like a chorale: ~4 of 88 pitches sounding.
    FrameSequence seq;
    seq.resize(steps, rep.pitches(), rep.onsets);
    int voice[4] = {24, 31, 36, 43};
    for (int t = 0; t < steps; ++t) {
        for (int& v : voice) {
            if (rng() % 3 == 0)
                v = std::clamp(v + int(rng() % 5) - 2, 0, rep.pitches() - 1);
            seq.sounding[std::size_t(t) * seq.pitches + v] = 1;
        }
        if (rep.onsets)
            for (int p = 0; p < rep.pitches(); ++p)
                seq.onset[std::size_t(t) * seq.pitches + p] = seq.starts(t, p);
        if (rep.velocity)
            seq.velocityBin[std::size_t(t)] = std::uint8_t(rng() % std::uint64_t(rep.velocityBins));
        if (rep.stepsPerBeat > 0 && rep.onsets) {
            seq.stepInBeat[std::size_t(t)] = std::uint8_t(t % rep.stepsPerBeat);
            seq.beatInBar[std::size_t(t)] = std::uint8_t((t / rep.stepsPerBeat) % 4);
        }
    }
    return seq;
}

RepresentationConfig jsbRep() {
    RepresentationConfig r;
    r.onsets = false;
    r.velocity = false;
    return r;
}

ModelConfig lstm(HeadKind head, const RepresentationConfig& rep, int hidden = 256,
                 int nadeHidden = 128) {
    ModelConfig c;
    c.kind = ModelKind::Lstm;
    c.head = head;
    c.layers = 2;
    c.hidden = hidden;
    c.dropout = 0.3;
    c.nadeHidden = nadeHidden;
    c.representation = rep;
    return c;
}

// A model for the sampling figures: a few batches on chorale-like data so that, as after real
// training, about four pitches sound per step (untrained weights sound half of them, which
// makes no musical sense and inflates the NADE head's cost).
std::shared_ptr<SequenceModel> briefTrain(HeadKind head, int hidden = 256, int nadeHidden = 128) {
    RepresentationConfig rep; // MIDI: 88 pitches, onsets, 8 velocity bins, metre
    Dataset data;
    data.representation = rep;
    std::mt19937_64 rng(2);
    for (int i = 0; i < 20; ++i)
        data.train.push_back(randomPiece(rep, 128, rng));
    TrainOptions o;
    o.epochs = 1;
    o.batchSize = 8;
    o.windowSteps = 64;
    o.stepsPerEpoch = 40;
    o.learningRate = 3e-3;
    o.threads = kThreads;
    std::atomic<bool> cancel{false};
    TrainResult r = trainNeural(data, lstm(head, rep, hidden, nadeHidden), o, cancel, {}, nullptr);
    if (r.status != TrainStatus::Finished)
        std::fprintf(stderr, "brief training failed: %s\n", r.error.c_str());
    return r.model;
}

double trainFramesPerSecond(HeadKind head, int batches) {
    const RepresentationConfig rep = jsbRep();
    Dataset data;
    data.representation = rep;
    std::mt19937_64 rng(1);
    for (int i = 0; i < 40; ++i)
        data.train.push_back(randomPiece(rep, 200, rng));
    TrainOptions o;
    o.epochs = 1;
    o.batchSize = 16;
    o.windowSteps = 128;
    o.stepsPerEpoch = batches;
    o.averageDecay = 0; // the same training as the PyTorch peer's
    o.threads = kThreads;
    std::atomic<bool> cancel{false};
    double fps = 0;
    const TrainResult r = trainNeural(
        data, lstm(head, rep), o, cancel,
        [&](const TrainProgress& p) {
            if (p.framesPerSecond > 0)
                fps = p.framesPerSecond;
        },
        nullptr);
    if (r.status != TrainStatus::Finished) {
        std::fprintf(stderr, "training failed: %s\n", r.error.c_str());
        return 0;
    }
    return fps;
}

// CPU time of the calling thread: on a shared machine the wall time of a call also counts the
// time it was descheduled, which says more about the other jobs than about the code.
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

// Median milliseconds to sample `variations` x 128 steps (wall time; `cpuMs`: the median CPU
// time of the calling thread, which with --sample-threads 1 does all the work).
double sampleMs(const SequenceModel& model, int variations, int repeats, double& notesPerStep,
                double& cpuMs) {
    const RepresentationConfig& rep = model.representation();
    SampleRequest req;
    req.future.resize(128, rep.pitches(), rep.onsets);
    for (int t = 0; t < 128; ++t) {
        req.future.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        req.future.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
    }
    req.variations = variations;
    std::vector<double> ms, cpu;
    long notes = 0;
    for (int i = 0; i < repeats; ++i) {
        req.seed = std::uint64_t(i + 1);
        const double c0 = threadCpuMs();
        const auto t0 = Clock::now();
        const auto out = model.sample(req);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        cpu.push_back(threadCpuMs() - c0);
        for (const FrameSequence& s : out)
            for (std::uint8_t v : s.sounding)
                notes += v;
    }
    notesPerStep = double(notes) / (double(repeats) * variations * 128);
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    cpuMs = cpu[cpu.size() / 2];
    return ms[ms.size() / 2];
}

// The GAN through the trainer's own path (trainGan, as `train --model gan` runs it): the default
// config (88 pitches with onsets and velocity, bars of 16 steps, noise 100, width 256) and the
// default GAN options (batch 64, Adam 1e-4, transposition within +-6), on chorale-like pieces.
// One epoch of `updates` + 1 generator updates; the first is warm-up. Each update's time is the
// trainer's own (the progress reports its cumulative training seconds, which leave out the
// validation at the epoch's end).
struct GanFigures {
    double medianMs = 0, meanMs = 0, cpuMs = 0; // per generator update; CPU: the whole process
    long generatorParams = 0, criticParams = 0;
};

double processCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) * 1e-6;
}

GanFigures ganUpdateTimes(int updates, std::vector<double>& allMs) {
    RepresentationConfig rep; // MIDI: 88 pitches, onsets, 8 velocity bins, metre
    ModelConfig config;
    config.kind = ModelKind::Gan;
    config.representation = rep;
    GanFigures f;
    std::tie(f.generatorParams, f.criticParams) = ganParameterCounts(config);
    Dataset data;
    data.representation = rep;
    std::mt19937_64 rng(3);
    for (int i = 0; i < 40; ++i)
        data.train.push_back(randomPiece(rep, 256, rng));
    for (int i = 0; i < 2; ++i) // a short validation (it is not timed)
        data.valid.push_back(randomPiece(rep, 80, rng));
    TrainOptions o = defaultTrainOptions(ModelKind::Gan);
    o.epochs = 1;
    o.stepsPerEpoch = updates + 1;
    o.maxMinutes = 0;
    o.threads = kThreads;
    std::vector<double> trainSeconds(std::size_t(updates + 2), -1.0), cpu = trainSeconds;
    std::atomic<bool> cancel{false};
    const TrainResult r = trainGan(
        data, config, o, cancel,
        [&](const TrainProgress& p) {
            if (p.phase != "training" || p.step < 1 || p.step > updates + 1 ||
                p.framesPerSecond <= 0)
                return;
            trainSeconds[std::size_t(p.step)] =
                double(p.step) * o.batchSize * config.barSteps / p.framesPerSecond;
            cpu[std::size_t(p.step)] = processCpuMs();
        },
        nullptr);
    if (r.status != TrainStatus::Finished) {
        std::fprintf(stderr, "GAN training failed: %s\n", r.error.c_str());
        return f;
    }
    std::vector<double> ms;
    for (int k = 2; k <= updates + 1; ++k)
        if (trainSeconds[std::size_t(k)] >= 0 && trainSeconds[std::size_t(k - 1)] >= 0)
            ms.push_back((trainSeconds[std::size_t(k)] - trainSeconds[std::size_t(k - 1)]) * 1e3);
    if (ms.empty() || trainSeconds[1] < 0 || trainSeconds[std::size_t(updates + 1)] < 0) {
        std::fprintf(stderr, "GAN training: no per-update progress\n");
        return f;
    }
    f.meanMs = (trainSeconds[std::size_t(updates + 1)] - trainSeconds[1]) * 1e3 / updates;
    f.cpuMs = (cpu[std::size_t(updates + 1)] - cpu[1]) / updates;
    allMs.insert(allMs.end(), ms.begin(), ms.end());
    std::sort(ms.begin(), ms.end());
    f.medianMs = ms[ms.size() / 2];
    return f;
}

// What ml_peer.py printed: "key value" lines; the GAN's update times come one line each.
struct PeerOutput {
    std::map<std::string, double> values;
    std::vector<double> ganUpdateMs;
};

PeerOutput runPeer(const std::string& args) {
    PeerOutput out;
    const std::string cmd = std::string("/usr/bin/python3 ") + TORCHESTRA_BENCH_DIR +
                            "/ml_peer.py --threads " + std::to_string(kThreads) + " " + args;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe)
        return out;
    char line[512];
    while (std::fgets(line, sizeof line, pipe)) {
        char key[128];
        double value = 0;
        if (std::sscanf(line, "%127s %lf", key, &value) != 2)
            continue;
        if (!std::strcmp(key, "gan_update_ms"))
            out.ganUpdateMs.push_back(value);
        else
            out.values[key] = value;
    }
    const int rc = pclose(pipe);
    if (rc != 0)
        std::fprintf(stderr, "ml_peer.py exited with %d\n", rc);
    return out;
}

void row(const char* what, double ours, const std::map<std::string, double>& peer, const char* key,
         const char* unit, bool higherIsBetter) {
    auto it = peer.find(key);
    if (it == peer.end() || it->second <= 0) {
        std::printf("%-44s %10.1f %-9s %12s\n", what, ours, unit, "-");
        return;
    }
    const double ratio = higherIsBetter ? ours / it->second : it->second / ours;
    std::printf("%-44s %10.1f %-9s %10.1f    x%.2f\n", what, ours, unit, it->second, ratio);
}

struct BenchOptions {
    int batches = 12;
    bool peer = true;
    bool sampleOnly = false;
    int repeats = 0;
    bool lstm = true, gan = true, candidates = true;
    int ganUpdates = 24, ganRounds = 2;
};

void lstmFigures(const BenchOptions& opt) {
    const int batches = opt.batches;
    const double trainInd =
        opt.sampleOnly ? 0 : trainFramesPerSecond(HeadKind::Independent, batches);
    const double trainNade =
        opt.sampleOnly ? 0 : trainFramesPerSecond(HeadKind::Autoregressive, batches);

    const std::shared_ptr<SequenceModel> ind = briefTrain(HeadKind::Independent);
    const std::shared_ptr<SequenceModel> nade = briefTrain(HeadKind::Autoregressive);
    if (!ind || !nade)
        std::exit(1);
    neural::setFastInferenceThreads(kSampleThreads);
    double n1 = 0, n2 = 0, n3 = 0, n4 = 0;
    double c1 = 0, c2 = 0, c3 = 0, c4 = 0;
    sampleMs(*ind, 1, 3, n1, c1); // warm up
    const int r1 = opt.repeats > 0 ? opt.repeats : 21;
    const int r8 = opt.repeats > 0 ? opt.repeats : 11;
    const double ind1 = sampleMs(*ind, 1, r1, n1, c1);
    const double ind8 = sampleMs(*ind, 8, r8, n2, c2);
    const double nade1 = sampleMs(*nade, 1, r1, n3, c3);
    const double nade8 = sampleMs(*nade, 8, r8, n4, c4);

    std::map<std::string, double> p;
    if (opt.peer)
        p = runPeer("--only lstm --batches " + std::to_string(batches)).values;

    std::printf("ML benchmark: 2x256 LSTM, 88 pitches, %d threads (fast path: %d) vs PyTorch %s\n",
                kThreads, kSampleThreads,
                opt.peer ? "(/usr/bin/python3 bench/ml_peer.py, same threads)" : "skipped");
    std::printf("%-44s %10s %-9s %10s    %s\n", "", "Torchestra", "", "PyTorch", "speed-up");
    row("train, independent head (16x128 batches)", trainInd, p, "train_independent_fps",
        "frames/s", true);
    row("train, NADE head (16x128 batches)", trainNade, p, "train_nade_fps", "frames/s", true);
    row("sample 8 bars, independent, batch 1", ind1, p, "sample_independent_1_ms", "ms", false);
    row("sample 8 bars x 8 variations, independent", ind8, p, "sample_independent_8_ms", "ms",
        false);
    row("sample 8 bars, NADE, batch 1", nade1, p, "sample_nade_1_ms", "ms", false);
    row("sample 8 bars x 8 variations, NADE", nade8, p, "sample_nade_8_ms", "ms", false);
    std::printf(
        "(sampling: briefly trained weights, %.1f / %.1f notes per step independent / NADE; "
        "8 variations cost x%.2f / x%.2f of one)\n",
        n1, n3, ind8 / ind1, nade8 / nade1);
    std::printf("(sampling, median CPU time of the sampling thread: %.1f / %.1f ms independent "
                "1 / 8, %.1f / %.1f ms NADE 1 / 8; x%.2f / x%.2f)\n",
                c1, c2, c3, c4, c2 / c1, c4 / c3);
}

// 64 candidates of 8 bars in one call (SampleRequest::variations = 64, what `generate
// --candidates 64` samples before ranking): the independent and NADE heads at the default size
// (2x256, NADE 128) and the NADE at the built-in bach-nade's (2x128, NADE 64), with the fast
// path on 1 and on 2 threads; the peer samples the same networks with its intra-op threads.
void candidateFigures(const BenchOptions& opt) {
    struct Row {
        const char* what;
        std::shared_ptr<SequenceModel> model;
        const char* key;
        double ms[2] = {0, 0}, cpu[2] = {0, 0}, notes = 0;
    };
    Row rows[] = {
        {"64 candidates x 8 bars, independent 2x256", briefTrain(HeadKind::Independent),
         "sample_independent_64_ms"},
        {"64 candidates x 8 bars, NADE 2x256/128", briefTrain(HeadKind::Autoregressive),
         "sample_nade_64_ms"},
        {"64 candidates x 8 bars, NADE 2x128/64", briefTrain(HeadKind::Autoregressive, 128, 64),
         "sample_nade128_64_ms"},
    };
    const int repeats = opt.repeats > 0 ? opt.repeats : 7;
    for (int t = 0; t < 2; ++t) {
        neural::setFastInferenceThreads(t + 1);
        for (Row& r : rows) {
            if (!r.model)
                std::exit(1);
            double unused = 0;
            sampleMs(*r.model, 64, 1, r.notes, unused); // warm up
            r.ms[t] = sampleMs(*r.model, 64, repeats, r.notes, r.cpu[t]);
        }
    }
    neural::setFastInferenceThreads(kSampleThreads);
    std::map<std::string, double> p;
    if (opt.peer)
        p = runPeer("--only candidates").values;
    std::printf("Candidates: 64 x 8 bars in one call, median of %d; PyTorch %s\n", repeats,
                opt.peer ? "(bench/ml_peer.py, same threads)" : "skipped");
    std::printf("%-44s %10s %-9s %10s    %s\n", "", "Torchestra", "", "PyTorch", "speed-up");
    for (const Row& r : rows)
        for (int t = 0; t < 2; ++t) {
            const std::string what = std::string(r.what) + (t ? ", 2 thr." : ", 1 thr.");
            row(what.c_str(), r.ms[t], p, r.key, "ms", false);
        }
    for (const Row& r : rows)
        std::printf("(%s: %.1f notes per step; CPU time of the calling thread %.1f / %.1f ms at "
                    "1 / 2 threads)\n",
                    r.what, r.notes, r.cpu[0], r.cpu[1]);
}

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Rounds of (ours, then the peer's), so that both sides see about the same load; the figures
// of each round, then the median over every timed update of all rounds.
void ganFigures(const BenchOptions& opt) {
    std::vector<double> ours, theirs;
    std::vector<std::pair<GanFigures, PeerOutput>> rounds;
    for (int round = 0; round < opt.ganRounds; ++round) {
        GanFigures f = ganUpdateTimes(opt.ganUpdates, ours);
        PeerOutput p;
        if (opt.peer)
            p = runPeer("--only gan --gan-updates " + std::to_string(opt.ganUpdates));
        theirs.insert(theirs.end(), p.ganUpdateMs.begin(), p.ganUpdateMs.end());
        rounds.emplace_back(f, p);
    }
    const GanFigures& f = rounds.front().first;
    const auto& pv = rounds.front().second.values;
    const auto peerCount = [&](const char* key) {
        auto it = pv.find(key);
        return it == pv.end() ? -1L : long(it->second);
    };
    const long pg = peerCount("gan_generator_params"), pc = peerCount("gan_critic_params");
    std::printf("GAN benchmark: default GAN (88 pitches, bars of 16 steps, noise 100, width 256), "
                "batch 64, %d threads vs PyTorch %s\n",
                kThreads, opt.peer ? "(bench/ml_peer.py, same threads)" : "skipped");
    std::printf("parameters: generator %ld, critic %ld; PyTorch %ld, %ld: %s\n", f.generatorParams,
                f.criticParams, pg, pc,
                !opt.peer                                         ? "not checked"
                : pg == f.generatorParams && pc == f.criticParams ? "the same"
                                                                  : "DIFFERENT");
    std::printf("%-44s %10s %-9s %10s    %s\n", "", "Torchestra", "", "PyTorch", "speed-up");
    for (std::size_t r = 0; r < rounds.size(); ++r) {
        const std::string what = "GAN update (5 critic + 1 gen.), round " + std::to_string(r + 1);
        row(what.c_str(), rounds[r].first.medianMs, rounds[r].second.values, "gan_update_median_ms",
            "ms", false);
    }
    std::map<std::string, double> all;
    if (!theirs.empty())
        all["median"] = median(theirs);
    row("GAN update, median of all rounds", median(ours), all, "median", "ms", false);
    for (std::size_t r = 0; r < rounds.size(); ++r) {
        const auto& p = rounds[r].second.values;
        const auto value = [&](const char* key) {
            auto it = p.find(key);
            return it == p.end() ? 0.0 : it->second;
        };
        std::printf("(round %zu: mean %.1f / %.1f ms per update, process CPU %.1f / %.1f ms per "
                    "update, Torchestra / PyTorch)\n",
                    r + 1, rounds[r].first.meanMs, value("gan_update_mean_ms"),
                    rounds[r].first.cpuMs, value("gan_update_cpu_ms"));
    }
}

} // namespace

int main(int argc, char** argv) {
    neural::registerNeuralKinds();
    BenchOptions opt;
    for (int i = 1; i < argc; ++i) {
        const auto is = [&](const char* flag) { return !std::strcmp(argv[i], flag); };
        const auto number = [&](int least) { return std::max(least, std::atoi(argv[++i])); };
        const bool hasValue = i + 1 < argc;
        if (is("--batches") && hasValue)
            opt.batches = number(2);
        else if (is("--threads") && hasValue)
            kThreads = number(1);
        else if (is("--sample-threads") && hasValue)
            kSampleThreads = number(1);
        else if (is("--no-peer"))
            opt.peer = false;
        else if (is("--sample-only"))
            opt.sampleOnly = true;
        else if (is("--repeats") && hasValue)
            opt.repeats = number(1);
        else if (is("--gan-only"))
            opt.lstm = opt.candidates = false;
        else if (is("--candidates-only"))
            opt.lstm = opt.gan = false;
        else if (is("--no-candidates"))
            opt.candidates = false;
        else if (is("--no-gan"))
            opt.gan = false;
        else if (is("--gan-updates") && hasValue)
            opt.ganUpdates = number(2);
        else if (is("--gan-rounds") && hasValue)
            opt.ganRounds = number(1);
    }
    setComputeThreads(kThreads);
    if (opt.lstm)
        lstmFigures(opt);
    if (opt.candidates)
        candidateFigures(opt);
    if (opt.gan)
        ganFigures(opt);
    return 0;
}
