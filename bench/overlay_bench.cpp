// Probability overlay benchmark (#15): how fast the piano roll's overlay follows the cursor
// while a model is loaded, and how long it takes to catch up after an edit.
//
//   build/bench/overlay_bench [--bars N] [--moves M] [--edits E] [--no-peer]
//
// A song of N bars (default 64: a melody in eighths and quarters over a chord track) in a real
// PianoRollView (offscreen, 1440x800) with a ProbabilityOverlay, for three models: the default
// LSTM 2x256 with the independent head (random weights: its cost does not depend on them), and
// the built-in bach-nade (LSTM 2x128, NADE head, 64 draws per step) and bach-markov from
// resources/models. For each:
//   outlook    the whole track's outlook, from showing the overlay to its numbers (worker thread)
//   move       one cursor move: the Right key sent to the view, the events that follow processed,
//              the dirty region painted (median and worst of M moves, each checked to have
//              painted); a move that scrolls the view repaints all of it
//   edit       a note added at the cursor until the new numbers are in (median and worst of E)
// Peer: the same outlook in PyTorch (bench/ml_peer.py --only outlook: the LSTM over the whole
// sequence in one call, the NADE's draws as one batch per pitch), from the same run.
#include "PeerOutput.h"

#include "ui/panels/ProbabilityOverlay.h"
#include "ui/pianoroll/PianoRollView.h"

#include "ml/Checkpoint.h"
#include "ml/neural/FastRunner.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/NeuralModel.h"
#include "model/EditCommands.h"
#include "model/UndoStack.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QKeyEvent>
#include <QSignalSpy>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace torchestra;

namespace {

// A melody (eighths and quarters, a walk in A minor) over whole-bar triads.
model::Song makeSong(int bars) {
    model::Song song;
    std::mt19937 rng(5);
    const int scale[] = {0, 2, 3, 5, 7, 8, 10};
    model::Track melody;
    melody.properties.name = "Melody";
    model::Track chords;
    chords.properties.name = "Chords";
    chords.properties.channel = 1;
    std::vector<model::Note> tune, harmony;
    int degree = 7;
    for (model::Tick t = 0; t < model::Tick(bars) * 1920;) {
        degree = std::clamp(degree + int(rng() % 5) - 2, 0, 13);
        const model::Tick length = (rng() % 3 == 0) ? 480 : 240;
        model::Note n;
        n.start = t;
        n.length = length;
        n.pitch = std::uint8_t(69 + 12 * (degree / 7) + scale[degree % 7] - 12);
        tune.push_back(n);
        t += length;
    }
    for (int bar = 0; bar < bars; ++bar)
        for (int k : {0, 3, 7}) {
            model::Note n;
            n.start = model::Tick(bar) * 1920;
            n.length = 1920;
            n.pitch = std::uint8_t(57 + (bar % 4 == 2 ? 5 : 0) + k);
            n.channel = 1;
            harmony.push_back(n);
        }
    song.addNotes(song.addTrack(melody), std::move(tune));
    song.addNotes(song.addTrack(chords), std::move(harmony));
    return song;
}

struct Stats {
    double median = 0, worst = 0;
};

Stats stats(std::vector<double> ms) {
    if (ms.empty())
        return {};
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back()};
}

double msSince(const QElapsedTimer& timer) {
    return double(timer.nsecsElapsed()) / 1e6;
}

// Counts the viewport's paints: every measured move must have painted.
class PaintCounter : public QObject {
public:
    int paints = 0;
    bool eventFilter(QObject*, QEvent* event) override {
        if (event->type() == QEvent::Paint)
            ++paints;
        return false;
    }
};

struct Figures {
    double outlookMs = 0;
    Stats move, edit;
    int moves = 0, painted = 0;
};

