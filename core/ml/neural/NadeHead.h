#pragma once

// The RNN-NADE head's teacher-forced logits as one torch operation with its own gradient
// (ml/neural/NadeKernels.h says why). Included only by ml/neural/*.cpp.

#include "ml/neural/TorchPch.h"

namespace torchestra::ml::neural {

// b: visible biases [..., P]; c: hidden biases [..., Hn]; frames: the 0/1 frames the head is
// teacher-forced on [..., P]; W, V: [P, Hn]. Returns logits [..., P] with
//   logit_i = b_i + V_i . sigmoid(c + sum over j < i of frames_j W_j)
// differentiable in b, c, W and V (not in the frames). The frames are split among the calling
// thread's torch threads; the result does not depend on how many there are, the gradients of W
// and V only in their last bits.
torch::Tensor nadeHeadLogits(const torch::Tensor& b, const torch::Tensor& c,
                             const torch::Tensor& frames, const torch::Tensor& W,
                             const torch::Tensor& V);

} // namespace torchestra::ml::neural
