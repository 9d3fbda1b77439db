#include "common/TestNotes.h"
#include "model/EditCommands.h"

#include <gtest/gtest.h>

using namespace torchestra::model;
using torchestra::testkit::makeNote;

namespace {

struct CountingListener : SongListener {
    int notes = 0, tracks = 0, tempo = 0;
    void notesAdded(TrackId, const std::vector<Note>&) override { ++notes; }
    void notesRemoved(TrackId, const std::vector<Note>&) override { ++notes; }
    void notesChanged(TrackId, const std::vector<NoteChange>&) override { ++notes; }
    void tracksChanged() override { ++tracks; }
    void tempoMapChanged() override { ++tempo; }
};

class UndoTest : public ::testing::Test {
protected:
    void SetUp() override {
        Track t;
        t.properties.name = "Piano";
        track = song.addTrack(t);
        ids = song.addNotes(track, {makeNote(0, 480, 60), makeNote(480, 480, 64),
                                    makeNote(960, 240, 67, 80), makeNote(1000, 100, 60)});
        song.addListener(&listener);
    }

    // Pushes a command and checks the whole round trip: the song changes, undo restores it
    // exactly (ids included), redo brings the change back exactly, and the dirty flag and
    // notifications follow.
    Song roundTrip(std::unique_ptr<Command> command) {
        EXPECT_NE(command, nullptr);
        if (!command)
            return song;
        UndoStack stack(song);
        int changes = 0;
        stack.onChanged = [&] { ++changes; };
        const Song before = song;
        const int notified = listener.notes + listener.tracks + listener.tempo;
        EXPECT_TRUE(stack.isClean());
        stack.push(std::move(command));
        EXPECT_FALSE(song.sameContent(before)) << "the command changed nothing";
        EXPECT_GT(listener.notes + listener.tracks + listener.tempo, notified);
        EXPECT_FALSE(stack.isClean());
        EXPECT_TRUE(stack.canUndo());
        const Song after = song;
        stack.undo();
        EXPECT_TRUE(song.sameContent(before)) << "undo did not restore the song";
        EXPECT_TRUE(stack.isClean());
        EXPECT_TRUE(stack.canRedo());
        stack.redo();
        EXPECT_TRUE(song.sameContent(after)) << "redo did not reproduce the change";
        EXPECT_FALSE(stack.isClean());
        EXPECT_EQ(changes, 3);
        return song;
    }

    Song song;
    TrackId track = kNoTrack;
    std::vector<NoteId> ids;
    CountingListener listener;
};

} // namespace

TEST_F(UndoTest, AddNotesKeepsIdsAcrossRedo) {
    roundTrip(std::make_unique<AddNotesCommand>(track, std::vector<Note>{makeNote(2000, 10, 70)}));
    UndoStack stack(song);
    auto cmd = std::make_unique<AddNotesCommand>(track, std::vector<Note>{makeNote(3000, 10, 71)});
    auto* raw = cmd.get();
    stack.push(std::move(cmd));
    ASSERT_EQ(raw->ids().size(), 1u);
    const NoteId id = raw->ids()[0];
    stack.undo();
    EXPECT_EQ(song.findNote(track, id), nullptr);
    stack.redo();
    ASSERT_NE(song.findNote(track, id), nullptr);
    EXPECT_EQ(song.findNote(track, id)->pitch, 71);
}

TEST_F(UndoTest, RemoveNotes) {
    roundTrip(std::make_unique<RemoveNotesCommand>(track, std::vector<NoteId>{ids[0], ids[2]}));
    EXPECT_EQ(song.track(track)->noteCount(), 2u);
}

TEST_F(UndoTest, MoveNotesClampsTheGroupAtTheEdges) {
    Song s = roundTrip(moveNotes(song, track, {ids[1], ids[2]}, -10000, 100));
    // Moved as a group: the earliest note lands on 0, the highest on 127.
    EXPECT_EQ(s.findNote(track, ids[1])->start, 0);
    EXPECT_EQ(s.findNote(track, ids[2])->start, 480);
    EXPECT_EQ(s.findNote(track, ids[2])->pitch, 127);
    EXPECT_EQ(s.findNote(track, ids[1])->pitch, 124);
}

TEST_F(UndoTest, ResizeNotes) {
    Song s = roundTrip(resizeNotes(song, track, {ids[0]}, -1000, 30));
    EXPECT_EQ(s.findNote(track, ids[0])->length, 30);
}

