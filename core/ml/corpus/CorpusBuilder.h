#pragma once

// Builds a corpus (CorpusFormat.h) from folders of MIDI files: every file read and put on the
// grid once, in parallel, into sharded binary files with an index and a manifest that accounts
// for every input. Re-running on the same output folder reads only new and changed files.

#include "ml/corpus/CorpusFormat.h"

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace torchestra::ml::corpus {

struct CorpusBuildOptions {
    RepresentationConfig representation;
    std::vector<int> trackIndices; // as train's --tracks; empty: every non-drum track
    int validPermille = 50;        // of the files, chosen by content hash
    int threads = 0;               // converting threads; 0: one per core
    std::size_t shardBytes = std::size_t(64) << 20; // a shard is written once it holds this much
    std::size_t inFlight = 0;                       // converted files held at once; 0: 8 per thread
};

struct CorpusProgress {
    long done = 0;      // files accounted for (unchanged ones count at once)
    long total = 0;     // files found
    long processed = 0; // files read in this build so far
};
using CorpusProgressFn = std::function<void(const CorpusProgress&)>;

struct CorpusBuildResult {
    bool ok = false;
    bool cancelled = false; // then the previous corpus (if any) is as it was
    std::string error;      // names the file or folder at fault
    CorpusManifest manifest;
};

// Builds or updates the corpus in `outDir` from the MIDI files under `inputs` (folders searched
// recursively, files taken as named). A file is read again only when its path, size or time
// changed; one whose bytes are already in the corpus is not converted again; one whose bytes
// equal an earlier file's is refused as a duplicate; a file that cannot be used is refused with
// its reason, never fatal. Every file is written atomically and the manifest last, so a build
// that fails or is cancelled leaves the previous corpus readable. `cancel` is checked between
// files; `progress` is called on the calling thread at most ~25 times a second and once at the
// end. Blocks until done; uses `threads` worker threads and memory for `inFlight` converted
// files plus one shard.
CorpusBuildResult buildCorpus(const std::vector<std::string>& inputs, const std::string& outDir,
                              const CorpusBuildOptions& options, const std::atomic<bool>& cancel,
                              const CorpusProgressFn& progress = {});

} // namespace torchestra::ml::corpus
