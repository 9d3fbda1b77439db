#pragma once

// The Markov baseline: an n-gram over whole grid frames (which pitches sound, and start), with
// Witten-Bell interpolation down to per-pitch first-order Markov chains, so every frame has a
// probability. Trains in seconds; a yardstick for the neural models and instant results on tiny
// selections. No torch.

#include "ml/Dataset.h"
#include "ml/SequenceModel.h"

#include <array>
#include <memory>
#include <unordered_map>
#include <vector>

namespace torchestra::ml {

class MarkovModel : public SequenceModel {
public:
    explicit MarkovModel(ModelConfig config);

    // Counts the pieces (may be called again to add more).
    void train(const std::vector<FrameSequence>& pieces);

    const ModelConfig& config() const override { return m_config; }
    std::string serialize() const override;
    static std::unique_ptr<MarkovModel> deserialize(const ModelConfig& config,
                                                    const std::string& payload, std::string& error);
    // frameSum holds -log p(frame) of the whole frame state (sounding and, when the
    // representation has them, onsets); onsetSum stays 0.
    NllResult evaluate(const FrameSequence& seq) const override;
    std::vector<FrameSequence> sample(const SampleRequest& request,
                                      const std::atomic<bool>* cancel = nullptr) const override;
    // Exact (MarkovOutlook.cpp).
    PitchOutlook outlook(const FrameSequence& seq,
                         const std::atomic<bool>* cancel = nullptr) const override;

    std::size_t distinctFrames() const { return m_frames.size(); }

private:
    using FrameKey = std::array<std::uint64_t, 4>; // 128 sounding bits, then 128 onset bits
    struct FrameKeyHash {
        std::size_t operator()(const FrameKey& k) const;
    };
    struct Continuation {
        std::uint32_t frame;
        std::uint32_t count;
    };
    struct Context {
        std::uint32_t total = 0;
        std::vector<Continuation> next;
    };
    // Per pitch: counts of state (0 off, 1 held, 2 onset) given the previous state.
    struct PitchChain {
        std::array<std::array<std::uint32_t, 3>, 3> counts{};
    };

    FrameKey keyAt(const FrameSequence& seq, int t) const;
    int stateOf(const FrameKey& key, int p) const;
    // Hash of the context for predicting step t: the metre of t and the `order` frames before.
    bool contextHash(const std::vector<std::int64_t>& frameIds, const FrameSequence& seq, int t,
                     int order, std::uint64_t& out) const;
    // The contexts of step t the model has seen, order 0 (the metre alone) up to the longest.
    std::vector<const Context*> knownContexts(const std::vector<std::int64_t>& frameIds,
                                              const FrameSequence& seq, int t) const;
    double baseLogProb(const FrameKey& prev, const FrameKey& next) const;
    double logProb(const std::vector<std::int64_t>& frameIds, const FrameSequence& seq, int t,
                   const FrameKey& prevKey, const FrameKey& key) const;
    std::int64_t frameId(const FrameKey& key) const;
    int stateCount() const { return m_config.representation.onsets ? 3 : 2; }
    class Sampler; // one sample() call (MarkovModel.cpp)

    ModelConfig m_config;
    std::vector<FrameKey> m_frames;
    std::unordered_map<FrameKey, std::uint32_t, FrameKeyHash> m_frameIndex;
    // Per order 0..n: order 0 is the metre alone (which frames occur at this point of the bar).
    std::vector<std::unordered_map<std::uint64_t, Context>> m_contexts;
    std::vector<PitchChain> m_chains;
    std::vector<std::uint32_t> m_velocityCounts;
};

} // namespace torchestra::ml