TEST_F(UndoTest, SetVelocityAbsoluteAndRelative) {
    Song s = roundTrip(setVelocity(song, track, {ids[0], ids[2]}, 20, true));
    EXPECT_EQ(s.findNote(track, ids[0])->velocity, 120);
    EXPECT_EQ(s.findNote(track, ids[2])->velocity, 100);
    s = roundTrip(setVelocity(song, track, {ids[0]}, 0, false));
    EXPECT_EQ(s.findNote(track, ids[0])->velocity, 1);
}

TEST_F(UndoTest, TransposeRefusesToLeaveTheRange) {
    Song s = roundTrip(transposeNotes(song, track, {ids[0], ids[1]}, 12));
    EXPECT_EQ(s.findNote(track, ids[0])->pitch, 72);
    EXPECT_EQ(transposeNotes(song, track, {ids[0]}, 100), nullptr);
}

TEST_F(UndoTest, QuantizeWithStrengthAndSwing) {
    song.changeNotes(track, {[&] {
                         Note n = *song.findNote(track, ids[3]);
                         n.start = 1050;
                         return n;
                     }()});
    QuantizeOptions q;
    q.grid = 120;
    q.strength = 0.5;
    Song s = roundTrip(quantizeNotes(song, track, {ids[3]}, q));
    // 1050 is nearest to grid point 1080 (index 9, an off-beat; no swing): half way is 1065.
    EXPECT_EQ(s.findNote(track, ids[3])->start, 1065);
    EXPECT_EQ(s.findNote(track, ids[3])->length, 100);

    Song fresh = s;
    QuantizeOptions swing;
    swing.grid = 120;
    swing.swing = 0.5;
    auto cmd = quantizeNotes(fresh, track, {ids[3]}, swing);
    ASSERT_NE(cmd, nullptr);
    cmd->redo(fresh);
    // Index 9 is odd: the grid point moves 0.5 * 60 = 30 ticks later.
    EXPECT_EQ(fresh.findNote(track, ids[3])->start, 1110);
}

TEST_F(UndoTest, SplitMakesTwoNotes) {
    Song s = roundTrip(splitNotes(song, track, {ids[0], ids[1]}, 200));
    EXPECT_EQ(s.track(track)->noteCount(), 5u); // only the first note crosses tick 200
    EXPECT_EQ(s.findNote(track, ids[0])->length, 200);
    EXPECT_EQ(splitNotes(song, track, {ids[1]}, 200), nullptr);
}

TEST_F(UndoTest, MergeJoinsTouchingNotesOfOnePitch) {
    song.addNotes(track, {makeNote(480, 100, 60)}); // touches the note at 0..480
    std::vector<NoteId> all;
    for (const Note& n : song.track(track)->notes())
        all.push_back(n.id);
    Song s = roundTrip(mergeNotes(song, track, all));
    // 0..480 and 480..580 join; 1000..1100 does not touch them.
    EXPECT_EQ(s.findNote(track, ids[0])->length, 580);
    EXPECT_EQ(s.track(track)->noteCount(), 4u);
}

TEST_F(UndoTest, AddRemoveMoveTracksAndProperties) {
    Track extra;
    extra.properties.name = "Bass";
    roundTrip(std::make_unique<AddTrackCommand>(extra, 0));
    EXPECT_EQ(song.trackAt(0).properties.name, "Bass");
    roundTrip(std::make_unique<MoveTrackCommand>(track, 0));
    roundTrip(std::make_unique<RemoveTrackCommand>(track));
    TrackProperties p = song.track(song.trackIdAt(0))->properties;
    p.muted = true;
    p.program = 33;
    roundTrip(std::make_unique<SetTrackPropertiesCommand>(song.trackIdAt(0), p));
}

// A track added with notes (a take accepted into a new track): one step, the notes there after
// every redo.
TEST_F(UndoTest, AddTrackWithNotesIsOneStep) {
    Track extra;
    extra.properties.name = "Flute take B";
    roundTrip(std::make_unique<AddTrackCommand>(
        extra, std::vector<Note>{makeNote(0, 240, 72), makeNote(240, 240, 74)}, 1, "New track"));
    ASSERT_EQ(song.tracks().size(), 2u);
    EXPECT_EQ(song.trackAt(1).properties.name, "Flute take B");
    EXPECT_EQ(song.trackAt(1).noteCount(), 2u);
}

