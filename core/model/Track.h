#pragma once

#include "model/Note.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace torchestra::model {

// General MIDI plays percussion on channel 10 (index 9): a drum kit, not pitched notes.
constexpr int kDrumChannel = 9;

class Song;

// What a user sets on a track (all but its contents).
struct TrackProperties {
    std::string name;
    std::uint8_t channel = 0;            // 0..15; kDrumChannel is General MIDI drums
    std::optional<std::uint8_t> program; // GM program 0..127; none = the file had none
    bool muted = false;
    bool solo = false;
    std::uint32_t colour = 0x4a90d9; // 0xRRGGBB
    bool operator==(const TrackProperties& o) const {
        return name == o.name && channel == o.channel && program == o.program && muted == o.muted &&
               solo == o.solo && colour == o.colour;
    }
    bool operator!=(const TrackProperties& o) const { return !(*this == o); }
};

// A track: its properties, its notes (kept sorted by start, pitch, id) and the other events that
// must survive a round trip through a MIDI file. Mutation goes through Song, which notifies.
class Track {
public:
    Track() = default;

    TrackId id() const { return m_id; }
    TrackProperties properties;

    const std::vector<Note>& notes() const { return m_notes; }
    std::size_t noteCount() const { return m_notes.size(); }
    const Note* findNote(NoteId id) const;

    // Notes that sound in [t0, t1): start < t1 and end > t0 (a zero-length note at t counts when
    // t0 <= t < t1). The piano roll asks on every paint: O(log n + k) on average, using a
    // prefix maximum of end ticks over the start-sorted notes.
    template <typename F> void forEachNoteInRange(Tick t0, Tick t1, F&& f) const {
        for (std::size_t i = firstCandidate(t0); i < m_notes.size(); ++i) {
            const Note& n = m_notes[i];
            if (n.start >= t1)
                break;
            if (n.end() > t0 || (n.length == 0 && n.start >= t0))
                f(n);
        }
    }
    std::vector<Note> notesInRange(Tick t0, Tick t1) const;

    // Tick of the last thing on the track (note end or event), 0 when empty.
    Tick endTick() const;

    // The program the track starts with: TrackProperties::program when set, else the first
    // program change on the track's channel (readers keep such events where they are, so the
    // file round-trips; views and players still want to know the instrument).
    std::optional<std::uint8_t> initialProgram() const;

    std::vector<ChannelEvent> channelEvents; // sorted by tick, order kept within a tick
    std::vector<MetaEvent> metaEvents;       // sorted by tick, order kept within a tick
    std::vector<SysExEvent> sysExEvents;     // sorted by tick, order kept within a tick
    // End of Track tick as read from a file; writers use max(this, endTick()).
    Tick endOfTrack = 0;

private:
    friend class Song;
    std::size_t firstCandidate(Tick t0) const;
    void insertSorted(const std::vector<Note>& notes);
    void removeIds(const std::vector<NoteId>& ids, std::vector<Note>* removed);
    void invalidateIndex() { m_indexValid = false; }
    void rebuildIndex() const;

    TrackId m_id = kNoTrack;
    std::vector<Note> m_notes;
    mutable bool m_indexValid = false;
    mutable std::vector<Tick> m_prefixMaxEnd;
    mutable std::unordered_map<NoteId, std::size_t> m_byId;
};

// The order a track keeps its notes in: by start, then pitch, then id.
inline bool noteOrder(const Note& a, const Note& b) {
    if (a.start != b.start)
        return a.start < b.start;
    if (a.pitch != b.pitch)
        return a.pitch < b.pitch;
    return a.id < b.id;
}

} // namespace torchestra::model
