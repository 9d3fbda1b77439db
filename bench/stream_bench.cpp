// Training on a corpus larger than memory: the peak memory of `train --corpus` streaming a
// built corpus within --budget-mb, against the memory limit set for the run (--limit-mb, the
// whole process: LibTorch, the model, Adam, the pool), for a corpus whose training split
// decodes to several times that limit. With --held, the same run with a budget the corpus fits
// in, for comparison (what training needed before streaming).
//
//   build/bench/stream_bench --corpus DIR [--budget-mb 256] [--limit-mb 512] [--minutes 1]
//                            [--model lstm|rnn|gan] [--hidden 256] [--held]
//
// Build the corpus first, e.g. `build/bench/corpus_bench --files 20000 --work W --no-peer`
// then `torchestra-cli corpus build W --out DIR`. Peak memory is the kernel's (wait4's
// ru_maxrss: the largest resident set, heap and mapped shard pages together); the largest heap
// part alone (RssAnon) is sampled from /proc every 100 ms.

#include "ProcStatus.h"
#include "ml/StreamedPieces.h"
#include "ml/corpus/CorpusReader.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace torchestra;

namespace {

struct Options {
    std::string corpus;
    double budgetMb = 256;
    double limitMb = 512;
    double minutes = 1;
    std::string model = "lstm";
    int hidden = 256;
    bool held = false;
};

bool parseOptions(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool more = i + 1 < argc;
        if (a == "--corpus" && more)
            o.corpus = argv[++i];
        else if (a == "--budget-mb" && more)
            o.budgetMb = std::atof(argv[++i]);
        else if (a == "--limit-mb" && more)
            o.limitMb = std::atof(argv[++i]);
        else if (a == "--minutes" && more)
            o.minutes = std::atof(argv[++i]);
        else if (a == "--model" && more)
            o.model = argv[++i];
        else if (a == "--hidden" && more)
            o.hidden = std::atoi(argv[++i]);
        else if (a == "--held")
            o.held = true;
        else
            return false;
    }
    return !o.corpus.empty() && o.budgetMb > 0 && o.limitMb > 0;
}

struct Peak {
    double rssMb = 0;  // ru_maxrss
    double anonMb = 0; // largest RssAnon sampled
    double seconds = 0;
    int exitCode = -1;
    std::string progress; // the last progress line (frames/s)
    std::string saved;
};

// Runs the CLI with `args`, its output into `log`; the peak memory it reached.
Peak runTraining(const std::vector<std::string>& args, const std::string& log) {
    Peak peak;
    const auto t0 = std::chrono::steady_clock::now();
    std::fflush(stdout); // or the child prints what is buffered again
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::FILE* out = std::freopen(log.c_str(), "w", stdout);
        if (!out || ::dup2(::fileno(stdout), 2) < 0)
            ::_exit(126);
        std::vector<char*> argv;
        for (const std::string& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    struct rusage usage {};
    for (;;) {
        const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
        if (done == pid)
            break;
        peak.anonMb = std::max(
            peak.anonMb, bench::statusMb("/proc/" + std::to_string(pid) + "/status", "RssAnon"));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    peak.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    peak.rssMb = double(usage.ru_maxrss) / 1024.0;
    peak.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (std::FILE* f = std::fopen(log.c_str(), "r")) {
        char line[1024];
        while (std::fgets(line, sizeof line, f))
            if (std::strstr(line, "frames/s"))
                peak.progress = line;
            else if (std::strncmp(line, "saved", 5) == 0)
                peak.saved = line;
        std::fclose(f);
    }
    return peak;
}

void printRun(const char* what, const Peak& p, double limitMb) {
    std::printf("%s: exit %d after %.0f s; peak RSS %.0f MB (heap part at most %.0f MB), %s the "
                "%.0f MB limit\n  %s  %s",
                what, p.exitCode, p.seconds, p.rssMb, p.anonMb,
                p.rssMb <= limitMb ? "within" : "OVER", limitMb, p.progress.c_str(),
                p.saved.c_str());
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parseOptions(argc, argv, o)) {
        std::fprintf(stderr,
                     "usage: %s --corpus DIR [--budget-mb 256] [--limit-mb 512] [--minutes 1] "
                     "[--model lstm|rnn|gan] [--hidden 256] [--held]\n",
                     argv[0]);
        return 2;
    }
    ml::corpus::CorpusReader reader;
    if (std::string err = reader.open(o.corpus, nullptr, false); !err.empty()) {
        std::fprintf(stderr, "%s\n", err.c_str());
        return 1;
    }
    double decoded = 0, shards = 0;
    long files = 0;
    for (std::size_t i : reader.split(false)) {
        decoded += double(
            ml::decodedBytes(reader.index().records[i].steps, reader.manifest().representation));
        ++files;
    }
    for (const auto& s : reader.index().shards)
        shards += double(s.bytes);
    const double decodedMb = decoded / 1e6;
    std::printf("corpus %s: %ld training files, %.0f MB decoded (%.0f MB of shards on disk); "
                "limit %.0f MB: the corpus is %.1fx the limit\n",
                o.corpus.c_str(), files, decodedMb, shards / 1e6, o.limitMb, decodedMb / o.limitMb);
    auto command = [&](double budgetMb, const std::string& out) {
        return std::vector<std::string>{TORCHESTRA_CLI_PATH,
                                        "train",
                                        "--model",
                                        o.model,
                                        "--hidden",
                                        std::to_string(o.hidden),
                                        "--corpus",
                                        o.corpus,
                                        "--data-memory-mb",
                                        std::to_string(budgetMb),
                                        "--max-minutes",
                                        std::to_string(o.minutes),
                                        "--threads",
                                        "2",
                                        "--out",
                                        out};
    };
    const std::string dir = "/tmp/stream_bench." + std::to_string(::getpid());
    const Peak streamed = runTraining(command(o.budgetMb, dir + "-streamed.tcm"), dir + ".log");
    std::printf("streamed, data budget %.0f MB:\n", o.budgetMb);
    printRun("  train", streamed, o.limitMb);
    bool ok = streamed.exitCode == 0 && streamed.rssMb <= o.limitMb;
    if (o.held) {
        const Peak held =
            runTraining(command(decodedMb * 2 + 64, dir + "-held.tcm"), dir + "-held.log");
        std::printf("held in memory (budget %.0f MB):\n", decodedMb * 2 + 64);
        printRun("  train", held, o.limitMb);
        std::printf("streaming: %.2fx the held run's peak memory\n", streamed.rssMb / held.rssMb);
    }
    std::remove((dir + "-streamed.tcm").c_str());
    std::remove((dir + "-held.tcm").c_str());
    return ok ? 0 : 1;
}
