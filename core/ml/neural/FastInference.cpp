#include "ml/neural/FastInference.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TORCHESTRA_X86 1
#endif

namespace torchestra::ml::neural {

namespace {

// y[b][r] = init[b][r] + W[r] . x[b] for rows r < rows, batch rows b < batch; W is rows x cols,
// row-major; init has row stride ldInit (0: one vector for every batch row) and may alias y.
// Rows go four at a time with all batch rows while a block of weights is hot in L1, so the
// weights stream from memory once per step whatever the batch size. Each (r, b) is computed by
// the same sequence of operations for any batch size (lane-wise FMA chain over k, the same
// horizontal sum, the same scalar tail), which makes batched sampling bit-identical to single.
void matvecGeneric(const float* w, int rows, int cols, const float* x, int ldx, int batch,
                   const float* init, int ldInit, float* y, int ldy) {
    for (int r = 0; r < rows; ++r) {
        const float* wr = w + std::size_t(r) * cols;
        for (int b = 0; b < batch; ++b) {
            const float* xb = x + std::size_t(b) * ldx;
            float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            int k = 0;
            for (; k + 8 <= cols; k += 8)
                for (int j = 0; j < 8; ++j)
                    acc[j] += wr[k + j] * xb[k + j];
            float s =
                ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
            for (; k < cols; ++k)
                s += wr[k] * xb[k];
            const float i0 = init ? init[std::size_t(b) * ldInit + r] : 0.f;
            y[std::size_t(b) * ldy + r] = i0 + s;
        }
    }
}

// y[b][:] (rows floats) = init[b] + sum over the nonzero x[b][k] of x[b][k] * wT[k][:]: the
// first layer's input is a sparse frame, so only its few nonzero columns are read.
void sparseInputGeneric(const float* wT, int ldw, int rows, int cols, const float* x, int ldx,
                        int batch, const float* init, float* y, int ldy) {
    for (int b = 0; b < batch; ++b) {
        float* yb = y + std::size_t(b) * ldy;
        std::memcpy(yb, init, sizeof(float) * std::size_t(rows));
        const float* xb = x + std::size_t(b) * ldx;
        for (int k = 0; k < cols; ++k) {
            const float v = xb[k];
            if (v == 0.f)
                continue;
            const float* wk = wT + std::size_t(k) * ldw;
            for (int r = 0; r < rows; ++r)
                yb[r] = std::fma(v, wk[r], yb[r]);
        }
    }
}

inline float sigmoidScalar(float v) {
    return 1.f / (1.f + std::exp(-v));
}

void sigmoidGeneric(float* v, int n) {
    for (int i = 0; i < n; ++i)
        v[i] = sigmoidScalar(v[i]);
}
void tanhGeneric(float* v, int n) {
    for (int i = 0; i < n; ++i)
        v[i] = std::tanh(v[i]);
}

#ifdef TORCHESTRA_X86
#define TORCHESTRA_AVX2 __attribute__((target("avx2,fma")))

TORCHESTRA_AVX2 inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v);
    __m128 hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 sh = _mm_movehdup_ps(lo);
    __m128 sums = _mm_add_ps(lo, sh);
    sh = _mm_movehl_ps(sh, sums);
    sums = _mm_add_ss(sums, sh);
    return _mm_cvtss_f32(sums);
}

// The scalar tail of a dot product, with explicit FMAs so that no compiler choice differs
// between call sites.
TORCHESTRA_AVX2 inline float dotTail(const float* w, const float* x, int from, int to, float s) {
    __m128 acc = _mm_set_ss(s);
    for (int k = from; k < to; ++k)
        acc = _mm_fmadd_ss(_mm_load_ss(w + k), _mm_load_ss(x + k), acc);
    return _mm_cvtss_f32(acc);
}

