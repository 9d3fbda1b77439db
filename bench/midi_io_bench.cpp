// MIDI file I/O benchmark: reads and writes a large generated song and, when Node and
// @tonejs/midi are installed (cd bench && npm install), reads the same file with @tonejs/midi for
// comparison. Goal: read throughput at least 20x the peer's.
//
//   build/bench/midi_io_bench [--notes N] [--runs R] [--peer-runs P] [--no-peer] [--keep FILE]
//
// Times are the best of R runs over bytes already in memory (file system excluded on both sides).

#include "PeerOutput.h"
#include "midi/MidiFile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace torchestra;
using Clock = std::chrono::steady_clock;
using bench::jsonNumber;

namespace {

// A song shaped like a long multi-track arrangement: several tracks on their own channels with
// chords and runs, controllers and pitch bends, a conductor track with tempo changes.
model::Song makeSong(std::size_t totalNotes, std::uint32_t seed) {
    std::mt19937 rng(seed);
    model::Song song;
    model::TempoMap map(480);
    for (int i = 0; i < 400; ++i)
        map.setTempo(model::Tick(i) * 480 * 16, 400000 + int(rng() % 300000));
    map.setTimeSignature({0, 4, 4, 24, 8});
    song.setTempoMap(map);

    model::Track conductor;
    conductor.properties.name = "Conductor";
    conductor.metaEvents.push_back({0, model::meta::kCopyright, "(c) benchmark"});
    song.addTrack(conductor);

    const int tracks = 12;
    const std::size_t perTrack = totalNotes / tracks;
    for (int t = 0; t < tracks; ++t) {
        model::Track track;
        track.properties.name = "Track " + std::to_string(t + 1);
        track.properties.channel = std::uint8_t(t < 9 ? t : t + 1); // skip drums
        track.properties.program = std::uint8_t(rng() % 128);
        std::vector<model::Note> notes;
        notes.reserve(perTrack);
        model::Tick tick = 0;
        while (notes.size() < perTrack) {
            // A chord of 1-4 notes, then a step of a sixteenth to a half note.
            const int size = 1 + int(rng() % 4);
            const int root = 36 + int(rng() % 48);
            const model::Tick length = 60 * (1 + model::Tick(rng() % 8));
            for (int k = 0; k < size && notes.size() < perTrack; ++k) {
                model::Note n;
                n.start = tick;
                n.length = length;
                n.pitch = std::uint8_t(root + k * 4);
                n.velocity = std::uint8_t(40 + rng() % 80);
                n.releaseVelocity = (rng() % 4 == 0) ? std::uint8_t(rng() % 128) : 64;
                n.channel = track.properties.channel;
                notes.push_back(n);
            }
            if (rng() % 3 == 0)
                track.channelEvents.push_back({tick, std::uint8_t(0xB0 | track.properties.channel),
                                               11, std::uint8_t(rng() % 128)});
            if (rng() % 5 == 0)
                track.channelEvents.push_back({tick, std::uint8_t(0xE0 | track.properties.channel),
                                               std::uint8_t(rng() % 128),
                                               std::uint8_t(rng() % 128)});
            tick += length; // next chord starts when this one ends: no same-pitch nesting
        }
        const model::TrackId id = song.addTrack(track);
        song.addNotes(id, notes);
    }
    return song;
}

template <typename F> double bestSeconds(int runs, F&& f) {
    double best = 1e300;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        f();
        const auto t1 = Clock::now();
        best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    }
    return best;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

struct Options {
    std::size_t notes = 700000;
    int runs = 5;
    int peerRuns = 3;
    std::string keep;
    bool peer = true;
};

// False (after the usage line) for an argument it does not know.
bool parseOptions(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--notes" && i + 1 < argc)
            o.notes = std::strtoul(argv[++i], nullptr, 10);
        else if (a == "--runs" && i + 1 < argc)
            o.runs = std::max(1, std::atoi(argv[++i]));
        else if (a == "--peer-runs" && i + 1 < argc)
            o.peerRuns = std::max(1, std::atoi(argv[++i]));
        else if (a == "--no-peer")
            o.peer = false;
        else if (a == "--keep" && i + 1 < argc)
            o.keep = argv[++i];
        else {
            std::fprintf(
                stderr,
                "usage: %s [--notes N] [--runs R] [--peer-runs P] [--no-peer] [--keep FILE]\n",
                argv[0]);
            return false;
        }
    }
    return true;
}

