// The music metrics against values worked out by hand on small grids.
#include "ml/MusicMetrics.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace torchestra::ml;

namespace {

RepresentationConfig frames() {
    RepresentationConfig c; // 88 pitches from A0 (21): C4 = 60 is index 39
    c.onsets = true;
    return c;
}

FrameSequence empty(int steps) {
    FrameSequence s;
    s.resize(steps, 88, true);
    return s;
}

// MIDI pitch `pitch` sounds in [from, from + length), starting at `from`.
void addNote(FrameSequence& s, int pitch, int from, int length) {
    const int p = pitch - 21;
    for (int t = from; t < from + length; ++t)
        s.sounding[std::size_t(t) * 88 + std::size_t(p)] = 1;
    s.onset[std::size_t(from) * 88 + std::size_t(p)] = 1;
}

} // namespace

TEST(MusicMetrics, OneSoundingBarAndOneEmpty) {
    FrameSequence s = empty(32);
    addNote(s, 60, 0, 8); // C4, half a bar
    addNote(s, 64, 8, 2); // E4, two sixteenths
    const PieceMetrics m = measurePiece(s, frames());
    EXPECT_EQ(m.bars, 2);
    EXPECT_EQ(m.notes, 2);
    EXPECT_DOUBLE_EQ(m.emptyBarRate, 0.5);
    EXPECT_DOUBLE_EQ(m.usedPitchClasses, 2);
    EXPECT_DOUBLE_EQ(m.pitchesPerBar, 2);
    EXPECT_DOUBLE_EQ(m.qualifiedNoteRatio, 0.5); // the 8-step C; the 2-step E is not
    EXPECT_DOUBLE_EQ(m.polyphonyRate, 0);
    EXPECT_DOUBLE_EQ(m.scaleConsistency, 1);
    const double h = -(0.8 * std::log2(0.8) + 0.2 * std::log2(0.2)); // 8 steps of C, 2 of E
    EXPECT_NEAR(m.pitchClassEntropy1, h, 1e-12);
    EXPECT_NEAR(m.pitchClassEntropy4, h, 1e-12);
    EXPECT_DOUBLE_EQ(m.grooveConsistency, 1); // a single sounding bar
    EXPECT_DOUBLE_EQ(m.pitchRange, 4);
}

TEST(MusicMetrics, PolyphonyCountsStepsWithTwoOrMorePitches) {
    FrameSequence s = empty(16);
    for (int pitch : {60, 64, 67})
        addNote(s, pitch, 0, 4);
    addNote(s, 72, 4, 4);
    const PieceMetrics m = measurePiece(s, frames());
    EXPECT_DOUBLE_EQ(m.polyphonyRate, 0.5); // 4 of the 8 sounding steps
    EXPECT_DOUBLE_EQ(m.pitchRange, 12);
    EXPECT_DOUBLE_EQ(m.usedPitchClasses, 3); // C, E, G (the C an octave up is the same class)
    EXPECT_DOUBLE_EQ(m.pitchesPerBar, 4);
}

TEST(MusicMetrics, ScaleConsistencyIsTheBestMajorScalesShare) {
    FrameSequence s = empty(16);
    addNote(s, 60, 0, 4); // C
    addNote(s, 61, 4, 4); // C#
    addNote(s, 62, 8, 4); // D: no major scale holds all three
    EXPECT_NEAR(measurePiece(s, frames()).scaleConsistency, 2.0 / 3.0, 1e-12);
}

TEST(MusicMetrics, GrooveConsistencyComparesAdjacentSoundingBars) {
    FrameSequence s = empty(48);
    for (int bar = 0; bar < 2; ++bar)
        for (int beat = 0; beat < 4; ++beat)
            addNote(s, 60, bar * 16 + beat * 4, 2);
    addNote(s, 62, 32, 2);
    addNote(s, 64, 34, 2);
    // Bars 1 and 2: the same onsets (distance 0); bars 2 and 3: onsets {0,4,8,12} against
    // {0,2}: positions 2, 4, 8 and 12 differ, 4 of 16.
    EXPECT_DOUBLE_EQ(measurePiece(s, frames()).grooveConsistency, 1.0 - (0.0 + 0.25) / 2);
}

