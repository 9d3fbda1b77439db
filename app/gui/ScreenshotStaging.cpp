#include "ScreenshotStaging.h"

#include "ui/panels/GeneratePanel.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/panels/ProbabilityOverlay.h"
#include "ui/panels/TakesView.h"
#include "ui/panels/TrainPanel.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"
#include "ui/shell/MainWindow.h"

#include <QAction>
#include <QComboBox>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <cstdio>

namespace torchestra::app {

namespace {

// Saves a picture of the window and quits.
void grabAndQuit(ui::MainWindow& window, const QString& out) {
    QDir().mkpath(QFileInfo(out).absolutePath());
    const bool saved = window.grab().save(out);
    std::fprintf(stderr, saved ? "torchestra: saved %s\n" : "torchestra: could not save %s\n",
                 qPrintable(out));
    QCoreApplication::exit(saved ? 0 : 1);
}

} // namespace

ScreenshotStaging::ScreenshotStaging(QCommandLineParser& parser)
    : m_parser(parser),
      m_screenshot(QStringLiteral("screenshot"), QString(), QStringLiteral("png")),
      m_after(QStringLiteral("after-ms"), QString(), QStringLiteral("ms"), QStringLiteral("1500")),
      m_size(QStringLiteral("size"), QString(), QStringLiteral("WxH")),
      m_selectTrack(QStringLiteral("select-track"), QString(), QStringLiteral("row")),
      m_selectBars(QStringLiteral("select-bars"), QString(), QStringLiteral("A-B")),
      m_loopBars(QStringLiteral("loop-bars"), QString(), QStringLiteral("A-B")),
      m_playheadBar(QStringLiteral("playhead-bar"), QString(), QStringLiteral("bar")),
      m_velocityLane(QStringLiteral("velocity-lane"), QString(), QStringLiteral("on|off")),
      m_scale(QStringLiteral("scale"), QString(), QStringLiteral("root:kind")),
      m_trainFiles(QStringLiteral("train-files"), QString(), QStringLiteral("paths")),
      m_train(QStringLiteral("train"), QString(), QStringLiteral("kind")),
      m_generate(QStringLiteral("generate"), QString(), QStringLiteral("A-B")),
      m_generateWith(QStringLiteral("generate-with"), QString(), QStringLiteral("model")),
      m_showTakes(QStringLiteral("show-takes")),
      m_overlayWith(QStringLiteral("overlay-with"), QString(), QStringLiteral("model")) {
    for (QCommandLineOption* hidden :
         {&m_screenshot, &m_after, &m_size, &m_selectTrack, &m_selectBars, &m_loopBars,
          &m_playheadBar, &m_velocityLane, &m_scale, &m_trainFiles, &m_train, &m_generate,
          &m_generateWith, &m_showTakes, &m_overlayWith})
        hidden->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({m_screenshot, m_after, m_size, m_selectTrack, m_selectBars, m_loopBars,
                       m_playheadBar, m_velocityLane, m_scale, m_trainFiles, m_train, m_generate,
                       m_generateWith, m_showTakes, m_overlayWith});
}

bool ScreenshotStaging::isRequested() const {
    return m_parser.isSet(m_screenshot);
}

void ScreenshotStaging::prepare(ui::MainWindow& window) const {
    if (m_parser.isSet(m_velocityLane))
        window.pianoRoll()->setVelocityLaneVisible(m_parser.value(m_velocityLane) != "off");
    if (m_parser.isSet(m_size)) {
        const QStringList parts = m_parser.value(m_size).split(QLatin1Char('x'));
        if (parts.size() == 2)
            window.resize(parts[0].toInt(), parts[1].toInt());
    }
}

void ScreenshotStaging::stage(ui::MainWindow& window, const QString& file) {
    m_trainFileList = m_parser.value(m_trainFiles).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (m_trainFileList.isEmpty() && !file.isEmpty())
        m_trainFileList << file;
    if (file.isEmpty()) {
        grabLater(window);
        return;
    }
    // Grab after the load, whichever way it ends.
    QObject::connect(&window, &ui::MainWindow::fileLoaded, &window,
                     [this, &window] { grabLater(window); });
    QObject::connect(&window, &ui::MainWindow::loadFailed, &window,
                     [this, &window] { grabLater(window); });
}

bool ScreenshotStaging::bars(const ui::MainWindow& window, const QString& text, model::Tick& from,
                             model::Tick& to) {
    const QStringList parts = text.split(QLatin1Char('-'));
    if (parts.size() != 2)
        return false;
    const model::TempoMap& map = window.song().tempoMap();
    from = map.barToTick(std::max(0, parts[0].toInt() - 1));
    to = map.barToTick(std::max(1, parts[1].toInt()));
    return true;
}

void ScreenshotStaging::grabLater(ui::MainWindow& window) {
    setScene(window);
    if (m_parser.isSet(m_overlayWith)) {
        stageOverlay(window);
        return;
    }
    if (!m_parser.value(m_train).isEmpty() || !m_parser.value(m_generate).isEmpty()) {
        stageLearning(window);
        return;
    }
    grabAfterDelay(window);
}

void ScreenshotStaging::grabAfterDelay(ui::MainWindow& window) const {
    const QString out = m_parser.value(m_screenshot);
    QTimer::singleShot(m_parser.value(m_after).toInt(), &window,
                       [&window, out] { grabAndQuit(window, out); });
}

void ScreenshotStaging::setScene(ui::MainWindow& window) const {
    ui::PianoRollView* roll = window.pianoRoll();
    if (m_parser.isSet(m_selectTrack)) {
        const int row = m_parser.value(m_selectTrack).toInt();
        QTreeView* view = window.trackView();
        if (row >= 0)
            view->selectionModel()->select(view->model()->index(row, 0),
                                           QItemSelectionModel::ClearAndSelect |
                                               QItemSelectionModel::Rows);
    }
    model::Tick from = 0, to = 0;
    const QString loopBars = m_parser.value(m_loopBars);
    if (!loopBars.isEmpty() && bars(window, loopBars, from, to))
        roll->setLoopRange(from, to);
    const QString selectBars = m_parser.value(m_selectBars);
    if (!selectBars.isEmpty() && bars(window, selectBars, from, to))
        roll->selectRange(from, to);
    const int playheadBar = m_parser.value(m_playheadBar).toInt();
    if (playheadBar > 0) {
        // Through the transport, which owns the playhead the roll shows.
        const model::Tick tick = window.song().tempoMap().barToTick(playheadBar - 1);
        window.playback()->seekTick(tick);
        roll->setPlayheadTick(tick);
    }
    const QString scale = m_parser.value(m_scale);
    if (!scale.isEmpty()) {
        // Through the toolbar, so its boxes show what the roll shows.
        const QStringList parts = scale.split(QLatin1Char(':'));
        if (auto* root = window.findChild<QComboBox*>(QStringLiteral("scaleRootBox")))
            root->setCurrentIndex(parts.value(0).toInt());
        if (auto* kind = window.findChild<QComboBox*>(QStringLiteral("scaleBox")))
            kind->setCurrentIndex(std::max(0, kind->findData(parts.value(1))));
    }
}

void ScreenshotStaging::stageLearning(ui::MainWindow& window) {
    // The learning panels at work: train through the Train panel's own button.
    ui::TrainPanel* train = window.trainPanel();
    const bool generating = !m_parser.value(m_generate).isEmpty();
    ml::ModelKind kind = ml::ModelKind::Markov;
    if (!generating)
        ml::parseModelKind(m_parser.value(m_train).toStdString(), kind);
    (generating ? window.generateDock() : window.trainDock())->raise();
    train->kindBox()->setCurrentIndex(train->kindBox()->findData(int(kind)));
    train->presetBox()->setCurrentIndex(0);
    train->setTrainMinutes(15); // a run the screenshot catches mid-way
    QObject::connect(train, &ui::TrainPanel::filesScanned, &window, [train] {
        if (train->state() == ui::TrainPanel::State::Idle)
            train->trainButton()->click();
    });
    if (generating && m_parser.isSet(m_generateWith)) {
        stageGeneration(window);
        // The library lists its models from a worker: choose once they are there.
        QTimer::singleShot(500, &window, [this, &window] {
            ui::GeneratePanel* generate = window.generatePanel();
            generate->modelBox()->setCurrentIndex(
                generate->library()->rowOf(m_parser.value(m_generateWith)));
            startGeneration(window);
        });
        return;
    }
    if (generating) {
        stageGeneration(window);
    } else {
        QObject::connect(train, &ui::TrainPanel::stateChanged, &window,
                         [this, &window](ui::TrainPanel::State s) {
                             if (s == ui::TrainPanel::State::Training)
                                 grabAfterDelay(window);
                         });
    }
    train->setInputs(m_trainFileList);
}

// --overlay-with: that model chosen once the library lists it, then View > Probability Overlay
// at the playhead; the grab follows the first outlook computed.
void ScreenshotStaging::stageOverlay(ui::MainWindow& window) const {
    QObject::connect(window.probabilityOverlay(), &ui::ProbabilityOverlay::computed, &window,
                     [this, &window] { grabAfterDelay(window); });
    QTimer::singleShot(500, &window, [this, &window] {
        ui::GeneratePanel* generate = window.generatePanel();
        generate->modelBox()->setCurrentIndex(
            generate->library()->rowOf(m_parser.value(m_overlayWith)));
        if (QAction* overlay = window.findChild<QAction*>(QStringLiteral("probabilityOverlay")))
            overlay->trigger();
    });
}

void ScreenshotStaging::stageGeneration(ui::MainWindow& window) {
    ui::GeneratePanel* generate = window.generatePanel();
    QObject::connect(window.trainPanel(), &ui::TrainPanel::modelTrained, &window,
                     [this, &window] { startGeneration(window); });
    QObject::connect(generate, &ui::GeneratePanel::stateChanged, &window,
                     [this, &window, generate](ui::GeneratePanel::State s) {
                         if (s != ui::GeneratePanel::State::Done)
                             return;
                         if (m_parser.isSet(m_showTakes)) {
                             nextTakesRun(window);
                             return;
                         }
                         window.pianoRoll()->ensureTickVisible(generate->targetTo());
                         window.pianoRoll()->ensureTickVisible(generate->primerFrom());
                         generate->setCurrentVariation(1);
                         // The picture shows the takes with their numbers, which follow the
                         // takes from a worker.
                         if (!generate->numbersPending())
                             grabAfterDelay(window);
                     });
    QObject::connect(generate, &ui::GeneratePanel::takesAssessed, &window,
                     [this, &window] { grabAfterDelay(window); });
}

void ScreenshotStaging::startGeneration(ui::MainWindow& window) const {
    ui::GeneratePanel* generate = window.generatePanel();
    model::Tick primerFrom = 0, primerTo = 0;
    if (bars(window, m_parser.value(m_generate), primerFrom, primerTo))
        window.pianoRoll()->setLoopRange(primerFrom, primerTo);
    generate->variationsBox()->setValue(3);
    generate->lowPitchBox()->setValue(64); // the flute's register
    generate->highPitchBox()->setValue(93);
    generate->tonicBox()->setCurrentIndex(9); // A minor
    generate->scaleBox()->setCurrentIndex(generate->scaleBox()->findData(QStringLiteral("minor")));
    generate->barsBox()->setValue(4);
    generate->seedBox()->setValue(3);
    generate->generateButton()->click();
}

// --show-takes: after the first run, a second from another seed and a rewrite of bars 11-12;
// then the Takes tab, the second run's second take chosen (its provenance in its tooltip).
void ScreenshotStaging::nextTakesRun(ui::MainWindow& window) {
    ui::GeneratePanel* generate = window.generatePanel();
    ++m_takesRuns;
    if (m_takesRuns == 1) {
        generate->seedBox()->setValue(4);
        QTimer::singleShot(0, generate->generateButton(), &QPushButton::click);
    } else if (m_takesRuns == 2) {
        const model::TempoMap& map = window.song().tempoMap();
        window.pianoRoll()->setLoopRange(map.barToTick(10), map.barToTick(12));
        generate->variationsBox()->setValue(2);
        QTimer::singleShot(0, generate->regenerateButton(), &QPushButton::click);
    } else {
        generate->resultTabs()->setCurrentIndex(1);
        generate->takesView()->setCurrentTake(4);
        grabAfterDelay(window);
    }
}

} // namespace torchestra::app
