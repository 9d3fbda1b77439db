#include "ml/SamplingCalibration.h"

#include "ml/ContinuationMetrics.h"

#include <cstdio>

namespace torchestra::ml {

const std::vector<double>& calibrationTemperatures() {
    static const std::vector<double> temperatures{1.0, 0.9, 0.8, 0.7, 0.6};
    return temperatures;
}

bool calibrateSampling(const SequenceModel& model, const std::vector<FrameSequence>& pieces,
                       const std::atomic<bool>* cancel, SamplingCalibration& out,
                       std::size_t maxWindows, double margin, std::size_t minWindows) {
    out = {};
    const RepresentationConfig& rep = model.representation();
    MetricOptions options;
    // Bars as the metre says; music without one in bars of four beats.
    options.stepsPerBar = 4 * rep.stepsPerBeat;
    const ContinuationWindows windows =
        continuationWindows(pieces, options.stepsPerBar, 1, 4, maxWindows);
    if (windows.primers.empty() || windows.primers.size() < minWindows)
        return false;
    SamplingCalibration result;
    double best = -1;
    for (double t : calibrationTemperatures()) {
        SampleRequest settings;
        settings.temperature = t;
        const std::vector<FrameSequence> takes = continueWindows(model, windows, cancel, settings);
        if (takes.empty())
            return false; // cancelled
        const double closeness = meanOverlap(compareSets(windows.followed, takes, rep, options));
        result.tried.emplace_back(t, closeness);
        const double needed = t == 1.0 ? 0.0 : margin;
        if (best < 0 || closeness > best + needed) {
            best = closeness;
            result.temperature = t;
        }
    }
    result.closeness = best;
    if (model.config().kind != ModelKind::Markov) { // its sampler does not read the odds
        SampleRequest settings;
        settings.temperature = result.temperature;
        settings.rhythm = kRhythmOddsTried;
        const std::vector<FrameSequence> takes = continueWindows(model, windows, cancel, settings);
        if (takes.empty())
            return false; // cancelled
        result.rhythmCloseness = meanOverlap(compareSets(windows.followed, takes, rep, options));
        if (result.rhythmCloseness > best + margin)
            result.rhythm = kRhythmOddsTried;
    }
    out = result;
    return true;
}

std::string describeCalibration(const SamplingCalibration& calibration) {
    if (!calibration.calibrated())
        return {};
    char buf[64];
    std::snprintf(buf, sizeof buf, "temperature %.1f", calibration.temperature);
    std::string text = std::string(buf) + ", chosen on validation (closeness";
    for (std::size_t i = 0; i < calibration.tried.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s %.1f: %.3f", i ? "," : "", calibration.tried[i].first,
                      calibration.tried[i].second);
        text += buf;
    }
    text += ")";
    if (calibration.rhythmCloseness >= 0) {
        std::snprintf(buf, sizeof buf, "; the bar's rhythm %s (odds %.1f, %.1f: %.3f)",
                      calibration.rhythm.isOff() ? "not kept" : "kept", kRhythmOddsTried.startOdds,
                      kRhythmOddsTried.offBeatOdds, calibration.rhythmCloseness);
        text += buf;
    }
    return text;
}

} // namespace torchestra::ml
