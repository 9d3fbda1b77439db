// The sampling choices a GAN makes on its validation pieces (ml/SamplingCalibration.h): how its
// harmony moves, its cap and floor on notes at once, its hold odds, its shortest note, its noise
// carry and how far its harmony is pushed, and their trip through a checkpoint's metadata.

#include "CalibrationTestUtil.h"
#include "MlTestUtil.h"
#include "common/GanChoices.h"

#include "ml/Checkpoint.h"
#include "ml/SamplingCalibration.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

using namespace torchestra::ml;
using namespace torchestra::ml::test;

namespace {

// `take` with `extra` more pitches sounding above it at every step (from MIDI pitch 96 down),
// and then only its `cap` lowest at a step (0: no cap), as a sampler keeps to a cap.
FrameSequence thickened(FrameSequence take, int extra, int cap) {
    const RepresentationConfig rep;
    for (int t = 0; t < take.steps; ++t) {
        for (int k = 0; k < extra; ++k) { // held from the first step
            const std::size_t at =
                std::size_t(t) * take.pitches + std::size_t(96 - k - rep.lowPitch);
            take.sounding[at] = 1;
            if (!take.onset.empty())
                take.onset[at] = t == 0;
        }
        int n = 0;
        for (int p = 0; p < take.pitches; ++p) {
            const std::size_t at = std::size_t(t) * take.pitches + std::size_t(p);
            if (take.sounding[at] && cap > 0 && ++n > cap)
                take.sounding[at] = take.onset[at] = 0;
        }
    }
    return take;
}

// A GAN with a harmony plan, or without one (`plan`).
ModelConfig ganConfig(bool plan) {
    ModelConfig c;
    c.kind = ModelKind::Gan;
    c.harmonyPlan = plan;
    return c;
}

// A GAN whose takes continue the primer's bar where `closeWhen` holds for the request, and are
// noise elsewhere: a model closest at one setting of its sampling.
class CloseWhenModel : public StubModel {
public:
    explicit CloseWhenModel(std::function<bool(const SampleRequest&)> closeWhen)
        : StubModel(ganConfig(true)), m_closeWhen(std::move(closeWhen)) {}
    std::vector<FrameSequence> sample(const SampleRequest& r,
                                      const std::atomic<bool>* cancel) const override {
        if (cancel && cancel->load())
            return {};
        if (!m_closeWhen(r))
            return {noise(r.future, unsigned(r.seed) * 7)};
        return {primersLastBarAgain(r)};
    }

private:
    std::function<bool(const SampleRequest&)> m_closeWhen;
};

// A GAN whose takes continue the primer's bar only with (`closeWith`) or only without the
// harmony plan's progressions (SampleRequest::harmonyProgressions), and noise otherwise. It
// records the rhythm odds, temperatures and caps on notes at once it was asked for.
class HarmonyModel : public StubModel {
public:
    explicit HarmonyModel(bool closeWith, bool plan = true)
        : StubModel(ganConfig(plan)), m_closeWith(closeWith) {}
    std::vector<FrameSequence> sample(const SampleRequest& r,
                                      const std::atomic<bool>* cancel) const override {
        if (cancel && cancel->load())
            return {};
        ++calls;
        rhythmAlwaysDefault = rhythmAlwaysDefault && r.rhythm.isDefault();
        temperatureAlwaysOne = temperatureAlwaysOne && r.temperature == 1.0;
        seeds.insert(r.seed);
        caps.insert(r.constraints.maxPolyphony);
        if (r.harmonyProgressions != m_closeWith)
            return {noise(r.future, unsigned(r.seed) * 7)};
        return {primersLastBarAgain(r)};
    }
    mutable int calls = 0;
    mutable bool rhythmAlwaysDefault = true, temperatureAlwaysOne = true;
    mutable std::set<std::uint64_t> seeds;
    mutable std::set<int> caps;

private:
    bool m_closeWith;
};

// A GAN whose takes continue the primer's bar, either way its harmony moves, with four notes
// more at once above it (held), unless a cap cuts them (SampleConstraints::maxPolyphony); and
// noise unless its notes are held at odds of 3 (SampleRequest::holdOdds) or its decoding's own.
class ThickModel : public StubModel {
public:
    ThickModel() : StubModel(ganConfig(true)) {}
    std::vector<FrameSequence> sample(const SampleRequest& r,
                                      const std::atomic<bool>* cancel) const override {
        if (cancel && cancel->load())
            return {};
        caps.insert(r.constraints.maxPolyphony);
        holds.insert(r.holdOdds);
        if (r.holdOdds >= 0 && r.holdOdds != 3)
            return {noise(r.future, unsigned(r.seed) * 7)};
        return {thickened(primersLastBarAgain(r), 4, r.constraints.maxPolyphony)};
    }
    mutable std::set<int> caps;
    mutable std::set<double> holds;
};

// A piece that sounds `notes` at once for `count` steps, for each (notes, count) in turn,
// after one silent step.
FrameSequence voicedPiece(const std::vector<std::pair<int, int>>& notesAndSteps) {
    FrameSequence seq;
    int steps = 1;
    for (const auto& [notes, count] : notesAndSteps)
        steps += count;
    seq.resize(steps, 88, true);
    int t = 1;
    for (const auto& [notes, count] : notesAndSteps)
        for (int k = 0; k < count; ++k, ++t)
            for (int p = 0; p < notes; ++p)
                seq.sounding[std::size_t(t) * 88 + std::size_t(40 + p)] = 1;
    return seq;
}

} // namespace

