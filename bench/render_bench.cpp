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

} // namespace

int main(int argc, char** argv) {
    std::string soundFont;
    int rate = 48000;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--soundfont" && i + 1 < argc)
            soundFont = argv[++i];
        else if (a == "--sample-rate" && i + 1 < argc)
            rate = std::atoi(argv[++i]);
        else
            files.push_back(a);
    }
    if (soundFont.empty()) {
        std::string err;
        soundFont = playback::SoundFontLocator().locate(err);
        if (soundFont.empty()) {
            std::fprintf(stderr, "render_bench: %s\n", err.c_str());
            return 1;
        }
    }
    if (files.empty()) {
        const std::string dir = "/usr/share/games/openttd/baseset/openmsx";
        std::error_code ec;
        for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; ++it)
            if (it->path().extension() == ".mid")
                files.push_back(it->path().string());
        std::sort(files.begin(), files.end());
        if (files.size() > 8)
            files.resize(8);
    }
    if (files.empty()) {
        std::fprintf(stderr,
                     "render_bench: no MIDI files (pass some, or install openttd-openmsx)\n");
        return 1;
    }
    const bool haveFluidsynth = std::system("command -v fluidsynth >/dev/null 2>&1") == 0;
    const std::string tmp = "/tmp/torchestra-render-bench-" + std::to_string(::getpid());
    std::filesystem::create_directories(tmp);

    std::printf("SoundFont %s, %d Hz, %zu files\n", soundFont.c_str(), rate, files.size());
    std::printf("%-28s %8s %12s %12s %12s\n", "file", "audio s", "ours (8 syn)", "ours (1 syn)",
                "fluidsynth");
    double audioTotal = 0, ours8 = 0, ours1 = 0, theirs = 0, theirsAudio = 0;
    for (const auto& f : files) {
        midi::ReadResult r = midi::readMidiFile(f);
        if (!r.ok) {
            std::fprintf(stderr, "skip %s: %s\n", f.c_str(), r.error.c_str());
            continue;
        }
        auto snap = playback::PlaybackSnapshot::fromSong(r.song);
        playback::RenderOptions o;
        o.soundFont = soundFont;
        o.sampleRate = rate;
        double t[2] = {0, 0};
        double seconds = 0;
        for (int k = 0; k < 2; ++k) {
            o.synthPhases = k == 0 ? 8 : 1;
            const double t0 = now();
            playback::RenderResult res = playback::renderToWavFile(*snap, tmp + "/ours.wav", o);
            t[k] = now() - t0;
            if (!res.ok) {
                std::fprintf(stderr, "render failed: %s\n", res.error.c_str());
                return 1;
            }
            seconds = res.seconds;
        }
        double tf = 0, fsSeconds = 0;
        if (haveFluidsynth) {
            const std::string cmd = "fluidsynth -ni -q -r " + std::to_string(rate) + " -F " + tmp +
                                    "/fs.wav '" + soundFont + "' '" + f + "' >/dev/null 2>&1";
            const double t0 = now();
            if (std::system(cmd.c_str()) != 0) {
                std::fprintf(stderr, "fluidsynth failed on %s\n", f.c_str());
                return 1;
            }
            tf = now() - t0;
            fsSeconds = wavSeconds(tmp + "/fs.wav");
        }
        audioTotal += seconds;
        ours8 += t[0];
        ours1 += t[1];
        theirs += tf;
        theirsAudio += fsSeconds;
        std::printf("%-28s %8.1f %11.1fx %11.1fx %11.1fx\n",
                    std::filesystem::path(f).filename().string().substr(0, 28).c_str(), seconds,
                    seconds / t[0], seconds / t[1], tf > 0 ? fsSeconds / tf : 0.0);
    }
    std::printf("%-28s %8.1f %11.1fx %11.1fx %11.1fx\n", "TOTAL", audioTotal, audioTotal / ours8,
                audioTotal / ours1, theirs > 0 ? theirsAudio / theirs : 0.0);
    std::printf("(multiples of real time: audio seconds / wall seconds; ours includes reading the "
                "MIDI file and writing the WAV, as fluidsynth does)\n");
    std::filesystem::remove_all(tmp);
    return 0;
}
