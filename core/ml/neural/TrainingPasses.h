#pragma once

// The pieces of a training run that are not its schedule (NeuralTrainer.cpp): scoring the
// validation pieces, cutting a rank's rows out of a batch, and the data-parallel exchanges.
// Included only by ml/neural/*.cpp.

#include "ml/DataParallel.h"
#include "ml/Dataset.h"
#include "ml/neural/ComputeThread.h"
#include "ml/neural/NeuralNet.h"

#include <atomic>
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

// Data-parallel, on the compute thread: every rank's gradients (zeros where a rank has none)
// and two more numbers (its share of the loss, its "time is up"), summed over the ranks and
// divided by their count: the gradients become the whole batch's. Returns {the whole batch's
// loss, whether any rank's time is up}.
std::pair<double, bool> averageOverRanks(NeuralNet& net, DataParallel& group, double loss,
                                         bool timeUp);
// Data-parallel, on the compute thread: every rank's weights become `root`'s.
void broadcastParameters(NeuralNet& net, DataParallel& group, int root);

} // namespace torchestra::ml::neural
