#pragma once

#include "model/Note.h"
#include "model/TempoMap.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::model {
class Song;
}

namespace torchestra::playback {

// One event as playback sees it: a note-on (carrying when its note-off is due) or another
// channel message. Times are song seconds at tempo scale 1, from the song's TempoMap.
struct ScheduledEvent {
    double seconds = 0;
    double endSeconds = 0; // note-ons only
    model::Tick tick = 0;
    model::Tick endTick = 0; // note-ons only
    std::uint8_t status = 0;
    std::uint8_t data1 = 0;
    std::uint8_t data2 = 0;
    std::uint8_t size = 3;

    bool isNoteOn() const { return (status & 0xF0) == 0x90; }
};

// An immutable picture of what should sound: the song's events with mute/solo applied, sorted by
// time, plus its tempo map. Built on the thread that owns the song (the GUI thread) and then only
// read, so the real-time thread can use it without locks. Note-offs are not events here: the
// scheduler ends each note itself from endSeconds, so an edit can never leave a note hanging.
class PlaybackSnapshot {
public:
    // Applies solo (any soloed track: only soloed tracks play) and mute; a track's program goes
    // out as a program change at tick 0 on its channel. SysEx and meta events are left out.
    static std::shared_ptr<const PlaybackSnapshot> fromSong(const model::Song& song);

    const std::vector<ScheduledEvent>& events() const { return m_events; }
    const model::TempoMap& tempoMap() const { return m_tempoMap; }
    // Time of the last note end or event.
    double lengthSeconds() const { return m_lengthSeconds; }
    std::size_t noteCount() const { return m_noteCount; }

    // Index of the first event at or after `seconds` (binary search; no allocation).
    std::size_t firstEventAtOrAfter(double seconds) const;
    double tickToSeconds(model::Tick tick) const { return m_tempoMap.tickToSeconds(tick); }
    double secondsToTick(double seconds) const { return m_tempoMap.secondsToTickExact(seconds); }

private:
    std::vector<ScheduledEvent> m_events;
    model::TempoMap m_tempoMap;
    double m_lengthSeconds = 0;
    std::size_t m_noteCount = 0;
};

using SnapshotPtr = std::shared_ptr<const PlaybackSnapshot>;

} // namespace torchestra::playback
