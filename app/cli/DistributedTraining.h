#pragma once

// `train --distributed` (join the group the environment describes) and `train --launch N`
// (start N local ranks of the same command): data-parallel training on torch's c10d with Gloo
// (ml/DataParallel.h, docs/scaling.md).

#include "ml/Dataset.h"
#include "ml/Trainer.h"

#include <memory>
#include <string>
#include <vector>

namespace torchestra::cli {

// What every rank must agree on: the model, the training options that shape the run, and the
// data (its files and sizes). One line, shown when two ranks differ.
std::string trainingFingerprint(const ml::ModelConfig& config, const ml::TrainOptions& options,
                                const ml::Dataset& data);

// Joins the group RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT describe (blocking, up to the
// timeout) and sets options.dataParallel. Returns "" or the error.
std::string joinDistributedTraining(const ml::ModelConfig& config, const ml::Dataset& data,
                                    ml::TrainOptions& options);

// Runs `rawArgs` (a train command line with --launch N) as N local ranks: this program, again,
// with --distributed and the environment set for each (a free port on 127.0.0.1; --threads
// shared out over the cores unless given), waiting for all. Ctrl-C reaches every rank. Returns
// 0 when every rank succeeded, else the first failing rank's exit code.
int launchLocalRanks(const std::vector<std::string>& rawArgs, int ranks);

} // namespace torchestra::cli
