#pragma once

// What the learning commands (train, generate, eval, eval-jsb) share: model and training flags,
// a progress line, and Ctrl-C as Cancel.

#include "cli/CliArgs.h"
#include "ml/Checkpoint.h"
#include "ml/MusicMetrics.h"
#include "ml/Trainer.h"

#include <atomic>
#include <string>
#include <vector>

namespace torchestra::cli {

// Flags that take a value / switches, for CliArgs::parse.
extern const std::vector<std::string> kModelValueFlags;
extern const std::vector<std::string> kTrainValueFlags;

// Reads --model KIND, --head, --hidden, --layers, --dropout, --nade-hidden, --order,
// --steps-per-beat into `config`. Returns "" or an error.
std::string readModelConfig(const CliArgs& args, ml::ModelConfig& config);
// Reads --epochs, --batch, --window, --lr, --weight-decay, --average, --input-dropout,
// --transpose, --seed, --threads, --max-minutes, --patience, --steps-per-epoch into `options`.
std::string readTrainOptions(const CliArgs& args, ml::TrainOptions& options);

// A cancel flag that Ctrl-C (SIGINT) and SIGTERM set, so a long job stops cleanly and keeps
// what it has.
std::atomic<bool>& interruptFlag();
void installInterruptHandler();

// Prints training progress to stderr: one line, rewritten in place on a terminal, else a line
// every few seconds and at every epoch.
class ProgressPrinter {
public:
    void operator()(const ml::TrainProgress& p);
    void finish();

private:
    double m_lastPrint = -1;
    int m_lastEpoch = 0;
    bool m_open = false;
};

std::string formatDuration(double seconds);
// `v` with `digits` decimals ("%.*f"), as the learning commands print figures.
std::string fixed(double v, int digits);

// The metrics side by side (reference vs generated, overlap, KL) and the copy rates.
void printMetricsTable(const ml::MetricsReport& report);

// A GAN's choice of how its harmony moves (SamplingCalibration::choseHarmony), of its cap on
// notes at once, its hold odds, its shortest note, its noise carry, its floor on notes at once
// and its harmony guidance: sets SampleRequest::harmonyProgressions (without --progressions),
// constraints.maxPolyphony (without --max-poly), holdOdds (without --hold-odds), shortestNote
// (without --min-note), noiseCarry (without --noise-carry), constraints.minPolyphony (without
// --min-poly) and harmonyGuidance
// (without --harmony-guidance) to them and says so on stdout after `what` ("sampling").
// Nothing for other calibrations.
void useModelHarmony(const CliArgs& args, const ml::SamplingCalibration& sampling,
                     ml::SampleRequest& request, const std::string& what);

// What the model chose on its validation files, if it chose: without --temperature, sets
// `request`'s temperature to its and says so on stdout after `what` ("sampling"); without
// --rhythm-odds, its rhythm odds, which are said too when the temperature is given. A GAN's:
// useModelHarmony.
void useModelSampling(const CliArgs& args, const ml::TrainingMetadata& metadata,
                      ml::SampleRequest& request, const std::string& what);

// The JSB file a learning command's --data names: a file as given, in a folder the benchmark's
// quarter-note file (jsb-chorales-quarter.json), as eval-jsb trains on.
std::string jsbDataFile(const std::string& data);

// Names each file the dataset refused (on stderr), with why; returns how many.
std::size_t reportRefused(const ml::Dataset& data);

// The music a model learned from, for the closeness of its takes (--training DIR): every usable
// file of `dir` into `out`, the refused ones reported; "" or why none could be read.
std::string readTrainingFolder(const std::string& dir, const ml::RepresentationConfig& rep,
                               const ml::DatasetOptions& options,
                               std::vector<ml::FrameSequence>& out);

// Parses "--rhythm-odds 1.2,0.7" (the odds of a new note where the bar before started one,
// and where it did not; "off" = 1,1) into `out` (SequenceModel.h); absent leaves it as it is.
std::string readRhythmOdds(const CliArgs& args, ml::RhythmOdds& out);
// Parses "--key-odds 0.5" (the odds of a new note outside the key of the music before it; "off"
// = 1) into `out` (SampleRequest::outOfKeyOdds); absent leaves it as it is.
std::string readKeyOdds(const CliArgs& args, double& out);
// Parses "--min-note 2" (a GAN's shortest note in steps, 1-64; "primer" = each take its
// primer's, ml::kShortestNoteOfPrimer) into `out` (SampleRequest::shortestNote); absent: 1.
std::string readShortestNote(const CliArgs& args, int& out);

// Parses "--tracks 1,3" (0-based track indices, as `inspect` lists them) into `out`.
std::string readTrackIndices(const CliArgs& args, const std::string& flag, std::vector<int>& out);

} // namespace torchestra::cli
