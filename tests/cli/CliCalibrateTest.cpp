// `calibrate`: the sampling choices training ends with, made again on a trained model through
// the real binary.
#include "CliCheckpointUtil.h"
#include "CliTestUtil.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace torchestra::clitest;

// calibrate makes the choices training ends with again, on a trained model, and saves them in
// its checkpoint; the model itself is left as it was. Files too few to choose on, and a
// built-in model, leave the file untouched.
TEST(CliMl, CalibrateChoosesTheSamplingOfATrainedModelAgain) {
    const std::string model = tempDir() + "/markov-uncalibrated.tcm";
    RunResult train =
        runCli("train --model markov --valid-fraction 0.34 --out " + model + " " + songFolder());
    ASSERT_EQ(train.exitCode, 0) << train.err;
    ASSERT_FALSE(checkpointMetadata(model).contains("sampling")) << "too few windows to choose";
    const std::string plain = tempDir() + "/plain.mid", after = tempDir() + "/after.mid";
    const std::string gen = "generate --model " + model + " --bars 4 --seed 3 --temperature 1.0";
    ASSERT_EQ(runCli(gen + " --out " + plain).exitCode, 0);

    const std::string before = slurp(model);
    const QJsonValue files = checkpointMetadata(model)["files"];
    ASSERT_FALSE(files.toArray().isEmpty());
    RunResult few = runCli("calibrate --model " + model + " " + songFolder());
    EXPECT_EQ(few.exitCode, 1);
    EXPECT_NE(few.err.find("nothing to choose on these files"), std::string::npos) << few.err;
    EXPECT_EQ(slurp(model), before) << "a refused calibration changed the file";

    RunResult c = runCli("calibrate --model " + model + " " + longValidFolder());
    ASSERT_EQ(c.exitCode, 0) << c.err;
    EXPECT_NE(c.out.find("sampling: temperature "), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("saved " + model), std::string::npos) << c.out;
    const QJsonObject sampling = checkpointMetadata(model)["sampling"].toObject();
    EXPECT_EQ(sampling["tried"].toArray().size(), 5);
    EXPECT_EQ(checkpointMetadata(model)["files"], files) << "what it learned from, kept";
    ASSERT_EQ(runCli(gen + " --out " + after).exitCode, 0);
    EXPECT_EQ(slurp(after), slurp(plain)) << "the model changed, not only its sampling";
    const RunResult g = runCli("generate --model " + model + " --bars 2 --out " + after);
    EXPECT_NE(g.out.find("sampling at the model's temperature"), std::string::npos) << g.out;

    // --out writes a calibrated copy; a built-in model's own file is never rewritten.
    const std::string copy = tempDir() + "/markov-copy.tcm";
    RunResult out =
        runCli("calibrate --model " + model + " --out " + copy + " " + longValidFolder());
    ASSERT_EQ(out.exitCode, 0) << out.err;
    EXPECT_TRUE(checkpointMetadata(copy).contains("sampling"));
    RunResult builtin = runCli("calibrate --model builtin:bach-markov " + longValidFolder());
    EXPECT_EQ(builtin.exitCode, 2);
    EXPECT_NE(builtin.err.find("built-in"), std::string::npos) << builtin.err;
    EXPECT_EQ(runCli("calibrate --model " + model).exitCode, 2) << "no validation files";
}
