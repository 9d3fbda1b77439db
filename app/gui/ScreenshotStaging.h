#pragma once

#include <QCommandLineOption>
#include <QString>
#include <QStringList>

#include "model/Note.h"

class QCommandLineParser;

namespace torchestra::ui {
class MainWindow;
}

namespace torchestra::app {

// The hidden options with which scripts/screenshot (and the ui_gui_smoke test) stage a scene and
// grab the main window into a PNG; not for users, so not in --help:
//   --screenshot OUT.png   grab the main window into OUT.png and quit
//   --after-ms N           wait N ms after the file loads (or after start) before the grab
//   --size WxH             window size, e.g. 1440x900
//   --select-track N       select track row N (0-based) in the track list before the grab
//   --select-bars A-B      select the active track's notes starting in bars A..B (1-based)
//   --loop-bars A-B        set the loop range to bars A..B (1-based, inclusive)
//   --playhead-bar N       put the playhead at the start of bar N (1-based)
//   --velocity-lane on|off show or hide the velocity lane
//   --scale ROOT:NAME      highlight a scale, e.g. 9:minor for A minor (names: ml::scaleNames())
//   --train-files A,B,...  put these MIDI files/folders in the Train panel (default: the file)
//   --train KIND           train a KIND (markov, rnn, lstm) model with the Train panel; the grab
//                          happens --after-ms after training started (progress and chart)
//   --generate A-B         train a Markov model, then generate after bars A..B (1-based) with
//                          the Generate panel; the grab happens --after-ms after the variations
//                          are shown
//   --overlay-with MODEL   choose a listed model ("builtin:bach-nade") and show the probability
//                          overlay at the playhead; the grab follows its first numbers
// The window is grabbed by the program itself: the reliable way under Xvfb, where a desktop
// screenshot tool would also need a window manager. GUI thread only; lives until the event loop
// has finished (the staging steps run from it).
class ScreenshotStaging {
public:
    // Adds the hidden options to `parser`, which processes the arguments afterwards.
    explicit ScreenshotStaging(QCommandLineParser& parser);

    // Whether --screenshot was given (once the parser has processed the arguments).
    bool isRequested() const;
    // Applies what shapes the window before it is shown: --size and --velocity-lane.
    void prepare(ui::MainWindow& window) const;
    // Stages the scene once `file` (opened by the caller; "" for none) has loaded, or failed to
    // (an error box is worth a picture too), then grabs the window and quits the application
    // with 0 when the picture was saved, else 1.
    void stage(ui::MainWindow& window, const QString& file);

private:
    // "A-B" (1-based bars) as ticks [start of A, end of B) in the window's song.
    static bool bars(const ui::MainWindow& window, const QString& text, model::Tick& from,
                     model::Tick& to);
    void grabLater(ui::MainWindow& window);
    // Track, selection, loop, playhead and scale, as the options ask.
    void setScene(ui::MainWindow& window) const;
    // Trains (and, for --generate, generates) through the panels' own buttons; the grab follows.
    // With --generate-with, generates with that model instead of training one.
    void stageLearning(ui::MainWindow& window);
    void stageGeneration(ui::MainWindow& window);
    void stageOverlay(ui::MainWindow& window) const;
    // Three takes of the bars after --generate's, with the panel's model as it is.
    void startGeneration(ui::MainWindow& window) const;
    void nextTakesRun(ui::MainWindow& window);
    void grabAfterDelay(ui::MainWindow& window) const;

    const QCommandLineParser& m_parser;
    QCommandLineOption m_screenshot;
    QCommandLineOption m_after;
    QCommandLineOption m_size;
    QCommandLineOption m_selectTrack;
    QCommandLineOption m_selectBars;
    QCommandLineOption m_loopBars;
    QCommandLineOption m_playheadBar;
    QCommandLineOption m_velocityLane;
    QCommandLineOption m_scale;
    QCommandLineOption m_trainFiles;
    QCommandLineOption m_train;
    QCommandLineOption m_generate;
    QCommandLineOption m_generateWith; // a listed model ("builtin:bach-gan"): no training
    QCommandLineOption m_showTakes;    // three runs, then the Takes tab
    QCommandLineOption m_overlayWith;  // a listed model: the probability overlay at the playhead
    QStringList m_trainFileList;       // --train-files, or the file opened
    int m_takesRuns = 0;               // --show-takes: runs done
};

} // namespace torchestra::app
