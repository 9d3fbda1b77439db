// The learning commands end to end, through the real binary: train, generate, eval, eval-jsb.
#include "CliCheckpointUtil.h"
#include "CliTestUtil.h"
#include "common/TestNotes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

using namespace torchestra;
using namespace torchestra::clitest;

namespace {

std::string lastLine(const std::string& s) {
    std::string t = s;
    while (!t.empty() && t.back() == '\n')
        t.pop_back();
    const auto nl = t.rfind('\n');
    return nl == std::string::npos ? t : t.substr(nl + 1);
}

// The learning rate of each epoch in a checkpoint's history.
std::vector<double> historyRates(const std::string& checkpoint) {
    std::vector<double> rates;
    for (const QJsonValue& e : checkpointMetadata(checkpoint)["history"].toArray())
        rates.push_back(e["learningRate"].toDouble());
    return rates;
}

} // namespace

TEST(CliMl, MarkovTrainsGeneratesInKeyAndIsReproducible) {
    const std::string model = tempDir() + "/markov.tcm";
    RunResult train = runCli("train --model markov --out " + model + " " + songFolder());
    ASSERT_EQ(train.exitCode, 0) << train.err;
    EXPECT_NE(train.out.find("saved " + model), std::string::npos) << train.out;
    EXPECT_NE(train.err.find("data: 6 of 6 files"), std::string::npos) << train.err;

    const std::string prime = songFolder() + "/song0.mid";
    const std::string out = tempDir() + "/gen.mid";
    const std::string gen = "generate --model " + model + " --prime " + prime +
                            " --prime-bars 1-2 --bars 4 --variations 3 --key C:major --seed 3 "
                            "--temperature 1.5 --out ";
    RunResult g = runCli(gen + out);
    ASSERT_EQ(g.exitCode, 0) << g.err;
    midi::ReadResult r = midi::readMidiFile(out);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.trackCount(), 4u); // primer + 3 variations
    EXPECT_EQ(r.song.trackAt(0).properties.name, "Primer");
    EXPECT_GT(r.song.trackAt(0).noteCount(), 0u);
    for (std::size_t v = 1; v < 4; ++v) {
        const model::Track& t = r.song.trackAt(v);
        EXPECT_GT(t.noteCount(), 0u) << "variation " << v << " is empty";
        for (const model::Note& n : t.notes()) {
            EXPECT_GE(n.start, 2 * 1920) << "a generated note overlaps the primer";
            EXPECT_LT(n.start, 6 * 1920);
            const int pc = n.pitch % 12;
            EXPECT_TRUE(pc == 0 || pc == 2 || pc == 4 || pc == 5 || pc == 7 || pc == 9 || pc == 11)
                << "pitch " << int(n.pitch) << " is not in C major";
        }
    }
    const std::string again = tempDir() + "/gen2.mid";
    ASSERT_EQ(runCli(gen + again).exitCode, 0);
    EXPECT_EQ(slurp(out), slurp(again)) << "same seed, different output";
    const std::string other = tempDir() + "/gen3.mid";
    RunResult g3 =
        runCli("generate --model " + model + " --bars 4 --seed 4 --temperature 1.5 --out " + other);
    ASSERT_EQ(g3.exitCode, 0) << g3.err;
    EXPECT_NE(slurp(other), slurp(out));
}

// Training ends by choosing the temperature the model's continuations of its validation files
// are closest at; it is kept in the checkpoint, and generate starts from it unless told.
TEST(CliMl, TrainChoosesASamplingTemperatureThatGenerateStartsFrom) {
    const std::string valid = longValidFolder();
    const std::string model = tempDir() + "/markov-calibrated.tcm";
    RunResult train =
        runCli("train --model markov --valid " + valid + " --out " + model + " " + songFolder());
    ASSERT_EQ(train.exitCode, 0) << train.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(train.out, m,
                                  std::regex("sampling: temperature ([0-9.]+), chosen on "
                                             "validation \\(closeness 1\\.0: [0-9.]+, 0\\.9:")))
        << train.out;
    const std::string chosen = m[1];
    // Its progress while it chooses: five temperatures read, the last always said.
    EXPECT_NE(train.err.find("sampling settings read 5/5  [choosing temperature]"),
              std::string::npos)
        << train.err;
    const QJsonObject sampling = checkpointMetadata(model)["sampling"].toObject();
    EXPECT_NEAR(sampling["temperature"].toDouble(), std::stod(chosen), 1e-9);
    EXPECT_EQ(sampling["tried"].toArray().size(), 5);

    const std::string gen = "generate --model " + model + " --bars 2 --out " + tempDir() + "/t.mid";
    RunResult g = runCli(gen);
    ASSERT_EQ(g.exitCode, 0) << g.err;
    EXPECT_NE(g.out.find("sampling at the model's temperature " + chosen), std::string::npos)
        << g.out;
    RunResult told = runCli(gen + " --temperature 1.2");
    ASSERT_EQ(told.exitCode, 0) << told.err;
    EXPECT_EQ(told.out.find("sampling at the model's"), std::string::npos) << told.out;

    // Two files of 8 bars hold too few windows to choose on: the model keeps 1.0, unsaid.
    const std::string few = tempDir() + "/markov-few.tcm";
    RunResult short8 =
        runCli("train --model markov --valid-fraction 0.34 --out " + few + " " + songFolder());
    ASSERT_EQ(short8.exitCode, 0) << short8.err;
    EXPECT_EQ(short8.out.find("sampling:"), std::string::npos) << short8.out;
    EXPECT_FALSE(checkpointMetadata(few).contains("sampling"));
}

