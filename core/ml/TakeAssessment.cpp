#include "ml/TakeAssessment.h"

#include "ml/BuiltinModels.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

namespace torchestra::ml {

namespace fs = std::filesystem;

namespace {

bool isJson(const std::string& path) {
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".json";
}

bool exists(const std::string& path) {
    std::error_code ec;
    return fs::exists(path, ec);
}

// A relative path names a file from the folder training ran in; when that is not the folder
// we run in, the checkpoint's own folder is the next best guess (models are often kept beside
// their data).
std::string resolvePath(const std::string& path, const std::string& baseDir) {
    if (exists(path) || baseDir.empty() || fs::path(path).is_absolute())
        return path;
    const std::string beside = (fs::path(baseDir) / path).string();
    return exists(beside) ? beside : path;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines)
        out += (out.empty() ? "" : "; ") + line;
    return out;
}

// Bars without a metre: four beats of the grid (a JSB piece is in 4/4 nearly throughout).
MetricOptions referenceOptions(const RepresentationConfig& representation) {
    MetricOptions options;
    options.stepsPerBar = 4 * std::max(1, representation.stepsPerBeat);
    return options;
}

double quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty())
        return 0;
    const double pos = q * double(sorted.size() - 1);
    const std::size_t i = std::size_t(pos);
    const double frac = pos - double(i);
    return i + 1 < sorted.size() ? sorted[i] * (1 - frac) + sorted[i + 1] * frac : sorted[i];
}

// Scott's rule, the bandwidth compareDistributions uses, but never narrower than 5% of the
// values' scale: that is the resolution at which two values of a measure count as the same.
// Small or regular training sets give measures the data never varies (every step of a chorale
// has two or more notes); a kernel of Scott's width alone would then call a take 98%
// polyphonic as untypical as one 20% polyphonic.
double kernelWidth(const std::vector<double>& v, double value) {
    const double n = double(v.size());
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
    double ss = 0;
    for (double x : v)
        ss += (x - mean) * (x - mean);
    const double sd = v.size() > 1 ? std::sqrt(ss / (n - 1)) : 0;
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const double low = std::min(*lo, value), high = std::max(*hi, value);
    const double scale = std::max({high - low, std::abs(low), std::abs(high), 1e-9});
    return std::max(sd * std::pow(n, -0.2), 0.05 * scale);
}

// The reads of the files a checkpoint names, sorted into what can be used.
struct ReadFiles {
    std::vector<FrameSequence> pieces;
    std::vector<std::string> missing, changed, problems;
};

void readJsbFile(const std::string& named, const std::string& path,
                 const RepresentationConfig& representation, ReadFiles& out) {
    Dataset data;
    std::string err = loadJsbDataset(path, data);
    if (err.empty() && data.representation.pitches() != representation.pitches())
        err = path + ": its grid does not match the model's";
    if (!err.empty()) {
        out.missing.push_back(named);
        out.problems.push_back(err);
        return;
    }
    // The split a model trained on JSB learned from.
    for (FrameSequence& piece : data.train)
        out.pieces.push_back(std::move(piece));
}

void readMidiFiles(const std::vector<std::string>& paths,
                   const std::map<std::string, std::string>& hashes,
                   const TrainingMetadata& metadata, const RepresentationConfig& representation,
                   const std::string& cacheDir, ReadFiles& out) {
    if (paths.empty())
        return;
    DatasetOptions options;
    options.validFraction = 0; // every file the model saw, validation ones included
    options.cacheDir = cacheDir;
    options.selection.indices = metadata.trackIndices;
    Dataset data = loadMidiDataset(paths, representation, options);
    std::set<std::string> changed;
    for (const DatasetFileInfo& info : data.files) {
        if (!info.used) {
            out.missing.push_back(info.path);
            out.problems.push_back(info.path + ": " + joined(info.problems));
            continue;
        }
        const auto it = hashes.find(info.path);
        if (it != hashes.end() && !it->second.empty() && it->second != info.hash) {
            out.changed.push_back(info.path);
            changed.insert(info.path);
        }
    }
    for (FrameSequence& piece : data.train)
        if (!changed.count(piece.source))
            out.pieces.push_back(std::move(piece));
}

