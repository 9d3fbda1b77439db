#pragma once

// The fast path's step: the RNN/LSTM layers and every head for a batch of sequences, on the
// packed weights (see FastInference.h). No torch here.

#include "ml/neural/FastWeights.h"

#include <memory>
#include <vector>

namespace torchestra::ml::neural {

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
    // Row b's recurrent state (every layer's output, then every LSTM cell), and every row set to
    // such a state: rows that share a primer run it once at batch 1 (a row's bits do not depend
    // on the batch it runs in).
    std::vector<float> rowState(int b) const;
    void setEveryRow(const std::vector<float>& state);

    // Heads for row b, from hidden(b), as of the last step with heads. Logits, before any
    // temperature.
    void frameLogits(int b, float* out) const;    // independent head: pitches
    void onsetLogits(int b, float* out) const;    // pitches (only when weights.onsets)
    void velocityLogits(int b, float* out) const; // velocityBins (only when weights.velocity)

    // The NADE over the pitches of the current step of row b, low to high: nadeBegin, then for
    // each pitch i in order nadeLogit(b, i) and, if the pitch is on, nadeSet(b, i). Logit i is
    // b_i + V_i . sigmoid(a), the dot product one FMA chain over the hidden units in order (as
    // panelGemv's), so its bits do not depend on how many pitches or rows are computed at once.
    void nadeBegin(int b);
    float nadeLogit(int b, int i);
    void nadeSet(int b, int i);

private:
    void layerUnits(int u0, int u1);
    void addHoldTerms();
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
    // batch x pitches: NADE logits of row b from pitch m_nadeFrom[b] on, computed together the
    // first time one is asked for after a change to a (one pass over V instead of one dot
    // product per pitch); m_nadeFrom[b] > pitches when none is current.
    std::vector<float> m_nadeLogits;
    std::vector<int> m_nadeFrom;
};

// The threads the fast path may use (1, the default, or 2: each layer's units split with a
// shared helper thread, kept per call only while it is measurably faster). Not tied to
// setComputeThreads: on a machine whose cores are busy with other work, a descheduled helper
// stalls every step, so the split is opt-in. Any thread.
void setFastInferenceThreads(int threads);
int fastInferenceThreads();

// Teacher-forced probabilities of each step t = 0..T-1 of `seq` given the frames before it, on
// the fast path: frame (T x pitches), onset given sounding (T x pitches, when weights.onsets),
// velocity bins (T x velocityBins, when weights.velocity). For tests against the torch path.
void fastProbabilities(const FastWeights& weights, const RepresentationConfig& rep,
                       const FrameSequence& seq, std::vector<float>& frame,
                       std::vector<float>& onset, std::vector<float>& velocity);

} // namespace torchestra::ml::neural
