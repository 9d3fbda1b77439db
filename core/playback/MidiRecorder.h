#pragma once

#include "model/Note.h"
#include "model/TempoMap.h"
#include "playback/MidiPorts.h"

#include <array>
#include <cstdint>
#include <vector>

namespace torchestra::playback {

// Turns timestamped input (MidiPortInput::pop) into notes and controller events in ticks, through
// the song's tempo map: the UI records into a track with it, the CLI into a file. Not real-time:
// it runs on the thread that drains the input (a timer on the GUI thread, or the CLI's loop).
class MidiRecorder {
public:
    // `originNs` is the steady-clock time that maps to `originTick` (where recording started).
    MidiRecorder(const model::TempoMap& map, std::int64_t originNs, model::Tick originTick = 0);

    void add(const InputEvent& event);
    // Ends notes still held at `endNs` and returns the take (notes sorted by start).
    std::vector<model::Note> finish(std::int64_t endNs);
    const std::vector<model::ChannelEvent>& channelEvents() const { return m_channelEvents; }
    std::size_t eventCount() const { return m_events; }

    // Exact (fractional) tick of a steady-clock time.
    double tickAt(std::int64_t timeNs) const;

private:
    model::TempoMap m_map;
    std::int64_t m_originNs;
    double m_originSeconds;
    std::vector<model::Note> m_notes;
    std::vector<model::ChannelEvent> m_channelEvents;
    std::array<int, 16 * 128> m_open; // index into m_notes of the held note, -1 if none
    std::size_t m_events = 0;
};

} // namespace torchestra::playback