void assessCloseness(const FrameSequence& take, const TrainingReference& reference,
                     std::map<int, ReferenceWindows>& windowsByBars, TakeAssessment& a) {
    const int bars = int(barRanges(take, reference.options.stepsPerBar).size());
    if (bars == 0)
        return;
    auto it = windowsByBars.find(bars);
    if (it == windowsByBars.end()) {
        // About a quarter of a million steps measured (a fraction of a second here): 4000
        // windows of 4 bars, but never fewer than 200 windows for a long take.
        const std::size_t steps = std::size_t(bars) * std::size_t(reference.options.stepsPerBar);
        const std::size_t most =
            std::clamp<std::size_t>(262144 / std::max<std::size_t>(1, steps), 200, 4000);
        it = windowsByBars.emplace(bars, measureWindows(reference, bars, most)).first;
    }
    const ReferenceWindows& windows = it->second;
    if (windows.count == 0)
        return;
    const PieceMetrics m = measurePiece(take, reference.representation, reference.options);
    double sum = 0;
    for (std::size_t k = 0; k < metricNames().size(); ++k) {
        a.metrics.push_back(placeMetric(metricNames()[k], windows.values[k], metricValue(m, k)));
        sum += a.metrics.back().closeness;
    }
    a.closeness = sum / double(metricNames().size());
    a.referenceWindows = windows.count;
    a.windowBars = windows.windowBars;
}

void assessCopies(const FrameSequence& take, const TrainingReference& reference,
                  TakeAssessment& a) {
    a.copyChecked = true;
    a.copyBars = reference.options.copyBars;
    // Runs of copied windows starting at consecutive bars are one longer copy; two copied
    // windows with an uncopied one between them may come from different places.
    int runFirst = -1, previous = -2;
    for (const auto& [bar, copied] : reference.copies.windowCopies(take)) {
        ++a.takeWindows;
        if (!copied) {
            runFirst = -1;
            continue;
        }
        ++a.copiedWindows;
        if (runFirst < 0 || bar != previous + 1)
            runFirst = bar;
        previous = bar;
        const int last = bar + a.copyBars - 1;
        if (a.copyFirstBar < 0 || last - runFirst > a.copyLastBar - a.copyFirstBar) {
            a.copyFirstBar = runFirst;
            a.copyLastBar = last;
        }
    }
}

} // namespace

std::string TrainingReference::note() const {
    if (builtinModel && !usable())
        return "a built-in model: the music it learned from is not shipped, so closeness is "
               "not measured";
    if (filesListed == 0)
        return "no training files recorded in the model: closeness unavailable";
    if (!usable()) {
        if (!missing.empty())
            return "training files not found: closeness unavailable";
        return "training files changed since training: closeness unavailable";
    }
    std::string out;
    if (!missing.empty())
        out = std::to_string(missing.size()) + " of " + std::to_string(filesListed) +
              " training files not found";
    if (!changed.empty())
        out += (out.empty() ? "" : ", ") + std::to_string(changed.size()) + " of " +
               std::to_string(filesListed) + " changed since training (left out)";
    if (!out.empty())
        out += "; judged against the rest";
    return out;
}

TrainingReference makeTrainingReference(std::vector<FrameSequence> pieces,
                                        const RepresentationConfig& representation) {
    TrainingReference ref;
    ref.representation = representation;
    ref.options = referenceOptions(representation);
    ref.copies = CopyIndex(ref.options);
    for (const FrameSequence& piece : pieces)
        ref.copies.add(piece);
    ref.pieces = std::move(pieces);
    ref.filesListed = ref.pieces.size();
    return ref;
}

