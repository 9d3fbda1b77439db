// Offline render speed in multiples of real time, beside the fluidsynth program rendering the
// same files with the same SoundFont in the same run (`fluidsynth -ni -F out.wav sf2 file.mid`),
// and (--effects-check) how far the shared effects of the default bank are from the per-synth
// effects the bank had before, against two renders known to sound the same.
//
// usage: render_bench [--soundfont F] [--sample-rate R] [--repeat N] [--phases N]
//                     [--effects-check] [FILE.mid ...]
// Without files it renders the OpenMSX set (Debian's openttd-openmsx) if installed.
#include "midi/MidiFile.h"
#include "playback/OfflineRenderer.h"
#include "playback/SoundFontLocator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

using namespace torchestra;

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// CPU seconds (user + system) used so far by this process, or by its finished children.
double cpuSeconds(int who) {
    rusage u{};
    getrusage(who, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double wavSeconds(const std::string& path) {
    playback::WavData w = playback::readWavFile(path);
    return w.ok && w.sampleRate ? double(w.frames()) / w.sampleRate : 0.0;
}

std::string fileName(const std::string& path) {
    return std::filesystem::path(path).filename().string().substr(0, 28);
}

struct Options {
    std::string soundFont;
    int rate = 48000;
    int repeat = 1;
    int phases = 8; // for ours and the old bank
    bool effectsCheck = false;
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
        else if (a == "--repeat" && i + 1 < argc)
            o.repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--phases" && i + 1 < argc)
            o.phases = std::max(1, std::atoi(argv[++i]));
        else if (a == "--effects-check")
            o.effectsCheck = true;
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
    }
    if (o.files.empty()) {
        std::fprintf(stderr,
                     "render_bench: no MIDI files (pass some, or install openttd-openmsx)\n");
        return false;
    }
    return true;
}

// ---- speed ----

enum Kind { kNew, kOld, kOneSynth, kFluidsynth, kKinds };
const char* const kKindNames[kKinds] = {"ours", "old bank", "1 synth", "fluidsynth"};

// Wall and CPU seconds of one way of rendering a file, each the best of the repeats (the
// machine is shared: the best run is the one least disturbed), and the audio it made.
struct Timing {
    double wall = -1, cpu = -1, audio = 0;
    void add(double w, double c) {
        wall = wall < 0 ? w : std::min(wall, w);
        cpu = cpu < 0 ? c : std::min(cpu, c);
    }
};

// Sums over the files, per way of rendering.
struct Totals {
    double wall[kKinds] = {}, cpu[kKinds] = {}, audio[kKinds] = {};
    void add(const Timing t[kKinds]) {
        for (int k = 0; k < kKinds; ++k) {
            wall[k] += std::max(0.0, t[k].wall);
            cpu[k] += std::max(0.0, t[k].cpu);
            audio[k] += t[k].audio;
        }
    }
};

playback::RenderOptions renderOptions(const Options& options, Kind kind) {
    playback::RenderOptions o;
    o.soundFont = options.soundFont;
    o.sampleRate = options.rate;
    o.sharedEffects = kind == kNew;
    o.synthPhases = kind == kOneSynth ? 1 : options.phases;
    return o;
}

// Reading `file` and rendering it to a WAV file; wall < 0 when it fails.
Timing timeOurs(const std::string& file, const playback::RenderOptions& o, const Options& options,
                const std::string& tmp) {
    Timing t;
    for (int k = 0; k < options.repeat; ++k) {
        const double t0 = now(), c0 = cpuSeconds(RUSAGE_SELF);
        midi::ReadResult r = midi::readMidiFile(file);
        if (!r.ok)
            return {};
        auto snap = playback::PlaybackSnapshot::fromSong(r.song);
        playback::RenderResult res = playback::renderToWavFile(*snap, tmp + "/ours.wav", o);
        if (!res.ok) {
            std::fprintf(stderr, "render failed: %s\n", res.error.c_str());
            return {};
        }
        t.add(now() - t0, cpuSeconds(RUSAGE_SELF) - c0);
        t.audio = res.seconds;
        if (o.sharedEffects && !res.effectsShared)
            std::fprintf(stderr, "note: this FluidSynth hands out no effect sends: ours ran an "
                                 "effects unit per synth\n");
    }
    return t;
}

// The same for the fluidsynth program.
Timing timeFluidsynth(const std::string& file, const Options& options, const std::string& tmp) {
    const std::string cmd = "fluidsynth -ni -q -r " + std::to_string(options.rate) + " -F " + tmp +
                            "/fs.wav '" + options.soundFont + "' '" + file + "' >/dev/null 2>&1";
    Timing t;
    for (int k = 0; k < options.repeat; ++k) {
        const double t0 = now(), c0 = cpuSeconds(RUSAGE_CHILDREN);
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "fluidsynth failed on %s\n", file.c_str());
            return {};
        }
        t.add(now() - t0, cpuSeconds(RUSAGE_CHILDREN) - c0);
    }
    t.audio = wavSeconds(tmp + "/fs.wav");
    return t;
}

