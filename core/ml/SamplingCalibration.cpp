#include "ml/SamplingCalibration.h"

#include "ml/ContinuationMetrics.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace torchestra::ml {

const std::vector<double>& calibrationTemperatures() {
    static const std::vector<double> temperatures{1.0, 0.9, 0.8, 0.7, 0.6};
    return temperatures;
}

const std::vector<double>& ganHoldOddsTried() {
    static const std::vector<double> odds{5, 3, 2};
    return odds;
}

const std::vector<int>& ganShortestNotesTried() {
    static const std::vector<int> steps{2, 3, kShortestNoteOfPrimer};
    return steps;
}

const std::vector<double>& ganNoiseCarriesTried() {
    static const std::vector<double> carries{0.9, 0.8};
    return carries;
}

const std::vector<double>& ganHarmonyGuidancesTried() {
    static const std::vector<double> guidances{1.25, 1.5, 2.0, 2.5};
    return guidances;
}

std::vector<int> polyphonyCapsTried(const std::vector<FrameSequence>& pieces) {
    std::vector<long> steps; // steps[n]: sounding steps with n pitches
    long sounding = 0;
    for (const FrameSequence& piece : pieces)
        for (int t = 0; t < piece.steps; ++t) {
            const int n = piece.notesAt(t);
            if (n == 0)
                continue;
            if (std::size_t(n) >= steps.size())
                steps.resize(std::size_t(n) + 1);
            ++steps[std::size_t(n)];
            ++sounding;
        }
    std::vector<int> caps;
    long within = 0;
    for (std::size_t n = 1; n < steps.size(); ++n) {
        within += steps[n];
        for (const long share : {90, 99})
            if (100 * (within - steps[n]) < share * sounding && 100 * within >= share * sounding &&
                (caps.empty() || caps.back() != int(n) + 1))
                caps.push_back(int(n) + 1);
    }
    return caps;
}

