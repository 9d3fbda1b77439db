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

constexpr int kPanel = 16; // rows per panel of a packed matrix

// A row-major matrix in panels of kPanel rows, k-major inside a panel, 64-byte aligned, the last
// panel padded with zero rows.
struct PackedMatrix {
    int rows = 0;
    int cols = 0;
    std::vector<float> storage;
    float* base = nullptr;

    PackedMatrix() = default;
    PackedMatrix(const float* w, int rows_, int cols_, int ld) : rows(rows_), cols(cols_) {
        const int panels = (rows + kPanel - 1) / kPanel;
        storage.assign(std::size_t(panels) * cols * kPanel + 16, 0.f);
        base = storage.data();
        while (reinterpret_cast<std::uintptr_t>(base) % 64)
            ++base;
        for (int r = 0; r < rows; ++r)
            for (int k = 0; k < cols; ++k)
                base[(std::size_t(r / kPanel) * cols + k) * kPanel + r % kPanel] =
                    w[std::size_t(r) * ld + k];
    }
    PackedMatrix(PackedMatrix&&) = default; // the heap buffer, and so `base`, moves along
    PackedMatrix& operator=(PackedMatrix&&) = default;
    PackedMatrix(const PackedMatrix&) = delete;
    PackedMatrix& operator=(const PackedMatrix&) = delete;

    const float* panel(int p) const { return base + std::size_t(p) * cols * kPanel; }
};

} // namespace

struct PackedWeights {
    std::vector<std::vector<PackedMatrix>> layer; // [layer][gate block]: H rows each
    // Every head stacked in one matrix over the top layer's output, so one pass serves them all
    // for every batch row: [frame | visible bias ; NADE hidden bias] ; onset ; velocity.
    PackedMatrix heads;
    std::vector<float> headBias;
    int frameAt = 0, hidAt = 0, onsetAt = 0, velAt = 0; // row offsets (frameAt: or visible)
};

std::shared_ptr<const PackedWeights> PackedCache::get(const FastWeights& w) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_packed)
        return m_packed;
    auto p = std::make_shared<PackedWeights>();
    const int H = w.hidden;
    const int blocks = w.kind == ModelKind::Lstm ? 4 : 1;
    for (int l = 0; l < w.layers; ++l) {
        const FastWeights::Layer& L = w.layer[std::size_t(l)];
        const int cols = l == 0 ? H : L.in + H;
        std::vector<PackedMatrix> gates;
        for (int q = 0; q < blocks; ++q)
            gates.emplace_back(L.w.data() + std::size_t(q) * H * cols, H, cols, cols);
        p->layer.push_back(std::move(gates));
    }
    std::vector<float> rows;
    auto add = [&](const std::vector<float>& m, const std::vector<float>& b) {
        const int at = int(p->headBias.size());
        rows.insert(rows.end(), m.begin(), m.end());
        p->headBias.insert(p->headBias.end(), b.begin(), b.end());
        return at;
    };
    if (w.head == HeadKind::Independent) {
        p->frameAt = add(w.frameW, w.frameB);
    } else {
        p->frameAt = add(w.visW, w.visB);
        p->hidAt = add(w.hidW, w.hidB);
    }
    p->onsetAt = add(w.onsetW, w.onsetB);
    p->velAt = add(w.velW, w.velB);
    p->heads = PackedMatrix(rows.data(), int(p->headBias.size()), H, H);
    m_packed = std::move(p);
    return m_packed;
}

namespace {

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

#ifdef TORCHESTRA_X86
// Four interleaved chains: one NADE logit is a 128-long dot product on the critical path of
// the pitch loop, so it is latency that counts here.
TORCHESTRA_AVX2 float dotAvx2(const float* a, const float* b, int n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    int k = 0;
    for (; k + 32 <= n; k += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 8), _mm256_loadu_ps(b + k + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 16), _mm256_loadu_ps(b + k + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k + 24), _mm256_loadu_ps(b + k + 24), s3);
    }
    for (; k + 8 <= n; k += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(b + k), s0);
    return dotTail(a, b, k, n,
                   hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))));
}
#endif

// a . b; the same bits for a given (a, b, n) on a given machine.
float dot(const float* a, const float* b, int n) {
#ifdef TORCHESTRA_X86
    if (haveAvx2())
        return dotAvx2(a, b, n);
#endif
    float s = 0;
    for (int k = 0; k < n; ++k)
        s = std::fma(a[k], b[k], s);
    return s;
}

