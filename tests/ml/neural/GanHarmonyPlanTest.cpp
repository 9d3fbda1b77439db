// The GAN's harmony plan (ml/neural/GanHarmonyPlan.h): the next bar's pitch-class profile drawn
// from the training music's own progressions, in any key, and carried in the checkpoint.

#include "../NeuralTestData.h"

#include "ml/neural/GanHarmonyPlan.h"
#include "ml/neural/GanModel.h"
#include "ml/neural/NeuralKinds.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <set>

using namespace torchestra::ml;
using namespace torchestra::ml::neural;
using torchestra::ml::testdata::expectOlderConfigsReadFalse;
using torchestra::ml::testdata::toyRepresentation;

namespace {

using Profile = std::array<float, HarmonyPlan::kFeatures>;

// A piece of chords in 4/4 (16 steps a bar), each held for `steps` steps.
FrameSequence chordRun(const RepresentationConfig& rep, const std::vector<std::set<int>>& chords,
                       int steps) {
    FrameSequence seq;
    seq.resize(int(chords.size()) * steps, rep.pitches(), true);
    for (int t = 0; t < seq.steps; ++t) {
        seq.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        seq.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
        for (int pitch : chords[std::size_t(t / steps)]) {
            const std::size_t i =
                std::size_t(t) * std::size_t(seq.pitches) + std::size_t(pitch - rep.lowPitch);
            seq.sounding[i] = 1;
            seq.onset[i] = t % steps == 0 ? 1 : 0;
        }
    }
    return seq;
}

// A piece of one-bar chords, each held through its bar.
FrameSequence chordBars(const RepresentationConfig& rep, const std::vector<std::set<int>>& chords) {
    return chordRun(rep, chords, 16);
}

const std::set<int> kCMajor = {60, 64, 67}, kAMinor = {60, 64, 69}, kDMajor = {62, 66, 69},
                    kBMinor = {62, 66, 71};

Profile profileOf(const std::set<int>& chord, const GanShape& shape) {
    const FrameSequence bar = chordBars(toyRepresentation(), {chord});
    Profile p{};
    keyFeatures({KeySource{&bar, {{0, 16}}}}, 0, shape, p.data());
    return p;
}

void expectProfile(const Profile& got, const Profile& want, const char* what) {
    for (int q = 0; q < HarmonyPlan::kFeatures; ++q)
        EXPECT_FLOAT_EQ(got[std::size_t(q)], want[std::size_t(q)]) << what << ", feature " << q;
}

// C major and A minor alternating, 12 pieces of 8 bars: 84 pairs, half of them each way.
HarmonyPlan alternatingPlan(const GanShape& shape, bool quarters = false) {
    std::vector<FrameSequence> pieces;
    for (int i = 0; i < 12; ++i)
        pieces.push_back(chordBars(toyRepresentation(), {kCMajor, kAMinor, kCMajor, kAMinor,
                                                         kCMajor, kAMinor, kCMajor, kAMinor}));
    return HarmonyPlan::fromPieces(pieces, shape, 16, quarters);
}

} // namespace

// A major and a minor triad share no transposition, so the music's one progression from each
// is the only answer, in the key of the bar it is asked about.
TEST(HarmonyPlan, FollowsItsMusicsProgressionsInAnyKey) {
    const GanShape shape = ganShape(toyRepresentation(), 16);
    const HarmonyPlan plan = alternatingPlan(shape);
    ASSERT_EQ(plan.size(), 12u * 7u);
    std::mt19937_64 rng(5);
    for (int draw = 0; draw < 20; ++draw) {
        Profile next{};
        plan.next(profileOf(kCMajor, shape).data(), rng, next.data());
        expectProfile(next, profileOf(kAMinor, shape), "after C major");
        plan.next(profileOf(kAMinor, shape).data(), rng, next.data());
        expectProfile(next, profileOf(kCMajor, shape), "after A minor");
        plan.next(profileOf(kDMajor, shape).data(), rng, next.data()); // a tone higher
        expectProfile(next, profileOf(kBMinor, shape), "after D major");
    }
}

