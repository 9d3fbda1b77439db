#include "ui/GeneralMidi.h"

#include <gtest/gtest.h>

#include <QSet>

using namespace torchestra::ui;

TEST(GeneralMidi, ProgramNamesCoverTheWholeSoundSet) {
    EXPECT_EQ(gm::programName(0), "Acoustic Grand Piano");
    EXPECT_EQ(gm::programName(40), "Violin");
    EXPECT_EQ(gm::programName(73), "Flute");
    EXPECT_EQ(gm::programName(127), "Gunshot");
    EXPECT_EQ(gm::programName(-1), "");
    EXPECT_EQ(gm::programName(128), "");
    // 128 distinct, non-empty names: a shifted or truncated table would repeat or leave gaps.
    QSet<QString> names;
    for (int p = 0; p < 128; ++p) {
        EXPECT_FALSE(gm::programName(p).isEmpty()) << p;
        names.insert(gm::programName(p));
    }
    EXPECT_EQ(names.size(), 128);
}

TEST(GeneralMidi, FamiliesGroupEightPrograms) {
    EXPECT_EQ(gm::familyName(0), "Piano");
    EXPECT_EQ(gm::familyName(7), "Piano");
    EXPECT_EQ(gm::familyName(8), "Chromatic Percussion");
    EXPECT_EQ(gm::familyName(33), "Bass");
    EXPECT_EQ(gm::familyName(127), "Sound Effects");
}

TEST(GeneralMidi, DrumChannelNamesTheKit) {
    EXPECT_EQ(gm::instrumentName(9, 0), "Standard Kit");
    EXPECT_EQ(gm::instrumentName(9, std::nullopt), "Standard Kit");
    EXPECT_EQ(gm::instrumentName(9, 25), "TR-808 Kit");
    EXPECT_EQ(gm::instrumentName(9, 41), "Brush Kit"); // between kits: the one below
    EXPECT_EQ(gm::instrumentName(0, 40), "Violin");
    EXPECT_EQ(gm::instrumentName(3, std::nullopt), "Acoustic Grand Piano");
    EXPECT_EQ(gm::drumNoteName(36), "Bass Drum 1");
    EXPECT_EQ(gm::drumNoteName(42), "Closed Hi-Hat");
    EXPECT_EQ(gm::drumNoteName(81), "Open Triangle");
    EXPECT_EQ(gm::drumNoteName(34), "");
}

TEST(GeneralMidi, PitchNamesPutMiddleCAtC4) {
    EXPECT_EQ(gm::pitchName(60), "C4");
    EXPECT_EQ(gm::pitchName(61), "C#4");
    EXPECT_EQ(gm::pitchName(69), "A4");
    EXPECT_EQ(gm::pitchName(0), "C-1");
    EXPECT_EQ(gm::pitchName(127), "G9");
    EXPECT_EQ(gm::pitchName(128), "");
}
