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

namespace {

// $XDG_DATA_HOME, else ~/.local/share; "" with neither set.
std::string xdgDataHome() {
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        return x;
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.local/share";
    return "";
}

} // namespace

std::string userModelsDir() {
    const std::string data = xdgDataHome();
    return data.empty() ? data : data + "/Torchestra/Torchestra/models";
}

std::string userDataDir() {
    const std::string data = xdgDataHome();
    return data.empty() ? data : data + "/torchestra";
}

} // namespace torchestra::base