// A GAN with a harmony plan chooses how its harmony moves: each way read over several draws of
// the same windows, at its own temperature and decoding (not the LSTM's grid of temperatures
// and rhythm odds).
TEST(SamplingCalibration, AGanChoosesHowItsHarmonyMoves) {
    SamplingCalibration c;
    const HarmonyModel along(true);
    ASSERT_TRUE(calibrateSampling(along, repeatingPieces(), nullptr, c));
    EXPECT_TRUE(c.harmonyProgressions);
    ASSERT_EQ(c.tried.size(), 1u);
    ASSERT_EQ(c.triedProgressions.size(), 1u);
    EXPECT_GT(c.triedProgressions[0].second, c.tried[0].second + 0.2) << describeCalibration(c);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedProgressions[0].second);
    EXPECT_TRUE(c.rhythm.isDefault()) << "a GAN keeps its own decoding's rhythm";
    EXPECT_FALSE(c.keepsRhythm());
    EXPECT_DOUBLE_EQ(c.temperature, 1.0);
    EXPECT_TRUE(along.rhythmAlwaysDefault);
    EXPECT_TRUE(along.temperatureAlwaysOne);
    // 12 windows, each way, each cap on notes at once, each hold odds, each noise carry, each
    // floor on notes at once and each harmony guidance, each draw: the draws start from seeds
    // 1, 1001, ... The cap makes no take closer here (a tie keeps none).
    ASSERT_EQ(polyphonyFloorsTried(repeatingPieces()), (std::vector<int>{2}));
    EXPECT_EQ(along.calls,
              int(2 + 1 + ganHoldOddsTried().size() + ganShortestNotesTried().size() +
                  ganNoiseCarriesTried().size() + 1 + ganHarmonyGuidancesTried().size()) *
                  kCalibrationDraws * 12);
    EXPECT_EQ(along.caps, (std::set<int>{0, 3}));
    EXPECT_EQ(c.maxPolyphony, 0);
    EXPECT_LT(c.holdOdds, 0) << "the hold odds make no take closer either";
    EXPECT_EQ(c.triedHold.size(), ganHoldOddsTried().size());
    EXPECT_EQ(c.shortestNote, 0) << "nor the shortest note";
    EXPECT_EQ(c.triedShortest.size(), ganShortestNotesTried().size());
    EXPECT_LT(c.noiseCarry, 0) << "nor the noise carry";
    EXPECT_EQ(c.minPolyphony, 0) << "nor the floor";
    EXPECT_EQ(c.triedFloor.size(), 1u);
    EXPECT_LT(c.harmonyGuidance, 0) << "nor the guidance";
    EXPECT_EQ(c.triedGuidance.size(), ganHarmonyGuidancesTried().size());
    EXPECT_EQ(along.seeds.count(1u + 1000u), 1u);
    EXPECT_EQ(describeCalibration(c).rfind("harmony along the training music's progressions, "
                                           "chosen on validation (closeness matched to each bar ",
                                           0),
              0u)
        << describeCalibration(c);

    // Not on the training windows: the plan holds their bars (SamplingCalibration.h).
    const std::vector<FrameSequence> training = repeatingPieces();
    const HarmonyModel eachBar(false);
    ASSERT_TRUE(calibrateSampling(eachBar, repeatingPieces(), nullptr, c, &training));
    EXPECT_EQ(eachBar.calls, along.calls);
    EXPECT_FALSE(c.harmonyProgressions);
    EXPECT_DOUBLE_EQ(c.closeness, c.tried[0].second);
    EXPECT_EQ(describeCalibration(c).rfind("harmony matched to each bar written", 0), 0u);

    // Without a plan there is nothing to choose.
    const HarmonyModel noPlan(true, false);
    EXPECT_FALSE(calibrateSampling(noPlan, repeatingPieces(), nullptr, c));
    EXPECT_FALSE(c.calibrated());
    EXPECT_EQ(noPlan.calls, 0);
}