void printSpeedHeader() {
    std::printf("%-28s %7s %8s %8s %8s %8s %8s %8s %8s\n", "", "", "", "", "", "", "ours/fs",
                "ours/fs", "old/fs");
    std::printf("%-28s %7s %8s %8s %8s %8s %8s %8s %8s\n", "file", "audio s", kKindNames[kNew],
                kKindNames[kOld], kKindNames[kOneSynth], "fluidsyn", "wall", "cpu", "wall");
}

void printSpeedLine(const std::string& name, const double wall[kKinds], const double cpu[kKinds],
                    const double audio[kKinds]) {
    double x[kKinds], c[kKinds];
    for (int k = 0; k < kKinds; ++k) {
        x[k] = wall[k] > 0 ? audio[k] / wall[k] : 0.0;
        c[k] = cpu[k] > 0 ? audio[k] / cpu[k] : 0.0;
    }
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    std::printf("%-28s %7.1f %7.1fx %7.1fx %7.1fx %7.1fx %8.2f %8.2f %8.2f\n", name.c_str(),
                audio[kNew], x[kNew], x[kOld], x[kOneSynth], x[kFluidsynth],
                ratio(x[kNew], x[kFluidsynth]), ratio(c[kNew], c[kFluidsynth]),
                ratio(x[kOld], x[kFluidsynth]));
}

// Renders one file every way, prints its line and adds to `totals`. A file that cannot be
// read is skipped; false when a render fails.
bool benchFile(const std::string& f, const Options& options, const std::string& tmp,
               bool haveFluidsynth, Totals& totals) {
    if (midi::ReadResult r = midi::readMidiFile(f); !r.ok) {
        std::fprintf(stderr, "skip %s: %s\n", f.c_str(), r.error.c_str());
        return true;
    }
    Timing t[kKinds];
    // One after the other per file, so a change in the machine's load falls on all alike.
    for (Kind k : {kNew, kOld, kOneSynth})
        if ((t[k] = timeOurs(f, renderOptions(options, k), options, tmp)).wall < 0)
            return false;
    if (haveFluidsynth && (t[kFluidsynth] = timeFluidsynth(f, options, tmp)).wall < 0)
        return false;
    Totals one;
    one.add(t);
    totals.add(t);
    printSpeedLine(fileName(f), one.wall, one.cpu, one.audio);
    return true;
}

