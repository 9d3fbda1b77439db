#pragma once

// The GAN's view of music: one bar at a time on the grid, and what each bar is conditioned on
// (the bar before, the bar after, the key of the context or the bar's own pitch-class profile,
// the bar's length). Shared by the trainer (real bars and their conditions), the sampler
// (conditions from the primer and the music after an infill) and the decoding of generated
// bars. No torch here.
//
// Layouts, for conv1d over the bar's steps (channel-major: element [c * steps + s]):
// - a bar: channels [0, P) onsets, [P, 2P) sounding, 2P the dynamic level (the velocity bin of
//   the last onset, as bin / (bins - 1)) on every step where something sounds; 0 on silent
//   steps or when the representation has no velocity;
// - a condition: the previous bar, the next bar (bar layouts, zero when absent), then one
//   channel each for "has a previous bar", "has a next bar", the step mask (1 on the bar's real
//   steps, 0 on the padding up to the model's bar length), then the 13 key features, the same
//   on every step (the 12 pitch classes the same on each quarter of the bar, for a GAN whose
//   plan gives each quarter its own).

#include "ml/Representation.h"
#include "ml/SamplingConstraints.h"

#include <random>
#include <utility>
#include <vector>

namespace torchestra::ml::neural {

using StepRange = std::pair<int, int>; // [first step, end step)

struct GanShape {
    int pitches = 88;
    int lowPitch = 21; // MIDI pitch of unit 0 (for pitch classes)
    int steps = 16;    // the model's bar length (ModelConfig::barSteps)
    int velocityBins = 8;
    bool velocity = true;

