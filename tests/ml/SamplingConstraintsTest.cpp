// The constraints both samplers share: the pitch mask from a range and a scale, the polyphony
// cap, and how density scales the odds of a new note; and the key the key odds read.

#include "ml/SamplingConstraints.h"
#include "ml/KeyOdds.h"
#include "ml/Scales.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace torchestra::ml;

namespace {

RepresentationConfig pianoRange() {
    RepresentationConfig rep;
    rep.lowPitch = 21; // A0
    rep.highPitch = 108;
    return rep;
}

} // namespace

TEST(SamplingConstraints, MaskFromRangeAndScale) {
    const RepresentationConfig rep = pianoRange();
    SampleConstraints c;
    c.lowPitch = 60; // C4 .. C5 in C major
    c.highPitch = 72;
    c.scaleMask = 0x0AB5; // C D E F G A B
    const SamplingConstraints sc(rep, c);
    ASSERT_EQ(sc.pitches(), 88);
    std::vector<int> allowed;
    for (int p = 0; p < sc.pitches(); ++p)
        if (sc.allows(p))
            allowed.push_back(rep.lowPitch + p);
    EXPECT_EQ(allowed, (std::vector<int>{60, 62, 64, 65, 67, 69, 71, 72}));
}

TEST(SamplingConstraints, DefaultsAllowEveryPitchWithoutCap) {
    const SamplingConstraints sc(pianoRange(), SampleConstraints{});
    for (int p = 0; p < sc.pitches(); ++p)
        EXPECT_TRUE(sc.allows(p)) << p;
    EXPECT_TRUE(sc.hasRoom(1000));
    EXPECT_FLOAT_EQ(sc.logitOffset(false), 0.f);
    EXPECT_DOUBLE_EQ(sc.newNoteWeight(3.5), 3.5);
}

TEST(SamplingConstraints, PolyphonyCapForPitchByPitchSampling) {
    SampleConstraints c;
    c.maxPolyphony = 3;
    c.scaleMask = 0x0001; // C only
    const SamplingConstraints sc(pianoRange(), c);
    const int c4 = 60 - 21, d4 = 62 - 21;
    EXPECT_TRUE(sc.hasRoom(2));
    EXPECT_FALSE(sc.hasRoom(3));
    EXPECT_TRUE(sc.mayAdd(c4, 2));
    EXPECT_FALSE(sc.mayAdd(c4, 3)); // full
    EXPECT_FALSE(sc.mayAdd(d4, 0)); // not in the scale
}

TEST(SamplingConstraints, PolyphonyCapKeepsTheMostLikely) {
    RepresentationConfig rep;
    rep.lowPitch = 60;
    rep.highPitch = 67; // 8 units
    SampleConstraints c;
    c.maxPolyphony = 2;
    const SamplingConstraints sc(rep, c);
    std::uint8_t frame[8] = {1, 0, 1, 1, 0, 1, 0, 1};
    const float prob[8] = {0.3f, 0.9f, 0.7f, 0.2f, 0.95f, 0.7f, 0.1f, 0.4f};
    std::vector<int> order;
    order.reserve(8);
    sc.capPolyphony(frame, 5, prob, order);
    // 0.7 twice (units 2 and 5): the tie keeps the lower pitch; 0.4 (unit 7) is third.
    const std::uint8_t expected[8] = {0, 0, 1, 0, 0, 1, 0, 0};
    for (int p = 0; p < 8; ++p)
        EXPECT_EQ(frame[p], expected[p]) << p;

    std::uint8_t underCap[8] = {0, 1, 0, 0, 1, 0, 0, 0};
    sc.capPolyphony(underCap, 2, prob, order);
    EXPECT_EQ(underCap[1], 1);
    EXPECT_EQ(underCap[4], 1);
}

