#pragma once

#include "playback/EventScheduler.h"
#include "playback/MidiClockOut.h"
#include "playback/MidiMessage.h"
#include "playback/PlaybackSnapshot.h"
#include "playback/SpscRing.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::playback {

// A metronome count-in played before the song's position, in time the song does not have (a
// recording from bar 1 has no bar before it to count in over). The clicks fall on the beat grid
// that ends where the song starts: the last one a beat before, the others a beat apart, every
// `beatsPerBar`-th one accented; each sounds for a quarter of a beat.
struct CountIn {
    double seconds = 0;        // length, in song seconds (tempo scale 1)
    double beatSeconds = 0.5;  // click spacing, in song seconds
    double ticksPerSecond = 0; // of the song's start, so the playhead can count up to it
    int beatsPerBar = 4;
    MidiMessage accent; // note-ons; their note-offs follow a quarter beat later
    MidiMessage click;
};

// The UI-facing playback control: play, pause, stop, seek, loop, tempo scale, panic, and the
// playhead, for one engine (the live FluidSynth output or a MIDI port's sender thread).
//
// Threads:
// - Control calls (play() ... setSnapshot()) come from one thread, the one that owns the song
//   (the GUI thread). They never block: commands go through a preallocated single-producer ring
//   (a full ring makes the call return false) and the song through an atomic pointer.
// - Readers (position(), isPlaying() ...) may be called from any thread at any time: atomics.
// - process() is called by the engine's real-time thread only; it never locks or allocates.
class Transport {
public:
    Transport();
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // --- control thread ---
    bool play();
    // Plays `countIn` first, then the song from the current position. Pause, stop, seek and
    // panic end a count-in that is still going.
    bool playAfterCountIn(const CountIn& countIn);
    bool pause();
    bool stop(); // note-offs, all-notes-off, back to the start
    bool seek(double seconds);
    bool seekTick(model::Tick tick);
    // Loop [startTick, endTick); disabled when !enabled or the range is empty.
    bool setLoop(bool enabled, model::Tick startTick, model::Tick endTick);
    // Loop whole bars [firstBar, endBar) (zero-based) of the current snapshot's tempo map.
    bool setLoopBars(bool enabled, std::int64_t firstBar, std::int64_t endBar);
    bool panic();
    // Plays slower (< 1) or faster (> 1) without changing the song: song time runs at `scale`
    // times the engine's clock. Clamped to kMinTempoScale..kMaxTempoScale.
    void setTempoScale(double scale);
    static constexpr double kMinTempoScale = 0.25;
    static constexpr double kMaxTempoScale = 4.0;
    // MIDI clock out (see MidiClockOut) with what plays; for an engine that is a MIDI port, as
    // a synth has no use for it. Any thread; the engine follows at its next block.
    void setMidiClockOut(bool on) { m_midiClockOut.store(on, std::memory_order_relaxed); }
    // Publishes a new snapshot; the engine picks it up at its next block. Old snapshots are
    // freed here, on the control thread, once the engine no longer uses them.
    void setSnapshot(SnapshotPtr snapshot);
    const SnapshotPtr& snapshot() const { return m_current; }

    // --- any thread ---
    // During a count-in the playhead is before the song's position: negative from the start.
    double positionSeconds() const { return m_positionSeconds.load(std::memory_order_relaxed); }
    double positionTick() const { return m_positionTick.load(std::memory_order_relaxed); }
    bool isCountingIn() const { return m_countingIn.load(std::memory_order_relaxed); }
    bool isPlaying() const { return m_playing.load(std::memory_order_relaxed); }
    // True when a non-looping song has played to its end.
    bool isFinished() const { return m_finished.load(std::memory_order_relaxed); }
    double tempoScale() const { return m_tempoScale.load(std::memory_order_relaxed); }
    // Engine blocks processed so far; the UI can tell a stalled engine from a paused one.
    std::uint64_t blocksProcessed() const { return m_blocks.load(std::memory_order_relaxed); }

    // --- engine thread ---
    // Applies pending commands and snapshot, then advances `frames` at `frameRate` frames per
    // second, sending messages to `sink` with offsets in [0, frames).
    void process(int frames, double frameRate, MidiSink& sink);
    // Ends every sounding note and sends all-notes-off (the engine is going away).
    void shutdown(MidiSink& sink);

private:
    struct Command {
        enum Type : std::uint8_t {
            Play,
            CountInPlay,
            Pause,
            Stop,
            Seek,
            SeekTick,
            Loop,
            Panic
        } type;
        bool flag = false;
        double seconds = 0;
        model::Tick a = 0, b = 0;
        CountIn countIn = {}; // CountInPlay only
    };
    // The count-in as the engine plays it (engine thread only). Time is kept as frames since an
    // anchor, as the scheduler does, so many small blocks do not drift.
    struct CountInState {
        CountIn plan;
        bool active = false;
        double anchor = 0; // elapsed seconds at the last tempo scale change
        std::int64_t anchorFrames = 0;
        double anchorFps = 0;
        double elapsed = 0;
        int nextClick = 0;    // clicks left; the next one sounds plan.beatSeconds * it early
        double clickEnd = -1; // elapsed seconds at which the sounding click ends, -1 if none
        MidiMessage soundingClick;
    };
    bool push(const Command& c);
    void startCountIn(const CountIn& plan);
    void endCountIn(MidiSink& sink);
    // Plays the count-in's share of a block; returns the frames it used (the song gets the rest).
    int runCountIn(int frames, double framesPerSecond, MidiSink& sink);
    // The clock's share of a block whose song part starts at frame `base`, the song having been
    // at `fromSeconds` there.
    void sendClock(double fromSeconds, int base, int frames, double framesPerSecond,
                   MidiSink& sink);
    void adoptPublishedSnapshot();
    void collectGarbage();
    void publishState();

    SpscRing<Command> m_commands;
    EventScheduler m_scheduler; // engine thread only
    CountInState m_countIn;     // engine thread only
    MidiClockOut m_clock;       // engine thread only

    // Snapshot hand-over: hazard pointers that keep the engine's snapshot alive.
    SnapshotPtr m_current;              // control thread
    std::vector<SnapshotPtr> m_retired; // control thread
    std::atomic<const PlaybackSnapshot*> m_published{nullptr};
    std::atomic<const PlaybackSnapshot*> m_inUse{nullptr};
    std::atomic<const PlaybackSnapshot*> m_candidate{nullptr};

    std::atomic<double> m_tempoScale{1.0};
    std::atomic<double> m_positionSeconds{0};
    std::atomic<double> m_positionTick{0};
    std::atomic<bool> m_playing{false};
    std::atomic<bool> m_finished{false};
    std::atomic<bool> m_countingIn{false};
    std::atomic<bool> m_midiClockOut{false};
    std::atomic<std::uint64_t> m_blocks{0};
};

} // namespace torchestra::playback