TEST(MusicMetrics, BarsFollowTheMetreWhenTheSequenceHasOne) {
    FrameSequence s = empty(30); // 3/4 at 4 steps a beat: bars of 12 steps, the last one short
    for (int t = 0; t < 30; ++t) {
        s.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        s.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 3);
    }
    const auto bars = barRanges(s, 16);
    ASSERT_EQ(bars.size(), 3u);
    EXPECT_EQ(bars[0], std::make_pair(0, 12));
    EXPECT_EQ(bars[1], std::make_pair(12, 24));
    EXPECT_EQ(bars[2], std::make_pair(24, 30));
    addNote(s, 60, 12, 3);
    const PieceMetrics m = measurePiece(s, frames());
    EXPECT_EQ(m.bars, 3);
    EXPECT_NEAR(m.emptyBarRate, 2.0 / 3.0, 1e-12);
}

TEST(MusicMetrics, TonalDistanceIsZeroForTheSameHarmonyAndGrowsAwayFromIt) {
    FrameSequence cMajor = empty(16), cMajorHigh = empty(16), fSharp = empty(16);
    for (int pitch : {60, 64, 67})
        addNote(cMajor, pitch, 0, 16);
    for (int pitch : {72, 76, 79})
        addNote(cMajorHigh, pitch, 0, 16);
    for (int pitch : {66, 70, 73})
        addNote(fSharp, pitch, 0, 16);
    EXPECT_NEAR(tonalDistance(cMajor, cMajorHigh, frames()), 0, 1e-12);
    const double far = tonalDistance(cMajor, fSharp, frames());
    EXPECT_GT(far, 0.5);
    EXPECT_NEAR(tonalDistance(fSharp, cMajor, frames()), far, 1e-12);
    // Harte et al.'s centroid of a single pitch class lies on the circles of radius 1, 1, 0.5:
    // C against itself is 0, C against G (a fifth) is closer than C against F#.
    FrameSequence c = empty(16), g = empty(16), fs = empty(16);
    addNote(c, 60, 0, 16);
    addNote(g, 67, 0, 16);
    addNote(fs, 66, 0, 16);
    EXPECT_LT(tonalDistance(c, g, frames()), tonalDistance(c, fs, frames()));
}

TEST(MusicMetrics, CopyRateFindsVerbatimTwoBarWindows) {
    // Four distinct bars A B C D of training; the take plays B C E: of its two windows, (B, C)
    // is in the training data and (C, E) is not.
    auto bar = [](FrameSequence& s, int at, int pitch) {
        addNote(s, pitch, at * 16, 4);
        addNote(s, pitch + 4, at * 16 + 8, 4);
    };
    FrameSequence training = empty(64), take = empty(48);
    const int a = 60, b = 62, c = 65, d = 67, e = 69;
    const int trainingBars[] = {a, b, c, d};
    for (int i = 0; i < 4; ++i)
        bar(training, i, trainingBars[i]);
    bar(take, 0, b);
    bar(take, 1, c);
    bar(take, 2, e);
    CopyIndex index;
    index.add(training);
    EXPECT_EQ(index.windows(), 3u);
    EXPECT_DOUBLE_EQ(index.copyRate(take), 0.5);
    EXPECT_EQ(index.firstCopiedBar(take), 0);
    EXPECT_DOUBLE_EQ(index.copyRate(training), 1.0);
    EXPECT_EQ(index.firstCopiedBar(take.transposed(1)), -1); // verbatim only
}

