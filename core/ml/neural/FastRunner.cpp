#include "ml/neural/FastRunner.h"

#include "ml/neural/PackedKernels.h"
#include "ml/neural/StepPool.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

namespace torchestra::ml::neural {

namespace {

std::atomic<int> g_threads{1};

constexpr int kStale = 1 << 30; // m_nadeFrom: no NADE logit is current

} // namespace

void setFastInferenceThreads(int threads) {
    g_threads.store(std::max(1, threads));
}

int fastInferenceThreads() {
    return g_threads.load();
}

FastRunner::FastRunner(const FastWeights& weights, int batch, bool useHelperThread)
    : m_w(weights), m_p(weights.packed.get(weights)), m_batch(batch) {
    const int H = m_w.hidden;
    m_h.assign(std::size_t(m_w.layers) * batch * H, 0.f);
    m_hNew.assign(m_h.size(), 0.f);
    m_c.assign(std::size_t(m_w.layers) * batch * H, 0.f);
    m_gates.assign(std::size_t(batch) * m_w.gates(), 0.f);
    m_tmp.assign(std::size_t(batch) * 2 * H, 0.f);
    m_heads.assign(std::size_t(batch) * m_p->headBias.size(), 0.f);
    m_a.assign(std::size_t(batch) * std::max(1, m_w.nadeHidden), 0.f);
    m_hn.assign(m_a.size(), 0.f);
    m_nadeLogits.assign(std::size_t(batch) * m_w.pitches, 0.f);
    m_nadeFrom.assign(std::size_t(batch), kStale);
    // Split the units in two (at a panel boundary) when it pays: 64+ units.
    m_split = H >= 64 ? (H / 2) & ~(kPanel - 1) : H;
    m_pooled =
        useHelperThread && m_split < H && g_threads.load() >= 2 && StepPool::instance().acquire();
}

FastRunner::~FastRunner() {
    if (m_pooled)
        StepPool::instance().release();
}

void FastRunner::reset() {
    std::fill(m_h.begin(), m_h.end(), 0.f);
    std::fill(m_c.begin(), m_c.end(), 0.f);
}

// Units [u0, u1) of layer m_layer for every batch row: their gate rows (one block per gate),
// then the cell update into m_hNew. Reads the full previous state; writes only its units.
void FastRunner::layerUnits(int u0, int u1) {
    const int l = m_layer;
    const int H = m_w.hidden;
    const int G = m_w.gates();
    const int n = u1 - u0;
    const bool lstm = m_w.kind == ModelKind::Lstm;
    const FastWeights::Layer& L = m_w.layer[std::size_t(l)];
    const float* hPrev = m_h.data() + std::size_t(l) * m_batch * H;
    float* hOut = m_hNew.data() + std::size_t(l) * m_batch * H;
    float* c = m_c.data() + std::size_t(l) * m_batch * H;
    const int blocks = lstm ? 4 : 1;
    for (int qi = 0; qi < blocks; ++qi) {
        const int q = m_reverse ? blocks - 1 - qi : qi;
        const int r0 = q * H + u0;
        float* g = m_gates.data() + r0;
        const PackedMatrix& W = m_p->layer[std::size_t(l)][std::size_t(q)];
        if (l == 0) {
            // Sparse frame input through W_ih^T, then the recurrent term on top.
            sparseInput(L.wT.data() + r0, G, n, L.in, m_x, m_w.input, m_batch, L.bias.data() + r0,
                        g, G);
            panelGemv(W, u0, u1, hPrev, H, m_batch, g, G, g, G, m_reverse);
        } else {
            const int ld = L.in + H;
            panelGemv(W, u0, u1, m_tmp.data(), ld, m_batch, L.bias.data() + r0, 0, g, G, m_reverse);
        }
    }
    for (int b = 0; b < m_batch; ++b) {
        float* g = m_gates.data() + std::size_t(b) * G;
        float* hb = hOut + std::size_t(b) * H;
        if (lstm) {
            lstmCell(g, H, c + std::size_t(b) * H, hb, u0, u1);
        } else {
            std::memcpy(hb + u0, g + u0, sizeof(float) * std::size_t(n));
            tanhInPlace(hb + u0, n);
        }
    }
}

void FastRunner::step(const float* x, bool withHeads) {
    const int H = m_w.hidden;
    m_x = x;
    // With the helper held: steps 2-3 alone and 4-7 split are timed; the split is kept only if
    // clearly faster and never stalls, and dropped (helper released) as soon as a split step
    // takes 4x a lone one. On a busy machine a descheduled helper would stall every barrier;
    // the bits are the same either way.
    const bool split = m_pooled && m_stepIndex >= 4;
    const auto t0 =
        m_pooled ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};

