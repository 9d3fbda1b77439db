#pragma once

// The sampling temperature a model writes its closest music at, and whether its takes keep the
// rhythm of the bar before (SampleRequest::rhythm), chosen on its validation pieces once
// training ends. Measured (docs/results.md): the best temperature depends on the
// corpus — an LSTM's continuations of JSB's valid split are closest at 0.9 (closeness 0.72
// against 0.69 at 1.0, 0.37 at 0.7), the same network on openmsx's at 0.6-0.7 (0.53 against
// 0.16 at 1.0, where every step starts stray notes). So no one default serves both; the model
// carries its own, the CLI and the Generate panel start from it. No torch.

#include "ml/SequenceModel.h"

#include <atomic>
#include <string>
#include <utility>
#include <vector>

namespace torchestra::ml {

struct SamplingCalibration {
    double temperature = 1.0;
    double closeness = -1;                        // of the chosen temperature; -1 = not calibrated
    std::vector<std::pair<double, double>> tried; // (temperature, closeness), in order tried
    // kRhythmOddsTried (SequenceModel.h) when the chosen takes keep the bar's rhythm, else off;
    // `triedWithRhythm` as `tried`, with those odds (empty: not tried).
    RhythmOdds rhythm = kRhythmOff;
    std::vector<std::pair<double, double>> triedWithRhythm;
    bool calibrated() const { return closeness >= 0; }
};

// The temperatures tried, from 1.0 down.
const std::vector<double>& calibrationTemperatures();

// Four-bar continuations of one-bar primers from `pieces` (at most `maxWindows`), sampled at
// each of calibrationTemperatures() and compared with what followed (ContinuationMetrics.h):
// the temperature with the highest closeness wins; a lower one must beat 1.0 by `margin` to be
// chosen, so noise alone does not move a model off its plain distribution. The neural kinds
// try each temperature again with kRhythmOddsTried, which must win by `margin` as well: they
// help some models and not others, and most at the temperature below 1.0 that cuts the stray
// notes they would add to (docs/results.md, session 19). False (and `out`
// not calibrated) when the pieces hold fewer than `minWindows` windows (of five bars, not
// overlapping: a 16-bar piece holds 3, too few to tell temperatures apart — on such a
// selection a Markov model chose 0.6 and wrote one note in four bars) or `cancel` was set.
// With `trainingPieces`, up to `maxWindows` more windows from (up to `maxWindows` of) them are
// read beside the validation ones: on simutrans and JSB the training files' windows rank the
// settings as unseen files do, where a small folder's four or seven validation files did not
// (docs/results.md, session 20). The validation windows alone must reach `minWindows`.
bool calibrateSampling(const SequenceModel& model, const std::vector<FrameSequence>& pieces,
                       const std::atomic<bool>* cancel, SamplingCalibration& out,
                       const std::vector<FrameSequence>* trainingPieces = nullptr,
                       std::size_t maxWindows = 48, double margin = 0.02,
                       std::size_t minWindows = 12);

// "temperature 0.8, chosen on validation (closeness 1.0: 0.157, 0.9: 0.239, ...; keeping the
// bar's rhythm 1.0: 0.150, ...)", "temperature 0.9 and the bar's rhythm kept, chosen on ...",
// or "" when not calibrated.
std::string describeCalibration(const SamplingCalibration& calibration);

} // namespace torchestra::ml
