// The piano roll as an editor, driven like a user drives it: QTest mouse and key events on the
// real widget at positions computed with its PianoRollGeometry. Every edit is checked in the
// song, then undone (the song must be exactly as before, ids included) and redone.
#include "TestFiles.h"

#include "ui/pianoroll/PianoRollView.h"

#include "model/EditCommands.h"
#include "model/UndoStack.h"

#include <QSignalSpy>
#include <QTest>

#include <gtest/gtest.h>

#include <cmath>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

class PianoRollEditTest : public ::testing::Test {
protected:
    void SetUp() override {
        song = makeSmallSong();
        view.setSong(&song);
        view.setUndoStack(&stack);
        view.resize(1000, 700);
        view.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
        view.setActiveTrack(song.trackIdAt(0));
        // 96 px a quarter: a 1/16 grid step (120 ticks) is 24 px wide; rows are 16 px high.
        view.setPixelsPerQuarter(96);
        view.setKeyHeight(16);
        view.centreOnPitch(64);
        ASSERT_EQ(view.snapTicks(), 120);
        ASSERT_EQ(view.rollGeometry().scrollX(), 0.0);
    }
    void TearDown() override { view.setSong(nullptr); }

    QWidget* vp() { return view.viewport(); }
    const PianoRollGeometry& g() { return view.rollGeometry(); }
    // The viewport point in the middle of a pitch's row at a tick.
    QPoint at(double tick, int pitch) {
        return QPoint(int(std::lround(g().tickToX(tick))),
                      int(g().pitchToY(pitch) + g().keyHeight() / 2));
    }
    const model::Track& lead() { return song.trackAt(0); }
    model::TrackId leadId() { return song.trackIdAt(0); }
    const model::Note& leadNote(std::size_t i) { return lead().notes().at(i); }
    std::vector<model::NoteId> ids(std::initializer_list<std::size_t> indices) {
        std::vector<model::NoteId> out;
        for (std::size_t i : indices)
            out.push_back(leadNote(i).id);
        return out;
    }
    void click(QPoint p, Qt::KeyboardModifiers mods = {}) {
        QTest::mouseClick(vp(), Qt::LeftButton, mods, p);
    }
    // Press, move in `steps` even steps, release: what a hand does.
    void drag(QPoint from, QPoint to, int steps = 4, Qt::KeyboardModifiers mods = {}) {
        QTest::mousePress(vp(), Qt::LeftButton, mods, from);
        for (int i = 1; i <= steps; ++i)
            QTest::mouseMove(vp(), from + (to - from) * i / steps);
        QTest::mouseRelease(vp(), Qt::LeftButton, mods, to);
    }
    // Undo must give back exactly `before` (ids too), redo exactly `after`.
    void expectUndoRedo(const model::Song& before) {
        const model::Song after = song;
        ASSERT_TRUE(stack.canUndo());
        stack.undo();
        EXPECT_TRUE(song.sameContent(before)) << "undo did not restore the song";
        stack.redo();
        EXPECT_TRUE(song.sameContent(after)) << "redo did not repeat the edit";
    }
    const model::Note* findLead(model::Tick start, int pitch) {
        for (const model::Note& n : lead().notes())
            if (n.start == start && n.pitch == pitch)
                return &n;
        return nullptr;
    }

    model::Song song;
    model::UndoStack stack{song};
    PianoRollView view;
};

} // namespace

