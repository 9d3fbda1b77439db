// Offline render speed in multiples of real time, beside the fluidsynth program rendering the
// same files with the same SoundFont in the same run (`fluidsynth -ni -F out.wav sf2 file.mid`).
//
// usage: render_bench [--soundfont F] [--sample-rate R] [FILE.mid ...]
// Without files it renders the OpenMSX set (Debian's openttd-openmsx) if installed.
#include "midi/MidiFile.h"
#include "playback/OfflineRenderer.h"
#include "playback/SoundFontLocator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using namespace torchestra;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double wavSeconds(const std::string& path) {
    playback::WavData w = playback::readWavFile(path);
    return w.ok && w.sampleRate ? double(w.frames()) / w.sampleRate : 0.0;
}

struct Options {
    std::string soundFont;
    int rate = 48000;
    std::vector<std::string> files;
};

// The command line, with the default SoundFont and files filled in; false (after a message)
// when either is missing.
bool parseOptions(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--soundfont" && i + 1 < argc)
            o.soundFont = argv[++i];
        else if (a == "--sample-rate" && i + 1 < argc)
            o.rate = std::atoi(argv[++i]);
        else
            o.files.push_back(a);
    }
    if (o.soundFont.empty()) {
        std::string err;
        o.soundFont = playback::SoundFontLocator().locate(err);
        if (o.soundFont.empty()) {
            std::fprintf(stderr, "render_bench: %s\n", err.c_str());
            return false;
        }
    }
    if (o.files.empty()) {
        const std::string dir = "/usr/share/games/openttd/baseset/openmsx";
        std::error_code ec;
        for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; ++it)
            if (it->path().extension() == ".mid")
                o.files.push_back(it->path().string());
        std::sort(o.files.begin(), o.files.end());
        if (o.files.size() > 8)
            o.files.resize(8);
    }
    if (o.files.empty()) {
        std::fprintf(stderr,
                     "render_bench: no MIDI files (pass some, or install openttd-openmsx)\n");
        return false;
    }
    return true;
}

// Audio seconds and wall seconds, summed over the files.
struct Totals {
    double audio = 0, ours8 = 0, ours1 = 0, theirs = 0, theirsAudio = 0;
};

// Renders one file with 8 synths, 1 synth and (if present) the fluidsynth program, prints its
// line and adds to `totals`. A file that cannot be read is skipped; false when a render fails.
bool benchFile(const std::string& f, const Options& options, const std::string& tmp,
               bool haveFluidsynth, Totals& totals) {
    midi::ReadResult r = midi::readMidiFile(f);
    if (!r.ok) {
        std::fprintf(stderr, "skip %s: %s\n", f.c_str(), r.error.c_str());
        return true;
    }
    auto snap = playback::PlaybackSnapshot::fromSong(r.song);
    playback::RenderOptions o;
    o.soundFont = options.soundFont;
    o.sampleRate = options.rate;
    double t[2] = {0, 0};
    double seconds = 0;
    for (int k = 0; k < 2; ++k) {
        o.synthPhases = k == 0 ? 8 : 1;
        const double t0 = now();
        playback::RenderResult res = playback::renderToWavFile(*snap, tmp + "/ours.wav", o);
        t[k] = now() - t0;
        if (!res.ok) {
            std::fprintf(stderr, "render failed: %s\n", res.error.c_str());
            return false;
        }
        seconds = res.seconds;
    }
    double tf = 0, fsSeconds = 0;
    if (haveFluidsynth) {
        const std::string cmd = "fluidsynth -ni -q -r " + std::to_string(options.rate) + " -F " +
                                tmp + "/fs.wav '" + options.soundFont + "' '" + f +
                                "' >/dev/null 2>&1";
        const double t0 = now();
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "fluidsynth failed on %s\n", f.c_str());
            return false;
        }
        tf = now() - t0;
        fsSeconds = wavSeconds(tmp + "/fs.wav");
    }
    totals.audio += seconds;
    totals.ours8 += t[0];
    totals.ours1 += t[1];
    totals.theirs += tf;
    totals.theirsAudio += fsSeconds;
    std::printf("%-28s %8.1f %11.1fx %11.1fx %11.1fx\n",
                std::filesystem::path(f).filename().string().substr(0, 28).c_str(), seconds,
                seconds / t[0], seconds / t[1], tf > 0 ? fsSeconds / tf : 0.0);
    return true;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parseOptions(argc, argv, options))
        return 1;
    const bool haveFluidsynth = std::system("command -v fluidsynth >/dev/null 2>&1") == 0;
    const std::string tmp = "/tmp/torchestra-render-bench-" + std::to_string(::getpid());
    std::filesystem::create_directories(tmp);

    std::printf("SoundFont %s, %d Hz, %zu files\n", options.soundFont.c_str(), options.rate,
                options.files.size());
    std::printf("%-28s %8s %12s %12s %12s\n", "file", "audio s", "ours (8 syn)", "ours (1 syn)",
                "fluidsynth");
    Totals totals;
    for (const auto& f : options.files)
        if (!benchFile(f, options, tmp, haveFluidsynth, totals))
            return 1;
    std::printf("%-28s %8.1f %11.1fx %11.1fx %11.1fx\n", "TOTAL", totals.audio,
                totals.audio / totals.ours8, totals.audio / totals.ours1,
                totals.theirs > 0 ? totals.theirsAudio / totals.theirs : 0.0);
    std::printf("(multiples of real time: audio seconds / wall seconds; ours includes reading the "
                "MIDI file and writing the WAV, as fluidsynth does)\n");
    std::filesystem::remove_all(tmp);
    return 0;
}
