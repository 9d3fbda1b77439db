// `convert IN OUT [--format 0|1] [--no-running-status]`: rewrites a MIDI file through the song
// model (what the workstation's export does).
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/MidiInput.h"
#include "midi/MidiFile.h"

#include <iostream>

namespace torchestra::cli {

int runConvert(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err = a.parse(args, {"format"}, {"no-running-status"});
    midi::WriteOptions options;
    if (err.empty())
        options.format = int(a.intValue("format", 1, 0, 1, err));
    if (err.empty() && a.positional().size() != 2)
        err = "expected IN and OUT (usage: convert IN OUT [--format 0|1] [--no-running-status])";
    if (!err.empty()) {
        std::cerr << "torchestra-cli convert: " << err << "\n";
        return 2;
    }
    options.runningStatus = !a.has("no-running-status");
    const std::string& in = a.positional()[0];
    const std::string& out = a.positional()[1];
    midi::ReadResult r;
    if (std::string problem = readMidiInput(in, r); !problem.empty()) {
        std::cerr << "torchestra-cli convert: " << problem << "\n";
        return 2;
    }
    if (std::string werr = midi::writeMidiFile(out, r.song, options); !werr.empty()) {
        std::cerr << "torchestra-cli convert: " << werr << "\n";
        return 1;
    }
    std::cout << "wrote " << out << " (format " << options.format << ", " << r.song.trackCount()
              << " tracks, " << r.song.noteCount() << " notes)\n";
    return 0;
}

} // namespace torchestra::cli