// The caps tried sit one above the notes at once of 90% and of 99% of the music's sounding
// steps.
TEST(SamplingCalibration, TriesCapsOnNotesAtOnceAboveTheMusicsVoices) {
    // The arpeggio over a held bass: two at once throughout.
    EXPECT_EQ(polyphonyCapsTried(repeatingPieces()), (std::vector<int>{3}));
    // Four at once at 99 steps in 100 sets both; a cluster of 9 at the 100th does not.
    EXPECT_EQ(polyphonyCapsTried({voicedPiece({{4, 99}, {9, 1}})}), (std::vector<int>{5}));
    EXPECT_EQ(polyphonyCapsTried({voicedPiece({{4, 98}, {5, 1}, {9, 1}})}),
              (std::vector<int>{5, 6}));
    EXPECT_EQ(polyphonyCapsTried({voicedPiece({{4, 85}, {5, 10}, {9, 5}})}),
              (std::vector<int>{6, 10}));
    // Over all the pieces given.
    EXPECT_EQ(polyphonyCapsTried({voicedPiece({{4, 85}}), voicedPiece({{5, 10}, {9, 5}})}),
              (std::vector<int>{6, 10}));
    EXPECT_TRUE(polyphonyCapsTried({}).empty());
}

// A GAN that sounds more notes at once than its music keeps the cap whose takes are closest.
// The caps come from the training pieces: here their melody alone (one at once: cap 2),
// so that capped at 2 the takes keep the validation bars' bass and arpeggio and nothing more.
TEST(SamplingCalibration, AGanThickerThanItsMusicChoosesACapOnNotesAtOnce) {
    std::vector<FrameSequence> melodies = repeatingPieces();
    for (FrameSequence& piece : melodies)
        for (int t = 0; t < piece.steps; ++t)
            for (int p = 0; p < 60 - RepresentationConfig{}.lowPitch; ++p)
                piece.sounding[std::size_t(t) * piece.pitches + std::size_t(p)] = 0;
    ASSERT_EQ(polyphonyCapsTried(melodies), (std::vector<int>{2}));
    SamplingCalibration c;
    const ThickModel thick;
    ASSERT_TRUE(calibrateSampling(thick, repeatingPieces(), nullptr, c, &melodies));
    EXPECT_EQ(c.maxPolyphony, 2) << describeCalibration(c);
    EXPECT_EQ(thick.caps, (std::set<int>{0, 2}));
    ASSERT_EQ(c.triedPolyphony.size(), 1u);
    EXPECT_DOUBLE_EQ(c.triedPolyphony[0].first, 2);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedPolyphony[0].second);
    EXPECT_FALSE(c.harmonyProgressions) << "a tie";
    EXPECT_GT(c.triedPolyphony[0].second, c.tried[0].second + 0.2);
    EXPECT_NE(describeCalibration(c).find("; at most 2 notes at once (closeness without a cap "),
              std::string::npos)
        << describeCalibration(c);
    // Then the hold odds, with the cap chosen: at 3 as close as the decoding's own (a tie).
    EXPECT_LT(c.holdOdds, 0) << describeCalibration(c);
    EXPECT_EQ(thick.holds.size(), 1 + ganHoldOddsTried().size());
    ASSERT_EQ(c.triedHold.size(), ganHoldOddsTried().size());
    for (const auto& [odds, closeness] : c.triedHold)
        EXPECT_EQ(closeness == c.closeness, odds == 3) << describeCalibration(c);
}

