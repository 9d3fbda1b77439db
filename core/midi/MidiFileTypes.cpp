#include "midi/MidiFileTypes.h"

#include <algorithm>
#include <cctype>

namespace torchestra::midi {

const std::vector<std::string>& midiFileSuffixes() {
    static const std::vector<std::string> suffixes{"mid", "midi", "kar", "rmi", "smf"};
    return suffixes;
}

bool hasMidiFileSuffix(const std::string& path) {
    const std::size_t dot = path.find_last_of('.');
    const std::size_t slash = path.find_last_of("/\\");
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return false;
    std::string suffix = path.substr(dot + 1);
    std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    const auto& all = midiFileSuffixes();
    return std::find(all.begin(), all.end(), suffix) != all.end();
}

} // namespace torchestra::midi
