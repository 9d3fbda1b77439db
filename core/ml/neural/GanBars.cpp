#include "ml/neural/GanBars.h"

#include "ml/KeyOdds.h"
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

void quarterProfiles(const FrameSequence& seq, StepRange bar, int shift, const GanShape& shape,
                     float* out) {
    const int quarter = shape.steps / kBarQuarters;
    float features[GanShape::kKeyFeatures];
    for (int k = 0; k < kBarQuarters; ++k) {
        // Past the bar's end the range is empty, and keyFeatures gives silence.
        const int from = bar.first + k * quarter, to = std::min(bar.second, from + quarter);
        keyFeatures({KeySource{&seq, {{from, to}}}}, shift, shape, features);
        std::copy(features, features + 12, out + k * 12);
    }
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
    if (c.quarterKey)
        for (int s = 0; s < S; ++s)
            for (int q = 0; q < 12; ++q)
                flags[(3 + q) * S + s] = c.quarterKey[s * kBarQuarters / S * 12 + q];
}

std::vector<std::uint8_t> noteStarts(const FrameSequence& seq, StepRange bar,
                                     const GanShape& shape) {
    std::vector<std::uint8_t> starts(std::size_t(shape.steps), 0);
    for (int t = bar.first; t < bar.second && t - bar.first < shape.steps; ++t)
        starts[std::size_t(t - bar.first)] = std::uint8_t(seq.startsAny(t));
    return starts;
}

namespace {

// The velocity bin of each step of the bar where a note starts (marked by decodeBar): the
// generator's dynamic level averaged over the steps from that one to the next start in the bar
// that sound, as the level is learnt on every sounding step; one step's level alone (the edge
// of the bar, for its first) was a bin off in the toy of GanTest.VelocitiesAreLearnedNotFixed.
void decodeVelocities(const float* prob, const GanShape& shape, int steps, FrameSequence& out,
                      int from) {
    if (out.velocityBin.empty())
        return;
    const int P = shape.pitches, S = shape.steps, bins = std::max(1, shape.velocityBins);
    const auto sounds = [&](int s) {
        for (int p = 0; p < P; ++p)
            if (out.sounds(from + s, p))
                return true;
        return false;
    };
    steps = std::min(steps, int(out.velocityBin.size()) - from);
    for (int s = 0; s < steps; ++s) {
        std::uint8_t& bin = out.velocityBin[std::size_t(from + s)];
        if (bin == kNoVelocity)
            continue;
        if (!shape.velocity) {
            bin = kNoVelocity;
            continue;
        }
        double sum = prob[2 * P * S + s];
        int count = 1;
        for (int u = s + 1; u < steps && out.velocityBin[std::size_t(from + u)] == kNoVelocity; ++u)
            if (sounds(u)) {
                sum += prob[2 * P * S + u];
                ++count;
            }
        bin = std::uint8_t(std::clamp(int(std::lround(sum / count * (bins - 1))), 0, bins - 1));
    }
}

// Whether pitch p, sounding at step t - 1, began its note in the `steps` steps before t.
bool startedWithin(const FrameSequence& out, int t, int p, int steps) {
    for (int u = 1; u <= steps && t - u >= 0 && out.sounds(t - u, p); ++u)
        if (out.beginsNote(t - u, p))
            return true;
    return false;
}

} // namespace

BarDecoding barDecoding(const SampleRequest& request) {
    BarDecoding decoding;
    const RhythmOdds& rhythm = request.rhythm;
    if (request.holdOdds >= 0)
        decoding.holdOdds = request.holdOdds;
    if (request.shortestNote > 1)
        decoding.shortestNote = request.shortestNote;
    if (!rhythm.isDefault()) {
        decoding.startOdds = rhythm.startOdds;
        decoding.offBeatOdds = rhythm.offBeatOdds;
    }
    return decoding;
}

int primerShortestNote(const FrameSequence& primer, StepRange bar, int cap) {
    int shortest = 0;
    for (int p = 0; p < primer.pitches; ++p)
        for (int t = std::max(0, bar.first); t < std::min(bar.second, primer.steps); ++t) {
            if (!primer.beginsNote(t, p))
                continue;
            int end = t + 1;
            while (end < primer.steps && primer.sounds(end, p) && !primer.beginsNote(end, p))
                ++end;
            if (end < primer.steps && (shortest == 0 || end - t < shortest))
                shortest = end - t;
        }
    return shortest > 0 ? std::min(shortest, std::max(1, cap)) : 0;
}

