#pragma once

#include "playback/MidiMessage.h"
#include "playback/PlaybackSnapshot.h"

#include <cstdint>

namespace torchestra::playback {

// MIDI clock out, as a DAW or drum machine follows it: 24 clock pulses per quarter note along
// the song's tempo map (so they speed up with the tempo scale and follow tempo changes), Start
// when playback starts at the beginning, Song Position Pointer then Continue when it starts
// anywhere else, Stop when it pauses or stops.
//
// Positions a follower cannot be told in the middle of a sixteenth note (the pointer counts
// sixteenths), so a start between two of them points at the next one and the pulses begin
// there. A user's jump while playing (seek) is Stop, pointer, Continue, which every follower
// understands; a loop's wrap is the pointer alone, as sequencers send it when they cycle, so a
// recording DAW does not stop at every pass.
//
// Engine thread only (the Transport drives it from process()): no locks, no allocation.
class MidiClockOut {
public:
    // Called at the start of each block. `enabled`: clock out is wanted; `running`: the song
    // moves in this block from frame `offset`, at song tick `tick` of a `ppq` map.
    void follow(bool enabled, bool running, double tick, int ppq, int offset, MidiSink& sink);
    // Sends the pulses due while the song moved from `fromSeconds` to `toSeconds` (no jump in
    // between), `fromSeconds` being at frame `base` and `framesPerSecond` frames per song
    // second; offsets are kept below `frameLimit`.
    void pulses(const PlaybackSnapshot& song, double fromSeconds, double toSeconds, int base,
                double framesPerSecond, int frameLimit, MidiSink& sink);
    // The loop wrapped back to `tick` at frame `offset`.
    void looped(double tick, int offset, MidiSink& sink);
    // The engine is going away: Stop if the follower is running.
    void shutdown(MidiSink& sink);

private:
    // The sixteenth at or after `tick` (the pointer's unit), and its first pulse.
    std::int64_t sixteenthFrom(double tick) const;
    double pulseTick(std::int64_t pulse) const { return double(pulse) * double(m_ppq) / 24.0; }
    void pointAt(double tick, int offset, MidiSink& sink);

    bool m_running = false; // the follower was started (Start or Continue) and not stopped
    bool m_known = false;   // m_lastTick holds the position the follower was last told about
    double m_lastTick = 0;
    int m_ppq = 480;
    std::int64_t m_nextPulse = 0; // pulses since the start of the song
};

} // namespace torchestra::playback