// Without --layers an LSTM with independent outputs gets one layer and the NADE head two
// (ml::defaultLayers); --layers still decides. Without --lookback the independent outputs read
// the bar before and the NADE head does not (ml::defaultLookback); --lookback still decides.
TEST(CliMl, TrainChoosesTheLayersByHeadUnlessTold) {
    const std::string base = "train --model lstm --epochs 1 --steps-per-epoch 1 --threads 1 ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "(LSTM 1x256, lookback,"},
        {"--head autoregressive ", "(LSTM 2x256, NADE head,"},
        {"--layers 3 ", "(LSTM 3x256, lookback,"},
        {"--lookback off ", "(LSTM 1x256, best"},
        {"--head autoregressive --lookback on ", "(LSTM 2x256, NADE head, lookback,"}};
    for (const auto& [flags, expected] : cases) {
        const std::string model = tempDir() + "/layers.tcm";
        RunResult r = runCli(base + flags + "--out " + model + " " + songFolder());
        ASSERT_EQ(r.exitCode, 0) << flags << r.err;
        EXPECT_NE(r.out.find(expected), std::string::npos) << flags << "\n" << r.out;
    }
}

// eval-jsb reads the bar before only when asked: JSB's frames have no metre, and measured on
// its valid split the guessed bar of four beats hurt (docs/results.md, "The bar before").
TEST(CliMl, EvalJsbLeavesLookbackOffUnlessAsked) {
    const std::string data = tempDir() + "/tiny-jsb.json";
    {
        std::string piece = "[";
        for (int t = 0; t < 24; ++t)
            piece += std::string(t ? "," : "") + (t % 2 ? "[62,65,69]" : "[60,64,67]");
        piece += "]";
        std::ofstream(data) << "{\"train\": [" << piece << "," << piece << "], \"valid\": ["
                            << piece << "], \"test\": [" << piece << "]}";
    }
    const std::string base = "eval-jsb --data " + data +
                             " --train --model lstm --hidden 8 --epochs 1 --steps-per-epoch 1 "
                             "--threads 1 ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "training LSTM 1x8 on the train split"},
        {"--lookback on ", "training LSTM 1x8, lookback on the train split"}};
    for (const auto& [flags, expected] : cases) {
        const RunResult r = runCli(base + flags);
        ASSERT_EQ(r.exitCode, 0) << flags << r.err;
        EXPECT_NE(r.out.find(expected), std::string::npos) << flags << "\n" << r.out;
    }
}

TEST(CliMl, EvalPrintsNllPerFileAndTotal) {
    const std::string model = tempDir() + "/markov-eval.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    RunResult e = runCli("eval --model " + model + " " + songFolder() + "/song1.mid");
    ASSERT_EQ(e.exitCode, 0) << e.err;
    std::smatch m;
    const std::string line = lastLine(e.out);
    ASSERT_TRUE(std::regex_search(line, m, std::regex("frame-nll ([0-9.]+)"))) << e.out;
    const double nll = std::stod(m[1]);
    EXPECT_GT(nll, 0.0);
    EXPECT_LT(nll, 10.0) << "the model should know a file it was trained on";
}

// A folder of files is scored whole: none is held back for validation, and a refused file is
// named with its reason and counted (it once scored 153 of 154 files and said nothing).
TEST(CliMl, EvalAccountsForEveryFileInAFolder) {
    const std::string model = tempDir() + "/markov-eval-folder.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    const std::string folder = tempDir() + "/eval-folder";
    std::filesystem::create_directories(folder);
    for (const auto& entry : std::filesystem::directory_iterator(songFolder()))
        std::filesystem::copy_file(entry.path(), folder + "/" + entry.path().filename().string(),
                                   std::filesystem::copy_options::overwrite_existing);
    std::ofstream(folder + "/broken.mid", std::ios::binary) << "MThd but not really";
    const RunResult e = runCli("eval --model " + model + " " + folder);
    ASSERT_EQ(e.exitCode, 0) << e.err;
    for (int i = 0; i < 6; ++i)
        EXPECT_NE(e.out.find("song" + std::to_string(i) + ".mid: "), std::string::npos) << e.out;
    EXPECT_EQ(lastLine(e.out).rfind("total: 6 files (1 refused, see above), ", 0), 0u) << e.out;
    EXPECT_NE(e.err.find("broken.mid: "), std::string::npos) << e.err;
}

