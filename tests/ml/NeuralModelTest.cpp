// The neural models' torch path, fast path and payload.

#include "NeuralTestData.h"

#include "ml/TakeAssessment.h"
#include "ml/Trainer.h"
#include "ml/neural/FastRunner.h"
#include "ml/neural/NeuralKinds.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <tuple>

using namespace torchestra::ml;
using namespace torchestra::ml::testdata;

namespace {

std::unique_ptr<SequenceModel> makeModel(const ModelConfig& c, std::uint64_t seed = 7) {
    std::string error;
    auto m = neural::createNeuralModel(c, seed, error);
    EXPECT_TRUE(m) << error;
    EXPECT_TRUE(error.empty()) << error;
    return m;
}

double bernoulliNll(float p, bool v) {
    return -std::log(double(v ? p : 1.f - p));
}

class NeuralKinds : public ::testing::TestWithParam<std::tuple<ModelKind, HeadKind, bool>> {};

std::string kindName(const ::testing::TestParamInfo<NeuralKinds::ParamType>& info) {
    return std::string(toString(std::get<0>(info.param))) + "_" +
           (std::get<1>(info.param) == HeadKind::Independent ? "independent" : "nade") +
           (std::get<2>(info.param) ? "_midi" : "_jsb");
}

} // namespace

// The sampler's plain C++ path must compute what training optimises: same probabilities to
// 1e-4 on random weights and a random sequence, for each cell, head and representation.
TEST_P(NeuralKinds, FastPathMatchesTorch) {
    const auto [kind, head, midi] = GetParam();
    const RepresentationConfig rep = midi ? RepresentationConfig{} : jsbRepresentation();
    ModelConfig c = smallConfig(kind, head, rep, 64, 2);
    c.nadeHidden = 32;
    auto model = makeModel(c, 11);
    ASSERT_TRUE(model);
    FrameSequence seq = randomPiece(rep, 40, 3);
    if (!midi)
        seq = unknownMetre(seq);

    const neural::StepProbabilities a = neural::torchProbabilities(*model, seq);
    const neural::StepProbabilities b = neural::fastProbabilities(*model, seq);
    const std::size_t P = std::size_t(rep.pitches());
    ASSERT_EQ(a.frame.size(), std::size_t(seq.steps) * P);
    ASSERT_EQ(b.frame.size(), a.frame.size());
    ASSERT_EQ(a.onset.size(), midi ? a.frame.size() : 0u);
    ASSERT_EQ(b.onset.size(), a.onset.size());
    ASSERT_EQ(a.velocity.size(), midi ? std::size_t(seq.steps) * rep.velocityBins : 0u);
    ASSERT_EQ(b.velocity.size(), a.velocity.size());
    float worst = 0;
    bool someUncertain = false;
    for (std::size_t i = 0; i < a.frame.size(); ++i) {
        worst = std::max(worst, std::abs(a.frame[i] - b.frame[i]));
        someUncertain = someUncertain || (a.frame[i] > 0.05f && a.frame[i] < 0.95f);
    }
    for (std::size_t i = 0; i < a.onset.size(); ++i)
        worst = std::max(worst, std::abs(a.onset[i] - b.onset[i]));
    for (std::size_t i = 0; i < a.velocity.size(); ++i)
        worst = std::max(worst, std::abs(a.velocity[i] - b.velocity[i]));
    EXPECT_LT(worst, 1e-4f);
    EXPECT_TRUE(someUncertain); // random weights: the comparison is not between saturated 0/1
}

