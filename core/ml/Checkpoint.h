#pragma once

// Checkpoints: a versioned container (magic, version, JSON header with the model and
// representation config and training metadata, the model's payload, CRC-32) checked on load,
// written atomically.

#include "ml/Dataset.h"
#include "ml/SequenceModel.h"
#include "ml/Trainer.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::ml {

struct TrainingMetadata {
    std::vector<DatasetFileInfo> files; // path and hash of each file trained on
    // The tracks (0-based index in each file) the model learned from; empty = every track but
    // drums (the default choice). Checkpoints from before this field read as empty.
    std::vector<int> trackIndices;
    std::vector<EpochRecord> history;
    int bestEpoch = 0;
    double bestValidLoss = 0;
    // The sampling temperature chosen on validation after training (SamplingCalibration.h);
    // checkpoints from before it, and runs that were not calibrated, read as 1.0, uncalibrated.
    SamplingCalibration sampling;
    std::string programVersion;
    std::string createdUtc;
};

constexpr int kCheckpointVersion = 1;

// Whether a checkpoint keeps the optimizer's state (SequenceModel::serializeWithoutOptimizer):
// a model to resume keeps it; one to share or ship (the built-in models) may leave it, in a
// third of the file.
enum class OptimizerState { Kept, Left };

// Returns "" or an error naming the file.
std::string saveCheckpoint(const std::string& path, const SequenceModel& model,
                           const TrainingMetadata& metadata,
                           OptimizerState optimizer = OptimizerState::Kept);

struct LoadedCheckpoint {
    std::shared_ptr<SequenceModel> model; // null on error
    TrainingMetadata metadata;
    std::string error; // names the file and the problem
};
LoadedCheckpoint loadCheckpoint(const std::string& path);

// The file's checksum: CRC-32 (IEEE, reflected) of everything before its last 4 bytes. Public
// for the fuzz harness, which repairs it so that inputs reach the parser behind it.
std::uint32_t checkpointCrc32(const char* data, std::size_t n);
// The same from a checkpoint's bytes (what loadCheckpoint does after reading the file); errors
// begin with `nameForMessages`. Any thread.
LoadedCheckpoint loadCheckpointFromBytes(const std::string& bytes,
                                         const std::string& nameForMessages);

} // namespace torchestra::ml
