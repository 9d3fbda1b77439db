#include "cli/DistributedTraining.h"

#include "ml/ModelRegistry.h"
#include "ml/StreamedPieces.h"
#include "ml/neural/GlooGroup.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <iostream>
#include <sstream>
#include <thread>

namespace torchestra::cli {

std::string trainingFingerprint(const ml::ModelConfig& config, const ml::TrainOptions& options,
                                const ml::Dataset& data) {
    std::ostringstream s;
    s << ml::describeModel(config) << " dropout " << config.dropout << ", "
      << data.representation.pitches() << " pitches"
      << (data.representation.onsets ? " +onsets" : "")
      << (data.representation.velocity ? " +velocity" : "") << "; batch " << options.batchSize
      << " window " << options.windowSteps << " lr " << options.learningRate << " seed "
      << options.seed << " transpose " << options.transpose << " epochs " << options.epochs
      << " minutes " << options.maxMinutes << " steps/epoch " << options.stepsPerEpoch
      << " average " << options.averageDecay << " input dropout " << options.inputDropout
      << "; data ";
    // A streamed corpus: each rank holds its own share, so the corpus-wide figures.
    if (data.trainStream)
        s << data.trainStream->identity();
    else
        s << data.train.size() << " pieces, " << data.trainSteps() << " steps";
    s << " + " << data.valid.size() << " validation pieces, " << data.validSteps() << " steps";
    return s.str();
}

std::string joinDistributedTraining(const ml::ModelConfig& config, const ml::Dataset& data,
                                    ml::TrainOptions& options) {
    ml::DistributedSettings settings;
    if (std::string err = ml::readDistributedSettings(settings); !err.empty())
        return "--distributed: " + err;
    std::cerr << "rank " << settings.rank << " of " << settings.worldSize
              << ": joining the group at " << settings.masterAddress << ":" << settings.masterPort
              << "\n";
    std::string error;
    options.dataParallel =
        ml::neural::joinGlooGroup(settings, trainingFingerprint(config, options, data), error);
    if (!options.dataParallel)
        return "rank " + std::to_string(settings.rank) + ": " + error;
    if (settings.rank == 0)
        std::cerr << "all " << settings.worldSize << " ranks joined\n";
    return {};
}

namespace {

// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice).
int freeLocalPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

// The ranks, for the signal handler to pass Ctrl-C / SIGTERM on (async-signal-safe: kill()).
constexpr int kMaxLocalRanks = 64;
volatile pid_t g_ranks[kMaxLocalRanks] = {};

extern "C" void forwardSignal(int signal) {
    for (volatile pid_t& pid : g_ranks)
        if (pid > 0)
            ::kill(pid, signal);
}

// The command line without --launch N (or --launch=N).
std::vector<std::string> withoutLaunch(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--launch") {
            ++i;
            continue;
        }
        if (args[i].rfind("--launch=", 0) == 0)
            continue;
        out.push_back(args[i]);
    }
    return out;
}

} // namespace

int launchLocalRanks(const std::vector<std::string>& rawArgs, int ranks) {
    if (ranks < 1 || ranks > kMaxLocalRanks) {
        std::cerr << "torchestra-cli train: --launch takes 1 to " << kMaxLocalRanks << " ranks\n";
        return 2;
    }
    char exe[4096] = {};
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        std::cerr << "torchestra-cli train: --launch cannot find its own program file\n";
        return 1;
    }
    const int port = freeLocalPort();
    if (port == 0) {
        std::cerr << "torchestra-cli train: --launch found no free port on 127.0.0.1\n";
        return 1;
    }
    std::vector<std::string> args = {exe, "train"};
    const std::vector<std::string> rest = withoutLaunch(rawArgs);
    args.insert(args.end(), rest.begin(), rest.end());
    args.push_back("--distributed");
    const bool threadsGiven = std::any_of(rest.begin(), rest.end(), [](const std::string& a) {
        return a == "--threads" || a.rfind("--threads=", 0) == 0;
    });
    if (!threadsGiven) {
        // The cores shared out: more torch threads than cores make every rank wait on the others.
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        args.push_back("--threads");
        args.push_back(std::to_string(std::max(1, cores / ranks)));
    }
    std::cerr << "launching " << ranks << " ranks on 127.0.0.1:" << port << "\n";
    std::signal(SIGINT, forwardSignal);
    std::signal(SIGTERM, forwardSignal);
    for (int r = 0; r < ranks; ++r) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::cerr << "torchestra-cli train: --launch could not start rank " << r << "\n";
            forwardSignal(SIGTERM);
            break;
        }
        if (pid == 0) {
            ::setenv("RANK", std::to_string(r).c_str(), 1);
            ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
            ::setenv("WORLD_SIZE", std::to_string(ranks).c_str(), 1);
            ::setenv("MASTER_ADDR", "127.0.0.1", 1);
            ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
            std::vector<char*> argv;
            for (std::string& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(exe, argv.data());
            _exit(127);
        }
        g_ranks[r] = pid;
    }
    // Every rank ends by itself: a failed one's peers get an error from their next collective
    // (at once when its process is gone, within the timeout when it stalls).
    int result = 0;
    for (int r = 0; r < ranks; ++r) {
        if (g_ranks[r] <= 0)
            continue;
        int status = 0;
        while (::waitpid(g_ranks[r], &status, 0) < 0 && errno == EINTR) {
        }
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (code != 0) {
            std::cerr << "rank " << r << " ended with "
                      << (WIFEXITED(status) ? "exit code " + std::to_string(code)
                                            : "signal " + std::to_string(WTERMSIG(status)))
                      << "\n";
            if (result == 0)
                result = code;
        }
        g_ranks[r] = 0;
    }
    return result;
}

} // namespace torchestra::cli
