#pragma once

// The models that come with the program (resources/models/, trained by
// scripts/train-builtin-models), so Generate works before any training. Everywhere a model path
// is taken, "builtin:NAME" names one of them; they are found in the program's data folder
// (base/ProgramPaths.h), never from the working directory. No torch.

#include "ml/Checkpoint.h"

#include <string>
#include <vector>

namespace torchestra::ml {

inline constexpr const char* kBuiltinPrefix = "builtin:";

struct BuiltinModel {
    std::string name;        // "bach-nade": the reference builtin:bach-nade, file bach-nade.tcm
    std::string label;       // what a musician sees: "Bach chorales — LSTM-NADE (built in)"
    std::string learnedFrom; // "JSB Chorales train split: 229 Bach chorales"
};

// The built-in models in the order they are offered (the first is the default pick).
const std::vector<BuiltinModel>& builtinModels();
const BuiltinModel* findBuiltinModel(const std::string& name);
// Its file: <builtin models folder>/<name>.tcm (it may be missing). Any thread.
std::string builtinModelPath(const BuiltinModel& model);
// The built-in whose file `path` is (symlinks and relative paths resolved), or null. The
// model library refuses to delete or overwrite such a file. Any thread.
const BuiltinModel* builtinModelAtPath(const std::string& path);
// Whether `dir` is the folder the built-in models live in (resolved as above). Any thread.
bool isBuiltinModelsFolder(const std::string& dir);

// A model reference as the user gave it: "builtin:NAME" gives the built-in's file, anything
// else is a path and comes back as it is. An unknown name gives "" and `error` (naming the
// built-ins there are).
std::string resolveModelReference(const std::string& reference, std::string& error);

// loadCheckpoint() of a reference. A built-in that is missing or unreadable gets a message
// naming the model and its file. Any thread.
LoadedCheckpoint loadModelReference(const std::string& reference);

} // namespace torchestra::ml