#ifdef TORCHESTRA_X86
TORCHESTRA_AVX2 inline __m256 sigmoid256(__m256 v) {
    const __m256 one = _mm256_set1_ps(1.f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(_mm256_setzero_ps(), v))));
}

TORCHESTRA_AVX2 inline __m256 tanh256(__m256 v) {
    const __m256 one = _mm256_set1_ps(1.f);
    const __m256 e = exp256(_mm256_mul_ps(_mm256_set1_ps(-2.f), v));
    return _mm256_sub_ps(_mm256_div_ps(_mm256_set1_ps(2.f), _mm256_add_ps(one, e)), one);
}

// The LSTM cell for units [u0, u1) of one row, in registers: gates g (i, f, g, o blocks of H,
// pre-activation), c updated in place, h written. A tail goes through the same 8-lane code on
// zero-padded copies, so a unit's bits never depend on where a range starts.
TORCHESTRA_AVX2 inline void lstmCell8(const float* gi, const float* gf, const float* gg,
                                      const float* go, float* cc, float* hh) {
    const __m256 i = sigmoid256(_mm256_loadu_ps(gi));
    const __m256 f = sigmoid256(_mm256_loadu_ps(gf));
    const __m256 z = tanh256(_mm256_loadu_ps(gg));
    const __m256 o = sigmoid256(_mm256_loadu_ps(go));
    const __m256 cn = _mm256_fmadd_ps(f, _mm256_loadu_ps(cc), _mm256_mul_ps(i, z));
    _mm256_storeu_ps(cc, cn);
    _mm256_storeu_ps(hh, _mm256_mul_ps(o, tanh256(cn)));
}

TORCHESTRA_AVX2 void lstmCellAvx2(const float* g, int H, float* c, float* h, int u0, int u1) {
    int j = u0;
    for (; j + 8 <= u1; j += 8)
        lstmCell8(g + j, g + H + j, g + 2 * H + j, g + 3 * H + j, c + j, h + j);
    if (j < u1) {
        const std::size_t n = std::size_t(u1 - j);
        float t[6][8] = {};
        for (int q = 0; q < 4; ++q)
            std::memcpy(t[q], g + q * H + j, sizeof(float) * n);
        std::memcpy(t[4], c + j, sizeof(float) * n);
        lstmCell8(t[0], t[1], t[2], t[3], t[4], t[5]);
        std::memcpy(c + j, t[4], sizeof(float) * n);
        std::memcpy(h + j, t[5], sizeof(float) * n);
    }
}

#endif

// ---- Panel-packed matrix-vector products (every layer and head; see FastInference.h) ----
//
// A matrix is stored in panels of 16 rows, k-major inside a panel (panel p holds
// W[16p + i][k] at [k][i]), so a panel streams sequentially and each k gives 16 contiguous
// weights that multiply one broadcast input per batch row. Output (r, b) is the FMA chain
// acc = fma(W[r][k], x[b][k], acc) over k = 0..cols-1 from acc = 0, then y = init + acc: the
// same operations for any blocking, batch size, vector width or thread, hence the same bits.

bool haveAvx512() {
#ifdef TORCHESTRA_X86
    static const bool have = __builtin_cpu_supports("avx512f") && haveAvx2();
    return have;
#else
    return false;
#endif
}

void panelGemvGeneric(const PackedMatrix& m, int r0, int r1, const float* x, int ldx, int batch,
                      const float* init, int ldInit, float* y, int ldy) {
    const int K = m.cols;
    for (int p = r0 / kPanel; p * kPanel < r1; ++p) {
        const float* pan = m.panel(p);
        const int base = p * kPanel;
        const int n = std::min(kPanel, r1 - base);
        for (int b = 0; b < batch; ++b) {
            const float* xb = x + std::size_t(b) * ldx;
            float acc[kPanel] = {};
            for (int k = 0; k < K; ++k)
                for (int i = 0; i < kPanel; ++i)
                    acc[i] = std::fma(pan[std::size_t(k) * kPanel + i], xb[k], acc[i]);
            float* yb = y + std::size_t(b) * ldy + (base - r0);
            const float* ib = init ? init + std::size_t(b) * ldInit + (base - r0) : nullptr;
            for (int i = 0; i < n; ++i)
                yb[i] = (ib ? ib[i] : 0.f) + acc[i];
        }
    }
}

