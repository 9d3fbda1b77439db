// `generate --candidates N --keep K [--rank-by ...]` through the real binary: how many takes are
// written and in what order, that the kept takes are those --variations writes for them,
// the default ranking and what it says, and the values refused.
#include "CliTestUtil.h"
#include "common/TestNotes.h"

#include <filesystem>
#include <regex>
#include <sstream>
#include <tuple>

using namespace torchestra;
using namespace torchestra::clitest;

namespace {

// Six bars of C major: whole-bar triads under a walking melody, different per seed.
model::Song walkingSong(int seed) {
    model::Song song = ::torchestra::testkit::songIn44();
    const model::TrackId id = song.addTrack(model::Track{});
    const int scale[7] = {0, 2, 4, 5, 7, 9, 11};
    std::vector<model::Note> notes;
    for (int bar = 0; bar < 6; ++bar) {
        const model::Tick start = model::Tick(bar) * 1920;
        const int root = scale[(bar * 3 + seed) % 7];
        for (int k : {0, 4, 7})
            notes.push_back(makeNote(start, 1920, 48 + root + k, 70));
        for (int s = 0; s < 8; ++s)
            notes.push_back(makeNote(start + s * 240, 240, 72 + scale[(s + bar + seed) % 7], 90));
    }
    song.addNotes(id, notes);
    return song;
}

std::string songs() {
    static const std::string dir = [] {
        const std::string d = tempDir() + "/candidate-songs";
        std::filesystem::create_directories(d);
        for (int i = 0; i < 4; ++i)
            EXPECT_EQ(midi::writeMidiFile(d + "/s" + std::to_string(i) + ".mid", walkingSong(i)),
                      "");
        return d;
    }();
    return dir;
}

std::string trainedModel(const std::string& name, const std::string& flags) {
    const std::string path = tempDir() + "/" + name + ".tcm";
    const RunResult r = runCli("train " + flags + " --out " + path + " " + songs());
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return path;
}

struct Kept {
    int candidate = 0;
    double score = 0;
};

// The "kept N:" lines, in order (N must count 1, 2, ...).
std::vector<Kept> keptLines(const std::string& out) {
    std::vector<Kept> kept;
    const std::regex line(R"(kept (\d+): candidate (\d+), score ([0-9.]+))");
    std::istringstream lines(out);
    std::smatch m;
    for (std::string l; std::getline(lines, l);) {
        if (!std::regex_match(l, m, line))
            continue;
        EXPECT_EQ(std::stoi(m[1]), int(kept.size()) + 1) << out;
        kept.push_back({std::stoi(m[2]), std::stod(m[3])});
    }
    return kept;
}

// Runs `command`, which must succeed, say `ranking` (its "ranking:" line or the start of it) and
// keep `count` takes; returns their "kept N:" lines, and the output in `out`.
std::vector<Kept> rankedRun(const std::string& command, const std::string& ranking,
                            std::size_t count, std::string* out = nullptr) {
    const RunResult r = runCli(command);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find(ranking), std::string::npos) << r.out;
    const std::vector<Kept> kept = keptLines(r.out);
    EXPECT_EQ(kept.size(), count) << r.out;
    if (out)
        *out = r.out;
    return kept;
}

std::vector<std::tuple<int, long, long>> notesOf(const model::Track& t) {
    std::vector<std::tuple<int, long, long>> out;
    t.forEachNoteInRange(0, 1 << 30, [&](const model::Note& n) {
        out.emplace_back(n.pitch, long(n.start), long(n.length));
    });
    return out;
}

} // namespace

TEST(CliCandidates, KeepsTheBestInOrderAndTheTakesAreThoseVariationsGives) {
    const std::string model = trainedModel("cand-markov", "--model markov");
    const std::string prime = " --prime " + songs() + "/s0.mid --prime-bars 1-2 --bars 2 ";
    const std::string out = tempDir() + "/cand.mid";
    std::string printed;
    const std::vector<Kept> kept =
        rankedRun("generate --model " + model + prime +
                      "--candidates 12 --keep 3 --seed 5 --no-numbers --out " + out,
                  "ranking: likelihood (the default): kept 3 of 12 candidates; the model's NLL of "
                  "each candidate, nats/step, lower is better; ranked in ",
                  3, &printed);
    ASSERT_EQ(kept.size(), 3u);
    for (std::size_t k = 0; k < kept.size(); ++k) {
        EXPECT_GE(kept[k].candidate, 1);
        EXPECT_LE(kept[k].candidate, 12);
        if (k > 0) {
            EXPECT_LE(kept[k - 1].score, kept[k].score) << "best first";
        }
    }
    EXPECT_NE(printed.find("variation 3: "), std::string::npos) << printed;
    EXPECT_EQ(printed.find("variation 4: "), std::string::npos) << printed;
    EXPECT_NE(printed.find("2 bars after 2 primer bars, 3 variations in "), std::string::npos)
        << printed;
    const midi::ReadResult file = midi::readMidiFile(out);
    ASSERT_TRUE(file.ok) << file.error;
    ASSERT_EQ(file.song.trackCount(), 4u); // the primer, then the kept takes, best first

    // The kept takes are the takes --variations 12 writes for those candidates.
    const std::string all = tempDir() + "/all.mid";
    const RunResult a = runCli("generate --model " + model + prime +
                               "--variations 12 --seed 5 --no-numbers --out " + all);
    ASSERT_EQ(a.exitCode, 0) << a.err;
    const midi::ReadResult every = midi::readMidiFile(all);
    ASSERT_TRUE(every.ok) << every.error;
    ASSERT_EQ(every.song.trackCount(), 13u);
    for (std::size_t k = 0; k < kept.size(); ++k)
        EXPECT_EQ(notesOf(file.song.trackAt(k + 1)),
                  notesOf(every.song.trackAt(std::size_t(kept[k].candidate))))
            << k;
}

