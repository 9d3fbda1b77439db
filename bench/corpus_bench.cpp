// Corpus build benchmark: files per second turning real MIDI into a corpus (ml/corpus) on a
// given number of threads, then an unchanged and a grown rebuild, and the same files read into
// piano rolls by a Python peer with mido (bench/corpus_peer.py, as many worker processes as we
// have threads) in the same run. Goal: at least 20x the peer's files per second.
//
//   build/bench/corpus_bench [--files N] [--threads T] [--source DIR] [--work DIR]
//                            [--peer-files M] [--no-peer] [--python PY]
//
// The inputs are the real MIDI files in --source (default: Debian's openttd-openmsx set, 31
// files) written again transposed (-12..+12 semitones) and with their tempi scaled (1%
// steps), up to N distinct files in --work (default a folder under /tmp; kept between runs when
// given). Both sides read the same files from the page cache (they were just written).

#include "PeerOutput.h"
#include "ProcStatus.h"
#include "midi/MidiFile.h"
#include "ml/corpus/CorpusBuilder.h"
#include "ml/corpus/CorpusReader.h"
#include "ml/corpus/CorpusReport.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using namespace torchestra;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using bench::jsonNumber;

namespace {

struct Options {
    long files = 3000;
    int threads = 2;
    std::string source = "/usr/share/games/openttd/baseset/openmsx";
    std::string work;
    long peerFiles = 0; // 0: all
    bool peer = true;
    std::string python = "/usr/bin/python3";
};

bool parseOptions(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool more = i + 1 < argc;
        if (a == "--files" && more)
            o.files = std::max(1L, std::atol(argv[++i]));
        else if (a == "--threads" && more)
            o.threads = std::max(1, std::atoi(argv[++i]));
        else if (a == "--source" && more)
            o.source = argv[++i];
        else if (a == "--work" && more)
            o.work = argv[++i];
        else if (a == "--peer-files" && more)
            o.peerFiles = std::max(0L, std::atol(argv[++i]));
        else if (a == "--no-peer")
            o.peer = false;
        else if (a == "--python" && more)
            o.python = argv[++i];
        else {
            std::fprintf(stderr,
                         "usage: %s [--files N] [--threads T] [--source DIR] [--work DIR] "
                         "[--peer-files M] [--no-peer] [--python PY]\n",
                         argv[0]);
            return false;
        }
    }
    return true;
}

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// `song` transposed by `semitones` (notes pushed out of 0..127 are dropped) with every tempo
// scaled by `tempoScale`.
model::Song perturbed(const model::Song& song, int semitones, double tempoScale) {
    model::Song out = song;
    model::TempoMap map = song.tempoMap();
    for (const auto& t : song.tempoMap().tempos())
        map.setTempo(t.tick, std::int32_t(t.usPerQuarter * tempoScale));
    if (map.tempos().empty())
        map.setTempo(0, std::int32_t(500000 * tempoScale));
    out.setTempoMap(map);
    for (std::size_t i = 0; i < out.trackCount(); ++i) {
        const model::Track& track = out.trackAt(i);
        std::vector<model::Note> moved, gone;
        for (const model::Note& n : track.notes()) {
            model::Note m = n;
            const int p = int(n.pitch) + semitones;
            m.pitch = std::uint8_t(std::clamp(p, 0, 127));
            (p < 0 || p > 127 ? gone : moved).push_back(m);
        }
        std::vector<model::NoteId> drop;
        for (const model::Note& n : gone)
            drop.push_back(n.id);
        out.removeNotes(track.id(), drop);
        out.changeNotes(track.id(), moved);
    }
    return out;
}

// Writes the perturbed copies (those not there yet); returns how many files the folder holds.
long writeInputs(const Options& o, const std::string& dir) {
    std::vector<model::Song> sources;
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(o.source, ec)) {
        midi::ReadResult r = midi::readMidiFile(e.path().string());
        if (r.ok) {
            sources.push_back(std::move(r.song));
            names.push_back(e.path().stem().string());
        }
    }
    if (sources.empty())
        return 0;
    fs::create_directories(dir, ec);
    long written = 0;
    for (long i = 0; i < o.files; ++i) {
        const std::size_t s = std::size_t(i) % sources.size();
        const long variant = i / long(sources.size());
        const int semitones = int(variant % 25) - 12;
        const double scale = 1.0 + 0.01 * double(variant / 25);
        const std::string path = dir + "/" + std::to_string(i % 100) + "/" + names[s] + "-" +
                                 std::to_string(variant) + ".mid";
        if (fs::exists(path, ec))
            continue;
        fs::create_directories(fs::path(path).parent_path(), ec);
        if (midi::writeMidiFile(path, perturbed(sources[s], semitones, scale)).empty())
            ++written;
    }
    return written;
}

struct Run {
    double seconds = 0;
    ml::corpus::CorpusBuildResult result;
};

Run build(const std::string& in, const std::string& out, int threads) {
    ml::corpus::CorpusBuildOptions options;
    options.threads = threads;
    std::atomic<bool> cancel{false};
    const auto t0 = Clock::now();
    Run run;
    run.result = ml::corpus::buildCorpus({in}, out, options, cancel);
    run.seconds = since(t0);
    if (!run.result.ok)
        std::fprintf(stderr, "corpus build failed: %s\n", run.result.error.c_str());
    return run;
}

