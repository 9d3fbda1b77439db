#pragma once

// Model kinds by name: how each trains, loads from a checkpoint and describes itself. The ml
// library registers the Markov baseline; ml/neural registers RNN and LSTM (and any kind that
// needs torch) through ml::neural::registerNeuralKinds(), which each executable calls once at
// start-up. The trainer and the checkpoint reader only look kinds up here, so ml never calls
// into ml/neural (docs/architecture.md).

#include "ml/Trainer.h"

#include <functional>
#include <memory>
#include <string>

namespace torchestra::ml {

struct ModelKindHandlers {
    // Trains synchronously on the calling thread (trainModel's contract).
    std::function<TrainResult(const Dataset&, const ModelConfig&, const TrainOptions&,
                              const std::atomic<bool>&, const ProgressFn&, const SequenceModel*)>
        train;
    // The model from its checkpoint payload; null with `error` set when it cannot be read.
    // Never throws: a hostile payload gives an error.
    std::function<std::unique_ptr<SequenceModel>(const ModelConfig&, const std::string& payload,
                                                 std::string& error)>
        load;
    // One line about a configuration of this kind, without the kind's name ("2x256, NADE
    // head", "order 2"); describeModel() puts the name in front.
    std::function<std::string(const ModelConfig&)> describe;
};

// Registers (or replaces) the handlers of `kind`. Call at start-up, before any lookup from
// another thread: lookups take no lock.
void registerModelKind(ModelKind kind, ModelKindHandlers handlers);
// The handlers of `kind`, or null when no library registered it (the program was built or
// started without it).
const ModelKindHandlers* findModelKind(ModelKind kind);
// The message for a kind that is not registered.
std::string unregisteredKindMessage(ModelKind kind);

// One line a musician and the command line both read: "LSTM 2x256, NADE head" or "MARKOV
// order 2". The one description of a configuration (model library, train and eval output).
std::string describeModel(const ModelConfig& config);

} // namespace torchestra::ml
