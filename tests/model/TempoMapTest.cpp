#include "model/TempoMap.h"

#include <gtest/gtest.h>

using namespace torchestra::model;

namespace {

struct TickSeconds {
    Tick tick;
    double seconds;
};

} // namespace

TEST(TempoMap, DefaultsAre120BpmAndFourFour) {
    TempoMap map(480);
    EXPECT_EQ(map.usPerQuarterAt(0), 500000);
    EXPECT_DOUBLE_EQ(map.tickToSeconds(480), 0.5);
    EXPECT_EQ(map.timeSignatureAt(100000).numerator, 4);
    EXPECT_EQ(map.barToTick(1), 1920);
}

// Hand-computed table: 120 BPM until tick 960, then 60 BPM (1000000 us) until 1920, then
// 240 BPM (250000 us).
TEST(TempoMap, TickToSecondsFollowsTheTable) {
    TempoMap map(480);
    map.setTempo(0, 500000);
    map.setTempo(960, 1000000);
    map.setTempo(1920, 250000);
    const TickSeconds table[] = {
        {0, 0.0},
        {240, 0.25},
        {480, 0.5},
        {960, 1.0},
        {1200, 1.5},
        {1440, 2.0},
        {1920, 3.0},
        {2400, 3.25},
        {2880, 3.5},
        {4800, 4.5},
        {1921, 3.0 + 250000.0 / 480 / 1e6},
    };
    for (const auto& row : table) {
        EXPECT_DOUBLE_EQ(map.tickToSeconds(row.tick), row.seconds) << "tick " << row.tick;
        EXPECT_NEAR(map.secondsToTickExact(row.seconds), double(row.tick), 1e-6)
            << "seconds " << row.seconds;
        EXPECT_EQ(map.secondsToTick(row.seconds), row.tick);
    }
}

TEST(TempoMap, MicrosTimesPpqIsExactForOddTempi) {
    // 96 PPQ at 123456 us per quarter: one tick is 1286 us, not a whole number; the product
    // stays exact.
    TempoMap map(96);
    map.setTempo(0, 123456);
    EXPECT_EQ(map.microsTimesPpq(1), 123456);
    EXPECT_EQ(map.microsTimesPpq(96 * 1000), std::int64_t(123456) * 96 * 1000);
    EXPECT_DOUBLE_EQ(map.tickToSeconds(96 * 1000), 123.456);
}

TEST(TempoMap, TempoBeforeFirstChangeIsTheDefault) {
    TempoMap map(480);
    map.setTempo(960, 1000000); // no tempo at tick 0: 120 BPM until 960
    EXPECT_DOUBLE_EQ(map.tickToSeconds(960), 1.0);
    EXPECT_DOUBLE_EQ(map.tickToSeconds(1440), 2.0);
}

TEST(TempoMap, SetTempoReplacesAtTheSameTick) {
    TempoMap map(480);
    map.setTempo(0, 400000);
    map.setTempo(0, 600000);
    ASSERT_EQ(map.tempos().size(), 1u);
    EXPECT_EQ(map.tempos()[0].usPerQuarter, 600000);
    EXPECT_TRUE(map.removeTempo(0));
    EXPECT_FALSE(map.removeTempo(0));
    EXPECT_TRUE(map.tempos().empty());
}

struct BbtRow {
    Tick tick;
    std::int64_t bar;
    int beat;
    Tick rest;
};

// 4/4 for two bars (3840 ticks), then 3/4 (1440-tick bars), then 6/8 at bar 5
// (6 eighths, 1440-tick bars of 240-tick beats).
TEST(TempoMap, BarBeatTickFollowsTimeSignatures) {
    TempoMap map(480);
    map.setTimeSignature({0, 4, 4});
    map.setTimeSignature({3840, 3, 4});
    map.setTimeSignature({3840 + 3 * 1440, 6, 8});
    const BbtRow table[] = {
        {0, 0, 0, 0},
        {479, 0, 0, 479},
        {480, 0, 1, 0},
        {1920, 1, 0, 0},
        {3839, 1, 3, 479},
        {3840, 2, 0, 0},
        {3840 + 1440, 3, 0, 0},
        {3840 + 1440 + 960, 3, 2, 0},
        {8160, 5, 0, 0},
        {8160 + 240, 5, 1, 0},
        {8160 + 1440 + 250, 6, 1, 10},
    };
    for (const auto& row : table) {
        BarBeatTick pos = map.tickToBarBeatTick(row.tick);
        EXPECT_EQ(pos.bar, row.bar) << "tick " << row.tick;
        EXPECT_EQ(pos.beat, row.beat) << "tick " << row.tick;
        EXPECT_EQ(pos.tick, row.rest) << "tick " << row.tick;
        EXPECT_EQ(map.barBeatTickToTick(pos), row.tick);
    }
    EXPECT_EQ(map.barToTick(5), 8160);
    EXPECT_EQ(map.tickToBarBeatTick(8160).toString(), "6:1:000");
}

TEST(TempoMap, ChangeInsideABarStartsANewBar) {
    TempoMap map(480);
    map.setTimeSignature({0, 4, 4});
    map.setTimeSignature({960, 3, 4}); // half-way through bar 0
    EXPECT_EQ(map.tickToBarBeatTick(959).bar, 0);
    EXPECT_EQ(map.tickToBarBeatTick(960).bar, 1);
    EXPECT_EQ(map.barToTick(1), 960);
    EXPECT_EQ(map.barToTick(2), 960 + 1440);
}

TEST(TempoMap, KeySignatureLookup) {
    TempoMap map(480);
    map.setKeySignature({0, -3, true});
    map.setKeySignature({1920, 2, false});
    EXPECT_EQ(map.keySignatureAt(100).sharps, -3);
    EXPECT_TRUE(map.keySignatureAt(100).minor);
    EXPECT_EQ(map.keySignatureAt(1920).sharps, 2);
    map.setKeySignature({0, 12, false}); // clamped to the legal range
    EXPECT_EQ(map.keySignatureAt(0).sharps, 7);
}
