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

// The validation pieces' windows, and the training pieces' beside them; none when the
// validation pieces hold fewer than `minWindows`.
ContinuationWindows calibrationWindows(const std::vector<FrameSequence>& pieces,
                                       const std::vector<FrameSequence>* trainingPieces,
                                       int stepsPerBar, std::size_t maxWindows,
                                       std::size_t minWindows) {
    ContinuationWindows windows = continuationWindows(pieces, stepsPerBar, 1, 4, maxWindows);
    if (windows.primers.size() < minWindows)
        return {};
    if (trainingPieces) {
        ContinuationWindows more = continuationWindows(spreadChoice(*trainingPieces, maxWindows),
                                                       stepsPerBar, 1, 4, maxWindows);
        for (std::size_t i = 0; i < more.primers.size(); ++i) {
            windows.primers.push_back(std::move(more.primers[i]));
            windows.followed.push_back(std::move(more.followed[i]));
        }
    }
    return windows;
}

// The closeness of `settings`' takes of `windows` to what followed, the mean over `draws`
// draws (seeds 1, 1001, ...); negative when cancelled.
double closenessOf(const SequenceModel& model, const ContinuationWindows& windows,
                   SampleRequest settings, int draws, const std::atomic<bool>* cancel,
                   const MetricOptions& options) {
    double sum = 0;
    for (int d = 0; d < draws; ++d) {
        settings.seed = 1 + 1000 * std::uint64_t(d);
        const std::vector<FrameSequence> takes = continueWindows(model, windows, cancel, settings);
        if (takes.empty())
            return -1; // cancelled
        sum += meanOverlap(compareSets(windows.followed, takes, model.representation(), options));
    }
    return sum / draws;
}

// A GAN's harmony plan: matched to each bar written, or along the training progressions.
bool calibrateGan(const SequenceModel& model, const ContinuationWindows& windows,
                  const std::atomic<bool>* cancel, const MetricOptions& options, double margin,
                  SamplingCalibration& out) {
    SamplingCalibration result;
    result.rhythm = {}; // the GAN's own decoding
    SampleRequest settings;
    const double eachBar =
        closenessOf(model, windows, settings, kGanCalibrationDraws, cancel, options);
    settings.harmonyProgressions = true;
    const double progressions =
        eachBar < 0 ? -1
                    : closenessOf(model, windows, settings, kGanCalibrationDraws, cancel, options);
    if (progressions < 0)
        return false;
    result.tried.emplace_back(1.0, eachBar);
    result.triedProgressions.emplace_back(1.0, progressions);
    result.harmonyProgressions = progressions > eachBar + margin / 2;
    result.closeness = result.harmonyProgressions ? progressions : eachBar;
    out = result;
    return true;
}

} // namespace

bool calibrateSampling(const SequenceModel& model, const std::vector<FrameSequence>& pieces,
                       const std::atomic<bool>* cancel, SamplingCalibration& out,
                       const std::vector<FrameSequence>* trainingPieces, std::size_t maxWindows,
                       double margin, std::size_t minWindows) {
    out = {};
    const RepresentationConfig& rep = model.representation();
    const bool gan = model.config().kind == ModelKind::Gan;
    if (gan && !model.config().harmonyPlan)
        return false;
    MetricOptions options;
    // Bars as the metre says; music without one in bars of four beats, or a GAN's own bars
    // (as eval reads them: JSB's frames are a beat a step to the representation, so four
    // beats would be a quarter of a GAN's bar of sixteenths, and one bar would hold a take).
    options.stepsPerBar = gan ? model.config().barSteps : 4 * rep.stepsPerBeat;
    // Not a GAN's training windows: its harmony plan holds their bars, so matched to a
    // training primer it finds that bar and follows its own piece, as the progressions do.
    const ContinuationWindows windows =
        calibrationWindows(pieces, gan ? nullptr : trainingPieces, options.stepsPerBar,
                           gan ? kGanCalibrationWindows : maxWindows, minWindows);
    if (windows.primers.empty())
        return false;
    if (gan)
        return calibrateGan(model, windows, cancel, options, margin, out);
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
            const double closeness = closenessOf(model, windows, settings, 1, cancel, options);
            if (closeness < 0)
                return false; // cancelled
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
    if (calibration.choseHarmony() && !calibration.tried.empty()) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "harmony %s, chosen on validation (closeness matched to each bar %.3f, "
                      "along the progressions %.3f)",
                      calibration.harmonyProgressions ? "along the training music's progressions"
                                                      : "matched to each bar written",
                      calibration.tried.front().second,
                      calibration.triedProgressions.front().second);
        return buf;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "temperature %.1f", calibration.temperature);
    std::string text = buf;
    if (calibration.keepsRhythm())
        text += " and the bar's rhythm kept";
    text += ", chosen on validation (closeness" + closenessList(calibration.tried);
    if (!calibration.triedWithRhythm.empty())
        text += "; keeping the bar's rhythm" + closenessList(calibration.triedWithRhythm);
    return text + ")";
}

} // namespace torchestra::ml