// eval --metrics judges any kind by its continuations' music, as a GAN is judged; --training
// gives the copy rates (the reference bars, taken from the training songs themselves, are all
// found there).
TEST(CliMl, EvalMetricsJudgesAnyKindByItsContinuations) {
    const std::string model = tempDir() + "/markov-metrics.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    const RunResult plain = runCli("eval --model " + model + " " + songFolder());
    ASSERT_EQ(plain.exitCode, 0) << plain.err;
    EXPECT_EQ(plain.out.find("closeness"), std::string::npos) << plain.out;
    const RunResult e = runCli("eval --metrics --temperature 0.8 --top-p 0.9 --training " +
                               songFolder() + " --model " + model + " " + songFolder());
    ASSERT_EQ(e.exitCode, 0) << e.err;
    EXPECT_NE(e.out.find("groove-consistency"), std::string::npos) << e.out;
    EXPECT_NE(e.out.find("reference 1.000"), std::string::npos) << e.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(e.out, m, std::regex("closeness ([0-9.]+)"))) << e.out;
    EXPECT_GT(std::stod(m[1]), 0.0);
    EXPECT_LE(std::stod(m[1]), 1.0);
    EXPECT_EQ(lastLine(e.out).rfind("total: 6 files, ", 0), 0u) << "the NLL follows";
    EXPECT_EQ(
        runCli("eval --metrics --temperature 0 --model " + model + " " + songFolder()).exitCode, 2);
    // Training files that cannot be read are said, not left out of the copy rate in silence.
    const std::string missing = tempDir() + "/no-such-training-folder";
    const RunResult noTraining =
        runCli("eval --metrics --training " + missing + " --model " + model + " " + songFolder());
    EXPECT_EQ(noTraining.exitCode, 2);
    EXPECT_NE(noTraining.err.find("no usable MIDI files in --training " + missing),
              std::string::npos)
        << noTraining.err;
    const RunResult withoutMetrics =
        runCli("eval --training " + songFolder() + " --model " + model + " " + songFolder());
    EXPECT_EQ(withoutMetrics.exitCode, 2);
    EXPECT_NE(withoutMetrics.err.find("--training is read with --metrics"), std::string::npos)
        << withoutMetrics.err;
}

// --rhythm-odds A,B[,R] or off sets the continuations' rhythm odds; anything else is refused with a
// message naming the flag (eval and generate read it the same way).
TEST(CliMl, RhythmOddsAreReadOrRefused) {
    const std::string model = tempDir() + "/markov-rhythm.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    for (const std::string odds : {"1.2,0.7", "off", "1,0", "1.2,0.7,0.1"}) {
        const RunResult ok = runCli("eval --metrics --rhythm-odds " + odds + " --model " + model +
                                    " " + songFolder());
        EXPECT_EQ(ok.exitCode, 0) << odds << ": " << ok.err;
    }
    const std::string out = tempDir() + "/rhythm.mid";
    for (const std::string odds : {"1,x", "2", "1,-1", "1,0.5,300", "1,0.5,0.1,2", "200,1"}) {
        const RunResult bad = runCli("eval --metrics --rhythm-odds " + odds + " --model " + model +
                                     " " + songFolder());
        EXPECT_EQ(bad.exitCode, 2) << odds;
        EXPECT_NE(bad.err.find("--rhythm-odds: '" + odds + "' is not two odds"), std::string::npos)
            << bad.err;
        const RunResult generate = runCli("generate --bars 2 --rhythm-odds " + odds + " --model " +
                                          model + " --out " + out);
        EXPECT_EQ(generate.exitCode, 2) << odds;
        EXPECT_NE(generate.err.find("--rhythm-odds: '" + odds + "'"), std::string::npos)
            << generate.err;
    }
}

