// `train --optimizer-state off`: a model saved to share rather than resume (as the built-in
// models are), through the real binary.
#include "CliCheckpointUtil.h"
#include "CliTestUtil.h"

#include <QJsonArray>

#include <filesystem>

using namespace torchestra::clitest;

// The same run saved with and without its optimizer's state: the second file is under half
// the size of the first, generates the same take at the same seed, and training resumes from
// it (its optimizer afresh).
TEST(CliMl, AModelSavedWithoutItsOptimizerStateGeneratesTheSameAndResumes) {
    const std::string run = "train --model lstm --hidden 16 --layers 1 --epochs 1 "
                            "--steps-per-epoch 4 --batch 2 --window 32 --threads 1 --seed 5 ";
    const std::string full = tempDir() + "/lstm-full.tcm", slim = tempDir() + "/lstm-slim.tcm";
    RunResult f = runCli(run + "--out " + full + " " + songFolder());
    ASSERT_EQ(f.exitCode, 0) << f.err;
    RunResult s = runCli(run + "--optimizer-state off --out " + slim + " " + songFolder());
    ASSERT_EQ(s.exitCode, 0) << s.err;
    EXPECT_LT(2 * std::filesystem::file_size(slim), std::filesystem::file_size(full));
    const QJsonArray a = checkpointMetadata(slim)["history"].toArray();
    const QJsonArray b = checkpointMetadata(full)["history"].toArray();
    ASSERT_EQ(a.size(), 1);
    ASSERT_EQ(b.size(), 1);
    EXPECT_EQ(a[0]["validLoss"], b[0]["validLoss"]) << "the same run, the same model";

    const std::string fromFull = tempDir() + "/from-full.mid";
    const std::string fromSlim = tempDir() + "/from-slim.mid";
    const std::string gen = "generate --bars 4 --seed 3 --temperature 1.0 --threads 1 --model ";
    ASSERT_EQ(runCli(gen + full + " --out " + fromFull).exitCode, 0);
    ASSERT_EQ(runCli(gen + slim + " --out " + fromSlim).exitCode, 0);
    EXPECT_EQ(slurp(fromSlim), slurp(fromFull)) << "the model saved without its optimizer differs";

    const std::string resumed = tempDir() + "/lstm-resumed.tcm";
    RunResult r = runCli("train --resume " + slim +
                         " --epochs 1 --steps-per-epoch 4 --batch 2 "
                         "--window 32 --threads 1 --out " +
                         resumed + " " + songFolder());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(checkpointMetadata(resumed)["history"].toArray().size(), 2);
}