std::vector<int> polyphonyFloorsTried(const std::vector<FrameSequence>& pieces) {
    long sounding = 0;
    std::array<long, 4> atLeast{}; // atLeast[n]: sounding steps with n or more pitches
    for (const FrameSequence& piece : pieces)
        for (int t = 0; t < piece.steps; ++t) {
            const int n = piece.notesAt(t);
            sounding += n > 0;
            for (int k = 1; k < int(atLeast.size()); ++k)
                atLeast[std::size_t(k)] += n >= k;
        }
    std::vector<int> floors;
    for (const int floor : {2, 3})
        if (sounding > 0 && 2 * atLeast[std::size_t(floor)] >= sounding)
            floors.push_back(floor);
    return floors;
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

// What a calibration reads: the windows whose primers are continued, and the music the takes
// are compared with (what followed them, and for a GAN what followed its training windows).
struct CalibrationReads {
    ContinuationWindows windows;
    std::vector<FrameSequence> reference;
};

// The validation pieces' windows (up to `maxWindows`), and the training pieces' beside them
// (up to kCalibrationTrainingWindows): as more windows to continue, or (`trainingAsReference`)
// only as more music to compare with. None when the validation pieces hold fewer than
// `minWindows`.
CalibrationReads calibrationReads(const std::vector<FrameSequence>& pieces,
                                  const std::vector<FrameSequence>* trainingPieces,
                                  bool trainingAsReference, int stepsPerBar, std::size_t maxWindows,
                                  std::size_t minWindows) {
    CalibrationReads reads;
    reads.windows = continuationWindows(pieces, stepsPerBar, 1, 4, maxWindows);
    if (reads.windows.primers.size() < minWindows)
        return {};
    if (trainingPieces) {
        const std::size_t most = std::max(maxWindows, kCalibrationTrainingWindows);
        ContinuationWindows more =
            continuationWindows(spreadChoice(*trainingPieces, most), stepsPerBar, 1, 4, most);
        for (std::size_t i = 0; i < more.primers.size(); ++i) {
            if (trainingAsReference) {
                reads.reference.push_back(std::move(more.followed[i]));
                continue;
            }
            reads.windows.primers.push_back(std::move(more.primers[i]));
            reads.windows.followed.push_back(std::move(more.followed[i]));
        }
    }
    reads.reference.insert(reads.reference.begin(), reads.windows.followed.begin(),
                           reads.windows.followed.end());
    return reads;
}

// One calibration: what every setting's read needs, and how many settings it has read of how
// many it will (the progress it reports: a read takes seconds, the whole about a minute).
struct CalibrationRun {
    const SequenceModel& model;
    const CalibrationReads& reads;
    const MetricOptions& options;
    const std::atomic<bool>* cancel;
    const CalibrationProgress& progress;
    int total = 0;
    int read = 0;
};

// The closeness of `settings`' takes of the run's windows to its reference, the mean over
// kCalibrationDraws draws (seeds 1, 1001, ...); negative when cancelled.
double closenessOf(CalibrationRun& run, SampleRequest settings) {
    double sum = 0;
    for (int d = 0; d < kCalibrationDraws; ++d) {
        settings.seed = 1 + 1000 * std::uint64_t(d);
        const std::vector<FrameSequence> takes =
            continueWindows(run.model, run.reads.windows, run.cancel, settings);
        if (takes.empty())
            return -1; // cancelled
        sum += meanOverlap(
            compareSets(run.reads.reference, takes, run.model.representation(), run.options));
    }
    ++run.read;
    if (run.progress)
        run.progress(run.read, std::max(run.read, run.total));
    return sum / kCalibrationDraws;
}

// Each of `values` set into `settings` by `set`, read over a GAN's draws; (value, closeness)
// appended to `tried`. The closest beating `best` becomes `chosen` and `best` (a tie keeps
// `chosen`), and `settings` keeps `chosen` for the choices after. False when cancelled.
template <typename Value, typename Set>
bool keepClosest(const std::vector<Value>& values, Set set, CalibrationRun& run,
                 SampleRequest& settings, double& best, Value& chosen,
                 std::vector<std::pair<double, double>>& tried) {
    for (const Value value : values) {
        set(settings, value);
        const double closeness = closenessOf(run, settings);
        if (closeness < 0)
            return false;
        tried.emplace_back(double(value), closeness);
        if (closeness > best) {
            best = closeness;
            chosen = value;
        }
    }
    set(settings, chosen);
    return true;
}

// A GAN's harmony plan: matched to each bar written, or along the training progressions.
// Then its cap on notes at once, from `music`'s voices, its hold odds, its shortest note, its
// noise carry, its floor on notes at once, from `music`'s voices again, and how far its
// harmony is pushed.
bool calibrateGan(CalibrationRun& run, const std::vector<FrameSequence>& music, double margin,
                  SamplingCalibration& out) {
    const std::vector<int> caps = polyphonyCapsTried(music);
    const std::vector<int> floors = polyphonyFloorsTried(music);
    run.total =
        int(2 + caps.size() + ganHoldOddsTried().size() + ganShortestNotesTried().size() +
            ganNoiseCarriesTried().size() + floors.size() + ganHarmonyGuidancesTried().size());
    SamplingCalibration result;
    result.rhythm = {}; // the GAN's own decoding
    SampleRequest settings;
    const double eachBar = closenessOf(run, settings);
    settings.harmonyProgressions = true;
    const double progressions = eachBar < 0 ? -1 : closenessOf(run, settings);
    if (progressions < 0)
        return false;
    result.tried.emplace_back(1.0, eachBar);
    result.triedProgressions.emplace_back(1.0, progressions);
    result.harmonyProgressions = progressions > eachBar + margin / 2;
    result.closeness = result.harmonyProgressions ? progressions : eachBar;
    settings.harmonyProgressions = result.harmonyProgressions;
    const auto setCap = [](SampleRequest& r, int cap) { r.constraints.maxPolyphony = cap; };
    const auto setHold = [](SampleRequest& r, double odds) { r.holdOdds = odds; };
    const auto setShortest = [](SampleRequest& r, int steps) { r.shortestNote = steps; };
    const auto setCarry = [](SampleRequest& r, double carry) { r.noiseCarry = carry; };
    const auto setFloor = [](SampleRequest& r, int floor) { r.constraints.minPolyphony = floor; };
    const auto setGuidance = [](SampleRequest& r, double g) { r.harmonyGuidance = g; };
    if (!keepClosest(caps, setCap, run, settings, result.closeness, result.maxPolyphony,
                     result.triedPolyphony) ||
        !keepClosest(ganHoldOddsTried(), setHold, run, settings, result.closeness, result.holdOdds,
                     result.triedHold) ||
        !keepClosest(ganShortestNotesTried(), setShortest, run, settings, result.closeness,
                     result.shortestNote, result.triedShortest) ||
        !keepClosest(ganNoiseCarriesTried(), setCarry, run, settings, result.closeness,
                     result.noiseCarry, result.triedCarry) ||
        !keepClosest(floors, setFloor, run, settings, result.closeness, result.minPolyphony,
                     result.triedFloor) ||
        !keepClosest(ganHarmonyGuidancesTried(), setGuidance, run, settings, result.closeness,
                     result.harmonyGuidance, result.triedGuidance))
        return false;
    out = result;
    return true;
}

// The key a decoding's closeness is stored under in SamplingCalibration::triedFigures.
double decodingKey(const RhythmOdds& odds) {
    return odds.keepsFigures() ? odds.repeatOffBeatOdds : odds.offBeatOdds;
}

// The closeness `tried` read at `chosen`, or `otherwise` when it was not read (a GAN's
// default, which is not among its values tried: the choice before's closeness).
double closenessAt(const std::vector<std::pair<double, double>>& tried, double chosen,
                   double otherwise) {
    for (const auto& [value, closeness] : tried)
        if (value == chosen)
            return closeness;
    return otherwise;
}

// At the temperature chosen, which of kDecodingsTried the takes keep: plain and with the bar's
// rhythm as the temperatures read them, with its figures too read now over as many draws of
// `reads`; each kept when closer than the one kept before it by `margin` / 2, the margin of a
// choice read over draws (as a GAN's harmony). False when cancelled.
bool chooseDecoding(CalibrationRun& run, double margin, SamplingCalibration& result) {
    SampleRequest settings;
    settings.temperature = result.temperature;
    settings.rhythm = kFigureOddsTried;
    const double figures = closenessOf(run, settings);
    if (figures < 0)
        return false;
    const double read[] = {closenessAt(result.tried, result.temperature, -1),
                           closenessAt(result.triedWithRhythm, result.temperature, -1), figures};
    static_assert(std::size(read) == kDecodingsTried.size());
    for (std::size_t i = 0; i < kDecodingsTried.size(); ++i) {
        result.triedFigures.emplace_back(decodingKey(kDecodingsTried[i]), read[i]);
        if (i == 0 || read[i] > result.closeness + margin / 2) {
            result.rhythm = kDecodingsTried[i];
            result.closeness = read[i];
        }
    }
    return true;
}

} // namespace

