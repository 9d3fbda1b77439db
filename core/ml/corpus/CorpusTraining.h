#pragma once

// A built corpus as training data within a memory budget: held whole when its decoded pieces
// fit, else streamed (StreamedPieces.h) from the memory-mapped shards, with this rank's share
// of the shards and a validation sample that fits a quarter of the budget. The CLI (train
// --corpus) and the Train panel both load corpora this way. No torch and no widgets.

#include "ml/Dataset.h"
#include "ml/corpus/CorpusReader.h"

#include <cstddef>
#include <memory>
#include <string>

namespace torchestra::ml::corpus {

// A quarter of this machine's memory, at least 256 MB: the training data's default budget.
std::size_t defaultDataMemoryBudget();

struct CorpusTrainingOptions {
    std::size_t memoryBudgetBytes = 0; // 0: defaultDataMemoryBudget()
    // Data-parallel: streamed, rank `rank` of `worldSize` reads only its share of the shards.
    int rank = 0;
    int worldSize = 1;
};

// What was loaded, for the user.
struct CorpusTrainingSummary {
    std::size_t trainFiles = 0, validFiles = 0;
    long trainSteps = 0;
    long trainNotes = 0;
    long validSteps = 0;        // of the validation files held
    std::size_t trainBytes = 0; // the training split decoded
    std::size_t budgetBytes = 0;
    bool streamed = false;
    std::size_t shareFiles = 0;     // streamed: this rank's share of the training files
    std::size_t validFilesHeld = 0; // < validFiles when the validation split is sampled
    // One paragraph, e.g. "corpus C: 20000 files, ... streamed: 3.4 GB decoded, over the
    // budget of 1.0 GB ...".
    std::string describe(const std::string& dir) const;
};

// Fills `out` from the open `reader` (kept alive by the stream when streamed): representation,
// train (or trainStream), valid and files (every used file, for the checkpoint's metadata).
// Returns "" or an error naming the corpus and the file at fault.
std::string loadCorpusTrainingData(std::shared_ptr<const CorpusReader> reader,
                                   const CorpusTrainingOptions& options, Dataset& out,
                                   CorpusTrainingSummary& summary);

} // namespace torchestra::ml::corpus