int runSpeed(const Options& options, const std::string& tmp) {
    const bool haveFluidsynth = std::system("command -v fluidsynth >/dev/null 2>&1") == 0;
    std::printf("SoundFont %s, %d Hz, %zu files, best of %d\n", options.soundFont.c_str(),
                options.rate, options.files.size(), options.repeat);
    printSpeedHeader();
    Totals totals;
    for (const auto& f : options.files)
        if (!benchFile(f, options, tmp, haveFluidsynth, totals))
            return 1;
    printSpeedLine("TOTAL", totals.wall, totals.cpu, totals.audio);
    std::printf("(multiples of real time: audio seconds / wall seconds, each including reading "
                "the MIDI file and writing the WAV; ours/fs: our speed over the fluidsynth "
                "program's in this run, in wall time and in CPU time)\n");
    return 0;
}

// ---- effects check ----
//
// The shared effects must sound as the eight per-synth units did. The check: the log-spectral
// distance between two renders, i.e. the RMS over time-frequency cells of the difference of
// their STFT magnitudes in dB (2048-point Hann frames, hop 1024, both channels, 20 Hz-20 kHz;
// frames within 60 dB of the reference's loudest frame; each cell floored 60 dB below its
// frame's loudest bin, as quieter detail is masked). It is taken for the whole mix and for the
// effects alone (a render minus the same render without effects: the dry part is identical,
// so this is exactly the reverb and chorus). The yardstick is the same distance between two
// renders known to sound the same: the old bank with 8 and with 16 synths, whose notes differ
// by at most 7 samples (0.15 ms) in onset and not at all in sound.

void fft(std::vector<std::complex<double>>& a) {
    const std::size_t n = a.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j)
            std::swap(a[i], a[j]);
    }
    for (std::size_t len = 2; len <= n; len <<= 1) {
        const std::complex<double> w = std::polar(1.0, -2.0 * M_PI / double(len));
        for (std::size_t i = 0; i < n; i += len) {
            std::complex<double> wk = 1.0;
            for (std::size_t k = 0; k < len / 2; ++k, wk *= w) {
                const std::complex<double> u = a[i + k], v = a[i + k + len / 2] * wk;
                a[i + k] = u + v;
                a[i + k + len / 2] = u - v;
            }
        }
    }
}

constexpr int kFft = 2048, kHop = 1024;

// A spectrogram: power in dB per cell (rows of frames), and each column's frequency.
struct Spectrogram {
    std::vector<std::vector<float>> rows;
    std::vector<double> hz;
};

// Of one channel of interleaved stereo, bins from 20 Hz to 20 kHz.
Spectrogram spectrogram(const std::vector<float>& stereo, int channel, int rate) {
    Spectrogram s;
    const auto lo = std::size_t(std::ceil(20.0 * kFft / rate));
    const auto hi = std::min<std::size_t>(kFft / 2, std::size_t(20000.0 * kFft / rate));
    for (std::size_t b = lo; b <= hi; ++b)
        s.hz.push_back(double(b) * rate / kFft);
    const std::size_t frames = stereo.size() / 2;
    std::vector<std::complex<double>> buf(kFft);
    for (std::size_t start = 0; start + kFft <= frames; start += kHop) {
        for (int i = 0; i < kFft; ++i) {
            const double w = 0.5 - 0.5 * std::cos(2.0 * M_PI * i / kFft);
            buf[std::size_t(i)] = w * stereo[2 * (start + std::size_t(i)) + std::size_t(channel)];
        }
        fft(buf);
        std::vector<float> row;
        for (std::size_t b = lo; b <= hi; ++b)
            row.push_back(float(10.0 * std::log10(std::norm(buf[b]) + 1e-20)));
        s.rows.push_back(std::move(row));
    }
    return s;
}