TEST_F(PianoRollEditTest, DrawToolAddsANoteOnTheGridCellClicked) {
    const model::Song before = song;
    view.setTool(PianoRollView::Tool::Draw);
    click(at(2400 + 50, 62)); // inside the cell that starts at 2400
    ASSERT_EQ(lead().noteCount(), 4u);
    const model::Note* n = findLead(2400, 62);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->length, 120); // one grid step
    EXPECT_EQ(n->channel, lead().properties.channel);
    EXPECT_EQ(view.selection(), std::set<model::NoteId>{n->id});
    EXPECT_EQ(stack.count(), 1);
    EXPECT_EQ(stack.undoLabel(), "Draw note");
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, DrawingWithADragSetsTheLengthInOneStep) {
    const model::Song before = song;
    view.setTool(PianoRollView::Tool::Draw);
    drag(at(2400 + 10, 62), at(2880 + 20, 62));
    const model::Note* n = findLead(2400, 62);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->length, 480); // to the grid line nearest the release
    EXPECT_EQ(stack.count(), 1);
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, TripletAndFreeGrids) {
    view.setSnap(8, true);
    EXPECT_EQ(view.snapTicks(), 160);
    view.setSnap(0);
    EXPECT_EQ(view.snapTicks(), 1);
    EXPECT_EQ(view.snapNearest(1234.4), 1234);
    view.setSnap(1);
    EXPECT_EQ(view.snapTicks(), 1920);
    view.setSnap(32);
    EXPECT_EQ(view.snapTicks(), 60);
}

TEST_F(PianoRollEditTest, ClickSelectsShiftAddsCtrlTogglesEmptyClickClears) {
    QSignalSpy changed(&view, &PianoRollView::selectionChanged);
    click(at(480, 60));
    EXPECT_EQ(view.selectedIds(), ids({0}));
    click(at(1200, 64), Qt::ShiftModifier);
    EXPECT_EQ(view.selection().size(), 2u);
    click(at(1200, 64), Qt::ControlModifier); // toggles it off again
    EXPECT_EQ(view.selectedIds(), ids({0}));
    click(at(3500, 70)); // empty space
    EXPECT_TRUE(view.selection().empty());
    EXPECT_GE(changed.count(), 4);
    EXPECT_EQ(stack.count(), 0) << "selecting is not an edit";
}

TEST_F(PianoRollEditTest, RubberBandSelectsTheNotesItTouches) {
    // From empty space above and left of the second note to below the third one's start.
    drag(at(900, 70), at(2000, 63));
    std::vector<model::NoteId> expected = ids({1, 2});
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(view.selectedIds(), expected);
    // Shift keeps what was selected.
    drag(at(100, 58), at(300, 61), 4, Qt::ShiftModifier);
    EXPECT_EQ(view.selection().size(), 3u);
    EXPECT_EQ(stack.count(), 0);
}

TEST_F(PianoRollEditTest, MovingByDragSnapsAndIsOneUndoStep) {
    const model::Song before = song;
    const model::NoteId id = leadNote(1).id; // 960..1440, E4
    // Grab the middle and drag 250 ticks right and two rows up, in five moves.
    drag(at(1200, 64), at(1200 + 250, 66), 5);
    const model::Note* n = song.findNote(leadId(), id);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->start, 1200); // 960 + 250 snapped to the 1/16 grid
    EXPECT_EQ(n->pitch, 66);
    EXPECT_EQ(n->length, 480);
    EXPECT_EQ(stack.count(), 1) << "the whole drag is one step";
    EXPECT_EQ(stack.undoLabel(), "Move notes");
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, DraggingASelectionMovesAllOfIt) {
    view.setSelection(ids({0, 1}));
    const model::Song before = song;
    drag(at(1200, 64), at(1200 + 480, 64));
    EXPECT_NE(findLead(480, 60), nullptr);
    EXPECT_NE(findLead(1440, 64), nullptr);
    EXPECT_EQ(stack.count(), 1);
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, MovingHumanisedNotesKeepsTheirOffsetFromTheGrid) {
    // Played, not drawn: 15 ticks late and 10 early, off the 1/16 grid (120 ticks).
    song.addNotes(leadId(), {makeNote(3855, 240, 72, 90), makeNote(4310, 240, 74, 90)});
    const model::Note* late = findLead(3855, 72);
    const model::Note* early = findLead(4310, 74);
    ASSERT_TRUE(late && early);
    const model::NoteId lateId = late->id, earlyId = early->id;
    view.ensureTickVisible(4600);
    view.centreOnPitch(72);
    view.setSelection({lateId, earlyId});
    const model::Song before = song;
    // Drag the late one by about two and a half steps: the group moves by whole steps (240).
    drag(at(3855 + 100, 72), at(3855 + 100 + 290, 72), 5);
    EXPECT_EQ(song.findNote(leadId(), lateId)->start, 3855 + 240) << "kept its 15 ticks late";
    EXPECT_EQ(song.findNote(leadId(), earlyId)->start, 4310 + 240) << "kept its 10 ticks early";
    EXPECT_EQ(song.findNote(leadId(), lateId)->pitch, 72);
    EXPECT_EQ(stack.undoLabel(), "Move notes");
    expectUndoRedo(before);
    // A small nudge of the hand (under half a step) leaves it where it was played.
    drag(at(3855 + 240 + 100, 72), at(3855 + 240 + 100 + 40, 72), 3);
    EXPECT_EQ(song.findNote(leadId(), lateId)->start, 3855 + 240);
}

