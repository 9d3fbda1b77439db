#pragma once

// The harmony a GAN follows from bar to bar (ModelConfig::harmonyPlan). Such a GAN conditions
// each bar on the bar's own pitch-class profile (keyFeatures of the bar itself). When it
// writes, the next bar's profile comes from the training music's own progressions: the
// training bars whose profiles are nearest to the bar just written, under any of the 12
// transpositions; one of the closest few is taken at random, and the profile of the bar that
// followed it, transposed alike, is the next bar's.
//
// Why: a GAN conditioned on the key of the bars before, with its noise carried from bar to bar
// to keep the texture, kept the harmony as well. Its four-bar pitch-class entropy stayed at that
// of one bar (docs/results.md, session 18). The profile gives harmony a condition of its own
// that the generator cannot ignore. The noise keeps the texture, and the plan moves the
// harmony the way the training music moves it.
//
// No torch here; the pairs travel in the GAN payload (GanModel.cpp).

#include "ml/neural/GanBars.h"

#include <cstddef>
#include <random>
#include <string>
#include <vector>

namespace torchestra::ml::neural {

// `profile` (the plan's next: kFeatures floats, then `quarters` x 12 for a plan with quarters)
// pushed `guidance` times as far from `before` (the bar just written's kFeatures) in its 12
// pitch-class shares, and so each quarter's that sounds: before + guidance (profile - before),
// clipped at 0 and summed to 1 again; its mode flag is left. Unchanged at guidance 1, or when
// `before` is silent (a first bar without a primer).
void guideProfile(const float* before, double guidance, float* profile, int quarters = 0);

class HarmonyPlan {
public:
    static constexpr int kFeatures = GanShape::kKeyFeatures;
    // Profiles a draw chooses among (chosen on JSB's valid split: docs/results.md).
    static constexpr int kNearest = 8;
    // Pairs kept at most; a larger corpus is thinned evenly. 20,000 pairs keep a draw under a
    // millisecond.
    static constexpr std::size_t kMaxPairs = 20000;

    HarmonyPlan() = default;
    // The profile pairs of consecutive bars (ganBars) of `pieces` where neither bar is silent;
    // with `quarters` each bar's profile is followed by its quarters' (quarterProfiles), for a
    // GAN that conditions each quarter of its bar on its own (ModelConfig::harmonyQuarters).
    static HarmonyPlan fromPieces(const std::vector<FrameSequence>& pieces, const GanShape& shape,
                                  int barSteps, bool quarters = false);
    // From data() of another plan with or without quarters; empty `error` on success.
    static HarmonyPlan fromData(std::vector<float> data, bool quarters, std::string& error);

    bool empty() const { return m_pairs.empty(); }
    bool quarters() const { return m_quarters; }
    // Floats a bar's profile takes: kFeatures, then kBarQuarters x 12 with quarters.
    int profileSize() const { return kFeatures + (m_quarters ? kBarQuarters * 12 : 0); }
    std::size_t size() const { return m_pairs.size() / (2 * std::size_t(profileSize())); }
    // Pairs as floats: per pair the first bar's profile, then the next bar's.
    const std::vector<float>& data() const { return m_pairs; }

    // The profile (profileSize() floats into `out`) of the bar after one whose profile is
    // `current` (kFeatures floats: the bar's own, without quarters). When `current` is silent
    // (all zero), any pair's first profile, in any key. An empty plan (an untrained model's)
    // gives the silent profile: no harmony asked for.
    void next(const float* current, std::mt19937_64& rng, float* out) const;
    // Where a progression drawn by next() stands: the pair last drawn and its transposition.
    struct Walk {
        std::size_t pair = 0;
        int shift = 0;
        bool started = false;
    };
    // As next(), but once `walk` has started, the bar after the one drawn last in its training
    // piece (in the same transposition) while the piece goes on, without a new match: the
    // training music's progression as written (SampleRequest::harmonyProgressions). Matched
    // anew to each bar written, the profiles drift with what the generator writes: on JSB its
    // bars hold fewer pitch classes than the plan asks (entropy 2.38 against 2.45), and the
    // next match, made to them, asks for fewer still (docs/results.md, session 21).
    void next(const float* current, std::mt19937_64& rng, float* out, Walk& walk) const;

private:
    std::vector<float> m_pairs;
    bool m_quarters = false;
};

} // namespace torchestra::ml::neural
