// The Torchestra workstation: `torchestra [file.mid]`.
//
// Hidden options for scripts/screenshot (not for users, so not in --help):
//   --screenshot OUT.png   grab the main window into OUT.png and quit
//   --after-ms N           wait N ms after the file loads (or after start) before the grab
//   --size WxH             window size, e.g. 1440x900
//   --select-track N       select track row N (0-based) in the track list before the grab
//   --select-bars A-B      select the active track's notes starting in bars A..B (1-based)
//   --loop-bars A-B        set the loop range to bars A..B (1-based, inclusive)
//   --playhead-bar N       put the playhead at the start of bar N (1-based)
//   --velocity-lane on|off show or hide the velocity lane
//   --scale ROOT:KIND      highlight a scale, e.g. 9:2 for A minor (see PianoRollView::Scale)
//   --train-files A,B,...  put these MIDI files/folders in the Train panel (default: the file)
//   --train KIND           train a KIND (markov, rnn, lstm) model with the Train panel; the grab
//                          happens --after-ms after training started (progress and chart)
//   --generate A-B         train a Markov model, then generate after bars A..B (1-based) with
//                          the Generate panel; the grab happens --after-ms after the variations
//                          are shown
//
// Without --screenshot, recovery files left by a crashed session are offered at start; without a
// file (and nothing recovered) the window starts with a new song.
#include "ml/neural/NeuralKinds.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/shell/MainWindow.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"
#include "ui/common/Theme.h"
#include "ui/panels/TrainPanel.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QTreeView>

#include <cstdio>

using namespace torchestra;

namespace {

// Saves a picture of the window and quits: the reliable way to screenshot under Xvfb, where
// a desktop screenshot tool would also need a window manager.
void grabAndQuit(ui::MainWindow& window, const QString& out) {
    QDir().mkpath(QFileInfo(out).absolutePath());
    const bool saved = window.grab().save(out);
    std::fprintf(stderr, saved ? "torchestra: saved %s\n" : "torchestra: could not save %s\n",
                 qPrintable(out));
    QCoreApplication::exit(saved ? 0 : 1);
}

} // namespace