    for (int l = 0; l < m_w.layers; ++l) {
        m_layer = l;
        if (l > 0) {
            // [this step's output of the layer below ; this layer's previous output]
            const float* in = m_hNew.data() + std::size_t(l - 1) * m_batch * H;
            const float* hPrev = m_h.data() + std::size_t(l) * m_batch * H;
            for (int b = 0; b < m_batch; ++b) {
                float* row = m_tmp.data() + std::size_t(b) * 2 * H;
                std::memcpy(row, in + std::size_t(b) * H, sizeof(float) * std::size_t(H));
                std::memcpy(row + H, hPrev + std::size_t(b) * H, sizeof(float) * std::size_t(H));
            }
        }
        if (split) {
            StepPool::instance().run2(
                [](void* self, int half) {
                    auto* r = static_cast<FastRunner*>(self);
                    if (half == 0)
                        r->layerUnits(0, r->m_split);
                    else
                        r->layerUnits(r->m_split, r->m_w.hidden);
                },
                this);
        } else {
            layerUnits(0, H);
        }
    }
    m_h.swap(m_hNew);
    // One step streams ~3.2 MB of weights through a 2 MB L2; walking them in the opposite
    // order on the next step starts it on the lines the last one touched most recently. Worth
    // ~0.5 ms per 8 bars at batch 1 with the NADE head (3 back-to-back pairs, CPU time); the
    // order of independent rows changes no bits.
    m_reverse = !m_reverse;
    if (withHeads) {
        panelGemv(m_p->heads, 0, int(m_p->headBias.size()), hidden(0), H, m_batch,
                  m_p->headBias.data(), 0, m_heads.data(), int(m_p->headBias.size()));
        addHoldTerms();
    }

    if (m_pooled) {
        const double ns = double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - t0)
                                     .count());
        const int i = m_stepIndex++;
        if (i == 2 || i == 3)
            m_bestAlone = i == 2 ? ns : std::min(m_bestAlone, ns);
        if (split) {
            m_worstSplit = std::max(m_worstSplit, ns);
            m_bestSplit = i == 4 ? ns : std::min(m_bestSplit, ns);
        }
        const bool decide = i == 7;
        if ((decide && !(m_bestSplit < 0.8 * m_bestAlone && m_worstSplit < 2 * m_bestAlone)) ||
            (i >= 4 && split && ns > 4 * m_bestAlone)) {
            StepPool::instance().release();
            m_pooled = false;
        }
    }
}

// The hold path's per-pitch terms from this step's input (0/1 frames, so mostly skipped).
void FastRunner::addHoldTerms() {
    if (m_w.holdInputs == 0)
        return;
    const int P = m_w.pitches;
    const std::size_t stride = m_p->headBias.size();
    for (int b = 0; b < m_batch; ++b) {
        const float* x = m_x + std::size_t(b) * m_w.input;
        float* heads = m_heads.data() + std::size_t(b) * stride;
        for (int k = 0; k < m_w.holdInputs; ++k) {
            const std::size_t at = std::size_t(k) * P;
            const float* xk = x + at;
            const float* wf = m_w.holdFrame.data() + at;
            const float* wo = m_w.holdOnset.empty() ? nullptr : m_w.holdOnset.data() + at;
            for (int p = 0; p < P; ++p) {
                if (xk[p] == 0.f)
                    continue;
                heads[m_p->frameAt + p] += wf[p] * xk[p];
                if (wo)
                    heads[m_p->onsetAt + p] += wo[p] * xk[p];
            }
        }
    }
}

const float* FastRunner::hidden(int b) const {
    return m_h.data() + (std::size_t(m_w.layers - 1) * m_batch + b) * m_w.hidden;
}

std::vector<float> FastRunner::rowState(int b) const {
    const std::size_t H = std::size_t(m_w.hidden);
    std::vector<float> out;
    out.reserve(2 * std::size_t(m_w.layers) * H);
    for (const std::vector<float>* v : {&m_h, &m_c})
        for (int l = 0; l < m_w.layers; ++l) {
            const float* row = v->data() + (std::size_t(l) * m_batch + b) * H;
            out.insert(out.end(), row, row + H);
        }
    return out;
}

void FastRunner::setEveryRow(const std::vector<float>& state) {
    const std::size_t H = std::size_t(m_w.hidden);
    const float* from = state.data();
    for (std::vector<float>* v : {&m_h, &m_c})
        for (int l = 0; l < m_w.layers; ++l, from += H)
            for (int b = 0; b < m_batch; ++b)
                std::copy(from, from + H, v->data() + (std::size_t(l) * m_batch + b) * H);
}

