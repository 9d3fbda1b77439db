#include "ml/BuiltinModels.h"

#include "base/ProgramPaths.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace torchestra::ml {

namespace {

const char* const kLearnedFrom = "JSB Chorales train split: 229 Bach chorales";

std::string canonical(const std::string& path) {
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
    return ec ? fs::path(path).lexically_normal().string() : p.string();
}

} // namespace

const std::vector<BuiltinModel>& builtinModels() {
    // The first is the default pick: the LSTM-NADE, which also scores each take's likelihood (a
    // GAN has none). The others follow by how close their continuations of JSB valid primers
    // come to the music that followed (eval --metrics on the valid split as MIDI files, all
    // windows, three draws: the GAN 0.87 since its floor on notes at once, the Markov model
    // 0.75; the NADE 0.84; resources/models/README.md).
    static const std::vector<BuiltinModel> models = {
        {"bach-nade", "Bach chorales \u2014 LSTM-NADE (built in)", kLearnedFrom},
        {"bach-gan", "Bach chorales \u2014 GAN (built in)", kLearnedFrom},
        {"bach-markov", "Bach chorales \u2014 Markov (built in)", kLearnedFrom},
    };
    return models;
}

const BuiltinModel* findBuiltinModel(const std::string& name) {
    for (const BuiltinModel& m : builtinModels())
        if (m.name == name)
            return &m;
    return nullptr;
}

std::string builtinModelPath(const BuiltinModel& model) {
    return base::builtinModelsDir() + "/" + model.name + ".tcm";
}

const BuiltinModel* builtinModelAtPath(const std::string& path) {
    if (path.empty() || base::builtinModelsDir().empty())
        return nullptr;
    const std::string file = canonical(path);
    for (const BuiltinModel& m : builtinModels())
        if (canonical(builtinModelPath(m)) == file)
            return &m;
    return nullptr;
}

bool isBuiltinModelsFolder(const std::string& dir) {
    const std::string folder = base::builtinModelsDir();
    return !dir.empty() && !folder.empty() && canonical(dir) == canonical(folder);
}

std::string resolveModelReference(const std::string& reference, std::string& error) {
    const std::string prefix = kBuiltinPrefix;
    if (reference.compare(0, prefix.size(), prefix) != 0)
        return reference;
    const std::string name = reference.substr(prefix.size());
    if (const BuiltinModel* m = findBuiltinModel(name))
        return builtinModelPath(*m);
    error = "no built-in model '" + name + "' (built in:";
    for (const BuiltinModel& m : builtinModels())
        error += " " + prefix + m.name;
    error += ")";
    return "";
}

LoadedCheckpoint loadModelReference(const std::string& reference) {
    LoadedCheckpoint result;
    const std::string path = resolveModelReference(reference, result.error);
    if (path.empty())
        return result;
    const std::string prefix = kBuiltinPrefix;
    if (reference.compare(0, prefix.size(), prefix) != 0)
        return loadCheckpoint(path);
    // A built-in that cannot be read is the installation's fault, not the user's: say so.
    const std::string what = "built-in model " + reference + ": ";
    const std::string fix = " (the program's data folder is incomplete or damaged: reinstall, "
                            "or run scripts/train-builtin-models in a source checkout)";
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        result.error = what + path + " not found" + fix;
        return result;
    }
    result = loadCheckpoint(path);
    if (!result.model)
        result.error = what + result.error + fix;
    return result;
}

} // namespace torchestra::ml
