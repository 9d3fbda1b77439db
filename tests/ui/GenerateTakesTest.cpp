// Takes (#15): every variation the Generate panel writes is kept as a take with its provenance,
// named in order, outliving an accept and another run, saved in the project and there again
// when it is reopened in another window.

#include "LearningTestSupport.h"

#include "midi/MidiFile.h"
#include "project/ProjectFile.h"
#include "ui/common/MidiDragSource.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/TakesView.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/pianoroll/TakeLanes.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>
#include <set>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

std::vector<model::Note> sorted(std::vector<model::Note> notes) {
    std::sort(notes.begin(), notes.end(), [](const model::Note& a, const model::Note& b) {
        return std::tie(a.start, a.pitch, a.length) < std::tie(b.start, b.pitch, b.length);
    });
    return notes;
}

bool sameNotes(std::vector<model::Note> a, std::vector<model::Note> b) {
    if (a.size() != b.size())
        return false;
    a = sorted(std::move(a));
    b = sorted(std::move(b));
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!model::sameContent(a[i], b[i]))
            return false;
    return true;
}

class GenerateTakesTest : public LearningWindowTest {
protected:
    void SetUp() override {
        LearningWindowTest::SetUp();
        m_modelPath = openAndTrain(m_window, m_files);
        ASSERT_FALSE(m_modelPath.isEmpty());
        m_panel = m_window.generatePanel();
    }

    model::Tick bar(int index) const { return m_window.song().tempoMap().barToTick(index); }

    GeneratePanel::State generate() {
        QTest::mouseClick(m_panel->generateButton(), Qt::LeftButton);
        (void)QTest::qWaitFor([&] { return m_panel->state() != GeneratePanel::State::Generating; },
                              30000);
        return m_panel->state();
    }

    // The notes of the active track starting in [from, to), or of `take` there.
    std::vector<model::Note> trackNotes(model::Tick from, model::Tick to) const {
        std::vector<model::Note> out;
        for (const model::Note& n :
             m_window.song().track(m_window.pianoRoll()->activeTrack())->notes())
            if (n.start >= from && n.start < to)
                out.push_back(n);
        return out;
    }
    static std::vector<model::Note> takeNotes(const project::Take& take, model::Tick from,
                                              model::Tick to) {
        std::vector<model::Note> out;
        for (const model::Note& n : take.notes)
            if (n.start >= from && n.start < to)
                out.push_back(n);
        return out;
    }

    QString m_modelPath;
    GeneratePanel* m_panel = nullptr;
};

} // namespace