// A GAN whose notes come closest held at other odds than its decoding's keeps those odds.
TEST(SamplingCalibration, AGanChoosesTheOddsItsNotesAreHeldAt) {
    SamplingCalibration c;
    ASSERT_TRUE(
        calibrateSampling(CloseWhenModel([](const SampleRequest& r) { return r.holdOdds == 2; }),
                          repeatingPieces(), nullptr, c));
    EXPECT_DOUBLE_EQ(c.holdOdds, 2) << describeCalibration(c);
    EXPECT_EQ(c.maxPolyphony, 0);
    EXPECT_GT(c.closeness, c.tried[0].second + 0.2);
    EXPECT_NE(
        describeCalibration(c).find("; notes held at odds 2 (closeness at the decoding's own "),
        std::string::npos)
        << describeCalibration(c);
}

// A GAN whose takes come closest with its notes at least 2 steps long keeps that shortest
// note, chosen after the hold odds and before the noise carry.
TEST(SamplingCalibration, AGanChoosesItsShortestNote) {
    SamplingCalibration c;
    ASSERT_TRUE(calibrateSampling(
        CloseWhenModel([](const SampleRequest& r) { return r.shortestNote == 2; }),
        repeatingPieces(), nullptr, c));
    EXPECT_EQ(c.shortestNote, 2) << describeCalibration(c);
    EXPECT_LT(c.holdOdds, 0) << "a tie keeps the decoding's own odds";
    ASSERT_EQ(c.triedShortest.size(), ganShortestNotesTried().size());
    EXPECT_DOUBLE_EQ(c.triedShortest[0].first, 2);
    EXPECT_GT(c.triedShortest[0].second, c.triedHold.back().second + 0.2);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedShortest[0].second) << "a tie after it changes nothing";
    const std::string text = describeCalibration(c);
    EXPECT_NE(text.find("; notes of at least 2 steps (closeness at any length "), std::string::npos)
        << text;
    EXPECT_LT(text.find("; notes held at"), text.find("; notes of at least 2 steps")) << text;
    EXPECT_LT(text.find("; notes of at least 2 steps"), text.find("; noise carried")) << text;

    ASSERT_TRUE(calibrateSampling(HarmonyModel(true), repeatingPieces(), nullptr, c));
    EXPECT_EQ(c.shortestNote, 0);
    EXPECT_NE(describeCalibration(c).find("; notes of any length (closeness at any length "),
              std::string::npos)
        << describeCalibration(c);

    // Each take its primer's shortest note, tried last, named rather than numbered.
    ASSERT_TRUE(calibrateSampling(CloseWhenModel([](const SampleRequest& r) {
                                      return r.shortestNote == kShortestNoteOfPrimer;
                                  }),
                                  repeatingPieces(), nullptr, c));
    EXPECT_EQ(c.shortestNote, kShortestNoteOfPrimer);
    ASSERT_EQ(c.triedShortest.size(), ganShortestNotesTried().size());
    EXPECT_DOUBLE_EQ(c.triedShortest.back().first, kShortestNoteOfPrimer);
    const std::string primers = describeCalibration(c);
    EXPECT_NE(primers.find("; notes no shorter than the primer's, up to a beat (closeness at any "
                           "length "),
              std::string::npos)
        << primers;
    EXPECT_NE(primers.find(", the primer's: "), std::string::npos) << primers;
}

