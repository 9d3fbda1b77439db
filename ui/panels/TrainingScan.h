#pragma once

#include "ml/Dataset.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace torchestra::ui {

// Which of the chosen tracks a file has: worked out on the worker beside the dataset.
struct TrackUse {
    QString used;         // "1 Bass, 2 Lead"; "all but drums" without a choice
    QString available;    // every track of the file, for the tooltip
    QStringList problems; // chosen tracks the file lacks, or that have no notes
};

// The training files as a worker read them: the dataset reader's view of each file and the
// tracks each one uses (one TrackUse per file).
struct TrainingScan {
    std::vector<ml::DatasetFileInfo> files;
    std::vector<TrackUse> tracks;
};

// The dataset reader's cache of training files (one grid per file, grid and track choice), so
// a file read for training is not parsed again for the Generate panel's numbers.
QString trainingCacheDirectory();

// Reads the MIDI files and folders `inputs` as the Train panel trains on them: `tracks` of
// every file (empty: all but drums), a tenth held out for validation, through the dataset
// cache (keyed by file, grid and tracks). Slow: call it on a worker.
ml::Dataset loadTrainingDataset(const QStringList& inputs, const ml::RepresentationConfig& rep,
                                const std::vector<int>& tracks);

// What `tracks` means for each of `files`; the files are read again for their track lists (the
// dataset keeps only the grid). Slow: call it on a worker.
std::vector<TrackUse> describeTrackUse(const std::vector<ml::DatasetFileInfo>& files,
                                       const std::vector<int>& tracks);

// The two together: what the file list shows.
TrainingScan scanTrainingFiles(const QStringList& inputs, const ml::RepresentationConfig& rep,
                               const std::vector<int>& tracks);

} // namespace torchestra::ui
