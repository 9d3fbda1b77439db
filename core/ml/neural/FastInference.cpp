#include "ml/neural/FastInference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TORCHESTRA_X86 1
#endif

namespace torchestra::ml::neural {

namespace {

// y[b][r] = init[r] + W[r] . x[b] for rows r < rows, b < batch; W is rows x cols, row-major.
// Rows are done four at a time so each x chunk is loaded once for four rows, and all batch rows
// are done while a block of weights is hot in L1: the weights stream from memory once per step
// whatever the batch size. Each (r, b) is computed by the same instructions for any batch size.
void matvecGeneric(const float* w, int rows, int cols, const float* x, int ldx, int batch,
                   const float* init, float* y, int ldy) {
    for (int r = 0; r < rows; ++r) {
        const float* wr = w + std::size_t(r) * cols;
        for (int b = 0; b < batch; ++b) {
            const float* xb = x + std::size_t(b) * ldx;
            float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            int k = 0;
            for (; k + 8 <= cols; k += 8)
                for (int j = 0; j < 8; ++j)
                    acc[j] += wr[k + j] * xb[k + j];
            float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
            for (; k < cols; ++k)
                s += wr[k] * xb[k];
            y[std::size_t(b) * ldy + r] = (init ? init[r] : 0.f) + s;
        }
    }
}

#ifdef TORCHESTRA_X86
__attribute__((target("avx2,fma"))) inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 sh = _mm_movehdup_ps(lo);
    __m128 sums = _mm_add_ps(lo, sh);
    sh = _mm_movehl_ps(sh, sums);
    sums = _mm_add_ss(sums, sh);
    return _mm_cvtss_f32(sums);
}

__attribute__((target("avx2,fma"))) void matvecAvx2(const float* w, int rows, int cols,
                                                    const float* x, int ldx, int batch,
                                                    const float* init, float* y, int ldy) {
    const int vecCols = cols & ~7;
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float* w0 = w + std::size_t(r) * cols;
        const float* w1 = w0 + cols;
        const float* w2 = w1 + cols;
        const float* w3 = w2 + cols;
        for (int b = 0; b < batch; ++b) {
            const float* xb = x + std::size_t(b) * ldx;
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
            __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
            for (int k = 0; k < vecCols; k += 8) {
                const __m256 xv = _mm256_loadu_ps(xb + k);
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k), xv, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + k), xv, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + k), xv, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + k), xv, a3);
            }
            float s0 = hsum256(a0), s1 = hsum256(a1), s2 = hsum256(a2), s3 = hsum256(a3);
            for (int k = vecCols; k < cols; ++k) {
                s0 += w0[k] * xb[k];
                s1 += w1[k] * xb[k];
                s2 += w2[k] * xb[k];
                s3 += w3[k] * xb[k];
            }
            float* yb = y + std::size_t(b) * ldy + r;
            yb[0] = (init ? init[r] : 0.f) + s0;
            yb[1] = (init ? init[r + 1] : 0.f) + s1;
            yb[2] = (init ? init[r + 2] : 0.f) + s2;
            yb[3] = (init ? init[r + 3] : 0.f) + s3;
        }
    }
    for (; r < rows; ++r) {
        const float* w0 = w + std::size_t(r) * cols;
        for (int b = 0; b < batch; ++b) {
            const float* xb = x + std::size_t(b) * ldx;
            __m256 a0 = _mm256_setzero_ps();
            for (int k = 0; k < vecCols; k += 8)
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k), _mm256_loadu_ps(xb + k), a0);
            float s0 = hsum256(a0);
            for (int k = vecCols; k < cols; ++k)
                s0 += w0[k] * xb[k];
            y[std::size_t(b) * ldy + r] = (init ? init[r] : 0.f) + s0;
        }
    }
}

bool haveAvx2() {
    static const bool have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return have;
}
#endif

void matvec(const float* w, int rows, int cols, const float* x, int ldx, int batch,
            const float* init, float* y, int ldy) {
#ifdef TORCHESTRA_X86
    if (haveAvx2()) {
        matvecAvx2(w, rows, cols, x, ldx, batch, init, y, ldy);
        return;
    }
#endif
    matvecGeneric(w, rows, cols, x, ldx, batch, init, y, ldy);
}