struct Figures {
    double mb = 0;    // file size
    double readS = 0; // best read time
    std::size_t readNotes = 0;
};

// Times our reader and writer on `bytes` (the song written) and prints both lines; false when
// a read or write does not give back what it should.
bool benchOurs(const model::Song& song, const std::string& bytes, int runs, Figures& f) {
    const double readS = bestSeconds(runs, [&] {
        const midi::ReadResult r = midi::readMidi(bytes);
        if (!r.ok) {
            std::fprintf(stderr, "read failed: %s\n", r.error.c_str());
            std::exit(1);
        }
        f.readNotes = r.song.noteCount();
    });
    if (f.readNotes != song.noteCount()) {
        std::fprintf(stderr, "read %zu notes, expected %zu\n", f.readNotes, song.noteCount());
        return false;
    }
    std::size_t written = 0;
    const double writeS = bestSeconds(runs, [&] { written = midi::writeMidi(song).size(); });
    if (written != bytes.size())
        return false;
    f.readS = readS;
    const double mb = f.mb;
    std::printf("torchestra read : %8.1f ms  %8.1f MB/s  %6.2f M notes/s  (best of %d)\n",
                readS * 1e3, mb / readS, double(f.readNotes) / readS / 1e6, runs);
    std::printf("torchestra write: %8.1f ms  %8.1f MB/s  %6.2f M notes/s  (best of %d)\n",
                writeS * 1e3, mb / writeS, double(song.noteCount()) / writeS / 1e6, runs);
    return true;
}

// Reads the file at `path` with @tonejs/midi (bench/tonejs/read.mjs) and prints the comparison.
void benchPeer(const std::string& path, int peerRuns, const Figures& f) {
    const std::string benchDir = TORCHESTRA_BENCH_DIR;
    const std::string script = benchDir + "/tonejs/read.mjs";
    if (!exists(benchDir + "/node_modules/@tonejs/midi") ||
        std::system("node --version >/dev/null 2>&1") != 0) {
        std::printf("peer: skipped (needs node and `cd bench && npm install`)\n");
        return;
    }
    const std::string cmd = "node '" + script + "' '" + path + "' " + std::to_string(peerRuns);
    const std::string out = bench::commandOutput(cmd);
    const double peerS = jsonNumber(out, "seconds");
    const double peerNotes = jsonNumber(out, "notes");
    const double rawS = jsonNumber(out, "rawParseSeconds");
    if (peerS <= 0) {
        std::printf("peer: failed (%s)\n", out.c_str());
        return;
    }
    const double mb = f.mb;
    std::printf("@tonejs/midi read: %8.1f ms  %8.1f MB/s  %6.2f M notes/s  (%.0f notes, "
                "best of %d)\n",
                peerS * 1e3, mb / peerS, peerNotes / peerS / 1e6, peerNotes, peerRuns);
    std::printf("  (its event parser midi-file alone: %.1f ms, %.1f MB/s)\n", rawS * 1e3,
                mb / rawS);
    std::printf("read speed ratio ours/@tonejs/midi: %.1fx (goal >= 20x); vs its raw "
                "event parser: %.1fx\n",
                peerS / f.readS, rawS / f.readS);
    if (std::size_t(peerNotes) != f.readNotes)
        std::printf("note counts differ: ours %zu, peer %.0f\n", f.readNotes, peerNotes);
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parseOptions(argc, argv, options))
        return 2;

    const model::Song song = makeSong(options.notes, 1);
    const std::string path =
        options.keep.empty() ? "/tmp/torchestra-midi-bench-" + std::to_string(::getpid()) + ".mid"
                             : options.keep;
    if (const std::string error = midi::writeMidiFile(path, song); !error.empty()) {
        std::fprintf(stderr, "cannot write the benchmark file: %s\n", error.c_str());
        return 1;
    }
    const std::string bytes = midi::writeMidi(song);
    Figures figures;
    figures.mb = double(bytes.size()) / 1e6;
    std::printf("song: %zu tracks, %zu notes, %.2f MB (%s)\n", song.trackCount(), song.noteCount(),
                figures.mb, path.c_str());

    if (!benchOurs(song, bytes, options.runs, figures))
        return 1;
    if (!options.peer)
        std::printf("peer: skipped (--no-peer)\n");
    else
        benchPeer(path, options.peerRuns, figures);
    if (options.keep.empty())
        ::unlink(path.c_str());
    return 0;
}
