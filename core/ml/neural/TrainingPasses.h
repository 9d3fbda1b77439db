#pragma once

// The pieces of a training run that are not its schedule (NeuralTrainer.cpp): scoring the
// validation pieces, cutting a rank's rows out of a batch, and the data-parallel exchanges.
// Included only by ml/neural/*.cpp.

#include "ml/DataParallel.h"
#include "ml/Dataset.h"
#include "ml/neural/ComputeThread.h"
#include "ml/neural/NeuralNet.h"

#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace torchestra::ml::neural {

// Validation NLL per scored step (steps 1..T-1 of each piece, as evaluate() counts them).
// Pieces of similar length are batched and run in segments of 128 steps with the state carried
// (exact); the tensors are built here, the passes run on `compute`. With a data-parallel
// group, each rank scores every ranks-th piece and the sums are added up, so every rank gets
// the same figure. False when cancelled.
bool validationLoss(ComputeThread& compute, NeuralNet net, const std::vector<FrameSequence>& pieces,
                    const RepresentationConfig& rep, const std::atomic<bool>& cancel,
                    DataParallel* dataParallel, double& loss);

// Rows [first, first + count) of `batch`.
Batch batchRows(const Batch& batch, int first, int count);
// The steps of `batch` that are real (mask 1).
long realSteps(const Batch& batch);

// Data-parallel, on the thread that runs the pass: the gradients of `params` (zeros where a
// rank has none) and the `extra` numbers (a loss, a flag) are summed over the ranks in one
// allreduce and divided by their count after the wait: the gradients become the whole batch's
// mean. Returns the averaged extras.
std::vector<float> averageGradients(const std::vector<torch::Tensor>& params, DataParallel& group,
                                    const std::vector<float>& extra);
// Data-parallel: every rank's `params` become `root`'s.
void broadcastParameters(const std::vector<torch::Tensor>& params, DataParallel& group, int root);
// Data-parallel: after the ranks agreed on the weights, each draws its own random numbers
// (dropout masks, a GAN's noise): the same seed everywhere would give rank 1's rows the masks
// and noise of rank 0's.
void seedThisRank(std::uint64_t seed, const DataParallel& group);

} // namespace torchestra::ml::neural
