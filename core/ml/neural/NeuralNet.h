#pragma once

// The torch side of the neural models: the module, the batch tensors and the loss, shared by
// NeuralModel.cpp and NeuralTrainer.cpp. Included only by ml/neural/*.cpp.

#include "ml/neural/FastInference.h"
#include "ml/neural/NeuralModel.h"
#include "ml/neural/TorchPch.h"

#include <atomic>
#include <string>
#include <vector>

namespace torchestra::ml::neural {

// RNN (tanh) or LSTM core with an independent or an RNN-NADE head over the pitches, plus
// onset and velocity heads that are independent given the core's output h_t (they do not see
// the sounding frame being predicted: an onset is modelled as p(onset | sounding, h_t)).
class NeuralNetImpl : public torch::nn::Module {
public:
    NeuralNetImpl(const ModelConfig& config, int inputSize);

    // LSTM: {h, c}; RNN: {h}; empty = zero start state.
    using State = std::vector<torch::Tensor>;

    // x: [B, T, input] -> h: [B, T, hidden]; `state` is read and replaced by the final state.
    torch::Tensor core(const torch::Tensor& x, State& state);
    // Frame logits [B, T, P] from the core's output h and the input x the core read (for the
    // hold path); for the NADE head teacher-forced on `frames` [B, T, P] (0/1).
    torch::Tensor frameLogits(const torch::Tensor& x, const torch::Tensor& h,
                              const torch::Tensor& frames);
    // Onset logits [B, T, P] (only with m_onset).
    torch::Tensor onsetLogits(const torch::Tensor& x, const torch::Tensor& h);

    const ModelConfig& config() const { return m_config; }
    int inputSize() const { return m_inputSize; }

    torch::nn::LSTM m_lstm{nullptr};
    torch::nn::RNN m_rnn{nullptr};
    torch::nn::Dropout m_dropout{nullptr};
    torch::nn::Linear m_frame{nullptr};      // independent head
    torch::nn::Linear m_visible{nullptr};    // NADE: b_t = b + W_b h_t
    torch::nn::Linear m_hiddenBias{nullptr}; // NADE: c_t = c + W_c h_t
    torch::Tensor m_nadeW;                   // [P, nadeHidden]: row j = W[:, j]
    torch::Tensor m_nadeV;                   // [P, nadeHidden]: row i = V_i
    torch::nn::Linear m_onset{nullptr};
    torch::nn::Linear m_velocity{nullptr};
    // Hold path (ModelConfig::holdPath): [K, P], row k weighs input block k (the previous
    // step's sounding frame, then its onsets when the representation has them), pitch by pitch.
    torch::Tensor m_holdFrame;
    torch::Tensor m_holdOnset;

private:
    // The hold path's term for logits [B, T, P]; `w` is m_holdFrame or m_holdOnset.
    torch::Tensor holdTerm(const torch::Tensor& x, const torch::Tensor& w) const;

    ModelConfig m_config;
    int m_inputSize;
};
TORCH_MODULE(NeuralNet);

// Steps [from, from + length) of each sequence as tensors: the input for predicting step s is
// buildInput(seq, s - 1). Steps past a sequence's end (or with mask 0) are padding.
struct BatchTensors {
    torch::Tensor x;         // [B, L, input]
    torch::Tensor frames;    // [B, L, P] targets (float 0/1)
    torch::Tensor onsets;    // [B, L, P] targets
    torch::Tensor onsetMask; // [B, L, P]: real step, sounding, sequence has onsets
    torch::Tensor velocity;  // [B, L] int64 bins (0 where unknown)
    torch::Tensor velMask;   // [B, L]
    torch::Tensor stepMask;  // [B, L] float
    long realSteps = 0;
};
BatchTensors makeBatchTensors(const std::vector<const FrameSequence*>& seqs, int from, int length,
                              const RepresentationConfig& rep,
                              const std::vector<std::uint8_t>* mask = nullptr);

// Per-step NLL terms [B, L] (nats, zero on padding).
struct StepLosses {
    torch::Tensor frame, onset, velocity;
    torch::Tensor total() const { return frame + onset + velocity; }
};
StepLosses stepLosses(NeuralNet& net, const BatchTensors& bt, NeuralNetImpl::State& state);

// NLL of whole sequences with the state carried across segments of `segment` steps (exact,
// and `cancel` is checked between segments). False when cancelled. Call under NoGradGuard.
bool sequenceNll(NeuralNet& net, const std::vector<const FrameSequence*>& seqs, int segment,
                 std::vector<NllResult>& out, const std::atomic<bool>* cancel);

// Copies every parameter of `from` into `to` (same config).
void copyParameters(NeuralNet& from, NeuralNet& to);

// One step of weight averaging: average = d * average + (1 - d) * weights, where d is `decay`
// warmed up as min(decay, (1 + step) / (10 + step)) so the first steps do not drag the
// initial weights along. `step` counts from 1.
void averageInto(NeuralNet& weights, NeuralNet& average, double decay, long step);

// Weights in the fast path's layout.
FastWeights extractFastWeights(NeuralNet& net);

class NeuralModel final : public SequenceModel {
public:
    // Takes `net` (must not be trained afterwards: evaluate/sample run concurrently on it).
    NeuralModel(NeuralNet net, NeuralTrainingState state, std::string optimizerState);