TEST(MusicMetrics, OverlapAndKlOfKernelDensities) {
    std::vector<double> ref, same, far;
    for (int i = 0; i < 50; ++i) {
        ref.push_back(std::sin(i * 1.7) + 0.01 * i);
        same.push_back(ref.back());
        far.push_back(ref.back() + 100);
    }
    const DistributionComparison alike = compareDistributions(ref, same);
    EXPECT_NEAR(alike.overlap, 1.0, 1e-3);
    EXPECT_NEAR(alike.kl, 0.0, 1e-6);
    EXPECT_DOUBLE_EQ(alike.referenceMean, alike.generatedMean);
    const DistributionComparison apart = compareDistributions(ref, far);
    EXPECT_LT(apart.overlap, 1e-3);
    EXPECT_GT(apart.kl, 10);
    EXPECT_NEAR(apart.generatedMean - apart.referenceMean, 100, 1e-9);
    // Two normal densities with means one (pooled) standard deviation apart overlap by
    // 2 * Phi(-0.5) = 0.617; the estimate from 400 evenly spread quantiles lands near it.
    std::vector<double> n0, n1;
    for (int i = 1; i <= 400; ++i) {
        const double u = (i - 0.5) / 400.0;
        // Inverse normal CDF by bisection on erfc: a test needs no library for it.
        double lo = -6, hi = 6;
        for (int k = 0; k < 60; ++k) {
            const double mid = (lo + hi) / 2;
            (0.5 * std::erfc(-mid / std::sqrt(2.0)) < u ? lo : hi) = mid;
        }
        n0.push_back(lo);
        n1.push_back(lo + 1.0);
    }
    EXPECT_NEAR(compareDistributions(n0, n1).overlap, 0.617, 0.03);
}

// A set of equal values is compared with the other set's kernel: 49 of 50 generated pieces
// equal to every reference piece overlap it by about 49/50 (the odd piece's share), not by the
// few hundredths a needle-thin kernel of its own left. Both sets flat: the same value overlaps
// fully, different values not at all.
TEST(MusicMetrics, AFlatSetIsComparedWithTheOtherSetsKernel) {
    const std::vector<double> zeros(50, 0.0);
    std::vector<double> oneOdd(50, 0.0);
    oneOdd[17] = 0.25; // one empty bar in a four-bar take
    const DistributionComparison c = compareDistributions(zeros, oneOdd);
    EXPECT_NEAR(c.overlap, 0.98, 0.01);
    EXPECT_NEAR(compareDistributions(oneOdd, zeros).overlap, 0.98, 0.01);
    EXPECT_NEAR(compareDistributions(zeros, zeros).overlap, 1.0, 1e-3);
    EXPECT_LT(compareDistributions(zeros, std::vector<double>(50, 0.25)).overlap, 1e-3);
    // Half the generated pieces off the reference's value: about half the overlap.
    std::vector<double> half(50, 0.0);
    for (std::size_t i = 0; i < 25; ++i)
        half[i] = 0.5;
    EXPECT_NEAR(compareDistributions(zeros, half).overlap, 0.5, 0.02);
}

TEST(MusicMetrics, CompareSetsReportsEveryMetricAndTheCopyRates) {
    FrameSequence piece = empty(32);
    addNote(piece, 60, 0, 8);
    addNote(piece, 64, 16, 8);
    CopyIndex training;
    training.add(piece);
    const MetricsReport r = compareSets({piece, piece}, {piece}, frames(), {}, &training);
    ASSERT_EQ(r.rows.size(), metricNames().size());
    EXPECT_EQ(r.referencePieces, 2u);
    EXPECT_EQ(r.generatedPieces, 1u);
    EXPECT_EQ(r.rows[1].name, "used-pitch-classes");
    EXPECT_DOUBLE_EQ(r.rows[1].comparison.referenceMean, 1);
    EXPECT_DOUBLE_EQ(r.generatedCopyRate, 1);
    EXPECT_DOUBLE_EQ(r.referenceCopyRate, 1);
}
