#pragma once

// The inference path the sampler runs: the RNN/LSTM cells and both heads in plain C++ on weights
// copied out of the trained torch module into contiguous float arrays. At batch 1 LibTorch's
// per-op overhead dominates (hundreds of small ops per step); here a step is a handful of
// matrix-vector products over preallocated buffers, with no allocation per step. No torch here.
//
// Every batch row is computed by exactly the same instructions whatever the batch size, so
// sampling 8 variations together gives bit-identical results to sampling each alone.

#include "ml/SequenceModel.h"

#include <atomic>
#include <cstdint>
#include <vector>

namespace torchestra::ml::neural {

// Row-major copies of the trained weights (the layout torch uses, [out x in]).
struct FastWeights {
    ModelKind kind = ModelKind::Lstm;
    HeadKind head = HeadKind::Independent;
    int layers = 0;
    int hidden = 0;
    int input = 0;
    int pitches = 0;
    int nadeHidden = 0;
    int velocityBins = 0;
    bool onsets = false;
    bool velocity = false;

    struct Layer {
        int in = 0;
        // gates x (in + hidden): [W_ih | W_hh], so a step is one pass over the weights (LSTM
        // gates i, f, g, o as torch orders them).
        std::vector<float> w;
        std::vector<float> bias;  // gates: b_ih + b_hh
    };
    std::vector<Layer> layer;

    std::vector<float> frameW, frameB;  // independent head: pitches x hidden, pitches
    std::vector<float> visW, visB;      // NADE visible bias b_t = visB + visW h: pitches x hidden
    std::vector<float> hidW, hidB;      // NADE hidden bias c_t = hidB + hidW h: nadeHidden x hidden
    std::vector<float> nadeW;           // pitches x nadeHidden: row j = W[:, j]
    std::vector<float> nadeV;           // pitches x nadeHidden: row i = V_i
    std::vector<float> onsetW, onsetB;  // pitches x hidden, pitches
    std::vector<float> velW, velB;      // velocityBins x hidden, velocityBins

    int gates() const { return kind == ModelKind::Lstm ? 4 * hidden : hidden; }
};

// Runs `batch` sequences side by side. Not thread-safe: one runner per call (they are cheap
// next to the weights, which are shared read-only).
class FastRunner {
public:
    FastRunner(const FastWeights& weights, int batch);

    int batch() const { return m_batch; }
    // Zero state (the start of a sequence).
    void reset();
    // Advances every row by one step on x (batch x input floats).
    void step(const float* x);
    // The top layer's output for row b after the last step.
    const float* hidden(int b) const;

    // Heads for row b, from hidden(b). Logits, before any temperature.
    void frameLogits(int b, float* out) const;     // independent head: pitches
    void onsetLogits(int b, float* out) const;     // pitches (only when weights.onsets)
    void velocityLogits(int b, float* out) const;  // velocityBins (only when weights.velocity)

    // The NADE over the pitches of the current step of row b, low to high: nadeBegin, then for
    // each pitch i in order nadeLogit(b, i) and, if the pitch is on, nadeSet(b, i).
    void nadeBegin(int b);
    float nadeLogit(int b, int i);
    void nadeSet(int b, int i);

private:
    const FastWeights& m_w;
    int m_batch;
    std::vector<float> m_h;      // layers x batch x hidden
    std::vector<float> m_c;      // layers x batch x hidden (LSTM)
    std::vector<float> m_gates;  // batch x gates
    std::vector<float> m_tmp;    // batch x (in + hidden): each row's [x ; h]
    std::vector<float> m_vis;    // batch x pitches
    std::vector<float> m_a;      // batch x nadeHidden
    std::vector<float> m_hn;     // batch x nadeHidden
    std::vector<char> m_dirty;   // batch
};

// The sampler behind NeuralModel::sample (see SequenceModel::sample for the contract).
std::vector<FrameSequence> sampleFast(const FastWeights& weights, const ModelConfig& config,
                                      const SampleRequest& request,
                                      const std::atomic<bool>* cancel);

// Teacher-forced probabilities of each step t = 0..T-1 of `seq` given the frames before it, on
// the fast path: frame (T x pitches), onset given sounding (T x pitches, when weights.onsets),
// velocity bins (T x velocityBins, when weights.velocity). For tests against the torch path.
void fastProbabilities(const FastWeights& weights, const RepresentationConfig& rep,
                       const FrameSequence& seq, std::vector<float>& frame,
                       std::vector<float>& onset, std::vector<float>& velocity);

}  // namespace torchestra::ml::neural
