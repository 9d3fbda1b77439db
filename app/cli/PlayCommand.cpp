// `play IN.mid [--midi-out NAME|INDEX]`: plays a MIDI file to a MIDI port (RtMidi, JACK or ALSA)
// or, without --midi-out, through FluidSynth's audio drivers; Ctrl-C stops cleanly (note-offs
// and all-notes-off go out first). --midi-clock sends MIDI clock to the port as well.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/MidiInput.h"
#include "midi/MidiFile.h"
#include "playback/LiveAudioOutput.h"
#include "playback/MidiPorts.h"
#include "playback/Transport.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

namespace torchestra::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void onSignal(int) {
    g_interrupted = 1;
}

constexpr const char* kUsage =
    "usage: play IN.mid [--midi-out NAME|INDEX | --virtual-out NAME] [--midi-clock] "
    "[--api jack|alsa] "
    "[--audio-driver D] [--soundfont F] [--start SECONDS] [--tempo-scale X] "
    "[--loop-bars FIRST:LAST] [--seconds N]";

struct PlaySettings {
    double start = 0;
    double scale = 1;
    double seconds = 0;
    long long loopFirst = -1; // one-based, inclusive; -1 = no loop
    long long loopEnd = -1;
};

std::string readPlayFlags(const std::vector<std::string>& args, CliArgs& a, PlaySettings& s) {
    std::string err = a.parse(args,
                              {"midi-out", "virtual-out", "api", "audio-driver", "soundfont",
                               "start", "tempo-scale", "loop-bars", "seconds"},
                              {"midi-clock"});
    if (err.empty())
        s.start = a.doubleValue("start", 0, 0, 1e6, err);
    if (err.empty())
        s.scale = a.doubleValue("tempo-scale", 1, 0.25, 4, err);
    if (err.empty())
        s.seconds = a.doubleValue("seconds", 0, 0, 1e6, err);
    if (err.empty() && a.has("loop-bars")) {
        const std::string v = a.value("loop-bars", "");
        if (std::sscanf(v.c_str(), "%lld:%lld", &s.loopFirst, &s.loopEnd) != 2 || s.loopFirst < 1 ||
            s.loopEnd < s.loopFirst)
            err = "--loop-bars wants FIRST:LAST, one-based bars, both included (e.g. 3:4)";
    }
    if (err.empty() && a.positional().size() != 1)
        err = std::string("expected one MIDI file (") + kUsage + ")";
    if (err.empty() && a.has("midi-out") && a.has("virtual-out"))
        err = "give --midi-out or --virtual-out, not both";
    if (err.empty() && a.has("midi-clock") && !a.has("midi-out") && !a.has("virtual-out"))
        err = "--midi-clock goes to a MIDI port: give --midi-out or --virtual-out";
    return err;
}

// Starts the MIDI port or the audio output on `transport`; "" or what went wrong.
std::string startOutput(const CliArgs& a, const std::string& in, playback::Transport& transport,
                        playback::MidiPortOutput& port, playback::LiveAudioOutput& audio) {
    std::string err;
    if (a.has("midi-out") || a.has("virtual-out")) {
        const bool virt = a.has("virtual-out");
        const std::string name = virt ? a.value("virtual-out", "") : a.value("midi-out", "");
        const std::string api = a.value("api", "");
        const bool ok = virt ? port.openVirtual(name, err, api) : port.open(name, err, api);
        if (!ok)
            return "MIDI output '" + name + "': " + err;
        transport.setMidiClockOut(a.has("midi-clock"));
        if (!port.start(&transport, err))
            return err;
        std::cout << "playing " << in << " to " << port.portName() << " (" << port.api() << ")"
                  << (a.has("midi-clock") ? " with MIDI clock" : "") << "\n";
        return {};
    }
    playback::LiveAudioOptions o;
    o.driver = a.value("audio-driver", "");
    o.soundFont = a.value("soundfont", "");
    if (!audio.start(transport, o, err))
        return err;
    std::cout << "playing " << in << " through " << audio.driver() << " at " << audio.sampleRate()
              << " Hz with " << audio.soundFont() << "\n";
    return {};
}

// Until the song ends, Ctrl-C, or --seconds.
void waitWhilePlaying(const playback::Transport& transport, double seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    while (!g_interrupted && !transport.isFinished()) {
        if (seconds > 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >= seconds)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace

int runPlay(const std::vector<std::string>& args) {
    CliArgs a;
    PlaySettings s;
    if (std::string err = readPlayFlags(args, a, s); !err.empty()) {
        std::cerr << "torchestra-cli play: " << err << "\n";
        return 2;
    }
    const std::string& in = a.positional()[0];
    midi::ReadResult r;
    if (std::string problem = readMidiInput(in, r); !problem.empty()) {
        std::cerr << "torchestra-cli play: " << problem << "\n";
        return 2;
    }

    playback::Transport transport;
    transport.setSnapshot(playback::PlaybackSnapshot::fromSong(r.song));
    transport.setTempoScale(s.scale);
    if (s.start > 0)
        transport.seek(s.start);
    if (s.loopFirst >= 1) // one-based and inclusive here, zero-based and half-open in the model
        transport.setLoopBars(true, s.loopFirst - 1, s.loopEnd);
    transport.play();

    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    playback::MidiPortOutput port;
    playback::LiveAudioOutput audio;
    if (std::string err = startOutput(a, in, transport, port, audio); !err.empty()) {
        std::cerr << "torchestra-cli play: " << err << "\n";
        return 1;
    }
    std::cout.flush();
    waitWhilePlaying(transport, s.seconds);
    const double position = transport.positionSeconds();
    port.close();
    audio.stop();
    if (port.isOpen() || a.has("midi-out") || a.has("virtual-out")) {
        const auto st = port.stats();
        std::printf("sent %llu messages; lateness p50 %.0f us, p99 %.0f us, max %.0f us%s\n",
                    static_cast<unsigned long long>(st.sent), st.p50LateUs, st.p99LateUs,
                    st.maxLateUs, st.realtimePriority ? "" : " (no real-time priority)");
    }
    std::printf("%s at %.3f s\n", g_interrupted ? "interrupted" : "stopped", position);
    return 0;
}

} // namespace torchestra::cli