// --key-odds is read or refused with what it wants, in eval and generate alike; --sampling-seed
// draws the metrics' continuations anew (the same seed, the same takes).
TEST(CliMl, KeyOddsAndSamplingSeedAreReadOrRefused) {
    const std::string model = tempDir() + "/markov-key.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    for (const std::string odds : {"0.5", "off", "0"}) {
        const RunResult ok =
            runCli("eval --metrics --key-odds " + odds + " --model " + model + " " + songFolder());
        EXPECT_EQ(ok.exitCode, 0) << odds << ": " << ok.err;
    }
    const std::string out = tempDir() + "/key.mid";
    for (const std::string odds : {"x", "-1", "200", "0.5,1"}) {
        const RunResult bad =
            runCli("eval --metrics --key-odds " + odds + " --model " + model + " " + songFolder());
        EXPECT_EQ(bad.exitCode, 2) << odds;
        EXPECT_NE(bad.err.find("--key-odds: '" + odds + "' is not odds"), std::string::npos)
            << bad.err;
        const RunResult generate =
            runCli("generate --bars 2 --key-odds " + odds + " --model " + model + " --out " + out);
        EXPECT_EQ(generate.exitCode, 2) << odds;
        EXPECT_NE(generate.err.find("--key-odds: '" + odds + "'"), std::string::npos)
            << generate.err;
    }
    const auto takes = [&](const std::string& seed) {
        const std::string dir = tempDir() + "/seed-takes-" + seed;
        std::filesystem::remove_all(dir);
        const RunResult e = runCli("eval --metrics --sampling-seed " + seed + " --takes-out " +
                                   dir + " --model " + model + " " + songFolder());
        EXPECT_EQ(e.exitCode, 0) << e.err;
        std::string all;
        for (int i = 1; i <= 9; ++i) { // as many as there are
            std::ifstream in(dir + "/take-00" + std::to_string(i) + ".mid", std::ios::binary);
            all += std::string(std::istreambuf_iterator<char>(in), {});
        }
        return all;
    };
    const std::string first = takes("1");
    EXPECT_FALSE(first.empty());
    EXPECT_EQ(takes("1"), first);
    EXPECT_NE(takes("500"), first);
}

// --windows N: how many windows the metrics continue (50 unless given; as many as there are at
// most), refused when not a count.
TEST(CliMl, MetricsReadAsManyWindowsAsAskedFor) {
    const std::string model = tempDir() + "/markov-windows.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    const std::string eval = "eval --metrics --model " + model + " ";
    const RunResult three = runCli(eval + "--windows 3 " + songFolder());
    ASSERT_EQ(three.exitCode, 0) << three.err;
    EXPECT_NE(three.out.find("metrics: 3 continuations of 4 bars"), std::string::npos) << three.out;
    const RunResult all = runCli(eval + songFolder());
    ASSERT_EQ(all.exitCode, 0) << all.err;
    EXPECT_EQ(all.out.find("metrics: 3 continuations"), std::string::npos) << all.out;
    const RunResult none = runCli(eval + "--windows 0 " + songFolder());
    EXPECT_EQ(none.exitCode, 2);
    EXPECT_NE(none.err.find("--windows"), std::string::npos) << none.err;
}

// --takes-out writes what the metrics judged: each one-bar primer and the four bars that
// continue it, one MIDI file per continuation, in the songs' metre.
TEST(CliMl, EvalWritesTheContinuationsItJudged) {
    const std::string model = tempDir() + "/markov-takes.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    const std::string dir = tempDir() + "/eval-takes";
    std::filesystem::remove_all(dir);
    const RunResult e =
        runCli("eval --metrics --takes-out " + dir + " --model " + model + " " + songFolder());
    ASSERT_EQ(e.exitCode, 0) << e.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(e.out, m, std::regex("metrics: ([0-9]+) continuations")))
        << e.out;
    const int continuations = std::stoi(m[1]);
    EXPECT_GT(continuations, 0);
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        files += entry.path().extension() == ".mid";
    EXPECT_EQ(files, continuations);
    const RunResult take = runCli("inspect --json " + dir + "/take-001.mid");
    ASSERT_EQ(take.exitCode, 0) << take.err;
    const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(take.out)).object();
    const QJsonObject metre = json["timeSignatures"].toArray()[0].toObject();
    EXPECT_EQ(metre["numerator"].toInt(), 4);
    EXPECT_EQ(metre["denominator"].toInt(), 4);
    int inPrimer = 0, after = 0;
    long end = 0;
    for (const QJsonValue& n : json["notes"].toArray()) {
        (n["startTick"].toInt() < 1920 ? inPrimer : after) += 1;
        end = std::max<long>(end, n["endTick"].toInt());
    }
    EXPECT_GT(inPrimer, 0) << "the primer's bar";
    EXPECT_GT(after, 0) << "the continuation";
    EXPECT_LE(end, 5 * 1920) << "one bar of primer and four continued";
    // A folder that cannot be made is refused before any work, naming it; so is --takes-out
    // where no continuations are written.
    const std::string underAFile = songFolder() + "/song0.mid/takes";
    const RunResult blocked = runCli("eval --metrics --takes-out " + underAFile + " --model " +
                                     model + " " + songFolder());
    EXPECT_EQ(blocked.exitCode, 2);
    EXPECT_NE(blocked.err.find("--takes-out " + underAFile + ": "), std::string::npos)
        << blocked.err;
    const RunResult noMetrics =
        runCli("eval --takes-out " + dir + " --model " + model + " " + songFolder());
    EXPECT_EQ(noMetrics.exitCode, 2);
    EXPECT_NE(noMetrics.err.find("--takes-out is read with --metrics"), std::string::npos)
        << noMetrics.err;
}