const float* FastRunner::heads(int b) const {
    return m_heads.data() + std::size_t(b) * m_p->headBias.size();
}

void FastRunner::frameLogits(int b, float* out) const {
    std::memcpy(out, heads(b) + m_p->frameAt, sizeof(float) * std::size_t(m_w.pitches));
}

void FastRunner::onsetLogits(int b, float* out) const {
    std::memcpy(out, heads(b) + m_p->onsetAt, sizeof(float) * std::size_t(m_w.pitches));
}

void FastRunner::velocityLogits(int b, float* out) const {
    std::memcpy(out, heads(b) + m_p->velAt, sizeof(float) * std::size_t(m_w.velocityBins));
}

void FastRunner::nadeBegin(int b) {
    const int Hn = m_w.nadeHidden;
    std::memcpy(m_a.data() + std::size_t(b) * Hn, heads(b) + m_p->hidAt,
                sizeof(float) * std::size_t(Hn));
    m_nadeFrom[std::size_t(b)] = kStale;
}

// The logits of pitches from i (rounded down to a panel) to the last are computed in one pass
// over the packed V: when a is unchanged, the next pitches' logits are already there.
float FastRunner::nadeLogit(int b, int i) {
    const int Hn = m_w.nadeHidden;
    const int P = m_w.pitches;
    float* logits = m_nadeLogits.data() + std::size_t(b) * P;
    if (i < m_nadeFrom[std::size_t(b)]) {
        float* hn = m_hn.data() + std::size_t(b) * Hn;
        std::memcpy(hn, m_a.data() + std::size_t(b) * Hn, sizeof(float) * std::size_t(Hn));
        sigmoidInPlace(hn, Hn);
        const int i0 = i & ~(kPanel - 1);
        panelGemvOne(m_p->nadeV, i0, P, hn, heads(b) + m_p->frameAt + i0, logits + i0);
        m_nadeFrom[std::size_t(b)] = i0;
    }
    return logits[i];
}

void FastRunner::nadeSet(int b, int i) {
    const int Hn = m_w.nadeHidden;
    float* a = m_a.data() + std::size_t(b) * Hn;
    const float* wi = m_w.nadeW.data() + std::size_t(i) * Hn;
    for (int k = 0; k < Hn; ++k)
        a[k] += wi[k];
    m_nadeFrom[std::size_t(b)] = kStale;
}

void fastProbabilities(const FastWeights& w, const RepresentationConfig& rep,
                       const FrameSequence& seq, std::vector<float>& frame,
                       std::vector<float>& onset, std::vector<float>& velocity) {
    const int T = seq.steps;
    const int P = w.pitches;
    FastRunner runner(w, 1, true);
    std::vector<float> x(std::size_t(w.input));
    std::vector<float> logits(std::size_t(std::max(P, w.velocityBins)));
    frame.assign(std::size_t(T) * P, 0.f);
    onset.assign(w.onsets ? std::size_t(T) * P : 0, 0.f);
    velocity.assign(w.velocity ? std::size_t(T) * w.velocityBins : 0, 0.f);
    for (int t = 0; t < T; ++t) {
        buildInput(seq, t - 1, rep, x.data());
        runner.step(x.data());
        float* fr = frame.data() + std::size_t(t) * P;
        if (w.head == HeadKind::Independent) {
            runner.frameLogits(0, logits.data());
            for (int p = 0; p < P; ++p)
                fr[p] = sigmoidScalar(logits[std::size_t(p)]);
        } else {
            runner.nadeBegin(0);
            for (int p = 0; p < P; ++p) {
                fr[p] = sigmoidScalar(runner.nadeLogit(0, p));
                if (seq.sounds(t, p))
                    runner.nadeSet(0, p);
            }
        }
        if (w.onsets) {
            runner.onsetLogits(0, logits.data());
            for (int p = 0; p < P; ++p)
                onset[std::size_t(t) * P + p] = sigmoidScalar(logits[std::size_t(p)]);
        }
        if (w.velocity) {
            const int V = w.velocityBins;
            runner.velocityLogits(0, logits.data());
            const float mx = *std::max_element(logits.begin(), logits.begin() + V);
            double sum = 0;
            for (int k = 0; k < V; ++k)
                sum += std::exp(double(logits[std::size_t(k)] - mx));
            for (int k = 0; k < V; ++k)
                velocity[std::size_t(t) * V + k] =
                    float(std::exp(double(logits[std::size_t(k)] - mx)) / sum);
        }
    }
}

} // namespace torchestra::ml::neural
