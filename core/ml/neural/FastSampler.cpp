#include "ml/neural/FastSampler.h"

#include "ml/KeyOdds.h"
#include "ml/SamplingConstraints.h"
#include "ml/Scales.h"
#include "ml/neural/FastRunner.h"
#include "ml/neural/PackedKernels.h"
#include "ml/neural/StepPool.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

namespace torchestra::ml::neural {

namespace {

// Uniform in [0, 1) from the top 53 bits: the same on every platform, unlike
// std::uniform_real_distribution.
inline double uniform(std::mt19937_64& rng) {
    return double(rng() >> 11) * 0x1.0p-53;
}

// Per-variation sampling state and scratch, preallocated before the step loop.
struct Variation {
    std::mt19937_64 rng;
    FrameSequence work; // primer + future, filled in as steps are generated
    std::vector<float> frameP, onsetP, startP, logits;
    std::vector<int> order;
    std::vector<char> candidate, prev;
    float startOffset = 0.f; // the step's log factor on the odds of a new note (rhythmOffset)
    std::array<int, 12> keyOnsets{}; // note onsets per pitch class in the key window (followKey)
    int tonic = -1;                  // the window's major scale; -1 while it holds no notes
    std::vector<float> keyOffset;    // per pitch: log outOfKeyOdds outside that scale, else 0
};

// log(odds), finite for odds of 0 (a new note that may not start there, in effect).
float logOdds(double odds) {
    return float(std::log(std::max(odds, 1e-9)));
}

// Which pitches may start (topK / nucleus): those with the highest start probability.
void chooseCandidates(Variation& v, int P, int topK, double topP) {
    std::fill(v.candidate.begin(), v.candidate.end(), 1);
    if (topK <= 0 && topP >= 1.0)
        return;
    v.order.clear();
    double total = 0;
    for (int p = 0; p < P; ++p) {
        if (v.startP[std::size_t(p)] > 0) {
            v.order.push_back(p);
            total += v.startP[std::size_t(p)];
        }
    }
    std::stable_sort(v.order.begin(), v.order.end(), [&](int a, int b) {
        return v.startP[std::size_t(a)] > v.startP[std::size_t(b)];
    });
    std::fill(v.candidate.begin(), v.candidate.end(), 0);
    double cum = 0;
    int kept = 0;
    for (int p : v.order) {
        if (topK > 0 && kept >= topK)
            break;
        if (topP < 1.0 && kept > 0 && cum >= topP * total)
            break;
        v.candidate[std::size_t(p)] = 1;
        cum += v.startP[std::size_t(p)];
        ++kept;
    }
}

// One sampleFast call. Per step and variation, in this order (the random draws of a seed must
// not move): onset odds of held pitches, frame probabilities, the top-k / nucleus filter on
// starts, the frame draw (independent: every pitch, then the polyphony cap; NADE: low to high,
// stopping at the cap), one onset draw per pitch, then the velocity bin.
class FastSampler {
public:
    FastSampler(const FastWeights& w, const ModelConfig& config, const SampleRequest& request)
        : m_w(w), m_rep(config.representation), m_request(request),
          m_constraints(config.representation, request.constraints),
          m_pitches(config.representation.pitches()), m_variations(std::max(1, request.variations)),
          m_primerSteps(request.primer.steps), m_futureSteps(request.future.steps),
          m_invT(float(1.0 / std::max(1e-3, request.temperature))),
          m_nade(w.head == HeadKind::Autoregressive),
          m_filterStarts(request.topK > 0 || request.topP < 1.0),
          m_rhythm(request.rhythm.isDefault() ? kRhythmOff : request.rhythm),
          m_keepRhythm(!m_rhythm.isOff()), m_keepKey(keyOddsInEffect(request.outOfKeyOdds)),
          m_logKeyOdds(m_keepKey ? logOdds(request.outOfKeyOdds) : 0.f) {}

    std::vector<FrameSequence> run(const std::atomic<bool>* cancel);

private:
    static constexpr int kGroupRows = 16; // variations per group when two threads share a batch

