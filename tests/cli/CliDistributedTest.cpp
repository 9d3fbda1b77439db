// Data-parallel training through the real binary: ranks are separate processes that meet on
// loopback through torch's c10d (TCPStore + ProcessGroupGloo), as on a cluster.
#include "CliTestUtil.h"
#include "ml/TrainCommandLine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <cmath>
#include <regex>
#include <thread>

using namespace torchestra;
using namespace torchestra::clitest;

namespace {

using Clock = std::chrono::steady_clock;

// A small LSTM without dropout (torch's dropout masks would differ between one process and
// two), a few steps per epoch.
const std::string kSmallLstm =
    "train --model lstm --hidden 24 --layers 1 --dropout 0 --threads 1 --seed 7 ";

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

// One rank started by hand, as a cluster's launcher would: its environment, its own output.
struct Rank {
    pid_t pid = -1;
    std::string errPath;

    Rank(int rank, const std::string& env, const std::string& args) {
        errPath = tempDir() + "/rank" + std::to_string(rank) + "-" +
                  std::to_string(Clock::now().time_since_epoch().count()) + ".err";
        const std::string cmd = "exec env RANK=" + std::to_string(rank) + " " + env + " " +
                                TORCHESTRA_CLI_PATH + " " + args + " --distributed >/dev/null 2>" +
                                errPath;
        pid = ::fork();
        if (pid == 0) {
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
    }
    // The exit code, or -1 if it is still running after `seconds`.
    int waitFor(double seconds) {
        const auto end = Clock::now() + std::chrono::duration<double>(seconds);
        while (Clock::now() < end) {
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return -1;
    }
    std::string err() const { return slurp(errPath); }
    ~Rank() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::kill(pid, SIGCONT);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

std::string groupEnv(int world, int port, int timeoutSeconds = 60) {
    return "WORLD_SIZE=" + std::to_string(world) +
           " MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) +
           " TORCHESTRA_DIST_TIMEOUT=" + std::to_string(timeoutSeconds);
}

// `eval`'s total NLL per step of `model` on the song folder.
double evalNll(const std::string& model) {
    RunResult r = runCli("eval --model " + model + " " + songFolder());
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(r.out, m, std::regex("all ([0-9.]+) nats/step"))) << r.out;
    return m.size() > 1 ? std::stod(m[1]) : NAN;
}

bool waitForFile(const std::string& path, double seconds) {
    const auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
        if (std::filesystem::exists(path))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

} // namespace

// Two ranks with batch B each take the same steps as one process with batch 2B: the same
// windows (one seeded draw, shared out), the gradients averaged before each step.
TEST(CliDistributed, TwoRanksTrainTheWeightsOneProcessTrainsWithTheWholeBatch) {
    const std::string run = kSmallLstm + "--epochs 2 --steps-per-epoch 6 ";
    const std::string one = tempDir() + "/dp-one.tcm";
    const std::string two = tempDir() + "/dp-two.tcm";
    const std::string half = tempDir() + "/dp-half.tcm";
    RunResult a = runCli(run + "--batch 4 --out " + one + " " + songFolder());
    ASSERT_EQ(a.exitCode, 0) << a.err;
    RunResult b = runCli(run + "--batch 2 --launch 2 --out " + two + " " + songFolder());
    ASSERT_EQ(b.exitCode, 0) << b.err;
    EXPECT_NE(b.err.find("all 2 ranks joined"), std::string::npos) << b.err;
    RunResult c = runCli(run + "--batch 2 --out " + half + " " + songFolder());
    ASSERT_EQ(c.exitCode, 0) << c.err;

    const double nllOne = evalNll(one), nllTwo = evalNll(two), nllHalf = evalNll(half);
    // eval prints 4 decimals; float sums in another order move the last one at most.
    EXPECT_NEAR(nllOne, nllTwo, 2e-4);
    // What the check tells apart: one rank's half of each batch trains other weights.
    EXPECT_GT(std::abs(nllHalf - nllTwo), 1e-2) << nllHalf << " vs " << nllTwo;
}

// A rank that dies: the other says so at once (its next collective finds the connection
// gone), well within the 60 s the issue allows; the checkpoint rank 0 wrote at its last
// improvement loads, and training resumes from it with another number of ranks.
TEST(CliDistributed, AKilledRankIsReportedAndTheLastCheckpointStillTrains) {
    const std::string model = tempDir() + "/dp-killed.tcm";
    std::filesystem::remove(model);
    const std::string args =
        kSmallLstm + "--epochs 100000 --steps-per-epoch 3 --out " + model + " " + songFolder();
    const std::string env = groupEnv(2, freePort());
    Rank r0(0, env, args), r1(1, env, args);
    ASSERT_TRUE(waitForFile(model, 60)) << r0.err() << r1.err();
    ::kill(r1.pid, SIGKILL);
    const auto killed = Clock::now();
    const int code = r0.waitFor(90);
    const double seconds = std::chrono::duration<double>(Clock::now() - killed).count();
    ASSERT_NE(code, -1) << "rank 0 still runs 90 s after its peer died";
    EXPECT_EQ(code, 1);
    EXPECT_LT(seconds, 60);
    EXPECT_NE(r0.err().find("rank 0 of 2: allreduce: a peer left the group"), std::string::npos)
        << r0.err();
    std::cout << "[ measure ] rank 0 reported its dead peer after " << seconds << " s\n";

    EXPECT_TRUE(std::isfinite(evalNll(model)));
    RunResult resumed =
        runCli(kSmallLstm + "--resume " + model + " --epochs 1 --steps-per-epoch 2 " +
               "--launch 3 --out " + model + " " + songFolder());
    EXPECT_EQ(resumed.exitCode, 0) << resumed.err;
    EXPECT_NE(resumed.out.find("saved " + model), std::string::npos) << resumed.out;
}

// A rank that stops answering (SIGSTOP: alive, silent) is reported within the timeout.
TEST(CliDistributed, AStalledRankIsReportedWithinTheTimeout) {
    const std::string model = tempDir() + "/dp-stalled.tcm";
    std::filesystem::remove(model);
    const std::string args =
        kSmallLstm + "--epochs 100000 --steps-per-epoch 3 --out " + model + " " + songFolder();
    const std::string env = groupEnv(2, freePort(), 4);
    Rank r0(0, env, args), r1(1, env, args);
    ASSERT_TRUE(waitForFile(model, 60)) << r0.err() << r1.err();
    ::kill(r1.pid, SIGSTOP);
    const int code = r0.waitFor(60);
    ASSERT_NE(code, -1) << "rank 0 still waits 60 s after its peer stalled (timeout 4 s)";
    EXPECT_EQ(code, 1);
    EXPECT_NE(r0.err().find("no answer from a peer within 4 s"), std::string::npos) << r0.err();
}

// Ranks that would train different things, or disagree on the group, say so and stop.
TEST(CliDistributed, RanksThatDisagreeSayHowAndStop) {
    const std::string model = tempDir() + "/dp-disagree.tcm";
    const std::string args =
        kSmallLstm + "--epochs 1 --steps-per-epoch 1 --out " + model + " " + songFolder();
    {
        const std::string env = groupEnv(2, freePort(), 10);
        Rank r0(0, env, args), r1(1, env, args + " --hidden 32");
        EXPECT_EQ(r0.waitFor(30), 2);
        EXPECT_EQ(r1.waitFor(30), 2);
        EXPECT_NE(r0.err().find("rank 1 trains something else: LSTM 1x32"), std::string::npos)
            << r0.err();
    }
    {
        const int port = freePort();
        Rank r0(0, groupEnv(2, port, 10), args), r1(1, groupEnv(3, port, 10), args);
        EXPECT_EQ(r0.waitFor(30), 2);
        EXPECT_EQ(r1.waitFor(30), 2);
        EXPECT_NE(r0.err().find("rank 1 was started with WORLD_SIZE 3, this rank with 2"),
                  std::string::npos)
            << r0.err();
    }
    RunResult alone = runCli(args + " --distributed");
    EXPECT_EQ(alone.exitCode, 2);
    EXPECT_NE(alone.err.find("--distributed: WORLD_SIZE is not set"), std::string::npos)
        << alone.err;
    RunResult markov =
        runCli("train --model markov --launch 2 --out " + model + " " + songFolder());
    EXPECT_NE(markov.exitCode, 0);
    EXPECT_NE(markov.err.find("the Markov baseline counts its data in one pass"), std::string::npos)
        << markov.err;
}

// What the Train panel copies for a cluster (ml::trainCommandArguments) is a command this
// program runs as it is: here with --launch 2 where a cluster's ranks would use --distributed.
TEST(CliDistributed, TheTrainPanelsClusterCommandTrainsTheChosenModel) {
    ml::ModelConfig config;
    config.kind = ml::ModelKind::Lstm;
    config.hidden = 20;
    config.layers = 1;
    config.dropout = 0.25;
    ml::TrainOptions options = ml::defaultTrainOptions(config.kind, 5);
    options.stepsPerEpoch = 3;
    options.epochs = 2;
    options.learningRate = 0.003;
    const std::string model = tempDir() + "/dp-panel.tcm";
    const std::vector<std::string> args = ml::trainCommandArguments(
        config, options, {0}, model, {songFolder()}, {"--launch", "2", "--threads", "1"});
    const std::string line = ml::shellCommandLine(TORCHESTRA_CLI_PATH, args);
    EXPECT_NE(line.find(" --lr 0.003 "), std::string::npos) << line;
    EXPECT_NE(line.find(" --dropout 0.25 "), std::string::npos) << line;
    RunResult r = runShell(line);
    ASSERT_EQ(r.exitCode, 0) << line << "\n" << r.err;
    EXPECT_NE(r.out.find("saved " + model + " (LSTM 1x20, tracks 0,"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("at epoch 2)"), std::string::npos) << r.out;
    EXPECT_EQ(ml::shellCommandLine("a b", {"it's", "plain-1.0/x=y"}),
              "'a b' 'it'\\''s' plain-1.0/x=y");
}

// With a corpus chosen the panel copies `train ... --corpus DIR` (ml::trainCorpusCommandArguments)
// instead of the files: this program runs it as it is, on two ranks here. It has no --tracks, so
// the corpus's own track choice holds (and is what the model records).
TEST(CliDistributed, TheTrainPanelsCorpusCommandTrainsFromTheCorpus) {
    const std::string corpus = tempDir() + "/dp panel corpus";
    RunResult b = runShell(
        ml::shellCommandLine(TORCHESTRA_CLI_PATH, {"corpus", "build", songFolder(), "--out", corpus,
                                                   "--tracks", "0", "--valid-permille", "300"}));
    ASSERT_EQ(b.exitCode, 0) << b.err;
    ml::ModelConfig config;
    config.kind = ml::ModelKind::Lstm;
    config.hidden = 20;
    config.layers = 1;
    ml::TrainOptions options = ml::defaultTrainOptions(config.kind, 5);
    options.stepsPerEpoch = 3;
    options.epochs = 2;
    const std::string model = tempDir() + "/dp-panel-corpus.tcm";
    const std::vector<std::string> args = ml::trainCorpusCommandArguments(
        config, options, corpus, model, {"--launch", "2", "--threads", "1"});
    const std::string line = ml::shellCommandLine(TORCHESTRA_CLI_PATH, args);
    EXPECT_EQ(line.find("--tracks"), std::string::npos) << line;
    EXPECT_NE(line.find(" --out " + model + " --corpus '" + corpus + "'"), std::string::npos)
        << line;
    RunResult r = runShell(line);
    ASSERT_EQ(r.exitCode, 0) << line << "\n" << r.err;
    EXPECT_NE(r.err.find("data: corpus " + corpus), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("saved " + model + " (LSTM 1x20, tracks 0,"), std::string::npos) << r.out;
}

// The GAN trains data-parallel too: every critic and generator update averages its gradients
// over the ranks, rank 0 judges the validation continuations and tells the others.
TEST(CliDistributed, TheGanTrainsOnTwoRanks) {
    const std::string model = tempDir() + "/dp-gan.tcm";
    RunResult r = runCli("train --model gan --hidden 16 --noise 8 --batch 8 --epochs 2 "
                         "--steps-per-epoch 3 --threads 1 --launch 2 --out " +
                         model + " " + songFolder());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("all 2 ranks joined"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("saved " + model + " (GAN"), std::string::npos) << r.out;
    // Every update exchanged: 2 epochs x 3 generator updates x (5 critic updates + 1), the
    // two networks' initial weights and the two validation scores rank 0 told the other.
    EXPECT_NE(r.out.find("data-parallel: 2 ranks, 40 exchanges"), std::string::npos) << r.out;
    RunResult g =
        runCli("generate --model " + model + " --bars 2 --out " + tempDir() + "/dp-gan.mid");
    EXPECT_EQ(g.exitCode, 0) << g.err;
}