// Runs the Python peer on the same folder; returns its files per second (0 when it failed).
double runPeer(const Options& o, const std::string& in) {
    const std::string cmd = o.python + " " + TORCHESTRA_BENCH_DIR + "/corpus_peer.py '" + in +
                            "' --workers " + std::to_string(o.threads) + " --limit " +
                            std::to_string(o.peerFiles);
    const std::string out = bench::commandOutput(cmd);
    const double files = jsonNumber(out, "files"), seconds = jsonNumber(out, "seconds");
    if (files <= 0 || seconds <= 0) {
        std::printf("peer: failed (%s)\n", out.c_str());
        return 0;
    }
    std::printf("peer (mido piano roll, %s, %d processes): %.0f files in %.2f s = %.1f files/s "
                "(%.0f refused, %.0f notes, %.0f steps; numpy %s)\n",
                o.python.c_str(), o.threads, files, seconds, files / seconds,
                jsonNumber(out, "refused"), jsonNumber(out, "notes"), jsonNumber(out, "steps"),
                out.find("\"numpy\": true") != std::string::npos ? "yes" : "no");
    return files / seconds;
}

// A line of /proc/self/status in MB ("RssAnon", "RssFile"); -1 if absent.
double statusMb(const char* key) {
    return bench::statusMb("/proc/self/status", key);
}

// Every record decoded once through the reader, as a training loop streaming a corpus larger
// than memory would: the shards are mapped, so what they occupy is page cache the kernel can
// drop (RssFile), while the heap (RssAnon) holds one decoded piece at a time.
void streamCorpus(const std::string& dir) {
    const double anonBefore = statusMb("RssAnon");
    auto t0 = Clock::now();
    ml::corpus::CorpusReader reader;
    if (std::string err = reader.open(dir); !err.empty()) {
        std::printf("stream: %s\n", err.c_str());
        return;
    }
    const double openS = since(t0);
    t0 = Clock::now();
    long steps = 0;
    double anonPeak = statusMb("RssAnon");
    ml::FrameSequence seq;
    for (std::size_t i = 0; i < reader.size(); ++i) {
        if (std::string err = reader.read(i, seq); !err.empty()) {
            std::printf("stream: %s\n", err.c_str());
            return;
        }
        steps += seq.steps;
        if (i % 1000 == 0)
            anonPeak = std::max(anonPeak, statusMb("RssAnon"));
    }
    const double readS = since(t0);
    double shardMb = 0;
    for (const auto& s : reader.index().shards)
        shardMb += double(s.bytes) / (1024.0 * 1024.0);
    std::printf("stream: opened (manifest, index, every shard's checksum) in %.2f s; decoded %zu "
                "records, %ld steps in %.2f s = %.0f records/s, %.1f M steps/s (one thread); "
                "shards %.0f MB, heap (RssAnon) %.0f MB before, %.0f MB at most while streaming, "
                "mapped shard pages resident (RssFile) %.0f MB\n",
                openS, reader.size(), steps, readS, double(reader.size()) / readS,
                double(steps) / readS / 1e6, shardMb, anonBefore, anonPeak, statusMb("RssFile"));
}

void printRun(const char* what, const Run& r) {
    const auto& m = r.result.manifest;
    const auto report = ml::corpus::makeCorpusReport(m);
    std::printf("%s: %ld files in %.2f s = %.1f files/s (read %ld, unchanged %ld); %ld used, "
                "%ld refused (%ld duplicates), %ld notes, %ld steps, %.1f hours\n",
                what, report.files, r.seconds, double(report.files) / r.seconds,
                m.lastBuild.processed, m.lastBuild.unchanged, report.used, report.refused,
                report.duplicates, report.notes, report.steps, report.seconds / 3600.0);
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parseOptions(argc, argv, o))
        return 2;
    const std::string work =
        o.work.empty() ? "/tmp/torchestra-corpus-bench-" + std::to_string(::getpid()) : o.work;
    const std::string in = work + "/in", out = work + "/corpus";
    auto t0 = Clock::now();
    const long written = writeInputs(o, in);
    std::printf("inputs: %ld files in %s (%ld written now in %.1f s) from %s\n", o.files,
                in.c_str(), written, since(t0), o.source.c_str());
    std::error_code ec;
    fs::remove_all(out, ec);
    const Run fresh = build(in, out, o.threads);
    if (!fresh.result.ok)
        return 1;
    printRun("ours, fresh build", fresh);
    const Run same = build(in, out, o.threads);
    printRun("ours, rebuild, nothing changed", same);
    o.files = o.files + std::max(1L, o.files / 100); // 1% more files
    writeInputs(o, in);
    const Run grown = build(in, out, o.threads);
    printRun("ours, rebuild after 1% more files", grown);
    streamCorpus(out);
    if (!o.peer)
        return 0;
    o.peerFiles = o.peerFiles > 0 ? o.peerFiles : o.files;
    const double peer = runPeer(o, in);
    if (peer > 0)
        std::printf("files/s ratio ours/peer (fresh build): %.1fx (goal >= 20x)\n",
                    double(fresh.result.manifest.files.size()) / fresh.seconds / peer);
    if (o.work.empty())
        fs::remove_all(work, ec);
    return 0;
}