// evaluate() follows the published conventions: frame 0 apart (from the zero start frame),
// steps 1..T-1 summed, onsets only where sounding, velocity only where known. Checked against
// the per-step probabilities; T > 256 also checks the state carried across evaluation segments.
TEST_P(NeuralKinds, EvaluateMatchesProbabilities) {
    const auto [kind, head, midi] = GetParam();
    const RepresentationConfig rep = midi ? toyRepresentation() : jsbRepresentation();
    auto model = makeModel(smallConfig(kind, head, rep, 16, 2), 5);
    ASSERT_TRUE(model);
    FrameSequence seq = randomPiece(rep, 300, 9, 0.2);
    if (!midi)
        seq = unknownMetre(seq);
    const neural::StepProbabilities pr = neural::torchProbabilities(*model, seq);
    const int P = rep.pitches();
    double first = 0, frame = 0, onset = 0, velocity = 0;
    for (int t = 0; t < seq.steps; ++t) {
        double f = 0, o = 0, v = 0;
        for (int p = 0; p < P; ++p) {
            const std::size_t i = std::size_t(t) * P + p;
            f += bernoulliNll(pr.frame[i], seq.sounds(t, p));
            if (midi && seq.sounds(t, p))
                o += bernoulliNll(pr.onset[i], seq.onset[i]);
        }
        if (midi && seq.velocityBin[std::size_t(t)] != kNoVelocity)
            v = -std::log(double(
                pr.velocity[std::size_t(t) * rep.velocityBins + seq.velocityBin[std::size_t(t)]]));
        if (t == 0) {
            first = f;
        } else {
            frame += f;
            onset += o;
            velocity += v;
        }
    }
    const NllResult r = model->evaluate(seq);
    EXPECT_EQ(r.frameSteps, seq.steps - 1);
    EXPECT_NEAR(r.firstFrame, first, 1e-3 * std::max(1.0, first));
    EXPECT_NEAR(r.frameSum, frame, 1e-4 * frame);
    EXPECT_NEAR(r.onsetSum, onset, 1e-4 * std::max(1.0, onset));
    EXPECT_NEAR(r.velocitySum, velocity, 1e-4 * std::max(1.0, velocity));
    if (midi) {
        EXPECT_GT(r.onsetSum, 0.0);
        EXPECT_GT(r.velocitySum, 0.0);
    } else {
        EXPECT_EQ(r.onsetSum, 0.0);
        EXPECT_EQ(r.velocitySum, 0.0);
    }
}

// evaluateFrom (the ranking's batch on the fast path) gives what the torch path's evaluate()
// of each whole sequence less that of its first `from` steps gives, for sequences of different
// lengths in one batch, on one thread and with groups shared with the helper thread, with and
// without a shared primer before `from`.
TEST_P(NeuralKinds, EvaluateFromMatchesEvaluateOfTheParts) {
    const auto [kind, head, midi] = GetParam();
    const RepresentationConfig rep = midi ? toyRepresentation() : jsbRepresentation();
    auto model = makeModel(smallConfig(kind, head, rep, 24, 2), 6);
    ASSERT_TRUE(model);
    // A shared primer of 12 steps (run once at batch 1 when it comes before `from`), then
    // different music of different lengths.
    const FrameSequence primer = randomPiece(rep, 12, 49, 0.2);
    std::vector<FrameSequence> seqs;
    for (int i = 0; i < 40; ++i) {
        FrameSequence s =
            joinSequences(primer, randomPiece(rep, 18 + i % 7, 50 + std::uint64_t(i), 0.2));
        seqs.push_back(midi ? s : unknownMetre(s));
    }
    for (int from : {0, 12, 20}) {
        neural::setFastInferenceThreads(1);
        const std::vector<NllResult> one = model->evaluateFrom(seqs, from);
        neural::setFastInferenceThreads(2);
        const std::vector<NllResult> two = model->evaluateFrom(seqs, from);
        neural::setFastInferenceThreads(1);
        const std::vector<NllResult> parts = model->SequenceModel::evaluateFrom(seqs, from);
        ASSERT_EQ(one.size(), seqs.size());
        ASSERT_EQ(two.size(), seqs.size());
        ASSERT_EQ(parts.size(), seqs.size());
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            const NllResult& a = one[i];
            const NllResult& b = parts[i];
            EXPECT_EQ(a.frameSteps, b.frameSteps) << i;
            EXPECT_NEAR(a.frameSum, b.frameSum, 1e-4 * std::max(1.0, b.frameSum)) << i;
            EXPECT_NEAR(a.firstFrame, b.firstFrame, 1e-4 * std::max(1.0, b.firstFrame)) << i;
            EXPECT_NEAR(a.onsetSum, b.onsetSum, 1e-4 * std::max(1.0, b.onsetSum)) << i;
            EXPECT_NEAR(a.velocitySum, b.velocitySum, 1e-4 * std::max(1.0, b.velocitySum)) << i;
            EXPECT_EQ(a.frameSum, two[i].frameSum) << "the helper changed bits, row " << i;
            EXPECT_EQ(a.onsetSum, two[i].onsetSum) << i;
        }
        EXPECT_GT(one[0].frameSum, 0.0);
    }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, NeuralKinds,
                         ::testing::Combine(::testing::Values(ModelKind::Rnn, ModelKind::Lstm),
                                            ::testing::Values(HeadKind::Independent,
                                                              HeadKind::Autoregressive),
                                            ::testing::Bool()),
                         kindName);