// The same in third-octave bands (centres 25 Hz to 20 kHz) over groups of 4 frames (85 ms at
// 48 kHz): the level the ear follows. Two renders of one reverb agree here though their fine
// structure differs from bin to bin as two noises do.
Spectrogram bandLevels(const Spectrogram& s) {
    Spectrogram out;
    std::vector<std::pair<std::size_t, std::size_t>> bands; // columns [first, last)
    for (double centre = 25.0; centre < 21000.0; centre *= std::pow(2.0, 1.0 / 3.0)) {
        const double lo = centre * std::pow(2.0, -1.0 / 6.0),
                     hi = centre * std::pow(2.0, 1.0 / 6.0);
        const auto first =
            std::size_t(std::lower_bound(s.hz.begin(), s.hz.end(), lo) - s.hz.begin());
        const auto last =
            std::size_t(std::lower_bound(s.hz.begin(), s.hz.end(), hi) - s.hz.begin());
        if (last > first) {
            bands.push_back({first, last});
            out.hz.push_back(centre);
        }
    }
    constexpr std::size_t kGroup = 4;
    for (std::size_t g = 0; g + kGroup <= s.rows.size(); g += kGroup) {
        std::vector<float> row;
        for (const auto& [first, last] : bands) {
            double p = 0;
            for (std::size_t f = g; f < g + kGroup; ++f)
                for (std::size_t c = first; c < last; ++c)
                    p += std::pow(10.0, s.rows[f][c] / 10.0);
            row.push_back(float(10.0 * std::log10(p + 1e-20)));
        }
        out.rows.push_back(std::move(row));
    }
    return out;
}

// Differences in dB over the counted cells, pooled over channels and files, in all and per
// frequency band (to show where a difference lies).
constexpr double kBandEdges[] = {20, 500, 2000, 8000, 16000, 20001};
constexpr int kBands = 5;

struct Distance {
    double sum = 0, sumSq = 0;
    std::uint64_t cells = 0;
    std::vector<std::uint64_t> histogram = std::vector<std::uint64_t>(4001); // |d| per 0.01 dB
    double bandSum[kBands] = {}, bandSq[kBands] = {};
    std::uint64_t bandCells[kBands] = {};

    void add(double d, double hz) {
        sum += d;
        sumSq += d * d;
        ++cells;
        ++histogram[std::min<std::size_t>(4000, std::size_t(std::fabs(d) * 100.0))];
        int b = 0;
        while (b + 1 < kBands && hz >= kBandEdges[b + 1])
            ++b;
        bandSum[b] += d;
        bandSq[b] += d * d;
        ++bandCells[b];
    }
    void add(const Distance& o) {
        sum += o.sum;
        sumSq += o.sumSq;
        cells += o.cells;
        for (std::size_t i = 0; i < histogram.size(); ++i)
            histogram[i] += o.histogram[i];
        for (int b = 0; b < kBands; ++b) {
            bandSum[b] += o.bandSum[b];
            bandSq[b] += o.bandSq[b];
            bandCells[b] += o.bandCells[b];
        }
    }
    double rms() const { return cells ? std::sqrt(sumSq / double(cells)) : 0.0; }
    double mean() const { return cells ? sum / double(cells) : 0.0; }
    double bandMean(int b) const { return bandCells[b] ? bandSum[b] / double(bandCells[b]) : 0.0; }
    double bandRms(int b) const {
        return bandCells[b] ? std::sqrt(bandSq[b] / double(bandCells[b])) : 0.0;
    }
    double p99() const {
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < histogram.size(); ++i)
            if ((seen += histogram[i]) >= cells - cells / 100)
                return double(i) / 100.0;
        return 40.0;
    }
};

double frameDb(const std::vector<float>& row) {
    double p = 0;
    for (float v : row)
        p += std::pow(10.0, v / 10.0);
    return 10.0 * std::log10(p + 1e-20);
}

// Adds the differences of `a` from the reference `ref` (cell by cell, in dB) to `d`: rows
// within 60 dB of the reference's loudest, each cell floored 60 dB below its row's loudest (as
// quieter detail is masked).
void addDifferences(const Spectrogram& a, const Spectrogram& ref, Distance& d) {
    double loudest = -1e9;
    for (const auto& row : ref.rows)
        loudest = std::max(loudest, frameDb(row));
    for (std::size_t f = 0; f < ref.rows.size() && f < a.rows.size(); ++f) {
        if (frameDb(ref.rows[f]) < loudest - 60.0)
            continue;
        const float floor = *std::max_element(ref.rows[f].begin(), ref.rows[f].end()) - 60.0f;
        for (std::size_t c = 0; c < ref.hz.size(); ++c)
            d.add(std::max(a.rows[f][c], floor) - std::max(ref.rows[f][c], floor), ref.hz[c]);
    }
}

