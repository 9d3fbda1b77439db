#pragma once

// The RNN/LSTM sequence models (torch-free entry points; the torch module lives in NeuralNet.h,
// which only ml/neural/*.cpp include). Training is trainNeural in ml/Trainer.h; loading is
// deserializeNeural. What is here serves tests, benchmarks and tools that need a model without
// training one, and a look at the parts the SequenceModel interface does not show.

#include "ml/Dataset.h"
#include "ml/SequenceModel.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::ml::neural {

// A freshly initialised (untrained) RNN or LSTM model for `config` (kind Rnn or Lstm), weights
// drawn after torch::manual_seed(seed). Null and `error` set for a bad config. Any thread.
std::unique_ptr<SequenceModel> createNeuralModel(const ModelConfig& config, std::uint64_t seed,
                                                 std::string& error);

// Per-step probabilities of a sequence, teacher-forced: step t given the frames before it.
struct StepProbabilities {
    int steps = 0;
    std::vector<float> frame;    // steps x pitches: p(sounding) (NADE: given lower pitches)
    std::vector<float> onset;    // steps x pitches: p(onset | sounding); empty without onsets
    std::vector<float> velocity; // steps x velocityBins; empty without velocity
};
// The torch path (what training optimises) and the fast path (what the sampler runs). `model`
// must come from this file's functions, trainNeural or deserializeNeural.
StepProbabilities torchProbabilities(const SequenceModel& model, const FrameSequence& seq);
StepProbabilities fastProbabilities(const SequenceModel& model, const FrameSequence& seq);

// The training objective on a batch with dropout off: summed NLL (nats) over the real steps
// (mask 1) and their count. Padded steps contribute nothing.
struct BatchLoss {
    double sum = 0;
    long steps = 0;
};
BatchLoss batchLoss(const SequenceModel& model, const Batch& batch);

// Training state carried in the payload so a run can resume.
struct NeuralTrainingState {
    int epoch = 0;           // epochs completed when these weights were kept
    double learningRate = 0; // the rate then
    double bestValidLoss = 0;
    bool hasOptimizerState = false;
};
NeuralTrainingState trainingState(const SequenceModel& model);

// Number of trainable parameters.
long parameterCount(const SequenceModel& model);

} // namespace torchestra::ml::neural