// Padded steps (mask 0) add nothing, whatever they contain, and are not counted.
TEST(NeuralModel, PaddedStepsDoNotChangeTheLoss) {
    for (HeadKind head : {HeadKind::Independent, HeadKind::Autoregressive}) {
        const RepresentationConfig rep = toyRepresentation();
        auto model = makeModel(smallConfig(ModelKind::Lstm, head, rep), 3);
        ASSERT_TRUE(model);
        const FrameSequence a = randomPiece(rep, 20, 1, 0.3);
        const FrameSequence b = randomPiece(rep, 32, 2, 0.3);

        Batch exact; // two windows of exactly 20 steps
        exact.count = 2;
        exact.length = 20;
        exact.windows = {a, b.slice(0, 20)};
        exact.mask.assign(40, 1);

        Batch padded; // the same steps padded to 32 with garbage in the padding
        padded.count = 2;
        padded.length = 32;
        FrameSequence aPadded = randomPiece(rep, 32, 99, 0.5);
        for (int t = 0; t < 20; ++t) {
            for (int p = 0; p < rep.pitches(); ++p) {
                const std::size_t i = std::size_t(t) * rep.pitches() + p;
                aPadded.sounding[i] = a.sounding[i];
                aPadded.onset[i] = a.onset[i];
            }
            aPadded.velocityBin[std::size_t(t)] = a.velocityBin[std::size_t(t)];
            aPadded.stepInBeat[std::size_t(t)] = a.stepInBeat[std::size_t(t)];
            aPadded.beatInBar[std::size_t(t)] = a.beatInBar[std::size_t(t)];
        }
        padded.windows = {aPadded, b};
        padded.mask.assign(64, 0);
        for (int w = 0; w < 2; ++w)
            for (int t = 0; t < 20; ++t)
                padded.mask[std::size_t(w) * 32 + t] = 1;

        const neural::BatchLoss le = neural::batchLoss(*model, exact);
        const neural::BatchLoss lp = neural::batchLoss(*model, padded);
        EXPECT_EQ(le.steps, 40);
        EXPECT_EQ(lp.steps, 40);
        EXPECT_GT(le.sum, 0.0);
        EXPECT_NEAR(lp.sum, le.sum, 1e-4 * le.sum);

        // The mask matters: counting the padding changes the loss.
        padded.mask.assign(64, 1);
        const neural::BatchLoss all = neural::batchLoss(*model, padded);
        EXPECT_EQ(all.steps, 64);
        EXPECT_GT(all.sum, le.sum + 1.0);
    }
}

TEST(NeuralModel, ShapesFollowTheConfig) {
    const RepresentationConfig rep = toyRepresentation();
    auto model = makeModel(smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 8, 1));
    ASSERT_TRUE(model);
    // LSTM: 4*8*(in + 8) + 2*4*8; heads: frame, onset (8*12 + 12 each), velocity (8*4 + 4);
    // the hold path: 2 inputs (sounding, onset) x 12 pitches into the frame and onset logits.
    const long in = inputSize(rep);
    const long expected =
        4 * 8 * (in + 8) + 2 * 4 * 8 + 2 * (8 * 12 + 12) + (8 * 4 + 4) + 2 * (2 * 12);
    EXPECT_EQ(neural::parameterCount(*model), expected);
    const FrameSequence seq = randomPiece(rep, 7, 1);
    const auto pr = neural::torchProbabilities(*model, seq);
    EXPECT_EQ(pr.steps, 7);
    EXPECT_EQ(pr.frame.size(), 7u * 12u);
    EXPECT_EQ(pr.onset.size(), 7u * 12u);
    EXPECT_EQ(pr.velocity.size(), 7u * 4u);

    std::string error;
    ModelConfig bad = smallConfig(ModelKind::Markov, HeadKind::Independent, rep);
    EXPECT_FALSE(neural::createNeuralModel(bad, 1, error));
    EXPECT_FALSE(error.empty());
}