// A GAN whose takes come closest with less of its noise carried from bar to bar keeps that
// carry; one closest at the default keeps the default (a tie among the others changes nothing).
TEST(SamplingCalibration, AGanChoosesHowMuchOfItsNoiseItCarries) {
    const auto closestAtCarry = [](double best) {
        return CloseWhenModel([best](const SampleRequest& r) {
            return (r.noiseCarry >= 0 ? r.noiseCarry : kDefaultNoiseCarry) == best;
        });
    };
    SamplingCalibration c;
    ASSERT_TRUE(calibrateSampling(closestAtCarry(0.8), repeatingPieces(), nullptr, c));
    EXPECT_DOUBLE_EQ(c.noiseCarry, 0.8) << describeCalibration(c);
    EXPECT_LT(c.holdOdds, 0) << "the odds do not matter to this model: a tie keeps its own";
    ASSERT_EQ(c.triedCarry.size(), ganNoiseCarriesTried().size());
    EXPECT_GT(c.closeness, c.triedCarry[0].second + 0.2);
    EXPECT_NE(describeCalibration(c).find("; noise carried at 0.8 from bar to bar (closeness at "
                                          "0.98 "),
              std::string::npos)
        << describeCalibration(c);

    ASSERT_TRUE(
        calibrateSampling(closestAtCarry(kDefaultNoiseCarry), repeatingPieces(), nullptr, c));
    EXPECT_LT(c.noiseCarry, 0) << describeCalibration(c);
    EXPECT_NE(describeCalibration(c).find("; noise carried at 0.98 from bar to bar"),
              std::string::npos)
        << describeCalibration(c);
}

// The floors tried: 2 and 3 where the music sounds at least that many at half of its sounding
// steps; none for a melody, or music that never sounds.
TEST(SamplingCalibration, TriesFloorsOnNotesAtOnceWhereTheMusicKeepsItsVoices) {
    EXPECT_EQ(polyphonyFloorsTried({voicedPiece({{4, 90}, {1, 10}})}), (std::vector<int>{2, 3}));
    // Three at once at exactly half the sounding steps (the silent one does not count).
    EXPECT_EQ(polyphonyFloorsTried({voicedPiece({{3, 50}, {2, 50}})}), (std::vector<int>{2, 3}));
    EXPECT_EQ(polyphonyFloorsTried({voicedPiece({{3, 49}, {2, 51}})}), (std::vector<int>{2}));
    // Over all the pieces given.
    EXPECT_EQ(polyphonyFloorsTried({voicedPiece({{1, 60}}), voicedPiece({{2, 50}})}),
              (std::vector<int>{}));
    EXPECT_EQ(polyphonyFloorsTried({voicedPiece({{1, 40}}), voicedPiece({{2, 50}})}),
              (std::vector<int>{2}));
    EXPECT_TRUE(polyphonyFloorsTried({voicedPiece({{1, 100}})}).empty()) << "a melody";
    EXPECT_TRUE(polyphonyFloorsTried({voicedPiece({})}).empty());
    EXPECT_TRUE(polyphonyFloorsTried({}).empty());
}

