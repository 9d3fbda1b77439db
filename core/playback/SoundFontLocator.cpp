#include "playback/SoundFontLocator.h"

#include "base/AtomicFile.h"
#include "base/ProgramPaths.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace torchestra::playback {

std::string checkSoundFontFile(const std::string& path) {
    if (path.empty())
        return "no SoundFont given";
    std::error_code ec;
    if (!fs::exists(path, ec))
        return path + ": SoundFont not found";
    if (fs::is_directory(path, ec))
        return path + ": is a folder, not a SoundFont file";
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return path + ": cannot open the SoundFont: " + std::strerror(errno);
    char head[12] = {};
    in.read(head, sizeof head);
    if (in.gcount() < 12 || std::memcmp(head, "RIFF", 4) != 0 ||
        std::memcmp(head + 8, "sfbk", 4) != 0)
        return path + ": not a SoundFont (no RIFF 'sfbk' header)";
    return "";
}

const std::vector<std::string>& SoundFontLocator::systemPaths() {
    static const std::vector<std::string> paths = {
        "/usr/share/sounds/sf2/TimGM6mb.sf2",   // timgm6mb-soundfont
        "/usr/share/sounds/sf2/FluidR3_GM.sf2", // fluid-soundfont-gm
        "/usr/share/sounds/sf3/default-GM.sf3", // Debian's alternatives link
        "/usr/share/sounds/sf2/default-GM.sf2",
    };
    return paths;
}

std::string SoundFontLocator::configFile() {
    std::string dir;
    if (const char* c = std::getenv("TORCHESTRA_CONFIG_DIR"); c && *c)
        dir = c;
    else if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
        dir = std::string(x) + "/torchestra";
    else if (const char* h = std::getenv("HOME"); h && *h)
        dir = std::string(h) + "/.config/torchestra";
    else
        return "";
    return dir + "/soundfont";
}

std::string SoundFontLocator::rememberedChoice() {
    const std::string file = configFile();
    if (file.empty())
        return "";
    std::string text;
    if (!base::readWholeFile(file, text, 1 << 16).empty())
        return "";
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

std::string SoundFontLocator::rememberChoice(const std::string& path) {
    if (std::string err = checkSoundFontFile(path); !err.empty())
        return err;
    const std::string file = configFile();
    if (file.empty())
        return "no configuration folder (HOME is not set)";
    std::error_code ec;
    fs::create_directories(fs::path(file).parent_path(), ec);
    const std::string absolute = fs::absolute(path, ec).string();
    return base::writeFileAtomically(file, absolute + "\n");
}

std::string SoundFontLocator::forgetChoice() {
    const std::string file = configFile();
    std::error_code ec;
    if (file.empty() || !fs::exists(file, ec))
        return {};
    if (!fs::remove(file, ec) || ec)
        return file + ": could not remove (" + ec.message() + ")";
    return {};
}

std::vector<std::string> SoundFontLocator::programFolders() {
    std::vector<std::string> out;
    for (const std::string& dir : {base::dataDir(), base::userDataDir()})
        if (!dir.empty())
            out.push_back(dir + "/soundfonts");
    return out;
}

SoundFontLocator SoundFontLocator::withoutDefaults() {
    SoundFontLocator locator;
    locator.m_defaults = false;
    return locator;
}

std::vector<std::string> SoundFontLocator::folders() const {
    std::vector<std::string> out;
    for (const auto& dir : m_projectDirs)
        out.push_back((fs::path(dir) / "soundfonts").string());
    if (m_defaults)
        for (auto& dir : programFolders())
            out.push_back(std::move(dir));
    return out;
}

std::vector<std::string> SoundFontLocator::candidates() const {
    std::vector<std::string> out;
    std::error_code ec;
    auto add = [&](const std::string& p) {
        if (!p.empty() && fs::is_regular_file(p, ec) &&
            std::find(out.begin(), out.end(), p) == out.end())
            out.push_back(p);
    };
    add(rememberedChoice());
    for (const auto& dir : folders()) {
        std::vector<std::string> found;
        std::error_code listing; // a folder that does not exist lists nothing
        for (fs::directory_iterator it(dir, listing), end; !listing && it != end;
             it.increment(listing)) {
            const std::string ext = it->path().extension().string();
            if (ext == ".sf2" || ext == ".SF2" || ext == ".sf3" || ext == ".SF3")
                found.push_back(it->path().string());
        }
        std::sort(found.begin(), found.end());
        for (const auto& f : found)
            add(f);
    }
    if (m_defaults)
        for (const auto& p : systemPaths())
            add(p);
    return out;
}

std::string SoundFontLocator::locate(std::string& error) const {
    for (const auto& c : candidates())
        if (checkSoundFontFile(c).empty())
            return c;
    error = "no General MIDI SoundFont found (looked in";
    for (const auto& dir : folders())
        error += " " + dir + "/";
    if (m_defaults)
        for (const auto& p : systemPaths())
            error += " " + p;
    error += "): install Debian's timgm6mb-soundfont or fluid-soundfont-gm";
    if (m_defaults && !programFolders().empty())
        error += ", or put a .sf2 file in " + programFolders().front() + "/";
    return "";
}

} // namespace torchestra::playback
