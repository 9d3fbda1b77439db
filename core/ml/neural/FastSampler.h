#pragma once

// Sampling on the fast path: the step loop over FastRunner, with the request's temperature,
// top-k / nucleus, constraints and variations. No torch here.

#include "ml/neural/FastWeights.h"

#include <atomic>
#include <vector>

namespace torchestra::ml::neural {

// The sampler behind NeuralModel::sample (see SequenceModel::sample for the contract).
std::vector<FrameSequence> sampleFast(const FastWeights& weights, const ModelConfig& config,
                                      const SampleRequest& request,
                                      const std::atomic<bool>* cancel);

} // namespace torchestra::ml::neural