#ifdef TORCHESTRA_X86
#define TORCHESTRA_AVX512 __attribute__((target("avx512f,avx2,fma")))

// y[b][row - r0 + i] = init[b][...] + acc[i] for the rows of [row, row + 8) below r1.
TORCHESTRA_AVX2 inline void store8(__m256 acc, int row, int r0, int r1, int b, const float* init,
                                   int ldInit, float* y, int ldy) {
    const int n = std::min(8, r1 - row);
    if (n <= 0)
        return;
    const std::size_t o = std::size_t(row - r0);
    float* yb = y + std::size_t(b) * ldy + o;
    const float* ib = init ? init + std::size_t(b) * ldInit + o : nullptr;
    if (n == 8) {
        const __m256 i0 = ib ? _mm256_loadu_ps(ib) : _mm256_setzero_ps();
        _mm256_storeu_ps(yb, _mm256_add_ps(i0, acc));
        return;
    }
    float t[8];
    _mm256_storeu_ps(t, acc);
    for (int i = 0; i < n; ++i)
        yb[i] = (ib ? ib[i] : 0.f) + t[i];
}

// NP panels x NB batch rows (from panel p0, batch row b0): 2 * NP * NB accumulators. The small
// loops are unrolled by hand (pragmas): at -O2 GCC otherwise keeps the accumulator arrays on the
// stack, which made 8 variations slower than the old kernel.
template <int NP, int NB>
TORCHESTRA_AVX2 void panelBlockAvx2(const PackedMatrix& m, int p0, int r0, int r1, const float* x,
                                    int ldx, int b0, const float* init, int ldInit, float* y,
                                    int ldy) {
    const int K = m.cols;
    __m256 acc[NP][2][NB];
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p)
#pragma GCC unroll 16
        for (int b = 0; b < NB; ++b)
            acc[p][0][b] = acc[p][1][b] = _mm256_setzero_ps();
    const float* pan[NP];
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p)
        pan[p] = m.panel(p0 + p);
    const float* xr[NB];
#pragma GCC unroll 16
    for (int b = 0; b < NB; ++b)
        xr[b] = x + std::size_t(b0 + b) * ldx;
    for (int k = 0; k < K; ++k) {
        __m256 xb[NB];
#pragma GCC unroll 16
        for (int b = 0; b < NB; ++b)
            xb[b] = _mm256_broadcast_ss(xr[b] + k);
#pragma GCC unroll 16
        for (int p = 0; p < NP; ++p) {
            const __m256 w0 = _mm256_load_ps(pan[p] + std::size_t(k) * kPanel);
            const __m256 w1 = _mm256_load_ps(pan[p] + std::size_t(k) * kPanel + 8);
#pragma GCC unroll 16
            for (int b = 0; b < NB; ++b) {
                acc[p][0][b] = _mm256_fmadd_ps(w0, xb[b], acc[p][0][b]);
                acc[p][1][b] = _mm256_fmadd_ps(w1, xb[b], acc[p][1][b]);
            }
        }
    }
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p)
#pragma GCC unroll 16
        for (int b = 0; b < NB; ++b)
#pragma GCC unroll 16
            for (int v = 0; v < 2; ++v)
                store8(acc[p][v][b], (p0 + p) * kPanel + v * 8, r0, r1, b0 + b, init, ldInit, y,
                       ldy);
}

TORCHESTRA_AVX2 void panelGemvAvx2(const PackedMatrix& m, int r0, int r1, const float* x, int ldx,
                                   int batch, const float* init, int ldInit, float* y, int ldy) {
    const int pEnd = (r1 + kPanel - 1) / kPanel;
    int p = r0 / kPanel;
    if (batch == 1) {
        for (; p + 4 <= pEnd; p += 4)
            panelBlockAvx2<4, 1>(m, p, r0, r1, x, ldx, 0, init, ldInit, y, ldy);
        for (; p < pEnd; ++p)
            panelBlockAvx2<1, 1>(m, p, r0, r1, x, ldx, 0, init, ldInit, y, ldy);
        return;
    }
    if (batch == 2) {
        for (; p + 2 <= pEnd; p += 2)
            panelBlockAvx2<2, 2>(m, p, r0, r1, x, ldx, 0, init, ldInit, y, ldy);
        for (; p < pEnd; ++p)
            panelBlockAvx2<1, 2>(m, p, r0, r1, x, ldx, 0, init, ldInit, y, ldy);
        return;
    }
    for (; p < pEnd; ++p) {
        int b = 0;
        for (; b + 4 <= batch; b += 4)
            panelBlockAvx2<1, 4>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
        switch (batch - b) {
        case 3:
            panelBlockAvx2<1, 3>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
            break;
        case 2:
            panelBlockAvx2<1, 2>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
            break;
        case 1:
            panelBlockAvx2<1, 1>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
            break;
        default:
            break;
        }
    }
}

