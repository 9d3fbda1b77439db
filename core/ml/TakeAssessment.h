#pragma once

// The numbers beside a generated take: how close it is to the music its model learned from
// (one figure, with the per-metric detail behind it), the model's own NLL of it where the model
// has a likelihood, and whether it copies bars of the training data verbatim. They tell a
// composer whether the model learned the music's habits or memorised it. Built on
// ml/MusicMetrics.h; no torch, no Qt GUI: the Generate panel and `generate` share it.

#include "ml/Checkpoint.h"
#include "ml/MusicMetrics.h"
#include "ml/SequenceModel.h"

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

namespace torchestra::ml {

// The music a model learned from, read again from the files its checkpoint names.
struct TrainingReference {
    RepresentationConfig representation;
    // Bars as the metrics see them: the grid's metre where the pieces carry one, else four
    // beats of the grid (JSB frames carry none); copies are looked for over 2-bar windows.
    MetricOptions options;
    std::vector<FrameSequence> pieces;
    CopyIndex copies;                  // every copy window of `pieces`
    std::size_t filesListed = 0;       // files the checkpoint names
    std::vector<std::string> missing;  // named but not found, or no longer readable
    std::vector<std::string> changed;  // found, but not the bytes trained on: left out
    std::vector<std::string> problems; // why, one line per missing file (for tooltips)
    // The checkpoint is a built-in model (ml/BuiltinModels.h), whose training music is not
    // shipped: the note says so instead of "not found".
    bool builtinModel = false;

    bool usable() const { return !pieces.empty(); }
    // "" when every file was read as trained on; else one line saying what is missing and
    // what that means ("training files not found: closeness unavailable").
    std::string note() const;
};

// A reference from pieces already on the grid (tests, JSB splits). Any thread.
TrainingReference makeTrainingReference(std::vector<FrameSequence> pieces,
                                        const RepresentationConfig& representation);

// Reads the files `metadata` names (MIDI files with its track choice; a JSB JSON file gives
// its train split) through the dataset reader, on the model's grid. A relative path not found
// from the working folder is tried from `baseDir` (the checkpoint's folder; the built-in
// models' folder marks a built-in model). Files missing,
// unreadable or changed since training are listed, never fatal. Slow (reads every file): call
// it on a worker. `cacheDir` is the dataset cache ("" = none).
TrainingReference loadTrainingReference(const TrainingMetadata& metadata,
                                        const RepresentationConfig& representation,
                                        const std::string& cacheDir = {},
                                        const std::string& baseDir = {});

// Where one metric of a take falls among the training windows of the take's length.
struct MetricPlacement {
    std::string name;
    double value = 0;           // the take's
    double referenceLow = 0;    // 5th percentile of the training windows
    double referenceMedian = 0; // 50th
    double referenceHigh = 0;   // 95th
    double percentile = 0;      // the windows' smoothed CDF at `value`, 0..1
    double closeness = 0;       // 0..1, see metricCloseness
};

// The share of the training data that may lie further out than a value still counted as
// fully typical: values inside the middle 90% of the training windows score 1.
constexpr double kTypicalTail = 0.1;

// The smoothed CDF of `reference` at `value`: a Gaussian kernel estimate with Scott's
// bandwidth, the kernel compareDistributions uses. 0.5 for an empty reference.
double smoothedCdf(const std::vector<double>& reference, double value);
// How typical `value` is of `reference`, 0..1: min(1, 2 min(F, 1 - F) / kTypicalTail) with F
// the smoothed CDF (the reasons are at its definition).
double metricCloseness(const std::vector<double>& reference, double value);
MetricPlacement placeMetric(const std::string& name, std::vector<double> reference, double value);

// The reference cut into windows of `bars` bars (one starting at every bar, evenly thinned to
// at most `maxWindows`), each measured: values[m][w] is metric m (metricNames() order) of
// window w. Pieces shorter than `bars` give none; when no piece is that long, whole pieces
// stand in (windowBars then says how long they are on average).
struct ReferenceWindows {
    int windowBars = 0;
    std::size_t count = 0;
    std::vector<std::vector<double>> values;
};
ReferenceWindows measureWindows(const TrainingReference& reference, int bars,
                                std::size_t maxWindows = 4000);

struct TakeAssessment {
    // Closeness to the training data, 0..1 (the mean of the metrics' closeness); negative when
    // there is no reference to judge by (referenceNote says why).
    double closeness = -1;
    std::vector<MetricPlacement> metrics;
    std::size_t referenceWindows = 0;
    int windowBars = 0;
    std::string referenceNote; // TrainingReference::note(), or why there is none

    // Verbatim copies of `copyBars`-bar windows of the training data (checked when there is a
    // reference). Bars are the take's own, 0-based.
    bool copyChecked = false;
    int copyBars = 2;
    int takeWindows = 0;   // sounding windows of the take
    int copiedWindows = 0; // of those, found verbatim in the training data
    // The longest run of copied bars, [copyFirstBar, copyLastBar]; -1 when nothing is copied.
    int copyFirstBar = -1;
    int copyLastBar = -1;
    bool copies() const { return copyFirstBar >= 0; }

    // The model's NLL of the take, nats per step, primer as context (hasNll false for a model
    // without a likelihood). `nll` is frame + onset + velocity, the figure validation reports.
    bool hasNll = false;
    double nll = 0;
    double frameNll = 0, onsetNll = 0, velocityNll = 0;
    long nllSteps = 0;
};

// The NLL terms of `take` given `primer` as context: the model's evaluate() of primer + take
// less that of the primer alone, which leaves exactly the take's steps (an autoregressive
// model scores each step given every step before it). With an empty primer the take's first
// step is not scored, as evaluate() and validation count. Fills the NLL fields of `out`.
void assessLikelihood(const SequenceModel& model, const FrameSequence& primer,
                      const NllResult& primerNll, const FrameSequence& take, TakeAssessment& out);

// Every number for each take. `reference` may be null or unusable (closeness and the copy
// check are then left out, with the reason); `model` may be null (no NLL). Stops early, with
// what it has, when `cancel` is set. Any thread; the model is used through const calls only.
std::vector<TakeAssessment> assessTakes(const std::vector<FrameSequence>& takes,
                                        const FrameSequence& primer, const SequenceModel* model,
                                        const TrainingReference* reference,
                                        const std::atomic<bool>* cancel = nullptr);

// The steps of `b` after those of `a` (the grids must match; metre and velocity carried).
FrameSequence joinSequences(const FrameSequence& a, const FrameSequence& b);

} // namespace torchestra::ml
