// Piano roll benchmark: paint time of the real PianoRollView for a song of 20,000 notes (goal:
// under 16 ms a frame), fully zoomed out and zoomed in, and the time MainWindow takes to open a
// large MIDI file (read on its worker, swap, first paint).
//
//   build/bench/pianoroll_bench [--notes N] [--open-notes M] [--frames F] [--size WxH]
//
// Paints go through QWidget::render into a QImage (the raster engine the offscreen and xcb
// backing stores use), a full frame each time. Reported: median and worst of F frames.
#include "ui/common/Theme.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/shell/MainWindow.h"

#include "midi/MidiFile.h"
#include "model/Song.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace torchestra;

namespace {

// A multi-track arrangement: chords and runs on 8 tracks, the first (the edited one) a melody.
model::Song makeSong(std::size_t totalNotes, std::uint32_t seed) {
    std::mt19937 rng(seed);
    model::Song song;
    const int tracks = 8;
    const std::size_t perTrack = totalNotes / tracks;
    for (int t = 0; t < tracks; ++t) {
        model::Track track;
        track.properties.name = "Track " + std::to_string(t + 1);
        track.properties.channel = std::uint8_t(t);
        track.properties.colour = ui::theme::trackColour(t);
        std::vector<model::Note> notes;
        notes.reserve(perTrack);
        model::Tick tick = 0;
        while (notes.size() < perTrack) {
            const int size = t == 0 ? 1 : 1 + int(rng() % 3);
            const int root = 36 + int(rng() % 48);
            const model::Tick length = 60 * (1 + model::Tick(rng() % 8));
            for (int k = 0; k < size && notes.size() < perTrack; ++k) {
                model::Note n;
                n.start = tick;
                n.length = length;
                n.pitch = std::uint8_t(std::min(127, root + k * 4));
                n.velocity = std::uint8_t(40 + rng() % 88);
                n.channel = track.properties.channel;
                notes.push_back(n);
            }
            tick += 120 * (1 + model::Tick(rng() % 4));
        }
        const model::TrackId id = song.addTrack(track);
        song.addNotes(id, std::move(notes));
    }
    return song;
}

struct Stats {
    double median = 0, worst = 0;
};

Stats timeFrames(ui::PianoRollView& view, QImage& image, int frames) {
    std::vector<double> ms;
    for (int i = 0; i < frames + 2; ++i) {
        QElapsedTimer timer;
        timer.start();
        view.viewport()->render(&image);
        const double t = double(timer.nsecsElapsed()) / 1e6;
        if (i >= 2) // the first paints warm font and glyph caches
            ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back()};
}

void report(const char* what, const Stats& s) {
    std::printf("%-52s median %7.2f ms   worst %7.2f ms   %s\n", what, s.median, s.worst,
                s.median < 16.0 ? "(< 16 ms)" : "(OVER 16 ms)");
}

struct Options {
    std::size_t notes = 20000, openNotes = 200000;
    int frames = 30, width = 1600, height = 900;
};

Options parseOptions(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--notes"))
            o.notes = std::size_t(std::atol(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--open-notes"))
            o.openNotes = std::size_t(std::atol(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--frames"))
            o.frames = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--size"))
            std::sscanf(argv[i + 1], "%dx%d", &o.width, &o.height);
    }
    return o;
}

// Paint times of the piano roll for a song of o.notes notes, zoomed out and in.
void benchPaint(const Options& o) {
    model::Song song = makeSong(o.notes, 7);
    std::printf("song: %zu notes on %zu tracks, %.0f bars; view %dx%d\n", song.noteCount(),
                song.trackCount(), double(song.endTick()) / 1920.0, o.width, o.height);

    ui::PianoRollView view;
    view.setSong(&song);
    view.resize(o.width, o.height);
    view.show();
    QApplication::processEvents();
    view.setActiveTrack(song.trackIdAt(0));
    QImage image(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);

    // Fully zoomed out: the whole song across the width, every note visible.
    view.setPixelsPerQuarter(ui::PianoRollGeometry::kMinPixelsPerQuarter);
    view.setKeyHeight(ui::PianoRollGeometry::kMinKeyHeight + 2);
    view.centreOnPitch(64);
    QApplication::processEvents();
    int visible = 0;
    const ui::PianoRollGeometry& g = view.rollGeometry();
    for (const model::Track& t : song.tracks())
        t.forEachNoteInRange(g.visibleStartTick(), g.visibleEndTick(), [&](const model::Note& n) {
            visible += n.pitch >= g.lowestVisiblePitch() && n.pitch <= g.highestVisiblePitch();
        });
    char label[128];
    std::snprintf(label, sizeof label, "zoomed out (%d notes in view)", visible);
    report(label, timeFrames(view, image, o.frames));
    view.setVelocityLaneVisible(true);
    report("zoomed out + velocity lane", timeFrames(view, image, o.frames));
    view.setColourMode(ui::PianoRollView::ColourMode::Velocity);
    report("zoomed out + velocity lane, colour by velocity", timeFrames(view, image, o.frames));
    view.setColourMode(ui::PianoRollView::ColourMode::Track);
    view.setVelocityLaneVisible(false);

    // Zoomed in: a couple of bars, labels on the notes.
    view.setPixelsPerQuarter(160);
    view.setKeyHeight(18);
    view.setPlayheadTick(song.endTick() / 2); // pages the view to the middle of the song
    view.centreOnPitch(64);
    QApplication::processEvents();
    report("zoomed in (160 px/quarter, 18 px rows)", timeFrames(view, image, o.frames));
    view.setVelocityLaneVisible(true);
    view.selectAll();
    report("zoomed in + velocity lane, all selected", timeFrames(view, image, o.frames));
    view.setSong(nullptr);
}

// Open time: a large MIDI file through the window, as File > Open does it. Returns the exit
// status.
int benchOpen(const Options& o) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("large.mid"));
    const model::Song large = makeSong(o.openNotes, 11);
    if (!midi::writeMidiFile(QFile::encodeName(path).toStdString(), large).empty()) {
        std::fprintf(stderr, "could not write %s\n", qPrintable(path));
        return 1;
    }
    ui::MainWindow window;
    window.setShowErrorDialogs(false);
    window.resize(o.width, o.height);
    window.show();
    QApplication::processEvents();
    QSignalSpy loaded(&window, &ui::MainWindow::fileLoaded);
    QElapsedTimer timer;
    timer.start();
    window.openFile(path);
    const qint64 returned = timer.nsecsElapsed();
    while (loaded.isEmpty() && timer.elapsed() < 60000)
        QApplication::processEvents(QEventLoop::AllEvents, 5);
    const qint64 swapped = timer.nsecsElapsed();
    window.pianoRoll()->viewport()->repaint();
    const qint64 painted = timer.nsecsElapsed();
    if (loaded.isEmpty()) {
        std::fprintf(stderr, "load did not finish\n");
        return 1;
    }
    std::printf("open %s (%lld bytes, %zu notes): openFile() returned in %.2f ms; loaded in "
                "%.1f ms; first paint done at %.1f ms\n",
                qPrintable(QStringLiteral("large.mid")), (long long)QFile(path).size(),
                window.song().noteCount(), double(returned) / 1e6, double(swapped) / 1e6,
                double(painted) / 1e6);
    std::printf("status bar: %s\n", qPrintable(window.statusText()));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true); // no recovery files or settings of a real user
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("TorchestraBench"));
    QApplication::setApplicationName(QStringLiteral("pianoroll_bench"));
    ui::theme::apply(app, ui::ThemeKind::Dark);

    const Options options = parseOptions(argc, argv);
    benchPaint(options);
    return benchOpen(options);
}