// Along the progressions (SampleRequest::harmonyProgressions) a take's harmony goes on as its
// training piece did, whatever the bar written; matched anew to each bar, a minor triad may be
// followed as either minor triad of the music was.
TEST(HarmonyPlan, AProgressionGoesOnAsItsPieceDid) {
    const GanShape shape = ganShape(toyRepresentation(), 16);
    const std::set<int> kDMinor = {62, 65, 69}, kGMajor = {62, 67, 71}, kDMajorFromA = kDMajor;
    std::vector<FrameSequence> pieces;
    for (int i = 0; i < 12; ++i)
        pieces.push_back(chordBars(toyRepresentation(), {kCMajor, kAMinor, kDMinor, kGMajor}));
    const HarmonyPlan plan = HarmonyPlan::fromPieces(pieces, shape, 16);
    std::mt19937_64 rng(3);
    std::set<std::vector<float>> afterAMinor;
    for (int draw = 0; draw < 20; ++draw) {
        HarmonyPlan::Walk walk;
        Profile next{};
        plan.next(profileOf(kCMajor, shape).data(), rng, next.data(), walk);
        expectProfile(next, profileOf(kAMinor, shape), "the match after C major");
        ASSERT_TRUE(walk.started);
        // The bar written is ignored while the piece goes on.
        plan.next(profileOf(kCMajor, shape).data(), rng, next.data(), walk);
        expectProfile(next, profileOf(kDMinor, shape), "the piece's third bar");
        plan.next(profileOf(kCMajor, shape).data(), rng, next.data(), walk);
        expectProfile(next, profileOf(kGMajor, shape), "the piece's fourth bar");
        // The piece ends there: matched again, to the bar written.
        plan.next(profileOf(kCMajor, shape).data(), rng, next.data(), walk);
        expectProfile(next, profileOf(kAMinor, shape), "a new match after C major");

        plan.next(profileOf(kAMinor, shape).data(), rng, next.data());
        afterAMinor.insert(std::vector<float>(next.begin(), next.end()));
    }
    // Matched to A minor: D minor (as A minor went on) or D major (as D minor went on to G).
    EXPECT_EQ(afterAMinor.size(), 2u);
    const Profile dMajor = profileOf(kDMajorFromA, shape), dMinor = profileOf(kDMinor, shape);
    EXPECT_EQ(afterAMinor.count(std::vector<float>(dMajor.begin(), dMajor.end())), 1u);
    EXPECT_EQ(afterAMinor.count(std::vector<float>(dMinor.begin(), dMinor.end())), 1u);
}

// After silence (or with no primer) any bar's profile may start, and an untrained model's empty
// plan asks for no harmony at all.
TEST(HarmonyPlan, SilenceStartsAnywhereAndAnEmptyPlanAsksForNothing) {
    const GanShape shape = ganShape(toyRepresentation(), 16);
    const HarmonyPlan plan = alternatingPlan(shape);
    const Profile silent{};
    std::mt19937_64 rng(9);
    std::set<std::vector<float>> seen;
    for (int draw = 0; draw < 40; ++draw) {
        Profile next{};
        plan.next(silent.data(), rng, next.data());
        float sum = 0;
        for (int q = 0; q < 12; ++q)
            sum += next[std::size_t(q)];
        EXPECT_NEAR(sum, 1.0f, 1e-5f);
        seen.insert(std::vector<float>(next.begin(), next.begin() + 12));
    }
    EXPECT_GT(seen.size(), 4u); // in more than one key
    Profile next;
    next.fill(0.5f);
    HarmonyPlan().next(profileOf(kCMajor, shape).data(), rng, next.data());
    expectProfile(next, silent, "an empty plan");
}

TEST(HarmonyPlan, DamagedPairsAreRefused) {
    std::string error;
    EXPECT_TRUE(
        HarmonyPlan::fromData(std::vector<float>(2 * HarmonyPlan::kFeatures, 0.1f), false, error)
            .size() == 1);
    EXPECT_TRUE(error.empty()) << error;
    HarmonyPlan::fromData(std::vector<float>(HarmonyPlan::kFeatures, 0.1f), false, error);
    EXPECT_NE(error.find("not whole pairs"), std::string::npos) << error;
    std::vector<float> outside(2 * HarmonyPlan::kFeatures, 0.1f);
    outside[3] = std::numeric_limits<float>::quiet_NaN();
    HarmonyPlan::fromData(outside, false, error);
    EXPECT_NE(error.find("outside 0..1"), std::string::npos) << error;
}

