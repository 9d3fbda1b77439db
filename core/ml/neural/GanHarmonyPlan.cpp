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

// `profile` moved down by `shift` semitones (pitch class q + shift becomes q); the flag stays.
void transposed(const float* profile, int shift, float* out) {
    for (int q = 0; q < kPitchClasses; ++q)
        out[q] = profile[(q + shift) % kPitchClasses];
    out[kPitchClasses] = profile[kPitchClasses];
}

} // namespace

HarmonyPlan HarmonyPlan::fromPieces(const std::vector<FrameSequence>& pieces, const GanShape& shape,
                                    int barSteps) {
    std::vector<float> all;
    for (const FrameSequence& piece : pieces) {
        const std::vector<StepRange> bars = ganBars(piece, barSteps);
        std::array<float, kFeatures> before{}, after{};
        for (std::size_t j = 0; j + 1 < bars.size(); ++j) {
            keyFeatures({KeySource{&piece, {bars[j]}}}, 0, shape, before.data());
            keyFeatures({KeySource{&piece, {bars[j + 1]}}}, 0, shape, after.data());
            if (silent(before.data()) || silent(after.data()))
                continue;
            all.insert(all.end(), before.begin(), before.end());
            all.insert(all.end(), after.begin(), after.end());
        }
    }
    HarmonyPlan plan;
    const std::size_t pairSize = 2 * kFeatures, count = all.size() / pairSize;
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

HarmonyPlan HarmonyPlan::fromData(std::vector<float> data, std::string& error) {
    error.clear();
    if (data.size() % (2 * kFeatures) != 0) {
        error = "harmony plan: " + std::to_string(data.size()) + " values, not whole pairs";
        return {};
    }
    for (float v : data)
        if (!std::isfinite(v) || v < 0 || v > 1) {
            error = "harmony plan: a profile value outside 0..1";
            return {};
        }
    HarmonyPlan plan;
    plan.m_pairs = std::move(data);
    return plan;
}

void HarmonyPlan::next(const float* current, std::mt19937_64& rng, float* out) const {
    Walk walk;
    next(current, rng, out, walk);
}

void HarmonyPlan::next(const float* current, std::mt19937_64& rng, float* out, Walk& walk) const {
    const std::size_t pairs = size();
    const float* base = m_pairs.data();
    // The piece goes on where the next pair starts with the bar this one ends on (pairs of a
    // piece are stored in order; a silent bar or the piece's end breaks the chain).
    if (walk.started && walk.pair + 1 < pairs &&
        std::equal(base + walk.pair * 2 * kFeatures + kFeatures,
                   base + (walk.pair + 1) * 2 * kFeatures,
                   base + (walk.pair + 1) * 2 * kFeatures)) {
        ++walk.pair;
        transposed(base + walk.pair * 2 * kFeatures + kFeatures, walk.shift, out);
        return;
    }
    walk.started = false;

    if (pairs == 0) {
        std::fill(out, out + kFeatures, 0.f);
        return;
    }
    if (silent(current)) {
        const std::size_t i = std::uniform_int_distribution<std::size_t>(0, pairs - 1)(rng);
        const int shift = std::uniform_int_distribution<int>(0, kPitchClasses - 1)(rng);
        transposed(base + i * 2 * kFeatures, shift, out);
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
        const float* first = base + i * 2 * kFeatures;
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
    transposed(base + m.pair * 2 * kFeatures + kFeatures, m.shift, out);
    walk = {m.pair, m.shift, true};
}

void guideProfile(const float* before, double guidance, float* profile) {
    double written = 0;
    for (int q = 0; q < kPitchClasses; ++q)
        written += before[q];
    if (guidance == 1.0 || written <= 0)
        return;
    double sum = 0;
    for (int q = 0; q < kPitchClasses; ++q) {
        profile[q] = float(std::max(0.0, before[q] + guidance * (profile[q] - before[q])));
        sum += profile[q];
    }
    for (int q = 0; q < kPitchClasses && sum > 0; ++q)
        profile[q] = float(profile[q] / sum);
}

} // namespace torchestra::ml::neural
