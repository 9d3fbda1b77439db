// Runs the real torchestra-cli binary, as other tools do, and checks its output and exit codes.
#include "CliTestUtil.h"

using namespace torchestra;

using namespace torchestra::clitest;

TEST(Cli, InspectJsonHasTheContractShape) {
    const std::string path = writeSong("one-note.mid", twoTrackSong());
    RunResult r = runCli("inspect --json " + path);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, "{\"format\":1,\"ppq\":480,\"tracks\":2,"
                     "\"tempos\":[{\"tick\":0,\"usPerQuarter\":500000}],"
                     "\"timeSignatures\":[{\"tick\":0,\"numerator\":4,\"denominator\":4}],"
                     "\"notes\":[{\"track\":1,\"channel\":0,\"pitch\":60,\"velocity\":100,"
                     "\"startTick\":0,\"endTick\":480}],"
                     "\"warnings\":[]}\n");
}

TEST(Cli, InspectJsonSortsNotesByTrackStartChannelPitchEnd) {
    model::Song song = twoTrackSong();
    const model::TrackId piano = song.trackIdAt(1);
    song.addNotes(piano, {makeNote(0, 100, 50, 90, 3), makeNote(0, 50, 60, 80),
                          makeNote(0, 200, 59, 70), makeNote(10, 10, 1, 1)});
    model::Track extra;
    model::TrackId third = song.addTrack(extra);
    song.addNotes(third, {makeNote(0, 10, 30, 10)});
    RunResult r = runCli("inspect --json " + writeSong("order.mid", song));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string expected =
        "\"notes\":["
        "{\"track\":1,\"channel\":0,\"pitch\":59,\"velocity\":70,\"startTick\":0,\"endTick\":200},"
        "{\"track\":1,\"channel\":0,\"pitch\":60,\"velocity\":80,\"startTick\":0,\"endTick\":50},"
        "{\"track\":1,\"channel\":0,\"pitch\":60,\"velocity\":100,\"startTick\":0,\"endTick\":480},"
        "{\"track\":1,\"channel\":3,\"pitch\":50,\"velocity\":90,\"startTick\":0,\"endTick\":100},"
        "{\"track\":1,\"channel\":0,\"pitch\":1,\"velocity\":1,\"startTick\":10,\"endTick\":20},"
        "{\"track\":2,\"channel\":0,\"pitch\":30,\"velocity\":10,\"startTick\":0,\"endTick\":10}]";
    EXPECT_NE(r.out.find(expected), std::string::npos) << r.out;
}

TEST(Cli, InspectReportsWarningsInJson) {
    // A note that is never switched off: the file loads, with a warning.
    const std::string bytes = std::string("MThd\0\0\0\6\0\0\0\1\1\xe0", 14) +
                              std::string("MTrk\0\0\0\x08\0\x90\x3c\x64\0\xff\x2f\0", 16);
    const std::string path = tempDir() + "/hanging.mid";
    std::ofstream(path, std::ios::binary) << bytes;
    RunResult r = runCli("inspect --json " + path);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("\"warnings\":[\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"pitch\":60"), std::string::npos) << r.out;
}

TEST(Cli, InspectRefusesGarbageWithExitTwoAndOneLine) {
    const std::string path = tempDir() + "/not-midi.mid";
    std::ofstream(path, std::ios::binary) << "\x89PNG\r\n\x1a\n this is not a MIDI file";
    RunResult r = runCli("inspect --json " + path);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(lineCount(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST(Cli, InspectMissingFileIsRefused) {
    RunResult r = runCli("inspect " + tempDir() + "/no-such-file.mid");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(lineCount(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("no-such-file.mid"), std::string::npos) << r.err;
}

TEST(Cli, InspectTextNamesTracksAndTempo) {
    RunResult r = runCli("inspect " + writeSong("text.mid", twoTrackSong()));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("Piano"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("120.00 BPM"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("4/4"), std::string::npos) << r.out;
}

TEST(Cli, ConvertRoundTripKeepsEverything) {
    const std::string in = writeSong("in.mid", twoTrackSong());
    const std::string out = tempDir() + "/out.mid";
    RunResult c = runCli("convert " + in + " " + out + " --no-running-status");
    ASSERT_EQ(c.exitCode, 0) << c.err;
    RunResult a = runCli("inspect --json " + in);
    RunResult b = runCli("inspect --json " + out);
    ASSERT_EQ(a.exitCode, 0);
    EXPECT_EQ(a.out, b.out);
}

TEST(Cli, ConvertToFormatZeroMergesTracks) {
    model::Song song = twoTrackSong();
    song.addNotes(song.trackIdAt(0), {makeNote(960, 10, 40, 50, 1)});
    const std::string in = writeSong("multi.mid", song);
    const std::string out = tempDir() + "/format0.mid";
    RunResult c = runCli("convert " + in + " " + out + " --format 0");
    ASSERT_EQ(c.exitCode, 0) << c.err;
    RunResult b = runCli("inspect --json " + out);
    ASSERT_EQ(b.exitCode, 0) << b.err;
    EXPECT_NE(b.out.find("{\"format\":0,\"ppq\":480,\"tracks\":1,"), std::string::npos) << b.out;
    EXPECT_NE(b.out.find("{\"track\":0,\"channel\":0,\"pitch\":60,\"velocity\":100,"
                         "\"startTick\":0,\"endTick\":480}"),
              std::string::npos)
        << b.out;
    EXPECT_NE(b.out.find("\"pitch\":40"), std::string::npos) << b.out;
}

TEST(Cli, EveryCommandAnswersHelpWithItsUsage) {
    for (const char* command : {"inspect", "convert", "train", "generate", "eval", "eval-jsb",
                                "metrics", "render", "play", "ports", "record", "soundfonts"}) {
        const RunResult r = runCli(std::string(command) + " --help");
        EXPECT_EQ(r.exitCode, 0) << command << ": " << r.err;
        EXPECT_EQ(r.out.rfind(std::string("usage: torchestra-cli ") + command + " ", 0), 0u)
            << command << ": " << r.out;
        EXPECT_EQ(r.err, "") << command;
    }
    const RunResult version = runCli("--version");
    EXPECT_EQ(version.exitCode, 0);
    EXPECT_EQ(version.out, std::string("torchestra-cli ") + TORCHESTRA_VERSION + "\n");
}

TEST(Cli, BadUsageExitsTwo) {
    EXPECT_EQ(runCli("").exitCode, 2);
    EXPECT_EQ(runCli("frobnicate").exitCode, 2);
    EXPECT_EQ(runCli("inspect").exitCode, 2);
    EXPECT_EQ(runCli("convert a.mid").exitCode, 2);
    EXPECT_EQ(runCli("convert a.mid b.mid --format 7").exitCode, 2);
    RunResult r = runCli("inspect --bogus x.mid");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--bogus"), std::string::npos);
    EXPECT_EQ(runCli("--help").exitCode, 0);
}
