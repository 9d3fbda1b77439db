#include "ml/neural/NadeKernels.h"

#include "ml/neural/PackedKernels.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TORCHESTRA_X86 1
#endif

namespace torchestra::ml::neural {

namespace {

// y += a x
void axpyGeneric(float* y, float a, const float* x, int n) {
    for (int k = 0; k < n; ++k)
        y[k] += a * x[k];
}

// acc += g V h (1 - h): the gradient reaching a pitch's hidden pre-activations from its logit.
void hiddenGradGeneric(float* acc, float g, const float* V, const float* h, int n) {
    for (int k = 0; k < n; ++k)
        acc[k] += g * V[k] * h[k] * (1.f - h[k]);
}

#ifdef TORCHESTRA_X86
#define TORCHESTRA_AVX2 __attribute__((target("avx2,fma")))

TORCHESTRA_AVX2 void axpyAvx2(float* y, float a, const float* x, int n) {
    const __m256 va = _mm256_set1_ps(a);
    int k = 0;
    for (; k + 8 <= n; k += 8)
        _mm256_storeu_ps(y + k,
                         _mm256_fmadd_ps(va, _mm256_loadu_ps(x + k), _mm256_loadu_ps(y + k)));
    for (; k < n; ++k)
        y[k] += a * x[k];
}

TORCHESTRA_AVX2 void hiddenGradAvx2(float* acc, float g, const float* V, const float* h, int n) {
    const __m256 vg = _mm256_set1_ps(g);
    const __m256 one = _mm256_set1_ps(1.f);
    int k = 0;
    for (; k + 8 <= n; k += 8) {
        const __m256 hk = _mm256_loadu_ps(h + k);
        const __m256 slope = _mm256_mul_ps(hk, _mm256_sub_ps(one, hk));
        const __m256 scaled = _mm256_mul_ps(_mm256_mul_ps(vg, _mm256_loadu_ps(V + k)), slope);
        _mm256_storeu_ps(acc + k, _mm256_add_ps(_mm256_loadu_ps(acc + k), scaled));
    }
    for (; k < n; ++k)
        acc[k] += g * V[k] * h[k] * (1.f - h[k]);
}

bool haveAvx2Fma() {
    static const bool have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return have;
}
#endif

using Axpy = void (*)(float*, float, const float*, int);
using HiddenGrad = void (*)(float*, float, const float*, const float*, int);

struct Ops {
    Axpy axpy = axpyGeneric;
    HiddenGrad hiddenGrad = hiddenGradGeneric;
};

const Ops& ops() {
    static const Ops chosen = [] {
        Ops o;
#ifdef TORCHESTRA_X86
        if (haveAvx2Fma()) {
            o.axpy = axpyAvx2;
            o.hiddenGrad = hiddenGradAvx2;
        }
#endif
        return o;
    }();
    return chosen;
}

// The frame's hidden units for every pitch, row i = sigmoid(c + sum over j < i of v_j W_j).
void hiddenUnits(const Ops& o, const float* c, const float* v, const float* W, NadeDims d, float* a,
                 float* hid) {
    const int Hn = d.hidden;
    std::memcpy(a, c, sizeof(float) * std::size_t(Hn));
    for (int i = 0; i < d.pitches; ++i) {
        float* h = hid + std::size_t(i) * Hn;
        std::memcpy(h, a, sizeof(float) * std::size_t(Hn));
        sigmoidInPlace(h, Hn);
        if (v[i] != 0.f)
            o.axpy(a, v[i], W + std::size_t(i) * Hn, Hn);
    }
}

} // namespace

void nadeForward(const float* c, const float* v, const float* W, const float* V, NadeDims d,
                 int rows, float* logits) {
    const Ops& o = ops();
    const int P = d.pitches;
    const int Hn = d.hidden;
    std::vector<float> a(static_cast<std::size_t>(Hn));
    std::vector<float> hid(std::size_t(P) * std::size_t(Hn)); // cache-sized: P x Hn floats
    for (int r = 0; r < rows; ++r) {
        hiddenUnits(o, c + std::size_t(r) * Hn, v + std::size_t(r) * P, W, d, a.data(), hid.data());
        float* out = logits + std::size_t(r) * P;
        for (int i = 0; i < P; ++i)
            out[i] += dot(V + std::size_t(i) * Hn, hid.data() + std::size_t(i) * Hn, Hn);
    }
}

void nadeBackward(const float* c, const float* v, const float* W, const float* V,
                  const float* dLogits, NadeDims d, int rows, float* dc, float* dW, float* dV,
                  float* scratch) {
    const Ops& o = ops();
    const int P = d.pitches;
    const int Hn = d.hidden;
    std::vector<float> a(static_cast<std::size_t>(Hn));
    for (int r = 0; r < rows; ++r) {
        const float* vr = v + std::size_t(r) * P;
        const float* g = dLogits + std::size_t(r) * P;
        float* acc = dc + std::size_t(r) * Hn; // sum of the hidden gradients of pitches > i
        std::fill(acc, acc + Hn, 0.f);
        if (std::all_of(g, g + P, [](float x) { return x == 0.f; }))
            continue; // a padding step
        hiddenUnits(o, c + std::size_t(r) * Hn, vr, W, d, a.data(), scratch);
        // Last pitch first: W_i reaches every pitch above i, so its gradient is v_i times the
        // hidden gradients gathered so far.
        for (int i = P - 1; i >= 0; --i) {
            const std::size_t row = std::size_t(i) * Hn;
            if (vr[i] != 0.f)
                o.axpy(dW + row, vr[i], acc, Hn);
            if (g[i] == 0.f)
                continue;
            o.axpy(dV + row, g[i], scratch + row, Hn);
            o.hiddenGrad(acc, g[i], V + row, scratch + row, Hn);
        }
    }
}

} // namespace torchestra::ml::neural
