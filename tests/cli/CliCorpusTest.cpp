// corpus build / corpus report / train --corpus through the real binary.
#include "CliTestUtil.h"

#include <filesystem>

using namespace torchestra;
using namespace torchestra::clitest;

namespace {

// Six one-track songs in C major (a different line each) and a file that is not MIDI.
std::string corpusInputs() {
    const std::string dir = tempDir() + "/corpus-in";
    std::filesystem::create_directories(dir);
    for (int i = 0; i < 6; ++i) {
        model::Song song = ::torchestra::testkit::songIn44();
        const model::TrackId id = song.addTrack(model::Track{});
        std::vector<model::Note> notes;
        for (int k = 0; k < 64; ++k)
            notes.push_back(makeNote(k * 240, 240, 60 + (k * (i + 2)) % 12, 80));
        song.addNotes(id, notes);
        EXPECT_EQ(midi::writeMidiFile(dir + "/s" + std::to_string(i) + ".mid", song), "");
    }
    std::ofstream(dir + "/broken.mid") << "MThd not really";
    return dir;
}

} // namespace

TEST(CliCorpus, BuildReportAndTrainFromIt) {
    const std::string in = corpusInputs();
    const std::string corpus = tempDir() + "/corpus";
    RunResult b = runCli("corpus build " + in + " --out " + corpus + " --valid-permille 300");
    ASSERT_EQ(b.exitCode, 0) << b.err;
    EXPECT_NE(b.out.find("files: 7 found, 6 used, 1 refused"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("refused, not a MIDI file, or damaged: 1"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("broken.mid: not read"), std::string::npos) << b.out;

    RunResult again = runCli("corpus build " + in + " --out " + corpus + " --valid-permille 300");
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_NE(again.out.find("last build: 0 files read"), std::string::npos) << again.out;

    RunResult report = runCli("corpus report " + corpus);
    ASSERT_EQ(report.exitCode, 0) << report.err;
    EXPECT_NE(report.out.find("files: 7 found, 6 used"), std::string::npos) << report.out;

    const std::string model = tempDir() + "/from-corpus.tcm";
    RunResult t = runCli("train --model markov --corpus " + corpus + " --out " + model);
    ASSERT_EQ(t.exitCode, 0) << t.err;
    EXPECT_NE(t.err.find("data: corpus " + corpus + ": 4 training files"), std::string::npos)
        << t.err;
    EXPECT_NE(t.err.find("held in memory"), std::string::npos) << t.err;
    EXPECT_NE(t.out.find("saved " + model), std::string::npos) << t.out;
    RunResult g = runCli("generate --model " + model + " --bars 2 --seed 1 --out " + tempDir() +
                         "/from-corpus.mid");
    EXPECT_EQ(g.exitCode, 0) << g.err;
}

// Past its memory budget the training split streams from the shards: the LSTM trains from it,
// alone and on two ranks (each with its share), and so does the GAN.
TEST(CliCorpus, ACorpusLargerThanTheDataBudgetIsStreamed) {
    const std::string in = corpusInputs();
    const std::string corpus = tempDir() + "/corpus-streamed";
    ASSERT_EQ(runCli("corpus build " + in + " --out " + corpus + " --valid-permille 300").exitCode,
              0);
    const std::string lstm = "train --model lstm --hidden 16 --epochs 2 --steps-per-epoch 4 "
                             "--batch 2 --window 32 --threads 1 --data-memory-mb 0.02 --corpus " +
                             corpus + " --out ";
    const std::string model = tempDir() + "/streamed.tcm";
    RunResult one = runCli(lstm + model);
    ASSERT_EQ(one.exitCode, 0) << one.err;
    EXPECT_NE(one.err.find("streamed: the training split is"), std::string::npos) << one.err;
    EXPECT_NE(one.out.find("saved " + model), std::string::npos) << one.out;

    RunResult two = runCli(lstm + tempDir() + "/streamed2.tcm --launch 2");
    ASSERT_EQ(two.exitCode, 0) << two.err;
    EXPECT_NE(two.err.find("(this rank's share: 2 files)"), std::string::npos) << two.err;
    EXPECT_NE(two.out.find("data-parallel: 2 ranks"), std::string::npos) << two.out;

    const std::string gan = "train --model gan --epochs 1 --steps-per-epoch 3 --batch 4 "
                            "--threads 1 --data-memory-mb 0.02 --corpus " +
                            corpus + " --out ";
    RunResult ganOne = runCli(gan + tempDir() + "/gan.tcm");
    ASSERT_EQ(ganOne.exitCode, 0) << ganOne.err;
    EXPECT_NE(ganOne.err.find("streamed: the training split is"), std::string::npos) << ganOne.err;
    RunResult ganTwo = runCli(gan + tempDir() + "/gan2.tcm --launch 2");
    ASSERT_EQ(ganTwo.exitCode, 0) << ganTwo.err;
    EXPECT_NE(ganTwo.err.find("(this rank's share: 2 files)"), std::string::npos) << ganTwo.err;
    RunResult g = runCli("generate --model " + tempDir() + "/gan2.tcm --bars 2 --seed 1 --out " +
                         tempDir() + "/gan2.mid");
    EXPECT_EQ(g.exitCode, 0) << g.err;
}

TEST(CliCorpus, MismatchesAndBadUsageAreRefused) {
    const std::string in = corpusInputs();
    const std::string corpus = tempDir() + "/corpus-mismatch";
    ASSERT_EQ(runCli("corpus build " + in + " --out " + corpus).exitCode, 0);
    RunResult rep = runCli("train --model markov --steps-per-beat 2 --corpus " + corpus +
                           " --out " + tempDir() + "/x.tcm");
    EXPECT_EQ(rep.exitCode, 2);
    EXPECT_NE(rep.err.find("steps per beat 4 in the corpus, 2 expected"), std::string::npos)
        << rep.err;
    RunResult tracks = runCli("train --model markov --tracks 1 --corpus " + corpus + " --out " +
                              tempDir() + "/x.tcm");
    EXPECT_EQ(tracks.exitCode, 2);
    EXPECT_NE(tracks.err.find("was built from tracks all but drums"), std::string::npos)
        << tracks.err;
    RunResult both = runCli("train --model markov --corpus " + corpus + " " + in + " --out " +
                            tempDir() + "/x.tcm");
    EXPECT_EQ(both.exitCode, 2);
    EXPECT_NE(both.err.find("--corpus gives the training data"), std::string::npos) << both.err;
    EXPECT_EQ(runCli("corpus build " + in).exitCode, 2);
    EXPECT_EQ(runCli("corpus frobnicate").exitCode, 2);
    RunResult missing = runCli("corpus report " + tempDir() + "/no-corpus-here");
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("no-corpus-here"), std::string::npos) << missing.err;
}
