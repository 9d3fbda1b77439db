// Sampling on the fast path: seeds, constraints, batched variations.

#include "NeuralTestData.h"

#include "ml/Trainer.h"
#include "ml/neural/FastInference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

using namespace torchestra::ml;
using namespace torchestra::ml::testdata;

namespace {

class Sampling : public ::testing::TestWithParam<std::tuple<ModelKind, HeadKind>> {
protected:
    void SetUp() override {
        rep = RepresentationConfig{}; // 88 pitches, onsets, velocity
        ModelConfig c = smallConfig(std::get<0>(GetParam()), std::get<1>(GetParam()), rep, 32, 2);
        std::string error;
        model = neural::createNeuralModel(c, 13, error);
        ASSERT_TRUE(model) << error;
    }
    SampleRequest request(std::uint64_t seed, int steps = 32) const {
        SampleRequest r;
        r.primer = randomPiece(rep, 8, 77);
        r.future = randomPiece(rep, steps, 78); // only its metre is used
        r.seed = seed;
        return r;
    }
    // One bar with a random piece's metre and only `notes` (step, pitch unit), each one step long.
    FrameSequence barWith(const std::vector<std::pair<int, int>>& notes, std::uint64_t seed) const {
        FrameSequence bar = randomPiece(rep, 4 * rep.stepsPerBeat, seed);
        std::fill(bar.sounding.begin(), bar.sounding.end(), 0);
        std::fill(bar.onset.begin(), bar.onset.end(), 0);
        for (const auto& [t, p] : notes) {
            bar.sounding[std::size_t(t) * 88 + std::size_t(p)] = 1;
            bar.onset[std::size_t(t) * 88 + std::size_t(p)] = 1;
        }
        return bar;
    }
    RepresentationConfig rep;
    std::unique_ptr<SequenceModel> model;
};

long notes(const FrameSequence& s) {
    long n = 0;
    for (std::uint8_t v : s.sounding)
        n += v;
    return n;
}

} // namespace

TEST_P(Sampling, SameSeedSameNotes) {
    const auto a = model->sample(request(1));
    const auto b = model->sample(request(1));
    const auto c = model->sample(request(2));
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(a[0].steps, 32);
    EXPECT_EQ(a[0].pitches, 88);
    EXPECT_EQ(a[0].sounding.size(), 32u * 88u);
    EXPECT_EQ(a[0].onset.size(), 32u * 88u);
    EXPECT_EQ(a[0].velocityBin.size(), 32u);
    EXPECT_GT(notes(a[0]), 32); // random weights: plenty of notes to compare
    EXPECT_EQ(a[0].sounding, b[0].sounding);
    EXPECT_EQ(a[0].onset, b[0].onset);
    EXPECT_EQ(a[0].velocityBin, b[0].velocityBin);
    EXPECT_NE(a[0].sounding, c[0].sounding);
    // Every onset sounds; every step with an onset has a velocity bin, and only those.
    for (int t = 0; t < 32; ++t) {
        bool any = false;
        for (int p = 0; p < 88; ++p) {
            if (a[0].starts(t, p)) {
                EXPECT_TRUE(a[0].sounds(t, p));
                any = true;
            }
        }
        EXPECT_EQ(any, a[0].velocityBin[std::size_t(t)] != kNoVelocity) << t;
    }
}

// Variations sampled in one batch equal each variation sampled alone with its seed, bit for bit
// (every output of the fast path is one FMA chain whatever the batch size: 8 rows run the
// 16-lane kernel, 1 row the 8-lane one), and the same request gives the same notes again.
TEST_P(Sampling, BatchedVariationsEqualSingles) {
    SampleRequest r = request(40);
    r.variations = 8;
    const auto batch = model->sample(r);
    ASSERT_EQ(batch.size(), 8u);
    const auto again = model->sample(r);
    ASSERT_EQ(again.size(), 8u);
    for (int v = 0; v < 8; ++v) {
        EXPECT_EQ(batch[std::size_t(v)].sounding, again[std::size_t(v)].sounding) << v;
        EXPECT_EQ(batch[std::size_t(v)].onset, again[std::size_t(v)].onset) << v;
        EXPECT_EQ(batch[std::size_t(v)].velocityBin, again[std::size_t(v)].velocityBin) << v;
    }
    for (int v = 0; v < 8; ++v) {
        SampleRequest one = request(40 + std::uint64_t(v));
        const auto single = model->sample(one);
        ASSERT_EQ(single.size(), 1u);
        EXPECT_EQ(batch[std::size_t(v)].sounding, single[0].sounding) << v;
        EXPECT_EQ(batch[std::size_t(v)].onset, single[0].onset) << v;
        EXPECT_EQ(batch[std::size_t(v)].velocityBin, single[0].velocityBin) << v;
    }
    EXPECT_NE(batch[0].sounding, batch[1].sounding);
}