// serialize -> deserializeNeural gives the same model: same NLL, same samples.
TEST(NeuralModel, SerializeRoundTrip) {
    for (HeadKind head : {HeadKind::Independent, HeadKind::Autoregressive}) {
        const RepresentationConfig rep = toyRepresentation();
        const ModelConfig c = smallConfig(ModelKind::Lstm, head, rep, 24, 2);
        auto model = makeModel(c, 21);
        ASSERT_TRUE(model);
        const std::string payload = model->serialize();
        ASSERT_GT(payload.size(), 1000u);
        std::string error;
        auto back = deserializeNeural(c, payload, error);
        ASSERT_TRUE(back) << error;
        EXPECT_TRUE(error.empty());
        const FrameSequence seq = randomPiece(rep, 50, 4);
        const NllResult a = model->evaluate(seq);
        const NllResult b = back->evaluate(seq);
        EXPECT_DOUBLE_EQ(a.frameSum, b.frameSum);
        EXPECT_DOUBLE_EQ(a.firstFrame, b.firstFrame);
        EXPECT_DOUBLE_EQ(a.onsetSum, b.onsetSum);
        EXPECT_DOUBLE_EQ(a.velocitySum, b.velocitySum);
        SampleRequest req;
        req.future = toyPiece(rep, 16);
        req.seed = 5;
        const auto sa = model->sample(req);
        const auto sb = back->sample(req);
        ASSERT_EQ(sa.size(), 1u);
        ASSERT_EQ(sb.size(), 1u);
        EXPECT_EQ(sa[0].sounding, sb[0].sounding);
        EXPECT_EQ(sa[0].onset, sb[0].onset);
        EXPECT_EQ(sa[0].velocityBin, sb[0].velocityBin);
        EXPECT_EQ(back->serialize(), payload);
    }
}

namespace {
std::uint64_t fnv1a(const std::string& s, std::size_t from) {
    std::uint64_t h = 1469598103934665603ull;
    for (std::size_t i = from; i < s.size(); ++i) {
        h ^= std::uint8_t(s[i]);
        h *= 1099511628211ull;
    }
    return h;
}
void expectRejected(const ModelConfig& c, const std::string& payload, const char* what) {
    std::string error;
    std::unique_ptr<SequenceModel> m;
    EXPECT_NO_THROW(m = deserializeNeural(c, payload, error)) << what;
    EXPECT_FALSE(m) << what;
    EXPECT_NE(error.find("neural model payload"), std::string::npos) << what << ": " << error;
}
} // namespace

// A damaged or mismatched payload is a clear error, never a crash or a silently wrong model.
TEST(NeuralModel, CorruptPayloadIsAnError) {
    const RepresentationConfig rep = toyRepresentation();
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Autoregressive, rep, 16, 1);
    auto model = makeModel(c);
    ASSERT_TRUE(model);
    const std::string good = model->serialize();

    expectRejected(c, "", "empty");
    expectRejected(c, good.substr(0, good.size() / 2), "truncated");
    expectRejected(c, good.substr(0, 10), "truncated header");
    std::string flipped = good;
    flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 0x5A);
    expectRejected(c, flipped, "flipped byte");
    std::string magic = good;
    magic[0] = 'X';
    expectRejected(c, magic, "bad magic");
    expectRejected(c, good + "extra", "trailing bytes");

    // Past the checksum: a consistent header over bytes torch cannot parse.
    std::string garbage = good.substr(0, 24);
    std::mt19937_64 rng(1);
    std::string body(good.size() - 24, '\0');
    for (char& ch : body)
        ch = char(rng() & 0xFF);
    body[0] = 'P', body[1] = 'K'; // looks like a zip at first glance
    garbage += body;
    const std::uint64_t h = fnv1a(garbage, 24);
    for (int i = 0; i < 8; ++i)
        garbage[std::size_t(16 + i)] = char((h >> (8 * i)) & 0xFF);
    expectRejected(c, garbage, "garbage archive");

    // A sound payload read with another shape of model.
    ModelConfig other = c;
    other.hidden = 24;
    expectRejected(other, good, "other hidden size");
    other = c;
    other.head = HeadKind::Independent;
    expectRejected(other, good, "other head");
    other = c;
    other.representation.highPitch = 72;
    expectRejected(other, good, "other pitch range");

    std::string error;
    EXPECT_TRUE(deserializeNeural(c, good, error)) << error;
}
