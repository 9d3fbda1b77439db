// The built-in models (resources/models/, issue 12 item 2) through the real binary: generate
// with builtin:NAME from any working directory, `models`, a damaged installation's messages,
// and the two steps that train them (export-jsb, train --valid).
#include "CliTestUtil.h"

#include <filesystem>
#include <fstream>

using namespace torchestra::clitest;
namespace fs = std::filesystem;

namespace {

const char* const kBuiltins[] = {"bach-nade", "bach-gan", "bach-markov"};

// Two bars of four-part chords, as a user's selection might be.
std::string writePrime() {
    const model::Song song = ::torchestra::testkit::twoBarsOfChorale();
    return writeSong("prime.mid", song);
}

// The CLI run from the root folder, with its own empty user folders.
RunResult runFromRoot(const std::string& args, const std::string& cli = TORCHESTRA_CLI_PATH) {
    const std::string home = tempDir() + "/home";
    return runShell("cd / && TORCHESTRA_CONFIG_DIR='" + home + "/config' XDG_DATA_HOME='" + home +
                    "/data' '" + cli + "' " + args);
}

// A copy of the CLI in `prefix`/bin: an installation whose data folder the test controls.
std::string installedCli(const fs::path& prefix) {
    fs::create_directories(prefix / "bin");
    fs::create_directories(prefix / "share" / "torchestra" / "models");
    const fs::path cli = prefix / "bin" / "torchestra-cli";
    fs::copy_file(TORCHESTRA_CLI_PATH, cli, fs::copy_options::overwrite_existing);
    return cli.string();
}

fs::path builtinFile(const std::string& name) {
    return (fs::path(TORCHESTRA_CLI_PATH).parent_path() / "../share/torchestra/models" /
            (name + ".tcm"))
        .lexically_normal();
}

} // namespace

// A primer the reader had to repair (here cut short inside its track) still primes, and
// generate says what was recovered, naming the file, as convert, play and render do.
TEST(CliBuiltinModels, APrimerCutShortIsUsedWithItsWarnings) {
    const std::string prime = writePrime();
    const std::string bytes = slurp(prime);
    ASSERT_GT(bytes.size(), 60u);
    const std::string cut = tempDir() + "/prime-cut.mid";
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 20);
    const std::string out = tempDir() + "/cut-take.mid";
    const RunResult r = runFromRoot("generate --model builtin:bach-markov --prime '" + cut +
                                    "' --bars 1 --variations 1 --threads 1 --out '" + out + "'");
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("warning: " + cut + ": track "), std::string::npos) << r.err;
    EXPECT_TRUE(fs::exists(out));
}

TEST(CliBuiltinModels, EachGeneratesFourBarsAfterAPrimeFromAnyFolder) {
    const std::string prime = writePrime();
    for (const char* name : kBuiltins) {
        SCOPED_TRACE(name);
        const std::string out = tempDir() + "/" + name + "-take.mid";
        const RunResult r =
            runFromRoot("generate --model builtin:" + std::string(name) + " --prime '" + prime +
                        "' --bars 4 --variations 1 " + "--seed 3 --threads 1 --out '" + out + "'");
        ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
        EXPECT_NE(r.out.find("wrote " + out + ": 4 bars after 2 primer bars"), std::string::npos)
            << r.out;
        // Its training music is not shipped, and the numbers say that rather than "not found".
        EXPECT_NE(r.out.find("a built-in model: the music it learned from is not shipped"),
                  std::string::npos)
            << r.out;
        const midi::ReadResult take = midi::readMidiFile(out);
        ASSERT_TRUE(take.ok) << take.error;
        ASSERT_EQ(take.song.trackCount(), 2u); // the primer, then the variation
        EXPECT_EQ(take.song.trackAt(0).noteCount(), 32u);
        const model::Track& variation = take.song.trackAt(1);
        // Chorale-like music: several notes a bar, all in the four bars after the primer.
        EXPECT_GE(variation.noteCount(), 8u);
        variation.forEachNoteInRange(0, 1 << 30, [](const model::Note& n) {
            EXPECT_GE(n.start, 2 * 1920);
            EXPECT_LT(n.start, 6 * 1920);
            EXPECT_GE(n.pitch, 21);
            EXPECT_LE(n.pitch, 108);
        });
    }
}

