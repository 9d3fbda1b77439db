#pragma once

// The interface every trained model offers (Markov, RNN, LSTM, GAN), so the CLI, the
// trainer and the UI treat them alike. No torch types here: ui/ may include this.

#include "ml/Representation.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::ml {

enum class ModelKind { Markov, Rnn, Lstm, Gan };
enum class HeadKind { Independent, Autoregressive };

const char* toString(ModelKind kind);
const char* toString(HeadKind kind);
bool parseModelKind(const std::string& s, ModelKind& out);
bool parseHeadKind(const std::string& s, HeadKind& out);

// The recurrent layers a new model of this kind and head gets when the user names none (the
// CLI's --layers, the Train panel's sizes). Measured with 5 minutes of training on the
// validation splits of two corpora (docs/results.md, "Defaults from the time budget"): an LSTM
// with independent outputs is far better with one layer than two (JSB 8.15 against 8.99 nats
// per step, openmsx 4.98 against 8.55); the NADE head's best JSB row has two, and the RNN was
// not measured with one.
int defaultLayers(ModelKind kind, HeadKind head);
// Whether a new model reads the bar before as input (RepresentationConfig::lookback): on for an
// LSTM with independent outputs on MIDI files, which have a metre (openmsx validation 7.1543
// against 7.1932 nats per step, its takes 12 of 20 metric gates against 9); eval-jsb leaves it
// off for JSB's metre-less frames, where it is worse (8.2467 against 8.1157; docs/results.md,
// "The bar before"). The NADE head and the RNN were not measured with it.
bool defaultLookback(ModelKind kind, HeadKind head);

struct ModelConfig {
    ModelKind kind = ModelKind::Lstm;
    HeadKind head = HeadKind::Independent;
    int layers = 2;
    int hidden = 256;
    double dropout = 0.3;
    int nadeHidden = 128; // autoregressive head's hidden units
    int markovOrder = 2;  // Markov: frames of context
    int noiseSize = 100;  // GAN: dimensions of the generator's noise
    // GAN: steps in the bars it writes (the longest bar of its training data; shorter bars are
    // padded and masked). Data without a metre is cut into bars of this many steps.
    int barSteps = 16;
    // RNN/LSTM: a per-pitch path from the previous step's sounding and onset frames straight to
    // the frame and onset logits ("the note that sounds goes on sounding"), learnt beside the
    // recurrent core. Without it a small-data LSTM can sit on the plateau where it predicts
    // each pitch's frequency and writes one-step notes (docs/results.md). Checkpoints written
    // before it have none.
    bool holdPath = true;
    // GAN: each bar is conditioned on its own pitch-class profile, which sampling draws from the
    // training music's bar-to-bar progressions (ml/neural/GanHarmonyPlan.h), instead of on the
    // key of the four bars before. Checkpoints written before it have the key.
    bool harmonyPlan = true;
    // GAN with a harmony plan: each quarter of the bar (a beat of 4/4) is also conditioned on
    // its own pitch classes, which the plan draws with the bar's profile from the same training
    // bar. Told the bar's profile alone, the built-in GAN's harmony moved less from beat to beat
    // than the chorales' (0.44 against 0.52); retrained with quarters it came as close to the
    // valid chorales (0.879 against 0.876) and closer to the test ones (0.872 against 0.857;
    // docs/results.md, sessions 26 and 29). Checkpoints written before it have the bar's only.
    bool harmonyQuarters = true;
    RepresentationConfig representation;

    std::string toJson() const;
    static std::string fromJson(const std::string& json, ModelConfig& out);
};

// Negative log-likelihood of a sequence, in nats. Frame NLL is the published JSB measure:
// -log p(sounding frame t | frames < t), summed over the pitch units.
struct NllResult {
    double frameSum = 0; // over steps 1..T-1 (Bai et al.: the first frame not scored)
    long frameSteps = 0;
    double firstFrame = 0;  // frame 0 given the all-zero start frame (the other convention)
    double onsetSum = 0;    // onset-given-sounding terms (MIDI data), steps 1..T-1
    double velocitySum = 0; // velocity-bin terms, steps 1..T-1
    void add(const NllResult& o) {
        frameSum += o.frameSum;
        frameSteps += o.frameSteps;
        firstFrame += o.firstFrame;
        onsetSum += o.onsetSum;
        velocitySum += o.velocitySum;
    }
};

struct SampleConstraints {
    int lowPitch = 0; // generated notes stay within [lowPitch, highPitch]
    int highPitch = 127;
    std::uint16_t scaleMask = 0x0FFF; // bit k: pitch class k allowed (C = bit 0)
    int maxPolyphony = 0;             // most notes sounding at once; 0 = no limit
    // Fewest notes sounding at once where a take sounds at all (a rest stays a rest); 0 = no
    // floor. Read by a GAN's decoding (neural/GanBars.h), which fills a thinner step from the
    // generator's next most probable pitches; other kinds ignore it.
    int minPolyphony = 0;
    double density = 1.0; // scales the odds of a new onset (0.5 sparser, 2 denser)
};

