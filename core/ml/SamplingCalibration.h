#pragma once

// The sampling temperature a model writes its closest music at, and whether its takes keep the
// rhythm of the bar before (SampleRequest::rhythm), chosen on its validation pieces once
// training ends. Measured (docs/results.md): the best temperature depends on the
// corpus — an LSTM's continuations of JSB's valid split are closest at 0.9 (closeness 0.72
// against 0.69 at 1.0, 0.37 at 0.7), the same network on openmsx's at 0.6-0.7 (0.53 against
// 0.16 at 1.0, where every step starts stray notes). So no one default serves both; the model
// carries its own, the CLI and the Generate panel start from it. No torch.

#include "ml/SequenceModel.h"

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace torchestra::ml {

struct SamplingCalibration {
    double temperature = 1.0;
    double closeness = -1;                        // of the chosen temperature; -1 = not calibrated
    std::vector<std::pair<double, double>> tried; // (temperature, closeness), in order tried
    // kRhythmOddsTried or kFigureOddsTried (SequenceModel.h) when the chosen takes keep the
    // bar's rhythm, else off; `triedWithRhythm` as `tried`, with kRhythmOddsTried (empty: not
    // tried). A GAN's calibration chooses none: it keeps its decoding's (RhythmOdds{}).
    RhythmOdds rhythm = kRhythmOff;
    std::vector<std::pair<double, double>> triedWithRhythm;
    // Each of kDecodingsTried at the temperature chosen, over kCalibrationDraws draws:
    // (offBeatOdds, closeness) for the first two, (repeatOffBeatOdds, closeness) for the last
    // (empty: not tried). Checkpoints written before session 30 hold two: the bar's rhythm and
    // its figures, tried only where the rhythm had been kept.
    std::vector<std::pair<double, double>> triedFigures;
    // A GAN with a harmony plan: whether its takes follow the training music's progressions
    // (SampleRequest::harmonyProgressions); `triedProgressions` as `tried`, with them (`tried`
    // then holds the draw matched to each bar written). Empty: not tried (other kinds).
    bool harmonyProgressions = false;
    std::vector<std::pair<double, double>> triedProgressions;
    // A GAN with a harmony plan: the most notes its takes sound at once
    // (SampleConstraints::maxPolyphony; 0 = no cap); `triedPolyphony` the (cap, closeness)
    // pairs read beside no cap, with the harmony chosen (empty: not tried).
    int maxPolyphony = 0;
    std::vector<std::pair<double, double>> triedPolyphony;
    // And its hold odds (SampleRequest::holdOdds; negative = its decoding's own), with the cap
    // chosen; `triedHold` as `triedPolyphony` (empty: not tried).
    double holdOdds = -1;
    std::vector<std::pair<double, double>> triedHold;
    // And its shortest note (SampleRequest::shortestNote; 0 = any length, kShortestNoteOfPrimer
    // = each take its primer's), with the odds chosen; `triedShortest` as `triedHold`.
    int shortestNote = 0;
    std::vector<std::pair<double, double>> triedShortest;
    // And how much of its noise it carries from bar to bar (SampleRequest::noiseCarry; negative
    // = kDefaultNoiseCarry), with the cap, the odds and the shortest note chosen; `triedCarry`
    // as `triedHold`.
    double noiseCarry = -1;
    std::vector<std::pair<double, double>> triedCarry;
    // And the fewest notes its takes sound at once where they sound
    // (SampleConstraints::minPolyphony; 0 = no floor), with all of the above chosen;
    // `triedFloor` as `triedHold`.
    int minPolyphony = 0;
    std::vector<std::pair<double, double>> triedFloor;
    // And how far its harmony is pushed toward the plan's (SampleRequest::harmonyGuidance;
    // negative = 1), with all of the above chosen; `triedGuidance` as `triedFloor`.
    double harmonyGuidance = -1;
    std::vector<std::pair<double, double>> triedGuidance;
    bool calibrated() const { return closeness >= 0; }
    // A GAN's calibration: it chose how its harmony moves (and nothing of a temperature).
    bool choseHarmony() const { return !triedProgressions.empty(); }
    bool keepsRhythm() const { return !rhythm.isDefault() && !rhythm.isOff(); }
};

// How many draws of how many validation windows (and as many training windows) a calibration
// reads each setting over. One read of 50 windows moves by about 0.02 with the sampling seed
// (docs/results.md, session 18), and by as much with which 50 windows it reads: on JSB a GAN's
// harmony's two draws differed by 0.053 on eval's 50 windows and by 0.004-0.007 on 47, 48, 49
// or 60 of the same split (session 21). Keeping the bar's rhythm or its repeating figure changes
// only the windows after music that repeats it (four in ten on simutrans), so a smaller read
// moves by more than it does: on simutrans' training windows (746, three draws) the figures
// came closer (0.842 against 0.829), on three draws of a training run's 48 validation and 48
// training windows less (0.827 against 0.835; session 26). An LSTM's temperatures were read
// once over 48 and 48 until session 30: on simutrans' fold 4 that read chose 1.0 with the
// training files in one order and 0.9 with the bar's rhythm in another. Takes are quick (an
// LSTM's whole calibration on simutrans: about 7 seconds read once, 17 read so), so it reads many.
constexpr int kCalibrationDraws = 3;
constexpr std::size_t kCalibrationWindows = 192;
// How many training windows a calibration reads beside the validation ones (at least
// `maxWindows`; an LSTM or RNN continues them, a GAN compares its takes with what followed
// them): every one of simutrans' (about 750). Over 192 of them, spread through the files in
// the order given, the choice still moved with that order (session 31): on fold 0 the figures
// came closer than plain by 0.042 in the trainer's order and not at all in name order (-0.003);
// on fold 4 the trainer's order chose 0.9 with the figures, name order 1.0 plain (10 of 20
// gates on its held-out files against 14.7). Over all of them both orders chose 0.9 with the
// figures on every fold, by 0.026-0.068. The built-in GAN chooses as before with all of JSB's
// training music to compare with (each closeness within 0.009). A calibration takes about 46 s
// so for simutrans' LSTM (17 s over 192), 41 s for bach-nade, 68 s for bach-gan (65 s).
constexpr std::size_t kCalibrationTrainingWindows = 768;
// calibrateSampling's defaults: the margin a lower temperature must win by, and the fewest
// validation windows it chooses on (both below).
constexpr double kCalibrationMargin = 0.02;
constexpr std::size_t kCalibrationMinWindows = 12;
// What hears a calibration's progress: after each setting read, how many it has read of how
// many it will read (on the calibrating thread).
using CalibrationProgress = std::function<void(int read, int total)>;
// The decodings an LSTM's or RNN's calibration chooses among, in order, each kept when closer
// than the one kept before it: plain, the bar's rhythm kept, and its repeating figures kept too.
// Together because the figures gain most where the rhythm alone gains little: forced on
// simutrans' folds, they came closer on the training windows the calibration reads by
// 0.044-0.049 (session 29).
constexpr std::array<RhythmOdds, 3> kDecodingsTried{kRhythmOff, kRhythmOddsTried, kFigureOddsTried};

// The temperatures tried, from 1.0 down.
const std::vector<double>& calibrationTemperatures();
// The hold odds a GAN's calibration tries beside its decoding's own (10, chosen in session 18
// for a generator trained by the critic alone): a generator trained to its harmony plan's
// targets holds its notes longer by itself (qualified-note ratio 0.77 against JSB's 0.66 at
// 10, 0.67 at 2), and its takes came closer to both corpora's at lower odds
// (docs/results.md, session 23).
const std::vector<double>& ganHoldOddsTried();

// The shortest notes a GAN's calibration tries beside any length, in steps: an eighth and a
// dotted eighth of a bar of sixteenths, and each take its primer's (kShortestNoteOfPrimer).
// Its generator spreads a passing voice thinly over several steps, and read a step at a time
// the notes of one step it leaves drop pitch classes of the bar's harmony: the built-in GAN's
// bars held 2.455 bits of pitch classes against the valid chorales' 2.469, and 2.484 with
// notes of at least 2 steps, as close (0.879) and with the chorales' share of long notes
// (0.643 against 0.652, from 0.592); 3 steps came less close (0.809: it removes the chorales'
// eighths). Three JSB GANs of four chose 2, a simutrans GAN any length (docs/results.md,
// sessions 34-35). One shortest note for every take left the takes' share of long notes as
// even as 0.64 whatever the primer, where the chorales keep their primers' pace; each take its
// primer's brought the built-in GAN, recalibrated, to 0.893 on valid and on its training
// windows (0.879 both), and all seven JSB GANs read chose it (session 36).
const std::vector<int>& ganShortestNotesTried();

// The noise carries a GAN's calibration tries beside kDefaultNoiseCarry (0.98): carried
// almost whole, the noise keeps a take's texture and also its harmony; JSB's chorales move
// more over four bars (pitch-class entropy over 4 bars 2.70 against 2.82 at 0.98, 2.72 at 0.9,
// 2.80 at 0), and came closest at 0.9, where simutrans' tunes came closest at 0.98
// (docs/results.md, session 24).
const std::vector<double>& ganNoiseCarriesTried();

// The floors on notes at once a GAN's calibration tries beside none: 2 and 3, each where the
// music sounds at least that many at half of its sounding steps (none for a melody). A GAN
// thins its voices where its music keeps them: the built-in GAN's takes sounded fewer than
// four notes at 39% of their steps against 9% of JSB's valid chorales', fewer than two at 4%
// against 0.1% (polyphony rate 0.956, overlap 0.17), and came closest at a floor of 2
// (closeness 0.777 -> 0.868; 3: 0.854), where simutrans' tunes (polyphony rate 0.958) came
// closest without one (0.774; 2: 0.755; docs/results.md, session 25). Empty when no step
// sounds.
std::vector<int> polyphonyFloorsTried(const std::vector<FrameSequence>& pieces);

// The harmony guidances a GAN's calibration tries beside 1 (the plan's own): its generator
// follows the profile asked of a bar only part of the way, so its harmony moves less than its
// music's. Pushed half as far again (1.5) the built-in GAN's four-bar pitch-class entropy came
// to the valid chorales' (2.84 against 2.82; 2.74 at 1) and its takes closer (0.881 against
// 0.868, 20 of 20 gates; 1.25: 0.877, 20); simutrans' GAN came as close (0.775 against 0.774);
// session 23's JSB GAN came less close at 1.5 (0.844 against 0.859: its scale drifted)
// (docs/results.md, session 25). Further still suited later GANs on all the valid chorales'
// windows over three draws: a GAN trained as the built-in for 79 epochs 0.870 at 1.5, 0.876 at
// 2, 0.879 at 2.5; one whose plan gives quarters (ModelConfig::harmonyQuarters) 0.856, 0.868,
// 0.877, and 0.874 at 3 (session 29).
const std::vector<double>& ganHarmonyGuidancesTried();

// Four-bar continuations of one-bar primers from `pieces` (at most `maxWindows`), sampled at
// each of calibrationTemperatures() over kCalibrationDraws draws and compared with what
// followed (ContinuationMetrics.h): the temperature with the highest closeness wins; a lower
// one must beat 1.0 by `margin` to be chosen, so noise alone does not move a model off its
// plain distribution. The neural kinds try each temperature again with kRhythmOddsTried, which
// must win by `margin` as well: they help some models and not others, and most at the
// temperature below 1.0 that cuts the stray notes they would add to (docs/results.md, session
// 19). At the temperature chosen they then read kFigureOddsTried as well, and of
// kDecodingsTried keep each that comes closer than the one kept before it by `margin` / 2
// (sessions 26, 30). False (and `out` not calibrated) when the pieces hold fewer than
// `minWindows` windows (of five bars, not overlapping: a 16-bar piece holds 3, too few to tell
// temperatures apart — on such a selection a Markov model chose 0.6 and wrote one note in four
// bars) or `cancel` was set.
// With `trainingPieces`, up to kCalibrationTrainingWindows (or `maxWindows`, if more) windows
// spread through them are read beside the validation ones: on simutrans
// and JSB the training files' windows rank the settings as unseen files do, where a small folder's
// four or seven validation files did not (docs/results.md, session 20). The validation windows
// alone must reach `minWindows`. A GAN tries its harmony plan's two draws instead (at temperature 1
// with its own decoding), in bars of its own length, continuing none of the training pieces'
// primers (its plan holds their bars: on them both draws follow the training pieces) but comparing
// its takes with what followed as many of them too, beside what followed its own primers (a
// validation split can be unlike the rest of the music): progressions must win by `margin` / 2 over
// the draws' mean. Then, with the harmony chosen, it reads the caps on notes at once of
// polyphonyCapsTried(`trainingPieces`, or `pieces` without them) and keeps the closest of them
// and no cap (a tie: no cap), with that cap the closest of its decoding's hold odds and
// ganHoldOddsTried() (a tie: its own), the closest of any length and ganShortestNotesTried()
// (a tie: any length), with those the closest of kDefaultNoiseCarry and
// ganNoiseCarriesTried() (a tie: the default), the closest of no floor on notes at once and
// polyphonyFloorsTried() of the same music (a tie: no floor), and last the closest of 1 and
// ganHarmonyGuidancesTried() (a tie: 1). A GAN without a plan has nothing to choose (false).
// `progress`, when set, hears of each setting read.
bool calibrateSampling(const SequenceModel& model, const std::vector<FrameSequence>& pieces,
                       const std::atomic<bool>* cancel, SamplingCalibration& out,
                       const std::vector<FrameSequence>* trainingPieces = nullptr,
                       std::size_t maxWindows = kCalibrationWindows,
                       double margin = kCalibrationMargin,
                       std::size_t minWindows = kCalibrationMinWindows,
                       const CalibrationProgress& progress = {});

// The caps on notes at once a GAN's calibration tries: one more than the most pitches the
// music sounds at once at 90% of its sounding steps, and at 99% (once where they agree). A GAN
// sounds more at once than its music (JSB's chorales never more than 4 at a step, session 22's
// GAN more than 4 at 46% of its steps), and keeps the most probable notes under a cap; but a cap
// at the music's own count cut too much (JSB valid: 15.0 of 20 gates capped at 4, 18.0 at 5,
// 17.0 without). At 90% the counts are JSB's 4 and simutrans' 9, where the caps measured best
// (5 on JSB; 10 of 6, 8 and 10 on simutrans); at 99%, 4 and 13 (docs/results.md, session 23).
// Empty when no step sounds.
std::vector<int> polyphonyCapsTried(const std::vector<FrameSequence>& pieces);

// "temperature 0.8, chosen on validation (closeness 1.0: 0.157, 0.9: 0.239, ...; keeping the
// bar's rhythm 1.0: 0.150, ...)", "temperature 0.9 and the bar's rhythm kept, chosen on ...",
// or "" when not calibrated.
std::string describeCalibration(const SamplingCalibration& calibration);

} // namespace torchestra::ml