// The built-in GAN samples as it chose on the valid chorales, its floor of three notes at once
// among them (SamplingCalibration::minPolyphony): the same draws without it (--min-poly 0)
// leave more steps of the take with a lone note.
TEST(CliBuiltinModels, TheGanSamplesWithTheFloorOnNotesAtOnceItChose) {
    const std::string prime = writePrime();
    const auto loneSteps = [&](const std::string& flags, std::string& said) {
        const std::string out = tempDir() + "/bach-gan-floor.mid";
        const RunResult r = runFromRoot("generate --model builtin:bach-gan --prime '" + prime +
                                        "' --bars 8 --variations 4 --seed 5 --threads 1 " + flags +
                                        " --out '" + out + "'");
        EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
        said = r.out;
        const midi::ReadResult take = midi::readMidiFile(out);
        EXPECT_TRUE(take.ok) << take.error;
        int lone = 0;
        for (std::size_t v = 1; v < take.song.trackCount(); ++v)
            for (model::Tick t = 2 * 1920; t < 10 * 1920; t += 120) { // the take's sixteenths
                int sounding = 0;
                take.song.trackAt(v).forEachNoteInRange(0, 1 << 30, [&](const model::Note& n) {
                    sounding += n.start <= t && t < n.end();
                });
                lone += sounding == 1;
            }
        return lone;
    };
    std::string chosen, given;
    const int withFloor = loneSteps("", chosen), without = loneSteps("--min-poly 0", given);
    EXPECT_NE(chosen.find("at least 3 notes at once where it sounds"), std::string::npos) << chosen;
    EXPECT_NE(given.find("but --min-poly as given"), std::string::npos) << given;
    EXPECT_GT(without, 0);
    EXPECT_LT(withFloor, without);
}

// With --min-note primer a take keeps its primer's pace: after a bar of quarter notes it
// writes no shorter note, save where the take's end cuts one; at any length it does.
TEST(CliBuiltinModels, TheGanCanKeepItsPrimersShortestNote) {
    const std::string prime = writePrime(); // quarter notes
    // Notes shorter than a beat that end before `end` (a bar's end cuts the notes it reaches).
    const auto shortNotes = [&](const std::string& minNote, const std::string& what,
                                model::Tick end) {
        const std::string out = tempDir() + "/bach-gan-pace.mid";
        const RunResult r = runFromRoot("generate --model builtin:bach-gan --prime '" + prime +
                                        "' " + what + " --variations 4 --seed 5 --threads 1 " +
                                        "--min-note " + minNote + " --out '" + out + "'");
        EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
        const midi::ReadResult take = midi::readMidiFile(out);
        EXPECT_TRUE(take.ok) << take.error;
        int notes = 0, shorter = 0;
        for (std::size_t v = 1; v < take.song.trackCount(); ++v)
            take.song.trackAt(v).forEachNoteInRange(0, end, [&](const model::Note& n) {
                ++notes;
                shorter += n.length < 480 && n.end() < end;
            });
        EXPECT_GT(notes, 4 * 4) << minNote << " " << what;
        return shorter;
    };
    // Eight bars after the primer's two.
    EXPECT_EQ(shortNotes("primer", "--bars 8", 10 * 1920), 0);
    EXPECT_GT(shortNotes("1", "--bars 8", 10 * 1920), 0);
    // The first bar written again: no bar before it, so the pace of the bar after.
    EXPECT_EQ(shortNotes("primer", "--regenerate 1", 1920), 0);
    EXPECT_GT(shortNotes("1", "--regenerate 1", 1920), 0);
}