// metrics compares two sets piece by piece; --excerpts first cuts both the way eval --metrics
// cuts its reference (the bars after one-bar primers), so that real music can be scored as a
// model's continuations are.
TEST(CliMl, MetricsComparesTwoSetsWholeOrInExcerpts) {
    const RunResult whole =
        runCli("metrics --json --reference " + songFolder() + " --generated " + songFolder());
    ASSERT_EQ(whole.exitCode, 0) << whole.err;
    const QJsonObject report =
        QJsonDocument::fromJson(QByteArray::fromStdString(whole.out)).object();
    EXPECT_EQ(report["referencePieces"].toInt(), 6);
    const QJsonArray metrics = report["metrics"].toArray();
    ASSERT_EQ(metrics.size(), 10);
    for (const QJsonValue& m : metrics) // the same pieces on both sides
        EXPECT_NEAR(m["overlap"].toDouble(), 1.0, 1e-3) << m["name"].toString().toStdString();

    // Six songs of eight bars: two windows of a primer bar and two bars each.
    const RunResult cut =
        runCli("metrics --excerpts 2 --reference " + songFolder() + " --generated " + songFolder());
    ASSERT_EQ(cut.exitCode, 0) << cut.err;
    EXPECT_NE(cut.out.find("pieces: 12 reference, 12 generated"), std::string::npos) << cut.out;
    // A JSB-style file gives the reference one split and the generated set another.
    const std::string json = tempDir() + "/splits.json";
    std::ofstream(json) << R"({"train": [[[60, 64], [62], [64, 67]], [[55], [57, 60]]],
                               "valid": [], "test": [[[48, 52, 55], [50]]]})";
    const RunResult splits =
        runCli("metrics --reference " + json + " --generated " + json + " --generated-split train");
    ASSERT_EQ(splits.exitCode, 0) << splits.err;
    EXPECT_NE(splits.out.find("pieces: 1 reference, 2 generated"), std::string::npos) << splits.out;
    EXPECT_EQ(
        runCli("metrics --reference " + json + " --generated " + json + " --generated-split all")
            .exitCode,
        2);
    const RunResult bad =
        runCli("metrics --excerpts 0 --reference " + songFolder() + " --generated " + songFolder());
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("--excerpts must be a whole number from 1"), std::string::npos)
        << bad.err;
}

TEST(CliMl, BadModelFilesAndBadInputsAreRefused) {
    const std::string bad = tempDir() + "/bad.tcm";
    std::ofstream(bad, std::ios::binary) << "TORCHESTRA-MODEL but then nothing useful";
    RunResult g = runCli("generate --model " + bad + " --out " + tempDir() + "/x.mid");
    EXPECT_EQ(g.exitCode, 2);
    EXPECT_EQ(lineCount(g.err), 1) << g.err;
    EXPECT_NE(g.err.find(bad), std::string::npos) << g.err;
    RunResult t = runCli("train --model markov --out " + tempDir() + "/y.tcm " + tempDir() +
                         "/no-such-folder");
    EXPECT_EQ(t.exitCode, 2);
    EXPECT_EQ(runCli("train --model gan --out y.tcm x.mid").exitCode, 2); // no such file
    EXPECT_EQ(runCli("train --model wavenet --out y.tcm x.mid").exitCode, 2);
    EXPECT_EQ(runCli("train --model gan --bar-steps 6 --out y.tcm x.mid").exitCode, 2);
    EXPECT_EQ(runCli("generate --model m.tcm --key H:major --out x.mid").exitCode, 2);
    for (const char* flag : {"hold", "lookback", "optimizer-state"}) {
        const RunResult onOff =
            runCli(std::string("train --model lstm --") + flag + " maybe --out y.tcm x.mid");
        EXPECT_EQ(onOff.exitCode, 2);
        EXPECT_NE(onOff.err.find(std::string("--") + flag + " must be on or off (got 'maybe')"),
                  std::string::npos)
            << onOff.err;
    }
    // refused before any training, not after it
    const RunResult split = runCli("eval-jsb --train --model markov --split train");
    EXPECT_EQ(split.exitCode, 2);
    EXPECT_NE(split.err.find("--split"), std::string::npos) << split.err;
    // A rate that falls to the time limit needs one; a schedule it does not know is refused.
    const RunResult cosine = runCli("train --model lstm --lr-schedule cosine --out y.tcm x.mid");
    EXPECT_EQ(cosine.exitCode, 2);
    EXPECT_NE(cosine.err.find("--max-minutes"), std::string::npos) << cosine.err;
    EXPECT_EQ(
        runCli("train --model lstm --lr-schedule fast --max-minutes 1 --out y.tcm x.mid").exitCode,
        2);
}

