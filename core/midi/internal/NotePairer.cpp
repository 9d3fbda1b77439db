#include "midi/internal/NotePairer.h"

#include <algorithm>

namespace torchestra::midi {

using model::Tick;

NotePairer::NotePairer() {
    m_head.fill(-1);
    m_tail.fill(-1);
}

void NotePairer::begin(std::size_t reserve) {
    m_notes.clear();
    m_next.clear();
    m_orphanOffs = 0;
    m_openCount = 0;
    if (reserve > 0) {
        m_notes.reserve(reserve);
        m_next.reserve(reserve);
    }
}

void NotePairer::noteOff(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity, Tick tick,
                         std::size_t eventPos) {
    const std::size_t key = std::size_t(channel) * 128 + pitch;
    const std::int32_t index = m_head[key];
    if (index < 0) {
        if (m_orphanOffs++ == 0)
            m_firstOrphanOffset = eventPos;
        return;
    }
    m_head[key] = m_next[std::size_t(index)];
    if (m_head[key] < 0)
        m_tail[key] = -1;
    model::Note& n = m_notes[std::size_t(index)];
    n.length = tick - n.start;
    n.releaseVelocity = velocity;
    --m_openCount;
}

std::size_t NotePairer::closeOpenNotes(Tick endTick) {
    if (m_openCount == 0) {
        m_openKeys.clear();
        return 0;
    }
    // Only keys that ever had a note open: a file of many tiny tracks must not cost 2048
    // steps per track.
    for (const std::uint16_t key : m_openKeys) {
        for (std::int32_t i = m_head[key]; i >= 0; i = m_next[std::size_t(i)]) {
            model::Note& n = m_notes[std::size_t(i)];
            n.length = std::max<Tick>(0, endTick - n.start);
        }
        m_head[key] = m_tail[key] = -1;
    }
    m_openKeys.clear();
    const std::size_t closed = m_openCount;
    m_openCount = 0;
    return closed;
}

std::vector<model::Note> NotePairer::takeNotes() {
    sortNotes();
    std::vector<model::Note> notes = std::move(m_notes);
    m_notes = {};
    return notes;
}

void NotePairer::sortNotes() {
    // Notes come in note-on order, so only notes starting at one tick can be out of the model's
    // (start, pitch) order: an insertion sort fixes that in about linear time, and the model's
    // own sort then meets sorted input. A pathological file falls back to a stable sort.
    auto less = [](const model::Note& a, const model::Note& b) {
        return a.start < b.start || (a.start == b.start && a.pitch < b.pitch);
    };
    std::size_t budget = 8 * m_notes.size() + 64;
    for (std::size_t i = 1; i < m_notes.size(); ++i) {
        if (!less(m_notes[i], m_notes[i - 1]))
            continue;
        const model::Note n = m_notes[i];
        std::size_t j = i;
        while (j > 0 && less(n, m_notes[j - 1]) && budget > 0) {
            m_notes[j] = m_notes[j - 1];
            --j;
            --budget;
        }
        m_notes[j] = n;
        if (budget == 0) {
            std::stable_sort(m_notes.begin(), m_notes.end(), less);
            return;
        }
    }
}

} // namespace torchestra::midi