TORCHESTRA_AVX2 void matvecAvx2(const float* w, int rows, int cols, const float* x, int ldx,
                                int batch, const float* init, int ldInit, float* y, int ldy) {
    const int vc = cols & ~7;
    auto store = [&](int r, int b, float s) {
        const float i0 = init ? init[std::size_t(b) * ldInit + r] : 0.f;
        y[std::size_t(b) * ldy + r] = i0 + s;
    };
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float* w0 = w + std::size_t(r) * cols;
        const float* w1 = w0 + cols;
        const float* w2 = w1 + cols;
        const float* w3 = w2 + cols;
        int b = 0;
        for (; b + 2 <= batch; b += 2) { // 4 rows x 2 batch rows: 8 accumulators
            const float* xa = x + std::size_t(b) * ldx;
            const float* xb = xa + ldx;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int k = 0; k < vc; k += 8) {
                const __m256 va = _mm256_loadu_ps(xa + k);
                const __m256 vb = _mm256_loadu_ps(xb + k);
                const __m256 u0 = _mm256_loadu_ps(w0 + k);
                const __m256 u1 = _mm256_loadu_ps(w1 + k);
                const __m256 u2 = _mm256_loadu_ps(w2 + k);
                const __m256 u3 = _mm256_loadu_ps(w3 + k);
                a0 = _mm256_fmadd_ps(u0, va, a0);
                a1 = _mm256_fmadd_ps(u1, va, a1);
                a2 = _mm256_fmadd_ps(u2, va, a2);
                a3 = _mm256_fmadd_ps(u3, va, a3);
                b0 = _mm256_fmadd_ps(u0, vb, b0);
                b1 = _mm256_fmadd_ps(u1, vb, b1);
                b2 = _mm256_fmadd_ps(u2, vb, b2);
                b3 = _mm256_fmadd_ps(u3, vb, b3);
            }
            store(r, b, dotTail(w0, xa, vc, cols, hsum256(a0)));
            store(r + 1, b, dotTail(w1, xa, vc, cols, hsum256(a1)));
            store(r + 2, b, dotTail(w2, xa, vc, cols, hsum256(a2)));
            store(r + 3, b, dotTail(w3, xa, vc, cols, hsum256(a3)));
            store(r, b + 1, dotTail(w0, xb, vc, cols, hsum256(b0)));
            store(r + 1, b + 1, dotTail(w1, xb, vc, cols, hsum256(b1)));
            store(r + 2, b + 1, dotTail(w2, xb, vc, cols, hsum256(b2)));
            store(r + 3, b + 1, dotTail(w3, xb, vc, cols, hsum256(b3)));
        }
        for (; b < batch; ++b) {
            const float* xa = x + std::size_t(b) * ldx;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (int k = 0; k < vc; k += 8) {
                const __m256 va = _mm256_loadu_ps(xa + k);
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k), va, a0);
                a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + k), va, a1);
                a2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + k), va, a2);
                a3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + k), va, a3);
            }
            store(r, b, dotTail(w0, xa, vc, cols, hsum256(a0)));
            store(r + 1, b, dotTail(w1, xa, vc, cols, hsum256(a1)));
            store(r + 2, b, dotTail(w2, xa, vc, cols, hsum256(a2)));
            store(r + 3, b, dotTail(w3, xa, vc, cols, hsum256(a3)));
        }
    }
    for (; r < rows; ++r) {
        const float* w0 = w + std::size_t(r) * cols;
        for (int b = 0; b < batch; ++b) {
            const float* xa = x + std::size_t(b) * ldx;
            __m256 a0 = _mm256_setzero_ps();
            for (int k = 0; k < vc; k += 8)
                a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + k), _mm256_loadu_ps(xa + k), a0);
            store(r, b, dotTail(w0, xa, vc, cols, hsum256(a0)));
        }
    }
}

TORCHESTRA_AVX2 void sparseInputAvx2(const float* wT, int ldw, int rows, int cols, const float* x,
                                     int ldx, int batch, const float* init, float* y, int ldy) {
    const int vr = rows & ~7;
    for (int b = 0; b < batch; ++b) {
        float* yb = y + std::size_t(b) * ldy;
        std::memcpy(yb, init, sizeof(float) * std::size_t(rows));
        const float* xb = x + std::size_t(b) * ldx;
        for (int k = 0; k < cols; ++k) {
            const float v = xb[k];
            if (v == 0.f)
                continue;
            const float* wk = wT + std::size_t(k) * ldw;
            const __m256 vv = _mm256_set1_ps(v);
            for (int r = 0; r < vr; r += 8)
                _mm256_storeu_ps(
                    yb + r, _mm256_fmadd_ps(_mm256_loadu_ps(wk + r), vv, _mm256_loadu_ps(yb + r)));
            for (int r = vr; r < rows; ++r)
                yb[r] = _mm_cvtss_f32(
                    _mm_fmadd_ss(_mm_load_ss(wk + r), _mm_set_ss(v), _mm_load_ss(yb + r)));
        }
    }
}

