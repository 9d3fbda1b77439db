#include "ml/neural/GanBars.h"

#include "ml/MusicMetrics.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace torchestra::ml::neural {

GanShape ganShape(const RepresentationConfig& rep, int barSteps) {
    GanShape s;
    s.pitches = rep.pitches();
    s.lowPitch = rep.lowPitch;
    s.steps = barSteps;
    s.velocity = rep.velocity;
    s.velocityBins = rep.velocityBins;
    return s;
}

std::vector<StepRange> ganBars(const FrameSequence& piece, int barSteps) {
    std::vector<StepRange> out;
    for (const auto& [from, to] : barRanges(piece, barSteps))
        for (int a = from; a < to; a += std::max(1, barSteps))
            out.emplace_back(a, std::min(to, a + barSteps));
    return out;
}

namespace {

// The dynamic level at step t: the velocity bin of the last step with an onset at or before t
// (looking back at most a few bars), or -1.
int levelAt(const FrameSequence& seq, int t) {
    for (int u = t; u >= 0 && u > t - 64; --u)
        if (std::size_t(u) < seq.velocityBin.size() &&
            seq.velocityBin[std::size_t(u)] != kNoVelocity)
            return seq.velocityBin[std::size_t(u)];
    return -1;
}

} // namespace

void encodeBar(const FrameSequence& seq, StepRange bar, int shift, const GanShape& shape,
               float* out) {
    const int P = shape.pitches, S = shape.steps;
    const int length = std::min(bar.second - bar.first, S);
    const float velocityScale = shape.velocityBins > 1 ? 1.f / float(shape.velocityBins - 1) : 0.f;
    for (int s = 0; s < length; ++s) {
        const int t = bar.first + s;
        bool sounds = false;
        for (int p = 0; p < P; ++p) {
            if (!seq.sounds(t, p))
                continue;
            const int q = p + shift;
            if (q < 0 || q >= P)
                continue;
            out[(P + q) * S + s] = 1.f;
            sounds = true;
            if (seq.starts(t, p))
                out[q * S + s] = 1.f;
        }
        // The level of the last onset on every sounding step, not only on the onset's own:
        // a dense signal the critic notices (on onset steps alone the generator did not learn
        // velocities in tests/ml/GanTest.cpp's toy), and what a held chord sounds at.
        const int level = shape.velocity && sounds ? levelAt(seq, t) : -1;
        if (level >= 0)
            out[2 * P * S + s] = float(level) * velocityScale;
    }
}

namespace {

// Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
constexpr std::array<double, 12> kMajor = {6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                                           2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
constexpr std::array<double, 12> kMinor = {6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                           2.54, 4.75, 3.98, 2.69, 3.34, 3.17};

double bestCorrelation(const std::array<double, 12>& chroma,
                       const std::array<double, 12>& profile) {
    double best = -2;
    for (int tonic = 0; tonic < 12; ++tonic) {
        double mx = 0, my = 0;
        for (int k = 0; k < 12; ++k) {
            mx += chroma[std::size_t(k)];
            my += profile[std::size_t((k - tonic + 12) % 12)];
        }
        mx /= 12;
        my /= 12;
        double sxy = 0, sxx = 0, syy = 0;
        for (int k = 0; k < 12; ++k) {
            const double x = chroma[std::size_t(k)] - mx;
            const double y = profile[std::size_t((k - tonic + 12) % 12)] - my;
            sxy += x * y;
            sxx += x * x;
            syy += y * y;
        }
        if (sxx > 0 && syy > 0)
            best = std::max(best, sxy / std::sqrt(sxx * syy));
    }
    return best;
}

} // namespace

void keyFeatures(const std::vector<KeySource>& sources, int shift, const GanShape& shape,
                 float* out) {
    std::array<double, 12> chroma{};
    double total = 0;
    for (const KeySource& source : sources) {
        const FrameSequence& seq = *source.seq;
        for (const auto& [from, to] : source.ranges)
            for (int t = std::max(0, from); t < std::min(to, seq.steps); ++t)
                for (int p = 0; p < seq.pitches; ++p)
                    if (seq.sounds(t, p)) {
                        chroma[std::size_t(((shape.lowPitch + p + shift) % 12 + 12) % 12)] += 1;
                        total += 1;
                    }
    }
    std::fill(out, out + GanShape::kKeyFeatures, 0.f);
    if (total <= 0)
        return;
    for (int k = 0; k < 12; ++k)
        out[k] = float(chroma[std::size_t(k)] / total);
    out[12] = bestCorrelation(chroma, kMinor) > bestCorrelation(chroma, kMajor) ? 1.f : 0.f;
}

void encodeCondition(const BarCondition& c, const GanShape& shape, float* out) {
    const int S = shape.steps;
    float* flags = out + std::size_t(shape.firstGlobalChannel()) * std::size_t(S);
    if (c.previous) {
        encodeBar(*c.previous, c.previousBar, c.shift, shape, out);
        std::fill(flags, flags + S, 1.f);
    }
    if (c.next) {
        encodeBar(*c.next, c.nextBar, c.shift, shape, out + shape.barSize());
        std::fill(flags + S, flags + 2 * S, 1.f);
    }
    std::fill(flags + 2 * S, flags + 2 * S + std::min(c.length, S), 1.f);
    if (c.key)
        for (int k = 0; k < GanShape::kKeyFeatures; ++k)
            std::fill(flags + (3 + k) * S, flags + (4 + k) * S, c.key[k]);
}

void decodeBar(const float* prob, const GanShape& shape, int length,
               const SamplingConstraints& constraints, FrameSequence& out, int from,
               std::vector<int>& scratch) {
    const int P = shape.pitches, S = shape.steps;
    std::vector<std::uint8_t> frame(std::size_t(P), 0);
    std::vector<float> weight(std::size_t(P), 0.f);
    for (int s = 0; s < std::min(length, S); ++s) {
        const int t = from + s;
        int count = 0;
        for (int p = 0; p < P; ++p) {
            const bool held = t > 0 && out.sounds(t - 1, p);
            double q = prob[(P + p) * S + s];
            if (!held && q < 1.0) {
                const double odds = constraints.newNoteWeight(q / (1.0 - q));
                q = odds / (1.0 + odds);
            }
            frame[std::size_t(p)] = constraints.allows(p) && q > 0.5 ? 1 : 0;
            weight[std::size_t(p)] = float(q);
            count += frame[std::size_t(p)];
        }
        constraints.capPolyphony(frame.data(), count, weight.data(), scratch);
        bool anyOnset = false;
        for (int p = 0; p < P; ++p) {
            const std::size_t i = std::size_t(t) * std::size_t(P) + std::size_t(p);
            out.sounding[i] = frame[std::size_t(p)];
            if (!frame[std::size_t(p)] || out.onset.empty())
                continue;
            const bool held = t > 0 && out.sounds(t - 1, p);
            out.onset[i] = !held || prob[p * S + s] > 0.5f ? 1 : 0;
            anyOnset = anyOnset || out.onset[i];
        }
        if (std::size_t(t) < out.velocityBin.size()) {
            const int bins = std::max(1, shape.velocityBins);
            const int bin = int(std::lround(double(prob[2 * P * S + s]) * (bins - 1)));
            out.velocityBin[std::size_t(t)] = shape.velocity && anyOnset
                                                  ? std::uint8_t(std::clamp(bin, 0, bins - 1))
                                                  : kNoVelocity;
        }
    }
}

} // namespace torchestra::ml::neural
