// Data-parallel training throughput (docs/benchmarks.md, docs/scaling.md): the same total batch
// trained by one process and by N local ranks (train --launch N: torch's c10d with Gloo over
// loopback), frames per second of training time and what each gradient exchange costs; beside
// PyTorch's DistributedDataParallel on the same network and shapes (bench/dp_peer.py, Debian's
// /usr/bin/python3), in the same run.
//
//   dp_bench [--ranks N] [--batch B] [--batches S] [--threads T] [--no-peer]
//
// Ours runs the real command line on chorale-like MIDI files it writes (four voices moving by
// small steps, 16 bars each): the 2x256 LSTM `train --layers 2` builds over the MIDI
// representation (196 inputs, frame + onset + velocity heads), batches of B windows of 128
// steps, S batches. One process uses T intra-op threads; each of N ranks T / N.
#include "PeerOutput.h"
#include "midi/MidiFile.h"
#include "model/Song.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

using namespace torchestra;

namespace {

struct Options {
    int ranks = 2;
    int batch = 16;
    int batches = 12;
    int threads = 2;
    bool peer = true;
};

// Everything `cmd` prints, its standard error included (the progress and exchange lines).
std::string run(const std::string& cmd) {
    return bench::commandOutput(cmd + " 2>&1");
}

// The last value of `pattern`'s first group in `text`, or -1.
double lastMatch(const std::string& text, const std::string& pattern) {
    const std::regex re(pattern);
    double v = -1;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
         ++it)
        v = std::stod((*it)[1]);
    return v;
}

std::string writeCorpus() {
    char pattern[] = "/tmp/torchestra-dp-bench-XXXXXX";
    const std::string dir = mkdtemp(pattern) ? pattern : "/tmp";
    std::mt19937 rng(5);
    for (int f = 0; f < 40; ++f) {
        model::Song song;
        model::Track track;
        track.properties.name = "Choir";
        const model::TrackId id = song.addTrack(track);
        int voices[4] = {48, 55, 60, 67};
        std::vector<model::Note> notes;
        for (int beat = 0; beat < 64; ++beat)
            for (int& v : voices) {
                if (rng() % 3 == 0)
                    v = std::clamp(v + int(rng() % 5) - 2, 36, 84);
                model::Note n;
                n.start = model::Tick(beat) * 480;
                n.length = 480;
                n.pitch = std::uint8_t(v);
                n.velocity = 80;
                notes.push_back(n);
            }
        song.addNotes(id, notes);
        midi::writeMidiFile(dir + "/chorale" + std::to_string(f) + ".mid", song);
    }
    return dir;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
        if (a == "--ranks")
            o.ranks = std::max(1, next());
        else if (a == "--batch")
            o.batch = std::max(1, next());
        else if (a == "--batches")
            o.batches = std::max(1, next());
        else if (a == "--threads")
            o.threads = std::max(1, next());
        else if (a == "--no-peer")
            o.peer = false;
        else {
            std::fprintf(stderr, "usage: dp_bench [--ranks N] [--batch B] [--batches S] "
                                 "[--threads T] [--no-peer]\n");
            return 2;
        }
    }
    if (o.batch % o.ranks != 0) {
        std::fprintf(stderr, "dp_bench: --batch must be a multiple of --ranks\n");
        return 2;
    }
    const std::string data = writeCorpus();
    const std::string common = std::string(TORCHESTRA_CLI_PATH) +
                               " train --model lstm --layers 2 --hidden 256 --window 128 "
                               "--epochs 1 --valid-fraction 0.05 --steps-per-epoch " +
                               std::to_string(o.batches) + " --out " + data + "/model.tcm ";
    const std::string fps = "([0-9.]+) frames/s";

    const std::string one = run(common + "--batch " + std::to_string(o.batch) + " --threads " +
                                std::to_string(o.threads) + " " + data);
    const std::string many = run(common + "--batch " + std::to_string(o.batch / o.ranks) +
                                 " --threads " + std::to_string(std::max(1, o.threads / o.ranks)) +
                                 " --launch " + std::to_string(o.ranks) + " " + data);
    const double oneFps = lastMatch(one, fps), manyFps = lastMatch(many, fps);
    const double mb = lastMatch(many, "exchanges, ([0-9.]+) MB");
    const double ms = lastMatch(many, "MB and ([0-9.]+) ms each");
    if (oneFps <= 0 || manyFps <= 0) {
        std::fprintf(stderr, "dp_bench: a training run failed:\n%s\n%s\n", one.c_str(),
                     many.c_str());
        return 1;
    }
    std::printf("data-parallel training, LSTM 2x256 (MIDI representation), %d windows x 128 "
                "steps per batch in all, %d batches, %d threads in all\n",
                o.batch, o.batches, o.threads);
    std::printf("  ours   1 process   %9.0f frames/s\n", oneFps);
    std::printf("  ours   %d ranks     %9.0f frames/s  (%.2fx one process); exchange %.3f MB, "
                "%.2f ms per collective on average (waits for the slowest rank included)\n",
                o.ranks, manyFps, manyFps / oneFps, mb, ms);
    if (o.peer) {
        const std::string peer =
            run("/usr/bin/python3 " + std::string(TORCHESTRA_BENCH_DIR) + "/dp_peer.py --ranks " +
                std::to_string(o.ranks) + " --batch " + std::to_string(o.batch) + " --batches " +
                std::to_string(o.batches) + " --threads " + std::to_string(o.threads));
        const double p1 = lastMatch(peer, "fps_1 ([0-9.]+)");
        const double pn = lastMatch(peer, "fps_" + std::to_string(o.ranks) + " ([0-9.]+)");
        if (p1 <= 0 || pn <= 0) {
            std::fprintf(stderr, "dp_bench: the PyTorch peer failed:\n%s\n", peer.c_str());
            return 1;
        }
        std::printf("  PyTorch 1 process  %9.0f frames/s  (ours %.2fx)\n", p1, oneFps / p1);
        std::printf("  PyTorch DDP %d ranks %8.0f frames/s  (%.2fx one process; ours %.2fx)\n",
                    o.ranks, pn, pn / p1, manyFps / pn);
    }
    run("rm -rf " + data);
    return 0;
}