    bool runPrimer(const Variation& var, std::vector<float>& state,
                   const std::atomic<bool>* cancel) const;
    bool runRows(std::vector<Variation>& vars, int first, int rows, const std::atomic<bool>* cancel,
                 bool useHelperThread, const std::vector<float>& primed) const;
    void initVariation(Variation& var, int v) const;
    void sampleStep(FastRunner& runner, Variation& var, int v, int s) const;
    float rhythmOffset(const FrameSequence& work, int s) const;
    void followKey(Variation& var, int s) const;
    // What the constraints' density, the rhythm and the key add to pitch p's sounding logit:
    // nothing for a pitch that sounds in the step before (it is held; its restart is the onset
    // head's, which adds the same to the onset logit).
    float startOffset(const Variation& var, int p) const {
        return var.prev[std::size_t(p)] ? m_constraints.logitOffset(true)
                                        : m_constraints.logitOffset(false) + var.startOffset +
                                              var.keyOffset[std::size_t(p)];
    }
    void onsetProbabilities(FastRunner& runner, Variation& var, int v) const;
    void frameProbabilities(FastRunner& runner, Variation& var, int v) const;
    void restrictStarts(Variation& var) const;
    void drawIndependent(Variation& var, std::uint8_t* frameOut) const;
    void drawNade(FastRunner& runner, Variation& var, int v, std::uint8_t* frameOut) const;
    bool drawOnsets(Variation& var, int s, const std::uint8_t* frameOut) const;
    std::uint8_t drawVelocity(FastRunner& runner, Variation& var, int v) const;

    const FastWeights& m_w;
    const RepresentationConfig& m_rep;
    const SampleRequest& m_request;
    const SamplingConstraints m_constraints;
    const int m_pitches;
    const int m_variations;
    const int m_primerSteps;
    const int m_futureSteps;
    const float m_invT; // 1 / temperature
    const bool m_nade;
    const bool m_filterStarts; // top-k or nucleus in effect
    const RhythmOdds m_rhythm;
    const bool m_keepRhythm; // m_rhythm weighs anything
    const bool m_keepKey;    // the request's outOfKeyOdds weighs anything
    const float m_logKeyOdds;
};

std::vector<FrameSequence> FastSampler::run(const std::atomic<bool>* cancel) {
    const int V = m_variations;
    std::vector<Variation> vars;
    vars.resize(std::size_t(V));
    for (int v = 0; v < V; ++v)
        initVariation(vars[std::size_t(v)], v);

    // A large batch is shared with the helper thread (when two threads are set) in groups of
    // variations, each on a runner of its own: see runInGroups. Each row's bits are the same
    // in any batch, so the groups change nothing but the time.
    // Every variation starts from the same primer: run it once, at batch 1.
    std::vector<float> primed;
    if (V > 1 && m_primerSteps > 0 && !runPrimer(vars.front(), primed, cancel))
        return {};
    std::atomic<bool> cancelled{false};
    runInGroups(V, kGroupRows, fastInferenceThreads() >= 2, [&](int first, int rows) {
        if (!runRows(vars, first, rows, cancel, rows == V, primed))
            cancelled.store(true);
    });
    if (cancelled.load())
        return {};

    std::vector<FrameSequence> out;
    out.reserve(std::size_t(V));
    for (Variation& var : vars) {
        FrameSequence seq = var.work.slice(m_primerSteps, m_futureSteps);
        if (!m_rep.onsets)
            seq.onset.clear();
        seq.source.clear();
        out.push_back(std::move(seq));
    }
    return out;
}

// The primer's steps at batch 1; `state` is the runner's state after them. False if cancelled.
bool FastSampler::runPrimer(const Variation& var, std::vector<float>& state,
                            const std::atomic<bool>* cancel) const {
    FastRunner runner(m_w, 1, true);
    std::vector<float> x(std::size_t(m_w.input));
    for (int s = 0; s < m_primerSteps; ++s) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        buildInput(var.work, s - 1, m_rep, x.data());
        runner.step(x.data(), false);
    }
    state = runner.rowState(0);
    return true;
}

// Runs variations [first, first + rows) through every step on one runner, from the state after
// the primer when `primed` holds it; false if cancelled.
bool FastSampler::runRows(std::vector<Variation>& vars, int first, int rows,
                          const std::atomic<bool>* cancel, bool useHelperThread,
                          const std::vector<float>& primed) const {
    const int I = m_w.input;
    const int total = m_primerSteps + m_futureSteps;
    FastRunner runner(m_w, rows, useHelperThread);
    if (!primed.empty())
        runner.setEveryRow(primed);
    std::vector<float> x(std::size_t(rows) * I);
    for (int s = primed.empty() ? 0 : m_primerSteps; s < total; ++s) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        for (int r = 0; r < rows; ++r)
            buildInput(vars[std::size_t(first + r)].work, s - 1, m_rep,
                       x.data() + std::size_t(r) * I);
        runner.step(x.data(), s >= m_primerSteps);
        if (s < m_primerSteps)
            continue;
        for (int r = 0; r < rows; ++r)
            sampleStep(runner, vars[std::size_t(first + r)], r, s);
    }
    return true;
}

