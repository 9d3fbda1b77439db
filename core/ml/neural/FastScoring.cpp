#include "ml/neural/FastScoring.h"

#include "ml/neural/FastRunner.h"
#include "ml/neural/StepPool.h"

#include <algorithm>
#include <cmath>

namespace torchestra::ml::neural {

namespace {

constexpr int kGroupRows = 16; // sequences per group when two threads share the batch

// -log p(y) for a Bernoulli with logit z, in the stable form torch's
// binary_cross_entropy_with_logits uses.
double bce(float z, bool y) {
    const double v = z;
    return std::max(v, 0.0) - (y ? v : 0.0) + std::log1p(std::exp(-std::abs(v)));
}

struct StepTerms {
    double frame = 0, onset = 0, velocity = 0;
};

class Scorer {
public:
    Scorer(const FastWeights& w, const RepresentationConfig& rep) : m_w(w), m_rep(rep) {}

    // How many steps before `from` have the same input in every sequence (a shared primer),
    // run once at batch 1; `state` is the runner's state after them. -1 if cancelled.
    int sharedSteps(const std::vector<FrameSequence>& seqs, int from, std::vector<float>& state,
                    const std::atomic<bool>* cancel) const;
    // Sequences [first, first + rows) through every step from `start` (from `state`) on one
    // runner, their terms into out[first..]; false if cancelled.
    bool runRows(const std::vector<FrameSequence>& seqs, int from, int first, int rows,
                 std::vector<NllResult>& out, const std::atomic<bool>* cancel, int start,
                 const std::vector<float>& state) const;

private:
    StepTerms terms(FastRunner& runner, int r, const FrameSequence& seq, int t,
                    std::vector<float>& logits) const;

    const FastWeights& m_w;
    const RepresentationConfig& m_rep;
};

int Scorer::sharedSteps(const std::vector<FrameSequence>& seqs, int from, std::vector<float>& state,
                        const std::atomic<bool>* cancel) const {
    int limit = seqs.size() < 2 ? 0 : from;
    for (const FrameSequence& seq : seqs)
        limit = std::min(limit, seq.steps);
    if (limit <= 0)
        return 0;
    FastRunner runner(m_w, 1, true);
    std::vector<float> x(std::size_t(m_w.input)), other(x.size());
    int t = 0;
    for (; t < limit; ++t) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return -1;
        buildInput(seqs[0], t - 1, m_rep, x.data());
        bool same = true;
        for (std::size_t i = 1; i < seqs.size() && same; ++i) {
            buildInput(seqs[i], t - 1, m_rep, other.data());
            same = other == x;
        }
        if (!same)
            break;
        runner.step(x.data(), false);
    }
    state = runner.rowState(0);
    return t;
}

bool Scorer::runRows(const std::vector<FrameSequence>& seqs, int from, int first, int rows,
                     std::vector<NllResult>& out, const std::atomic<bool>* cancel, int start,
                     const std::vector<float>& state) const {
    const int I = m_w.input;
    int steps = 0;
    for (int r = 0; r < rows; ++r)
        steps = std::max(steps, seqs[std::size_t(first + r)].steps);
    FastRunner runner(m_w, rows, rows == int(seqs.size()));
    if (start > 0)
        runner.setEveryRow(state);
    std::vector<float> x(std::size_t(rows) * I);
    std::vector<float> logits(std::size_t(std::max(m_w.pitches, m_w.velocityBins)));
    for (int t = start; t < steps; ++t) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        for (int r = 0; r < rows; ++r) {
            const FrameSequence& seq = seqs[std::size_t(first + r)];
            float* xr = x.data() + std::size_t(r) * I;
            if (t < seq.steps)
                buildInput(seq, t - 1, m_rep, xr);
            else
                std::fill(xr, xr + I, 0.f); // past its end: nothing of it is scored
        }
        runner.step(x.data(), t >= from);
        if (t < from)
            continue;
        for (int r = 0; r < rows; ++r) {
            const FrameSequence& seq = seqs[std::size_t(first + r)];
            if (t >= seq.steps)
                continue;
            const StepTerms s = terms(runner, r, seq, t, logits);
            NllResult& o = out[std::size_t(first + r)];
            if (t == 0) {
                o.firstFrame += s.frame; // evaluate() scores only the frame of step 0
                continue;
            }
            o.frameSum += s.frame;
            o.onsetSum += s.onset;
            o.velocitySum += s.velocity;
        }
    }
    return true;
}

// Step t's terms for row r, the runner having just stepped on t's input: the frame given the
// steps before (NADE: each pitch given the lower ones, teacher-forced), each sounding pitch's
// onset, and the velocity bin where one is known.
StepTerms Scorer::terms(FastRunner& runner, int r, const FrameSequence& seq, int t,
                        std::vector<float>& logits) const {
    const int P = m_w.pitches;
    StepTerms out;
    if (m_w.head == HeadKind::Independent) {
        runner.frameLogits(r, logits.data());
        for (int p = 0; p < P; ++p)
            out.frame += bce(logits[std::size_t(p)], seq.sounds(t, p));
    } else {
        runner.nadeBegin(r);
        for (int p = 0; p < P; ++p) {
            const bool on = seq.sounds(t, p);
            out.frame += bce(runner.nadeLogit(r, p), on);
            if (on)
                runner.nadeSet(r, p);
        }
    }
    if (m_w.onsets && m_rep.onsets && !seq.onset.empty()) {
        runner.onsetLogits(r, logits.data());
        for (int p = 0; p < P; ++p)
            if (seq.sounds(t, p))
                out.onset += bce(logits[std::size_t(p)], seq.onset[std::size_t(t) * P + p] != 0);
    }
    const int VB = m_w.velocityBins;
    if (m_w.velocity && std::size_t(t) < seq.velocityBin.size()) {
        const std::uint8_t v = seq.velocityBin[std::size_t(t)];
        if (v != kNoVelocity && v < VB) {
            runner.velocityLogits(r, logits.data());
            const float mx = *std::max_element(logits.begin(), logits.begin() + VB);
            double sum = 0;
            for (int k = 0; k < VB; ++k)
                sum += std::exp(double(logits[std::size_t(k)] - mx));
            out.velocity = double(mx) + std::log(sum) - double(logits[v]);
        }
    }
    return out;
}

} // namespace

std::vector<NllResult> fastNllFrom(const FastWeights& weights, const RepresentationConfig& rep,
                                   const std::vector<FrameSequence>& seqs, int from,
                                   const std::atomic<bool>* cancel) {
    from = std::max(0, from);
    std::vector<NllResult> out(seqs.size());
    const Scorer scorer(weights, rep);
    std::vector<float> state;
    const int start = scorer.sharedSteps(seqs, from, state, cancel);
    if (start < 0)
        return {};
    std::atomic<bool> cancelled{false};
    runInGroups(int(seqs.size()), kGroupRows, fastInferenceThreads() >= 2,
                [&](int first, int rows) {
                    if (!scorer.runRows(seqs, from, first, rows, out, cancel, start, state))
                        cancelled.store(true);
                });
    if (cancelled.load())
        return {};
    for (std::size_t i = 0; i < seqs.size(); ++i)
        out[i].frameSteps = std::max(0, seqs[i].steps - std::max(1, from));
    return out;
}

} // namespace torchestra::ml::neural
