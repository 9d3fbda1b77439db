#include "model/Song.h"
#include "common/TestNotes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace torchestra::model;
using torchestra::testkit::makeNote;

namespace {

// Records notifications, to check that each mutation reports exactly what changed.
struct Recorder : SongListener {
    std::vector<Note> added, removed;
    std::vector<NoteChange> changed;
    int tracks = 0, tempo = 0, reloaded = 0;
    void notesAdded(TrackId, const std::vector<Note>& n) override {
        added.insert(added.end(), n.begin(), n.end());
    }
    void notesRemoved(TrackId, const std::vector<Note>& n) override {
        removed.insert(removed.end(), n.begin(), n.end());
    }
    void notesChanged(TrackId, const std::vector<NoteChange>& c) override {
        changed.insert(changed.end(), c.begin(), c.end());
    }
    void tracksChanged() override { ++tracks; }
    void tempoMapChanged() override { ++tempo; }
    void songReloaded() override { ++reloaded; }
};

} // namespace

TEST(Song, NotesGetStableUniqueIds) {
    Song song;
    TrackId t = song.addTrack(Track{});
    auto ids = song.addNotes(t, {makeNote(0, 10, 60), makeNote(5, 10, 62)});
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_NE(ids[0], ids[1]);
    EXPECT_NE(ids[0], kNoNote);
    const Note* n = song.findNote(t, ids[1]);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->pitch, 62);
    // Changing a note's position keeps its id.
    Note moved = *n;
    moved.start = 1000;
    song.changeNotes(t, {moved});
    ASSERT_NE(song.findNote(t, ids[1]), nullptr);
    EXPECT_EQ(song.findNote(t, ids[1])->start, 1000);
    // New ids never reuse removed ones.
    song.removeNotes(t, {ids[0]});
    auto more = song.addNotes(t, {makeNote(0, 1, 1)});
    EXPECT_GT(more[0], ids[1]);
}

TEST(Song, NotesStaySortedByStart) {
    Song song;
    TrackId t = song.addTrack(Track{});
    song.addNotes(t, {makeNote(300, 1, 60), makeNote(100, 1, 60), makeNote(200, 1, 60)});
    const auto& notes = song.track(t)->notes();
    ASSERT_EQ(notes.size(), 3u);
    EXPECT_TRUE(std::is_sorted(notes.begin(), notes.end(), noteOrder));
}

// The range query must agree with a brute-force filter on random data, including very long
// notes that start far before the range.
TEST(Song, RangeQueryMatchesBruteForce) {
    std::mt19937 rng(1234);
    Song song;
    TrackId t = song.addTrack(Track{});
    std::vector<Note> notes;
    for (int i = 0; i < 3000; ++i) {
        Tick len = (i % 97 == 0) ? Tick(rng() % 50000) : Tick(rng() % 500);
        notes.push_back(makeNote(Tick(rng() % 100000), len, int(rng() % 128)));
    }
    song.addNotes(t, notes);
    const Track& track = *song.track(t);
    for (int q = 0; q < 300; ++q) {
        Tick a = Tick(rng() % 110000), b = a + Tick(rng() % 5000);
        std::vector<NoteId> expect, got;
        for (const Note& n : track.notes())
            if (n.start < b && (n.end() > a || (n.length == 0 && n.start >= a)))
                expect.push_back(n.id);
        for (const Note& n : track.notesInRange(a, b))
            got.push_back(n.id);
        std::sort(expect.begin(), expect.end());
        std::sort(got.begin(), got.end());
        ASSERT_EQ(got, expect) << "range [" << a << ", " << b << ")";
    }
}

