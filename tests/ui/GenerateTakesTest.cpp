// Takes (#15): every variation the Generate panel writes is kept as a take with its provenance,
// named in order, outliving an accept and another run, saved in the project and there again
// when it is reopened in another window.

#include "LearningTestSupport.h"

#include "project/ProjectFile.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/pianoroll/PianoRollView.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QListWidget>
#include <QSpinBox>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

bool sameNotes(const std::vector<model::Note>& a, const std::vector<model::Note>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!model::sameContent(a[i], b[i]))
            return false;
    return true;
}

class GenerateTakesTest : public LearningWindowTest {
protected:
    void SetUp() override {
        LearningWindowTest::SetUp();
        QSignalSpy loaded(&m_window, &MainWindow::fileLoaded);
        m_window.openFile(m_files.good[0]);
        ASSERT_TRUE(loaded.wait(10000));
        m_modelPath = trainThroughPanel(m_window, m_files.good);
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
