// The real torchestra-cli binary: render, play, ports and record, their exit codes and messages,
// and play -> record end to end through a JACK server.
#include "JackReceiver.h"
#include "JackServer.h"
#include "TestSongs.h"
#include "midi/MidiFile.h"
#include "playback/WavWriter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

struct CliRun {
    int exitCode = -1;
    std::string out, err;
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A folder for this process's files, removed at exit.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/torchestra-play-cli-XXXXXX";
        const char* d = mkdtemp(tmpl);
        path = d ? d : "";
    }
    ~TempDir() {
        if (!path.empty())
            std::filesystem::remove_all(path);
    }
};

std::string tempDir() {
    static const TempDir dir;
    return dir.path;
}

CliRun cli(const std::string& args, const std::string& tag = "run") {
    const std::string out = tempDir() + "/" + tag + ".out", err = tempDir() + "/" + tag + ".err";
    const std::string cmd =
        std::string(TORCHESTRA_CLI_PATH) + " " + args + " >" + out + " 2>" + err;
    CliRun r;
    const int status = std::system(cmd.c_str());
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

// A short two-track song with a tempo change, written as a MIDI file.
std::string songFile() {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(1920, 400000);
    song.setTempoMap(map);
    std::vector<model::Note> piano, drums;
    for (int i = 0; i < 16; ++i) {
        piano.push_back(makeNote(i * 240, 200, 60 + (i % 8)));
        drums.push_back(makeNote(i * 480, 60, 36 + (i % 2) * 2, 110, 9));
    }
    addTrack(song, "piano", 0, 0, piano);
    addTrack(song, "drums", 9, -1, drums);
    const std::string path = tempDir() + "/song.mid";
    EXPECT_EQ(midi::writeMidiFile(path, song), "");
    return path;
}

int countLines(const std::string& s) {
    return int(std::count(s.begin(), s.end(), '\n'));
}

} // namespace

TEST(CliRender, RendersAWavAndRefusesBadInput) {
    const std::string in = songFile();
    const std::string wav = tempDir() + "/out.wav";
    CliRun r = cli("render " + in + " " + wav + " --sample-rate 44100 --tail 1");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("wrote " + wav), std::string::npos) << r.out;
    WavData w = readWavFile(wav);
    ASSERT_TRUE(w.ok) << w.error;
    EXPECT_EQ(w.sampleRate, 44100);
    // The last drum hit ends at tick 7260: 4 beats at 120 BPM (2 s) + 11.125 beats at 150 BPM
    // (4.45 s), then the 1 s tail.
    EXPECT_NEAR(double(w.frames()) / 44100.0, 7.45, 0.01);

    r = cli("render " + in + " " + wav + " --soundfont /missing/GM.sf2");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(countLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("/missing/GM.sf2"), std::string::npos) << r.err;

    r = cli("render /missing/song.mid " + wav);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("/missing/song.mid"), std::string::npos) << r.err;

    r = cli("render " + in);
    EXPECT_EQ(r.exitCode, 2);
    r = cli("render " + in + " " + wav + " --sample-rate 1");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("sample-rate"), std::string::npos) << r.err;
}

TEST(CliPlay, BadUsageAndNoAudioAreReported) {
    CliRun r = cli("play");
    EXPECT_EQ(r.exitCode, 2);
    r = cli("play " + songFile() + " --loop-bars 4:2");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--loop-bars"), std::string::npos);
    r = cli("play " + songFile() + " --audio-driver no-such-driver");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("no-such-driver"), std::string::npos) << r.err;
    r = cli("play " + songFile() + " --midi-clock"); // clock for the built-in synth: no
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--midi-clock"), std::string::npos) << r.err;
    r = cli("record --seconds 1");
    EXPECT_EQ(r.exitCode, 2);
    r = cli("ports extra");
    EXPECT_EQ(r.exitCode, 2);
}

TEST(CliPlay, PlayToARecordingCliThroughJack) {
    if (JackServer::jackdPath().empty())
        GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
    JackServer server;
    ASSERT_EQ(server.start(), "");
    const std::string in = songFile();
    const std::string take = tempDir() + "/take.mid";
    CliRun rec;
    std::thread recorder([&] {
        rec = cli("record --virtual-in take --seconds 10 --out " + take + " --bpm 120", "rec");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    CliRun ports = cli("ports", "ports");
    EXPECT_EQ(ports.exitCode, 0);
    EXPECT_NE(ports.out.find(":take  (jack)"), std::string::npos) << ports.out;

    CliRun play = cli("play " + in + " --midi-out take", "play");
    EXPECT_EQ(play.exitCode, 0) << play.err;
    EXPECT_NE(play.out.find("(jack)"), std::string::npos) << play.out;
    recorder.join();
    ASSERT_EQ(rec.exitCode, 0) << rec.err;

    midi::ReadResult r = midi::readMidiFile(take);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.noteCount(), 32u);
    // The take keeps the song's rhythm: the piano notes sit 240 ticks apart in the first two
    // bars (120 BPM both), give or take a JACK period (about 5 ticks) at the median. Single notes
    // may be later when the loaded machine stalls the JACK graph; JackTest measures timing.
    std::vector<model::Note> piano;
    for (const auto& n : r.song.trackAt(0).notes())
        if (n.channel == 0)
            piano.push_back(n);
    ASSERT_EQ(piano.size(), 16u);
    std::vector<double> errors;
    for (std::size_t i = 1; i < 8; ++i)
        errors.push_back(std::fabs(double(piano[i].start - piano[0].start) - double(i) * 240.0));
    std::sort(errors.begin(), errors.end());
    EXPECT_LE(errors[errors.size() / 2], 6.0);
    EXPECT_LE(errors.back(), 120.0);
}

// `play --midi-clock`: a drum machine on the port follows the song (Start, 24 pulses a beat at
// the song's tempo, Stop when play ends).
TEST(CliPlay, SendsMidiClockToThePort) {
    if (JackServer::jackdPath().empty())
        GTEST_SKIP() << "jackd is not installed (apt-get install jackd1)";
    JackServer server;
    ASSERT_EQ(server.start(), "");
    Receiver follower(true);
    CliRun play =
        cli("play " + songFile() + " --midi-out " + follower.portName() + " --midi-clock", "clock");
    ASSERT_EQ(play.exitCode, 0) << play.err;
    EXPECT_NE(play.out.find("with MIDI clock"), std::string::npos) << play.out;
    follower.waitQuiet(100);
    const Receiver::Clock got = follower.clock();
    EXPECT_EQ(got.statuses, (std::vector<int>{MidiMessage::kStart, MidiMessage::kStop}));
    // The song is 16 beats (its notes end at beat 16): play ends when the last note does.
    EXPECT_NEAR(double(got.pulseNs.size()), 16 * 24, 24);
}