// Seeds variation v and copies the primer and the future's metre into its work sequence.
void FastSampler::initVariation(Variation& var, int v) const {
    const int P = m_pitches;
    const int T0 = m_primerSteps;
    var.rng.seed(m_request.seed + std::uint64_t(v));
    FrameSequence& work = var.work;
    work.resize(T0 + m_futureSteps, P, m_rep.onsets);
    const FrameSequence& pr = m_request.primer;
    for (int t = 0; t < T0; ++t) {
        for (int p = 0; p < P; ++p) {
            work.sounding[std::size_t(t) * P + p] = pr.sounds(t, p);
            if (m_rep.onsets)
                work.onset[std::size_t(t) * P + p] = pr.starts(t, p);
        }
        if (std::size_t(t) < pr.velocityBin.size())
            work.velocityBin[std::size_t(t)] = pr.velocityBin[std::size_t(t)];
        if (std::size_t(t) < pr.stepInBeat.size())
            work.stepInBeat[std::size_t(t)] = pr.stepInBeat[std::size_t(t)];
        if (std::size_t(t) < pr.beatInBar.size())
            work.beatInBar[std::size_t(t)] = pr.beatInBar[std::size_t(t)];
    }
    const FrameSequence& fu = m_request.future;
    for (int t = 0; t < m_futureSteps; ++t) {
        if (std::size_t(t) < fu.stepInBeat.size())
            work.stepInBeat[std::size_t(T0 + t)] = fu.stepInBeat[std::size_t(t)];
        if (std::size_t(t) < fu.beatInBar.size())
            work.beatInBar[std::size_t(T0 + t)] = fu.beatInBar[std::size_t(t)];
    }
    var.frameP.assign(std::size_t(P), 0.f);
    var.onsetP.assign(std::size_t(P), 0.f);
    var.startP.assign(std::size_t(P), 0.f);
    var.logits.assign(std::size_t(std::max(P, m_w.velocityBins)), 0.f);
    var.order.reserve(std::size_t(P));
    var.candidate.assign(std::size_t(P), 1);
    var.prev.assign(std::size_t(P), 0);
    var.keyOffset.assign(std::size_t(P), 0.f);
}

// Generates step s of variation v from the runner's heads (already stepped).
void FastSampler::sampleStep(FastRunner& runner, Variation& var, int v, int s) const {
    const int P = m_pitches;
    FrameSequence& work = var.work;
    std::uint8_t* frameOut = work.sounding.data() + std::size_t(s) * P;
    for (int p = 0; p < P; ++p)
        var.prev[std::size_t(p)] = s > 0 ? work.sounds(s - 1, p) : 0;
    var.startOffset = m_keepRhythm ? rhythmOffset(work, s) : 0.f;
    if (m_keepKey)
        followKey(var, s);

    if (m_w.onsets)
        onsetProbabilities(runner, var, v);
    frameProbabilities(runner, var, v);
    if (m_filterStarts)
        restrictStarts(var);
    if (!m_nade)
        drawIndependent(var, frameOut);
    else
        drawNade(runner, var, v, frameOut);
    const bool anyOnset = drawOnsets(var, s, frameOut);
    work.velocityBin[std::size_t(s)] =
        m_w.velocity && anyOnset ? drawVelocity(runner, var, v) : kNoVelocity;
}

