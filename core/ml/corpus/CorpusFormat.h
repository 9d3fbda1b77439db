#pragma once

// The files of a built corpus (`corpus build`), encoded and decoded with every check a reader
// of untrusted bytes needs. A corpus folder holds:
//   shard-NNNNN.bin   "TRCSHD01", then records back to back; each record is one file's grid
//                     (RecordCodec.h: the dataset cache's fields with the cells bit-packed)
//   index-NNNNN.bin   per shard its size and checksum; per record its shard, offset, length,
//                     file hash, steps, notes and path (binary, little-endian)
//   manifest.json     the representation, the track choice, the split, the index's name and
//                     checksum, and every input file's fate; written last, so it names a
//                     complete index and shards (an interrupted build leaves the old one)
//   report.txt        the build's report as text (CorpusReport.h)
// No torch and no widgets: the CLI, the Train panel and the tests read these.

#include "ml/Representation.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace torchestra::ml::corpus {

constexpr char kShardMagic[8] = {'T', 'R', 'C', 'S', 'H', 'D', '0', '1'};
constexpr const char* kManifestName = "manifest.json";
constexpr const char* kReportName = "report.txt";

// The checksum of shards and of the index: FNV-1a 64 over 64-bit little-endian words (the last
// bytes one by one), eight times faster than byte by byte; shards are hundreds of megabytes.
std::uint64_t checksum64(std::string_view bytes);
std::string hex64(std::uint64_t value);
// Parses 1-16 hex digits; false for anything else.
bool parseHex64(const std::string& text, std::uint64_t& value);

// "shard-00012.bin" / "index-00003.bin"; parseNumberedName gives the number back for a name
// of that shape with that prefix, else -1.
std::string numberedName(const char* prefix, int number);
int parseNumberedName(const std::string& name, const char* prefix);

// Whether a file belongs to the validation split: by its content hash alone, so the split of the
// files already in a corpus does not change as it grows. `validPermille` of 1000 go there.
bool inValidSplit(std::uint64_t fileHash, int validPermille);

struct ShardInfo {
    std::string file; // name within the corpus folder
    std::uint64_t bytes = 0;
    std::uint64_t checksum = 0;
};

struct CorpusRecord {
    std::uint32_t shard = 0; // index into CorpusIndex::shards
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    std::uint64_t hash = 0; // the file's content hash (DatasetFileInfo::hash as a number)
    std::int32_t steps = 0;
    std::int32_t notes = 0;
    std::string path;
};

struct CorpusIndex {
    std::vector<ShardInfo> shards;
    std::vector<CorpusRecord> records;
};

std::string encodeIndex(const CorpusIndex& index);
// Accepts what encodeIndex wrote: every record inside its shard, after the shard's magic.
// Returns "" or what is wrong (the caller names the file). Any thread.
std::string decodeIndex(std::string_view bytes, CorpusIndex& out);

// Why a file is not in the corpus (the report groups by this).
constexpr const char* kRefusedUnreadable = "could not be read";
constexpr const char* kRefusedNotMidi = "not a MIDI file, or damaged";
constexpr const char* kRefusedResolution = "resolution does not fit the grid";
constexpr const char* kRefusedNoNotes = "no notes in the pitch range";
constexpr const char* kRefusedDuplicate = "duplicate of another file (same bytes)";

// One input file's fate.
struct CorpusFileEntry {
    std::string path;
    std::string hash; // hex; empty when the file could not be read
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
    bool used = false;
    std::string refused; // one of kRefused*, when !used
    std::vector<std::string> problems;
    int steps = 0;
    int notes = 0;
    double seconds = 0;
    std::string duplicateOf;
    bool valid = false; // in the validation split (used files only)
};

// What the last build did (the report's first lines).
struct CorpusBuildStats {
    long processed = 0;    // files read in this build (new, changed, or duplicates before)
    long reusedByHash = 0; // of those, files whose bytes the corpus held (not converted again)
    long unchanged = 0;    // files kept as they were (same path, size and time)
    long removed = 0;      // files of the previous build that are gone
    int threads = 0;
    double wallSeconds = 0;
    std::string note; // e.g. why the previous corpus was not reused
};

struct CorpusManifest {
    int version = 1;
    RepresentationConfig representation;
    std::vector<int> trackIndices; // the --tracks choice; empty: every non-drum track
    int validPermille = 50;
    std::string indexFile;
    std::uint64_t indexBytes = 0;
    std::uint64_t indexChecksum = 0;
    std::vector<CorpusFileEntry> files;
    CorpusBuildStats lastBuild;
};

std::string encodeManifest(const CorpusManifest& manifest);
// Returns "" or what is wrong (the caller names the file).
std::string decodeManifest(std::string_view json, CorpusManifest& out);

// What differs between two representations ("steps per beat 4 here, 2 expected; ..."), or "".
std::string representationDifference(const RepresentationConfig& corpus,
                                     const RepresentationConfig& expected);

} // namespace torchestra::ml::corpus
