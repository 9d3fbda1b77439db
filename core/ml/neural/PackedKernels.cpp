#include "ml/neural/PackedKernels.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TORCHESTRA_X86 1
#endif

namespace torchestra::ml::neural {

namespace {

bool haveAvx512();

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

// Cephes' expf: range reduction by ln 2 (in two parts) and a degree-6 polynomial, relative error
// ~2e-7 over the clamped range. The 8- and 16-lane versions do the same operations in the same
// order, so each lane gets the same bits from either.
constexpr float kExpLow = -87.3f, kExpHigh = 88.3f, kLog2e = 1.44269504088896341f;
constexpr float kLn2High = 0.693359375f, kLn2Low = -2.12194440e-4f;
constexpr float kExpPoly[6] = {1.9875691500E-4f, 1.3981999507E-3f, 8.3334519073E-3f,
                               4.1665795894E-2f, 1.6666665459E-1f, 5.0000001201E-1f};

// exp on 8 lanes.
TORCHESTRA_AVX2 inline __m256 exp256(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(kExpLow)), _mm256_set1_ps(kExpHigh));
    __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(kLog2e), _mm256_set1_ps(0.5f));
    fx = _mm256_floor_ps(fx);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(kLn2High), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(kLn2Low), x);
    __m256 y = _mm256_set1_ps(kExpPoly[0]);
    for (int i = 1; i < 6; ++i)
        y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(kExpPoly[i]));
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

} // namespace

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

namespace {

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

} // namespace

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

namespace {

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

#define TORCHESTRA_AVX512 __attribute__((target("avx512f,avx2,fma")))

// exp256 on 16 lanes (floor as a round towards minus infinity). GCC 12 warns that the
// intrinsics' unused merge source may be uninitialised: it is unused.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
TORCHESTRA_AVX512 inline __m512 exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(kExpLow)), _mm512_set1_ps(kExpHigh));
    __m512 fx = _mm512_fmadd_ps(x, _mm512_set1_ps(kLog2e), _mm512_set1_ps(0.5f));
    fx = _mm512_roundscale_ps(fx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(kLn2High), x);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(kLn2Low), x);
    __m512 y = _mm512_set1_ps(kExpPoly[0]);
    for (int i = 1; i < 6; ++i)
        y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(kExpPoly[i]));
    y = _mm512_fmadd_ps(y, _mm512_mul_ps(x, x), _mm512_add_ps(x, _mm512_set1_ps(1.f)));
    const __m512i n =
        _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(fx), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(y, _mm512_castsi512_ps(n));
}
#pragma GCC diagnostic pop

TORCHESTRA_AVX512 inline __m512 sigmoid512(__m512 v) {
    const __m512 one = _mm512_set1_ps(1.f);
    return _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), v))));
}

TORCHESTRA_AVX512 inline __m512 tanh512(__m512 v) {
    const __m512 one = _mm512_set1_ps(1.f);
    const __m512 e = exp512(_mm512_mul_ps(_mm512_set1_ps(-2.f), v));
    return _mm512_sub_ps(_mm512_div_ps(_mm512_set1_ps(2.f), _mm512_add_ps(one, e)), one);
}

// lstmCell8 on 16 units at once, the lanes past `n` left alone (masked loads give them zeros).
TORCHESTRA_AVX512 inline void lstmCell16(const float* g, int H, float* c, float* h, int j, int n) {
    const __mmask16 m = __mmask16((1u << n) - 1u);
    const __m512 i = sigmoid512(_mm512_maskz_loadu_ps(m, g + j));
    const __m512 f = sigmoid512(_mm512_maskz_loadu_ps(m, g + H + j));
    const __m512 z = tanh512(_mm512_maskz_loadu_ps(m, g + 2 * H + j));
    const __m512 o = sigmoid512(_mm512_maskz_loadu_ps(m, g + 3 * H + j));
    const __m512 cn = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(m, c + j), _mm512_mul_ps(i, z));
    _mm512_mask_storeu_ps(c + j, m, cn);
    _mm512_mask_storeu_ps(h + j, m, _mm512_mul_ps(o, tanh512(cn)));
}

// Half the instructions of the 8-lane cell (it was ~18% of sampling 64 candidates).
TORCHESTRA_AVX512 void lstmCellAvx512(const float* g, int H, float* c, float* h, int u0, int u1) {
    for (int j = u0; j < u1; j += 16)
        lstmCell16(g, H, c, h, j, std::min(16, u1 - j));
}

#endif

void lstmCellGeneric(float* g, int H, float* c, float* h, int u0, int u1) {
    const int n = u1 - u0;
    sigmoidInPlace(g + u0, n);
    sigmoidInPlace(g + H + u0, n);
    tanhInPlace(g + 2 * H + u0, n);
    sigmoidInPlace(g + 3 * H + u0, n);
    for (int j = u0; j < u1; ++j) {
        c[j] = g[H + j] * c[j] + g[j] * g[2 * H + j];
        h[j] = c[j];
    }
    tanhInPlace(h + u0, n);
    for (int j = u0; j < u1; ++j)
        h[j] *= g[3 * H + j];
}

} // namespace

void lstmCell(float* g, int H, float* c, float* h, int u0, int u1) {
#ifdef TORCHESTRA_X86
    if (haveAvx512())
        return lstmCellAvx512(g, H, c, h, u0, u1);
    if (haveAvx2())
        return lstmCellAvx2(g, H, c, h, u0, u1);
#endif
    lstmCellGeneric(g, H, c, h, u0, u1);
}

namespace {

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

#ifdef TORCHESTRA_X86
// Up to 8 panels of one row at once: as many independent chains, so the pass is bound by the
// FMA throughput rather than by one chain's latency. `n` (1..NP) panels from panel p.
template <int NP>
TORCHESTRA_AVX512 void panelsOfOneRow(const PackedMatrix& m, int p, int n, int r0, int r1,
                                      const float* x, const float* init, float* y) {
    if constexpr (NP > 1) {
        if (n < NP)
            return panelsOfOneRow<NP - 1>(m, p, n, r0, r1, x, init, y);
    }
    panelBlockAvx512<NP, 1>(m, p, r0, r1, x, 0, 0, init, 0, y, 0);
}

TORCHESTRA_AVX512 void panelGemvOneAvx512(const PackedMatrix& m, int r0, int r1, const float* x,
                                          const float* init, float* y) {
    const int pEnd = (r1 + kPanel - 1) / kPanel;
    for (int p = r0 / kPanel; p < pEnd; p += 8)
        panelsOfOneRow<8>(m, p, std::min(8, pEnd - p), r0, r1, x, init, y);
}
#endif

} // namespace

void panelGemvOne(const PackedMatrix& m, int r0, int r1, const float* x, const float* init,
                  float* y) {
#ifdef TORCHESTRA_X86
    if (haveAvx512())
        return panelGemvOneAvx512(m, r0, r1, x, init, y);
#endif
    panelGemvForward(m, r0, r1, x, 0, 1, init, 0, y, 0);
}

// `reverse`: the same products, last rows first (64 at a time), which changes no bits.
void panelGemv(const PackedMatrix& m, int r0, int r1, const float* x, int ldx, int batch,
               const float* init, int ldInit, float* y, int ldy, bool reverse) {
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

} // namespace torchestra::ml::neural