// The rhythm of the bar before (SampleRequest::rhythm): the log factor on the odds of a note
// starting at step s, from whether any note started one bar back (lookbackStep: the same place
// in the bar before; none before the take's second bar without a primer), and where none did,
// whether the music before repeats its figure (RhythmOdds::repeatOffBeatOdds).
float FastSampler::rhythmOffset(const FrameSequence& work, int s) const {
    const int back = lookbackStep(work, s, m_rep);
    if (back < 0)
        return 0.f;
    if (work.startsAny(back))
        return logOdds(m_rhythm.startOdds);
    const bool keepFigure = m_rhythm.keepsFigures() && figureRepeats(work, s, back);
    return logOdds(keepFigure ? m_rhythm.repeatOffBeatOdds : m_rhythm.offBeatOdds);
}

// The key of the music before step s (SampleRequest::outOfKeyOdds, ml/KeyOdds.h): onsets per
// pitch class over the window before it, counted afresh at the take's first step and then kept
// by adding the step that enters the window and removing the one that leaves it.
void FastSampler::followKey(Variation& var, int s) const {
    const int window = kKeyWindowBeats * m_rep.stepsPerBeat;
    if (s == m_primerSteps) {
        for (int t = std::max(0, s - window); t < s; ++t)
            countStepOnsets(var.work, t, m_rep.lowPitch, 1, var.keyOnsets);
    } else {
        countStepOnsets(var.work, s - 1, m_rep.lowPitch, 1, var.keyOnsets);
        if (s - 1 - window >= 0)
            countStepOnsets(var.work, s - 1 - window, m_rep.lowPitch, -1, var.keyOnsets);
    }
    const int tonic = bestMajorScale(var.keyOnsets, var.tonic);
    if (tonic == var.tonic)
        return;
    var.tonic = tonic;
    for (int p = 0; p < m_pitches; ++p)
        var.keyOffset[std::size_t(p)] = outsideKey(tonic, m_rep.lowPitch, p) ? m_logKeyOdds : 0.f;
}

// Onset odds for held pitches (re-articulation), independent given h_t. (The sigmoids over all
// pitches at once, 8 lanes at a time.)
void FastSampler::onsetProbabilities(FastRunner& runner, Variation& var, int v) const {
    const int P = m_pitches;
    runner.onsetLogits(v, var.logits.data());
    for (int p = 0; p < P; ++p)
        var.onsetP[std::size_t(p)] = var.logits[std::size_t(p)] * m_invT +
                                     m_constraints.logitOffset(false) + var.startOffset +
                                     var.keyOffset[std::size_t(p)];
    sigmoidInPlace(var.onsetP.data(), P);
}

// Independent head: every pitch's sounding probability, 0 where the constraints forbid it.
// NADE: starts the pass, and with a start filter computes each pitch's probability given that
// none below it sounds (the NADE's first pass) for the candidate choice.
void FastSampler::frameProbabilities(FastRunner& runner, Variation& var, int v) const {
    const int P = m_pitches;
    if (!m_nade) {
        runner.frameLogits(v, var.logits.data());
        for (int p = 0; p < P; ++p)
            var.frameP[std::size_t(p)] = var.logits[std::size_t(p)] * m_invT + startOffset(var, p);
        sigmoidInPlace(var.frameP.data(), P);
        for (int p = 0; p < P; ++p)
            if (!m_constraints.allows(p))
                var.frameP[std::size_t(p)] = 0.f;
        return;
    }
    runner.nadeBegin(v);
    if (!m_filterStarts)
        return;
    for (int p = 0; p < P; ++p)
        var.frameP[std::size_t(p)] =
            m_constraints.allows(p)
                ? sigmoidScalar(runner.nadeLogit(v, p) * m_invT + startOffset(var, p))
                : 0.f;
}