// 64 candidates in one call (re-ranking's batch, `generate --candidates 64`): row k is the
// take that variation would be alone with seed + k, bit for bit, whether the batch runs on one
// runner or in groups shared with the helper thread (two fast-path threads).
TEST_P(Sampling, SixtyFourCandidatesEqualSinglesOnOneAndTwoThreads) {
    SampleRequest r = request(100, 16);
    r.variations = 64;
    neural::setFastInferenceThreads(1);
    const auto one = model->sample(r);
    neural::setFastInferenceThreads(2);
    const auto two = model->sample(r);
    neural::setFastInferenceThreads(1);
    ASSERT_EQ(one.size(), 64u);
    ASSERT_EQ(two.size(), 64u);
    for (std::size_t v = 0; v < 64; ++v) {
        EXPECT_EQ(one[v].sounding, two[v].sounding) << v;
        EXPECT_EQ(one[v].onset, two[v].onset) << v;
        EXPECT_EQ(one[v].velocityBin, two[v].velocityBin) << v;
    }
    for (int v : {0, 15, 16, 37, 63}) {
        const auto single = model->sample(request(100 + std::uint64_t(v), 16));
        ASSERT_EQ(single.size(), 1u);
        EXPECT_EQ(one[std::size_t(v)].sounding, single[0].sounding) << v;
        EXPECT_EQ(one[std::size_t(v)].onset, single[0].onset) << v;
        EXPECT_EQ(one[std::size_t(v)].velocityBin, single[0].velocityBin) << v;
    }
    EXPECT_NE(one[0].sounding, one[63].sounding);
}

TEST_P(Sampling, ConstraintsHold) {
    SampleRequest r = request(9, 48);
    r.constraints.lowPitch = 55;
    r.constraints.highPitch = 79;
    r.constraints.scaleMask = 0x0AB5; // C major
    r.constraints.maxPolyphony = 3;
    r.variations = 3;
    const auto out = model->sample(r);
    ASSERT_EQ(out.size(), 3u);
    long total = 0;
    for (const FrameSequence& s : out) {
        for (int t = 0; t < s.steps; ++t) {
            int sounding = 0;
            for (int p = 0; p < s.pitches; ++p) {
                if (!s.sounds(t, p))
                    continue;
                const int pitch = rep.lowPitch + p;
                EXPECT_GE(pitch, 55);
                EXPECT_LE(pitch, 79);
                EXPECT_TRUE((0x0AB5 >> (pitch % 12)) & 1) << pitch;
                ++sounding;
            }
            EXPECT_LE(sounding, 3) << "step " << t;
            total += sounding;
        }
    }
    EXPECT_GT(total, 48); // the constraints leave music, not silence
}

TEST_P(Sampling, TopKAndTopPLimitStarts) {
    SampleRequest r = request(3, 48);
    r.topK = 2;
    const auto k = model->sample(r);
    ASSERT_EQ(k.size(), 1u);
    long startsK = 0;
    for (int t = 0; t < 48; ++t) {
        int starts = 0;
        for (int p = 0; p < 88; ++p)
            starts += k[0].starts(t, p);
        EXPECT_LE(starts, 2) << t;
        startsK += starts;
    }
    EXPECT_GT(startsK, 0);

    r.topK = 0;
    r.topP = 0.05;
    const auto nucleus = model->sample(r);
    r.topP = 1.0;
    const auto free = model->sample(r);
    long startsP = 0, startsFree = 0;
    for (int t = 0; t < 48; ++t)
        for (int p = 0; p < 88; ++p) {
            startsP += nucleus[0].starts(t, p);
            startsFree += free[0].starts(t, p);
        }
    EXPECT_GT(startsP, 0);
    EXPECT_LT(startsP * 4, startsFree);
}

TEST_P(Sampling, DensityScalesOnsets) {
    SampleRequest r = request(5, 48);
    r.constraints.density = 0.05;
    const auto sparse = model->sample(r);
    r.constraints.density = 1.0;
    const auto normal = model->sample(r);
    long a = 0, b = 0;
    for (int t = 0; t < 48; ++t)
        for (int p = 0; p < 88; ++p) {
            a += sparse[0].starts(t, p);
            b += normal[0].starts(t, p);
        }
    EXPECT_LT(a * 3, b);
}