TEST_F(UndoTest, RemovedTrackComesBackWithItsNotesAndIds) {
    UndoStack stack(song);
    stack.push(std::make_unique<RemoveTrackCommand>(track));
    EXPECT_EQ(song.trackCount(), 0u);
    stack.undo();
    ASSERT_EQ(song.trackCount(), 1u);
    EXPECT_NE(song.findNote(track, ids[2]), nullptr);
}

TEST_F(UndoTest, TempoAndTimeSignature) {
    Song s = roundTrip(setTempo(song, 960, 300000));
    EXPECT_EQ(s.tempoMap().usPerQuarterAt(1000), 300000);
    s = roundTrip(setTimeSignature(song, {1920, 3, 4}));
    EXPECT_EQ(s.tempoMap().timeSignatureAt(1920).numerator, 3);
    EXPECT_EQ(setTimeSignature(song, {0, 3, 5}), nullptr); // not a power of two
}

TEST_F(UndoTest, ReplaceRangeCutsRemovesAndAdds) {
    Song s = roundTrip(replaceRange(song, track, 240, 960, {makeNote(240, 240, 72)}));
    // Note 0 (0..480) is cut at 240; note 1 (starts 480) is removed; 960 and 1000 stay.
    EXPECT_EQ(s.findNote(track, ids[0])->length, 240);
    EXPECT_EQ(s.findNote(track, ids[1]), nullptr);
    EXPECT_NE(s.findNote(track, ids[2]), nullptr);
    EXPECT_EQ(s.track(track)->noteCount(), 4u);
}

TEST_F(UndoTest, DragMergesIntoOneStep) {
    UndoStack stack(song);
    const Song before = song;
    const std::uint64_t gesture = 42;
    for (int i = 1; i <= 10; ++i)
        stack.push(moveNotes(song, track, {ids[0], ids[1]}, 10, 0, gesture));
    EXPECT_EQ(stack.count(), 1);
    EXPECT_EQ(song.findNote(track, ids[0])->start, 100);
    stack.closeMerge();
    stack.push(moveNotes(song, track, {ids[0], ids[1]}, 10, 0, gesture));
    EXPECT_EQ(stack.count(), 2);
    stack.undo();
    stack.undo();
    EXPECT_TRUE(song.sameContent(before));
}

TEST_F(UndoTest, DifferentGesturesDoNotMerge) {
    UndoStack stack(song);
    stack.push(moveNotes(song, track, {ids[0]}, 10, 0, 1));
    stack.push(moveNotes(song, track, {ids[0]}, 10, 0, 2));
    EXPECT_EQ(stack.count(), 2);
}

TEST_F(UndoTest, CleanStateAndRedoBranching) {
    UndoStack stack(song);
    std::vector<bool> cleanFlips;
    stack.onCleanChanged = [&](bool clean) { cleanFlips.push_back(clean); };
    stack.push(transposeNotes(song, track, {ids[0]}, 1));
    stack.setClean(); // saved here
    EXPECT_TRUE(stack.isClean());
    stack.push(transposeNotes(song, track, {ids[0]}, 1));
    EXPECT_FALSE(stack.isClean());
    stack.undo();
    EXPECT_TRUE(stack.isClean());
    stack.undo();
    EXPECT_FALSE(stack.isClean());
    // A new edit from here drops the redo branch and with it the saved state.
    stack.push(transposeNotes(song, track, {ids[1]}, 1));
    EXPECT_FALSE(stack.canRedo());
    stack.undo();
    EXPECT_FALSE(stack.isClean()) << "the saved state is gone; no step may claim it";
    EXPECT_EQ(cleanFlips, (std::vector<bool>{false, true, false, true, false}));
    EXPECT_EQ(stack.undoLabel(), "");
    EXPECT_EQ(stack.redoLabel(), "Transpose");
}

TEST_F(UndoTest, SavedStepDoesNotGrowByMerging) {
    UndoStack stack(song);
    stack.push(moveNotes(song, track, {ids[0]}, 10, 0, 7));
    stack.setClean();
    stack.push(moveNotes(song, track, {ids[0]}, 10, 0, 7));
    EXPECT_EQ(stack.count(), 2);
    EXPECT_FALSE(stack.isClean());
    stack.undo();
    EXPECT_TRUE(stack.isClean());
}