TrainingReference loadTrainingReference(const TrainingMetadata& metadata,
                                        const RepresentationConfig& representation,
                                        const std::string& cacheDir, const std::string& baseDir) {
    ReadFiles read;
    std::vector<std::string> midiPaths;
    std::map<std::string, std::string> hashes; // by the path as read
    for (const DatasetFileInfo& f : metadata.files) {
        const std::string path = resolvePath(f.path, baseDir);
        if (!exists(path)) {
            read.missing.push_back(f.path);
            read.problems.push_back(f.path + ": not found");
        } else if (isJson(path)) {
            readJsbFile(f.path, path, representation, read);
        } else {
            midiPaths.push_back(path);
            hashes[path] = f.hash;
        }
    }
    readMidiFiles(midiPaths, hashes, metadata, representation, cacheDir, read);
    TrainingReference ref = makeTrainingReference(std::move(read.pieces), representation);
    ref.filesListed = metadata.files.size();
    ref.missing = std::move(read.missing);
    ref.changed = std::move(read.changed);
    ref.problems = std::move(read.problems);
    ref.builtinModel = isBuiltinModelsFolder(baseDir);
    return ref;
}

double smoothedCdf(const std::vector<double>& reference, double value) {
    if (reference.empty())
        return 0.5;
    const double h = kernelWidth(reference, value);
    double sum = 0;
    for (double x : reference)
        sum += 0.5 * std::erfc(-(value - x) / (h * std::sqrt(2.0)));
    return std::clamp(sum / double(reference.size()), 0.0, 1.0);
}

// Why this shape. The plain two-sided percentile 1 - 2|F - 0.5| would be the obvious figure,
// but it is uniform on [0, 1] for a take drawn from the training data itself: a verbatim
// excerpt would score 0.5 on average, and the figure could not tell "like the training data"
// from "half like it". The density at the value relative to the mode has the same trouble
// (about 0.7 on average for a bell curve) and depends on the bandwidth and on how many modes
// the data has. So a value anywhere in the middle 90% of the training windows counts as fully
// typical (1), and only what lies further out than that falls, linearly with the share of
// the training data further out still, to 0 beyond everything the data does. A training
// excerpt then scores about 0.95 on each metric and random notes about 0; the smoothed CDF
// (not the empirical one) keeps ties in discrete metrics (empty bars, pitch range) and values
// just past the data's extremes from jumping.
double metricCloseness(const std::vector<double>& reference, double value) {
    const double f = smoothedCdf(reference, value);
    const double tail = 2 * std::min(f, 1 - f);
    return std::min(1.0, tail / kTypicalTail);
}

MetricPlacement placeMetric(const std::string& name, std::vector<double> reference, double value) {
    MetricPlacement p;
    p.name = name;
    p.value = value;
    p.percentile = smoothedCdf(reference, value);
    p.closeness = metricCloseness(reference, value);
    std::sort(reference.begin(), reference.end());
    p.referenceLow = quantile(reference, 0.05);
    p.referenceMedian = quantile(reference, 0.5);
    p.referenceHigh = quantile(reference, 0.95);
    return p;
}

ReferenceWindows measureWindows(const TrainingReference& reference, int bars,
                                std::size_t maxWindows) {
    struct Spot {
        std::size_t piece;
        int from, to;
    };
    bars = std::max(1, bars);
    ReferenceWindows out;
    out.values.resize(metricNames().size());
    out.windowBars = bars;
    std::vector<Spot> spots;
    long wholeBars = 0;
    for (std::size_t i = 0; i < reference.pieces.size(); ++i) {
        const auto ranges = barRanges(reference.pieces[i], reference.options.stepsPerBar);
        wholeBars += long(ranges.size());
        for (std::size_t b = 0; b + std::size_t(bars) <= ranges.size(); ++b)
            spots.push_back({i, ranges[b].first, ranges[b + std::size_t(bars) - 1].second});
    }
    if (spots.empty() && !reference.pieces.empty()) {
        // Every piece is shorter than the take: the pieces themselves are the nearest thing.
        for (std::size_t i = 0; i < reference.pieces.size(); ++i)
            spots.push_back({i, 0, reference.pieces[i].steps});
        out.windowBars = int(std::lround(double(wholeBars) / double(reference.pieces.size())));
    }
    const std::size_t n = std::min(spots.size(), std::max<std::size_t>(1, maxWindows));
    for (std::size_t k = 0; k < n; ++k) {
        // Evenly thinned, so every piece and every part of it keeps its share.
        const Spot& s = spots[k * spots.size() / n];
        const FrameSequence window = reference.pieces[s.piece].slice(s.from, s.to - s.from);
        const PieceMetrics m = measurePiece(window, reference.representation, reference.options);
        for (std::size_t j = 0; j < out.values.size(); ++j)
            out.values[j].push_back(metricValue(m, j));
    }
    out.count = n;
    return out;
}