    const ModelConfig& config() const override { return m_config; }
    std::string serialize() const override { return payload(true); }
    std::string serializeWithoutOptimizer() const override { return payload(false); }
    NllResult evaluate(const FrameSequence& seq) const override;
    // On the fast path, every sequence in one batch (FastScoring.h).
    std::vector<NllResult> evaluateFrom(const std::vector<FrameSequence>& seqs, int from,
                                        const std::atomic<bool>* cancel) const override;
    std::vector<FrameSequence> sample(const SampleRequest& request,
                                      const std::atomic<bool>* cancel) const override;
    // On the fast path (FastOutlook.h).
    PitchOutlook outlook(const FrameSequence& seq, const std::atomic<bool>* cancel) const override;

    NeuralNet net() const { return m_net; }
    const FastWeights& fastWeights() const { return m_fast; }
    const NeuralTrainingState& trainingState() const { return m_state; }
    // Adam's state (its own torch archive bytes) when the weights were kept; may be empty.
    const std::string& optimizerState() const { return m_optimizerState; }

private:
    std::string payload(bool withOptimizer) const;

    ModelConfig m_config;
    NeuralNet m_net;
    FastWeights m_fast;
    NeuralTrainingState m_state;
    std::string m_optimizerState;
};

// Threads and OpenMP. libgomp spins only briefly at its barriers once it manages more threads
// than there are CPUs, so with a second thread's team alive (even idle) every parallel region
// of the training pass pays a futex wake-up: measured here, a 2x256 LSTM pass took 245 ms on
// the trainer's helper thread against 170 ms on a thread whose process had no other team. So
// only the trainer's compute thread runs torch with several threads; every other thread that
// touches torch (model creation, loading, evaluation, the trainer's caller) runs it serially.
// runThisThreadSerially() is called before the first torch operation of such entry points: it
// makes the thread serial unless the thread chose a count itself (setComputeThreads, as the
// CLI's eval does on its main thread, the only torch thread there). setThisThreadsThreads()
// sets the calling thread's count and returns the previous one; the trainer makes its caller
// serial for the run and its compute thread parallel.
void runThisThreadSerially();
int setThisThreadsThreads(int threads);
bool thisThreadChoseThreads();

// Makes the calling thread serial for its lifetime and gives back the count the thread had
// chosen, if it had chosen one (the trainers' callers; ganParameterCounts).
class SerialWhileAlive {
public:
    SerialWhileAlive() : m_chosen(thisThreadChoseThreads()), m_previous(setThisThreadsThreads(1)) {}
    ~SerialWhileAlive() {
        if (m_chosen)
            setThisThreadsThreads(m_previous);
    }
    SerialWhileAlive(const SerialWhileAlive&) = delete;
    SerialWhileAlive& operator=(const SerialWhileAlive&) = delete;

private:
    bool m_chosen;
    int m_previous;
};

// Builds an initialised module (after torch::manual_seed when seed != 0). "" or an error.
std::string makeNet(const ModelConfig& config, NeuralNet& out);

} // namespace torchestra::ml::neural