// The rhythm odds weigh a new note by the bar before's onsets: with odds of 0 where the bar
// before started nothing, notes start only where the primer's bar (quarter-note chords) did, in
// both bars of the take; the random network, left to itself (1, 1), starts notes everywhere.
TEST_P(Sampling, RhythmOddsFollowTheBarBefore) {
    const int bar = 4 * rep.stepsPerBeat;
    SampleRequest r = request(6, 2 * bar);
    std::vector<std::pair<int, int>> chords;
    for (int t = 0; t < bar; t += rep.stepsPerBeat)
        for (int p : {39, 43, 46}) // a C major chord on each beat, one step long
            chords.emplace_back(t, p);
    r.primer = barWith(chords, 77);
    const auto offBeatStarts = [&](const FrameSequence& take, long& onBeat) {
        long off = 0;
        onBeat = 0;
        for (int t = 0; t < take.steps; ++t)
            for (int p = 0; p < 88; ++p)
                (t % rep.stepsPerBeat == 0 ? onBeat : off) += take.starts(t, p);
        return off;
    };
    long onBeat = 0;
    r.rhythm = {1.0, 0.0};
    const auto kept = model->sample(r);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(offBeatStarts(kept[0], onBeat), 0);
    EXPECT_GT(onBeat, 0);
    r.rhythm = {1.0, 1.0};
    const auto free = model->sample(r);
    ASSERT_EQ(free.size(), 1u);
    EXPECT_GT(offBeatStarts(free[0], onBeat), 0);
}

// Where the music before repeats its figure at the half bar (the primer's quarter-note chords),
// the repeating figures' odds take the place of the off-beat odds: at 0 no note starts off the
// beat while the figure holds (all of the take's first beat, whatever the network does on the
// beat), where the off-beat odds alone (1) let the random network start notes anywhere. After
// a primer whose halves differ, the figures' odds change nothing.
TEST_P(Sampling, RepeatingFiguresKeepTheirRhythmStrictly) {
    const int bar = 4 * rep.stepsPerBeat;
    SampleRequest r = request(8, 2 * bar);
    std::vector<std::pair<int, int>> chords;
    for (int t = 0; t < bar; t += rep.stepsPerBeat)
        for (int p : {39, 43, 46})
            chords.emplace_back(t, p);
    r.primer = barWith(chords, 79);
    const auto offBeatStarts = [&](const FrameSequence& take, int from, int to) {
        long off = 0;
        for (int t = from; t < to; ++t)
            for (int p = 0; p < 88; ++p)
                off += t % rep.stepsPerBeat != 0 && take.starts(t, p);
        return off;
    };
    // The take with the figures' odds at 0, and without them.
    const auto takes = [&] {
        r.rhythm = {1.0, 1.0, 0.0};
        std::vector<FrameSequence> both = model->sample(r);
        r.rhythm = {1.0, 1.0};
        for (FrameSequence& loose : model->sample(r))
            both.push_back(std::move(loose));
        return both;
    };
    const auto figures = takes();
    ASSERT_EQ(figures.size(), 2u);
    ASSERT_EQ(figures[0].steps, 2 * bar);                         // the take alone
    EXPECT_EQ(offBeatStarts(figures[0], 0, rep.stepsPerBeat), 0); // the take, after the primer
    EXPECT_GT(offBeatStarts(figures[1], 0, 2 * bar), 0);
    EXPECT_LT(offBeatStarts(figures[0], 0, 2 * bar), offBeatStarts(figures[1], 0, 2 * bar));

    // A note at each step of the first beat only: the halves differ, and through the take's
    // first beat the half bar before it differs from the half before that at the first beat's
    // last step (and wherever the take starts a note).
    std::vector<std::pair<int, int>> run;
    for (int t = 0; t < rep.stepsPerBeat; ++t)
        run.emplace_back(t, 39 + t);
    r.primer = barWith(run, 80);
    const auto unlike = takes();
    ASSERT_EQ(unlike.size(), 2u);
    EXPECT_GT(offBeatStarts(unlike[1], 0, rep.stepsPerBeat), 0);
    for (int t = 0; t < rep.stepsPerBeat; ++t)
        for (int p = 0; p < 88; ++p)
            ASSERT_EQ(unlike[0].starts(t, p), unlike[1].starts(t, p)) << t << " " << p;
}

