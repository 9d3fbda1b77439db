// `soundfonts`: the SoundFont that render and play use when none is given, and every place
// looked in, so a user (or the package test) sees why one was or was not found.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "playback/SoundFontLocator.h"

#include <iostream>

namespace torchestra::cli {

int runSoundFonts(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err = a.parse(args, {}, {});
    if (err.empty() && !a.positional().empty())
        err = "takes no arguments (usage: soundfonts)";
    if (!err.empty()) {
        std::cerr << "torchestra-cli soundfonts: " << err << "\n";
        return 2;
    }
    const playback::SoundFontLocator locator;
    const std::string remembered = playback::SoundFontLocator::rememberedChoice();
    std::cout << "remembered choice: " << (remembered.empty() ? "none" : remembered) << "  ("
              << playback::SoundFontLocator::configFile() << ")\n";
    std::cout << "folders, in order:\n";
    for (const auto& dir : locator.folders())
        std::cout << "  " << dir << "/\n";
    std::cout << "system paths, in order:\n";
    for (const auto& p : playback::SoundFontLocator::systemPaths())
        std::cout << "  " << p << "\n";
    const std::vector<std::string> found = locator.candidates();
    std::cout << "found, best first:\n";
    for (const auto& f : found) {
        const std::string problem = playback::checkSoundFontFile(f);
        std::cout << "  " << f << (problem.empty() ? "" : "  (unusable: " + problem + ")") << "\n";
    }
    std::string error;
    const std::string chosen = locator.locate(error);
    if (chosen.empty()) {
        std::cerr << "torchestra-cli soundfonts: " << error << "\n";
        return 1;
    }
    std::cout << "SoundFont: " << chosen << "\n";
    return 0;
}

} // namespace torchestra::cli
