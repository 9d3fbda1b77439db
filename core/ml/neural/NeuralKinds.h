#pragma once

// The neural model kinds' entry points, free of torch types: registration in the model
// registry, training, loading, and the thread count torch uses on the calling thread.

#include "ml/Trainer.h"

#include <memory>
#include <string>
#include <utility>

namespace torchestra::ml {

namespace neural {
// Registers RNN, LSTM and GAN in ml/ModelRegistry.h. Call once at start-up, before any training or
// checkpoint loading (every executable's main does; idempotent).
void registerNeuralKinds();
} // namespace neural

// Trains an RNN or LSTM (trainModel's contract; ModelRegistry calls it for those kinds).
TrainResult trainNeural(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                        const std::atomic<bool>& cancel, const ProgressFn& progress,
                        const SequenceModel* resumeFrom);
// An RNN/LSTM from its checkpoint payload; null with `error` set. Never throws.
std::unique_ptr<SequenceModel> deserializeNeural(const ModelConfig& config,
                                                 const std::string& payload, std::string& error);
// Trains a GAN (trainModel's contract), and a GAN from its checkpoint payload.
TrainResult trainGan(const Dataset& data, const ModelConfig& config, const TrainOptions& options,
                     const std::atomic<bool>& cancel, const ProgressFn& progress,
                     const SequenceModel* resumeFrom);
std::unique_ptr<SequenceModel> deserializeGan(const ModelConfig& config, const std::string& payload,
                                              std::string& error);
// The weights of a GAN config's generator and critic, as {generator, critic}; {0, 0} for a bad
// config. Runs serially and leaves torch's random state as it was. (bench/ml_bench.cpp checks them
// against the PyTorch peer's.)
std::pair<long, long> ganParameterCounts(const ModelConfig& config);
// LibTorch's intra-op threads for torch work on the calling thread (evaluation; it starts at 1
// here). Training passes use TrainOptions::threads on the trainer's own compute thread, and other
// threads run torch serially (see NeuralNet.h for why).
void setComputeThreads(int threads);

} // namespace torchestra::ml