inline float sigmoidf(float v) { return 1.f / (1.f + std::exp(-v)); }

// Uniform in [0, 1) from the top 53 bits: the same on every platform, unlike
// std::uniform_real_distribution.
inline double uniform(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

}  // namespace

FastRunner::FastRunner(const FastWeights& weights, int batch) : m_w(weights), m_batch(batch) {
    const int H = m_w.hidden;
    const std::size_t maxIn = std::size_t(std::max(m_w.input, H) + H);
    m_h.assign(std::size_t(m_w.layers) * batch * H, 0.f);
    m_c.assign(std::size_t(m_w.layers) * batch * H, 0.f);
    m_gates.assign(std::size_t(batch) * m_w.gates(), 0.f);
    m_tmp.assign(std::size_t(batch) * maxIn, 0.f);
    m_vis.assign(std::size_t(batch) * m_w.pitches, 0.f);
    m_a.assign(std::size_t(batch) * std::max(1, m_w.nadeHidden), 0.f);
    m_hn.assign(m_a.size(), 0.f);
    m_dirty.assign(std::size_t(batch), 1);
}

void FastRunner::reset() {
    std::fill(m_h.begin(), m_h.end(), 0.f);
    std::fill(m_c.begin(), m_c.end(), 0.f);
}

void FastRunner::step(const float* x) {
    const int H = m_w.hidden;
    const int G = m_w.gates();
    const bool lstm = m_w.kind == ModelKind::Lstm;
    for (int l = 0; l < m_w.layers; ++l) {
        const FastWeights::Layer& L = m_w.layer[std::size_t(l)];
        float* h = m_h.data() + std::size_t(l) * m_batch * H;
        float* c = m_c.data() + std::size_t(l) * m_batch * H;
        const float* in = l == 0 ? x : m_h.data() + std::size_t(l - 1) * m_batch * H;
        const int inLd = l == 0 ? m_w.input : H;
        const int ld = L.in + H;
        for (int b = 0; b < m_batch; ++b) {
            float* row = m_tmp.data() + std::size_t(b) * ld;
            std::memcpy(row, in + std::size_t(b) * inLd, sizeof(float) * std::size_t(L.in));
            std::memcpy(row + L.in, h + std::size_t(b) * H, sizeof(float) * std::size_t(H));
        }
        matvec(L.w.data(), G, ld, m_tmp.data(), ld, m_batch, L.bias.data(), m_gates.data(), G);
        for (int b = 0; b < m_batch; ++b) {
            const float* g = m_gates.data() + std::size_t(b) * G;
            float* hb = h + std::size_t(b) * H;
            if (lstm) {
                float* cb = c + std::size_t(b) * H;
                for (int j = 0; j < H; ++j) {
                    const float ig = sigmoidf(g[j]);
                    const float fg = sigmoidf(g[H + j]);
                    const float gg = std::tanh(g[2 * H + j]);
                    const float og = sigmoidf(g[3 * H + j]);
                    cb[j] = fg * cb[j] + ig * gg;
                    hb[j] = og * std::tanh(cb[j]);
                }
            } else {
                for (int j = 0; j < H; ++j)
                    hb[j] = std::tanh(g[j]);
            }
        }
    }
}

const float* FastRunner::hidden(int b) const {
    return m_h.data() + (std::size_t(m_w.layers - 1) * m_batch + b) * m_w.hidden;
}

void FastRunner::frameLogits(int b, float* out) const {
    matvec(m_w.frameW.data(), m_w.pitches, m_w.hidden, hidden(b), m_w.hidden, 1,
           m_w.frameB.data(), out, m_w.pitches);
}

void FastRunner::onsetLogits(int b, float* out) const {
    matvec(m_w.onsetW.data(), m_w.pitches, m_w.hidden, hidden(b), m_w.hidden, 1,
           m_w.onsetB.data(), out, m_w.pitches);
}

