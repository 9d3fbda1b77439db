// `models`: the models `generate --model` can use — the built-in ones (builtin:NAME) and the
// user's own, from the folder the workstation's model library saves into — with each one's
// kind, what it learned from and its size. Exit 1 when a built-in cannot be read (a damaged
// installation), after listing everything.
#include "base/ProgramPaths.h"
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/MlCommon.h"
#include "ml/BuiltinModels.h"
#include "ml/ModelRegistry.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace fs = std::filesystem;

namespace torchestra::cli {

namespace {

std::string sizeText(const std::string& path) {
    std::error_code ec;
    const auto bytes = fs::file_size(path, ec);
    if (ec)
        return "?";
    return bytes >= 1000000 ? fixed(double(bytes) / 1e6, 1) + " MB"
                            : fixed(double(bytes) / 1e3, 0) + " kB";
}

// "3 files, track(s) 1": what a user's model learned from, as its checkpoint lists it.
std::string learnedFrom(const ml::TrainingMetadata& meta) {
    std::string text =
        std::to_string(meta.files.size()) + (meta.files.size() == 1 ? " file" : " files");
    if (meta.files.size() == 1)
        text += " (" + fs::path(meta.files.front().path).filename().string() + ")";
    if (!meta.trackIndices.empty())
        text += ", track(s) " + ml::trackIndicesText(meta.trackIndices);
    return text;
}

// The kind column holds ml::describeModel()'s longest words ("GAN width 256, noise 100, bars of
// 16 steps").
void printRow(const std::string& name, const std::string& kind, const std::string& size,
              const std::string& from) {
    std::printf("  %-22s %-43s %8s  %s\n", name.c_str(), kind.c_str(), size.c_str(), from.c_str());
}

// Returns the number of built-ins that could not be read.
int listBuiltins() {
    std::cout << "built in (" << base::builtinModelsDir() << "/):\n";
    int broken = 0;
    for (const ml::BuiltinModel& m : ml::builtinModels()) {
        const std::string reference = ml::kBuiltinPrefix + m.name;
        const ml::LoadedCheckpoint loaded = ml::loadModelReference(reference);
        if (!loaded.model) {
            ++broken;
            printRow(reference, "unreadable", "-", loaded.error);
            continue;
        }
        printRow(reference, ml::describeModel(loaded.model->config()),
                 sizeText(ml::builtinModelPath(m)), m.learnedFrom);
    }
    return broken;
}

void listUserModels() {
    const std::string dir = base::userModelsDir();
    std::cout << "yours (" << dir << "/):\n";
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".tcm")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
        std::cout << "  none yet (train one: torchestra-cli train, or the workstation's Train "
                     "panel)\n";
    for (const fs::path& file : files) {
        const ml::LoadedCheckpoint loaded = ml::loadCheckpoint(file.string());
        if (!loaded.model)
            printRow(file.filename().string(), "unreadable", sizeText(file.string()), loaded.error);
        else
            printRow(file.filename().string(), ml::describeModel(loaded.model->config()),
                     sizeText(file.string()), learnedFrom(loaded.metadata));
    }
}

} // namespace

int runModels(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err = a.parse(args, {}, {});
    if (err.empty() && !a.positional().empty())
        err = "takes no arguments (usage: models)";
    if (!err.empty()) {
        std::cerr << "torchestra-cli models: " << err << "\n";
        return 2;
    }
    printRow("MODEL", "KIND", "SIZE", "LEARNED FROM");
    const int broken = listBuiltins();
    listUserModels();
    if (broken > 0) {
        std::cerr << "torchestra-cli models: " << broken << " built-in model(s) cannot be read\n";
        return 1;
    }
    return 0;
}

} // namespace torchestra::cli