TEST_F(PianoRollEditTest, AltDragMovesOffTheGrid) {
    const model::NoteId id = leadNote(1).id;
    QTest::mousePress(vp(), Qt::LeftButton, {}, at(1200, 64));
    QTest::mouseMove(vp(), at(1200 + 55, 64));
    QTest::mouseRelease(vp(), Qt::LeftButton, Qt::AltModifier, at(1200 + 55, 64));
    const model::Note* n = song.findNote(leadId(), id);
    ASSERT_NE(n, nullptr);
    EXPECT_NE(n->start % 120, 0) << "Alt turns snapping off";
    EXPECT_NEAR(double(n->start), 960 + 55, 6);
}

TEST_F(PianoRollEditTest, DraggingTheRightEdgeResizes) {
    const model::Song before = song;
    const model::NoteId id = leadNote(0).id; // 0..960, C4
    const QPoint edge(int(g().tickToX(960)) - 3, at(0, 60).y());
    drag(edge, edge + QPoint(int(std::lround(200 * g().pixelsPerTick())), 0), 3);
    const model::Note* n = song.findNote(leadId(), id);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->start, 0);
    EXPECT_EQ(n->length, 1200); // the end lands on the grid line nearest 960 + 200
    EXPECT_EQ(stack.count(), 1);
    EXPECT_EQ(stack.undoLabel(), "Resize notes");
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, DraggingTheLeftEdgeMovesTheStartAndKeepsTheEnd) {
    const model::Song before = song;
    const model::NoteId id = leadNote(2).id; // 1920..2880, G4
    const QPoint edge(int(g().tickToX(1920)) + 2, at(1920, 67).y());
    drag(edge, edge - QPoint(int(std::lround(240 * g().pixelsPerTick())), 0), 3);
    const model::Note* n = song.findNote(leadId(), id);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->start, 1680);
    EXPECT_EQ(n->end(), 2880);
    EXPECT_EQ(stack.count(), 1);
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, EraseToolRemovesClickedAndSweptNotesInOneStep) {
    const model::Song before = song;
    view.setTool(PianoRollView::Tool::Erase);
    click(at(1200, 64));
    EXPECT_EQ(lead().noteCount(), 2u);
    EXPECT_EQ(findLead(960, 64), nullptr);
    expectUndoRedo(before);

    const model::Song beforeSweep = song;
    // One sweep across the two others (they are on different rows: go diagonally).
    QTest::mousePress(vp(), Qt::LeftButton, {}, at(480, 60));
    QTest::mouseMove(vp(), at(1500, 63));
    QTest::mouseMove(vp(), at(2400, 67));
    QTest::mouseRelease(vp(), Qt::LeftButton, {}, at(2400, 67));
    EXPECT_EQ(lead().noteCount(), 0u);
    EXPECT_EQ(stack.count(), 2);
    expectUndoRedo(beforeSweep);
}

