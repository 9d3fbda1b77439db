#pragma once

// Small MIDI corpora written by the tests themselves, and a build with the defaults.
#include "common/TempDir.h"
#include "common/TestNotes.h"
#include "midi/MidiFile.h"
#include "ml/corpus/CorpusBuilder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace torchestra::corpustest {

inline std::string makeTempDir() {
    return ::torchestra::testkit::makeTempDir("corpus-test");
}

// `bars` bars of 4/4 at 480 ticks a quarter: a rising line and a held bass, different per seed.
inline model::Song song(int seed, int bars = 4) {
    model::Song s = ::torchestra::testkit::songIn44();
    const model::TrackId id = s.addTrack(model::Track{});
    std::vector<model::Note> notes;
    for (int bar = 0; bar < bars; ++bar) {
        const model::Tick start = model::Tick(bar) * 1920;
        notes.push_back(::torchestra::testkit::makeNote(start, 1920, 40 + (seed + bar) % 12, 70));
        for (int k = 0; k < 8; ++k)
            notes.push_back(::torchestra::testkit::makeNote(
                start + k * 240, 240, 60 + (seed * 5 + bar * 3 + k * 2) % 24, 60 + 8 * (k % 4)));
    }
    s.addNotes(id, notes);
    return s;
}

inline std::string writeSong(const std::string& path, int seed, int bars = 4) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    EXPECT_EQ(midi::writeMidiFile(path, song(seed, bars)), "");
    return path;
}

// Songs song0.mid ... in `dir` (every other one in a sub-folder); returns `dir`.
inline std::string writeSongs(const std::string& dir, int from, int count) {
    for (int i = from; i < from + count; ++i)
        writeSong(dir + (i % 2 ? "/sub/" : "/") + "song" + std::to_string(i) + ".mid", i);
    return dir;
}

inline ml::corpus::CorpusBuildResult build(const std::string& input, const std::string& out,
                                           ml::corpus::CorpusBuildOptions options = {}) {
    std::atomic<bool> cancel{false};
    options.threads = options.threads > 0 ? options.threads : 2;
    return ml::corpus::buildCorpus({input}, out, options, cancel);
}

} // namespace torchestra::corpustest
