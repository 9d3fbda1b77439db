#pragma once

#include "ml/Representation.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace torchestra::ml {

struct DatasetFileInfo {
    std::string path;
    std::string hash; // FNV-1a 64 of the file's bytes, hex
    int steps = 0;
    int notes = 0;
    std::vector<std::string> problems; // warnings, or why it was skipped
    bool used = false;
};

// Pieces on the grid, split into training and validation by file (never within a file).
struct Dataset {
    RepresentationConfig representation;
    std::vector<FrameSequence> train;
    std::vector<FrameSequence> valid;
    std::vector<FrameSequence> test; // only for benchmark data with a test split
    std::vector<DatasetFileInfo> files;

    long trainSteps() const;
    long validSteps() const;
};

struct DatasetOptions {
    double validFraction = 0.1; // of the files (at least one when there are two or more)
    std::uint64_t seed = 1;     // same seed, same split
    std::string cacheDir;       // "" = no cache; else parsed files are cached here by hash
    TrackSelection selection;
};

// Reads MIDI files and folders (recursively: .mid .midi .kar .rmi). A file that cannot be read
// is reported in `files` and skipped, never fatal. Any thread.
Dataset loadMidiDataset(const std::vector<std::string>& paths, const RepresentationConfig& config,
                        const DatasetOptions& options);

// Reads the JSB Chorales JSON (Boulanger-Lewandowski split): quarter-note frames of sounding
// pitches. The representation is set to frames only (no onsets, no velocity, no metre).
// Returns "" or an error naming the file.
std::string loadJsbDataset(const std::string& jsonPath, Dataset& out);

// The dataset cache's file format (`<cacheDir>/<hash>-<config>.seq`): one file's grid and its
// note count. Public so the reader can be fuzzed and tested; loadMidiDataset is the only user.
// decodeCachedSequence accepts what encodeCachedSequence wrote for a grid of `config` (its pitch
// count, onsets or not, every value in range for it) and returns false for anything else (a
// damaged cache file is then parsed afresh), leaving `out` unspecified. Any thread.
std::string encodeCachedSequence(const FrameSequence& seq, int notes);
bool decodeCachedSequence(const std::string& bytes, const RepresentationConfig& config,
                          FrameSequence& out, int& notes);

// A training batch: `count` windows of `length` steps, each from a random piece (chosen in
// proportion to its length) at a random start, transposed by a random amount within
// [-transpose, transpose] semitones (0 = none). Pieces shorter than the window give a shorter
// window padded to `length` with `mask` zero.
struct Batch {
    int count = 0;
    int length = 0;
    std::vector<FrameSequence> windows;
    std::vector<std::uint8_t> mask; // count x length: 1 where the step is real
};
Batch sampleBatch(const std::vector<FrameSequence>& pieces, int count, int length, int transpose,
                  std::mt19937_64& rng);

} // namespace torchestra::ml