// exp on 8 lanes (Cephes' expf: range reduction by ln 2 and a degree-6 polynomial, relative
// error ~2e-7 over the clamped range).
TORCHESTRA_AVX2 inline __m256 exp256(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f));
    fx = _mm256_floor_ps(fx);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 y = _mm256_set1_ps(1.9875691500E-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507E-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073E-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894E-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459E-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201E-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.f)));
    const __m256i n =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(n));
}

TORCHESTRA_AVX2 inline void sigmoid8(float* p) {
    const __m256 one = _mm256_set1_ps(1.f);
    const __m256 e = exp256(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_loadu_ps(p)));
    _mm256_storeu_ps(p, _mm256_div_ps(one, _mm256_add_ps(one, e)));
}

// tanh x = 2 / (1 + e^-2x) - 1
TORCHESTRA_AVX2 inline void tanh8(float* p) {
    const __m256 one = _mm256_set1_ps(1.f);
    const __m256 e = exp256(_mm256_mul_ps(_mm256_set1_ps(-2.f), _mm256_loadu_ps(p)));
    _mm256_storeu_ps(p,
                     _mm256_sub_ps(_mm256_div_ps(_mm256_set1_ps(2.f), _mm256_add_ps(one, e)), one));
}

// The tail goes through the same 8-lane code (padded), so an element's result never depends on
// where a range starts: the two-thread split stays bit-identical to one thread.
template <void (*F)(float*)> TORCHESTRA_AVX2 void apply8(float* v, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        F(v + i);
    if (i < n) {
        float tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::memcpy(tmp, v + i, sizeof(float) * std::size_t(n - i));
        F(tmp);
        std::memcpy(v + i, tmp, sizeof(float) * std::size_t(n - i));
    }
}

bool haveAvx2() {
    static const bool have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return have;
}

#endif

void matvec(const float* w, int rows, int cols, const float* x, int ldx, int batch,
            const float* init, int ldInit, float* y, int ldy) {
#ifdef TORCHESTRA_X86
    if (haveAvx2())
        return matvecAvx2(w, rows, cols, x, ldx, batch, init, ldInit, y, ldy);
#endif
    matvecGeneric(w, rows, cols, x, ldx, batch, init, ldInit, y, ldy);
}

void sparseInput(const float* wT, int ldw, int rows, int cols, const float* x, int ldx, int batch,
                 const float* init, float* y, int ldy) {
#ifdef TORCHESTRA_X86
    if (haveAvx2())
        return sparseInputAvx2(wT, ldw, rows, cols, x, ldx, batch, init, y, ldy);
#endif
    sparseInputGeneric(wT, ldw, rows, cols, x, ldx, batch, init, y, ldy);
}

void sigmoidInPlace(float* v, int n) {
#ifdef TORCHESTRA_X86
    if (haveAvx2())
        return apply8<sigmoid8>(v, n);
#endif
    sigmoidGeneric(v, n);
}

void tanhInPlace(float* v, int n) {
#ifdef TORCHESTRA_X86
    if (haveAvx2())
        return apply8<tanh8>(v, n);
#endif
    tanhGeneric(v, n);
}

inline void cpuRelax() {
#ifdef TORCHESTRA_X86
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

std::atomic<int> g_threads{1};

// One helper thread, shared by all runners, that takes half of each layer's units during a
// sampling call. The caller never waits for the helper to start: each half is claimed with a
// compare-and-swap tagged with the phase number, and whatever the helper has not claimed the
// caller does itself, so a helper descheduled on a busy machine costs nothing but the speed-up.
// Which thread computes a half never changes its bits. One sampling call uses it at a time;
// concurrent calls run on one thread. The helper spins only while a call holds it.
class StepPool {
public:
    using Task = void (*)(void*, int);

    static StepPool& instance() {
        static StepPool pool;
        return pool;
    }

    bool acquire() {
        bool expected = false;
        if (!m_inUse.compare_exchange_strong(expected, true))
            return false;
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_thread.joinable())
            m_thread = std::thread([this] { helperLoop(); });
        m_active.store(true, std::memory_order_release);
        m_cv.notify_one();
        return true;
    }

    void release() {
        m_active.store(false, std::memory_order_release);
        m_inUse.store(false, std::memory_order_release);
    }

    // Runs task(ctx, 0) and task(ctx, 1), here and on the helper; returns when both are done.
    void run2(Task task, void* ctx) {
        m_task = task;
        m_ctx = ctx;
        m_done.store(0, std::memory_order_relaxed);
        const std::uint64_t phase = (m_state.load(std::memory_order_relaxed) >> 8) + 1;
        m_state.store(phase << 8, std::memory_order_release);
        claimAll(phase);
        while (m_done.load(std::memory_order_acquire) < 2)
            cpuRelax();
    }

    ~StepPool() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_quit = true;
            m_active.store(false);
            m_cv.notify_one();
        }
        if (m_thread.joinable())
            m_thread.join();
    }