KeyedDecoding::KeyedDecoding(const SampleRequest& request, const RepresentationConfig& rep,
                             int barSteps, int takes)
    : m_primer(request.primer), m_rep(rep), m_keepKey(keyOddsInEffect(request.outOfKeyOdds)),
      m_decoding(barDecoding(request)), m_tonics(std::size_t(std::max(0, takes)), -1),
      m_outside(std::size_t(rep.pitches()), 0) {
    if (request.shortestNote == kShortestNoteOfPrimer) {
        // The bar before; an infill at a song's start has none, and keeps the pace of the bar
        // after it (the music it leads into) instead of any length.
        const std::vector<StepRange> before = ganBars(request.primer, barSteps);
        const std::vector<StepRange> after = ganBars(request.following, barSteps);
        const int shortest =
            !before.empty() ? primerShortestNote(request.primer, before.back(), rep.stepsPerBeat)
            : !after.empty()
                ? primerShortestNote(request.following, after.front(), rep.stepsPerBeat)
                : 0;
        m_decoding.shortestNote = std::max(1, shortest);
    }
    if (m_keepKey)
        m_decoding.outOfKeyOdds = request.outOfKeyOdds;
}

const BarDecoding& KeyedDecoding::forBar(int v, const FrameSequence& take, int from) {
    if (!m_keepKey)
        return m_decoding;
    int& tonic = m_tonics[std::size_t(v)];
    tonic = keyBefore(m_primer, take, from, m_rep.stepsPerBeat, m_rep.lowPitch, tonic);
    for (int p = 0; p < m_rep.pitches(); ++p)
        m_outside[std::size_t(p)] = outsideKey(tonic, m_rep.lowPitch, p) ? 1 : 0;
    m_decoding.outsideKey = m_outside.data();
    return m_decoding;
}

void decodeBar(const float* prob, const GanShape& shape, int length,
               const SamplingConstraints& constraints, const BarDecoding& decoding,
               const std::uint8_t* startsBefore, FrameSequence& out, int from,
               std::vector<int>& scratch) {
    const int P = shape.pitches, S = shape.steps;
    std::vector<std::uint8_t> frame(std::size_t(P), 0);
    std::vector<float> weight(std::size_t(P), 0.f);
    // Which held pitches began their note too few steps ago to end or be struck again: read
    // once a step by the sounding pass, kept for the onset pass.
    std::vector<std::uint8_t> young(std::size_t(P), 0);
    const auto weighed = [](double q, double factor) {
        if (q >= 1.0 || factor == 1.0)
            return q;
        const double odds = q / (1.0 - q) * factor;
        return odds / (1.0 + odds);
    };
    for (int s = 0; s < std::min(length, S); ++s) {
        const int t = from + s;
        const double newNote = !startsBefore          ? 1.0
                               : startsBefore[s] != 0 ? decoding.startOdds
                                                      : decoding.offBeatOdds;
        int count = 0;
        for (int p = 0; p < P; ++p) {
            const bool held = t > 0 && out.sounds(t - 1, p);
            young[std::size_t(p)] =
                held && startedWithin(out, t, p, decoding.shortestNote - 1) ? 1 : 0;
            double q = prob[(P + p) * S + s];
            if (young[std::size_t(p)])
                q = 1.0; // too young to end
            if (held)
                q = weighed(q, decoding.holdOdds);
            else if (q < 1.0)
                q = weighed(q, constraints.newNoteWeight(1.0) * newNote *
                                   (decoding.outsideKey && decoding.outsideKey[p]
                                        ? decoding.outOfKeyOdds
                                        : 1.0));
            frame[std::size_t(p)] = constraints.allows(p) && q > 0.5 ? 1 : 0;
            weight[std::size_t(p)] = float(q);
            count += frame[std::size_t(p)];
        }
        constraints.capPolyphony(frame.data(), count, weight.data(), scratch);
        constraints.fillPolyphony(frame.data(), count, weight.data());
        bool anyOnset = false;
        for (int p = 0; p < P; ++p) {
            const std::size_t i = std::size_t(t) * std::size_t(P) + std::size_t(p);
            out.sounding[i] = frame[std::size_t(p)];
            if (!frame[std::size_t(p)] || out.onset.empty())
                continue;
            const bool held = t > 0 && out.sounds(t - 1, p);
            out.onset[i] = !held || (!young[std::size_t(p)] && prob[p * S + s] > 0.5f) ? 1 : 0;
            anyOnset = anyOnset || out.onset[i];
        }
        if (std::size_t(t) < out.velocityBin.size())
            out.velocityBin[std::size_t(t)] = anyOnset ? 0 : kNoVelocity;
    }
    decodeVelocities(prob, shape, std::min(length, S), out, from);
}

} // namespace torchestra::ml::neural