TEST_F(GenerateTakesTest, TakesKeepTheirProvenanceThroughAcceptSaveAndReopen) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2)); // the primer
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(3);
    m_panel->seedBox()->setValue(7);
    m_panel->temperatureBox()->setValue(0.9);
    ASSERT_EQ(generate(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    const int track = m_window.song().trackIndex(m_window.pianoRoll()->activeTrack());

    ASSERT_EQ(m_panel->takes().size(), 3u);
    const QString hash = project::checkpointHash(m_modelPath);
    ASSERT_FALSE(hash.isEmpty());
    for (int i = 0; i < 3; ++i) {
        const project::Take& t = m_panel->takes()[std::size_t(i)];
        const project::TakeProvenance& p = t.provenance;
        EXPECT_EQ(t.name, project::takeName(i));
        EXPECT_EQ(m_panel->variations()[std::size_t(i)].name, t.name);
        EXPECT_TRUE(m_panel->variationList()->item(i)->text().startsWith("Take " + t.name));
        EXPECT_TRUE(sameNotes(t.notes, m_panel->variations()[std::size_t(i)].notes));
        EXPECT_EQ(p.modelPath, m_modelPath);
        EXPECT_EQ(p.checkpointHash, hash);
        EXPECT_EQ(p.seed, 7u);
        EXPECT_EQ(p.variations, 3);
        EXPECT_EQ(p.variation, i);
        EXPECT_DOUBLE_EQ(p.temperature, 0.9);
        EXPECT_EQ(p.primerFrom, bar(0));
        EXPECT_EQ(p.from, bar(2));
        EXPECT_EQ(p.to, bar(4));
        EXPECT_EQ(p.track, track);
        EXPECT_FALSE(p.regenerated);
        EXPECT_TRUE(p.constraints.contains("lowPitch"));
        EXPECT_LT(p.time.secsTo(QDateTime::currentDateTimeUtc()), 120);
    }

    // Accepting one clears the variations shown, not the takes; the next run adds D, E, F.
    ASSERT_TRUE(m_panel->accept(0));
    EXPECT_EQ(m_panel->takes().size(), 3u);
    m_panel->seedBox()->setValue(8);
    ASSERT_EQ(generate(), GeneratePanel::State::Done);
    ASSERT_EQ(m_panel->takes().size(), 6u);
    EXPECT_EQ(m_panel->takes()[3].name, "D");
    EXPECT_EQ(m_panel->takes()[5].name, "F");
    EXPECT_EQ(m_panel->takes()[4].provenance.seed, 8u);
    const std::vector<project::Take> made = m_panel->takes();

    const QString path = m_dir.filePath("with-takes.torchestra");
    QSignalSpy saved(&m_window, &MainWindow::saved);
    m_window.saveProject(path);
    ASSERT_TRUE(QTest::qWaitFor([&] { return saved.count() > 0; }, 10000));
    project::Project onDisk;
    ASSERT_EQ(project::ProjectFile::read(path, onDisk).toStdString(), "");
    ASSERT_EQ(onDisk.takes.size(), 6u);

    MainWindow other;
    other.setShowErrorDialogs(false);
    QSignalSpy loaded(&other, &MainWindow::fileLoaded);
    other.openFile(path);
    ASSERT_TRUE(loaded.wait(10000));
    const std::vector<project::Take>& back = other.generatePanel()->takes();
    ASSERT_EQ(back.size(), made.size());
    for (std::size_t i = 0; i < made.size(); ++i) {
        EXPECT_EQ(back[i].name, made[i].name);
        EXPECT_TRUE(sameNotes(back[i].notes, made[i].notes)) << i;
        EXPECT_EQ(back[i].provenance.seed, made[i].provenance.seed);
        EXPECT_EQ(back[i].provenance.checkpointHash, hash);
        EXPECT_EQ(back[i].provenance.time, made[i].provenance.time);
    }
    // Opening a MIDI file leaves the project and its takes.
    QSignalSpy midiLoaded(&other, &MainWindow::fileLoaded);
    other.openFile(m_files.good[1]);
    ASSERT_TRUE(midiLoaded.wait(10000));
    EXPECT_TRUE(other.generatePanel()->takes().empty());
}

// Through the Takes list: accept bar 3 of take A and bar 4 of take B as two undo steps and undo
// both; Again with This Seed makes take B's notes again; Show brings the bar range's takes back
// as the variations.
TEST_F(GenerateTakesTest, AcceptBarByBarAgainWithTheSeedAndShow) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(3);
    m_panel->seedBox()->setValue(11);
    ASSERT_EQ(generate(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    ASSERT_EQ(m_panel->takes().size(), 3u);
    const std::vector<project::Take> made = m_panel->takes();
    const std::vector<model::Note> before = trackNotes(bar(2), bar(4));

    TakesView* view = m_panel->takesView();
    ASSERT_EQ(view->tree()->topLevelItemCount(), 1); // one bar range
    ASSERT_EQ(view->tree()->topLevelItem(0)->childCount(), 3);
    const int steps = m_window.undoStack().count();
    view->setCurrentTake(0);
    ASSERT_EQ(view->barBox()->count(), 2); // bars 3 and 4
    view->barBox()->setCurrentIndex(0);
    QTest::mouseClick(view->acceptBarButton(), Qt::LeftButton);
    EXPECT_EQ(m_window.undoStack().count(), steps + 1);
    EXPECT_EQ(m_window.undoStack().undoLabel(), "Accept bar 3 of take A");
    EXPECT_TRUE(sameNotes(trackNotes(bar(2), bar(3)), takeNotes(made[0], bar(2), bar(3))));
    view->setCurrentTake(1);
    view->barBox()->setCurrentIndex(1);
    QTest::mouseClick(view->acceptBarButton(), Qt::LeftButton);
    EXPECT_EQ(m_window.undoStack().count(), steps + 2);
    EXPECT_TRUE(sameNotes(trackNotes(bar(3), bar(4)), takeNotes(made[1], bar(3), bar(4))));
    // Bar 3 keeps take A's notes where they start (one held into bar 4 is cut there).
    std::vector<model::Note> bar3 = trackNotes(bar(2), bar(3)),
                             takeBar3 = takeNotes(made[0], bar(2), bar(3));
    for (std::vector<model::Note>* notes : {&bar3, &takeBar3})
        for (model::Note& n : *notes)
            n.length = std::min(n.length, bar(3) - n.start);
    EXPECT_TRUE(sameNotes(bar3, takeBar3));
    ASSERT_FALSE(sameNotes(trackNotes(bar(2), bar(4)), before)); // or Undo would show nothing
    m_window.action(QStringLiteral("undo"))->trigger();
    m_window.action(QStringLiteral("undo"))->trigger();
    EXPECT_TRUE(sameNotes(trackNotes(bar(2), bar(4)), before));
    EXPECT_EQ(m_panel->takes().size(), 3u); // the takes stay

    // Again with take B's seed, after the settings were changed: its notes again.
    m_panel->seedBox()->setValue(99);
    m_panel->temperatureBox()->setValue(1.7);
    view->setCurrentTake(1);
    QTest::mouseClick(view->againButton(), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return m_panel->state() != GeneratePanel::State::Generating; }, 30000));
    ASSERT_EQ(m_panel->state(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    ASSERT_EQ(m_panel->takes().size(), 6u);
    EXPECT_EQ(m_panel->seedBox()->value(), 11);
    const project::Take& again = m_panel->takes()[4]; // the second of the new run, as B was
    EXPECT_EQ(again.name, "E");
    EXPECT_EQ(again.provenance.seed, 11u);
    EXPECT_TRUE(sameNotes(again.notes, made[1].notes));

    // Show: take A's bar range, all six takes, A chosen.
    m_panel->discardAll();
    view->setCurrentTake(0);
    QTest::mouseClick(view->showButton(), Qt::LeftButton);
    ASSERT_EQ(m_panel->variations().size(), 6u);
    EXPECT_EQ(m_panel->variations()[std::size_t(m_panel->currentVariation())].name, "A");
    EXPECT_EQ(m_panel->targetFrom(), bar(2));
    EXPECT_TRUE(m_panel->acceptButton()->isEnabled());
}

// Accept says what it will change, and does it: replace the bars' notes, merge into them, or
// a new track after the target named after the take; each one undo step.
TEST_F(GenerateTakesTest, AcceptSaysWhatChangesAndCanMergeOrMakeANewTrack) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(2);
    ASSERT_EQ(generate(), GeneratePanel::State::Done);
    const model::TrackId track = m_window.pianoRoll()->activeTrack();
    const std::string name = m_window.song().track(track)->properties.name;
    const std::vector<model::Note> take = m_panel->variations()[0].notes;
    ASSERT_FALSE(take.empty());
    const std::size_t there = trackNotes(bar(2), bar(4)).size();
    const std::size_t trackCount = m_window.song().tracks().size();
    m_panel->setCurrentVariation(0);

    const std::string replace = m_panel->acceptInfoLabel()->text().toStdString();
    EXPECT_EQ(replace, "Replace bars 3\u20134 of " + name +
                           " with take A: " + std::to_string(there) + " \u2192 " +
                           std::to_string(take.size()) + " notes");

    m_panel->setAcceptMode(GeneratePanel::AcceptMode::Merge);
    EXPECT_NE(m_panel->acceptInfoLabel()->text().toStdString().find("Add take A's"),
              std::string::npos);
    QTest::mouseClick(m_panel->acceptButton(), Qt::LeftButton);
    EXPECT_EQ(m_window.undoStack().undoLabel(), "Merge take A");
    EXPECT_EQ(trackNotes(bar(2), bar(4)).size(), there + take.size());
    m_window.action(QStringLiteral("undo"))->trigger();
    EXPECT_EQ(trackNotes(bar(2), bar(4)).size(), there);
    ASSERT_EQ(m_panel->variations().size(), 2u); // back with the undo

    m_panel->setAcceptMode(GeneratePanel::AcceptMode::NewTrack);
    m_panel->setCurrentVariation(0);
    EXPECT_NE(m_panel->acceptInfoLabel()->text().toStdString().find("into a new track"),
              std::string::npos);
    QTest::mouseClick(m_panel->acceptButton(), Qt::LeftButton);
    ASSERT_EQ(m_window.song().tracks().size(), trackCount + 1);
    const int index = m_window.song().trackIndex(track) + 1;
    const model::Track& added = m_window.song().trackAt(std::size_t(index));
    EXPECT_EQ(added.properties.name, name + " take A");
    EXPECT_EQ(added.properties.channel, m_window.song().track(track)->properties.channel);
    EXPECT_TRUE(
        sameNotes(std::vector<model::Note>(added.notes().begin(), added.notes().end()), take));
    EXPECT_EQ(trackNotes(bar(2), bar(4)).size(), there); // the target untouched
    m_window.action(QStringLiteral("undo"))->trigger();
    EXPECT_EQ(m_window.song().tracks().size(), trackCount);
}

// Voices "as the track": a track that plays one note at a time gets takes that do too (the
// model learned chords from the other tracks); a chordal track gets no limit; a number given
// holds. The voices used are in the take's provenance.
TEST_F(GenerateTakesTest, AMelodyTrackGetsTakesOfOneNoteAtATime) {
    const auto [melody, chords] = melodyAndChords(m_window.song());
    ASSERT_NE(melody, model::kNoTrack);
    ASSERT_NE(chords, model::kNoTrack);
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(4);
    ASSERT_EQ(m_panel->voicesBox()->value(), 0); // as the track

    m_window.pianoRoll()->setActiveTrack(melody);
    ASSERT_EQ(generate(), GeneratePanel::State::Done);
    for (const GeneratePanel::Variation& v : m_panel->variations())
        EXPECT_LE(mostNotesAtOnce(v.notes), 1) << v.name.toStdString();
    EXPECT_EQ(m_panel->takes().back().provenance.constraints.value("voices").toInt(), 1);

    m_window.pianoRoll()->setActiveTrack(chords);
    ASSERT_EQ(generate(), GeneratePanel::State::Done);
    int most = 0;
    for (const GeneratePanel::Variation& v : m_panel->variations())
        most = std::max(most, mostNotesAtOnce(v.notes));
    EXPECT_GT(most, 1); // the chords the model learned
    EXPECT_EQ(m_panel->takes().back().provenance.constraints.value("voices").toInt(), 0);

    m_panel->voicesBox()->setValue(2);
    ASSERT_EQ(generate(), GeneratePanel::State::Done);
    for (const GeneratePanel::Variation& v : m_panel->variations())
        EXPECT_LE(mostNotesAtOnce(v.notes), 2) << v.name.toStdString();
}

// A take whose model file is gone still shows, plays and accepts, and its provenance says the
// model is gone; one whose file was replaced says it changed.
TEST_F(GenerateTakesTest, ATakeWhoseModelIsGoneStillAcceptsAndSaysSo) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(2);
    ASSERT_EQ(generate(), GeneratePanel::State::Done);
    const std::vector<project::Take> takes = m_panel->takes();

    ASSERT_TRUE(QFile::rename(m_modelPath, m_modelPath + ".away"));
    m_panel->restoreTakes(takes); // as when the project is opened again
    TakesView* view = m_panel->takesView();
    EXPECT_TRUE(QTest::qWaitFor(
        [&] { return view->tooltipOf(0).contains("The model file is gone"); }, 10000))
        << view->tooltipOf(0).toStdString();
    view->setCurrentTake(0);
    QTest::mouseClick(view->showButton(), Qt::LeftButton);
    ASSERT_EQ(m_panel->variations().size(), 2u);
    m_panel->setCurrentVariation(0);
    EXPECT_TRUE(m_panel->audition(0));
    const int steps = m_window.undoStack().count();
    EXPECT_TRUE(m_panel->accept(0));
    EXPECT_EQ(m_window.undoStack().count(), steps + 1);

    QFile replaced(m_modelPath);
    ASSERT_TRUE(replaced.open(QIODevice::WriteOnly));
    replaced.write("another model");
    replaced.close();
    m_panel->restoreTakes(takes);
    EXPECT_TRUE(
        QTest::qWaitFor([&] { return view->tooltipOf(1).contains("has changed since"); }, 10000))
        << view->tooltipOf(1).toStdString();
    EXPECT_FALSE(view->tooltipOf(1).contains("is gone"));
    QFile::remove(m_modelPath);
    ASSERT_TRUE(QFile::rename(m_modelPath + ".away", m_modelPath));
}