void FastRunner::velocityLogits(int b, float* out) const {
    matvec(m_w.velW.data(), m_w.velocityBins, m_w.hidden, hidden(b), m_w.hidden, 1,
           m_w.velB.data(), out, m_w.velocityBins);
}

void FastRunner::nadeBegin(int b) {
    const int P = m_w.pitches;
    const int Hn = m_w.nadeHidden;
    matvec(m_w.visW.data(), P, m_w.hidden, hidden(b), m_w.hidden, 1, m_w.visB.data(),
           m_vis.data() + std::size_t(b) * P, P);
    matvec(m_w.hidW.data(), Hn, m_w.hidden, hidden(b), m_w.hidden, 1, m_w.hidB.data(),
           m_a.data() + std::size_t(b) * Hn, Hn);
    m_dirty[std::size_t(b)] = 1;
}

float FastRunner::nadeLogit(int b, int i) {
    const int Hn = m_w.nadeHidden;
    float* hn = m_hn.data() + std::size_t(b) * Hn;
    if (m_dirty[std::size_t(b)]) {
        const float* a = m_a.data() + std::size_t(b) * Hn;
        for (int k = 0; k < Hn; ++k)
            hn[k] = sigmoidf(a[k]);
        m_dirty[std::size_t(b)] = 0;
    }
    float out = 0;
    matvec(m_w.nadeV.data() + std::size_t(i) * Hn, 1, Hn, hn, Hn, 1,
           m_vis.data() + std::size_t(b) * m_w.pitches + i, &out, 1);
    return out;
}

void FastRunner::nadeSet(int b, int i) {
    const int Hn = m_w.nadeHidden;
    float* a = m_a.data() + std::size_t(b) * Hn;
    const float* wi = m_w.nadeW.data() + std::size_t(i) * Hn;
    for (int k = 0; k < Hn; ++k)
        a[k] += wi[k];
    m_dirty[std::size_t(b)] = 1;
}

