#include "MlTestUtil.h"
#include "ml/MarkovModel.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace torchestra;
using namespace torchestra::ml;

namespace {

ModelConfig markovConfig(int order = 2) {
    ModelConfig c;
    c.kind = ModelKind::Markov;
    c.markovOrder = order;
    return c;
}

SampleRequest requestAfter(const FrameSequence& primer, int steps, std::uint64_t seed) {
    SampleRequest r;
    r.primer = primer;
    r.future.resize(steps, primer.pitches, true);
    for (int t = 0; t < steps; ++t) {
        r.future.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        r.future.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
    }
    r.seed = seed;
    return r;
}

} // namespace

TEST(Markov, LearnsAPatternFarBelowTheChanceLevel) {
    FrameSequence song = songToSequence(test::arpeggioSong(16), RepresentationConfig{});
    MarkovModel model(markovConfig());
    MarkovModel untrained(markovConfig());
    model.train({song});
    const NllResult learned = model.evaluate(song);
    const NllResult chance = untrained.evaluate(song);
    ASSERT_EQ(learned.frameSteps, song.steps - 1);
    const double perStep = learned.frameSum / learned.frameSteps;
    EXPECT_LT(perStep, 0.5) << "a deterministic pattern should be almost certain";
    EXPECT_GT(chance.frameSum / chance.frameSteps, 50.0);
}

TEST(Markov, ProbabilitiesAreNormalisedOverASmallWorld) {
    // With 2 pitches and no onsets, the four possible frames' probabilities must sum to one in
    // any context, seen or not.
    ModelConfig c = markovConfig(2);
    c.representation.lowPitch = 60;
    c.representation.highPitch = 61;
    c.representation.onsets = false;
    c.representation.velocity = false;
    MarkovModel model(c);
    FrameSequence train;
    train.resize(6, 2, false);
    const int pattern[6][2] = {{1, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 1}, {1, 1}};
    for (int t = 0; t < 6; ++t)
        for (int p = 0; p < 2; ++p)
            train.sounding[std::size_t(t * 2 + p)] = std::uint8_t(pattern[t][p]);
    model.train({train});
    for (int prefix = 0; prefix < 4; ++prefix) {
        double total = 0;
        for (int f = 0; f < 4; ++f) {
            FrameSequence s = train.slice(0, prefix + 1);
            s.sounding[std::size_t(prefix * 2)] = std::uint8_t(f & 1);
            s.sounding[std::size_t(prefix * 2 + 1)] = std::uint8_t((f >> 1) & 1);
            const NllResult all = model.evaluate(s);
            const NllResult before = model.evaluate(train.slice(0, prefix));
            const double nllLast =
                (all.firstFrame + all.frameSum) - (before.firstFrame + before.frameSum);
            total += std::exp(-nllLast);
        }
        EXPECT_NEAR(total, 1.0, 1e-9) << "after " << prefix << " frames";
    }
}

TEST(Markov, SamplingIsReproducibleAndContinuesThePattern) {
    FrameSequence song = songToSequence(test::arpeggioSong(16), RepresentationConfig{});
    MarkovModel model(markovConfig());
    model.train({song});
    SampleRequest r = requestAfter(song.slice(0, 16), 32, 5);
    r.variations = 3;
    auto a = model.sample(r);
    auto b = model.sample(r);
    ASSERT_EQ(a.size(), 3u);
    for (std::size_t v = 0; v < a.size(); ++v) {
        EXPECT_EQ(a[v].steps, 32);
        EXPECT_EQ(a[v].sounding, b[v].sounding) << "same seed, different notes";
    }
    // At a low temperature the continuation is the learned pattern itself.
    r.temperature = 0.05;
    r.variations = 1;
    auto cold = model.sample(r);
    int agree = 0;
    for (int t = 0; t < 32; ++t)
        agree += cold[0].sounds(t, 60 - 21) == song.sounds(16 + t, 60 - 21) &&
                 cold[0].sounds(t, 64 - 21) == song.sounds(16 + t, 64 - 21);
    EXPECT_GE(agree, 30);
    // Where the data branches (two keys of the pattern, from a silent start), seeds differ.
    MarkovModel two(markovConfig());
    two.train({song, songToSequence(test::arpeggioSong(16, 480, 2), RepresentationConfig{})});
    SampleRequest fresh = requestAfter(FrameSequence{}, 32, 6);
    fresh.primer.resize(0, 88, true);
    const auto first = two.sample(fresh);
    bool differs = false;
    for (std::uint64_t seed = 7; seed < 40 && !differs; ++seed) {
        fresh.seed = seed;
        differs = two.sample(fresh)[0].sounding != first[0].sounding;
    }
    EXPECT_TRUE(differs) << "the seed has no effect";
}

TEST(Markov, ConstraintsHold) {
    FrameSequence song = songToSequence(test::arpeggioSong(16), RepresentationConfig{});
    MarkovModel model(markovConfig());
    model.train({song});
    SampleRequest r = requestAfter(FrameSequence{}, 64, 9);
    r.primer.resize(0, 88, true);
    r.temperature = 2.0;
    r.constraints.lowPitch = 55;
    r.constraints.highPitch = 70;
    r.constraints.scaleMask = 0b000010010001; // C, E, G only
    r.constraints.maxPolyphony = 2;
    r.variations = 4;
    for (const FrameSequence& s : model.sample(r)) {
        for (int t = 0; t < s.steps; ++t) {
            EXPECT_LE(s.notesAt(t), 2);
            for (int p = 0; p < s.pitches; ++p) {
                if (!s.sounds(t, p))
                    continue;
                const int pitch = p + 21;
                EXPECT_GE(pitch, 55);
                EXPECT_LE(pitch, 70);
                EXPECT_TRUE(pitch % 12 == 0 || pitch % 12 == 4 || pitch % 12 == 7) << pitch;
            }
        }
    }
}

TEST(Markov, SerializeRoundTripsAndRejectsDamage) {
    FrameSequence song = songToSequence(test::arpeggioSong(4), RepresentationConfig{});
    MarkovModel model(markovConfig(3));
    model.train({song});
    std::string payload = model.serialize();
    std::string err;
    auto back = MarkovModel::deserialize(model.config(), payload, err);
    ASSERT_NE(back, nullptr) << err;
    EXPECT_DOUBLE_EQ(back->evaluate(song).frameSum, model.evaluate(song).frameSum);
    EXPECT_EQ(MarkovModel::deserialize(model.config(), payload.substr(0, payload.size() / 2), err),
              nullptr);
    EXPECT_NE(err, "");
    EXPECT_EQ(MarkovModel::deserialize(markovConfig(2), payload, err), nullptr);
    EXPECT_NE(err.find("order"), std::string::npos) << err;
    std::string bad = payload;
    bad[0] = 'X';
    EXPECT_EQ(MarkovModel::deserialize(model.config(), bad, err), nullptr);
}

TEST(Markov, CancelStopsSampling) {
    FrameSequence song = songToSequence(test::arpeggioSong(4), RepresentationConfig{});
    MarkovModel model(markovConfig());
    model.train({song});
    std::atomic<bool> cancel{true};
    EXPECT_TRUE(model.sample(requestAfter(song, 16, 1), &cancel).empty());
}