TEST(CliMl, EvalJsbMarkovLandsBetweenTheTrivialAndPublishedNumbers) {
    if (!std::filesystem::exists(TORCHESTRA_JSB_DIR))
        GTEST_SKIP() << "JSB data not found at " << TORCHESTRA_JSB_DIR;
    RunResult r =
        runCli("eval-jsb --data " + std::string(TORCHESTRA_JSB_DIR) + " --train --model markov");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::smatch m;
    const std::string line = lastLine(r.out);
    ASSERT_TRUE(std::regex_match(line, m, std::regex("test-nll ([0-9]+\\.[0-9]+)"))) << r.out;
    const double nll = std::stod(m[1]);
    // Trivial per-pitch baselines score 10.49-11.06 on this split; a frame n-gram does better.
    EXPECT_LT(nll, 10.0);
    EXPECT_GT(nll, 5.0);
    EXPECT_NE(r.out.find("4648"), std::string::npos) << "Bai et al. score 4,648 test frames";
}

TEST(CliMl, TracksToLearnFromAndToPrimeWithAreChosenByIndex) {
    model::Song song = cMajorSong(1, 4);
    model::Track bass;
    bass.properties.name = "Bass";
    const model::TrackId id = song.addTrack(bass);
    song.addNotes(id, {makeNote(0, 1920, 28, 90, 1), makeNote(1920, 1920, 31, 90, 1)});
    const std::string file = tempDir() + "/two-tracks.mid";
    ASSERT_EQ(midi::writeMidiFile(file, song), "");
    const std::string model = tempDir() + "/bass-only.tcm";
    RunResult t = runCli("train --model markov --tracks 1 --out " + model + " " + file);
    ASSERT_EQ(t.exitCode, 0) << t.err;
    EXPECT_NE(t.out.find("tracks 1,"), std::string::npos) << t.out;
    // Resumed without --tracks, it keeps to the tracks it learned from (kept in its metadata).
    const std::string resumed = tempDir() + "/bass-resumed.tcm";
    RunResult rt = runCli("train --resume " + model + " --out " + resumed + " " + file);
    ASSERT_EQ(rt.exitCode, 0) << rt.err;
    EXPECT_NE(rt.out.find("tracks 1,"), std::string::npos) << rt.out;
    const std::string out = tempDir() + "/bass-gen.mid";
    RunResult g =
        runCli("generate --model " + model + " --prime " + file +
               " --prime-bars 1-2 --prime-tracks 1 --bars 2 --temperature 0.2 --out " + out);
    ASSERT_EQ(g.exitCode, 0) << g.err;
    midi::ReadResult r = midi::readMidiFile(out);
    ASSERT_TRUE(r.ok) << r.error;
    for (const model::Note& n : r.song.trackAt(0).notes())
        EXPECT_LT(n.pitch, 40) << "the primer holds only the chosen (bass) track";
    EXPECT_EQ(r.song.trackAt(0).noteCount(), 2u);
    for (const model::Note& n : r.song.trackAt(1).notes())
        EXPECT_LT(n.pitch, 40) << "a model of the bass track alone generates bass notes";
    EXPECT_EQ(runCli("train --model markov --tracks x --out y.tcm " + file).exitCode, 2);
}

// `train --resume` goes on at the checkpoint's learning rate; with --lr it starts at that one.
// The saved history shows the rate of every epoch.
TEST(CliMl, ResumeKeepsTheRateUnlessLrIsGiven) {
    const std::string tiny = " --epochs 1 --steps-per-epoch 4 --batch 2 --window 32 --threads 1 ";
    const std::string first = tempDir() + "/lstm-rate.tcm";
    RunResult t = runCli("train --model lstm --hidden 8 --layers 1 --lr 0.002" + tiny + "--out " +
                         first + " " + songFolder());
    ASSERT_EQ(t.exitCode, 0) << t.err;
    const std::vector<double> before = historyRates(first);
    ASSERT_EQ(before.size(), 1u) << "history of " << first;
    EXPECT_DOUBLE_EQ(before[0], 0.002);

    const std::string kept = tempDir() + "/lstm-rate-kept.tcm";
    RunResult k = runCli("train --resume " + first + tiny + "--out " + kept + " " + songFolder());
    ASSERT_EQ(k.exitCode, 0) << k.err;
    const std::vector<double> keptRates = historyRates(kept);
    ASSERT_EQ(keptRates.size(), 2u) << "history of " << kept;
    EXPECT_DOUBLE_EQ(keptRates[1], 0.002);

    const std::string given = tempDir() + "/lstm-rate-given.tcm";
    RunResult g = runCli("train --resume " + first + " --lr 0.0005" + tiny + "--out " + given +
                         " " + songFolder());
    ASSERT_EQ(g.exitCode, 0) << g.err;
    const std::vector<double> givenRates = historyRates(given);
    ASSERT_EQ(givenRates.size(), 2u) << "history of " << given;
    EXPECT_DOUBLE_EQ(givenRates[0], 0.002);
    EXPECT_DOUBLE_EQ(givenRates[1], 0.0005);
}