int main(int argc, char** argv) {
    torchestra::ml::neural::registerNeuralKinds();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Torchestra"));
    QApplication::setOrganizationName(QStringLiteral("Torchestra"));
    QApplication::setApplicationVersion(QStringLiteral(TORCHESTRA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Torchestra music composition workstation"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A MIDI file to open."),
                                 QStringLiteral("[file]"));
    QCommandLineOption themeOption(QStringLiteral("theme"),
                                   QStringLiteral("Colour theme: dark (default) or light."),
                                   QStringLiteral("name"));
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"), QString(),
                                        QStringLiteral("png"));
    QCommandLineOption afterOption(QStringLiteral("after-ms"), QString(), QStringLiteral("ms"),
                                   QStringLiteral("1500"));
    QCommandLineOption sizeOption(QStringLiteral("size"), QString(), QStringLiteral("WxH"));
    QCommandLineOption selectOption(QStringLiteral("select-track"), QString(),
                                    QStringLiteral("row"));
    QCommandLineOption selectBarsOption(QStringLiteral("select-bars"), QString(),
                                        QStringLiteral("A-B"));
    QCommandLineOption loopOption(QStringLiteral("loop-bars"), QString(), QStringLiteral("A-B"));
    QCommandLineOption playheadOption(QStringLiteral("playhead-bar"), QString(),
                                      QStringLiteral("bar"));
    QCommandLineOption laneOption(QStringLiteral("velocity-lane"), QString(),
                                  QStringLiteral("on|off"));
    QCommandLineOption scaleOption(QStringLiteral("scale"), QString(), QStringLiteral("root:kind"));
    QCommandLineOption trainFilesOption(QStringLiteral("train-files"), QString(),
                                        QStringLiteral("paths"));
    QCommandLineOption trainOption(QStringLiteral("train"), QString(), QStringLiteral("kind"));
    QCommandLineOption generateOption(QStringLiteral("generate"), QString(), QStringLiteral("A-B"));
    for (QCommandLineOption* hidden :
         {&screenshotOption, &afterOption, &sizeOption, &selectOption, &selectBarsOption,
          &loopOption, &playheadOption, &laneOption, &scaleOption, &trainFilesOption, &trainOption,
          &generateOption})
        hidden->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({themeOption, screenshotOption, afterOption, sizeOption, selectOption,
                       selectBarsOption, loopOption, playheadOption, laneOption, scaleOption,
                       trainFilesOption, trainOption, generateOption});
    parser.process(app);

    const QString themeName = parser.isSet(themeOption)
                                  ? parser.value(themeOption)
                                  : QSettings().value(QStringLiteral("theme")).toString();
    ui::theme::apply(app, ui::theme::fromName(themeName));
    QApplication::setWindowIcon(ui::theme::appIcon());

    ui::MainWindow window;
    if (parser.isSet(laneOption))
        window.pianoRoll()->setVelocityLaneVisible(parser.value(laneOption) != "off");
    if (parser.isSet(sizeOption)) {
        const QStringList parts = parser.value(sizeOption).split(QLatin1Char('x'));
        if (parts.size() == 2)
            window.resize(parts[0].toInt(), parts[1].toInt());
    }
    window.show();

    QString file = parser.positionalArguments().value(0);
    // Runs on a worker; a recovered song the user takes back later replaces what opens here.
    if (!parser.isSet(screenshotOption))
        window.checkForRecovery();
    if (!file.isEmpty())
        window.openFile(file);
    else if (!window.isModified())
        window.newProject(); // an empty track, ready to draw in

    if (parser.isSet(screenshotOption)) {
        const QString out = parser.value(screenshotOption);
        const int afterMs = parser.value(afterOption).toInt();
        const int selectRow = parser.isSet(selectOption) ? parser.value(selectOption).toInt() : -1;
        // "A-B" (1-based bars) as ticks [start of A, end of B).
        auto bars = [&window](const QString& text, model::Tick& from, model::Tick& to) {
            const QStringList parts = text.split(QLatin1Char('-'));
            if (parts.size() != 2)
                return false;
            const model::TempoMap& map = window.song().tempoMap();
            from = map.barToTick(std::max(0, parts[0].toInt() - 1));
            to = map.barToTick(std::max(1, parts[1].toInt()));
            return true;
        };
        const QString selectBars = parser.value(selectBarsOption);
        const QString loopBars = parser.value(loopOption);
        const int playheadBar = parser.value(playheadOption).toInt();
        const QString scale = parser.value(scaleOption);
        QStringList trainFiles =
            parser.value(trainFilesOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (trainFiles.isEmpty() && !file.isEmpty())
            trainFiles << file;
        const QString trainKind = parser.value(trainOption);
        const QString generateBars = parser.value(generateOption);
        auto grabLater = [&window, out, afterMs, selectRow, selectBars, loopBars, playheadBar,
                          scale, bars, trainFiles, trainKind, generateBars] {
            ui::PianoRollView* roll = window.pianoRoll();
            if (selectRow >= 0) {
                QTreeView* view = window.trackView();
                view->selectionModel()->select(view->model()->index(selectRow, 0),
                                               QItemSelectionModel::ClearAndSelect |
                                                   QItemSelectionModel::Rows);
            }
            model::Tick from = 0, to = 0;
            if (!loopBars.isEmpty() && bars(loopBars, from, to))
                roll->setLoopRange(from, to);
            if (!selectBars.isEmpty() && bars(selectBars, from, to))
                roll->selectRange(from, to);
            if (playheadBar > 0) {
                // Through the transport, which owns the playhead the roll shows.
                const model::Tick tick = window.song().tempoMap().barToTick(playheadBar - 1);
                window.playback()->seekTick(tick);
                roll->setPlayheadTick(tick);
            }
            if (!scale.isEmpty()) {
                // Through the toolbar, so its boxes show what the roll shows.
                const QStringList parts = scale.split(QLatin1Char(':'));
                if (auto* root = window.findChild<QComboBox*>(QStringLiteral("scaleRootBox")))
                    root->setCurrentIndex(parts.value(0).toInt());
                if (auto* kind = window.findChild<QComboBox*>(QStringLiteral("scaleBox")))
                    kind->setCurrentIndex(parts.value(1).toInt());
            }
            if (!trainKind.isEmpty() || !generateBars.isEmpty()) {
                // The learning panels at work: train through the Train panel's own button.
                ui::TrainPanel* train = window.trainPanel();
                ui::GeneratePanel* generate = window.generatePanel();
                const bool generating = !generateBars.isEmpty();
                ml::ModelKind kind = ml::ModelKind::Markov;
                if (!generating)
                    ml::parseModelKind(trainKind.toStdString(), kind);
                (generating ? window.generateDock() : window.trainDock())->raise();
                train->kindBox()->setCurrentIndex(train->kindBox()->findData(int(kind)));
                train->presetBox()->setCurrentIndex(0);
                train->epochsBox()->setValue(200);
                QObject::connect(train, &ui::TrainPanel::filesScanned, &window, [train] {
                    if (train->state() == ui::TrainPanel::State::Idle)
                        train->trainButton()->click();
                });
                if (!generating) {
                    QObject::connect(train, &ui::TrainPanel::stateChanged, &window,
                                     [&window, out, afterMs](ui::TrainPanel::State s) {
                                         if (s == ui::TrainPanel::State::Training)
                                             QTimer::singleShot(afterMs, &window, [&window, out] {
                                                 grabAndQuit(window, out);
                                             });
                                     });
                } else {
                    QObject::connect(
                        train, &ui::TrainPanel::modelTrained, &window,
                        [&window, generate, generateBars, bars] {
                            model::Tick primerFrom = 0, primerTo = 0;
                            if (bars(generateBars, primerFrom, primerTo))
                                window.pianoRoll()->setLoopRange(primerFrom, primerTo);
                            generate->variationsBox()->setValue(3);
                            generate->lowPitchBox()->setValue(64); // the flute's register
                            generate->highPitchBox()->setValue(93);
                            generate->tonicBox()->setCurrentIndex(9); // A minor
                            generate->scaleBox()->setCurrentIndex(
                                generate->scaleBox()->findData(QStringLiteral("minor")));
                            generate->barsBox()->setValue(4);
                            generate->seedBox()->setValue(3);
                            generate->generateButton()->click();
                        });
                    QObject::connect(
                        generate, &ui::GeneratePanel::stateChanged, &window,
                        [&window, generate, out, afterMs](ui::GeneratePanel::State s) {
                            if (s != ui::GeneratePanel::State::Done)
                                return;
                            window.pianoRoll()->ensureTickVisible(generate->targetTo());
                            window.pianoRoll()->ensureTickVisible(generate->primerFrom());
                            generate->setCurrentVariation(1);
                            QTimer::singleShot(afterMs, &window,
                                               [&window, out] { grabAndQuit(window, out); });
                        });
                }
                train->setInputs(trainFiles);
                return;
            }
            QTimer::singleShot(afterMs, &window, [&window, out] { grabAndQuit(window, out); });
        };
        if (file.isEmpty()) {
            grabLater();
        } else {
            // Grab after the load, whichever way it ends (an error box is worth a picture too).
            QObject::connect(&window, &ui::MainWindow::fileLoaded, &window, grabLater);
            QObject::connect(&window, &ui::MainWindow::loadFailed, &window, grabLater);
        }
    }
    return QApplication::exec();
}