// How a take keeps the rhythm of the bar before it, as factors on the odds of a new note
// (a re-articulated held note counts as new): `startOdds` at a step where the step one bar
// back started a note, `offBeatOdds` where it started none. Sampled one step or one bar at a
// time, without them the takes' onsets can wander from bar to bar where the music repeats its
// rhythm (groove consistency 0.74 against 0.88 on the simutrans files' validation bars, an
// LSTM; docs/results.md, session 19). 1, 1 = off. Negative = the model's own: a GAN's
// decoding (GanBars.h); an LSTM or RNN keeps what its training chose on validation
// (SamplingCalibration.h), which the CLI and the Generate panel pass, and reads negative as off.
// The Markov model does not read them.
struct RhythmOdds {
    double startOdds = -1;
    double offBeatOdds = -1;
    // Where the music before repeats its figure at the half bar (Representation.h's
    // figureRepeats), the odds of a note starting where none started a bar back: negative =
    // `offBeatOdds`. Soft odds keep every take's rhythm about as loosely: after a bar whose halves
    // start notes alike, simutrans' files repeat their rhythm exactly for four bars in 50-63% of
    // windows (groove 0.93-0.96), after others in 4-6% (0.73-0.87); an LSTM's takes in 2% of all
    // windows (groove overlap 0.69; docs/results.md, session 26). The LSTM and RNN read it.
    double repeatOffBeatOdds = -1;
    constexpr bool isDefault() const { return startOdds < 0 || offBeatOdds < 0; }
    constexpr bool isOff() const {
        return startOdds == 1.0 && offBeatOdds == 1.0 &&
               (repeatOffBeatOdds < 0 || repeatOffBeatOdds == 1.0);
    }
    constexpr bool keepsFigures() const { return repeatOffBeatOdds >= 0 && !isDefault(); }
};

struct SampleRequest {
    FrameSequence primer; // may have 0 steps: start from nothing
    FrameSequence future; // metre of the steps to generate (steps = how many)
    // The music right after the steps to generate, when they replace bars inside a song: a GAN
    // conditions its last bar on it (infill). Models that only look back ignore it.
    FrameSequence following;
    double temperature = 1.0;
    int topK = 0;      // at most the k most likely pitches may start in a step; 0 = off
    double topP = 1.0; // nucleus: candidate pitches limited to this share of the mass
    std::uint64_t seed = 1;
    int variations = 1; // sampled together in one batch
    // GAN: how much of a bar's noise carries into the next bar's, as the correlation of the two
    // (z_k = r z_(k-1) + sqrt(1 - r^2) e_k, so each bar's noise keeps its distribution): 0 =
    // fresh noise every bar, 1 = the same noise throughout. The generator's noise decides
    // most of a bar's texture, so fresh noise changes it from bar to bar (MuseGAN shares part
    // of its noise across bars for the same reason). Negative = kDefaultNoiseCarry (0.98,
    // chosen on JSB's valid split with GANs trained their full 20 minutes; 1 measured the same
    // on four-bar takes, and 0.98 lets a long take's texture move: docs/results.md). Other
    // kinds ignore it.
    double noiseCarry = -1;
    RhythmOdds rhythm;
    // How a take keeps to the key of the music before it (ml/KeyOdds.h): the odds of a new
    // note (for the LSTM and RNN a re-articulated held note counts as new) whose pitch class
    // lies outside the major scale (or its relative minor) holding the most note onsets of the
    // 16 beats before the step (the GAN: before the bar), primer and take alike, are multiplied
    // by this. Unlike constraints.scaleMask it follows the music from key to key and forbids
    // nothing. A composer's setting: on validation bars it helped one model of three
    // (docs/results.md, session 20), so no model chooses it. 1 or negative = off. The Markov
    // model does not read it.
    double outOfKeyOdds = -1;
    // A GAN with a harmony plan (ModelConfig::harmonyPlan): after the first bar, the next bar's
    // pitch-class profile follows the training bars its plan matched, as the training piece
    // goes on (true), instead of a new match to the bar just written (false). Which is closer
    // depends on the music, so each GAN chooses on validation (SamplingCalibration); other
    // kinds ignore it.
    bool harmonyProgressions = false;
    // A GAN with a harmony plan: how far the profile asked of the next bar is pushed past the
    // bar just written, toward the plan's (neural/GanHarmonyPlan.h, guideProfile): 1 = the
    // plan's own, 1.5 = half as far again. Its generator follows the profile only part of the
    // way (the built-in GAN's bars changed their pitch classes from bar to bar by 0.17 against
    // the chorales' 0.25), so each GAN chooses on validation (SamplingCalibration); negative =
    // 1. Other kinds ignore it.
    double harmonyGuidance = -1;
    // A GAN's decoding: the odds of a pitch that sounds at the step before to go on sounding
    // are multiplied by this (neural/GanBars.h, BarDecoding::holdOdds); negative = the
    // decoding's own (10). How long the notes come out depends on how the generator was
    // trained, so each GAN chooses on validation (SamplingCalibration); other kinds ignore it.
    double holdOdds = -1;
    // A GAN's decoding: a note it starts sounds on for at least this many steps, whatever the
    // generator's probabilities after its first step (neural/GanBars.h,
    // BarDecoding::shortestNote); 0 or 1 = any length. The generator spreads a passing voice
    // thinly over several steps, and read one step at a time its notes of one step drop
    // pitch classes a bar's harmony holds (docs/results.md, session 34), so each GAN chooses
    // on validation (SamplingCalibration); other kinds ignore it. kShortestNoteOfPrimer: each
    // take's is the primer's (neural/GanBars.h, primerShortestNote).
    int shortestNote = 0;
    SampleConstraints constraints;
};
// SampleRequest::shortestNote for a take whose shortest note is its primer's last bar's, up to
// a beat, any length where that bar finishes no note. A chorale keeps its pace: after a bar whose
// shortest note is 3 steps or longer the next four bars hold 81-88% notes of 3 steps or more,
// after a bar with sixteenths 56% (JSB's train and valid splits); one shortest note for every
// take gave the built-in GAN's takes 0.63-0.67 whatever the primer (docs/results.md, session 36).
constexpr int kShortestNoteOfPrimer = -1;
// SampleRequest::noiseCarry when a request leaves it to the model.
constexpr double kDefaultNoiseCarry = 0.98;
// The rhythm odds an LSTM's or RNN's training tries on its validation files (calibrateSampling):
// the best of those tried on the validation bars of two corpora, JSB and simutrans
// (docs/results.md, session 19).
constexpr RhythmOdds kRhythmOddsTried{1.2, 0.7};
// kRhythmOddsTried with a repeating figure kept (RhythmOdds::repeatOffBeatOdds), the choice
// after it: of 0.05-0.3 tried on simutrans' training windows, 0.1 came closest (session 26).
constexpr RhythmOdds kFigureOddsTried{1.2, 0.7, 0.1};
constexpr RhythmOdds kRhythmOff{1.0, 1.0};

