// Scheduling jitter of live MIDI output: plays a dense song through MidiPortOutput to another
// JACK client (jackd1, dummy driver, 48 kHz / 256 frames, started here under its own name) and
// reports how late the sender thread sent each message (against its due time) and how far the
// arrival times at the receiver stray from the song's times (after removing a constant offset).
//
// usage: jitter_bench [SECONDS]
#include "../tests/playback/JackServer.h"
#include "model/Song.h"
#include "playback/EventScheduler.h"
#include "playback/MidiPorts.h"
#include "playback/Transport.h"

#include <rtmidi/RtMidi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

using namespace torchestra;
using namespace torchestra::playback;

namespace {

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Rx {
    std::vector<std::int64_t> times = std::vector<std::int64_t>(1 << 20);
    std::atomic<int> count{0};
    static void cb(double, std::vector<unsigned char>*, void* user) {
        auto* self = static_cast<Rx*>(user);
        const int i = self->count.load(std::memory_order_relaxed);
        if (i < int(self->times.size())) {
            self->times[std::size_t(i)] = nowNs();
            self->count.store(i + 1, std::memory_order_release);
        }
    }
};

class Collect : public MidiSink {
public:
    std::vector<std::int64_t> frames;
    std::int64_t base = 0;
    void send(int offset, const MidiMessage&) override { frames.push_back(base + offset); }
};

double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

} // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 10.0;
    playback::test::JackServer server;
    if (std::string err = server.start(); !err.empty()) {
        std::fprintf(stderr, "jitter_bench: %s\n", err.c_str());
        return 1;
    }
    // 16th notes at 120 BPM on 4 channels, chords of 3: ~96 messages per second per channel.
    model::Song song;
    for (int ch = 0; ch < 4; ++ch) {
        model::Track t;
        t.properties.channel = std::uint8_t(ch);
        const model::TrackId id = song.addTrack(t);
        std::vector<model::Note> notes;
        for (int i = 0; i * 120 < int(seconds * 960); ++i)
            for (int k = 0; k < 3; ++k) {
                model::Note n;
                n.start = i * 120 + ch * 7;
                n.length = 100;
                n.pitch = std::uint8_t(48 + ch * 12 + k * 4);
                n.channel = std::uint8_t(ch);
                notes.push_back(n);
            }
        song.addNotes(id, notes);
    }
    auto snap = PlaybackSnapshot::fromSong(song);
    EventScheduler ref;
    ref.setSnapshot(snap.get());
    ref.play();
    Collect expected;
    while (!ref.finished()) {
        ref.process(1000, 1e6, 1.0, expected); // microsecond frames
        expected.base += 1000;
    }

    Rx rx;
    RtMidiIn in(RtMidi::UNIX_JACK, "jitter-rx");
    in.setCallback(&Rx::cb, &rx);
    in.openVirtualPort("in");
    Transport transport;
    transport.setSnapshot(snap);
    MidiPortOutput out;
    std::string err;
    if (!out.open("jitter-rx:in", err) || !out.start(&transport, err)) {
        std::fprintf(stderr, "jitter_bench: %s\n", err.c_str());
        return 1;
    }
    transport.play();
    while (!transport.isFinished())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    out.close();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    const SendStats s = out.stats();
    const int n = std::min<int>(rx.count.load(), int(expected.frames.size()));
    std::vector<double> diff;
    for (int i = 0; i < n; ++i)
        diff.push_back(double(rx.times[std::size_t(i)] - rx.times[0]) / 1e6 -
                       double(expected.frames[std::size_t(i)]) / 1e3);
    const double median = pct(diff, 0.5);
    std::vector<double> err2;
    for (double d : diff)
        err2.push_back(std::fabs(d - median));
    std::printf("jitter_bench: %.1f s song, %zu messages expected, %d received (+16 closing)\n",
                seconds, expected.frames.size(), rx.count.load() - 16);
    std::printf("sender lateness vs due time: mean %.0f us, p50 %.0f us, p99 %.0f us, max %.0f "
                "us, %llu over 1 ms; sender real-time priority: %s\n",
                s.meanLateUs, s.p50LateUs, s.p99LateUs, s.maxLateUs,
                static_cast<unsigned long long>(s.lateOver1ms), s.realtimePriority ? "yes" : "no");
    std::printf("arrival at a JACK client vs song time (offset removed): p50 %.3f ms, p99 %.3f "
                "ms, max %.3f ms; JACK period %.3f ms\n",
                pct(err2, 0.5), pct(err2, 0.99), pct(err2, 1.0), 256.0 / 48.0);
    return 0;
}
