#include "cli/MidiInput.h"

#include <iostream>

namespace torchestra::cli {

std::string readMidiInput(const std::string& path, midi::ReadResult& r) {
    r = midi::readMidiFile(path);
    if (!r.ok)
        return path + ": " + r.error;
    for (const auto& w : r.warnings)
        std::cerr << "warning: " << path << ": " << w << "\n";
    return {};
}

} // namespace torchestra::cli
