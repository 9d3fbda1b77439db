#pragma once

#include "ml/Representation.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace torchestra::ml {

class PieceSource; // StreamedPieces.h

struct DatasetFileInfo {
    std::string path;
    std::string hash; // FNV-1a 64 of the file's bytes, hex
    int steps = 0;
    int notes = 0;
    double seconds = 0;                // the grid's length in seconds at the file's tempi
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
    // Training data too large to hold (a big corpus): read on demand, `train` then empty. The
    // trainers stream it (StreamedPieces.h) within `streamBudgetBytes` of decoded pieces.
    std::shared_ptr<const PieceSource> trainStream;
    std::size_t streamBudgetBytes = 0;

    bool hasTrainingData() const;
    // Of the whole training split, streamed or not.
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

// The pieces of loadMidiDataset that a corpus build shares, so both turn a file into the same
// grid and refuse the same files for the same reasons. Any thread.
//
// FNV-1a 64 of bytes; fileHash gives it as 16 hex digits (DatasetFileInfo::hash).
std::uint64_t fnv1a64(std::string_view bytes);
std::string fileHash(std::string_view bytes);
// The MIDI files among `paths` (folders searched recursively for .mid .midi .kar .rmi; files
// named directly are taken whatever their suffix), sorted; paths that do not exist are added to
// `missing` with the problem "no such file or folder".
std::vector<std::string> listMidiFiles(const std::vector<std::string>& paths,
                                       std::vector<DatasetFileInfo>& missing);
// Why a file gives no piece.
enum class Refusal { None, Unreadable, NotMidi, Resolution, NoNotes };
// One MIDI file's bytes on the grid: fills `seq`, `notes` (the onsets in it) and info.seconds,
// and adds the reader's warnings and the reason for a refusal to info.problems. acceptGrid then
// says whether the grid is worth learning from. Does not set info.hash.
Refusal midiBytesToGrid(std::string_view bytes, const RepresentationConfig& config,
                        const TrackSelection& selection, DatasetFileInfo& info, FrameSequence& seq,
                        int& notes);
// The notes that start in a grid (its onsets; where onsets are unknown, each run of sounding
// steps).
int countOnsets(const FrameSequence& seq);
// Whether a grid (parsed now or decoded from a cache) is worth learning from; if not, says why
// in info.problems. Sets info.steps, info.notes and info.used.
Refusal acceptGrid(const FrameSequence& seq, int notes, const RepresentationConfig& config,
                   DatasetFileInfo& info);
// The largest MIDI file read (a bigger one is refused as Unreadable).
constexpr std::size_t kMaxMidiBytes = std::size_t(64) << 20;

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
bool decodeCachedSequence(std::string_view bytes, const RepresentationConfig& config,
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