// The key odds weigh a new note by the key of the music before it: with odds of 0 outside it,
// the take after a C major scale starts only notes of C major (and, keeping to it, stays there);
// the random network, left to itself, starts notes of every pitch class.
TEST_P(Sampling, OutOfKeyOddsKeepTheKeyOfTheMusicBefore) {
    const int bar = 4 * rep.stepsPerBeat;
    SampleRequest r = request(7, 2 * bar);
    // C4 D E F G A B, one a step (unit 39 = MIDI 60).
    r.primer = barWith({{0, 39}, {1, 41}, {2, 43}, {3, 44}, {4, 46}, {5, 48}, {6, 50}}, 78);
    const auto startsOutsideCMajor = [&](const FrameSequence& take, long& inKey) {
        long outside = 0;
        inKey = 0;
        for (int t = 0; t < take.steps; ++t)
            for (int p = 0; p < 88; ++p) {
                const int pc = (rep.lowPitch + p) % 12;
                const bool diatonic = pc != 1 && pc != 3 && pc != 6 && pc != 8 && pc != 10;
                (diatonic ? inKey : outside) += take.starts(t, p);
            }
        return outside;
    };
    long inKey = 0;
    r.outOfKeyOdds = 0.0;
    const auto kept = model->sample(r);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(startsOutsideCMajor(kept[0], inKey), 0);
    EXPECT_GT(inKey, 0);
    r.outOfKeyOdds = 1.0;
    const auto free = model->sample(r);
    ASSERT_EQ(free.size(), 1u);
    EXPECT_GT(startsOutsideCMajor(free[0], inKey), 0);
}

TEST_P(Sampling, CancelGivesNothingAndNoPrimerWorks) {
    std::atomic<bool> cancel{true};
    EXPECT_TRUE(model->sample(request(1), &cancel).empty());
    SampleRequest r = request(1, 16);
    r.primer = FrameSequence{};
    r.primer.pitches = 88;
    const auto out = model->sample(r);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].steps, 16);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, Sampling,
                         ::testing::Combine(::testing::Values(ModelKind::Rnn, ModelKind::Lstm),
                                            ::testing::Values(HeadKind::Independent,
                                                              HeadKind::Autoregressive)));

// JSB-style models sample frames only: onsets stay empty.
TEST(SamplingJsb, FramesOnly) {
    const RepresentationConfig rep = jsbRepresentation();
    std::string error;
    auto model = neural::createNeuralModel(
        smallConfig(ModelKind::Lstm, HeadKind::Autoregressive, rep, 32, 1), 2, error);
    ASSERT_TRUE(model) << error;
    SampleRequest r;
    r.future = unknownMetre(randomPiece(rep, 20, 1));
    const auto out = model->sample(r);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].steps, 20);
    EXPECT_TRUE(out[0].onset.empty());
    EXPECT_GT(notes(out[0]), 0);
}

// The fast path splits each layer's units with a helper thread when 2 threads are set; which
// thread computes a unit must not change a single bit, so the notes are the same.
TEST(SamplingThreads, OneAndTwoThreadsGiveTheSameNotes) {
    const RepresentationConfig rep;
    for (ModelKind kind : {ModelKind::Rnn, ModelKind::Lstm}) {
        for (HeadKind head : {HeadKind::Independent, HeadKind::Autoregressive}) {
            std::string error;
            auto model = neural::createNeuralModel(smallConfig(kind, head, rep, 140, 2), 17, error);
            ASSERT_TRUE(model) << error;
            SampleRequest r;
            r.primer = randomPiece(rep, 8, 1);
            r.future = randomPiece(rep, 24, 2);
            r.variations = 3;
            r.seed = 8;
            neural::setFastInferenceThreads(1);
            const auto one = model->sample(r);
            const auto p1 = neural::fastProbabilities(*model, r.future);
            neural::setFastInferenceThreads(2);
            const auto two = model->sample(r);
            const auto p2 = neural::fastProbabilities(*model, r.future);
            neural::setFastInferenceThreads(1);
            ASSERT_EQ(one.size(), 3u);
            ASSERT_EQ(two.size(), 3u);
            for (std::size_t v = 0; v < 3; ++v) {
                EXPECT_EQ(one[v].sounding, two[v].sounding);
                EXPECT_EQ(one[v].onset, two[v].onset);
                EXPECT_EQ(one[v].velocityBin, two[v].velocityBin);
            }
            EXPECT_EQ(p1.frame, p2.frame);
            EXPECT_EQ(p1.onset, p2.onset);
            // And the threaded path still matches torch.
            const auto pt = neural::torchProbabilities(*model, r.future);
            float worst = 0;
            for (std::size_t i = 0; i < pt.frame.size(); ++i)
                worst = std::max(worst, std::abs(pt.frame[i] - p2.frame[i]));
            EXPECT_LT(worst, 1e-4f);
        }
    }
}