TEST_F(PianoRollEditTest, SplitToolCutsANoteAtTheNearestGridLine) {
    const model::Song before = song;
    view.setTool(PianoRollView::Tool::Split);
    click(at(480 + 20, 60));
    ASSERT_EQ(lead().noteCount(), 4u);
    const model::Note* head = findLead(0, 60);
    const model::Note* tail = findLead(480, 60);
    ASSERT_NE(head, nullptr);
    ASSERT_NE(tail, nullptr);
    EXPECT_EQ(head->length, 480);
    EXPECT_EQ(tail->length, 480);
    EXPECT_EQ(tail->velocity, 127);
    EXPECT_EQ(stack.count(), 1);
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, DeleteKeyDeletesTheSelection) {
    click(at(480, 60));
    click(at(2400, 67), Qt::ShiftModifier);
    const model::Song before = song;
    QTest::keyClick(&view, Qt::Key_Delete);
    ASSERT_EQ(lead().noteCount(), 1u);
    EXPECT_EQ(leadNote(0).pitch, 64);
    EXPECT_TRUE(view.selection().empty());
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, ArrowsTransposeAndShiftMovesByOctaves) {
    click(at(1200, 64));
    const model::NoteId id = leadNote(1).id;
    const model::Song before = song;
    QTest::keyClick(&view, Qt::Key_Up);
    EXPECT_EQ(song.findNote(leadId(), id)->pitch, 65);
    QTest::keyClick(&view, Qt::Key_Up, Qt::ShiftModifier);
    EXPECT_EQ(song.findNote(leadId(), id)->pitch, 77);
    QTest::keyClick(&view, Qt::Key_Down, Qt::ShiftModifier);
    QTest::keyClick(&view, Qt::Key_Down);
    QTest::keyClick(&view, Qt::Key_Down);
    EXPECT_EQ(song.findNote(leadId(), id)->pitch, 63);
    EXPECT_EQ(stack.count(), 5);
    for (int i = 0; i < 5; ++i)
        stack.undo();
    EXPECT_TRUE(song.sameContent(before));
    // Right/Left nudge by a grid step.
    QTest::keyClick(&view, Qt::Key_Right);
    EXPECT_EQ(song.findNote(leadId(), id)->start, 960 + 120);
}

TEST_F(PianoRollEditTest, VelocityLaneDragSetsTheVelocityInOneStep) {
    view.setVelocityLaneVisible(true);
    const QRect lane = view.velocityLaneRect();
    ASSERT_FALSE(lane.isEmpty());
    EXPECT_LE(g().noteArea().bottom(), lane.top() + 1) << "the lane takes room from the notes";
    const model::NoteId id = leadNote(1).id; // velocity 100 at 960
    const model::Song before = song;
    const int x = int(std::lround(g().tickToX(960))) + 1;
    const QPoint from(x, int(view.velocityToY(100)));
    const QPoint to(x, int(view.velocityToY(40)));
    drag(from, to, 4);
    const int expected = view.yToVelocity(to.y());
    EXPECT_NEAR(expected, 40, 1);
    EXPECT_EQ(song.findNote(leadId(), id)->velocity, expected);
    EXPECT_EQ(stack.count(), 1);
    EXPECT_EQ(stack.undoLabel(), "Change velocity");
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, VelocityLineDrawsACrescendoInOneStep) {
    view.setVelocityLaneVisible(true);
    const model::Song before = song;
    // From empty lane space before the second note, soft, to after the third, loud.
    const QPoint from(int(g().tickToX(480)), int(view.velocityToY(20)));
    const QPoint to(int(g().tickToX(2400)), int(view.velocityToY(120)));
    drag(from, to, 3);
    const int second = leadNote(1).velocity;
    const int third = leadNote(2).velocity;
    EXPECT_EQ(leadNote(0).velocity, 127) << "left of the line: unchanged";
    EXPECT_NEAR(second, 20 + 100 * (960 - 480) / 1920.0, 3);
    EXPECT_NEAR(third, 20 + 100 * (1920 - 480) / 1920.0, 3);
    EXPECT_LT(second, third);
    EXPECT_EQ(stack.count(), 1);
    EXPECT_EQ(stack.undoLabel(), "Velocity line");
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, CopyAndPasteAtThePlayhead) {
    view.setSelection(ids({0, 1}));
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
    EXPECT_TRUE(PianoRollView::clipboardHasNotes());
    view.setPlayheadTick(3840);
    const model::Song before = song;
    QTest::keyClick(&view, Qt::Key_V, Qt::ControlModifier);
    ASSERT_EQ(lead().noteCount(), 5u);
    const model::Note* a = findLead(3840, 60);
    const model::Note* b = findLead(3840 + 960, 64);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->length, 960);
    EXPECT_EQ(b->velocity, 100);
    EXPECT_EQ(view.selection(), (std::set<model::NoteId>{a->id, b->id}));
    EXPECT_EQ(stack.undoLabel(), "Paste");
    const std::vector<model::NoteId> pasted = view.selectedIds();
    expectUndoRedo(before);

    // Cut removes and remembers (redo brought the pasted notes back with their ids).
    view.setSelection(pasted);
    ASSERT_EQ(view.selection().size(), 2u);
    const model::Song beforeCut = song;
    QTest::keyClick(&view, Qt::Key_X, Qt::ControlModifier);
    EXPECT_EQ(lead().noteCount(), 3u);
    expectUndoRedo(beforeCut);
}

