#include "playback/EventScheduler.h"

#include <algorithm>
#include <cmath>

namespace torchestra::playback {

EventScheduler::EventScheduler() {
    m_slot.fill(-1);
}

void EventScheduler::setSnapshot(const PlaybackSnapshot* snapshot) {
    if (m_snapshot && snapshot && m_snapshot != snapshot) {
        // Keep the tick under the playhead: a tempo edit moves seconds, not the music.
        const double tick = m_snapshot->secondsToTick(m_position);
        const model::Tick whole = model::Tick(std::floor(tick));
        const double frac = tick - double(whole);
        const double s0 = snapshot->tickToSeconds(whole);
        const double s1 = snapshot->tickToSeconds(whole + 1);
        reanchor(s0 + frac * (s1 - s0));
    }
    m_snapshot = snapshot;
    m_cursor = m_snapshot ? m_snapshot->firstEventAtOrAfter(m_position) : 0;
    updateLoopSeconds();
}

void EventScheduler::setLoop(bool enabled, model::Tick startTick, model::Tick endTick) {
    m_loopOn = enabled && endTick > startTick;
    m_loopStartTick = startTick;
    m_loopEndTick = endTick;
    updateLoopSeconds();
}

void EventScheduler::updateLoopSeconds() {
    if (!m_snapshot) {
        m_loopStart = m_loopEnd = 0;
        return;
    }
    m_loopStart = m_snapshot->tickToSeconds(m_loopStartTick);
    m_loopEnd = m_snapshot->tickToSeconds(m_loopEndTick);
}

void EventScheduler::pause(MidiSink& sink, int frameOffset) {
    m_playing = false;
    endAllNotes(sink, frameOffset);
}

void EventScheduler::stop(MidiSink& sink, int frameOffset) {
    pause(sink, frameOffset);
    for (int ch = 0; ch < 16; ++ch)
        sink.send(frameOffset, MidiMessage::controller(ch, 123, 0));
    reanchor(0);
    m_cursor = 0;
}

void EventScheduler::seek(double seconds, MidiSink& sink, int frameOffset) {
    endAllNotes(sink, frameOffset);
    reanchor(std::max(0.0, seconds));
    m_cursor = m_snapshot ? m_snapshot->firstEventAtOrAfter(m_position) : 0;
    chase(m_position, sink, frameOffset);
}

void EventScheduler::panic(MidiSink& sink, int frameOffset) {
    endAllNotes(sink, frameOffset);
    for (int ch = 0; ch < 16; ++ch) {
        sink.send(frameOffset, MidiMessage::controller(ch, 120, 0)); // all sound off
        sink.send(frameOffset, MidiMessage::controller(ch, 123, 0)); // all notes off
        sink.send(frameOffset, MidiMessage::controller(ch, 121, 0)); // reset controllers
    }
}

bool EventScheduler::finished() const {
    if (m_activeCount > 0)
        return false;
    if (!m_snapshot)
        return true;
    if (m_loopOn && m_position < m_loopEnd)
        return false;
    return m_cursor >= m_snapshot->events().size() && m_position >= m_snapshot->lengthSeconds();
}

void EventScheduler::startNote(const ScheduledEvent& e, int offset, MidiSink& sink) {
    const int key = (e.status & 0x0F) * 128 + e.data1;
    // A second note-on on a sounding key would leave the receiver with one note-off for two
    // note-ons; end the first one here so on/off always pair up.
    if (m_slot[key] >= 0)
        endNote(key, offset, sink);
    sink.send(offset, MidiMessage::make(e.status, e.data1, e.data2));
    m_endAt[key] = e.endSeconds;
    m_releaseVelocity[key] = 64;
    m_slot[key] = std::int16_t(m_activeCount);
    m_active[m_activeCount++] = std::int16_t(key);
}

void EventScheduler::endNote(int key, int offset, MidiSink& sink) {
    const int slot = m_slot[key];
    if (slot < 0)
        return;
    sink.send(offset, MidiMessage::noteOff(key / 128, key % 128, m_releaseVelocity[key]));
    const int last = m_active[m_activeCount - 1];
    m_active[slot] = std::int16_t(last);
    m_slot[last] = std::int16_t(slot);
    m_slot[key] = -1;
    --m_activeCount;
}

void EventScheduler::endAllNotes(MidiSink& sink, int offset) {
    while (m_activeCount > 0)
        endNote(m_active[m_activeCount - 1], offset, sink);
}

void EventScheduler::chase(double seconds, MidiSink& sink, int offset) {
    if (!m_snapshot)
        return;
    m_chaseProgram.fill(-1);
    for (auto& ch : m_chaseCc)
        ch.fill(-1);
    m_chaseBend.fill(-1);
    const auto& events = m_snapshot->events();
    for (std::size_t i = 0; i < events.size() && events[i].seconds < seconds; ++i) {
        const ScheduledEvent& e = events[i];
        const int ch = e.status & 0x0F;
        switch (e.status & 0xF0) {
        case 0xC0:
            m_chaseProgram[ch] = e.data1;
            break;
        case 0xB0:
            if (e.data1 < 120) // channel mode messages are not state to restore
                m_chaseCc[ch][e.data1] = e.data2;
            break;
        case 0xE0:
            m_chaseBend[ch] = e.data1 | (e.data2 << 7);
            break;
        default:
            break;
        }
    }
    for (int ch = 0; ch < 16; ++ch) {
        if (m_chaseProgram[ch] >= 0)
            sink.send(offset,
                      MidiMessage::make(std::uint8_t(0xC0 | ch), std::uint8_t(m_chaseProgram[ch])));
        for (int cc = 0; cc < 120; ++cc)
            if (m_chaseCc[ch][cc] >= 0)
                sink.send(offset, MidiMessage::controller(ch, cc, m_chaseCc[ch][cc]));
        if (m_chaseBend[ch] >= 0)
            sink.send(offset, MidiMessage::make(std::uint8_t(0xE0 | ch),
                                                std::uint8_t(m_chaseBend[ch] & 0x7F),
                                                std::uint8_t(m_chaseBend[ch] >> 7)));
    }
}

void EventScheduler::runSegment(double t0, double t1, int frameBase, double framesPerSecond,
                                int frameLimit, MidiSink& sink) {
    // The frame holding an event's time: floor keeps every event of [t0, t1) inside the block.
    auto offsetOf = [&](double t) {
        // The epsilon absorbs rounding in the seconds sums, so an event exactly on a frame
        // boundary stays on it.
        const double f = std::floor((t - t0) * framesPerSecond + 1e-6);
        const int o = frameBase + int(std::max(0.0, f));
        return std::min(o, frameLimit - 1);
    };
    const auto* events = m_snapshot ? &m_snapshot->events() : nullptr;
    for (;;) {
        // The earliest pending note-off (note-offs go first at equal times, so a repeated note
        // is released before it starts again).
        int offKey = -1;
        double offAt = t1;
        for (int i = 0; i < m_activeCount; ++i) {
            const int k = m_active[i];
            if (m_endAt[k] < offAt || (offKey < 0 && m_endAt[k] < t1)) {
                offAt = m_endAt[k];
                offKey = k;
            }
        }
        const ScheduledEvent* next = nullptr;
        if (events && m_cursor < events->size() && (*events)[m_cursor].seconds < t1)
            next = &(*events)[m_cursor];
        if (offKey >= 0 && (!next || offAt <= next->seconds)) {
            endNote(offKey, offsetOf(std::max(offAt, t0)), sink);
            continue;
        }
        if (!next)
            break;
        ++m_cursor;
        const int offset = offsetOf(std::max(next->seconds, t0));
        if (next->isNoteOn())
            startNote(*next, offset, sink);
        else
            sink.send(offset, MidiMessage::make(next->status, next->data1, next->data2));
    }
}

void EventScheduler::reanchor(double position) {
    m_position = position;
    m_anchor = position;
    m_anchorFrames = 0;
}

void EventScheduler::advance(int frames, double framesPerSecond) {
    // Position = anchor + frames/rate, recomputed rather than summed, so hours of small blocks
    // do not drift.
    if (framesPerSecond != m_anchorFps) {
        reanchor(m_position);
        m_anchorFps = framesPerSecond;
    }
    m_anchorFrames += frames;
    m_position = m_anchor + double(m_anchorFrames) / framesPerSecond;
}

void EventScheduler::process(int frames, double frameRate, double tempoScale, MidiSink& sink) {
    if (!m_playing || frames <= 0 || frameRate <= 0)
        return;
    const double scale = tempoScale > 0 ? tempoScale : 1.0;
    const double fps = frameRate / scale; // frames per song second
    if (fps != m_anchorFps) {
        reanchor(m_position);
        m_anchorFps = fps;
    }
    int base = 0;
    while (base < frames) {
        const int remaining = frames - base;
        const double t1 = m_anchor + double(m_anchorFrames + remaining) / fps;
        if (m_loopOn && m_position < m_loopEnd && t1 >= m_loopEnd) {
            const int toEnd =
                std::clamp(int(std::ceil((m_loopEnd - m_position) * fps - 1e-6)), 1, remaining);
            runSegment(m_position, m_loopEnd, base, fps, frames, sink);
            // Notes that would ring past the loop end are cut there: the next pass starts clean.
            endAllNotes(sink, std::min(base + toEnd, frames - 1));
            reanchor(m_loopStart);
            m_cursor = m_snapshot ? m_snapshot->firstEventAtOrAfter(m_position) : 0;
            base += toEnd;
            continue;
        }
        runSegment(m_position, t1, base, fps, frames, sink);
        advance(remaining, fps);
        base = frames;
    }
}

} // namespace torchestra::playback
