// `metrics --reference DIR|FILE.mid|FILE.json... --generated FILES... [--training ...] [--json]`:
// the music metrics of two sets of pieces side by side, with the overlap area and KL divergence
// of their per-piece distributions (ml/MusicMetrics.h). With --excerpts N both sets are first cut
// the way `eval --metrics` cuts its reference: the N bars after each of up to 50 one-bar primers
// (ml/ContinuationMetrics.h), so that real music can be scored on the same footing as a
// model's continuations (what the training files themselves score against held-out files is
// the ceiling of what a model of them can reach).
#include "cli/Commands.h"
#include "cli/Json.h"
#include "cli/MlCommon.h"
#include "midi/MidiFile.h"
#include "ml/ContinuationMetrics.h"
#include "ml/Dataset.h"
#include "ml/MusicMetrics.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

namespace torchestra::cli {

namespace {

constexpr const char* kUsage =
    "usage: metrics --reference DIR|FILE.mid|FILE.json... --generated DIR|FILE.mid... "
    "[--training DIR|FILE.json...] [--split train|valid|test] [--generated-split S] [--per-track] "
    "[--steps-per-beat N] [--bar-steps N] [--excerpts BARS] [--json]";

// Flags that take several values (up to the next --flag), and those that take one.
const std::vector<std::string> kListFlags{"reference", "generated", "training"};
const std::vector<std::string> kValueFlags{"split", "generated-split", "steps-per-beat",
                                           "bar-steps", "excerpts"};
const std::vector<std::string> kSwitches{"per-track", "json"};

struct MetricsArgs {
    std::map<std::string, std::vector<std::string>> lists;
    std::map<std::string, std::string> values;
    std::map<std::string, bool> switches;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string parseMetricsArgs(const std::vector<std::string>& args, MetricsArgs& out) {
    std::string list;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0) {
            if (list.empty())
                return "unexpected argument '" + a + "' (" + kUsage + ")";
            out.lists[list].push_back(a);
            continue;
        }
        const std::string flag = a.substr(2);
        list.clear();
        if (contains(kListFlags, flag)) {
            list = flag;
            out.lists[flag];
        } else if (contains(kValueFlags, flag)) {
            if (i + 1 >= args.size())
                return "--" + flag + " needs a value";
            out.values[flag] = args[++i];
        } else if (contains(kSwitches, flag)) {
            out.switches[flag] = true;
        } else {
            return "unknown option --" + flag + " (" + kUsage + ")";
        }
    }
    if (out.lists["reference"].empty() || out.lists["generated"].empty())
        return std::string("give --reference and --generated pieces (") + kUsage + ")";
    return {};
}

// The `bars` bars after each one-bar primer, as `eval --metrics` chooses them.
std::vector<ml::FrameSequence> excerpts(const std::vector<ml::FrameSequence>& pieces,
                                        int stepsPerBar, int bars) {
    constexpr std::size_t kWindows = 50; // as eval's
    return ml::continuationWindows(pieces, stepsPerBar, 1, bars, kWindows).followed;
}

bool isJson(const std::string& path) {
    return std::filesystem::path(path).extension() == ".json";
}

// Pieces from JSB-style JSON (one split), folders and MIDI files (each file one piece, or each
// sounding track one piece with --per-track). Every refused file is named on stderr.
std::string loadPieces(const std::vector<std::string>& paths, const std::string& split,
                       bool perTrack, ml::RepresentationConfig& rep,
                       std::vector<ml::FrameSequence>& out) {
    std::vector<std::string> midi;
    for (const std::string& p : paths) {
        if (!isJson(p)) {
            midi.push_back(p);
            continue;
        }
        ml::Dataset jsb;
        if (std::string err = ml::loadJsbDataset(p, jsb); !err.empty())
            return err;
        const auto& pieces = split == "train" ? jsb.train : split == "valid" ? jsb.valid : jsb.test;
        out.insert(out.end(), pieces.begin(), pieces.end());
    }
    if (midi.empty())
        return {};
    ml::DatasetOptions options;
    options.validFraction = 0;
    ml::Dataset data = ml::loadMidiDataset(midi, rep, options);
    for (const auto& f : data.files) {
        if (!f.used)
            for (const auto& problem : f.problems)
                std::cerr << f.path << ": " << problem << "\n";
        if (!f.used || !perTrack)
            continue;
        const midi::ReadResult r = midi::readMidiFile(f.path);
        for (std::size_t t = 0; r.ok && t < r.song.trackCount(); ++t) {
            ml::TrackSelection one;
            one.indices = {int(t)};
            ml::FrameSequence s = ml::songToSequence(r.song, rep, one);
            if (s.steps > 0 && r.song.trackAt(t).noteCount() > 0)
                out.push_back(std::move(s));
        }
    }
    if (!perTrack)
        out.insert(out.end(), data.train.begin(), data.train.end());
    return {};
}

void printJson(const ml::MetricsReport& r) {
    std::string out = "{\"referencePieces\":" + std::to_string(r.referencePieces) +
                      ",\"generatedPieces\":" + std::to_string(r.generatedPieces) +
                      ",\"metrics\":[";
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        const auto& c = r.rows[i].comparison;
        out += (i ? "," : "") + std::string("{\"name\":") + jsonString(r.rows[i].name) +
               ",\"reference\":{\"mean\":" + fixed(c.referenceMean, 6) +
               ",\"std\":" + fixed(c.referenceStd, 6) +
               "},\"generated\":{\"mean\":" + fixed(c.generatedMean, 6) +
               ",\"std\":" + fixed(c.generatedStd, 6) + "},\"overlap\":" + fixed(c.overlap, 6) +
               ",\"kl\":" + fixed(c.kl, 6) + "}";
    }
    out += "]";
    if (r.generatedCopyRate >= 0)
        out += ",\"copyRate\":{\"generated\":" + fixed(r.generatedCopyRate, 6) +
               ",\"reference\":" + fixed(r.referenceCopyRate, 6) + "}";
    std::cout << out << "}\n";
}

} // namespace