TEST_F(PianoRollEditTest, DuplicatePlacesACopyRightAfterTheSelection) {
    view.setSelection(ids({2})); // 1920..2880
    const model::Song before = song;
    QTest::keyClick(&view, Qt::Key_D, Qt::ControlModifier);
    const model::Note* copy = findLead(2880, 67);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->length, 960);
    EXPECT_EQ(view.selectedIds(), std::vector<model::NoteId>{copy->id});
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, QuantizeMovesStartsToTheGrid) {
    stack.push(std::make_unique<model::AddNotesCommand>(
        leadId(), std::vector<model::Note>{makeNote(1000, 100, 72, 90)}));
    const model::Note* off = findLead(1000, 72);
    ASSERT_NE(off, nullptr);
    view.setSelection({off->id});
    const model::Song before = song;
    QTest::keyClick(&view, Qt::Key_Q);
    EXPECT_NE(findLead(960, 72), nullptr);
    EXPECT_EQ(stack.undoLabel(), "Quantize");
    expectUndoRedo(before);
}

TEST_F(PianoRollEditTest, SelectAllAndSelectRange) {
    view.selectAll();
    EXPECT_EQ(view.selection().size(), 3u);
    view.selectRange(900, 2000);
    EXPECT_EQ(view.selection().size(), 2u);
    QTest::keyClick(&view, Qt::Key_Escape);
    EXPECT_TRUE(view.selection().empty());
}

TEST_F(PianoRollEditTest, OtherTracksAreGhostsAndCannotBeEdited) {
    // A drum hit of track 2 lies under this point; the lead track is the one edited.
    const model::Note& hit = song.trackAt(1).notes().at(0); // C2 at 0
    view.centreOnPitch(hit.pitch);
    click(at(60, hit.pitch));
    EXPECT_TRUE(view.selection().empty());
    view.setTool(PianoRollView::Tool::Erase);
    click(at(60, hit.pitch));
    EXPECT_EQ(song.trackAt(1).noteCount(), 6u);
    EXPECT_EQ(stack.count(), 0);
}

TEST_F(PianoRollEditTest, ReadOnlyWithoutAnActiveTrackOrStack) {
    view.setActiveTrack(model::kNoTrack);
    view.setTool(PianoRollView::Tool::Draw);
    click(at(2400, 62));
    EXPECT_EQ(song.noteCount(), 9u);
    view.setActiveTrack(leadId());
    view.setUndoStack(nullptr);
    click(at(2400, 62));
    EXPECT_EQ(song.noteCount(), 9u);
}

