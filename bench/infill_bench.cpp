// Infill benchmark (#15): candidates per second when a gap is filled so that it fits both sides
// (the Generate panel's "best of N", `generate --regenerate A-B --candidates N`): N fillers of a
// 2-bar gap sampled from the 4 bars before it in one call, then every filler scored by the NLL
// of the 4 bars after it (ml::rankCandidates, RankBy::Following).
//
//   build/bench/infill_bench [--repeats R] [--no-peer]
//
// Models: the built-in bach-nade (LSTM 2x128, NADE 64) and bach-markov from resources/models.
// The song is 10 bars the model wrote itself (seed 1), so the numbers of notes a step are the
// model's own. Fast path on 1 and on 2 threads (generate's default); median of R calls. Peer:
// the same work for the NADE in PyTorch (bench/ml_peer.py --only infill, one intra-op thread).
#include "PeerOutput.h"

#include "ml/BuiltinModels.h"
#include "ml/CandidateRanking.h"
#include "ml/Checkpoint.h"
#include "ml/neural/FastRunner.h"
#include "ml/neural/NeuralKinds.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace torchestra;

namespace {

constexpr int kStepsPerBar = 16;

double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// `bars` bars of 4/4 on the model's grid with nothing sounding: the metre to fill.
ml::FrameSequence emptyBars(const ml::RepresentationConfig& rep, int bars) {
    ml::FrameSequence seq;
    seq.resize(bars * kStepsPerBar, rep.pitches(), rep.onsets);
    for (int t = 0; t < seq.steps; ++t) {
        seq.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        seq.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
    }
    return seq;
}

struct Timing {
    double sampleMs = 0, rankMs = 0;
};

Timing timeInfill(const ml::SequenceModel& model, const ml::FrameSequence& song, int candidates,
                  int repeats) {
    ml::SampleRequest request;
    request.primer = song.slice(0, 4 * kStepsPerBar);
    request.future = emptyBars(model.representation(), 2);
    request.variations = candidates;
    ml::RankingContext context;
    context.primer = request.primer;
    context.following = song.slice(6 * kStepsPerBar, 4 * kStepsPerBar);
    std::vector<double> sampled, ranked;
    for (int r = 0; r <= repeats; ++r) {
        request.seed = std::uint64_t(r + 1);
        auto t0 = std::chrono::steady_clock::now();
        const std::vector<ml::FrameSequence> takes = model.sample(request);
        const double s = msSince(t0);
        t0 = std::chrono::steady_clock::now();
        const ml::Ranking ranking =
            ml::rankCandidates(model, ml::RankBy::Following, takes, context, 4);
        const double k = msSince(t0);
        if (ranking.kept.size() != 4)
            std::fprintf(stderr, "infill_bench: ranking kept %zu\n", ranking.kept.size());
        if (r > 0) { // one warm-up call
            sampled.push_back(s);
            ranked.push_back(k);
        }
    }
    std::sort(sampled.begin(), sampled.end());
    std::sort(ranked.begin(), ranked.end());
    return {sampled[sampled.size() / 2], ranked[ranked.size() / 2]};
}

} // namespace

int main(int argc, char** argv) {
    ml::neural::registerNeuralKinds();
    int repeats = 5;
    bool peer = true;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc)
            repeats = std::max(1, std::atoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--no-peer"))
            peer = false;
        else {
            std::fprintf(stderr, "usage: infill_bench [--repeats R] [--no-peer]\n");
            return 2;
        }
    }
    ml::setComputeThreads(1);
    const std::string peerOut = peer ? bench::commandOutput("/usr/bin/python3 " TORCHESTRA_BENCH_DIR
                                                            "/ml_peer.py --threads 1 --only infill")
                                     : std::string();
    std::printf("infill_bench: 2-bar gap after 4 bars, scored by the 4 bars after; median of %d\n",
                repeats);
    std::printf("%-28s %10s %8s %10s %10s %14s %16s\n", "model", "candidates", "threads",
                "sample ms", "rank ms", "candidates/s", "PyTorch ms (x)");
    for (const char* name : {"bach-nade", "bach-markov"}) {
        const ml::LoadedCheckpoint loaded = ml::loadModelReference(std::string("builtin:") + name);
        if (!loaded.model) {
            std::fprintf(stderr, "infill_bench: %s\n", loaded.error.c_str());
            return 1;
        }
        const ml::SequenceModel& model = *loaded.model;
        ml::SampleRequest write;
        write.future = emptyBars(model.representation(), 10);
        write.seed = 1;
        const ml::FrameSequence song = model.sample(write).at(0);
        for (int candidates : {16, 64, 256})
            for (int threads : {1, 2}) {
                ml::neural::setFastInferenceThreads(threads);
                const Timing t = timeInfill(model, song, candidates, repeats);
                const double total = t.sampleMs + t.rankMs;
                const std::string key = "infill_" + std::to_string(candidates) + "_ms";
                const double theirs = std::strcmp(name, "bach-nade") == 0 && threads == 1
                                          ? bench::jsonNumber(peerOut, key.c_str())
                                          : -1;
                char peerText[48] = "-";
                if (theirs > 0)
                    std::snprintf(peerText, sizeof peerText, "%.1f (%.1fx)", theirs,
                                  theirs / total);
                std::printf("%-28s %10d %8d %10.1f %10.1f %14.0f %16s\n", name, candidates, threads,
                            t.sampleMs, t.rankMs, 1000.0 * candidates / total, peerText);
            }
    }
    return 0;
}
