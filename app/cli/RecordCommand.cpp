// `record --midi-in NAME --seconds N --out take.mid`: records what a MIDI keyboard plays into a
// one-track MIDI file, optionally echoing it to an output (--thru NAME) so the player hears it.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "midi/MidiFile.h"
#include "playback/MidiPorts.h"
#include "playback/MidiRecorder.h"

#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

namespace torchestra::cli {

namespace {
volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) {
    g_stop = 1;
}

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr const char* kUsage =
    "usage: record (--midi-in NAME|INDEX | --virtual-in NAME) --seconds N --out take.mid "
    "[--thru NAME|INDEX] [--api jack|alsa] [--bpm B]";
} // namespace

int runRecord(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err =
        a.parse(args, {"midi-in", "virtual-in", "seconds", "out", "thru", "api", "bpm"}, {});
    double seconds = 0, bpm = 120;
    if (err.empty())
        seconds = a.doubleValue("seconds", 0, 0.01, 86400, err);
    if (err.empty())
        bpm = a.doubleValue("bpm", 120, 10, 400, err);
    if (err.empty() && !a.positional().empty())
        err = std::string("unexpected argument '") + a.positional()[0] + "' (" + kUsage + ")";
    if (err.empty() && (a.has("midi-in") == a.has("virtual-in")))
        err = std::string("give --midi-in or --virtual-in (") + kUsage + ")";
    if (err.empty() && (!a.has("seconds") || !a.has("out")))
        err = std::string("--seconds and --out are required (") + kUsage + ")";
    if (!err.empty()) {
        std::cerr << "torchestra-cli record: " << err << "\n";
        return 2;
    }
    const std::string out = a.value("out", "");
    const std::string api = a.value("api", "");

    playback::MidiPortOutput thru;
    if (a.has("thru")) {
        if (!thru.open(a.value("thru", ""), err, api) || !thru.start(nullptr, err)) {
            std::cerr << "torchestra-cli record: thru output: " << err << "\n";
            return 1;
        }
    }
    playback::MidiPortInput input;
    const bool virt = a.has("virtual-in");
    const std::string name = virt ? a.value("virtual-in", "") : a.value("midi-in", "");
    if (!(virt ? input.openVirtual(name, err, api) : input.open(name, err, api))) {
        std::cerr << "torchestra-cli record: MIDI input '" << name << "': " << err << "\n";
        return 1;
    }
    if (thru.isOpen())
        input.setThru(&thru);

    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, std::int32_t(60'000'000.0 / bpm));
    song.setTempoMap(map);
    const std::int64_t origin = nowNs();
    playback::MidiRecorder recorder(map, origin);
    std::cout << "recording from " << input.portName() << " (" << input.api() << ") for " << seconds
              << " s\n";
    std::cout.flush();
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    const std::int64_t end = origin + std::int64_t(seconds * 1e9);
    playback::InputEvent e;
    while (!g_stop && nowNs() < end) {
        while (input.pop(e))
            recorder.add(e);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    while (input.pop(e))
        recorder.add(e);
    const std::int64_t stopNs = std::min(nowNs(), end);
    input.close();
    thru.close();

    model::Track track;
    track.properties.name = "Take";
    const model::TrackId id = song.addTrack(track);
    const auto notes = recorder.finish(stopNs);
    song.addNotes(id, notes);
    song.setTrackEvents(id, recorder.channelEvents(), {}, {});
    if (std::string werr = midi::writeMidiFile(out, song); !werr.empty()) {
        std::cerr << "torchestra-cli record: " << werr << "\n";
        return 1;
    }
    std::cout << "wrote " << out << " (" << notes.size() << " notes, "
              << recorder.channelEvents().size() << " other events";
    if (input.dropped())
        std::cout << ", " << input.dropped() << " events lost";
    std::cout << ")\n";
    return 0;
}

} // namespace torchestra::cli
