#include "base/ProgramPaths.h"

#include <cstdlib>
#include <filesystem>

#ifndef TORCHESTRA_DATA_FROM_BIN
#error "TORCHESTRA_DATA_FROM_BIN (the data folder relative to the executable's) is set by CMake"
#endif

namespace fs = std::filesystem;

namespace torchestra::base {

std::string executableDir() {
    std::error_code ec;
    // The link resolves symlinks to the executable too: a link to it in ~/bin still finds the
    // real prefix.
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : exe.parent_path().string();
}

std::string dataDir() {
    const std::string exeDir = executableDir();
    if (exeDir.empty())
        return "";
    return (fs::path(exeDir) / TORCHESTRA_DATA_FROM_BIN).lexically_normal().string();
}

std::string builtinModelsDir() {
    const std::string data = dataDir();
    return data.empty() ? std::string() : data + "/models";
}

std::string userModelsDir() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        return std::string(x) + "/Torchestra/Torchestra/models";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.local/share/Torchestra/Torchestra/models";
    return "";
}

std::string userDataDir() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        return std::string(x) + "/torchestra";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.local/share/torchestra";
    return "";
}

} // namespace torchestra::base
