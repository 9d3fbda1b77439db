// The transport driven by an engine thread with an audio-like cadence (256 frames at 48 kHz,
// real time) while the control thread edits, seeks and loops hard: every note-on is matched by
// one note-off, nothing hangs, the playhead keeps moving. Needs no JACK server.
#include "TestSongs.h"
#include "playback/Transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

// Preallocated log: the engine thread must not allocate.
class LogSink : public MidiSink {
public:
    explicit LogSink(std::size_t capacity) : m_log(capacity) {}
    void send(int, const MidiMessage& m) override {
        if (m_count < m_log.size())
            m_log[m_count++] = m;
        else
            m_overflow = true;
    }
    std::size_t count() const { return m_count; }
    const MidiMessage& at(std::size_t i) const { return m_log[i]; }
    bool overflow() const { return m_overflow; }

private:
    std::vector<MidiMessage> m_log;
    std::size_t m_count = 0;
    bool m_overflow = false;
};

// 200 overlapping notes on three channels and two long ones, with a tempo change in bar 2.
model::Song stressSong() {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(1920, 400000);
    song.setTempoMap(map);
    std::vector<model::Note> notes;
    for (int i = 0; i < 200; ++i)
        notes.push_back(
            makeNote(model::Tick(i) * 60, 40 + (i * 13) % 400, 40 + (i * 7) % 48, 100, i % 3));
    addTrack(song, "a", 0, 0, notes);
    addTrack(song, "b", 1, 40, {makeNote(0, 9000, 50, 100, 1), makeNote(4000, 3000, 52, 100, 1)});
    return song;
}

} // namespace

TEST(TransportStress, EditsSeeksAndLoopsWhilePlayingKeepNotesPaired) {
    model::Song song = stressSong();

    Transport transport;
    transport.setSnapshot(PlaybackSnapshot::fromSong(song));
    transport.play();
    LogSink sink(4'000'000);
    std::atomic<bool> run{true};
    std::thread engine([&] {
        auto next = std::chrono::steady_clock::now();
        while (run.load()) {
            transport.process(256, 48000, sink);
            next += std::chrono::microseconds(5333);
            std::this_thread::sleep_until(next);
        }
        transport.shutdown(sink);
    });

    std::mt19937 rng(99);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    int edits = 0, moves = 0;
    double last = -1;
    while (std::chrono::steady_clock::now() < end) {
        const int what = int(rng() % 5);
        if (what == 0) {
            const model::TrackId id = song.trackIdAt(0);
            const auto& ns = song.track(id)->notes();
            if (!ns.empty())
                song.removeNotes(id, {ns[rng() % ns.size()].id});
            song.addNotes(id, {makeNote(model::Tick(rng() % 12000), 10 + rng() % 2000,
                                        30 + rng() % 60, 100, int(rng() % 4))});
            transport.setSnapshot(PlaybackSnapshot::fromSong(song));
            ++edits;
        } else if (what == 1) {
            transport.seekTick(model::Tick(rng() % 12000));
        } else if (what == 2) {
            const model::Tick a = model::Tick(rng() % 10000);
            transport.setLoop(rng() % 5 != 0, a, a + 1 + rng() % 3000);
        } else if (what == 3) {
            transport.setTempoScale(0.25 + double(rng() % 375) / 100.0);
        } else {
            rng() % 10 ? transport.play() : transport.pause();
        }
        const double pos = transport.positionTick();
        moves += pos != last;
        last = pos;
        std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 800));
    }
    run.store(false);
    engine.join();

    ASSERT_FALSE(sink.overflow());
    std::map<int, int> sounding;
    std::size_t ons = 0;
    for (std::size_t i = 0; i < sink.count(); ++i) {
        const MidiMessage& m = sink.at(i);
        const int key = m.channel() * 128 + m.bytes[1];
        if (m.isNoteOn()) {
            ++ons;
            ASSERT_EQ(sounding[key], 0) << "note-on over a sounding key, message " << i;
            ++sounding[key];
        } else if (m.isNoteOff()) {
            ASSERT_EQ(sounding[key], 1) << "note-off without a note-on, message " << i;
            --sounding[key];
        }
    }
    for (const auto& [key, n] : sounding)
        EXPECT_EQ(n, 0) << "key " << key << " left sounding";
    std::printf("[ stress   ] %d edits, %zu note-ons all matched, playhead moved %d times\n", edits,
                ons, moves);
    EXPECT_GT(edits, 200);
    EXPECT_GT(ons, 40u);
    EXPECT_GT(moves, 200);
}