private:
    StepPool() = default;

    void claimAll(std::uint64_t phase) {
        for (;;) {
            std::uint64_t s = m_state.load(std::memory_order_acquire);
            if ((s >> 8) != phase || (s & 0xFF) >= 2)
                return;
            if (m_state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
                const Task task = m_task;
                void* ctx = m_ctx;
                task(ctx, int(s & 0xFF));
                m_done.fetch_add(1, std::memory_order_release);
            }
        }
    }

    void helperLoop() {
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_cv.wait(lock, [&] { return m_quit || m_active.load(); });
                if (m_quit)
                    return;
            }
            std::uint64_t seen = m_state.load(std::memory_order_acquire) >> 8;
            while (m_active.load(std::memory_order_acquire)) {
                const std::uint64_t phase = m_state.load(std::memory_order_acquire) >> 8;
                if (phase != seen) {
                    seen = phase;
                    claimAll(phase);
                } else {
                    cpuRelax();
                }
            }
        }
    }

    std::atomic<std::uint64_t> m_state{0}; // phase << 8 | halves claimed
    std::atomic<int> m_done{0};
    Task m_task = nullptr;
    void* m_ctx = nullptr;
    std::atomic<bool> m_inUse{false};
    std::atomic<bool> m_active{false};
    bool m_quit = false;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::thread m_thread;
};

inline float sigmoidf(float v) {
    return sigmoidScalar(v);
}

// Uniform in [0, 1) from the top 53 bits: the same on every platform, unlike
// std::uniform_real_distribution.
inline double uniform(std::mt19937_64& rng) {
    return double(rng() >> 11) * 0x1.0p-53;
}

} // namespace

void setFastInferenceThreads(int threads) {
    g_threads.store(std::max(1, threads));
}

FastRunner::FastRunner(const FastWeights& weights, int batch, bool useHelperThread)
    : m_w(weights), m_batch(batch) {
    const int H = m_w.hidden;
    m_h.assign(std::size_t(m_w.layers) * batch * H, 0.f);
    m_hNew.assign(m_h.size(), 0.f);
    m_c.assign(std::size_t(m_w.layers) * batch * H, 0.f);
    m_gates.assign(std::size_t(batch) * m_w.gates(), 0.f);
    m_tmp.assign(std::size_t(batch) * 2 * H, 0.f);
    m_vis.assign(std::size_t(batch) * m_w.pitches, 0.f);
    m_a.assign(std::size_t(batch) * std::max(1, m_w.nadeHidden), 0.f);
    m_hn.assign(m_a.size(), 0.f);
    m_dirty.assign(std::size_t(batch), 1);
    // Split the units in two (a multiple of 8 each) when it pays: 64+ units.
    m_split = H >= 64 ? (H / 2) & ~7 : H;
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
    for (int q = 0; q < blocks; ++q) {
        const int r0 = q * H + u0;
        float* g = m_gates.data() + r0;
        if (l == 0) {
            // Sparse frame input through W_ih^T, then the recurrent term on top.
            sparseInput(L.wT.data() + r0, G, n, L.in, m_x, m_w.input, m_batch, L.bias.data() + r0,
                        g, G);
            matvec(L.w.data() + std::size_t(r0) * H, n, H, hPrev, H, m_batch, g, G, g, G);
        } else {
            const int ld = L.in + H;
            matvec(L.w.data() + std::size_t(r0) * ld, n, ld, m_tmp.data(), ld, m_batch,
                   L.bias.data() + r0, 0, g, G);
        }
    }
    for (int b = 0; b < m_batch; ++b) {
        float* g = m_gates.data() + std::size_t(b) * G;
        float* hb = hOut + std::size_t(b) * H;
        if (lstm) {
            float* cb = c + std::size_t(b) * H;
            sigmoidInPlace(g + u0, n);
            sigmoidInPlace(g + H + u0, n);
            tanhInPlace(g + 2 * H + u0, n);
            sigmoidInPlace(g + 3 * H + u0, n);
            for (int j = u0; j < u1; ++j) {
                cb[j] = g[H + j] * cb[j] + g[j] * g[2 * H + j];
                hb[j] = cb[j];
            }
            tanhInPlace(hb + u0, n);
            for (int j = u0; j < u1; ++j)
                hb[j] *= g[3 * H + j];
        } else {
            std::memcpy(hb + u0, g + u0, sizeof(float) * std::size_t(n));
            tanhInPlace(hb + u0, n);
        }
    }
}