// With quarters, a bar's profile comes with its quarters' (here two chords a bar, a half bar
// each), transposed with it into the key of the bar it is asked about; guided, each quarter
// that sounds is pushed from the bar written as the bar's profile is.
TEST(HarmonyPlan, QuartersComeWithTheirBarInAnyKey) {
    const GanShape shape = ganShape(toyRepresentation(), 16);
    const std::set<int> kGMajor = {62, 67, 71}, kEMinor = {64, 67, 71}, kAMajor = {61, 64, 69},
                        kFSharpMinor = {61, 66, 69};
    std::vector<FrameSequence> pieces;
    for (int i = 0; i < 12; ++i)
        pieces.push_back(chordRun(toyRepresentation(),
                                  {kCMajor, kGMajor, kAMinor, kEMinor, kCMajor, kGMajor, kAMinor,
                                   kEMinor, kCMajor, kGMajor, kAMinor, kEMinor},
                                  8));
    const HarmonyPlan plan = HarmonyPlan::fromPieces(pieces, shape, 16, true);
    ASSERT_TRUE(plan.quarters());
    ASSERT_EQ(plan.profileSize(), HarmonyPlan::kFeatures + kBarQuarters * 12);
    ASSERT_EQ(plan.size(), 12u * 5u);
    const auto barOf = [&](const std::set<int>& first, const std::set<int>& second) {
        const FrameSequence bar = chordRun(toyRepresentation(), {first, second}, 8);
        Profile p{};
        keyFeatures({KeySource{&bar, {{0, 16}}}}, 0, shape, p.data());
        return p;
    };
    std::mt19937_64 rng(4);
    std::vector<float> next(std::size_t(plan.profileSize()));
    // A tone above C-G: D-A, so the bar after is B minor-F# minor.
    plan.next(barOf(kDMajor, kAMajor).data(), rng, next.data());
    const Profile bar = barOf(kBMinor, kFSharpMinor);
    for (int q = 0; q < HarmonyPlan::kFeatures; ++q)
        EXPECT_FLOAT_EQ(next[std::size_t(q)], bar[std::size_t(q)]) << "the bar, feature " << q;
    const Profile bMinor = profileOf(kBMinor, shape), fSharpMinor = profileOf(kFSharpMinor, shape);
    for (int k = 0; k < kBarQuarters; ++k)
        for (int q = 0; q < 12; ++q)
            EXPECT_FLOAT_EQ(next[std::size_t(HarmonyPlan::kFeatures + k * 12 + q)],
                            (k < 2 ? bMinor : fSharpMinor)[std::size_t(q)])
                << "quarter " << k << ", pitch class " << q;

    // Guided from a bar of D major alone: each quarter is pushed from it as the bar is.
    std::vector<float> pushed = next;
    guideProfile(profileOf(kDMajor, shape).data(), 1.5, pushed.data(), kBarQuarters);
    std::vector<float> alone(bMinor.begin(), bMinor.end());
    guideProfile(profileOf(kDMajor, shape).data(), 1.5, alone.data());
    for (int q = 0; q < 12; ++q)
        EXPECT_FLOAT_EQ(pushed[std::size_t(HarmonyPlan::kFeatures + q)], alone[std::size_t(q)]);
    // A quarter of rest stays one.
    std::fill(next.begin() + HarmonyPlan::kFeatures + 36, next.end(), 0.f);
    guideProfile(profileOf(kDMajor, shape).data(), 1.5, next.data(), kBarQuarters);
    for (int q = 0; q < 12; ++q)
        EXPECT_EQ(next[std::size_t(HarmonyPlan::kFeatures + 36 + q)], 0.f);
}