// Top-k / nucleus over the start probabilities: a pitch outside the candidates may be held but
// not restarted, and (independent head) may not start.
void FastSampler::restrictStarts(Variation& var) const {
    const int P = m_pitches;
    for (int p = 0; p < P; ++p) {
        const float fp = var.frameP[std::size_t(p)];
        var.startP[std::size_t(p)] =
            var.prev[std::size_t(p)] ? (m_w.onsets ? fp * var.onsetP[std::size_t(p)] : 0.f) : fp;
    }
    chooseCandidates(var, P, m_request.topK, m_request.topP);
    for (int p = 0; p < P; ++p) {
        if (var.candidate[std::size_t(p)])
            continue;
        if (var.prev[std::size_t(p)])
            var.onsetP[std::size_t(p)] = 0.f; // may be held, not restarted
        else if (!m_nade)
            var.frameP[std::size_t(p)] = 0.f; // may not start
    }
}

void FastSampler::drawIndependent(Variation& var, std::uint8_t* frameOut) const {
    int count = 0;
    for (int p = 0; p < m_pitches; ++p) {
        const bool on = uniform(var.rng) < double(var.frameP[std::size_t(p)]);
        frameOut[p] = on ? 1 : 0;
        count += on;
    }
    m_constraints.capPolyphony(frameOut, count, var.frameP.data(), var.order);
}

// Low to high, each pitch given those below it; pitches the constraints or the candidate
// filter rule out are skipped without a draw.
void FastSampler::drawNade(FastRunner& runner, Variation& var, int v,
                           std::uint8_t* frameOut) const {
    int count = 0;
    for (int p = 0; p < m_pitches; ++p) {
        frameOut[p] = 0;
        const bool prev = var.prev[std::size_t(p)];
        if (!m_constraints.mayAdd(p, count) || (!prev && !var.candidate[std::size_t(p)]))
            continue;
        const float z = runner.nadeLogit(v, p) * m_invT + startOffset(var, p);
        if (uniform(var.rng) < double(sigmoidScalar(z))) {
            frameOut[p] = 1;
            runner.nadeSet(v, p);
            ++count;
        }
    }
}

// One draw per pitch (whether or not it sounds): a sounding pitch starts if it was silent or,
// with an onset head, if it is re-articulated. Returns whether anything starts.
bool FastSampler::drawOnsets(Variation& var, int s, const std::uint8_t* frameOut) const {
    const int P = m_pitches;
    bool anyOnset = false;
    for (int p = 0; p < P; ++p) {
        const double u = uniform(var.rng);
        bool start = false;
        if (frameOut[p])
            start =
                !var.prev[std::size_t(p)] || (m_w.onsets && u < double(var.onsetP[std::size_t(p)]));
        if (m_rep.onsets)
            var.work.onset[std::size_t(s) * P + p] = start ? 1 : 0;
        anyOnset = anyOnset || start;
    }
    return anyOnset;
}

// The velocity bin from the softmax of its logits at the temperature.
std::uint8_t FastSampler::drawVelocity(FastRunner& runner, Variation& var, int v) const {
    const int VB = m_w.velocityBins;
    runner.velocityLogits(v, var.logits.data());
    float mx = var.logits[0] * m_invT;
    for (int k = 1; k < VB; ++k)
        mx = std::max(mx, var.logits[std::size_t(k)] * m_invT);
    double sum = 0;
    for (int k = 0; k < VB; ++k)
        sum += std::exp(double(var.logits[std::size_t(k)] * m_invT - mx));
    const double u = uniform(var.rng) * sum;
    double cum = 0;
    std::uint8_t bin = std::uint8_t(VB - 1);
    for (int k = 0; k < VB; ++k) {
        cum += std::exp(double(var.logits[std::size_t(k)] * m_invT - mx));
        if (u < cum) {
            bin = std::uint8_t(k);
            break;
        }
    }
    return bin;
}

} // namespace

std::vector<FrameSequence> sampleFast(const FastWeights& w, const ModelConfig& config,
                                      const SampleRequest& request,
                                      const std::atomic<bool>* cancel) {
    return FastSampler(w, config, request).run(cancel);
}

} // namespace torchestra::ml::neural