// How far `a` is from the reference `ref` (same length and rate): STFT bin by bin (the
// log-spectral distance) and in third-octave bands.
struct Distances {
    Distance bins, bands;
};

Distances spectralDistances(const std::vector<float>& a, const std::vector<float>& ref, int rate) {
    Distances d;
    for (int ch = 0; ch < 2; ++ch) {
        const Spectrogram sa = spectrogram(a, ch, rate), sr = spectrogram(ref, ch, rate);
        addDifferences(sa, sr, d.bins);
        addDifferences(bandLevels(sa), bandLevels(sr), d.bands);
    }
    return d;
}

std::vector<float> minus(const std::vector<float>& a, const std::vector<float>& b) {
    std::vector<float> d(std::min(a.size(), b.size()));
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = a[i] - b[i];
    return d;
}

double energy(const std::vector<float>& v) {
    double e = 0;
    for (float x : v)
        e += double(x) * x;
    return e;
}

// The renders of one file the check compares; ok false (after a message) when one fails.
struct CheckRenders {
    bool ok = true;
    std::vector<float> oldFx, newFx, old16Fx, oldDry, newDry, old16Dry;
};

CheckRenders renderForCheck(const playback::PlaybackSnapshot& snap, const Options& options) {
    CheckRenders c;
    auto render = [&](bool shared, int phases, bool effects) {
        playback::RenderOptions o;
        o.soundFont = options.soundFont;
        o.sampleRate = options.rate;
        o.sharedEffects = shared;
        o.synthPhases = phases;
        o.reverb = o.chorus = effects;
        playback::RenderResult r = playback::renderSnapshot(snap, o);
        if (!r.ok) {
            std::fprintf(stderr, "render failed: %s\n", r.error.c_str());
            c.ok = false;
        }
        return r.interleaved;
    };
    c.oldFx = render(false, 8, true);
    c.newFx = render(true, 8, true);
    c.old16Fx = render(false, 16, true);
    c.oldDry = render(false, 8, false);
    c.newDry = render(true, 8, false);
    c.old16Dry = render(false, 16, false);
    return c;
}

// Distances pooled over files: ours and the yardstick, for the mix and the effects alone.
struct CheckTotals {
    Distances mix, mixBase, wet, wetBase;
    double wetNew = 0, wetOld = 0, dryMaxDiff = 0;
    void add(const CheckTotals& o) {
        for (auto [to, from] : {std::pair{&mix, &o.mix},
                                {&mixBase, &o.mixBase},
                                {&wet, &o.wet},
                                {&wetBase, &o.wetBase}}) {
            to->bins.add(from->bins);
            to->bands.add(from->bands);
        }
        wetNew += o.wetNew;
        wetOld += o.wetOld;
        dryMaxDiff = std::max(dryMaxDiff, o.dryMaxDiff);
    }
};

void printCheckHeader() {
    std::printf("%-28s %-13s %-13s | %-13s %-13s | %-13s %-13s | %6s %7s\n", "", "mix: ours",
                "mix: old16", "fx: ours", "fx: old16", "fx bands:ours", "fx bands:o16", "level",
                "dry");
}

void printCheckLine(const std::string& name, const CheckTotals& t) {
    auto cell = [](const Distance& d) { std::printf(" %5.3f %6.2f ", d.rms(), d.p99()); };
    std::printf("%-28s", name.c_str());
    cell(t.mix.bins);
    cell(t.mixBase.bins);
    std::printf("|");
    cell(t.wet.bins);
    cell(t.wetBase.bins);
    std::printf("|");
    cell(t.wet.bands);
    cell(t.wetBase.bands);
    std::printf("| %+6.3f %7.1e\n", 10.0 * std::log10((t.wetNew + 1e-30) / (t.wetOld + 1e-30)),
                t.dryMaxDiff);
}

