#pragma once

// Judging a model by what it writes: continuations of primers taken from held-out music,
// compared with the music that really followed them by the metrics of ml/MusicMetrics.h. The
// one measure every kind has (the GAN has no likelihood), used for the GAN's validation, by
// `eval` of a GAN model and by `eval-jsb --metrics` for every kind (docs/results.md). No torch.

#include "ml/MusicMetrics.h"
#include "ml/SequenceModel.h"

#include <atomic>
#include <vector>

namespace torchestra::ml {

// Primers of `primerBars` bars with the `bars` bars that follow them, from pieces cut into bars
// (barRanges with `stepsPerBar`); windows do not overlap, and when there are more than
// `maxWindows` an evenly spread choice is kept (always the same for the same pieces).
struct ContinuationWindows {
    std::vector<FrameSequence> primers;
    std::vector<FrameSequence> followed; // what really followed each primer
};
ContinuationWindows continuationWindows(const std::vector<FrameSequence>& pieces, int stepsPerBar,
                                        int primerBars, int bars, std::size_t maxWindows);

// One take of each window's continuation (seed `settings.seed` + the window's index, so that
// two runs, or two epochs, see the same noise), sampled with every setting of `settings`
// (its primer, future, following and variations are the window's). Empty when cancelled.
std::vector<FrameSequence> continueWindows(const SequenceModel& model,
                                           const ContinuationWindows& windows,
                                           const std::atomic<bool>* cancel = nullptr,
                                           const SampleRequest& settings = {});

// The mean overlap area over the metrics of a report: one closeness figure, 0..1 (1 = the
// generated music's figures are distributed like the reference's).
double meanOverlap(const MetricsReport& report);

} // namespace torchestra::ml