void fastProbabilities(const FastWeights& w, const RepresentationConfig& rep,
                       const FrameSequence& seq, std::vector<float>& frame,
                       std::vector<float>& onset, std::vector<float>& velocity) {
    const int T = seq.steps;
    const int P = w.pitches;
    FastRunner runner(w, 1);
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
                fr[p] = sigmoidf(logits[std::size_t(p)]);
        } else {
            runner.nadeBegin(0);
            for (int p = 0; p < P; ++p) {
                fr[p] = sigmoidf(runner.nadeLogit(0, p));
                if (seq.sounds(t, p))
                    runner.nadeSet(0, p);
            }
        }
        if (w.onsets) {
            runner.onsetLogits(0, logits.data());
            for (int p = 0; p < P; ++p)
                onset[std::size_t(t) * P + p] = sigmoidf(logits[std::size_t(p)]);
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

namespace {

// Per-variation sampling state and scratch, preallocated before the step loop.
struct Variation {
    std::mt19937_64 rng;
    FrameSequence work;  // primer + future, filled in as steps are generated
    std::vector<float> frameP, onsetP, startP, logits;
    std::vector<int> order;
    std::vector<char> candidate, prev;
};

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

}  // namespace

std::vector<FrameSequence> sampleFast(const FastWeights& w, const ModelConfig& config,
                                      const SampleRequest& request,
                                      const std::atomic<bool>* cancel) {
    const RepresentationConfig& rep = config.representation;
    const int P = rep.pitches();
    const int I = w.input;
    const int V = std::max(1, request.variations);
    const int T0 = request.primer.steps;
    const int N = request.future.steps;
    const int total = T0 + N;
    const SampleConstraints& c = request.constraints;
    const float invT = float(1.0 / std::max(1e-3, request.temperature));
    const float logDensity = float(std::log(std::max(1e-6, c.density)));
    const bool nade = w.head == HeadKind::Autoregressive;

    std::vector<char> allowed(std::size_t(P), 0);
    for (int p = 0; p < P; ++p) {
        const int pitch = rep.lowPitch + p;
        allowed[std::size_t(p)] = pitch >= c.lowPitch && pitch <= c.highPitch &&
                                  ((c.scaleMask >> (pitch % 12)) & 1u);
    }

    std::vector<Variation> vars;
    vars.resize(std::size_t(V));
    for (int v = 0; v < V; ++v) {
        Variation& var = vars[std::size_t(v)];
        var.rng.seed(request.seed + std::uint64_t(v));
        FrameSequence& work = var.work;
        work.resize(total, P, rep.onsets);
        const FrameSequence& pr = request.primer;
        for (int t = 0; t < T0; ++t) {
            for (int p = 0; p < P; ++p) {
                work.sounding[std::size_t(t) * P + p] = pr.sounds(t, p);
                if (rep.onsets)
                    work.onset[std::size_t(t) * P + p] = pr.starts(t, p);
            }
            if (std::size_t(t) < pr.velocityBin.size())
                work.velocityBin[std::size_t(t)] = pr.velocityBin[std::size_t(t)];
            if (std::size_t(t) < pr.stepInBeat.size())
                work.stepInBeat[std::size_t(t)] = pr.stepInBeat[std::size_t(t)];
            if (std::size_t(t) < pr.beatInBar.size())
                work.beatInBar[std::size_t(t)] = pr.beatInBar[std::size_t(t)];
        }
        const FrameSequence& fu = request.future;
        for (int t = 0; t < N; ++t) {
            if (std::size_t(t) < fu.stepInBeat.size())
                work.stepInBeat[std::size_t(T0 + t)] = fu.stepInBeat[std::size_t(t)];
            if (std::size_t(t) < fu.beatInBar.size())
                work.beatInBar[std::size_t(T0 + t)] = fu.beatInBar[std::size_t(t)];
        }
        var.frameP.assign(std::size_t(P), 0.f);
        var.onsetP.assign(std::size_t(P), 0.f);
        var.startP.assign(std::size_t(P), 0.f);
        var.logits.assign(std::size_t(std::max(P, w.velocityBins)), 0.f);
        var.order.reserve(std::size_t(P));
        var.candidate.assign(std::size_t(P), 1);
        var.prev.assign(std::size_t(P), 0);
    }

    FastRunner runner(w, V);
    std::vector<float> x(std::size_t(V) * I);
    const bool filterStarts = request.topK > 0 || request.topP < 1.0;

    for (int s = 0; s < total; ++s) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return {};
        for (int v = 0; v < V; ++v)
            buildInput(vars[std::size_t(v)].work, s - 1, rep, x.data() + std::size_t(v) * I);
        runner.step(x.data());
        if (s < T0)
            continue;

        for (int v = 0; v < V; ++v) {
            Variation& var = vars[std::size_t(v)];
            FrameSequence& work = var.work;
            std::uint8_t* frameOut = work.sounding.data() + std::size_t(s) * P;
            for (int p = 0; p < P; ++p)
                var.prev[std::size_t(p)] = s > 0 ? work.sounds(s - 1, p) : 0;

            // Onset odds for held pitches (re-articulation), independent given h_t.
            if (w.onsets) {
                runner.onsetLogits(v, var.logits.data());
                for (int p = 0; p < P; ++p)
                    var.onsetP[std::size_t(p)] =
                        sigmoidf(var.logits[std::size_t(p)] * invT + logDensity);
            }

            if (!nade) {
                runner.frameLogits(v, var.logits.data());
                for (int p = 0; p < P; ++p) {
                    const float z = var.logits[std::size_t(p)] * invT +
                                    (var.prev[std::size_t(p)] ? 0.f : logDensity);
                    var.frameP[std::size_t(p)] = allowed[std::size_t(p)] ? sigmoidf(z) : 0.f;
                }
            } else {
                runner.nadeBegin(v);
                if (filterStarts) {
                    // Start probabilities for the candidate choice, each pitch given that
                    // none below it sounds (the NADE's first pass).
                    for (int p = 0; p < P; ++p)
                        var.frameP[std::size_t(p)] =
                            allowed[std::size_t(p)]
                                ? sigmoidf(runner.nadeLogit(v, p) * invT +
                                           (var.prev[std::size_t(p)] ? 0.f : logDensity))
                                : 0.f;
                }
            }

            if (filterStarts) {
                for (int p = 0; p < P; ++p) {
                    const float fp = var.frameP[std::size_t(p)];
                    var.startP[std::size_t(p)] =
                        var.prev[std::size_t(p)] ? (w.onsets ? fp * var.onsetP[std::size_t(p)] : 0.f)
                                                 : fp;
                }
                chooseCandidates(var, P, request.topK, request.topP);
                for (int p = 0; p < P; ++p) {
                    if (var.candidate[std::size_t(p)])
                        continue;
                    if (var.prev[std::size_t(p)])
                        var.onsetP[std::size_t(p)] = 0.f;  // may be held, not restarted
                    else if (!nade)
                        var.frameP[std::size_t(p)] = 0.f;  // may not start
                }
            }

            int count = 0;
            if (!nade) {
                for (int p = 0; p < P; ++p) {
                    const bool on = uniform(var.rng) < double(var.frameP[std::size_t(p)]);
                    frameOut[p] = on ? 1 : 0;
                    count += on;
                }
                if (c.maxPolyphony > 0 && count > c.maxPolyphony) {
                    var.order.clear();
                    for (int p = 0; p < P; ++p)
                        if (frameOut[p])
                            var.order.push_back(p);
                    std::stable_sort(var.order.begin(), var.order.end(), [&](int a, int b) {
                        return var.frameP[std::size_t(a)] > var.frameP[std::size_t(b)];
                    });
                    for (std::size_t k = std::size_t(c.maxPolyphony); k < var.order.size(); ++k)
                        frameOut[var.order[k]] = 0;
                }
            } else {
                for (int p = 0; p < P; ++p) {
                    frameOut[p] = 0;
                    const bool prev = var.prev[std::size_t(p)];
                    if (!allowed[std::size_t(p)] || (!prev && !var.candidate[std::size_t(p)]) ||
                        (c.maxPolyphony > 0 && count >= c.maxPolyphony))
                        continue;
                    const float z = runner.nadeLogit(v, p) * invT + (prev ? 0.f : logDensity);
                    if (uniform(var.rng) < double(sigmoidf(z))) {
                        frameOut[p] = 1;
                        runner.nadeSet(v, p);
                        ++count;
                    }
                }
            }

            bool anyOnset = false;
            for (int p = 0; p < P; ++p) {
                const double u = uniform(var.rng);
                bool start = false;
                if (frameOut[p])
                    start = !var.prev[std::size_t(p)] ||
                            (w.onsets && u < double(var.onsetP[std::size_t(p)]));
                if (rep.onsets)
                    work.onset[std::size_t(s) * P + p] = start ? 1 : 0;
                anyOnset = anyOnset || start;
            }
            std::uint8_t bin = kNoVelocity;
            if (w.velocity && anyOnset) {
                const int VB = w.velocityBins;
                runner.velocityLogits(v, var.logits.data());
                float mx = var.logits[0] * invT;
                for (int k = 1; k < VB; ++k)
                    mx = std::max(mx, var.logits[std::size_t(k)] * invT);
                double sum = 0;
                for (int k = 0; k < VB; ++k)
                    sum += std::exp(double(var.logits[std::size_t(k)] * invT - mx));
                const double u = uniform(var.rng) * sum;
                double cum = 0;
                bin = std::uint8_t(VB - 1);
                for (int k = 0; k < VB; ++k) {
                    cum += std::exp(double(var.logits[std::size_t(k)] * invT - mx));
                    if (u < cum) {
                        bin = std::uint8_t(k);
                        break;
                    }
                }
            }
            work.velocityBin[std::size_t(s)] = bin;
        }
    }

    std::vector<FrameSequence> out;
    out.reserve(std::size_t(V));
    for (Variation& var : vars) {
        FrameSequence seq = var.work.slice(T0, N);
        if (!rep.onsets)
            seq.onset.clear();
        seq.source.clear();
        out.push_back(std::move(seq));
    }
    return out;
}

}  // namespace torchestra::ml::neural