FrameSequence joinSequences(const FrameSequence& a, const FrameSequence& b) {
    if (a.steps == 0)
        return b;
    if (b.steps == 0)
        return a;
    if (a.pitches != b.pitches)
        throw std::invalid_argument("joinSequences: grids of " + std::to_string(a.pitches) +
                                    " and " + std::to_string(b.pitches) + " pitches");
    const bool onsets = !a.onset.empty() || !b.onset.empty();
    FrameSequence s;
    s.resize(a.steps + b.steps, b.pitches, onsets);
    s.source = b.source;
    auto put = [&](const FrameSequence& part, int offset) {
        for (int t = 0; t < part.steps; ++t) {
            const std::size_t to = std::size_t(offset + t);
            for (int p = 0; p < part.pitches; ++p) {
                s.sounding[to * std::size_t(s.pitches) + std::size_t(p)] = part.sounds(t, p);
                if (onsets)
                    s.onset[to * std::size_t(s.pitches) + std::size_t(p)] = part.starts(t, p);
            }
            const std::size_t from = std::size_t(t);
            if (from < part.velocityBin.size())
                s.velocityBin[to] = part.velocityBin[from];
            if (from < part.stepInBeat.size())
                s.stepInBeat[to] = part.stepInBeat[from];
            if (from < part.beatInBar.size())
                s.beatInBar[to] = part.beatInBar[from];
        }
    };
    put(a, 0);
    put(b, a.steps);
    return s;
}

void assessLikelihood(const SequenceModel& model, const FrameSequence& primer,
                      const NllResult& primerNll, const FrameSequence& take, TakeAssessment& out) {
    if (!model.hasLikelihood() || take.steps == 0)
        return;
    NllResult r = model.evaluate(primer.steps > 0 ? joinSequences(primer, take) : take);
    if (primer.steps > 0) {
        r.frameSum -= primerNll.frameSum;
        r.frameSteps -= primerNll.frameSteps;
        r.onsetSum -= primerNll.onsetSum;
        r.velocitySum -= primerNll.velocitySum;
    }
    if (r.frameSteps <= 0)
        return;
    const double n = double(r.frameSteps);
    out.hasNll = true;
    out.nllSteps = r.frameSteps;
    out.frameNll = r.frameSum / n;
    out.onsetNll = r.onsetSum / n;
    out.velocityNll = r.velocitySum / n;
    out.nll = out.frameNll + out.onsetNll + out.velocityNll;
}

std::vector<TakeAssessment> assessTakes(const std::vector<FrameSequence>& takes,
                                        const FrameSequence& primer, const SequenceModel* model,
                                        const TrainingReference* reference,
                                        const std::atomic<bool>* cancel) {
    std::vector<TakeAssessment> out(takes.size());
    const bool likelihood = model && model->hasLikelihood();
    const NllResult primerNll =
        likelihood && primer.steps > 0 ? model->evaluate(primer) : NllResult{};
    const bool judged = reference && reference->usable();
    const std::string note =
        reference ? reference->note() : "no training reference: closeness unavailable";
    std::map<int, ReferenceWindows> windowsByBars; // takes of one run share their length
    for (std::size_t i = 0; i < takes.size(); ++i) {
        if (cancel && cancel->load())
            break;
        TakeAssessment& a = out[i];
        a.referenceNote = note;
        if (judged) {
            assessCloseness(takes[i], *reference, windowsByBars, a);
            assessCopies(takes[i], *reference, a);
        }
        if (likelihood)
            assessLikelihood(*model, primer, primerNll, takes[i], a);
    }
    return out;
}

} // namespace torchestra::ml
