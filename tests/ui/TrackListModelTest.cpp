#include "TestFiles.h"

#include "ui/tracks/TrackListModel.h"

#include <QColor>
#include <QFont>
#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

QVariant cell(const TrackListModel& m, int row, int column, int role = Qt::DisplayRole) {
    return m.data(m.index(row, column), role);
}

} // namespace

TEST(TrackListModel, ShowsOneRowPerTrackWithInstrumentAndCounts) {
    model::Song song = makeSmallSong();
    TrackListModel m;
    m.setSong(&song);
    ASSERT_EQ(m.rowCount(), 2);
    ASSERT_EQ(m.columnCount(), TrackListModel::ColumnCount);

    EXPECT_EQ(cell(m, 0, TrackListModel::NameColumn).toString(), "Lead");
    EXPECT_EQ(cell(m, 0, TrackListModel::ChannelColumn).toInt(), 1); // shown 1-based
    EXPECT_EQ(cell(m, 0, TrackListModel::InstrumentColumn).toString(), "Violin");
    EXPECT_EQ(cell(m, 0, TrackListModel::NotesColumn).toString(), "3");
    EXPECT_EQ(cell(m, 1, TrackListModel::NameColumn).toString(), "Drums");
    EXPECT_EQ(cell(m, 1, TrackListModel::ChannelColumn).toInt(), 10);
    EXPECT_EQ(cell(m, 1, TrackListModel::InstrumentColumn).toString(), "Standard Kit");
    EXPECT_EQ(cell(m, 1, TrackListModel::NotesColumn).toString(), "6");

    // The colour swatch is the track's colour.
    const QColor swatch =
        cell(m, 0, TrackListModel::NameColumn, Qt::DecorationRole).value<QColor>();
    EXPECT_EQ(swatch.rgb() & 0xFFFFFF, song.trackAt(0).properties.colour);
    EXPECT_EQ(m.trackIdAt(1), song.trackIdAt(1));
    EXPECT_EQ(m.rowOf(song.trackIdAt(1)), 1);
    EXPECT_EQ(m.trackIdAt(2), model::kNoTrack);
    EXPECT_EQ(m.headerData(TrackListModel::InstrumentColumn, Qt::Horizontal).toString(),
              "Instrument");
}

TEST(TrackListModel, UnnamedTrackWithoutProgramGetsDefaults) {
    model::Song song;
    song.addTrack(model::Track{});
    TrackListModel m;
    m.setSong(&song);
    ASSERT_EQ(m.rowCount(), 1);
    EXPECT_EQ(cell(m, 0, TrackListModel::NameColumn).toString(), "Track 1");
    EXPECT_EQ(cell(m, 0, TrackListModel::InstrumentColumn).toString(), "Acoustic Grand Piano");
    // Marked as a default, not the file's choice.
    EXPECT_TRUE(cell(m, 0, TrackListModel::InstrumentColumn, Qt::FontRole).value<QFont>().italic());
}

TEST(TrackListModel, FollowsSongEdits) {
    model::Song song = makeSmallSong();
    TrackListModel m;
    m.setSong(&song);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);

    song.addNotes(song.trackIdAt(0), {makeNote(4000, 100, 70, 90)});
    ASSERT_EQ(changed.count(), 1);
    const QModelIndex topLeft = changed.at(0).at(0).value<QModelIndex>();
    EXPECT_EQ(topLeft.row(), 0);
    EXPECT_EQ(topLeft.column(), int(TrackListModel::NotesColumn));
    EXPECT_EQ(cell(m, 0, TrackListModel::NotesColumn).toString(), "4");

    model::Track extra;
    extra.properties.name = "Extra";
    song.addTrack(extra);
    EXPECT_EQ(reset.count(), 1);
    EXPECT_EQ(m.rowCount(), 3);
    EXPECT_EQ(cell(m, 2, TrackListModel::NameColumn).toString(), "Extra");

    song.reset(model::Song{});
    EXPECT_EQ(reset.count(), 2);
    EXPECT_EQ(m.rowCount(), 0);

    // Detached: the song's later changes no longer reach the model.
    m.setSong(nullptr);
    EXPECT_EQ(m.rowCount(), 0);
    song.addTrack(model::Track{});
    EXPECT_EQ(m.rowCount(), 0);
}

// Real files often set controllers before the program change, so the reader keeps the program
// change as an event; the list still shows the instrument it selects.
TEST(TrackListModel, InstrumentComesFromTheFirstProgramChangeEvent) {
    model::Song song;
    model::Track t;
    t.properties.channel = 2;
    t.channelEvents.push_back({0, 0xB2, 7, 100}); // volume first
    t.channelEvents.push_back({0, 0xC5, 40, 0});  // program on another channel: not ours
    t.channelEvents.push_back({0, 0xC2, 73, 0});  // Flute on the track's channel
    song.addTrack(t);
    TrackListModel m;
    m.setSong(&song);
    EXPECT_EQ(cell(m, 0, TrackListModel::InstrumentColumn).toString(), "Flute");
    EXPECT_FALSE(
        cell(m, 0, TrackListModel::InstrumentColumn, Qt::FontRole).value<QFont>().italic());
}