// A GAN thinner than its music (here: its lowest voice alone) keeps the floor whose takes are
// closest, read last, with everything before it chosen.
TEST(SamplingCalibration, AGanThinnerThanItsMusicChoosesAFloorOnNotesAtOnce) {
    class ThinModel : public StubModel {
    public:
        ThinModel() : StubModel(ganConfig(true)) {}
        std::vector<FrameSequence> sample(const SampleRequest& r,
                                          const std::atomic<bool>* cancel) const override {
            if (cancel && cancel->load())
                return {};
            floors.insert(r.constraints.minPolyphony);
            FrameSequence take = primersLastBarAgain(r);
            if (r.constraints.minPolyphony >= 2)
                return {take};
            for (int t = 0; t < take.steps; ++t) // the lowest pitch of each step alone
                for (int p = 0, n = 0; p < take.pitches; ++p) {
                    const std::size_t at = std::size_t(t) * take.pitches + std::size_t(p);
                    if (take.sounding[at] && ++n > 1)
                        take.sounding[at] = take.onset[at] = 0;
                }
            return {take};
        }
        mutable std::set<int> floors;
    };
    SamplingCalibration c;
    const ThinModel thin;
    ASSERT_TRUE(calibrateSampling(thin, repeatingPieces(), nullptr, c));
    EXPECT_EQ(c.minPolyphony, 2) << describeCalibration(c);
    EXPECT_EQ(thin.floors, (std::set<int>{0, 2}));
    ASSERT_EQ(c.triedFloor.size(), 1u);
    EXPECT_DOUBLE_EQ(c.closeness, c.triedFloor[0].second);
    EXPECT_GT(c.closeness, c.triedCarry.back().second + 0.2) << describeCalibration(c);
    EXPECT_NE(describeCalibration(c).find("; at least 2 notes at once where it sounds (closeness "
                                          "without a floor "),
              std::string::npos)
        << describeCalibration(c);
}

// A GAN whose takes come closest with its harmony pushed further keeps that guidance, the last
// choice; at 1 the description says so.
TEST(SamplingCalibration, AGanChoosesHowFarItsHarmonyIsPushed) {
    SamplingCalibration c;
    ASSERT_TRUE(calibrateSampling(
        CloseWhenModel([](const SampleRequest& r) { return r.harmonyGuidance == 1.5; }),
        repeatingPieces(), nullptr, c));
    EXPECT_DOUBLE_EQ(c.harmonyGuidance, 1.5) << describeCalibration(c);
    ASSERT_EQ(c.triedGuidance.size(), ganHarmonyGuidancesTried().size());
    EXPECT_GT(c.closeness, c.triedGuidance[0].second + 0.2);
    const std::string text = describeCalibration(c);
    EXPECT_NE(text.find("; the harmony pushed 1.5 times as far from the bar written (closeness at "
                        "1 "),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("; the harmony pushed"), text.rfind("; ")) << "the last choice: " << text;

    ASSERT_TRUE(calibrateSampling(HarmonyModel(true), repeatingPieces(), nullptr, c));
    EXPECT_NE(describeCalibration(c).find("; the harmony as its plan asks (closeness at 1 "),
              std::string::npos)
        << describeCalibration(c);
}

// A GAN reports each setting read of all it will read: its harmony's two draws, then every
// cap, hold odds, shortest note, carry, floor and guidance it tries.
TEST(SamplingCalibration, AGanReportsEachSettingReadOfAllItWillRead) {
    std::vector<std::pair<int, int>> heard;
    const CalibrationProgress progress = [&](int read, int total) {
        heard.emplace_back(read, total);
    };
    SamplingCalibration c;
    ASSERT_TRUE(calibrateSampling(HarmonyModel(true), repeatingPieces(), nullptr, c, nullptr,
                                  kCalibrationWindows, kCalibrationMargin, kCalibrationMinWindows,
                                  progress));
    const std::size_t settings = 2 + c.triedPolyphony.size() + c.triedHold.size() +
                                 c.triedShortest.size() + c.triedCarry.size() +
                                 c.triedFloor.size() + c.triedGuidance.size();
    EXPECT_GT(c.triedPolyphony.size(), 0u);
    ASSERT_EQ(heard.size(), settings);
    for (std::size_t i = 0; i < settings; ++i)
        EXPECT_EQ(heard[i], std::pair(int(i) + 1, int(settings)));
}

