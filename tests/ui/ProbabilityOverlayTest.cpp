// The probability overlay (#15): View > Probability Overlay shows, at a cursor on the piano roll,
// what the chosen model expects to start there; Left/Right move the cursor and the numbers follow
// at once; Enter adds the likeliest chord and a click on a key adds that pitch, one undo step
// each.

#include "LearningTestSupport.h"

#include "ml/Representation.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/ProbabilityOverlay.h"
#include "ui/pianoroll/PianoRollView.h"

#include <QAction>

#include <algorithm>
#include <set>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

class ProbabilityOverlayTest : public LearningWindowTest {
protected:
    void SetUp() override {
        LearningWindowTest::SetUp();
        ASSERT_FALSE(openAndTrain(m_window, m_files).isEmpty());
        m_view = m_window.pianoRoll();
        m_overlay = m_window.probabilityOverlay();
        ASSERT_NE(m_view->activeTrack(), model::kNoTrack);
    }

    QAction* overlayAction() {
        return m_window.findChild<QAction*>(QStringLiteral("probabilityOverlay"));
    }

    bool waitReady() {
        return QTest::qWaitFor([&] { return m_overlay->ready(); }, 20000);
    }

    // The model's own outlook of the active track, row `step`, by MIDI pitch.
    std::vector<float> modelRow(int step) const {
        const auto model = m_window.generatePanel()->chosenModel();
        const ml::RepresentationConfig& rep = model->representation();
        ml::TrackSelection selection;
        selection.tracks = {m_view->activeTrack()};
        const ml::PitchOutlook o =
            model->outlook(ml::songToSequence(m_window.song(), rep, selection, 0, -1));
        std::vector<float> row(128, 0.f);
        for (int p = 0; p < o.pitches && step < o.steps; ++p)
            row[std::size_t(rep.lowPitch + p)] = o.start(step, p);
        return row;
    }

    std::set<int> pitchesStartingAt(model::Tick tick) const {
        std::set<int> out;
        for (const model::Note& n : m_window.song().track(m_view->activeTrack())->notes())
            if (n.start == tick)
                out.insert(n.pitch);
        return out;
    }

    PianoRollView* m_view = nullptr;
    ProbabilityOverlay* m_overlay = nullptr;
};

} // namespace

TEST_F(ProbabilityOverlayTest, FollowsTheCursorAndEnterAddsTheLikeliestChordAsOneUndoStep) {
    QAction* action = overlayAction();
    ASSERT_TRUE(action);
    m_view->setPlayheadTick(m_window.song().tempoMap().barToTick(1));
    action->trigger();
    ASSERT_TRUE(m_overlay->isShown());
    ASSERT_TRUE(waitReady());
    const model::Tick step = ml::ticksPerStep(
        m_window.song(), m_window.generatePanel()->chosenModel()->representation());
    ASSERT_GT(step, 0);
    EXPECT_EQ(m_overlay->cursor(), m_window.song().tempoMap().barToTick(1));

    // A cursor move: the strip shows the new step's numbers straight away (no event loop turn in
    // between), and they are the model's outlook of that step.
    m_view->setFocus();
    const model::Tick before = m_overlay->cursor();
    QTest::keyClick(m_view, Qt::Key_Right);
    EXPECT_EQ(m_overlay->cursor(), before + step);
    const PitchOutlookStrip& strip = m_view->pitchOutlook();
    EXPECT_TRUE(strip.visible);
    EXPECT_EQ(strip.cursor, m_overlay->cursor());
    EXPECT_FALSE(strip.stale);
    const std::vector<float> expected = modelRow(int(m_overlay->cursor() / step));
    ASSERT_EQ(strip.starting.size(), 128u);
    for (int p = 0; p < 128; ++p)
        ASSERT_NEAR(strip.starting[std::size_t(p)], expected[std::size_t(p)], 1e-6) << p;
    EXPECT_GT(*std::max_element(strip.starting.begin(), strip.starting.end()), 0.f);
    EXPECT_TRUE(strip.message.contains(QStringLiteral("%"))) << strip.message.toStdString();
    QTest::keyClick(m_view, Qt::Key_Left);
    EXPECT_EQ(m_overlay->cursor(), before);
    QTest::keyClick(m_view, Qt::Key_Right, Qt::ShiftModifier); // a bar on
    EXPECT_EQ(m_overlay->cursor(), m_window.song().tempoMap().barToTick(2));

    // Enter: the likeliest chord at the cursor, one undo step; the cursor moves a step on.
    const model::Tick at = m_overlay->cursor();
    const std::vector<int> chord = m_overlay->likeliestChord();
    ASSERT_FALSE(chord.empty());
    const std::set<int> had = pitchesStartingAt(at);
    for (int pitch : chord)
        EXPECT_EQ(had.count(pitch), 0u) << "a pitch the track already starts there";
    const int undoBefore = m_window.undoStack().index();
    QTest::keyClick(m_view, Qt::Key_Return); // the roll's, not the transport's "go to start"
    EXPECT_EQ(m_window.undoStack().index(), undoBefore + 1);
    std::set<int> now = pitchesStartingAt(at);
    for (int pitch : chord)
        EXPECT_EQ(now.count(pitch), 1u) << pitch;
    EXPECT_EQ(now.size(), had.size() + chord.size());
    EXPECT_EQ(m_overlay->cursor(), at + step);
    // The edit makes the numbers stale until the new outlook is in.
    EXPECT_TRUE(waitReady());
    m_window.undoStack().undo();
    EXPECT_EQ(pitchesStartingAt(at), had);

    // A click on a key adds that pitch at the cursor, also one step.
    ASSERT_TRUE(waitReady());
    const int pitch = 72;
    m_view->centreOnPitch(pitch);
    const QPoint key(
        PianoRollView::kKeyboardWidth / 2,
        int(m_view->rollGeometry().pitchToY(pitch) + m_view->rollGeometry().keyHeight() / 2));
    const model::Tick clickAt = m_overlay->cursor();
    const bool hadPitch = pitchesStartingAt(clickAt).count(pitch) > 0;
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, key);
    EXPECT_EQ(m_window.undoStack().index(), undoBefore + 1);
    if (!hadPitch) {
        EXPECT_EQ(pitchesStartingAt(clickAt).count(pitch), 1u);
    }

    // Hidden, Left and Right belong to the selection again.
    action->trigger();
    EXPECT_FALSE(m_overlay->isShown());
    EXPECT_FALSE(m_view->pitchOutlook().visible);
    const model::Tick hiddenAt = m_overlay->cursor();
    QTest::keyClick(m_view, Qt::Key_Right);
    EXPECT_EQ(m_overlay->cursor(), hiddenAt);
}

// Without a model the overlay says what to do instead of showing numbers.
TEST_F(ProbabilityOverlayTest, WithoutAModelItSaysWhereToChooseOne) {
    m_overlay->setModel(nullptr, {});
    overlayAction()->trigger();
    const PitchOutlookStrip& strip = m_view->pitchOutlook();
    EXPECT_TRUE(strip.visible);
    EXPECT_TRUE(strip.starting.empty());
    EXPECT_TRUE(strip.message.contains(QStringLiteral("Generate panel")))
        << strip.message.toStdString();
    EXPECT_FALSE(m_overlay->addLikeliestChord());
}
