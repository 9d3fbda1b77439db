#include "playback/PlaybackSnapshot.h"

#include "model/Song.h"

#include <algorithm>

namespace torchestra::playback {

namespace {

// Within one tick, controllers and program changes go before notes, so a note starts with the
// sound its track asked for.
int orderClass(const ScheduledEvent& e) {
    return e.isNoteOn() ? 1 : 0;
}

} // namespace

std::shared_ptr<const PlaybackSnapshot> PlaybackSnapshot::fromSong(const model::Song& song) {
    auto snap = std::make_shared<PlaybackSnapshot>();
    snap->m_tempoMap = song.tempoMap();
    const model::TempoMap& map = snap->m_tempoMap;

    bool anySolo = false;
    for (const auto& t : song.tracks())
        anySolo = anySolo || t.properties.solo;

    std::vector<ScheduledEvent>& out = snap->m_events;
    model::Tick lastTick = 0;
    for (const auto& track : song.tracks()) {
        const auto& p = track.properties;
        if (anySolo ? !p.solo : p.muted)
            continue;
        if (p.program) {
            ScheduledEvent e;
            e.status = std::uint8_t(0xC0 | (p.channel & 0x0F));
            e.data1 = *p.program & 0x7F;
            e.size = 2;
            out.push_back(e);
        }
        for (const auto& c : track.channelEvents) {
            ScheduledEvent e;
            e.tick = c.tick;
            e.status = c.status;
            e.data1 = c.data1 & 0x7F;
            e.data2 = c.data2 & 0x7F;
            e.size = (c.type() == 0xC0 || c.type() == 0xD0) ? 2 : 3;
            out.push_back(e);
            lastTick = std::max(lastTick, c.tick);
        }
        for (const auto& n : track.notes()) {
            if (n.velocity == 0)
                continue; // a note-on of velocity 0 would be a note-off
            ScheduledEvent e;
            e.tick = n.start;
            e.endTick = n.end();
            e.status = std::uint8_t(0x90 | (n.channel & 0x0F));
            e.data1 = n.pitch & 0x7F;
            e.data2 = n.velocity & 0x7F;
            out.push_back(e);
            lastTick = std::max(lastTick, n.end());
            ++snap->m_noteCount;
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const ScheduledEvent& a, const ScheduledEvent& b) {
        if (a.tick != b.tick)
            return a.tick < b.tick;
        return orderClass(a) < orderClass(b);
    });
    // One pass over the sorted ticks: each tempo segment is converted once per event, exactly.
    for (auto& e : out) {
        e.seconds = map.tickToSeconds(e.tick);
        if (e.isNoteOn())
            e.endSeconds = map.tickToSeconds(e.endTick);
    }
    snap->m_lengthSeconds = map.tickToSeconds(lastTick);
    return snap;
}

std::size_t PlaybackSnapshot::firstEventAtOrAfter(double seconds) const {
    auto it = std::lower_bound(m_events.begin(), m_events.end(), seconds,
                               [](const ScheduledEvent& e, double s) { return e.seconds < s; });
    return std::size_t(it - m_events.begin());
}

} // namespace torchestra::playback