bool checkFile(const std::string& f, const Options& options, CheckTotals& totals) {
    midi::ReadResult r = midi::readMidiFile(f);
    if (!r.ok) {
        std::fprintf(stderr, "skip %s: %s\n", f.c_str(), r.error.c_str());
        return true;
    }
    auto snap = playback::PlaybackSnapshot::fromSong(r.song);
    const CheckRenders c = renderForCheck(*snap, options);
    if (!c.ok)
        return false;
    const int rate = options.rate;
    CheckTotals t;
    t.mix = spectralDistances(c.newFx, c.oldFx, rate);
    t.mixBase = spectralDistances(c.old16Fx, c.oldFx, rate);
    // Without effects ours plays the same samples (checked below), so these are the effects.
    const auto wetOld = minus(c.oldFx, c.oldDry), wetNew = minus(c.newFx, c.oldDry);
    t.wet = spectralDistances(wetNew, wetOld, rate);
    t.wetBase = spectralDistances(minus(c.old16Fx, c.old16Dry), wetOld, rate);
    t.wetNew = energy(wetNew);
    t.wetOld = energy(wetOld);
    t.dryMaxDiff = c.newDry.size() == c.oldDry.size() ? 0.0 : 1.0;
    for (std::size_t i = 0; i < std::min(c.newDry.size(), c.oldDry.size()); ++i)
        t.dryMaxDiff = std::max(t.dryMaxDiff, double(std::fabs(c.newDry[i] - c.oldDry[i])));
    printCheckLine(fileName(f), t);
    totals.add(t);
    return true;
}

int runEffectsCheck(const Options& options) {
    std::printf("SoundFont %s, %d Hz, %zu files; distances in dB (rms, 99th percentile of |d|)\n",
                options.soundFont.c_str(), options.rate, options.files.size());
    printCheckHeader();
    CheckTotals t;
    for (const auto& f : options.files)
        if (!checkFile(f, options, t))
            return 1;
    printCheckLine("TOTAL", t);
    std::printf("effects alone by frequency, mean / rms in dB   STFT bins: ours, old16   third "
                "octaves: ours, old16\n");
    for (int b = 0; b < kBands; ++b)
        std::printf(
            "  %5.0f-%5.0f Hz   %+6.3f / %5.3f   %+6.3f / %5.3f   %+6.3f / %5.3f   %+6.3f / "
            "%5.3f\n",
            kBandEdges[b], std::min(20000.0, kBandEdges[b + 1]), t.wet.bins.bandMean(b),
            t.wet.bins.bandRms(b), t.wetBase.bins.bandMean(b), t.wetBase.bins.bandRms(b),
            t.wet.bands.bandMean(b), t.wet.bands.bandRms(b), t.wetBase.bands.bandMean(b),
            t.wetBase.bands.bandRms(b));
    std::printf("(ours vs old: the shared effects against 8 synths with their own; old16 vs old: "
                "16 synths with their own against 8, notes up to 7 samples apart, a pair that "
                "sounds the same; fx: the effects alone; bands: third octaves over 85 ms; level: "
                "effects energy ours/old; dry: largest sample difference without effects)\n");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // a line per file as it is done, even into a file
    Options options;
    if (!parseOptions(argc, argv, options))
        return 1;
    const std::string tmp = "/tmp/torchestra-render-bench-" + std::to_string(::getpid());
    std::filesystem::create_directories(tmp);
    const int rc = options.effectsCheck ? runEffectsCheck(options) : runSpeed(options, tmp);
    std::filesystem::remove_all(tmp);
    return rc;
}
