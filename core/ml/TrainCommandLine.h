#pragma once

// The `torchestra-cli train` command that trains a given model the way the Train panel would:
// what the panel copies when the user chooses to run the job on a cluster (docs/scaling.md).

#include "ml/Trainer.h"

#include <string>
#include <vector>

namespace torchestra::ml {

// The arguments after the program's name ("train", "--model", "lstm", ...): every setting of
// `config` and `options` that the command line reads, so the run does not depend on the
// defaults of the version installed there; the track choice (empty: the default, all but
// drums), then `extra` (e.g. "--distributed"), the output and the inputs. Not the thread count:
// that belongs to the machine it runs on.
std::vector<std::string> trainCommandArguments(const ModelConfig& config,
                                               const TrainOptions& options,
                                               const std::vector<int>& tracks,
                                               const std::string& out,
                                               const std::vector<std::string>& inputs,
                                               const std::vector<std::string>& extra = {});

// The same for a built corpus (`corpus build`): `--corpus DIR` in place of the inputs, and no
// --tracks, as the corpus fixes the track choice it was built with (train refuses a --tracks
// that differs from it).
std::vector<std::string> trainCorpusCommandArguments(const ModelConfig& config,
                                                     const TrainOptions& options,
                                                     const std::string& corpusDir,
                                                     const std::string& out,
                                                     const std::vector<std::string>& extra = {});

// `program` and `args` as one line for a POSIX shell, each quoted where it needs to be.
std::string shellCommandLine(const std::string& program, const std::vector<std::string>& args);

} // namespace torchestra::ml
