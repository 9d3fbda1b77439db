#include "ml/SamplingCalibration.h"

#include "ml/ContinuationMetrics.h"

#include <cstdio>

namespace torchestra::ml {

const std::vector<double>& calibrationTemperatures() {
    static const std::vector<double> temperatures{1.0, 0.9, 0.8, 0.7, 0.6};
    return temperatures;
}

namespace {

// Up to `count` of `pieces`, evenly spread (a bounded copy of a large training set).
std::vector<FrameSequence> spreadChoice(const std::vector<FrameSequence>& pieces,
                                        std::size_t count) {
    if (pieces.size() <= count)
        return pieces;
    std::vector<FrameSequence> chosen;
    for (std::size_t i = 0; i < count; ++i)
        chosen.push_back(pieces[i * pieces.size() / count]);
    return chosen;
}

} // namespace

bool calibrateSampling(const SequenceModel& model, const std::vector<FrameSequence>& pieces,
                       const std::atomic<bool>* cancel, SamplingCalibration& out,
                       const std::vector<FrameSequence>* trainingPieces, std::size_t maxWindows,
                       double margin, std::size_t minWindows) {
    out = {};
    const RepresentationConfig& rep = model.representation();
    MetricOptions options;
    // Bars as the metre says; music without one in bars of four beats.
    options.stepsPerBar = 4 * rep.stepsPerBeat;
    ContinuationWindows windows =
        continuationWindows(pieces, options.stepsPerBar, 1, 4, maxWindows);
    if (windows.primers.empty() || windows.primers.size() < minWindows)
        return false;
    if (trainingPieces) {
        ContinuationWindows more = continuationWindows(spreadChoice(*trainingPieces, maxWindows),
                                                       options.stepsPerBar, 1, 4, maxWindows);
        for (std::size_t i = 0; i < more.primers.size(); ++i) {
            windows.primers.push_back(std::move(more.primers[i]));
            windows.followed.push_back(std::move(more.followed[i]));
        }
    }
    SamplingCalibration result;
    double best = -1;
    // The Markov model's sampler does not read the rhythm odds.
    const bool tryRhythm = model.config().kind != ModelKind::Markov;
    for (const bool keepRhythm : {false, true}) {
        if (keepRhythm && !tryRhythm)
            break;
        for (double t : calibrationTemperatures()) {
            SampleRequest settings;
            settings.temperature = t;
            settings.rhythm = keepRhythm ? kRhythmOddsTried : kRhythmOff;
            const std::vector<FrameSequence> takes =
                continueWindows(model, windows, cancel, settings);
            if (takes.empty())
                return false; // cancelled
            const double closeness =
                meanOverlap(compareSets(windows.followed, takes, rep, options));
            (keepRhythm ? result.triedWithRhythm : result.tried).emplace_back(t, closeness);
            const double needed = t == 1.0 && !keepRhythm ? 0.0 : margin;
            if (best < 0 || closeness > best + needed) {
                best = closeness;
                result.temperature = t;
                result.rhythm = settings.rhythm;
            }
        }
    }
    result.closeness = best;
    out = result;
    return true;
}

namespace {

// " 1.0: 0.157, 0.9: 0.239, ..."
std::string closenessList(const std::vector<std::pair<double, double>>& tried) {
    std::string text;
    char buf[32];
    for (std::size_t i = 0; i < tried.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s %.1f: %.3f", i ? "," : "", tried[i].first,
                      tried[i].second);
        text += buf;
    }
    return text;
}

} // namespace

std::string describeCalibration(const SamplingCalibration& calibration) {
    if (!calibration.calibrated())
        return {};
    char buf[64];
    std::snprintf(buf, sizeof buf, "temperature %.1f", calibration.temperature);
    std::string text = buf;
    if (!calibration.rhythm.isOff())
        text += " and the bar's rhythm kept";
    text += ", chosen on validation (closeness" + closenessList(calibration.tried);
    if (!calibration.triedWithRhythm.empty())
        text += "; keeping the bar's rhythm" + closenessList(calibration.triedWithRhythm);
    return text + ")";
}

} // namespace torchestra::ml