// A take drags out of the Takes tab as a .mid of its notes, from the first bar it fills, named
// after its track, name and bars (MidiOutTest covers the selection and tracks).
TEST_F(GenerateTakesTest, ATakeDragsOutOfTheTakesTab) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(2);
    ASSERT_EQ(generate(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    m_panel->resultTabs()->setCurrentIndex(1);
    TakesView* view = m_panel->takesView();
    QTreeWidget* tree = view->tree();
    tree->expandAll();
    const QTreeWidgetItem* item = tree->topLevelItem(0)->child(1);
    const QPoint at = tree->visualItemRect(item).center();
    const int index = view->takeAt(at);
    ASSERT_EQ(index, item->data(0, Qt::UserRole).toInt());
    const project::Take take = m_panel->takes().at(std::size_t(index));
    ASSERT_FALSE(take.notes.empty());
    auto* source = tree->viewport()->findChild<MidiDragSource*>();
    ASSERT_TRUE(source);
    QString error;
    std::unique_ptr<QMimeData> mime(source->mimeDataAt(at, error));
    ASSERT_TRUE(mime) << error.toStdString();
    ASSERT_TRUE(mime->hasUrls());
    const QString path = mime->urls().front().toLocalFile();
    EXPECT_TRUE(path.endsWith(QStringLiteral("take %1, bars 3-4.mid").arg(take.name)))
        << path.toStdString();
    const midi::ReadResult read = midi::readMidiFile(QFile::encodeName(path).toStdString());
    ASSERT_TRUE(read.ok) << read.error;
    ASSERT_EQ(read.song.trackCount(), 1u);
    std::vector<model::Note> expected = take.notes;
    for (model::Note& n : expected)
        n.start -= bar(2);
    EXPECT_TRUE(sameNotes(read.song.trackAt(0).notes(), expected));
    // A group row is no take: nothing to drag.
    EXPECT_EQ(view->takeAt(tree->visualItemRect(tree->topLevelItem(0)).center()), -1);
}

// "Best of": a rewrite of bars 3-4 inside the song samples 16 takes and keeps the 3 under which
// the bars after them are likeliest, best first, each showing its score; the take remembers it
// was chosen from 16, and Again makes exactly it from the same 16.
TEST_F(GenerateTakesTest, BestOfKeepsTheTakesTheMusicAfterFitsBestWithTheirScores) {
    m_window.pianoRoll()->setLoopRange(bar(2), bar(4)); // the bars to rewrite
    m_panel->variationsBox()->setValue(3);
    m_panel->candidatesBox()->setValue(16);
    m_panel->seedBox()->setValue(5);
    QTest::mouseClick(m_panel->regenerateButton(), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return m_panel->state() != GeneratePanel::State::Generating; }, 30000));
    ASSERT_EQ(m_panel->state(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    const std::vector<GeneratePanel::Variation>& v = m_panel->variations();
    ASSERT_EQ(v.size(), 3u);
    std::set<int> places;
    for (std::size_t i = 0; i < v.size(); ++i) {
        ASSERT_TRUE(v[i].score.has_value()) << i;
        EXPECT_GE(v[i].sampled, 0);
        EXPECT_LT(v[i].sampled, 16);
        places.insert(v[i].sampled);
        if (i > 0) {
            EXPECT_LE(*v[i - 1].score, *v[i].score) << "best first";
        }
    }
    EXPECT_EQ(places.size(), 3u);
    auto* list = m_panel->findChild<QListWidget*>();
    ASSERT_TRUE(list);
    EXPECT_TRUE(list->item(0)->text().contains(QStringLiteral("fits what follows")))
        << list->item(0)->text().toStdString();

    const project::Take chosen = m_panel->takes().at(1);
    EXPECT_EQ(chosen.provenance.variations, 16);
    EXPECT_EQ(chosen.provenance.variation, v[1].sampled);
    EXPECT_EQ(chosen.provenance.constraints.value(QStringLiteral("candidates")).toInt(), 16);
    m_panel->candidatesBox()->setValue(1);
    QTest::mouseClick(m_panel->takesView()->againButton(), Qt::LeftButton); // no take chosen
    m_panel->takesView()->setCurrentTake(1);
    QTest::mouseClick(m_panel->takesView()->againButton(), Qt::LeftButton);
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return m_panel->state() != GeneratePanel::State::Generating; }, 30000));
    ASSERT_EQ(m_panel->state(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    ASSERT_EQ(m_panel->takes().size(), 4u);
    const project::Take& again = m_panel->takes().back();
    EXPECT_EQ(again.provenance.variation, chosen.provenance.variation);
    EXPECT_TRUE(sameNotes(again.notes, chosen.notes));
}

// The takes on the track being edited show as lanes under the roll, newest first; a click on a
// lane shows that take's group as the variations with it chosen.
TEST_F(GenerateTakesTest, TakesShowAsLanesUnderTheRollAndAClickShowsOne) {
    TakeLanes* lanes = m_window.takeLanes();
    ASSERT_TRUE(lanes);
    EXPECT_TRUE(lanes->isHidden()); // no takes yet
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(3);
    ASSERT_EQ(generate(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    const std::vector<project::Take>& takes = m_panel->takes();
    ASSERT_EQ(lanes->lanes().size(), 3u);
    EXPECT_FALSE(lanes->isHidden());
    for (std::size_t i = 0; i < 3; ++i) {
        const TakeLanes::Lane& lane = lanes->lanes()[i];
        EXPECT_EQ(lane.take, int(2 - i)) << "newest first";
        EXPECT_TRUE(lane.label.startsWith(takes[std::size_t(lane.take)].name));
        EXPECT_TRUE(sameNotes(lane.notes, takes[std::size_t(lane.take)].notes));
    }
    m_panel->discardAll();
    QSignalSpy clicked(lanes, &TakeLanes::takeClicked);
    QTest::mouseClick(lanes, Qt::LeftButton, {},
                      QPoint(lanes->width() / 2, TakeLanes::kLaneHeight * 2 + 5)); // take A
    ASSERT_EQ(clicked.count(), 1);
    ASSERT_EQ(m_panel->variations().size(), 3u);
    EXPECT_EQ(m_panel->variations()[std::size_t(m_panel->currentVariation())].name, "A");
    EXPECT_TRUE(lanes->lanes()[2].current);
    // Another track has none of these takes: no lanes.
    m_window.trackView()->setCurrentIndex(m_window.trackView()->model()->index(1, 0));
    EXPECT_TRUE(lanes->isHidden());
}

// ▶ in the Takes tab plays the take in the song, in place of its bars, from its primer.
TEST_F(GenerateTakesTest, ATakeAuditionsInTheSong) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(2);
    ASSERT_EQ(generate(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    const project::Take take = m_panel->takes().at(0);
    m_panel->discardAll();
    TakesView* view = m_panel->takesView();
    view->setCurrentTake(0);
    model::Song song;
    model::Tick from = -1, to = -1;
    QObject::connect(m_panel, &GeneratePanel::auditionRequested, m_panel,
                     [&](const model::Song& heard, model::Tick f, model::Tick t, bool) {
                         song = heard;
                         from = f;
                         to = t;
                     });
    QTest::mouseClick(view->auditionButton(), Qt::LeftButton);
    EXPECT_EQ(from, take.provenance.primerFrom);
    EXPECT_EQ(to, take.provenance.to);
    ASSERT_GT(song.trackCount(), std::size_t(take.provenance.track));
    const model::Track& track = song.trackAt(std::size_t(take.provenance.track));
    std::vector<model::Note> inPlace;
    for (const model::Note& n : track.notes())
        if (n.start >= take.provenance.from && n.start < take.provenance.to)
            inPlace.push_back(n);
    EXPECT_TRUE(sameNotes(inPlace, take.notes));
}

// File > Export with Take Provenance: an accepted take is marked in the exported file with a
// text event naming its model, checkpoint and seed; off (the default), nothing is added.
TEST_F(GenerateTakesTest, ExportCanMarkTheAcceptedTakeWithItsProvenance) {
    m_window.pianoRoll()->setLoopRange(bar(0), bar(2));
    m_panel->barsBox()->setValue(2);
    m_panel->variationsBox()->setValue(2);
    m_panel->seedBox()->setValue(8);
    ASSERT_EQ(generate(), GeneratePanel::State::Done) << m_panel->lastError().toStdString();
    const project::Take take = m_panel->takes().at(1);
    ASSERT_TRUE(m_panel->accept(1));
    const auto textsOf = [&](bool provenance) {
        QAction* action = m_window.findChild<QAction*>(QStringLiteral("exportProvenance"));
        EXPECT_TRUE(action);
        if (action && action->isChecked() != provenance)
            action->trigger();
        const QString out = m_dir.filePath(provenance ? "marked.mid" : "plain.mid");
        QSignalSpy exported(&m_window, &MainWindow::exported);
        m_window.exportMidi(out);
        EXPECT_TRUE(QTest::qWaitFor([&] { return exported.count() == 1; }, 10000));
        const midi::ReadResult read = midi::readMidiFile(QFile::encodeName(out).toStdString());
        EXPECT_TRUE(read.ok) << read.error;
        std::vector<std::string> texts;
        for (const model::Track& t : read.song.tracks())
            for (const model::MetaEvent& m : t.metaEvents)
                if (m.type == 0x01 && m.data.rfind("Torchestra take", 0) == 0)
                    texts.push_back(m.data);
        return texts;
    };
    EXPECT_TRUE(textsOf(false).empty());
    const std::vector<std::string> texts = textsOf(true);
    ASSERT_EQ(texts.size(), 1u);
    EXPECT_EQ(texts[0].rfind("Torchestra take " + take.name.toStdString() + ":", 0), 0u)
        << texts[0];
    EXPECT_NE(texts[0].find("seed 8"), std::string::npos) << texts[0];
    EXPECT_NE(texts[0].find(take.provenance.checkpointHash.toStdString()), std::string::npos)
        << texts[0];
    m_window.findChild<QAction*>(QStringLiteral("exportProvenance"))->trigger(); // back off
}

// The pitch range starts at the instrument's and follows the track chosen, until a pitch is set
// by hand; the "instrument" button brings it back.
TEST_F(GenerateTakesTest, ThePitchRangeIsTheInstrumentsUntilSetByHand) {
    QToolButton* follow = m_panel->rangeFromInstrumentButton();
    ASSERT_TRUE(follow->isChecked());
    const auto select = [&](int row) {
        m_window.trackView()->setCurrentIndex(m_window.trackView()->model()->index(row, 0));
    };
    const auto range = [&] {
        return std::make_pair(m_panel->lowPitchBox()->value(), m_panel->highPitchBox()->value());
    };
    select(0); // the demo's flute
    EXPECT_EQ(range(), std::make_pair(60, 96));
    select(3); // its electric bass
    EXPECT_EQ(range(), std::make_pair(28, 67));
    m_panel->lowPitchBox()->setValue(40);
    EXPECT_FALSE(follow->isChecked());
    select(0);
    EXPECT_EQ(range(), std::make_pair(40, 67)); // by hand: kept
    follow->click();
    EXPECT_TRUE(follow->isChecked());
    EXPECT_EQ(range(), std::make_pair(60, 96));
}
