#pragma once

// Runs the real torchestra-cli binary, as other tools do.
#include "common/TempDir.h"
#include "common/TestNotes.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace torchestra::clitest {

using ::torchestra::testkit::makeNote;

using namespace torchestra;

struct RunResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// One folder for the whole test binary (the commands' outputs meet there).
inline std::string tempDir() {
    static const std::string dir = ::torchestra::testkit::makeTempDir("cli-test");
    return dir;
}

// Runs a shell command line, its standard error kept apart.
inline RunResult runShell(const std::string& command) {
    const std::string errPath = tempDir() + "/stderr.txt";
    const std::string cmd = "(" + command + ") 2>" + errPath;
    RunResult r;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p)
        return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int status = pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.err = slurp(errPath);
    return r;
}

inline RunResult runCli(const std::string& args) {
    return runShell(std::string(TORCHESTRA_CLI_PATH) + " " + args);
}

inline std::string writeSong(const std::string& name, const model::Song& song) {
    const std::string path = tempDir() + "/" + name;
    EXPECT_EQ(midi::writeMidiFile(path, song), "");
    return path;
}

inline model::Song twoTrackSong() {
    model::Song song = ::torchestra::testkit::songIn44();
    model::Track conductor;
    conductor.properties.name = "Conductor";
    song.addTrack(conductor);
    model::Track piano;
    piano.properties.name = "Piano";
    model::TrackId id = song.addTrack(piano);
    song.addNotes(id, {makeNote(0, 480, 60)});
    return song;
}

// A few bars of C major: a walking melody over whole-bar triads, different per seed.
inline model::Song cMajorSong(int seed, int bars) {
    model::Song song = ::torchestra::testkit::songIn44();
    model::Track t;
    t.properties.name = "Piano";
    const model::TrackId id = song.addTrack(t);
    const int scale[7] = {0, 2, 4, 5, 7, 9, 11};
    std::vector<model::Note> notes;
    for (int bar = 0; bar < bars; ++bar) {
        const model::Tick start = model::Tick(bar) * 1920;
        const int root = scale[(bar * 3 + seed) % 7];
        for (int k : {0, 2, 4})
            notes.push_back(
                makeNote(start, 1920, 48 + root + scale[(k + root) % 7] - scale[root % 7], 70));
        for (int s = 0; s < 8; ++s)
            notes.push_back(makeNote(start + s * 240, 240, 72 + scale[(s + bar + seed) % 7], 90));
    }
    song.addNotes(id, notes);
    return song;
}

// Six songs of eight bars, written once per test binary.
inline std::string songFolder() {
    static std::string dir = [] {
        const std::string d = tempDir() + "/songs";
        std::filesystem::create_directories(d);
        for (int i = 0; i < 6; ++i)
            EXPECT_EQ(
                midi::writeMidiFile(d + "/song" + std::to_string(i) + ".mid", cMajorSong(i, 8)),
                "");
        return d;
    }();
    return dir;
}

inline int lineCount(const std::string& s) {
    int lines = 0;
    for (char c : s)
        lines += c == '\n';
    return lines;
}

} // namespace torchestra::clitest
