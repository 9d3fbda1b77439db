// `render IN.mid OUT.wav [--soundfont F] [--sample-rate R] ...`: offline render through
// FluidSynth with every event at its exact sample.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/MidiInput.h"
#include "midi/MidiFile.h"
#include "playback/OfflineRenderer.h"
#include "playback/SoundFontLocator.h"

#include <iostream>

namespace torchestra::cli {

namespace {
constexpr const char* kUsage =
    "usage: render IN.mid OUT.wav [--soundfont F] [--sample-rate R] [--gain G] [--float] "
    "[--no-reverb] [--no-chorus] [--tail SECONDS] [--phases N] [--remember-soundfont]";
}

int runRender(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err = a.parse(args, {"soundfont", "sample-rate", "gain", "tail", "phases"},
                              {"float", "no-reverb", "no-chorus", "remember-soundfont"});
    playback::RenderOptions options;
    if (err.empty())
        options.sampleRate = int(a.intValue("sample-rate", 48000, 8000, 192000, err));
    if (err.empty())
        options.gain = a.doubleValue("gain", 0.3, 0.0, 10.0, err);
    if (err.empty())
        options.tailSeconds = a.doubleValue("tail", 2.0, 0.0, 60.0, err);
    if (err.empty())
        options.synthPhases = int(a.intValue("phases", 8, 1, 64, err));
    if (err.empty() && a.positional().size() != 2)
        err = std::string("expected IN and OUT (") + kUsage + ")";
    if (!err.empty()) {
        std::cerr << "torchestra-cli render: " << err << "\n";
        return 2;
    }
    options.reverb = !a.has("no-reverb");
    options.chorus = !a.has("no-chorus");
    options.format = a.has("float") ? playback::WavFormat::Float32 : playback::WavFormat::Pcm16;
    const std::string& in = a.positional()[0];
    const std::string& out = a.positional()[1];

    if (auto sf = a.value("soundfont")) {
        if (std::string e = playback::checkSoundFontFile(*sf); !e.empty()) {
            std::cerr << "torchestra-cli render: " << e << "\n";
            return 2;
        }
        options.soundFont = *sf;
        if (a.has("remember-soundfont")) {
            if (std::string e = playback::SoundFontLocator::rememberChoice(*sf); !e.empty())
                std::cerr << "warning: could not remember the SoundFont: " << e << "\n";
        }
    } else {
        playback::SoundFontLocator locator;
        options.soundFont = locator.locate(err);
        if (options.soundFont.empty()) {
            std::cerr << "torchestra-cli render: " << err << "\n";
            return 2;
        }
    }

    midi::ReadResult r;
    if (std::string problem = readMidiInput(in, r); !problem.empty()) {
        std::cerr << "torchestra-cli render: " << problem << "\n";
        return 2;
    }
    auto snapshot = playback::PlaybackSnapshot::fromSong(r.song);
    playback::RenderResult result = playback::renderToWavFile(*snapshot, out, options);
    if (!result.ok) {
        std::cerr << "torchestra-cli render: " << result.error << "\n";
        return 1;
    }
    std::cout << "wrote " << out << " (" << result.seconds << " s at " << result.sampleRate
              << " Hz, " << snapshot->noteCount() << " notes, SoundFont " << result.soundFont
              << ", " << (result.renderSeconds > 0 ? result.seconds / result.renderSeconds : 0)
              << "x real time)\n";
    return 0;
}

} // namespace torchestra::cli
