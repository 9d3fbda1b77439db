#include "DemoSong.h"
#include "TestFiles.h"

#include "ui/panels/SongInfoPanel.h"

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

TEST(SongInfoPanel, SummarisesTheSongAndFollowsIt) {
    model::Song song = makeDemoSong();
    SongInfoPanel panel;
    EXPECT_EQ(panel.field("tracks"), QString::fromUtf8("\u2013")); // no song yet
    panel.setSong(&song);
    EXPECT_EQ(panel.field("tempo"), "96 BPM (1 change)");
    EXPECT_EQ(panel.field("metre"), "4/4 (2 changes)");
    EXPECT_EQ(panel.field("key"), "A minor");
    // 54 quarters at 96 BPM (33.75 s), then two bars of 4/4 at 80 BPM (6 s): 39.75 s.
    EXPECT_EQ(panel.field("length"), QString::fromUtf8("0:40 \u00b7 16 bars"));
    EXPECT_EQ(panel.field("tracks"), "5");
    EXPECT_EQ(panel.field("resolution"), "480 PPQ");
    const QString notesBefore = panel.field("notes");
    EXPECT_EQ(notesBefore, QString::number(song.noteCount()));

    song.addNotes(song.trackIdAt(0), {makeNote(0, 10, 90, 90)});
    EXPECT_EQ(panel.field("notes"), QString::number(song.noteCount()));
    EXPECT_NE(panel.field("notes"), notesBefore);
    model::TempoMap map = song.tempoMap();
    map.setTempo(0, 500000);
    song.setTempoMap(map);
    EXPECT_TRUE(panel.field("tempo").startsWith("120 BPM"));
    panel.setSong(nullptr);
}

TEST(SongInfoPanel, NamesKeys) {
    EXPECT_EQ(SongInfoPanel::keyName(0, false), "C major");
    EXPECT_EQ(SongInfoPanel::keyName(0, true), "A minor");
    EXPECT_EQ(SongInfoPanel::keyName(-3, false), QString::fromUtf8("E\u266d major"));
    EXPECT_EQ(SongInfoPanel::keyName(2, true), "B minor");
    EXPECT_EQ(SongInfoPanel::keyName(7, false), QString::fromUtf8("C\u266f major"));
    EXPECT_EQ(SongInfoPanel::keyName(-7, true), QString::fromUtf8("A\u266d minor"));
}
