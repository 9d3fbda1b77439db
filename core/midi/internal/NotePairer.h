#pragma once

// Pairs the note-ons and note-offs of one track chunk into model notes.

#include "model/Song.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace torchestra::midi {

// Notes pair per (channel, pitch) first-in first-out. One pairer serves every track of a file
// in turn (begin() ... takeNotes()), so its lookup tables are set up once per file.
class NotePairer {
public:
    NotePairer();

    // Starts a track. `reserve` notes are allocated up front (0: grow as needed).
    void begin(std::size_t reserve);

    void noteOn(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity, model::Tick tick);
    // Ends the oldest open note of (channel, pitch); without one the note-off is counted as an
    // orphan (eventPos: its byte offset, for the warning).
    void noteOff(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity, model::Tick tick,
                 std::size_t eventPos);

    // Ends the notes still open at endTick (never before they start); returns how many.
    std::size_t closeOpenNotes(model::Tick endTick);

    std::size_t orphanNoteOffs() const { return m_orphanOffs; }
    std::size_t firstOrphanOffset() const { return m_firstOrphanOffset; }

    // The track's notes in (start, pitch) order; the pairer is empty afterwards.
    std::vector<model::Note> takeNotes();

private:
    void sortNotes();

    std::vector<model::Note> m_notes;
    std::size_t m_orphanOffs = 0;
    std::size_t m_firstOrphanOffset = 0;

    // Open notes per (channel, pitch), FIFO as singly linked lists threaded through m_next
    // (parallel to m_notes): O(1) push and pop with no allocation per key.
    std::array<std::int32_t, 16 * 128> m_head;
    std::array<std::int32_t, 16 * 128> m_tail;
    std::vector<std::int32_t> m_next;
    std::vector<std::uint16_t> m_openKeys; // keys whose list went from empty to non-empty
    std::size_t m_openCount = 0;
};

// Inline: called for every note of a file.
inline void NotePairer::noteOn(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity,
                               model::Tick tick) {
    const auto index = std::int32_t(m_notes.size());
    model::Note n;
    n.start = tick;
    n.pitch = pitch;
    n.velocity = velocity;
    n.channel = channel;
    m_notes.push_back(n);
    m_next.push_back(-1);
    const std::size_t key = std::size_t(channel) * 128 + pitch;
    if (m_tail[key] >= 0) {
        m_next[std::size_t(m_tail[key])] = index;
    } else {
        m_head[key] = index;
        m_openKeys.push_back(std::uint16_t(key));
    }
    m_tail[key] = index;
    ++m_openCount;
}

} // namespace torchestra::midi