TEST_F(PianoRollEditTest, ClickingAKeyPlaysItsPitch) {
    QSignalSpy keys(&view, &PianoRollView::keyPressed);
    QSignalSpy released(&view, &PianoRollView::keyReleased);
    click(QPoint(PianoRollView::kKeyboardWidth / 4, at(0, 61).y()));
    ASSERT_EQ(keys.count(), 1);
    EXPECT_EQ(keys.at(0).at(0).toInt(), 61);
    ASSERT_EQ(released.count(), 1);
    EXPECT_EQ(released.at(0).at(0).toInt(), 61);
    // Sliding along the keys plays each one and releases the one before.
    drag(QPoint(8, at(0, 60).y()), QPoint(8, at(0, 62).y()), 2);
    EXPECT_EQ(keys.count(), 4);
    EXPECT_EQ(released.count(), 4);
    EXPECT_EQ(keys.at(3).at(0).toInt(), 62);
    EXPECT_EQ(stack.count(), 0);
}

TEST_F(PianoRollEditTest, RulerClickMovesThePlayheadAndDragSetsTheLoop) {
    QSignalSpy playhead(&view, &PianoRollView::playheadMoveRequested);
    QSignalSpy loop(&view, &PianoRollView::loopRangeChanged);
    const int y = PianoRollView::kRulerHeight / 2;
    click(QPoint(int(g().tickToX(1920 + 10)), y));
    ASSERT_EQ(playhead.count(), 1);
    EXPECT_EQ(view.playheadTick(), 1920);
    drag(QPoint(int(g().tickToX(960)), y), QPoint(int(g().tickToX(2880 + 20)), y));
    ASSERT_EQ(loop.count(), 1);
    EXPECT_EQ(view.loopStart(), 960);
    EXPECT_EQ(view.loopEnd(), 2880);
    view.selectRange(view.loopStart(), view.loopEnd());
    EXPECT_EQ(view.selection().size(), 2u);
}

TEST_F(PianoRollEditTest, PlayheadFollowPagesTheView) {
    view.setFollowPlayhead(true);
    view.setPlayheadTick(480 * 200);
    const double x = g().tickToX(480 * 200);
    EXPECT_GE(x, g().noteArea().left());
    EXPECT_LE(x, g().noteArea().right());
}

TEST_F(PianoRollEditTest, ScaleHighlightAndVelocityColours) {
    view.setScaleHighlight(9, QStringLiteral("minor")); // A minor
    EXPECT_TRUE(view.inScale(69));                      // A
    EXPECT_TRUE(view.inScale(72));                      // C
    EXPECT_FALSE(view.inScale(73));                     // C sharp
    view.setColourMode(PianoRollView::ColourMode::Velocity);
    const QImage image = view.viewport()->grab().toImage();
    const QRectF r = g().noteRect(leadNote(1));
    const QPoint inside(int(r.left() + r.width() * 0.75), int(r.center().y()));
    EXPECT_EQ(image.pixel(inside), PianoRollView::velocityColour(100).rgb());
    EXPECT_NE(PianoRollView::velocityColour(20).rgb(), PianoRollView::velocityColour(120).rgb());
}

TEST_F(PianoRollEditTest, ScaleHighlightTakesTheMlScaleNames) {
    view.setScaleHighlight(2, QStringLiteral("dorian")); // D dorian: the white keys
    EXPECT_EQ(view.scaleName(), QStringLiteral("dorian"));
    EXPECT_TRUE(view.inScale(60));
    EXPECT_FALSE(view.inScale(61));
    view.setScaleHighlight(2, QStringLiteral("none"));
    EXPECT_TRUE(view.scaleName().isEmpty());
    EXPECT_TRUE(view.inScale(61)); // off: every pitch counts as in the scale
}
