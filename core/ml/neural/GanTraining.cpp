#include "ml/neural/GanTraining.h"

#include <algorithm>
#include <vector>

namespace torchestra::ml::neural {

GanBarIndex indexBars(const std::vector<FrameSequence>& pieces, int barSteps) {
    GanBarIndex set;
    for (std::size_t p = 0; p < pieces.size(); ++p) {
        set.bars.push_back(ganBars(pieces[p], barSteps));
        for (std::size_t b = 0; b < set.bars.back().size(); ++b)
            set.index.emplace_back(int(p), int(b));
    }
    return set;
}

int ganBarSteps(const std::vector<FrameSequence>& pieces, int unmetered) {
    int longest = 0;
    for (const FrameSequence& piece : pieces) {
        const bool metre = !piece.beatInBar.empty() && piece.beatInBar[0] != kUnknownMetre;
        if (!metre) {
            longest = std::max(longest, unmetered);
            continue;
        }
        // A piece's last bar may be cut short; the others are whole.
        const auto bars = ganBars(piece, 1 << 20);
        for (std::size_t i = 0; i < bars.size(); ++i)
            if (i + 1 < bars.size() || bars.size() == 1)
                longest = std::max(longest, bars[i].second - bars[i].first);
    }
    return std::clamp((std::max(longest, 1) + 3) / 4 * 4, 4, 64);
}

GanBatch makeGanBatch(const std::vector<FrameSequence>& pieces, const GanBarIndex& data,
                      const GanShape& shape, HarmonyInput harmony, int count, int transpose,
                      std::mt19937_64& rng) {
    GanBatch batch;
    batch.real = torch::zeros({count, shape.barChannels(), shape.steps});
    batch.condition = torch::zeros({count, shape.conditionChannels(), shape.steps});
    std::uniform_int_distribution<std::size_t> pick(0, data.index.size() - 1);
    std::uniform_int_distribution<int> shiftBy(-transpose, transpose);
    std::uniform_real_distribution<double> chance(0.0, 1.0);
    for (int b = 0; b < count; ++b) {
        const auto [pi, bi] = data.index[pick(rng)];
        const FrameSequence& piece = pieces[std::size_t(pi)];
        const std::vector<StepRange>& bars = data.bars[std::size_t(pi)];
        const int shift = transpose > 0 ? shiftBy(rng) : 0;
        encodeBar(piece, bars[std::size_t(bi)], shift, shape, batch.real[b].data_ptr<float>());
        BarCondition c;
        c.shift = shift;
        c.length = bars[std::size_t(bi)].second - bars[std::size_t(bi)].first;
        KeySource key{&piece, {}};
        if (bi > 0 && chance(rng) >= kDropPrevious) {
            c.previous = &piece;
            c.previousBar = bars[std::size_t(bi - 1)];
            for (int j = std::max(0, bi - kKeyContextBars); j < bi; ++j)
                key.ranges.push_back(bars[std::size_t(j)]);
        }
        if (std::size_t(bi + 1) < bars.size() && chance(rng) < kKeepNext) {
            c.next = &piece;
            c.nextBar = bars[std::size_t(bi + 1)];
            key.ranges.push_back(c.nextBar);
        }
        if (harmony != HarmonyInput::KeyAround)
            key.ranges = {bars[std::size_t(bi)]};
        float features[GanShape::kKeyFeatures];
        keyFeatures({key}, shift, shape, features);
        c.key = features;
        float quarters[kBarQuarters * 12];
        if (harmony == HarmonyInput::OwnQuarters) {
            quarterProfiles(piece, bars[std::size_t(bi)], shift, shape, quarters);
            c.quarterKey = quarters;
        }
        encodeCondition(c, shape, batch.condition[b].data_ptr<float>());
    }
    return batch;
}

CriticStep criticStep(GanGenerator& generator, GanCritic& critic, torch::optim::Adam& adam,
                      const GanBatch& batch, int noise, const BeforeStep& beforeStep) {
    const std::int64_t B = batch.real.size(0);
    torch::Tensor fake;
    {
        torch::NoGradGuard noGrad;
        fake = generator(torch::randn({B, noise}), batch.condition);
    }
    adam.zero_grad();
    // The real, fake and mixed bars share their conditions, so the condition's share of the
    // critic's first layer is computed once; the real and fake bars are scored in one batch.
    const torch::Tensor term = critic->conditionTerm(batch.condition);
    const torch::Tensor scores =
        critic->score(torch::cat({batch.real, fake}), torch::cat({term, term}));
    const torch::Tensor wasserstein = scores.narrow(0, 0, B).mean() - scores.narrow(0, B, B).mean();
    const torch::Tensor penalty =
        gradientPenaltyWithTerm(critic, batch.real, fake, term, torch::rand({B}));
    const torch::Tensor loss = -wasserstein + kPenaltyWeight * penalty;
    loss.backward();
    if (beforeStep)
        beforeStep(critic->parameters(), loss.item<double>());
    adam.step();
    CriticStep step;
    step.wasserstein = wasserstein.item<double>();
    step.penalty = penalty.item<double>();
    step.loss = loss.item<double>();
    return step;
}

namespace {

// The critic's weights as constants for a generator step: the backward pass then computes
// only the gradient that reaches the generator, not the critic's own (which its next step
// would zero unread). Restored however the step ends.
class FrozenWeights {
public:
    explicit FrozenWeights(torch::nn::Module& module) : m_weights(module.parameters()) {
        for (torch::Tensor& w : m_weights)
            w.requires_grad_(false);
    }
    FrozenWeights(const FrozenWeights&) = delete;
    FrozenWeights& operator=(const FrozenWeights&) = delete;
    ~FrozenWeights() {
        for (torch::Tensor& w : m_weights)
            w.requires_grad_(true);
    }

private:
    std::vector<torch::Tensor> m_weights;
};

// The sounding channels of `bars` on their real steps: [B, pitches, steps].
torch::Tensor soundingOf(const torch::Tensor& bars, const torch::Tensor& mask,
                         const GanShape& shape) {
    return bars.narrow(1, shape.pitches, shape.pitches) * mask;
}

// A standard deviation whose gradient stays finite where the values are all alike.
torch::Tensor deviation(const torch::Tensor& x) {
    return (x.var() + 1e-6).sqrt();
}

} // namespace

torch::Tensor chromaDistance(const torch::Tensor& bars, const torch::Tensor& condition,
                             const GanShape& shape, bool quarters) {
    const std::int64_t P = shape.pitches, B = bars.size(0);
    std::vector<float> classOf(std::size_t(P * 12), 0.f);
    for (std::int64_t p = 0; p < P; ++p)
        classOf[std::size_t(p * 12 + (shape.lowPitch + p) % 12)] = 1.f;
    const torch::Tensor toClasses = torch::from_blob(classOf.data(), {P, 12}).clone();
    // Parts of the bar with a profile each (the whole bar, or its quarters), of `part` steps.
    const std::int64_t parts = quarters ? kBarQuarters : 1, part = shape.steps / parts;
    // Each sounding probability squared, so that the sure notes carry the profile: counted as
    // they are, a voice spread thinly over several steps met it as well as a note would, and
    // the decoding's threshold took such voices away (the built-in GAN's bars: 2.60 bits of
    // pitch classes in their probabilities, 2.31 over 0.5). Squared, four seeds each, every
    // GAN keeping its primer's pace: 0.882 against 0.869 on JSB's valid chorales, 0.876
    // against 0.864 on its training windows (docs/results.md, sessions 34-36). Real bars, 0 or
    // 1, are as they were.
    const torch::Tensor sounding = soundingOf(bars, stepMask(shape, condition), shape).square();
    const torch::Tensor chroma = sounding.reshape({B, P, parts, part})
                                     .sum(3)
                                     .transpose(1, 2)
                                     .matmul(toClasses); // [B, parts, 12]
    const torch::Tensor shares = chroma / (chroma.sum(2, true) + 1e-6);
    // A part's profile is the same on each of its steps: read its first.
    const torch::Tensor profile = condition.narrow(1, shape.firstGlobalChannel() + 3, 12)
                                      .index_select(2, torch::arange(0, shape.steps, part))
                                      .transpose(1, 2);
    const torch::Tensor planned = (profile.sum(2) > 0).to(torch::kFloat); // [B, parts]
    const torch::Tensor l1 = (shares - profile).abs().sum(2);
    return (l1 * planned).sum() / (planned.sum() + 1e-6);
}

torch::Tensor spreadDistance(const torch::Tensor& fake, const torch::Tensor& real,
                             const torch::Tensor& condition, const GanShape& shape) {
    const torch::Tensor mask = stepMask(shape, condition);
    const torch::Tensor pitch = torch::arange(shape.pitches, torch::kFloat).unsqueeze(0);
    const auto barFigures = [&](const torch::Tensor& bars) {
        const torch::Tensor sounding = soundingOf(bars, mask, shape);
        const torch::Tensor pitches = std::get<0>(sounding.max(2)).sum(1); // [B]
        const torch::Tensor weight = sounding.sum(2);                      // [B, pitches]
        const torch::Tensor total = weight.sum(1, true) + 1e-6;
        const torch::Tensor centre = (weight * pitch).sum(1, true) / total;
        const torch::Tensor variance = (weight * (pitch - centre).pow(2)).sum(1, true) / total;
        return std::make_pair(pitches, (variance.squeeze(1) + 1e-6).sqrt());
    };
    const auto apart = [](const torch::Tensor& f, const torch::Tensor& r) {
        // At least one pitch or semitone: where every real bar sounds as many pitches (a
        // corpus of block chords) the real deviation is 0, and the term would have no bound.
        const torch::Tensor unit = deviation(r).clamp_min(1.0);
        return ((f.mean() - r.mean()).abs() + (deviation(f) - deviation(r)).abs()) / unit;
    };
    const auto [realPitches, realSpread] = barFigures(real.detach());
    const auto [fakePitches, fakeSpread] = barFigures(fake);
    return apart(fakePitches, realPitches) + apart(fakeSpread, realSpread);
}

double generatorStep(GanGenerator& generator, GanCritic& critic, torch::optim::Adam& adam,
                     const GanBatch& batch, int noise, const BeforeStep& beforeStep,
                     const GeneratorTargets* targets) {
    const std::int64_t B = batch.condition.size(0);
    adam.zero_grad();
    const FrozenWeights frozen(*critic);
    const torch::Tensor fake = generator(torch::randn({B, noise}), batch.condition);
    torch::Tensor loss = -critic(fake, batch.condition).mean();
    if (targets && targets->chromaWeight > 0)
        loss = loss + targets->chromaWeight *
                          chromaDistance(fake, batch.condition, targets->shape, targets->quarters);
    if (targets && targets->spreadWeight > 0)
        loss = loss + targets->spreadWeight *
                          spreadDistance(fake, batch.real, batch.condition, targets->shape);
    loss.backward();
    if (beforeStep)
        beforeStep(generator->parameters(), loss.item<double>());
    adam.step();
    return loss.item<double>();
}

void ThreadChoice::record(double seconds) {
    if (m_most == 1 || ++m_updates == 1) // the first update creates oneDNN's kernels
        return;
    const auto faster = [seconds](double best) {
        return best > 0 ? std::min(best, seconds) : seconds;
    };
    if (m_phase == Phase::Trying) {
        m_tried = faster(m_tried);
        if (--m_left == 0) {
            m_phase = Phase::Checking;
            m_left = 2;
        }
        return;
    }
    if (m_phase == Phase::Checking) {
        m_checked = faster(m_checked);
        if (--m_left == 0)
            decide();
        return;
    }
    const bool slowedDown =
        m_recent.size() == 3 && seconds > 2 * *std::min_element(m_recent.begin(), m_recent.end());
    m_recent.push_back(seconds);
    if (m_recent.size() > 3)
        m_recent.pop_front();
    if (m_recent.size() == 3 &&
        (m_updates >= m_tryAt || (slowedDown && m_updates >= m_lastTry + kMinGap))) {
        m_phase = Phase::Trying;
        m_left = 2;
        m_tried = m_checked = 0;
    }
}

void ThreadChoice::decide() {
    const bool switchOver = m_tried < 0.9 * m_checked;
    if (switchOver)
        m_current = other();
    m_recent.clear();
    m_phase = Phase::Running;
    m_interval = switchOver ? kFirstInterval : std::min(2 * m_interval, kLongestInterval);
    m_tryAt = m_updates + m_interval;
    m_lastTry = m_updates;
}

} // namespace torchestra::ml::neural
