#pragma once

#include "ml/Dataset.h"

#include <QString>

#include <vector>

namespace torchestra::ui {

// A built corpus (`torchestra-cli corpus build`, ml/corpus) as the Train panel shows it: the
// numbers of its report, the track choice it was built with and the report's full text.
struct CorpusSummary {
    QString dir;
    QString error;  // names the folder and what is wrong; "" when the corpus was read whole
    long files = 0; // every input file the build saw
    long used = 0;
    long refused = 0;
    long duplicates = 0; // of the refused
    long notes = 0;
    long steps = 0;
    double hours = 0;
    long trainFiles = 0;
    long validFiles = 0;
    long trainSteps = 0;
    long validSteps = 0;
    std::vector<int> tracks; // as train's --tracks; empty: every track but drums
    QString report;          // ml::corpus::formatCorpusReport's text

    bool ok() const { return !dir.isEmpty() && error.isEmpty(); }
};

// Opens the corpus in `dir` as training would: it must be a corpus, built for `rep`, with every
// shard's checksum right (each shard is read once: hundreds of megabytes for a large corpus).
// Slow: call it on a worker. Any thread.
CorpusSummary readCorpusSummary(const QString& dir, const ml::RepresentationConfig& rep);

// What a run trains on when the panel's data is a corpus: its train and validation split, and
// the tracks it was built from (for the model's metadata).
struct CorpusTrainingData {
    ml::Dataset dataset;
    std::vector<int> tracks;
    QString error; // names the folder and what is wrong
    // Streamed (dataset.trainStream): the training split is not in memory, so its size and
    // notes come from the corpus's index.
    bool streamed = false;
    long trainFiles = 0, trainSteps = 0, trainNotes = 0;
};

// The one place where the Train panel turns a corpus into a Dataset, as `train --corpus` does
// (ml/corpus/CorpusTraining.h): held in memory when it fits the default budget, streamed from
// the shards otherwise. Checks what readCorpusSummary checks, again: the corpus may have been
// rebuilt since it was shown.
// Slow: call it on a worker. Any thread.
// `memoryBudget`: as CorpusTrainingOptions::memoryBudgetBytes (0: the default).
CorpusTrainingData loadCorpusTrainingData(const QString& dir, const ml::RepresentationConfig& rep,
                                          std::size_t memoryBudget = 0);

} // namespace torchestra::ui
