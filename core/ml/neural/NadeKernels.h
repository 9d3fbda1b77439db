#pragma once

// The RNN-NADE head's teacher-forced pass, frame by frame, on raw floats (ml/neural/NadeHead.h
// makes it a torch operation). Why not torch's own operations: written with them, the pass
// builds [frames, pitches, hidden] tensors (the products, their cumulative sum, the sigmoid,
// the products with V) and their gradients, a few hundred megabytes a batch that memory
// bandwidth, not arithmetic, pays for; it took two thirds of the LSTM-NADE's training step.
// Here a frame's hidden units live in one scratch block that stays in the cache, and silent
// pitches (most of them) add no W row. No torch.

namespace torchestra::ml::neural {

struct NadeDims {
    int pitches = 0; // P
    int hidden = 0;  // Hn
};

// For each of `rows` frames r (row-major, c: [rows, Hn], v and logits: [rows, P]; W, V: [P, Hn]):
//   logits[r][i] += V_i . sigmoid(c[r] + sum over j < i of v[r][j] W_j)
// logits holds the visible biases b on entry.
void nadeForward(const float* c, const float* v, const float* W, const float* V, NadeDims d,
                 int rows, float* logits);

// The gradients of nadeForward for `rows` frames, given the logits' gradient dLogits
// [rows, P]: dc [rows, Hn] is written, dW and dV [P, Hn] are added to. `scratch` holds
// P * Hn floats (the frame's hidden units, recomputed rather than stored by the forward pass).
void nadeBackward(const float* c, const float* v, const float* W, const float* V,
                  const float* dLogits, NadeDims d, int rows, float* dc, float* dW, float* dV,
                  float* scratch);

} // namespace torchestra::ml::neural