// The same chains on 16 lanes: one panel is one register.
template <int NP, int NB>
TORCHESTRA_AVX512 void panelBlockAvx512(const PackedMatrix& m, int p0, int r0, int r1,
                                        const float* x, int ldx, int b0, const float* init,
                                        int ldInit, float* y, int ldy) {
    const int K = m.cols;
    __m512 acc[NP][NB];
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p)
#pragma GCC unroll 16
        for (int b = 0; b < NB; ++b)
            acc[p][b] = _mm512_setzero_ps();
    const float* pan[NP];
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p)
        pan[p] = m.panel(p0 + p);
    const float* xr[NB];
#pragma GCC unroll 16
    for (int b = 0; b < NB; ++b)
        xr[b] = x + std::size_t(b0 + b) * ldx;
    for (int k = 0; k < K; ++k) {
        __m512 xb[NB];
#pragma GCC unroll 16
        for (int b = 0; b < NB; ++b)
            xb[b] = _mm512_set1_ps(xr[b][k]);
#pragma GCC unroll 16
        for (int p = 0; p < NP; ++p) {
            const __m512 w = _mm512_load_ps(pan[p] + std::size_t(k) * kPanel);
#pragma GCC unroll 16
            for (int b = 0; b < NB; ++b)
                acc[p][b] = _mm512_fmadd_ps(w, xb[b], acc[p][b]);
        }
    }
#pragma GCC unroll 16
    for (int p = 0; p < NP; ++p) {
        const int row = (p0 + p) * kPanel;
        const int n = std::min(kPanel, r1 - row);
        if (n <= 0)
            continue;
        const __mmask16 mask = __mmask16((1u << n) - 1u);
        const std::size_t o = std::size_t(row - r0);
#pragma GCC unroll 16
        for (int b = 0; b < NB; ++b) {
            float* yb = y + std::size_t(b0 + b) * ldy + o;
            const __m512 i0 =
                init ? _mm512_maskz_loadu_ps(mask, init + std::size_t(b0 + b) * ldInit + o)
                     : _mm512_setzero_ps();
            _mm512_mask_storeu_ps(yb, mask, _mm512_add_ps(i0, acc[p][b]));
        }
    }
}

template <int NP>
TORCHESTRA_AVX512 void panelRowsAvx512(const PackedMatrix& m, int p, int r0, int r1, const float* x,
                                       int ldx, int batch, const float* init, int ldInit, float* y,
                                       int ldy) {
    int b = 0;
    for (; b + 8 <= batch; b += 8)
        panelBlockAvx512<NP, 8>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    switch (batch - b) {
    case 7:
        return panelBlockAvx512<NP, 7>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    case 6:
        return panelBlockAvx512<NP, 6>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    case 5:
        return panelBlockAvx512<NP, 5>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    case 4:
        return panelBlockAvx512<NP, 4>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    case 3:
        return panelBlockAvx512<NP, 3>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    case 2:
        return panelBlockAvx512<NP, 2>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    case 1:
        return panelBlockAvx512<NP, 1>(m, p, r0, r1, x, ldx, b, init, ldInit, y, ldy);
    default:
        return;
    }
}

TORCHESTRA_AVX512 void panelGemvAvx512(const PackedMatrix& m, int r0, int r1, const float* x,
                                       int ldx, int batch, const float* init, int ldInit, float* y,
                                       int ldy) {
    const int pEnd = (r1 + kPanel - 1) / kPanel;
    int p = r0 / kPanel;
    for (; p + 2 <= pEnd; p += 2)
        panelRowsAvx512<2>(m, p, r0, r1, x, ldx, batch, init, ldInit, y, ldy);
    for (; p < pEnd; ++p)
        panelRowsAvx512<1>(m, p, r0, r1, x, ldx, batch, init, ldInit, y, ldy);
}
#endif