// The plan travels in the GAN's payload, with its quarters where the model has them; a plan
// model's payload without one is refused, a model from before quarters reads its plan without
// them, and a model from before plans (harmonyPlan off) needs none.
TEST(HarmonyPlan, TravelsInTheCheckpointAndIsRequiredThere) {
    ModelConfig config;
    config.kind = ModelKind::Gan;
    config.hidden = 16;
    config.noiseSize = 8;
    config.representation = toyRepresentation();
    ASSERT_TRUE(config.harmonyPlan); // new models have it
    ASSERT_TRUE(config.harmonyQuarters);
    std::string error;
    const std::unique_ptr<GanModel> fresh = createGanModel(config, 3, error);
    ASSERT_NE(fresh, nullptr) << error;
    EXPECT_TRUE(fresh->harmonyPlan()->quarters()) << "an untrained model's empty plan too";
    for (const bool quarters : {true, false}) {
        ModelConfig c = config;
        c.harmonyQuarters = quarters;
        auto plan = std::make_shared<const HarmonyPlan>(alternatingPlan(fresh->shape(), quarters));
        const GanModel withPlan(c, fresh->generator(), fresh->critic(), {}, plan);
        const std::unique_ptr<SequenceModel> back = deserializeGan(c, withPlan.serialize(), error);
        ASSERT_NE(back, nullptr) << error;
        const auto* gan = dynamic_cast<const GanModel*>(back.get());
        ASSERT_NE(gan, nullptr);
        ASSERT_NE(gan->harmonyPlan(), nullptr);
        EXPECT_EQ(gan->harmonyPlan()->quarters(), quarters);
        EXPECT_EQ(gan->harmonyPlan()->data(), plan->data());
    }

    ModelConfig before = config;
    before.harmonyPlan = false;
    const GanModel old(before, fresh->generator(), fresh->critic(), {});
    EXPECT_EQ(old.harmonyPlan(), nullptr);
    const std::string oldPayload = old.serialize();
    EXPECT_NE(deserializeGan(before, oldPayload, error), nullptr) << error;
    EXPECT_EQ(deserializeGan(config, oldPayload, error), nullptr);
    EXPECT_NE(error.find("harmony plan is missing"), std::string::npos) << error;
}

// The profile asked of the next bar, pushed further from the bar written: its pitch-class
// shares move `guidance` times as far, clipped at 0 and summed to 1 again; nothing changes at 1
// or after a silent bar.
TEST(HarmonyPlan, GuidancePushesTheNextProfileFurtherFromTheBarWritten) {
    Profile before{}, planned{};
    before[0] = 0.5f; // C and G written, the plan asks for C, E and A
    before[7] = 0.5f;
    planned[0] = 0.5f;
    planned[4] = 0.25f;
    planned[9] = 0.25f;
    planned[12] = 1.f; // minor
    Profile pushed = planned;
    guideProfile(before.data(), 1.5, pushed.data());
    // C 0.5 stays; G 0.5 - 0.75 clips to 0; E and A 0.375 each: 1.25 in all.
    EXPECT_NEAR(pushed[0], 0.5 / 1.25, 1e-6);
    EXPECT_NEAR(pushed[7], 0.0, 1e-6);
    EXPECT_NEAR(pushed[4], 0.375 / 1.25, 1e-6);
    EXPECT_NEAR(pushed[9], 0.375 / 1.25, 1e-6);
    EXPECT_FLOAT_EQ(pushed[12], 1.f) << "the mode flag is left";
    Profile same = planned;
    guideProfile(before.data(), 1.0, same.data());
    EXPECT_EQ(same, planned);
    const Profile silent{};
    guideProfile(silent.data(), 1.5, same.data());
    EXPECT_EQ(same, planned);
    // Below 1, part of the way: at 0.5 halfway between the bar written and the plan's.
    Profile half = planned;
    guideProfile(before.data(), 0.5, half.data());
    EXPECT_NEAR(half[7], 0.25, 1e-6);
    EXPECT_NEAR(half[4], 0.125, 1e-6);
}

// A GAN checkpoint from before quarters has no "harmonyQuarters" in its config: it reads as a
// model whose plan gives bars only (its plan's layout would not match otherwise); a model
// without a plan has no quarters either.
TEST(HarmonyPlan, OlderGanConfigsHaveNoQuarters) {
    ModelConfig config;
    config.kind = ModelKind::Gan;
    expectOlderConfigsReadFalse(config, "\"harmonyQuarters\":true", &ModelConfig::harmonyQuarters);

    ModelConfig back;
    config.harmonyPlan = false;
    ASSERT_EQ(ModelConfig::fromJson(config.toJson(), back), "");
    EXPECT_FALSE(back.harmonyQuarters);
}