int runMetrics(const std::vector<std::string>& args) {
    MetricsArgs a;
    std::string err = parseMetricsArgs(args, a);
    CliArgs numbers;
    std::vector<std::string> numberArgs;
    for (const auto& [flag, value] : a.values)
        numberArgs.insert(numberArgs.end(), {"--" + flag, value});
    if (err.empty())
        err = numbers.parse(numberArgs, kValueFlags, {});
    ml::RepresentationConfig rep;
    ml::MetricOptions options;
    int excerptBars = 0;
    if (err.empty()) {
        rep.stepsPerBeat = int(numbers.intValue("steps-per-beat", 4, 1, 24, err));
        options.stepsPerBar = int(numbers.intValue("bar-steps", 16, 1, 384, err));
        excerptBars = int(numbers.intValue("excerpts", 0, 1, 64, err));
    }
    // JSON files give one split of their pieces: --split (the test split unless told), and
    // --generated-split for the generated set when it differs (the training split against the
    // test split: the data's own figures).
    const std::string split = numbers.value("split", "test");
    const std::string generatedSplit = numbers.value("generated-split", split);
    for (const std::string& s : {split, generatedSplit})
        if (err.empty() && s != "train" && s != "valid" && s != "test")
            err = "--split and --generated-split take train, valid or test";
    if (!err.empty()) {
        std::cerr << "torchestra-cli metrics: " << err << "\n";
        return 2;
    }
    const bool perTrack = a.switches["per-track"];
    std::vector<ml::FrameSequence> reference, generated, training;
    err = loadPieces(a.lists["reference"], split, false, rep, reference);
    if (err.empty())
        err = loadPieces(a.lists["generated"], generatedSplit, perTrack, rep, generated);
    if (err.empty() && a.lists.count("training"))
        err = loadPieces(a.lists["training"], "train", false, rep, training);
    if (err.empty() && excerptBars > 0) {
        reference = excerpts(reference, options.stepsPerBar, excerptBars);
        generated = excerpts(generated, options.stepsPerBar, excerptBars);
    }
    if (err.empty() && (reference.empty() || generated.empty()))
        err = "no usable pieces in the " +
              std::string(reference.empty() ? "reference" : "generated") + " set";
    if (!err.empty()) {
        std::cerr << "torchestra-cli metrics: " << err << "\n";
        return 2;
    }
    ml::CopyIndex index(options);
    for (const ml::FrameSequence& s : training)
        index.add(s);
    const ml::MetricsReport report =
        ml::compareSets(reference, generated, rep, options, training.empty() ? nullptr : &index);
    if (a.switches["json"])
        printJson(report);
    else
        printMetricsTable(report);
    return 0;
}

} // namespace torchestra::cli
