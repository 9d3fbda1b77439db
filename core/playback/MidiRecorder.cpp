#include "playback/MidiRecorder.h"

#include <algorithm>
#include <cmath>

namespace torchestra::playback {

MidiRecorder::MidiRecorder(const model::TempoMap& map, std::int64_t originNs,
                           model::Tick originTick)
    : m_map(map), m_originNs(originNs), m_originSeconds(map.tickToSeconds(originTick)) {
    m_open.fill(-1);
}

double MidiRecorder::tickAt(std::int64_t timeNs) const {
    const double seconds = m_originSeconds + double(timeNs - m_originNs) * 1e-9;
    return m_map.secondsToTickExact(std::max(0.0, seconds));
}

void MidiRecorder::add(const InputEvent& e) {
    ++m_events;
    const MidiMessage& m = e.message;
    const model::Tick tick = model::Tick(std::llround(tickAt(e.timeNs)));
    const int key = m.channel() * 128 + (m.bytes[1] & 0x7F);
    if (m.isNoteOn()) {
        if (m_open[std::size_t(key)] >= 0) { // a repeated note-on ends the held one
            model::Note& held = m_notes[std::size_t(m_open[std::size_t(key)])];
            held.length = std::max<model::Tick>(1, tick - held.start);
        }
        model::Note n;
        n.start = tick;
        n.length = 0;
        n.pitch = m.bytes[1];
        n.velocity = m.bytes[2];
        n.channel = m.channel();
        m_open[std::size_t(key)] = int(m_notes.size());
        m_notes.push_back(n);
    } else if (m.isNoteOff()) {
        if (const int i = m_open[std::size_t(key)]; i >= 0) {
            model::Note& held = m_notes[std::size_t(i)];
            held.length = std::max<model::Tick>(1, tick - held.start);
            held.releaseVelocity = m.type() == 0x80 ? m.bytes[2] : 64;
            m_open[std::size_t(key)] = -1;
        }
    } else {
        model::ChannelEvent c;
        c.tick = tick;
        c.status = m.bytes[0];
        c.data1 = m.bytes[1];
        c.data2 = m.size > 2 ? m.bytes[2] : 0;
        m_channelEvents.push_back(c);
    }
}

std::vector<model::Note> MidiRecorder::finish(std::int64_t endNs) {
    const model::Tick end = model::Tick(std::llround(tickAt(endNs)));
    for (int& i : m_open) {
        if (i >= 0) {
            model::Note& held = m_notes[std::size_t(i)];
            held.length = std::max<model::Tick>(1, end - held.start);
            i = -1;
        }
    }
    std::vector<model::Note> out = m_notes;
    std::stable_sort(out.begin(), out.end(),
                     [](const model::Note& a, const model::Note& b) { return a.start < b.start; });
    return out;
}

} // namespace torchestra::playback
