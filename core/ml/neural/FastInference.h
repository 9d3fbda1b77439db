#pragma once

// The inference path the sampler runs: the RNN/LSTM cells and both heads in plain C++ on weights
// copied out of the trained torch module into contiguous float arrays. At batch 1 LibTorch's
// per-op overhead dominates (hundreds of small ops per step); here a step is a handful of
// matrix-vector products over preallocated buffers, with no allocation per step. No torch here.
//
// The matrix-vector products read the weights k-major in panels of 16 rows (packed once per
// FastWeights, on first use) and take each batch row's input as a broadcast, so one pass over the
// weights serves every row and no horizontal sum is needed. Each output is a single FMA chain
// over k in a fixed order plus one add of its bias, and the nonlinearities are elementwise, so
// nothing depends on the batch size, on the kernel a batch size picks (8-lane AVX2 below 4 rows,
// 16-lane AVX-512 from 4), on the order the panels are visited in or on the thread computing a
// unit: on a given machine, sampling 8 variations together gives bit-identical results to
// sampling each alone. (Without AVX2 a scalar path runs, whose nonlinearities round
// differently.) The results match the torch path to 1e-4 in probabilities, not bit for bit.

#include "ml/SequenceModel.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace torchestra::ml::neural {

struct PackedWeights;
struct FastWeights;

// The packed copy of a FastWeights, built by the first runner (one pass over the weights; as
// much memory again as the layer and head matrices). Copying a FastWeights gives an empty
// cache, packed again on use; the weights must not be changed once a runner has used them.
class PackedCache {
public:
    PackedCache() = default;
    PackedCache(const PackedCache&) {}
    PackedCache& operator=(const PackedCache&) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_packed.reset();
        return *this;
    }
    // Any thread.
    std::shared_ptr<const PackedWeights> get(const FastWeights& w) const;

private:
    mutable std::mutex m_mutex;
    mutable std::shared_ptr<const PackedWeights> m_packed;
};

// Row-major copies of the trained weights (the layout torch uses, [out x in]); the runners read
// the packed copy of the layer and head matrices built from them.
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
        // Layer 0: W_hh (gates x hidden), its input goes through wT. Other layers:
        // [W_ih | W_hh] (gates x (in + hidden)), so a step is one pass over the weights.
        // LSTM gates in torch's order i, f, g, o.
        std::vector<float> w;
        // Layer 0 only: W_ih transposed (in x gates), so only the nonzero inputs of the sparse
        // frame are read.
        std::vector<float> wT;
        std::vector<float> bias; // gates: b_ih + b_hh
    };
    std::vector<Layer> layer;

    std::vector<float> frameW, frameB; // independent head: pitches x hidden, pitches
    std::vector<float> visW, visB;     // NADE visible bias b_t = visB + visW h: pitches x hidden
    std::vector<float> hidW, hidB;     // NADE hidden bias c_t = hidB + hidW h: nadeHidden x hidden
    std::vector<float> nadeW;          // pitches x nadeHidden: row j = W[:, j]
    std::vector<float> nadeV;          // pitches x nadeHidden: row i = V_i
    std::vector<float> onsetW, onsetB; // pitches x hidden, pitches
    std::vector<float> velW, velB;     // velocityBins x hidden, velocityBins

    PackedCache packed;

    int gates() const { return kind == ModelKind::Lstm ? 4 * hidden : hidden; }
};

// Runs `batch` sequences side by side. Not thread-safe: one runner per call (they are cheap
// next to the weights, which are shared read-only).
class FastRunner {
public:
    // `useHelperThread`: split each layer's units with the shared helper thread when
    // setFastInferenceThreads(2) is in effect and no other runner holds it.
    FastRunner(const FastWeights& weights, int batch, bool useHelperThread = false);
    ~FastRunner();
    FastRunner(const FastRunner&) = delete;
    FastRunner& operator=(const FastRunner&) = delete;

    int batch() const { return m_batch; }
    // Zero state (the start of a sequence).
    void reset();
    // Advances every row by one step on x (batch x input floats) and, with `withHeads`, computes
    // every head's logits for every row (what the head functions below return; skip them on
    // primer steps, whose outputs nobody reads).
    void step(const float* x, bool withHeads = true);
    // The top layer's output for row b after the last step.
    const float* hidden(int b) const;

    // Heads for row b, from hidden(b), as of the last step with heads. Logits, before any
    // temperature.
    void frameLogits(int b, float* out) const;    // independent head: pitches
    void onsetLogits(int b, float* out) const;    // pitches (only when weights.onsets)
    void velocityLogits(int b, float* out) const; // velocityBins (only when weights.velocity)

    // The NADE over the pitches of the current step of row b, low to high: nadeBegin, then for
    // each pitch i in order nadeLogit(b, i) and, if the pitch is on, nadeSet(b, i).
    void nadeBegin(int b);
    float nadeLogit(int b, int i);
    void nadeSet(int b, int i);

private:
    void layerUnits(int u0, int u1);
    const float* heads(int b) const;

    const FastWeights& m_w;
    std::shared_ptr<const PackedWeights> m_p;
    int m_batch;
    int m_split = 0;       // units [0, m_split) on this thread, the rest on the helper
    bool m_pooled = false; // holds the helper thread
    int m_stepIndex = 0;   // steps taken while holding it (the first ones are timed)
    double m_bestAlone = 0, m_bestSplit = 0, m_worstSplit = 0; // ns per step
    int m_layer = 0;                                           // the layer being stepped
    bool m_reverse = false; // this step streams the weights last rows first (see step())
    const float* m_x = nullptr;
    std::vector<float> m_h;     // layers x batch x hidden: the last step's outputs
    std::vector<float> m_hNew;  // the outputs being computed (swapped in after the step)
    std::vector<float> m_c;     // layers x batch x hidden (LSTM), updated per unit in place
    std::vector<float> m_gates; // batch x gates
    std::vector<float> m_tmp;   // batch x 2 hidden: each row's [input ; h] for layers above 0
    std::vector<float> m_heads; // batch x every head's rows (see PackedWeights)
    std::vector<float> m_a;     // batch x nadeHidden
    std::vector<float> m_hn;    // batch x nadeHidden
    std::vector<char> m_dirty;  // batch
};

// The threads the fast path may use (1, the default, or 2: each layer's units split with a
// shared helper thread, kept per call only while it is measurably faster). Not tied to
// setComputeThreads: on a machine whose cores are busy with other work, a descheduled helper
// stalls every step, so the split is opt-in. Any thread.
void setFastInferenceThreads(int threads);

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

} // namespace torchestra::ml::neural