// --max-minutes trains by time with the defaults the Train panel's "Train for" uses
// (ml::defaultTrainOptions(kind, minutes)): no epoch count ends it, so tiny epochs run past the
// 30 that end a run without a budget; --epochs still caps a budgeted run. Without a budget a
// run ends after 30 epochs or 15 minutes. Each says how it will end before it starts.
TEST(CliMl, MaxMinutesTrainsByTimeNotEpochs) {
    const std::string tiny = " --model rnn --hidden 8 --layers 1 --steps-per-epoch 1 --batch 2 "
                             "--window 16 --threads 1 --patience 100000 ";
    const std::string patience = " or 100000 epochs without a better validation score, "
                                 "whichever comes first";
    const std::string timed = tempDir() + "/rnn-timed.tcm";
    RunResult t = runCli("train" + tiny + "--max-minutes 0.1 --out " + timed + " " + songFolder());
    ASSERT_EQ(t.exitCode, 0) << t.err;
    EXPECT_GT(historyRates(timed).size(), 30u) << t.err;
    EXPECT_NE(t.err.find("training until 0.1 minutes" + patience), std::string::npos) << t.err;
    const std::string capped = tempDir() + "/rnn-capped.tcm";
    RunResult c = runCli("train" + tiny + "--max-minutes 0.1 --epochs 3 --out " + capped + " " +
                         songFolder());
    ASSERT_EQ(c.exitCode, 0) << c.err;
    EXPECT_EQ(historyRates(capped).size(), 3u);
    EXPECT_NE(c.err.find("training until 3 epochs, 0.1 minutes" + patience), std::string::npos)
        << c.err;
    const std::string plain = tempDir() + "/rnn-plain.tcm";
    RunResult d = runCli("train" + tiny + "--out " + plain + " " + songFolder());
    ASSERT_EQ(d.exitCode, 0) << d.err;
    EXPECT_EQ(historyRates(plain).size(), 30u);
    EXPECT_NE(d.err.find("training until 30 epochs, 15 minutes" + patience), std::string::npos)
        << d.err;
}

// The GAN through the user's commands: train on a folder, continue a primer, rewrite bars of a
// song in place (infill: the bar after the gap is kept in the file), and eval, which prints
// the music's metrics instead of an NLL and says so.
TEST(CliMl, GanTrainsContinuesRegeneratesAndEvaluatesByItsMusic) {
    const std::string model = tempDir() + "/gan.tcm";
    RunResult train = runCli("train --model gan --hidden 32 --noise 16 --epochs 2 "
                             "--steps-per-epoch 3 --batch 16 --threads 1 --out " +
                             model + " " + songFolder());
    ASSERT_EQ(train.exitCode, 0) << train.err;
    EXPECT_NE(train.out.find("GAN width 32, noise 16, bars of 16 steps"), std::string::npos)
        << train.out;
    EXPECT_NE(train.out.find("best validation closeness"), std::string::npos) << train.out;

    const std::string prime = songFolder() + "/song1.mid";
    const std::string out = tempDir() + "/gan-gen.mid";
    RunResult g = runCli("generate --model " + model + " --prime " + prime +
                         " --prime-bars 1-2 --bars 3 --variations 2 --seed 5 --out " + out);
    ASSERT_EQ(g.exitCode, 0) << g.err;
    midi::ReadResult r = midi::readMidiFile(out);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.trackCount(), 3u);
    for (std::size_t v = 1; v < 3; ++v)
        for (const model::Note& n : r.song.trackAt(v).notes()) {
            EXPECT_GE(n.start, 2 * 1920);
            EXPECT_LT(n.start, 5 * 1920);
        }

    const std::string infill = tempDir() + "/gan-infill.mid";
    RunResult i = runCli("generate --model " + model + " --prime " + prime +
                         " --regenerate 4-5 --variations 2 --seed 5 --out " + infill);
    ASSERT_EQ(i.exitCode, 0) << i.err;
    EXPECT_NE(i.out.find("2 bars rewritten after 3 primer bars"), std::string::npos) << i.out;
    r = midi::readMidiFile(infill);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.trackCount(), 3u);
    // The original around the gap: bars 1-3 and bar 6, nothing of bars 4-5 (file starts at bar 1).
    bool after = false;
    for (const model::Note& n : r.song.trackAt(0).notes()) {
        EXPECT_TRUE(n.start < 3 * 1920 || n.start >= 5 * 1920) << n.start;
        after = after || n.start >= 5 * 1920;
    }
    EXPECT_TRUE(after) << "the bar after the gap is missing";
    for (const model::Note& n : r.song.trackAt(1).notes()) {
        EXPECT_GE(n.start, 3 * 1920);
        EXPECT_LT(n.start, 5 * 1920);
    }
    EXPECT_EQ(runCli("generate --model " + model + " --regenerate 2 --out " + infill).exitCode, 2);

    // The harmony plan's draw, given (SampleRequest::harmonyProgressions): on or off.
    for (const std::string draw : {"on", "off"}) {
        const RunResult p = runCli("generate --model " + model + " --prime " + prime +
                                   " --bars 3 --progressions " + draw + " --out " + out);
        EXPECT_EQ(p.exitCode, 0) << draw << ": " << p.err;
    }
    // The cap and floor on notes at once, the hold odds and the shortest note, given over the
    // model's own choices.
    const RunResult given = runCli("generate --model " + model + " --prime " + prime +
                                   " --bars 3 --max-poly 3 --hold-odds 2.5 --min-note 2 --min-poly "
                                   "2 --harmony-guidance 1.5 --out " +
                                   out);
    EXPECT_EQ(given.exitCode, 0) << given.err;
    for (const std::string flag : {"--hold-odds 0", "--min-poly 200", "--harmony-guidance 5",
                                   "--min-note 0", "--min-note quarter"}) {
        const RunResult refused = runCli("generate --model " + model + " --prime " + prime + " " +
                                         flag + " --out " + out);
        EXPECT_EQ(refused.exitCode, 2) << refused.out;
        EXPECT_NE(refused.err.find(flag.substr(0, flag.find(' '))), std::string::npos)
            << refused.err;
    }
    const RunResult bad =
        runCli("eval --metrics --progressions yes --model " + model + " " + songFolder());
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("--progressions must be on or off (got 'yes')"), std::string::npos)
        << bad.err;

    RunResult e = runCli("eval --model " + model + " " + songFolder());
    ASSERT_EQ(e.exitCode, 0) << e.err;
    EXPECT_NE(e.out.find("no likelihood"), std::string::npos) << e.out;
    EXPECT_NE(e.out.find("used-pitch-classes"), std::string::npos) << e.out;
    EXPECT_NE(e.out.find("closeness "), std::string::npos) << e.out;
}

