#pragma once

// The vector kernels of the fast path (see FastInference.h for why they give the same bits for
// any batch size, blocking or thread): panel-packed matrix-vector products, the sparse first
// layer input, the nonlinearities, a dot product and the LSTM cell. Each picks AVX-512, AVX2 or
// a scalar path at run time; the AVX variants are compiled per function with
// __attribute__((target(...))), so this file's target needs no -mavx flags. No torch here.

#include <cmath>
#include <cstdint>
#include <vector>

namespace torchestra::ml::neural {

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

struct PackedWeights {
    std::vector<std::vector<PackedMatrix>> layer; // [layer][gate block]: H rows each
    // Every head stacked in one matrix over the top layer's output, so one pass serves them all
    // for every batch row: [frame | visible bias ; NADE hidden bias] ; onset ; velocity.
    PackedMatrix heads;
    std::vector<float> headBias;
    int frameAt = 0, hidAt = 0, onsetAt = 0, velAt = 0; // row offsets (frameAt: or visible)
    // NADE: V (pitches x nadeHidden), so the logits of many pitches come from one pass.
    PackedMatrix nadeV;
};

inline float sigmoidScalar(float v) {
    return 1.f / (1.f + std::exp(-v));
}

// y[b][:] (rows floats) = init + sum over the nonzero x[b][k] of x[b][k] * wT[k][:]: the first
// layer's input is a sparse frame, so only its few nonzero columns are read.
void sparseInput(const float* wT, int ldw, int rows, int cols, const float* x, int ldx, int batch,
                 const float* init, float* y, int ldy);

void sigmoidInPlace(float* v, int n);
void tanhInPlace(float* v, int n);

// a . b; the same bits for a given (a, b, n) on a given machine.
float dot(const float* a, const float* b, int n);

// The LSTM cell for units [u0, u1) of one row: g holds the pre-activation gates (i, f, g, o
// blocks of H; the scalar path overwrites them), c is updated in place, h written. A unit's
// bits never depend on where the range starts.
void lstmCell(float* g, int H, float* c, float* h, int u0, int u1);

// y[b][r - r0] = init[b][r - r0] + W[r] . x[b] for rows [r0, r1) of m (r0 a multiple of 16),
// batch rows b < batch; init has row stride ldInit (0: one vector for every row), may be null
// (zero) and may alias y. `reverse`: the same products, last rows first (64 at a time), which
// changes no bits.
void panelGemv(const PackedMatrix& m, int r0, int r1, const float* x, int ldx, int batch,
               const float* init, int ldInit, float* y, int ldy, bool reverse = false);

// panelGemv for one batch row whose init has the rows' stride 1 (the NADE's logits over the
// pitches): the same bits, computed with every panel of the range at once where AVX-512 runs.
void panelGemvOne(const PackedMatrix& m, int r0, int r1, const float* x, const float* init,
                  float* y);

} // namespace torchestra::ml::neural