void FastRunner::step(const float* x) {
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

const float* FastRunner::hidden(int b) const {
    return m_h.data() + (std::size_t(m_w.layers - 1) * m_batch + b) * m_w.hidden;
}

void FastRunner::frameLogits(int b, float* out) const {
    matvec(m_w.frameW.data(), m_w.pitches, m_w.hidden, hidden(b), m_w.hidden, 1, m_w.frameB.data(),
           0, out, m_w.pitches);
}

void FastRunner::onsetLogits(int b, float* out) const {
    matvec(m_w.onsetW.data(), m_w.pitches, m_w.hidden, hidden(b), m_w.hidden, 1, m_w.onsetB.data(),
           0, out, m_w.pitches);
}

void FastRunner::velocityLogits(int b, float* out) const {
    matvec(m_w.velW.data(), m_w.velocityBins, m_w.hidden, hidden(b), m_w.hidden, 1, m_w.velB.data(),
           0, out, m_w.velocityBins);
}

void FastRunner::nadeBegin(int b) {
    const int P = m_w.pitches;
    const int Hn = m_w.nadeHidden;
    matvec(m_w.visW.data(), P, m_w.hidden, hidden(b), m_w.hidden, 1, m_w.visB.data(), 0,
           m_vis.data() + std::size_t(b) * P, P);
    matvec(m_w.hidW.data(), Hn, m_w.hidden, hidden(b), m_w.hidden, 1, m_w.hidB.data(), 0,
           m_a.data() + std::size_t(b) * Hn, Hn);
    m_dirty[std::size_t(b)] = 1;
}

float FastRunner::nadeLogit(int b, int i) {
    const int Hn = m_w.nadeHidden;
    float* hn = m_hn.data() + std::size_t(b) * Hn;
    if (m_dirty[std::size_t(b)]) {
        std::memcpy(hn, m_a.data() + std::size_t(b) * Hn, sizeof(float) * std::size_t(Hn));
        sigmoidInPlace(hn, Hn);
        m_dirty[std::size_t(b)] = 0;
    }
    float out = 0;
    matvec(m_w.nadeV.data() + std::size_t(i) * Hn, 1, Hn, hn, Hn, 1,
           m_vis.data() + std::size_t(b) * m_w.pitches + i, 0, &out, 1);
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
    FrameSequence work; // primer + future, filled in as steps are generated
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

} // namespace

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
        allowed[std::size_t(p)] =
            pitch >= c.lowPitch && pitch <= c.highPitch && ((c.scaleMask >> (pitch % 12)) & 1u);
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

    FastRunner runner(w, V, true);
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
                        var.prev[std::size_t(p)]
                            ? (w.onsets ? fp * var.onsetP[std::size_t(p)] : 0.f)
                            : fp;
                }
                chooseCandidates(var, P, request.topK, request.topP);
                for (int p = 0; p < P; ++p) {
                    if (var.candidate[std::size_t(p)])
                        continue;
                    if (var.prev[std::size_t(p)])
                        var.onsetP[std::size_t(p)] = 0.f; // may be held, not restarted
                    else if (!nade)
                        var.frameP[std::size_t(p)] = 0.f; // may not start
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

} // namespace torchestra::ml::neural