TEST(CliBuiltinModels, ModelsListsTheBuiltInsAndTheUsersOwn) {
    // A model of the user's own, trained into the folder the workstation's library keeps.
    const std::string own = tempDir() + "/home/data/Torchestra/Torchestra/models/mine.tcm";
    fs::create_directories(fs::path(own).parent_path());
    const RunResult trained =
        runCli("train --model markov --out '" + own + "' '" + writePrime() + "'");
    ASSERT_EQ(trained.exitCode, 0) << trained.err;

    const RunResult r = runFromRoot("models");
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    const std::string builtinDir = builtinFile("x").parent_path().string();
    EXPECT_NE(r.out.find("built in (" + builtinDir + "/):"), std::string::npos) << r.out;
    for (const auto& [name, kind] : {std::pair<std::string, std::string>{"bach-nade", "LSTM "},
                                     {"bach-gan", "GAN width"},
                                     {"bach-markov", "MARKOV order"}}) {
        const auto at = r.out.find("  builtin:" + name + " ");
        ASSERT_NE(at, std::string::npos) << name << "\n" << r.out;
        const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
        EXPECT_NE(line.find(kind), std::string::npos) << line;
        EXPECT_NE(line.find(" MB  JSB Chorales train split: 229 Bach chorales"), std::string::npos)
            << line;
    }
    EXPECT_NE(r.out.find("NADE head"), std::string::npos) << r.out;
    const auto yours = r.out.find("yours (" + fs::path(own).parent_path().string() + "/):");
    ASSERT_NE(yours, std::string::npos) << r.out;
    const auto mine = r.out.find("  mine.tcm ", yours);
    ASSERT_NE(mine, std::string::npos) << r.out;
    EXPECT_NE(r.out.find("MARKOV order 2", mine), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 file (prime.mid)", mine), std::string::npos) << r.out;
}

TEST(CliBuiltinModels, AMissingOrDamagedBuiltInIsNamedWithItsFile) {
    const fs::path prefix = tempDir() + "/damaged";
    const std::string cli = installedCli(prefix);
    const fs::path models = prefix / "share" / "torchestra" / "models";
    // bach-nade damaged (one byte flipped), bach-gan missing, bach-markov intact.
    fs::copy_file(builtinFile("bach-nade"), models / "bach-nade.tcm");
    {
        std::fstream f(models / "bach-nade.tcm", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(2000);
        f.put('\x7f');
    }
    fs::copy_file(builtinFile("bach-markov"), models / "bach-markov.tcm");

    const std::string prime = writePrime();
    const std::string out = tempDir() + "/damaged.mid";
    RunResult r = runFromRoot("generate --model builtin:bach-nade --prime '" + prime +
                                  "' --bars 1 --out '" + out + "'",
                              cli);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("built-in model builtin:bach-nade: " +
                         (models / "bach-nade.tcm").string() + ": corrupt"),
              std::string::npos)
        << r.err;
    r = runFromRoot("generate --model builtin:bach-gan --out '" + out + "'", cli);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find((models / "bach-gan.tcm").string() + " not found"), std::string::npos)
        << r.err;
    r = runFromRoot("generate --model builtin:bach-bogus --out '" + out + "'", cli);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("no built-in model 'bach-bogus'"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));

    // `models` lists all three and fails, so an installation check notices.
    r = runFromRoot("models", cli);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.out.find("builtin:bach-markov    MARKOV"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("builtin:bach-gan       unreadable"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("2 built-in model(s) cannot be read"), std::string::npos) << r.err;
}

TEST(CliBuiltinModels, ExportJsbWritesHeldNotesAndTrainChoosesOnTheValidSplit) {
    // Sixteenth-note frames as in jsb-chorales-16th.json: C held three steps, E two, then F.
    const std::string json = tempDir() + "/tiny-jsb.json";
    std::ofstream(json) << R"({"train": [[[60, 64], [60, 64], [60, 65], [], [67]]],
                               "valid": [[[62], [62], [], [62]]], "test": [[[60]]]})";
    const std::string dir = tempDir() + "/tiny-jsb";
    for (const char* split : {"train", "valid"}) {
        const RunResult r = runCli("export-jsb --data '" + json + "' --split " + split +
                                   " --out '" + dir + "/" + split + "'");
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_NE(r.out.find("wrote 1 " + std::string(split) + " chorales"), std::string::npos)
            << r.out;
    }
    const midi::ReadResult train = midi::readMidiFile(dir + "/train/train-001.mid");
    ASSERT_TRUE(train.ok) << train.error;
    ASSERT_EQ(train.song.trackCount(), 1u);
    std::vector<std::tuple<int, int, int>> notes; // pitch, start, length in ticks
    train.song.trackAt(0).forEachNoteInRange(0, 1 << 30, [&](const model::Note& n) {
        notes.emplace_back(n.pitch, int(n.start), int(n.length));
        EXPECT_EQ(n.velocity, 80);
    });
    std::sort(notes.begin(), notes.end());
    const std::vector<std::tuple<int, int, int>> expected = {
        {60, 0, 360}, {64, 0, 240}, {65, 240, 120}, {67, 480, 120}};
    EXPECT_EQ(notes, expected);
    EXPECT_EQ(train.song.tempoMap().timeSignatureAt(0).numerator, 4);

    const RunResult r = runCli("train --model markov --out '" + dir + "/m.tcm' '" + dir +
                               "/train' --valid '" + dir + "/valid'");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // One file learned from, the --valid one held out (not a share of the inputs).
    EXPECT_NE(r.err.find("data: 2 of 2 files"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("(1 / 1 files)"), std::string::npos) << r.err;
    const RunResult both = runCli("train --model markov --out '" + dir + "/m.tcm' '" + dir +
                                  "/train' --valid '" + dir + "/valid' --valid-fraction 0.2");
    EXPECT_EQ(both.exitCode, 2);
}
