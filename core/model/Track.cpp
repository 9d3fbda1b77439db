#include "model/Track.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace torchestra::model {

void Track::rebuildIndex() const {
    m_prefixMaxEnd.resize(m_notes.size());
    m_byId.clear();
    m_byId.reserve(m_notes.size());
    Tick maxEnd = std::numeric_limits<Tick>::min();
    for (std::size_t i = 0; i < m_notes.size(); ++i) {
        maxEnd = std::max(maxEnd, m_notes[i].end());
        m_prefixMaxEnd[i] = maxEnd;
        m_byId.emplace(m_notes[i].id, i);
    }
    m_indexValid = true;
}

std::size_t Track::firstCandidate(Tick t0) const {
    if (!m_indexValid)
        rebuildIndex();
    // Every note before the first index whose running maximum end exceeds t0 ends at or before
    // t0. Zero-length notes at t0 also count, so look for maxEnd >= t0 and let the caller filter.
    auto it = std::lower_bound(m_prefixMaxEnd.begin(), m_prefixMaxEnd.end(), t0);
    return std::size_t(it - m_prefixMaxEnd.begin());
}

const Note* Track::findNote(NoteId id) const {
    if (!m_indexValid)
        rebuildIndex();
    auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : &m_notes[it->second];
}

std::vector<Note> Track::notesInRange(Tick t0, Tick t1) const {
    std::vector<Note> out;
    forEachNoteInRange(t0, t1, [&](const Note& n) { out.push_back(n); });
    return out;
}

Tick Track::endTick() const {
    Tick end = 0;
    if (!m_notes.empty()) {
        if (!m_indexValid)
            rebuildIndex();
        end = m_prefixMaxEnd.back();
    }
    if (!channelEvents.empty())
        end = std::max(end, channelEvents.back().tick);
    if (!metaEvents.empty())
        end = std::max(end, metaEvents.back().tick);
    if (!sysExEvents.empty())
        end = std::max(end, sysExEvents.back().tick);
    return end;
}

std::optional<std::uint8_t> Track::initialProgram() const {
    if (properties.program)
        return properties.program;
    for (const ChannelEvent& e : channelEvents)
        if (e.type() == 0xC0 && e.channel() == properties.channel)
            return e.data1;
    return std::nullopt;
}

void Track::insertSorted(const std::vector<Note>& notes) {
    if (notes.empty())
        return;
    std::vector<Note> sorted(notes);
    std::sort(sorted.begin(), sorted.end(), noteOrder);
    const std::size_t mid = m_notes.size();
    m_notes.insert(m_notes.end(), sorted.begin(), sorted.end());
    std::inplace_merge(m_notes.begin(), m_notes.begin() + std::ptrdiff_t(mid), m_notes.end(),
                       noteOrder);
    invalidateIndex();
}

void Track::removeIds(const std::vector<NoteId>& ids, std::vector<Note>* removed) {
    if (ids.empty())
        return;
    std::unordered_set<NoteId> drop(ids.begin(), ids.end());
    auto keep = std::stable_partition(m_notes.begin(), m_notes.end(),
                                      [&](const Note& n) { return drop.count(n.id) == 0; });
    if (removed)
        removed->assign(keep, m_notes.end());
    m_notes.erase(keep, m_notes.end());
    invalidateIndex();
}

} // namespace torchestra::model
