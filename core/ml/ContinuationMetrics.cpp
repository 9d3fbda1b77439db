#include "ml/ContinuationMetrics.h"

#include <algorithm>

namespace torchestra::ml {

ContinuationWindows continuationWindows(const std::vector<FrameSequence>& pieces, int stepsPerBar,
                                        int primerBars, int bars, std::size_t maxWindows) {
    ContinuationWindows all;
    const std::size_t span = std::size_t(primerBars + bars);
    for (const FrameSequence& piece : pieces) {
        const auto ranges = barRanges(piece, stepsPerBar);
        for (std::size_t j = 0; j + span <= ranges.size(); j += span) {
            const int a = ranges[j].first, b = ranges[j + std::size_t(primerBars)].first;
            const int c = ranges[j + span - 1].second;
            all.primers.push_back(piece.slice(a, b - a));
            all.followed.push_back(piece.slice(b, c - b));
        }
    }
    const std::size_t n = all.primers.size();
    if (n <= maxWindows)
        return all;
    ContinuationWindows chosen;
    for (std::size_t i = 0; i < maxWindows; ++i) {
        const std::size_t k = i * n / maxWindows;
        chosen.primers.push_back(all.primers[k]);
        chosen.followed.push_back(all.followed[k]);
    }
    return chosen;
}

std::vector<FrameSequence> continueWindows(const SequenceModel& model,
                                           const ContinuationWindows& windows,
                                           const std::atomic<bool>* cancel,
                                           const SampleRequest& settings) {
    std::vector<FrameSequence> out;
    for (std::size_t i = 0; i < windows.primers.size(); ++i) {
        // Every sampling setting as given (a field copied one by one is a field a new setting
        // can miss); one take of this window, with nothing after it.
        SampleRequest request = settings;
        request.variations = 1;
        request.following = {};
        request.primer = windows.primers[i];
        request.future = windows.followed[i]; // its metre and length; its notes are not read
        request.seed = settings.seed + i;
        std::vector<FrameSequence> take = model.sample(request, cancel);
        if (take.empty() || (cancel && cancel->load()))
            return {};
        out.push_back(std::move(take.front()));
    }
    return out;
}

double meanOverlap(const MetricsReport& report) {
    double sum = 0;
    for (const MetricRow& row : report.rows)
        sum += row.comparison.overlap;
    return report.rows.empty() ? 0.0 : sum / double(report.rows.size());
}

} // namespace torchestra::ml
