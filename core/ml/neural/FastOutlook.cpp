#include "ml/neural/FastOutlook.h"

#include "ml/neural/FastRunner.h"
#include "ml/neural/PackedKernels.h"

#include <cmath>
#include <vector>

namespace torchestra::ml::neural {

namespace {

// The average over draws of the step's frame of each pitch's probability given the pitches
// below it in that draw, into `out` (pitches floats). The draws are stratified: draw d decides
// pitch p with u = frac((d + 1/2) / draws + offset_p), so each pitch's uniforms are evenly
// spread over [0, 1) and the share of draws in which a pitch sounds is within about 1/draws of
// its probability, where independent draws would be off by 1/(2 sqrt(draws)). The offsets (a
// golden-ratio sequence) keep the pitches' draws from moving in step.
void nadeMarginals(FastRunner& runner, int pitches, int draws, float* out) {
    constexpr double kGolden = 0.6180339887498949;
    std::vector<double> sum(std::size_t(pitches), 0.0);
    for (int d = 0; d < draws; ++d) {
        runner.nadeBegin(0);
        for (int p = 0; p < pitches; ++p) {
            const float prob = sigmoidScalar(runner.nadeLogit(0, p));
            sum[std::size_t(p)] += prob;
            const double u = (d + 0.5) / draws + p * kGolden;
            if (u - std::floor(u) < prob)
                runner.nadeSet(0, p);
        }
    }
    for (int p = 0; p < pitches; ++p)
        out[p] = float(sum[std::size_t(p)] / draws);
}

} // namespace

PitchOutlook fastOutlook(const FastWeights& w, const RepresentationConfig& rep,
                         const FrameSequence& seq, const std::atomic<bool>* cancel,
                         int nadeSamples) {
    const int T = seq.steps;
    const int P = w.pitches;
    PitchOutlook out;
    out.pitches = P;
    out.samples = w.head == HeadKind::Autoregressive ? nadeSamples : 0;
    out.sounding.assign(std::size_t(T) * P, 0.f);
    out.starting.assign(std::size_t(T) * P, 0.f);
    FastRunner runner(w, 1);
    std::vector<float> x(std::size_t(w.input));
    std::vector<float> onset(std::size_t(P), 1.f);
    for (int t = 0; t < T; ++t) {
        if (cancel && cancel->load())
            return {};
        buildInput(seq, t - 1, rep, x.data());
        runner.step(x.data());
        float* sound = out.sounding.data() + std::size_t(t) * P;
        if (w.head == HeadKind::Independent) {
            runner.frameLogits(0, sound);
            for (int p = 0; p < P; ++p)
                sound[p] = sigmoidScalar(sound[p]);
        } else {
            nadeMarginals(runner, P, nadeSamples, sound);
        }
        if (w.onsets) {
            runner.onsetLogits(0, onset.data());
            for (int p = 0; p < P; ++p)
                onset[std::size_t(p)] = sigmoidScalar(onset[std::size_t(p)]);
        }
        float* start = out.starting.data() + std::size_t(t) * P;
        for (int p = 0; p < P; ++p) {
            // Without onsets a pitch that sounded a step ago goes on sounding: no new note.
            const bool held = !w.onsets && t > 0 && seq.sounds(t - 1, p);
            start[p] = held ? 0.f : sound[p] * onset[std::size_t(p)];
        }
    }
    out.steps = T;
    return out;
}

} // namespace torchestra::ml::neural
