#pragma once

// `train --corpus DIR`: a built corpus (`corpus build`) as the training data.

#include "cli/CliArgs.h"
#include "ml/Dataset.h"

#include <string>

namespace torchestra::cli {

// Loads the corpus named by --corpus into `data` (its train and valid split), after checking
// it was built for `representation` and with the tracks --tracks names (if given); sets
// `dataOptions.selection` to the corpus's tracks. Says what it loaded on stderr, as train does
// for files. Returns "" or an error naming the corpus and what is wrong.
std::string readCorpusTrainingData(const CliArgs& args,
                                   const ml::RepresentationConfig& representation,
                                   ml::DatasetOptions& dataOptions, ml::Dataset& data);

} // namespace torchestra::cli