bool calibrateSampling(const SequenceModel& model, const std::vector<FrameSequence>& pieces,
                       const std::atomic<bool>* cancel, SamplingCalibration& out,
                       const std::vector<FrameSequence>* trainingPieces, std::size_t maxWindows,
                       double margin, std::size_t minWindows, const CalibrationProgress& progress) {
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
    // Not a GAN's training windows to continue: its harmony plan holds their bars, so matched
    // to a training primer it finds that bar and follows its own piece, as the progressions
    // do. What followed them is still its music, to compare with: a validation split can be
    // unlike the rest (JSB's valid chorales' bars hold fewer pitch classes than the train and
    // test ones', one-bar entropy 2.48 against 2.54 and 2.57), and a GAN chose to match it.
    const CalibrationReads reads =
        calibrationReads(pieces, trainingPieces, gan, options.stepsPerBar, maxWindows, minWindows);
    if (reads.windows.primers.empty())
        return false;
    CalibrationRun run{model, reads, options, cancel, progress};
    if (gan)
        return calibrateGan(run, trainingPieces ? *trainingPieces : pieces, margin, out);
    SamplingCalibration result;
    double best = -1;
    // The Markov model's sampler does not read the rhythm odds.
    const bool tryRhythm = model.config().kind != ModelKind::Markov;
    const int temperatures = int(calibrationTemperatures().size());
    run.total = tryRhythm ? 2 * temperatures + 1 : temperatures; // and the figures (chooseDecoding)
    for (const bool keepRhythm : {false, true}) {
        if (keepRhythm && !tryRhythm)
            break;
        for (double t : calibrationTemperatures()) {
            SampleRequest settings;
            settings.temperature = t;
            settings.rhythm = keepRhythm ? kRhythmOddsTried : kRhythmOff;
            const double closeness = closenessOf(run, settings);
            if (closeness < 0)
                return false; // cancelled
            (keepRhythm ? result.triedWithRhythm : result.tried).emplace_back(t, closeness);
            const double needed = t == 1.0 && !keepRhythm ? 0.0 : margin;
            if (best < 0 || closeness > best + needed) {
                best = closeness;
                result.temperature = t; // the decoding is chosen after (chooseDecoding)
            }
        }
    }
    result.closeness = best;
    if (tryRhythm && !chooseDecoding(run, margin, result))
        return false;
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

// The closeness of a GAN's chosen harmony, of its chosen cap on notes at once, of its chosen
// hold odds, of its chosen shortest note, of its chosen noise carry and of its chosen floor.
double harmonyCloseness(const SamplingCalibration& c) {
    return c.harmonyProgressions ? c.triedProgressions.front().second : c.tried.front().second;
}
double capCloseness(const SamplingCalibration& c) {
    return closenessAt(c.triedPolyphony, c.maxPolyphony, harmonyCloseness(c));
}
double holdCloseness(const SamplingCalibration& c) {
    return closenessAt(c.triedHold, c.holdOdds, capCloseness(c));
}
double shortestCloseness(const SamplingCalibration& c) {
    return closenessAt(c.triedShortest, c.shortestNote, holdCloseness(c));
}
double carryCloseness(const SamplingCalibration& c) {
    return closenessAt(c.triedCarry, c.noiseCarry, shortestCloseness(c));
}
double floorCloseness(const SamplingCalibration& c) {
    return closenessAt(c.triedFloor, c.minPolyphony, carryCloseness(c));
}

// "; `chosen` (closeness `before` 0.742, 5: 0.767, ...)": a GAN's choice after the one that
// read `base`, and the values it tried, a negative one by `negativeName` where given; "" when it
// tried none.
std::string ganChoice(const std::string& chosen, const char* before, double base,
                      const std::vector<std::pair<double, double>>& tried,
                      const char* negativeName = nullptr) {
    if (tried.empty())
        return {};
    char buf[64];
    std::snprintf(buf, sizeof buf, " (closeness %s %.3f", before, base);
    std::string text = "; " + chosen + buf;
    for (const auto& [value, closeness] : tried) {
        if (value < 0 && negativeName)
            std::snprintf(buf, sizeof buf, ", %s: %.3f", negativeName, closeness);
        else
            std::snprintf(buf, sizeof buf, ", %g: %.3f", value, closeness);
        text += buf;
    }
    return text + ")";
}

// "; at most 5 notes at once (closeness without a cap 0.742, 5: 0.767); notes held at odds 3
// (closeness at the decoding's own 0.767, 5: 0.773, 3: 0.778, 2: 0.778); notes of at least 2
// steps (closeness at any length 0.778, 2: 0.780, 3: 0.760); noise carried at 0.9
// (closeness at 0.98 0.780, 0.9: 0.783, 0.8: 0.777); at least 2 notes at once where it sounds
// (closeness without a floor 0.783, 2: 0.850, 3: 0.836); the harmony pushed 1.5 times as far
// from the bar written (closeness at 1 0.850, 1.25: 0.858, 1.5: 0.861)", as far as tried.
std::string ganChoices(const SamplingCalibration& c) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "at most %d notes at once", c.maxPolyphony);
    std::string text = ganChoice(c.maxPolyphony > 0 ? buf : "no cap on notes at once",
                                 "without a cap", harmonyCloseness(c), c.triedPolyphony);
    std::snprintf(buf, sizeof buf, "notes held at odds %g", c.holdOdds);
    text += ganChoice(c.holdOdds >= 0 ? buf : "notes held at the decoding's own odds",
                      "at the decoding's own", capCloseness(c), c.triedHold);
    std::snprintf(buf, sizeof buf, "notes of at least %d steps", c.shortestNote);
    text += ganChoice(c.shortestNote == kShortestNoteOfPrimer
                          ? "notes no shorter than the primer's, up to a beat"
                      : c.shortestNote > 1 ? buf
                                           : "notes of any length",
                      "at any length", holdCloseness(c), c.triedShortest, "the primer's");
    const double carry = c.noiseCarry >= 0 ? c.noiseCarry : kDefaultNoiseCarry;
    std::snprintf(buf, sizeof buf, "noise carried at %g from bar to bar", carry);
    char base[16];
    std::snprintf(base, sizeof base, "at %g", kDefaultNoiseCarry);
    text += ganChoice(buf, base, shortestCloseness(c), c.triedCarry);
    std::snprintf(buf, sizeof buf, "at least %d notes at once where it sounds", c.minPolyphony);
    text += ganChoice(c.minPolyphony > 0 ? buf : "no floor on notes at once", "without a floor",
                      carryCloseness(c), c.triedFloor);
    const double guidance = c.harmonyGuidance >= 0 ? c.harmonyGuidance : 1.0;
    std::snprintf(buf, sizeof buf, "the harmony pushed %g times as far from the bar written",
                  guidance);
    return text + ganChoice(guidance != 1.0 ? buf : "the harmony as its plan asks", "at 1",
                            floorCloseness(c), c.triedGuidance);
}

