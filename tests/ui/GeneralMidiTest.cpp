#include "project/GeneralMidi.h"

#include <gtest/gtest.h>

#include <QSet>

using namespace torchestra;

TEST(GeneralMidi, ProgramNamesCoverTheWholeSoundSet) {
    EXPECT_EQ(project::gm::programName(0), "Acoustic Grand Piano");
    EXPECT_EQ(project::gm::programName(40), "Violin");
    EXPECT_EQ(project::gm::programName(73), "Flute");
    EXPECT_EQ(project::gm::programName(127), "Gunshot");
    EXPECT_EQ(project::gm::programName(-1), "");
    EXPECT_EQ(project::gm::programName(128), "");
    // 128 distinct, non-empty names: a shifted or truncated table would repeat or leave gaps.
    QSet<QString> names;
    for (int p = 0; p < 128; ++p) {
        EXPECT_FALSE(project::gm::programName(p).isEmpty()) << p;
        names.insert(project::gm::programName(p));
    }
    EXPECT_EQ(names.size(), 128);
}

TEST(GeneralMidi, FamiliesGroupEightPrograms) {
    EXPECT_EQ(project::gm::familyName(0), "Piano");
    EXPECT_EQ(project::gm::familyName(7), "Piano");
    EXPECT_EQ(project::gm::familyName(8), "Chromatic Percussion");
    EXPECT_EQ(project::gm::familyName(33), "Bass");
    EXPECT_EQ(project::gm::familyName(127), "Sound Effects");
}

TEST(GeneralMidi, DrumChannelNamesTheKit) {
    EXPECT_EQ(project::gm::instrumentName(9, 0), "Standard Kit");
    EXPECT_EQ(project::gm::instrumentName(9, std::nullopt), "Standard Kit");
    EXPECT_EQ(project::gm::instrumentName(9, 25), "TR-808 Kit");
    EXPECT_EQ(project::gm::instrumentName(9, 41), "Brush Kit"); // between kits: the one below
    EXPECT_EQ(project::gm::instrumentName(0, 40), "Violin");
    EXPECT_EQ(project::gm::instrumentName(3, std::nullopt), "Acoustic Grand Piano");
    EXPECT_EQ(project::gm::drumNoteName(36), "Bass Drum 1");
    EXPECT_EQ(project::gm::drumNoteName(42), "Closed Hi-Hat");
    EXPECT_EQ(project::gm::drumNoteName(81), "Open Triangle");
    EXPECT_EQ(project::gm::drumNoteName(34), "");
}

TEST(GeneralMidi, PitchNamesPutMiddleCAtC4) {
    EXPECT_EQ(project::gm::pitchName(60), "C4");
    EXPECT_EQ(project::gm::pitchName(61), "C#4");
    EXPECT_EQ(project::gm::pitchName(69), "A4");
    EXPECT_EQ(project::gm::pitchName(0), "C-1");
    EXPECT_EQ(project::gm::pitchName(127), "G9");
    EXPECT_EQ(project::gm::pitchName(128), "");
}
