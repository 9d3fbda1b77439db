#pragma once

// The trained weights as the fast path reads them (see FastInference.h): plain float arrays
// copied out of the torch module, and the cache of their packed copy. No torch here.

#include "ml/SequenceModel.h"

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
    // Hold path (ModelConfig::holdPath): holdInputs x pitches each, added to the frame (or
    // visible) and onset logits from the first holdInputs blocks of pitches of the step's input.
    int holdInputs = 0;
    std::vector<float> holdFrame, holdOnset;

    PackedCache packed;

    int gates() const { return kind == ModelKind::Lstm ? 4 * hidden : hidden; }
};

} // namespace torchestra::ml::neural