// "; over 3 draws, plain 0.801, the bar's rhythm kept 0.812, its repeating figures kept
// strictly too 0.846": an LSTM's or RNN's decodings as read; "" when it read none.
std::string decodingsRead(const std::vector<std::pair<double, double>>& decodings) {
    char buf[160];
    if (decodings.size() == kDecodingsTried.size())
        std::snprintf(buf, sizeof buf,
                      "; over %d draws, plain %.3f, the bar's rhythm kept %.3f, its repeating "
                      "figures kept strictly too %.3f",
                      kCalibrationDraws, decodings[0].second, decodings[1].second,
                      decodings[2].second);
    else if (decodings.size() == 2) // a checkpoint of before session 30: the rhythm kept
        std::snprintf(buf, sizeof buf,
                      "; over %d draws, a repeating figure kept as loosely as the rest %.3f, "
                      "strictly %.3f",
                      kCalibrationDraws, decodings[0].second, decodings[1].second);
    else
        return {};
    return buf;
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
        return buf + ganChoices(calibration);
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "temperature %.1f", calibration.temperature);
    std::string text = buf;
    if (calibration.keepsRhythm())
        text += calibration.rhythm.keepsFigures()
                    ? " and the bar's rhythm kept, repeating figures strictly"
                    : " and the bar's rhythm kept";
    text += ", chosen on validation (closeness" + closenessList(calibration.tried);
    if (!calibration.triedWithRhythm.empty())
        text += "; keeping the bar's rhythm" + closenessList(calibration.triedWithRhythm);
    return text + decodingsRead(calibration.triedFigures) + ")";
}

} // namespace torchestra::ml