// A floor fills a thin step that sounds from the most probable allowed pitches, never over the
// cap; a silent step stays silent.
TEST(SamplingConstraints, PolyphonyFloorFillsFromTheMostLikely) {
    RepresentationConfig rep;
    rep.lowPitch = 60;
    rep.highPitch = 67; // 8 units
    SampleConstraints c;
    c.minPolyphony = 3;
    c.scaleMask = 0x0FFF & ~(1u << 1); // C# (unit 1) outside
    const float prob[8] = {0.3f, 0.45f, 0.2f, 0.02f, 0.4f, 0.2f, 0.01f, 0.9f};
    const SamplingConstraints sc(rep, c);
    std::uint8_t frame[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(sc.fillPolyphony(frame, 1, prob), 3);
    // 0.45 (unit 1) is outside the scale: 0.4 (unit 4), then 0.3 (unit 0).
    const std::uint8_t expected[8] = {1, 0, 0, 0, 1, 0, 0, 1};
    for (int p = 0; p < 8; ++p)
        EXPECT_EQ(frame[p], expected[p]) << p;

    std::uint8_t silent[8] = {};
    EXPECT_EQ(sc.fillPolyphony(silent, 0, prob), 0);
    for (int p = 0; p < 8; ++p)
        EXPECT_EQ(silent[p], 0) << p;

    // However unlikely: a floor of 7 takes every allowed pitch, down to 0.01 (unit 6).
    c.minPolyphony = 7;
    const SamplingConstraints all(rep, c);
    std::uint8_t every[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(all.fillPolyphony(every, 1, prob), 7);
    for (int p = 0; p < 8; ++p)
        EXPECT_EQ(every[p], p == 1 ? 0 : 1) << p;

    // Under a cap of 2 a floor of 3 stops at the cap; ties keep the lower pitch (units 2, 5).
    c.minPolyphony = 3;
    c.maxPolyphony = 2;
    const SamplingConstraints capped(rep, c);
    std::uint8_t tie[8] = {0, 0, 0, 0, 1, 0, 0, 0};
    const float even[8] = {0.f, 0.f, 0.2f, 0.f, 0.9f, 0.2f, 0.f, 0.f};
    EXPECT_EQ(capped.fillPolyphony(tie, 1, even), 2);
    EXPECT_EQ(tie[2], 1);
    EXPECT_EQ(tie[5], 0);

    // No floor: nothing added.
    const SamplingConstraints none(rep, SampleConstraints{});
    std::uint8_t alone[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(none.fillPolyphony(alone, 1, prob), 1);
    EXPECT_EQ(alone[4], 0);
}

TEST(SamplingConstraints, AdmitsAndRepairsWholeFrames) {
    RepresentationConfig rep;
    rep.lowPitch = 60;
    rep.highPitch = 67; // C4 .. G4
    SampleConstraints c;
    c.maxPolyphony = 2;
    c.scaleMask = 0x0AB5; // C major: C#4 (unit 1) and D#4 (unit 3) are out
    const SamplingConstraints sc(rep, c);
    auto frameOf = [](std::vector<int> on) {
        return [on](int p) { return std::find(on.begin(), on.end(), p) != on.end(); };
    };
    EXPECT_TRUE(sc.admits(frameOf({0, 4})));
    EXPECT_FALSE(sc.admits(frameOf({0, 1})));    // C#
    EXPECT_FALSE(sc.admits(frameOf({0, 2, 4}))); // three notes
    EXPECT_TRUE(sc.admits(frameOf({})));

    std::vector<int> dropped;
    sc.repair(frameOf({1, 2, 3, 4, 7}), [&](int p) { dropped.push_back(p); });
    // Low to high: C# and D# are out of scale, D and E fill the cap, G is one too many.
    EXPECT_EQ(dropped, (std::vector<int>{1, 3, 7}));
}

TEST(SamplingConstraints, DensityScalesTheOddsOfANewNote) {
    SampleConstraints c;
    c.density = 0.5;
    const SamplingConstraints sparse(pianoRange(), c);
    EXPECT_DOUBLE_EQ(sparse.newNoteWeight(3.0), 1.5);
    EXPECT_FLOAT_EQ(sparse.logitOffset(false), float(std::log(0.5)));
    EXPECT_FLOAT_EQ(sparse.logitOffset(true), 0.f); // a held note is not a new one
    // On a logit, the offset multiplies the odds: p = 0.8 (odds 4) becomes odds 2, p = 2/3.
    const float z = std::log(4.f) + sparse.logitOffset(false);
    EXPECT_NEAR(1.f / (1.f + std::exp(-z)), 2.f / 3.f, 1e-6f);

    c.density = 0.0; // no new notes: weight 0, logit offset clamped to log 1e-6
    const SamplingConstraints none(pianoRange(), c);
    EXPECT_DOUBLE_EQ(none.newNoteWeight(3.0), 0.0);
    EXPECT_FLOAT_EQ(none.logitOffset(false), float(std::log(1e-6)));
}

// The key of the music before a step: the major scale holding the most onsets of the 16 beats
// before it, reaching back into the primer; a tie keeps the key held (C and G major both hold
// C, D, E, G, A, B), and the pitches outside it are flagged.
TEST(KeyOdds, TheKeyOfTheSixteenBeatsBefore) {
    RepresentationConfig rep = pianoRange();
    rep.stepsPerBeat = 1;
    const auto withNotes = [&](int steps, const std::vector<std::pair<int, int>>& notes) {
        FrameSequence seq;
        seq.resize(steps, rep.pitches(), true);
        for (const auto& [t, pitch] : notes) {
            seq.sounding[std::size_t(t) * std::size_t(rep.pitches()) + std::size_t(pitch - 21)] = 1;
            seq.onset[std::size_t(t) * std::size_t(rep.pitches()) + std::size_t(pitch - 21)] = 1;
        }
        return seq;
    };
    // The primer: C D E G A B (C or G major), then an F# long before the window.
    const FrameSequence primer =
        withNotes(20, {{0, 66}, {14, 60}, {15, 62}, {16, 64}, {17, 67}, {18, 69}, {19, 71}});
    const FrameSequence take = withNotes(8, {{2, 66}, {3, 66}}); // F# twice: G major
    EXPECT_EQ(keyBefore(primer, take, 0, 1, 21, -1), 0);         // a tie: the lowest, C
    EXPECT_EQ(keyBefore(primer, take, 0, 1, 21, 7), 7);          // a tie keeps G
    EXPECT_EQ(keyBefore(primer, take, 4, 1, 21, 0), 7);          // the F#s tip it
    EXPECT_EQ(keyBefore(FrameSequence{}, withNotes(1, {}), 0, 1, 21, -1), -1); // no notes
    // The window is 16 beats: at step 2 of the take it holds primer steps 6..19, not step 0.
    const FrameSequence early = withNotes(20, {{0, 66}, {0, 54}, {0, 78}, {19, 60}});
    EXPECT_EQ(keyBefore(early, withNotes(4, {}), 2, 1, 21, -1), 0);
    EXPECT_TRUE(outsideKey(7, 21, 65 - 21));   // F in G major
    EXPECT_FALSE(outsideKey(7, 21, 66 - 21));  // F#
    EXPECT_FALSE(outsideKey(-1, 21, 61 - 21)); // no key: nothing is outside
    std::array<int, 12> counts{};
    countStepOnsets(primer, 0, 21, 1, counts);
    EXPECT_EQ(counts[6], 1);
    countStepOnsets(primer, 0, 21, -1, counts);
    EXPECT_EQ(counts[6], 0);
}