// What the model expects at each step of a sequence given the steps before it: the piano roll's
// probability overlay reads it. Row t is step t of the sequence the outlook was asked for.
struct PitchOutlook {
    int steps = 0; // 0: the model cannot say (the GAN has no per-step probabilities) or cancelled
    int pitches = 0;
    std::vector<float> sounding; // steps x pitches: p(the pitch sounds at t | steps < t)
    // steps x pitches: p(a note starts on the pitch at t | steps < t). Without onsets in the
    // representation a note starts where a pitch sounds after a step where it did not.
    std::vector<float> starting;
    int samples = 0; // 0: exact; else an average over this many draws of each step (NADE)
    float sound(int t, int p) const { return sounding[std::size_t(t) * pitches + p]; }
    float start(int t, int p) const { return starting[std::size_t(t) * pitches + p]; }
};

// A trained model. Thread-safe for concurrent const calls (each call keeps its own state).
class SequenceModel {
public:
    virtual ~SequenceModel() = default;
    virtual const ModelConfig& config() const = 0;
    const RepresentationConfig& representation() const { return config().representation; }
    // Model-specific payload for a checkpoint, and its inverse (in each model's own file).
    virtual std::string serialize() const = 0;
    // The payload without what only resuming training needs: the optimizer's state (Adam's two
    // moments, two thirds of a neural model's file). Sampling and evaluation read it as they
    // read serialize()'s; training resumed from it starts its optimizer afresh. This default,
    // for a model without one: serialize().
    virtual std::string serializeWithoutOptimizer() const { return serialize(); }
    // False for a model without a likelihood (the GAN): evaluate() then gives zeros, and
    // callers judge its music by the metrics of ml/MusicMetrics.h instead.
    virtual bool hasLikelihood() const { return true; }
    virtual NllResult evaluate(const FrameSequence& seq) const = 0;
    // The NLL terms of steps [from, steps) of each sequence given the steps before it: evaluate()
    // of the whole sequence less evaluate() of its first `from` steps (with from 0, evaluate()
    // itself). For scoring many candidates at once (ml/CandidateRanking.h): this default
    // evaluates each sequence twice; a model may score them all in one batch (the RNN/LSTM
    // models do, on their fast path, to float rounding). Empty if `cancel` was set.
    virtual std::vector<NllResult> evaluateFrom(const std::vector<FrameSequence>& seqs, int from,
                                                const std::atomic<bool>* cancel = nullptr) const;
    // The outlook of every step of `seq` (see PitchOutlook), computed in one teacher-forced pass.
    // This default says nothing (steps 0): the GAN writes whole bars. Empty if `cancel` was set.
    virtual PitchOutlook outlook(const FrameSequence& seq,
                                 const std::atomic<bool>* cancel = nullptr) const;
    // Generates request.future.steps steps after the primer, request.variations times. Returns
    // an empty vector if `cancel` was set.
    virtual std::vector<FrameSequence> sample(const SampleRequest& request,
                                              const std::atomic<bool>* cancel = nullptr) const = 0;
};

} // namespace torchestra::ml