// The numbers the Generate panel shows, one "take N:" line per variation, after the lines
// scripts read ("variation N: K notes" first, "wrote ..." last), which stay as they were.
TEST(CliMl, GeneratePrintsEachTakesNumbers) {
    const std::string model = tempDir() + "/markov-numbers.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + songFolder()).exitCode, 0);
    const std::string gen = "generate --model " + model + " --prime " + songFolder() +
                            "/song0.mid --prime-bars 1-2 --bars 4 --variations 3 --seed 3 --out " +
                            tempDir() + "/numbers.mid";
    const RunResult g = runCli(gen);
    ASSERT_EQ(g.exitCode, 0) << g.err;
    EXPECT_NE(g.out.find("numbers: closeness against 30 windows of 4 bars from 6 training files\n"),
              std::string::npos)
        << g.out; // 6 files of 8 bars: 5 four-bar windows each
    for (int v = 1; v <= 3; ++v) {
        std::smatch m;
        const std::regex line("(^|\n)take " + std::to_string(v) +
                              ": closeness ([0-9.]+), nll ([0-9.]+) nats/step, (no verbatim "
                              "copy|copies bars ([3-6])-([4-6]) of the training data \\(\\d+ of "
                              "\\d+ 2-bar windows\\))\n");
        ASSERT_TRUE(std::regex_search(g.out, m, line)) << g.out;
        EXPECT_GE(std::stod(m[2]), 0.0);
        EXPECT_LE(std::stod(m[2]), 1.0);
        EXPECT_GT(std::stod(m[3]), 0.0);
        EXPECT_NE(g.out.find("variation " + std::to_string(v) + ": "), std::string::npos);
    }
    EXPECT_EQ(lastLine(g.out).rfind("wrote ", 0), 0u) << g.out;

    const RunResult quiet = runCli(gen + " --no-numbers");
    ASSERT_EQ(quiet.exitCode, 0) << quiet.err;
    EXPECT_EQ(quiet.out.find("take 1:"), std::string::npos) << quiet.out;
    EXPECT_EQ(quiet.out.find("numbers:"), std::string::npos) << quiet.out;
}

TEST(CliMl, GenerateSaysWhenTheTrainingFilesAreGone) {
    const std::string folder = tempDir() + "/soon-gone";
    std::filesystem::create_directories(folder);
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(midi::writeMidiFile(folder + "/s" + std::to_string(i) + ".mid", cMajorSong(i, 4)),
                  "");
    const std::string model = tempDir() + "/markov-gone.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + folder).exitCode, 0);
    std::filesystem::remove_all(folder);
    const RunResult g = runCli("generate --model " + model + " --bars 2 --variations 2 --out " +
                               tempDir() + "/gone.mid");
    ASSERT_EQ(g.exitCode, 0) << g.err;
    EXPECT_NE(g.out.find("numbers: training files not found: closeness unavailable\n"),
              std::string::npos)
        << g.out;
    for (const char* take : {"take 1: ", "take 2: "}) {
        std::smatch m;
        const std::regex line(std::string(take) +
                              "closeness unavailable, nll ([0-9.]+) nats/step, copies unchecked\n");
        EXPECT_TRUE(std::regex_search(g.out, m, line)) << g.out;
    }
}
