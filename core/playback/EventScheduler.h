#pragma once

#include "playback/MidiMessage.h"
#include "playback/PlaybackSnapshot.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace torchestra::playback {

// Turns a PlaybackSnapshot into timed MIDI messages, block by block: pure logic with no clock of
// its own, so it is tested without audio and drives FluidSynth (frames = samples) and the MIDI
// port sender (frames = nanoseconds) alike.
//
// Positions are song seconds at tempo scale 1; a block of `frames` frames at `frameRate` covers
// frames * tempoScale / frameRate song seconds. The scheduler ends every note it starts itself
// (from the note's end time, or at a loop wrap, seek, pause or stop), so replacing the snapshot
// mid-note never leaves a note hanging, and every note-on it sends is matched by one note-off.
//
// Everything after construction is real-time safe: no locks, no allocation, no exceptions.
// Not thread-safe: one thread (the audio callback or the MIDI sender) owns it.
class EventScheduler {
public:
    EventScheduler();

    // Replaces what is played while keeping the musical position (the tick under the playhead).
    // The snapshot must outlive its use here; null plays nothing.
    void setSnapshot(const PlaybackSnapshot* snapshot);
    const PlaybackSnapshot* snapshot() const { return m_snapshot; }

    // Loop [startTick, endTick) of the song; converted through the current snapshot's tempo map.
    void setLoop(bool enabled, model::Tick startTick, model::Tick endTick);
    bool loopEnabled() const { return m_loopOn; }
    double loopStartSeconds() const { return m_loopStart; }
    double loopEndSeconds() const { return m_loopEnd; }

    void play() { m_playing = true; }
    // Stops moving and ends the sounding notes (note-off for each) at `frameOffset`.
    void pause(MidiSink& sink, int frameOffset = 0);
    // pause() plus all-notes-off on every channel, and back to the start.
    void stop(MidiSink& sink, int frameOffset = 0);
    // Ends sounding notes, then resends the controller and program state at the new position
    // (so a jump into the middle of a song sounds as it would have sounded when played through).
    void seek(double seconds, MidiSink& sink, int frameOffset = 0);
    // Note-offs, then all-sound-off, all-notes-off and reset-controllers on all 16 channels.
    void panic(MidiSink& sink, int frameOffset = 0);

    // Advances time by `frames` and sends every message due in that span with its offset in
    // [0, frames). Does nothing but keep time when paused.
    void process(int frames, double frameRate, double tempoScale, MidiSink& sink);

    bool playing() const { return m_playing; }
    double position() const { return m_position; }
    // True once the position is past the last event and no note sounds (a non-looping song is
    // over).
    bool finished() const;
    int soundingNotes() const { return m_activeCount; }

private:
    static constexpr int kKeys = 16 * 128;

    void runSegment(double t0, double t1, int frameBase, double framesPerSecond, int frameLimit,
                    MidiSink& sink);
    void startNote(const ScheduledEvent& e, int offset, MidiSink& sink);
    void endNote(int key, int offset, MidiSink& sink);
    void endAllNotes(MidiSink& sink, int offset);
    void chase(double seconds, MidiSink& sink, int offset);
    void updateLoopSeconds();
    void reanchor(double position);
    void advance(int frames, double framesPerSecond);

    const PlaybackSnapshot* m_snapshot = nullptr;
    std::size_t m_cursor = 0; // next event not yet sent
    double m_position = 0;
    double m_anchor = 0;             // position at the last jump or rate change
    std::int64_t m_anchorFrames = 0; // frames played since then
    double m_anchorFps = 0;
    bool m_playing = false;

    bool m_loopOn = false;
    model::Tick m_loopStartTick = 0;
    model::Tick m_loopEndTick = 0;
    double m_loopStart = 0;
    double m_loopEnd = 0;

    // Sounding notes: per channel*128+key its end time, plus a dense list for quick scans.
    std::array<double, kKeys> m_endAt{};
    std::array<std::uint8_t, kKeys> m_releaseVelocity{};
    std::array<std::int16_t, kKeys> m_slot{}; // index into m_active, -1 when silent
    std::array<std::int16_t, kKeys> m_active{};
    int m_activeCount = 0;

    // Scratch for chase(), preallocated here so seeking never allocates.
    std::array<std::int16_t, 16> m_chaseProgram{};
    std::array<std::array<std::int16_t, 128>, 16> m_chaseCc{};
    std::array<std::int32_t, 16> m_chaseBend{};
};

} // namespace torchestra::playback