// From 4 batch rows on, the 16-lane kernel (2 panels x 8 rows per block) beats the 8-lane one
// (8 variations: 24 vs 30 ms on the Sapphire Rapids VM); below that the weights' memory
// traffic dominates and AVX2 avoids the 512-bit frequency licence.
constexpr int kAvx512MinBatch = 4;

// y[b][r - r0] = init[b][r - r0] + W[r] . x[b] for rows [r0, r1) of m (r0 a multiple of 16),
// batch rows b < batch; init has row stride ldInit (0: one vector for every row), may be null
// (zero) and may alias y.
void panelGemvForward(const PackedMatrix& m, int r0, int r1, const float* x, int ldx, int batch,
                      const float* init, int ldInit, float* y, int ldy) {
#ifdef TORCHESTRA_X86
    if (batch >= kAvx512MinBatch && haveAvx512())
        return panelGemvAvx512(m, r0, r1, x, ldx, batch, init, ldInit, y, ldy);
    if (haveAvx2())
        return panelGemvAvx2(m, r0, r1, x, ldx, batch, init, ldInit, y, ldy);
#endif
    panelGemvGeneric(m, r0, r1, x, ldx, batch, init, ldInit, y, ldy);
}

// `reverse`: the same products, last rows first (64 at a time), which changes no bits.
void panelGemv(const PackedMatrix& m, int r0, int r1, const float* x, int ldx, int batch,
               const float* init, int ldInit, float* y, int ldy, bool reverse = false) {
    if (!reverse)
        return panelGemvForward(m, r0, r1, x, ldx, batch, init, ldInit, y, ldy);
    constexpr int chunk = 4 * kPanel;
    for (int c1 = r1; c1 > r0;) {
        const int c0 = std::max(r0, (c1 - 1) / chunk * chunk);
        const int o = c0 - r0;
        panelGemvForward(m, c0, c1, x, ldx, batch, init ? init + o : nullptr, ldInit, y + o, ldy);
        c1 = c0;
    }
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
    m_dirty.assign(std::size_t(batch), 1);
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
#ifdef TORCHESTRA_X86
        if (lstm && haveAvx2()) {
            lstmCellAvx2(g, H, c + std::size_t(b) * H, hb, u0, u1);
            continue;
        }
#endif
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
    if (withHeads)
        panelGemv(m_p->heads, 0, int(m_p->headBias.size()), hidden(0), H, m_batch,
                  m_p->headBias.data(), 0, m_heads.data(), int(m_p->headBias.size()));

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
    return heads(b)[m_p->frameAt + i] + dot(m_w.nadeV.data() + std::size_t(i) * Hn, hn, Hn);
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
        runner.step(x.data(), s >= T0);
        if (s < T0)
            continue;

        for (int v = 0; v < V; ++v) {
            Variation& var = vars[std::size_t(v)];
            FrameSequence& work = var.work;
            std::uint8_t* frameOut = work.sounding.data() + std::size_t(s) * P;
            for (int p = 0; p < P; ++p)
                var.prev[std::size_t(p)] = s > 0 ? work.sounds(s - 1, p) : 0;

            // Onset odds for held pitches (re-articulation), independent given h_t.
            // (The sigmoids over all pitches at once, 8 lanes at a time.)
            if (w.onsets) {
                runner.onsetLogits(v, var.logits.data());
                for (int p = 0; p < P; ++p)
                    var.onsetP[std::size_t(p)] = var.logits[std::size_t(p)] * invT + logDensity;
                sigmoidInPlace(var.onsetP.data(), P);
            }

            if (!nade) {
                runner.frameLogits(v, var.logits.data());
                for (int p = 0; p < P; ++p)
                    var.frameP[std::size_t(p)] = var.logits[std::size_t(p)] * invT +
                                                 (var.prev[std::size_t(p)] ? 0.f : logDensity);
                sigmoidInPlace(var.frameP.data(), P);
                for (int p = 0; p < P; ++p)
                    if (!allowed[std::size_t(p)])
                        var.frameP[std::size_t(p)] = 0.f;
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