TEST(Song, NotificationsCarryOldAndNewValues) {
    Song song;
    Recorder rec;
    song.addListener(&rec);
    TrackId t = song.addTrack(Track{});
    EXPECT_EQ(rec.tracks, 1);
    auto ids = song.addNotes(t, {makeNote(0, 10, 60)});
    ASSERT_EQ(rec.added.size(), 1u);
    EXPECT_EQ(rec.added[0].id, ids[0]);
    Note changed = *song.findNote(t, ids[0]);
    changed.pitch = 72;
    song.changeNotes(t, {changed});
    ASSERT_EQ(rec.changed.size(), 1u);
    EXPECT_EQ(rec.changed[0].before.pitch, 60);
    EXPECT_EQ(rec.changed[0].after.pitch, 72);
    song.removeNotes(t, ids);
    ASSERT_EQ(rec.removed.size(), 1u);
    EXPECT_EQ(rec.removed[0].pitch, 72);
    TempoMap map(480);
    map.setTempo(0, 400000);
    song.setTempoMap(map);
    EXPECT_EQ(rec.tempo, 1);
    song.reset(Song{});
    EXPECT_EQ(rec.reloaded, 1);
    song.removeListener(&rec);
    song.addTrack(Track{});
    EXPECT_EQ(rec.tracks, 1);
}

TEST(Song, CopyDoesNotCopyListeners) {
    Song song;
    Recorder rec;
    song.addListener(&rec);
    Song copy = song;
    copy.addTrack(Track{});
    EXPECT_EQ(rec.tracks, 0);
}

TEST(Song, TracksMoveAndRemove) {
    Song song;
    Track a, b, c;
    a.properties.name = "a";
    b.properties.name = "b";
    c.properties.name = "c";
    TrackId ia = song.addTrack(a), ib = song.addTrack(b), ic = song.addTrack(c);
    song.moveTrack(ic, 0);
    EXPECT_EQ(song.trackAt(0).properties.name, "c");
    EXPECT_EQ(song.trackIndex(ia), 1);
    Track removed = song.removeTrack(ib);
    EXPECT_EQ(removed.properties.name, "b");
    EXPECT_EQ(song.trackCount(), 2u);
    EXPECT_EQ(song.trackIndex(ib), -1);
}

TEST(Song, EndTickCoversNotesAndEvents) {
    Song song;
    Track t;
    t.channelEvents.push_back({5000, 0xB0, 7, 100});
    TrackId id = song.addTrack(t);
    song.addNotes(id, {makeNote(100, 200, 60)});
    EXPECT_EQ(song.endTick(), 5000);
    song.addNotes(id, {makeNote(4000, 2000, 60)});
    EXPECT_EQ(song.endTick(), 6000);
}

TEST(Song, SameContentIgnoresIdsWhenAsked) {
    Song a, b;
    TrackId ta = a.addTrack(Track{});
    a.addNotes(ta, {makeNote(0, 10, 60)});
    a.addNotes(ta, {makeNote(0, 10, 64)});
    TrackId tb = b.addTrack(Track{});
    b.addNotes(tb, {makeNote(0, 10, 64), makeNote(0, 10, 60)});
    EXPECT_TRUE(a.sameContent(b, false));
    Note n = b.track(tb)->notes()[0];
    n.velocity = 1;
    b.changeNotes(tb, {n});
    EXPECT_FALSE(a.sameContent(b, false));
}

TEST(Song, SwitchSongMovesAListenerBetweenSongs) {
    Song a, b;
    Recorder rec;
    Song* current = nullptr;
    EXPECT_TRUE(switchSong(&rec, current, &a));
    EXPECT_EQ(current, &a);
    EXPECT_FALSE(switchSong(&rec, current, &a));
    a.addTrack(Track{});
    EXPECT_EQ(rec.tracks, 1); // attached once, not twice
    EXPECT_TRUE(switchSong(&rec, current, &b));
    a.addTrack(Track{});
    EXPECT_EQ(rec.tracks, 1); // no longer hears the old song
    b.addTrack(Track{});
    EXPECT_EQ(rec.tracks, 2);
    EXPECT_TRUE(switchSong(&rec, current, nullptr));
    b.addTrack(Track{});
    EXPECT_EQ(rec.tracks, 2);
}
