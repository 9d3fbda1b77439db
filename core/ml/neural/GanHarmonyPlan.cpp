#include "ml/neural/GanHarmonyPlan.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace torchestra::ml::neural {

namespace {

constexpr int kPitchClasses = 12;

bool silent(const float* profile) {
    float sum = 0;
    for (int q = 0; q < kPitchClasses; ++q)
        sum += profile[q];
    return sum <= 0;
}

// `profile` (`size` floats: the bar's kFeatures, then its quarters' 12 each) moved down by
// `shift` semitones (pitch class q + shift becomes q); the flag stays.
void transposed(const float* profile, int shift, int size, float* out) {
    for (int q = 0; q < kPitchClasses; ++q)
        out[q] = profile[(q + shift) % kPitchClasses];
    out[kPitchClasses] = profile[kPitchClasses];
    for (int at = HarmonyPlan::kFeatures; at < size; at += kPitchClasses)
        for (int q = 0; q < kPitchClasses; ++q)
            out[at + q] = profile[at + (q + shift) % kPitchClasses];
}

// The 12 shares `shares` pushed `guidance` times as far from `before`'s (guideProfile).
void guideShares(const float* before, double guidance, float* shares) {
    double sum = 0;
    for (int q = 0; q < kPitchClasses; ++q) {
        shares[q] = float(std::max(0.0, before[q] + guidance * (shares[q] - before[q])));
        sum += shares[q];
    }
    for (int q = 0; q < kPitchClasses && sum > 0; ++q)
        shares[q] = float(shares[q] / sum);
}

} // namespace

HarmonyPlan HarmonyPlan::fromPieces(const std::vector<FrameSequence>& pieces, const GanShape& shape,
                                    int barSteps, bool quarters) {
    HarmonyPlan plan;
    plan.m_quarters = quarters;
    const std::size_t profile = std::size_t(plan.profileSize());
    std::vector<float> all;
    std::vector<float> before(profile), after(profile);
    for (const FrameSequence& piece : pieces) {
        const std::vector<StepRange> bars = ganBars(piece, barSteps);
        for (std::size_t j = 0; j + 1 < bars.size(); ++j) {
            keyFeatures({KeySource{&piece, {bars[j]}}}, 0, shape, before.data());
            keyFeatures({KeySource{&piece, {bars[j + 1]}}}, 0, shape, after.data());
            if (silent(before.data()) || silent(after.data()))
                continue;
            if (quarters) {
                quarterProfiles(piece, bars[j], 0, shape, before.data() + kFeatures);
                quarterProfiles(piece, bars[j + 1], 0, shape, after.data() + kFeatures);
            }
            all.insert(all.end(), before.begin(), before.end());
            all.insert(all.end(), after.begin(), after.end());
        }
    }
    const std::size_t pairSize = 2 * profile, count = all.size() / pairSize;
    if (count <= kMaxPairs) {
        plan.m_pairs = std::move(all);
        return plan;
    }
    plan.m_pairs.reserve(kMaxPairs * pairSize);
    for (std::size_t k = 0; k < kMaxPairs; ++k) {
        const std::size_t i = k * count / kMaxPairs;
        plan.m_pairs.insert(plan.m_pairs.end(), all.begin() + long(i * pairSize),
                            all.begin() + long((i + 1) * pairSize));
    }
    return plan;
}

HarmonyPlan HarmonyPlan::fromData(std::vector<float> data, bool quarters, std::string& error) {
    error.clear();
    HarmonyPlan plan;
    plan.m_quarters = quarters;
    if (data.size() % (2 * std::size_t(plan.profileSize())) != 0) {
        error = "harmony plan: " + std::to_string(data.size()) + " values, not whole pairs";
        return {};
    }
    for (float v : data)
        if (!std::isfinite(v) || v < 0 || v > 1) {
            error = "harmony plan: a profile value outside 0..1";
            return {};
        }
    plan.m_pairs = std::move(data);
    return plan;
}

void HarmonyPlan::next(const float* current, std::mt19937_64& rng, float* out) const {
    Walk walk;
    next(current, rng, out, walk);
}

void HarmonyPlan::next(const float* current, std::mt19937_64& rng, float* out, Walk& walk) const {
    const std::size_t pairs = size(), profile = std::size_t(profileSize()), pair = 2 * profile;
    const float* base = m_pairs.data();
    // The piece goes on where the next pair starts with the bar this one ends on (pairs of a
    // piece are stored in order; a silent bar or the piece's end breaks the chain).
    if (walk.started && walk.pair + 1 < pairs &&
        std::equal(base + walk.pair * pair + profile, base + (walk.pair + 1) * pair,
                   base + (walk.pair + 1) * pair)) {
        ++walk.pair;
        transposed(base + walk.pair * pair + profile, walk.shift, int(profile), out);
        return;
    }
    walk.started = false;

    if (pairs == 0) {
        std::fill(out, out + profile, 0.f);
        return;
    }
    if (silent(current)) {
        const std::size_t i = std::uniform_int_distribution<std::size_t>(0, pairs - 1)(rng);
        const int shift = std::uniform_int_distribution<int>(0, kPitchClasses - 1)(rng);
        transposed(base + i * pair, shift, int(profile), out);
        return; // a first bar, not a pair's second: the walk starts at the next match
    }
    // The kNearest closest (pair, transposition), kept sorted by distance.
    struct Match {
        float distance = std::numeric_limits<float>::infinity();
        std::size_t pair = 0;
        int shift = 0;
    };
    std::array<Match, kNearest> best{};
    for (std::size_t i = 0; i < pairs; ++i) {
        const float* first = base + i * pair;
        for (int shift = 0; shift < kPitchClasses; ++shift) {
            float d = 0;
            for (int q = 0; q < kPitchClasses; ++q) {
                const float e = first[(q + shift) % kPitchClasses] - current[q];
                d += e * e;
            }
            if (d >= best.back().distance)
                continue;
            std::size_t at = best.size() - 1;
            for (; at > 0 && best[at - 1].distance > d; --at)
                best[at] = best[at - 1];
            best[at] = {d, i, shift};
        }
    }
    const std::size_t found = std::min<std::size_t>(kNearest, pairs * kPitchClasses);
    const Match& m = best[std::uniform_int_distribution<std::size_t>(0, found - 1)(rng)];
    transposed(base + m.pair * pair + profile, m.shift, int(profile), out);
    walk = {m.pair, m.shift, true};
}

void guideProfile(const float* before, double guidance, float* profile, int quarters) {
    if (guidance == 1.0 || silent(before))
        return;
    guideShares(before, guidance, profile);
    for (int k = 0; k < quarters; ++k) {
        float* shares = profile + HarmonyPlan::kFeatures + k * kPitchClasses;
        if (!silent(shares)) // a quarter of rest stays one
            guideShares(before, guidance, shares);
    }
}

} // namespace torchestra::ml::neural
