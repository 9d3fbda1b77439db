// `ports`: MIDI inputs and outputs of every API that works here, with the API each uses.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "playback/LiveAudioOutput.h"
#include "playback/MidiPorts.h"

#include <iostream>

namespace torchestra::cli {

int runPorts(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err = a.parse(args, {}, {});
    if (err.empty() && !a.positional().empty())
        err = "takes no arguments (usage: ports)";
    if (!err.empty()) {
        std::cerr << "torchestra-cli ports: " << err << "\n";
        return 2;
    }
    std::vector<std::string> notes;
    const auto ports = playback::listMidiPorts(&notes);
    for (bool input : {true, false}) {
        std::cout << (input ? "MIDI inputs:\n" : "MIDI outputs:\n");
        int n = 0;
        for (const auto& p : ports) {
            if (p.isInput != input)
                continue;
            std::cout << "  [" << p.index << "] " << p.name << "  (" << p.api << ")\n";
            ++n;
        }
        if (n == 0)
            std::cout << "  none\n";
    }
    for (const auto& note : notes)
        std::cout << "note: " << note << "\n";
    std::cout << "audio drivers (FluidSynth):";
    for (const auto& d : playback::LiveAudioOutput::availableDrivers())
        std::cout << " " << d;
    std::cout << "\n";
    return 0;
}

} // namespace torchestra::cli