// A GAN's choice survives the checkpoint, and with it the GAN's own rhythm (RhythmOdds{}, not
// the LSTM's "off"), which its decoding reads as its defaults.
TEST(SamplingCalibration, AGansChoiceTravelsInTheCheckpointMetadata) {
    TrainingMetadata meta;
    meta.sampling = torchestra::test::ganChoicesExample();
    meta.sampling.triedPolyphony = {{5, 0.82}, {7, 0.79}}; // a cap apart from the floor
    meta.sampling.maxPolyphony = 5;
    const LoadedCheckpoint loaded = savedAndLoaded(meta);
    ASSERT_TRUE(loaded.model) << loaded.error;
    const SamplingCalibration& back = loaded.metadata.sampling;
    EXPECT_TRUE(back.calibrated());
    EXPECT_TRUE(back.harmonyProgressions);
    EXPECT_EQ(back.triedProgressions, meta.sampling.triedProgressions);
    EXPECT_EQ(back.tried, meta.sampling.tried);
    EXPECT_TRUE(back.rhythm.isDefault());
    EXPECT_TRUE(back.triedWithRhythm.empty());
    EXPECT_EQ(back.triedPolyphony, meta.sampling.triedPolyphony);
    EXPECT_EQ(back.maxPolyphony, 5);
    EXPECT_EQ(back.triedHold, meta.sampling.triedHold);
    EXPECT_DOUBLE_EQ(back.holdOdds, 3);
    EXPECT_EQ(back.triedShortest, meta.sampling.triedShortest);
    EXPECT_EQ(back.shortestNote, 2);
    EXPECT_EQ(back.triedCarry, meta.sampling.triedCarry);
    EXPECT_DOUBLE_EQ(back.noiseCarry, 0.9);
    EXPECT_EQ(back.triedFloor, meta.sampling.triedFloor);
    EXPECT_EQ(back.minPolyphony, 2);
    EXPECT_EQ(back.triedGuidance, meta.sampling.triedGuidance);
    EXPECT_DOUBLE_EQ(back.harmonyGuidance, 1.5);

    meta.sampling.shortestNote = kShortestNoteOfPrimer;
    EXPECT_EQ(savedAndLoaded(meta).metadata.sampling.shortestNote, kShortestNoteOfPrimer);
    meta.sampling.shortestNote = -7; // no such choice: any length
    EXPECT_EQ(savedAndLoaded(meta).metadata.sampling.shortestNote, 0);

    meta.sampling.harmonyProgressions = false;
    EXPECT_FALSE(savedAndLoaded(meta).metadata.sampling.harmonyProgressions);
    // Chosen before caps and hold odds were tried (session 22): no cap, the decoding's odds.
    meta.sampling.triedPolyphony.clear();
    meta.sampling.triedHold.clear();
    meta.sampling.triedShortest.clear();
    meta.sampling.triedCarry.clear();
    meta.sampling.triedFloor.clear();
    meta.sampling.triedGuidance.clear();
    const SamplingCalibration older = savedAndLoaded(meta).metadata.sampling;
    EXPECT_EQ(older.maxPolyphony, 0);
    EXPECT_TRUE(older.triedPolyphony.empty());
    EXPECT_LT(older.holdOdds, 0);
    EXPECT_TRUE(older.triedHold.empty());
    EXPECT_EQ(older.shortestNote, 0);
    EXPECT_TRUE(older.triedShortest.empty());
    EXPECT_LT(older.noiseCarry, 0);
    EXPECT_TRUE(older.triedCarry.empty());
    EXPECT_EQ(older.minPolyphony, 0);
    EXPECT_TRUE(older.triedFloor.empty());
    EXPECT_LT(older.harmonyGuidance, 0);
    EXPECT_TRUE(older.triedGuidance.empty());
}
