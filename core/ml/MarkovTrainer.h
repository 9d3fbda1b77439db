#pragma once

// Training the Markov baseline: one counting pass over the training pieces, then one
// validation (registered for ModelKind::Markov in ml/ModelRegistry.cpp).

#include "ml/Trainer.h"

namespace torchestra::ml {

// Synchronous, on the calling thread; checks `cancel` once per piece.
TrainResult trainMarkov(const Dataset& data, const ModelConfig& config,
                        const std::atomic<bool>& cancel, const ProgressFn& progress);

} // namespace torchestra::ml
