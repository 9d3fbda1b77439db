#pragma once

#include "playback/EventScheduler.h"
#include "playback/MidiMessage.h"
#include "playback/PlaybackSnapshot.h"
#include "playback/SpscRing.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::playback {

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
    bool pause();
    bool stop(); // note-offs, all-notes-off, back to the start
    bool seek(double seconds);
    bool seekTick(model::Tick tick);
    // Loop [startTick, endTick); disabled when !enabled or the range is empty.
    bool setLoop(bool enabled, model::Tick startTick, model::Tick endTick);
    // Loop whole bars [firstBar, endBar) (zero-based) of the current snapshot's tempo map.
    bool setLoopBars(bool enabled, std::int64_t firstBar, std::int64_t endBar);
    bool panic();
    void setTempoScale(double scale); // 0.25..4, 1 = as written
    // Publishes a new snapshot; the engine picks it up at its next block. Old snapshots are
    // freed here, on the control thread, once the engine no longer uses them.
    void setSnapshot(SnapshotPtr snapshot);
    const SnapshotPtr& snapshot() const { return m_current; }

    // --- any thread ---
    double positionSeconds() const { return m_positionSeconds.load(std::memory_order_relaxed); }
    double positionTick() const { return m_positionTick.load(std::memory_order_relaxed); }
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
        enum Type : std::uint8_t { Play, Pause, Stop, Seek, SeekTick, Loop, Panic } type;
        bool flag = false;
        double seconds = 0;
        model::Tick a = 0, b = 0;
    };
    bool push(const Command& c);
    void adoptPublishedSnapshot();
    void collectGarbage();
    void publishState();

    SpscRing<Command> m_commands;
    EventScheduler m_scheduler; // engine thread only

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
    std::atomic<std::uint64_t> m_blocks{0};
};

} // namespace torchestra::playback