    static constexpr int kKeyFeatures = 13;
    int barChannels() const { return 2 * pitches + 1; }
    int barSize() const { return barChannels() * steps; }
    int conditionChannels() const { return 2 * barChannels() + 3 + kKeyFeatures; }
    int conditionSize() const { return conditionChannels() * steps; }
    // Channels of the condition that are the same on every step: the two flags, the mask (its
    // mean is the bar's share of the model's length) and the key.
    int firstGlobalChannel() const { return 2 * barChannels(); }
    static constexpr int kGlobalChannels = 3 + kKeyFeatures;
};

GanShape ganShape(const RepresentationConfig& rep, int barSteps);

// Bars of a piece for the GAN: where its metre says bars start (data without a metre: every
// `barSteps` steps), bars longer than `barSteps` cut into pieces of at most that length.
std::vector<StepRange> ganBars(const FrameSequence& piece, int barSteps);

// Writes steps `bar` of `seq`, transposed by `shift` semitones (pitches pushed out of range
// dropped), into `out` (barSize() floats, zeroed by the caller). Steps past shape.steps are cut.
void encodeBar(const FrameSequence& seq, StepRange bar, int shift, const GanShape& shape,
               float* out);

// Where the key of a bar's context is read: steps `ranges` of `seq`.
struct KeySource {
    const FrameSequence* seq = nullptr;
    std::vector<StepRange> ranges;
};
// Key features of the music in `sources`: 12 duration-weighted pitch classes (C first, after
// `shift`) summing to 1, then 1 when a minor key fits them better than a major one
// (Krumhansl-Kessler profiles), 0 otherwise. All zero for silence.
void keyFeatures(const std::vector<KeySource>& sources, int shift, const GanShape& shape,
                 float* out);
// How many bars before a bar its key is read from.
constexpr int kKeyContextBars = 4;

// What a condition's 13 key features describe: the key of the bars before (and after, for an
// infill), or the bar's own pitch-class profile, which sampling draws from a HarmonyPlan
// (ModelConfig::harmonyPlan); with OwnQuarters the 12 pitch-class features of each quarter of
// the bar are that quarter's own (ModelConfig::harmonyQuarters), the mode flag the bar's.
enum class HarmonyInput { KeyAround, OwnBar, OwnQuarters };

// The quarters of the model's bar a condition's harmony may change by: the beats of a bar of
// 4/4, the dotted quarters of 12/8.
constexpr int kBarQuarters = 4;
// The 12 pitch-class shares of each quarter of the model's bar over steps `bar` of `seq`
// (keyFeatures of the quarter's steps, after `shift`), kBarQuarters x 12 floats into `out`;
// zeros for a quarter past the bar's end or silent.
void quarterProfiles(const FrameSequence& seq, StepRange bar, int shift, const GanShape& shape,
                     float* out);

// One bar's condition. A null sequence means there is no such bar.
struct BarCondition {
    const FrameSequence* previous = nullptr;
    StepRange previousBar{0, 0};
    const FrameSequence* next = nullptr;
    StepRange nextBar{0, 0};
    int length = 0;             // the bar's real steps (<= shape.steps)
    const float* key = nullptr; // 13 features; null = none
    // kBarQuarters x 12 pitch-class shares written over key's 12 on each quarter's steps; null
    // = key's on every step.
    const float* quarterKey = nullptr;
    int shift = 0; // transposition of the previous and next bars
};
// Writes the condition into `out` (conditionSize() floats, zeroed by the caller).
void encodeCondition(const BarCondition& condition, const GanShape& shape, float* out);

// Where notes of steps `bar` of `seq` begin (FrameSequence::startsAny): one flag per step of
// the model's bar, 0 past the bar's end.
std::vector<std::uint8_t> noteStarts(const FrameSequence& seq, StepRange bar,
                                     const GanShape& shape);

// How decodeBar weighs the generator's probabilities, as factors on the odds p / (1 - p)
// (chosen on JSB's valid split, docs/results.md, session 18). Read one step at a time, the
// generator's probabilities let a held pitch drop out for a step and new notes start where
// the bar before had none: short notes (qualified-note ratio 0.52 against the chorales' 0.65)
// and a rhythm that wanders from bar to bar (groove 0.67 against 0.81).
struct BarDecoding {
    double holdOdds = 10;      // a pitch that sounds in the step before, to go on sounding
    double startOdds = 2;      // a new note where the bar before started one
    double offBeatOdds = 0.25; // a new note where the bar before started none
    // A note started fewer steps before than this goes on sounding (SampleRequest::shortestNote;
    // 1: any length).
    int shortestNote = 1;
    // SampleRequest::outOfKeyOdds on a new note of a pitch flagged in `outsideKey` (one flag per
    // pitch; null: none is, the odds are off).
    double outOfKeyOdds = 1.0;
    const std::uint8_t* outsideKey = nullptr;
};
// The decoding with a request's rhythm odds, hold odds and shortest note (SampleRequest::rhythm,
// holdOdds, shortestNote) in place of the defaults, where it gives them.
BarDecoding barDecoding(const SampleRequest& request);

// The shortest note that starts in steps `bar` of `primer` and ends before the primer does, at
// most `cap` steps; 0 when no note does. A note still sounding at the primer's end is left out:
// how long it lasts is the take's to say.
int primerShortestNote(const FrameSequence& primer, StepRange bar, int cap);

// A request's decoding for each bar of each take: barDecoding(request), with the primer's
// shortest note (primerShortestNote of its last bar of `barSteps`, up to a beat; with no primer,
// of the first bar of the music that follows, SampleRequest::following) where the request asks
// for it (kShortestNoteOfPrimer), and where the request sets its key odds
// (SampleRequest::outOfKeyOdds) the take's key before the bar (ml/KeyOdds.h: its own bars
// before, reaching back into the primer).
class KeyedDecoding {
public:
    KeyedDecoding(const SampleRequest& request, const RepresentationConfig& rep, int barSteps,
                  int takes);
    // For the bar of take v (`take`) that starts at step `from`; valid until the next call.
    const BarDecoding& forBar(int v, const FrameSequence& take, int from);

private:
    const FrameSequence& m_primer;
    const RepresentationConfig& m_rep;
    const bool m_keepKey;
    BarDecoding m_decoding;
    std::vector<int> m_tonics;           // per take: its key before the last bar asked for
    std::vector<std::uint8_t> m_outside; // per pitch, for m_decoding.outsideKey
};

// A generated bar (probabilities in the bar layout) onto steps [from, from + length) of `out`,
// which has the model's pitches. A pitch sounds where its sounding probability, its odds
// weighed as `decoding` says, passes 0.5 (the threshold MuseGAN binarises with; see
// docs/results.md for why not Bernoulli draws), after the constraints: pitches outside the
// range or scale never sound, density scales the odds of a pitch that did not sound in the step
// before, and polyphony keeps the most probable pitches. `startsBefore` (noteStarts of the bar
// before; null when there is none) gives the new notes' weights. A sounding pitch starts a note
// where its onset probability passes 0.5 or it was silent in the step before (the step before
// `from` is read from `out`), except that a note younger than decoding.shortestNote steps goes
// on sounding, as held, and is not struck again. Under a floor on notes at once
// (SampleConstraints::minPolyphony) a thinner step that sounds takes the next most probable allowed
// pitches, weighed as above (a held pitch first, at the hold odds), however unlikely: the floor is
// a promise. Filled only from pitches of at least 0.05 or 0.01, the built-in GAN's takes kept a
// lone note at 0.2% of their steps, and came less close to JSB's valid chorales, which have none
// (closeness 0.856 and 0.818 against 0.868; docs/results.md, session 25).
void decodeBar(const float* probabilities, const GanShape& shape, int length,
               const SamplingConstraints& constraints, const BarDecoding& decoding,
               const std::uint8_t* startsBefore, FrameSequence& out, int from,
               std::vector<int>& scratch);

} // namespace torchestra::ml::neural