Figures measure(std::shared_ptr<const ml::SequenceModel> model, int bars, int moves, int edits) {
    model::Song song = makeSong(bars);
    model::UndoStack undo(song);
    ui::PianoRollView view;
    view.resize(1440, 800);
    view.setSong(&song);
    view.setUndoStack(&undo);
    view.setActiveTrack(song.tracks().front().id());
    view.show();
    QApplication::processEvents();
    PaintCounter counter;
    view.viewport()->installEventFilter(&counter);
    ui::ProbabilityOverlay overlay(song, undo, &view);
    overlay.setModel(std::move(model), QStringLiteral("bench"));
    QSignalSpy computed(&overlay, &ui::ProbabilityOverlay::computed);
    Figures f;
    QElapsedTimer timer;
    timer.start();
    overlay.setShown(true);
    while (!overlay.ready())
        computed.wait(60000);
    f.outlookMs = msSince(timer);

    std::vector<double> moveMs;
    for (int i = 0; i < moves; ++i) {
        if (overlay.startingAtCursor().empty())
            overlay.setCursor(0); // past the outlook's end: back to the start (not timed)
        QApplication::processEvents();
        const int paintsBefore = counter.paints;
        timer.restart();
        QKeyEvent right(QEvent::KeyPress, Qt::Key_Right, Qt::NoModifier);
        QCoreApplication::sendEvent(&view, &right);
        QApplication::processEvents(); // the update requests: the dirty region is painted
        moveMs.push_back(msSince(timer));
        f.painted += counter.paints > paintsBefore ? 1 : 0;
    }
    f.moves = moves;
    f.move = stats(moveMs);

    std::vector<double> editMs;
    for (int i = 0; i < edits; ++i) {
        overlay.setCursor(model::Tick(i) * 1920 + 240);
        model::Note n;
        n.start = overlay.cursor();
        n.length = 240;
        n.pitch = 76;
        timer.restart();
        undo.push(std::make_unique<model::AddNotesCommand>(view.activeTrack(),
                                                           std::vector<model::Note>{n}));
        while (!overlay.ready())
            computed.wait(60000);
        editMs.push_back(msSince(timer));
        undo.undo();
        while (!overlay.ready())
            computed.wait(60000);
    }
    f.edit = stats(editMs);
    view.setSong(nullptr);
    return f;
}

std::shared_ptr<const ml::SequenceModel> builtin(const char* name) {
    const std::string path = std::string(TORCHESTRA_SOURCE_DIR) + "/resources/models/" + name;
    ml::LoadedCheckpoint c = ml::loadCheckpoint(path);
    if (!c.model)
        std::fprintf(stderr, "overlay_bench: %s\n", c.error.c_str());
    return c.model;
}

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ml::neural::registerNeuralKinds();
    int bars = 64, moves = 1000, edits = 20;
    bool peer = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
        if (a == "--bars")
            bars = next();
        else if (a == "--moves")
            moves = next();
        else if (a == "--edits")
            edits = next();
        else if (a == "--no-peer")
            peer = false;
        else {
            std::fprintf(stderr, "usage: overlay_bench [--bars N] [--moves M] [--edits E] "
                                 "[--no-peer]\n");
            return 2;
        }
    }
    ml::ModelConfig lstm;
    lstm.kind = ml::ModelKind::Lstm;
    lstm.layers = 2;
    lstm.hidden = 256;
    std::string error;
    std::shared_ptr<const ml::SequenceModel> independent =
        ml::neural::createNeuralModel(lstm, 1, error);
    struct Row {
        const char* name;
        std::shared_ptr<const ml::SequenceModel> model;
        const char* peerKey;
    };
    const Row rows[] = {
        {"LSTM 2x256, independent", independent, "outlook_independent_ms"},
        {"bach-nade (LSTM 2x128, NADE)", builtin("bach-nade.tcm"), "outlook_nade128_ms"},
        {"bach-markov", builtin("bach-markov.tcm"), nullptr},
    };
    const int steps = bars * 16 + 32; // the outlook covers the song and a bar after it
    std::string peerOut;
    if (peer)
        peerOut = bench::commandOutput("/usr/bin/python3 " TORCHESTRA_BENCH_DIR
                                       "/ml_peer.py --threads 1 --only outlook --steps " +
                                       std::to_string(steps));
    std::printf("overlay_bench: %d bars (%d steps), %d cursor moves, %d edits; fast path on %d "
                "thread(s)\n",
                bars, steps, moves, edits, ml::neural::fastInferenceThreads());
    std::printf("%-30s %12s %22s %8s %22s %12s\n", "model", "outlook ms", "move ms (median/worst)",
                "painted", "edit ms (median/worst)", "peer outlook");
    for (const Row& row : rows) {
        if (!row.model)
            return 1;
        const Figures f = measure(row.model, bars, moves, edits);
        const double peerMs = row.peerKey ? bench::jsonNumber(peerOut, row.peerKey) : -1;
        char peerText[64] = "-";
        if (peerMs > 0)
            std::snprintf(peerText, sizeof peerText, "%.1f (%.1fx)", peerMs, peerMs / f.outlookMs);
        std::printf("%-30s %12.1f %11.3f / %8.3f %5d/%-4d %10.1f / %9.1f %12s\n", row.name,
                    f.outlookMs, f.move.median, f.move.worst, f.painted, f.moves, f.edit.median,
                    f.edit.worst, peerText);
    }
    return 0;
}