// Rewriting bars with music after them: a model with a likelihood ranks by that music by
// default, and each other ranking can be chosen.
TEST(CliCandidates, RegeneratingRanksByTheMusicAfterTheGap) {
    const std::string model = trainedModel(
        "cand-lstm", "--model lstm --hidden 16 --epochs 1 --steps-per-epoch 4 --threads 1");
    const std::string gen = "generate --model " + model + " --prime " + songs() +
                            "/s1.mid --regenerate 3-4 --candidates 8 --keep 2 --seed 2 --out " +
                            tempDir() + "/regen.mid";
    std::string printed;
    rankedRun(gen,
              "ranking: following (the default with music after the gap): kept 2 of 8 candidates; "
              "the model's NLL of the music after the gap given each candidate, nats/step, lower "
              "is better",
              2, &printed);
    EXPECT_NE(printed.find("take 2: closeness "), std::string::npos) << printed; // the numbers
    rankedRun(gen + " --rank-by likelihood --no-numbers", "ranking: likelihood: kept 2 of 8", 2);
    const std::vector<Kept> kept =
        rankedRun(gen + " --rank-by closeness --no-numbers",
                  "ranking: closeness: kept 2 of 8 candidates; closeness to the training data, "
                  "0..1, higher is better",
                  2);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_GE(kept[0].score, kept[1].score);
}

TEST(CliCandidates, BadValuesAreRefusedWithAReason) {
    const std::string model = trainedModel("cand-refused", "--model markov");
    const std::string gen =
        "generate --model " + model + " --bars 2 --out " + tempDir() + "/refused.mid ";
    const std::string last = " --prime " + songs() + "/s2.mid --regenerate 6 ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"--candidates 4 --keep 5", "--keep 5 is more than the 4 --candidates"},
        {"--candidates 0", "--candidates must be a whole number from 2 to 256"},
        {"--candidates 1000", "--candidates must be a whole number from 2 to 256"},
        {"--candidates 4 --keep 0", "--keep must be a whole number from 1 to 256"},
        {"--keep 2", "--keep and --rank-by choose among --candidates N"},
        {"--rank-by likelihood", "--keep and --rank-by choose among --candidates N"},
        {"--candidates 4 --variations 2", "--candidates N takes the place of --variations"},
        {"--candidates 4 --rank-by best",
         "--rank-by must be following, likelihood or closeness (got 'best')"},
        {"--candidates 4 --rank-by following", "ranks fillers of --regenerate BARS"},
        {"--candidates 4 --rank-by following" + last, "needs music after the candidates"},
    };
    for (const auto& [flags, why] : cases) {
        const RunResult r = runCli(gen + flags);
        EXPECT_EQ(r.exitCode, 2) << flags;
        EXPECT_NE(r.err.find(why), std::string::npos) << flags << ": " << r.err;
        EXPECT_EQ(r.out.find("wrote"), std::string::npos) << flags;
    }
}

// eval-infill: each song's line has the four choices' NLL of the bars after the gap; infill
// is the best of the candidates by it, and the first candidate (left-only) is one of them, so
// it is never worse. What it cannot measure is refused.
TEST(CliCandidates, EvalInfillComparesInfillWithLeftOnly) {
    const std::string model = trainedModel("infill-markov", "--model markov");
    const RunResult r =
        runCli("eval-infill --model " + model + " --gap 3-4 --after 2 --candidates 8 --judge " +
               model + " " + songs());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::regex line(
        R"(.*\.mid: left-only ([0-9.]+) own likelihood ([0-9.]+) infill ([0-9.]+) original ([0-9.]+))");
    std::istringstream lines(r.out);
    std::smatch m;
    int songsJudged = 0;
    for (std::string l; std::getline(lines, l);) {
        if (!std::regex_match(l, m, line))
            continue;
        ++songsJudged;
        EXPECT_LE(std::stod(m[3]), std::stod(m[1])) << l;
        EXPECT_LE(std::stod(m[3]), std::stod(m[2])) << l;
    }
    EXPECT_EQ(songsJudged, 4) << r.out;
    EXPECT_NE(r.out.find("judge's NLL"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("infill against left-only: the bars after the gap likelier in"),
              std::string::npos)
        << r.out;

    EXPECT_EQ(runCli("eval-infill --model " + model + " --gap 5-6 " + songs()).exitCode, 2)
        << "six-bar songs have no bar after bars 5-6";
    EXPECT_EQ(runCli("eval-infill --model " + model + " --gap 1-2 " + songs()).exitCode, 2);
    EXPECT_EQ(runCli("eval-infill --model builtin:bach-gan " + songs()).exitCode, 2);
    EXPECT_EQ(runCli("eval-infill " + songs()).exitCode, 2);
}
