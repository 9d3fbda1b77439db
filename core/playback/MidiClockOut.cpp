#include "playback/MidiClockOut.h"

#include <algorithm>
#include <cmath>

namespace torchestra::playback {

namespace {

// A tick is the finest step of a tempo map, so within one the time moves linearly: a pulse
// between two ticks (a PPQ that 24 does not divide) gets its exact time.
double secondsAtTick(const PlaybackSnapshot& song, double tick) {
    const auto whole = model::Tick(std::floor(tick));
    const double a = song.tickToSeconds(whole);
    const double frac = tick - double(whole);
    return frac > 0 ? a + frac * (song.tickToSeconds(whole + 1) - a) : a;
}

constexpr double kTickEpsilon = 1e-6;

} // namespace

std::int64_t MidiClockOut::sixteenthFrom(double tick) const {
    const double perSixteenth = double(m_ppq) / 4.0;
    return std::int64_t(std::ceil(std::max(0.0, tick) / perSixteenth - kTickEpsilon));
}

void MidiClockOut::pointAt(double tick, int offset, MidiSink& sink) {
    const std::int64_t sixteenth = sixteenthFrom(tick);
    sink.send(offset, MidiMessage::songPosition(int(std::min<std::int64_t>(sixteenth, 0x3FFF))));
    m_nextPulse = sixteenth * 6;
}

void MidiClockOut::follow(bool enabled, bool running, double tick, int ppq, int offset,
                          MidiSink& sink) {
    if (!enabled) {
        if (m_running)
            sink.send(offset, MidiMessage::realtime(MidiMessage::kStop));
        m_running = false;
        m_known = false;
        return;
    }
    const bool jumped = m_known && (ppq != m_ppq || std::fabs(tick - m_lastTick) > 1e-3);
    m_ppq = ppq > 0 ? ppq : 480;
    if (m_running && (!running || jumped)) {
        sink.send(offset, MidiMessage::realtime(MidiMessage::kStop));
        m_running = false;
    }
    if (!running && (jumped || !m_known))
        pointAt(tick, offset, sink); // a follower that is stopped moves with the song
    if (running && !m_running) {
        if (tick < kTickEpsilon) {
            sink.send(offset, MidiMessage::realtime(MidiMessage::kStart));
            m_nextPulse = 0;
        } else {
            pointAt(tick, offset, sink);
            sink.send(offset, MidiMessage::realtime(MidiMessage::kContinue));
        }
        m_running = true;
    }
    m_known = true;
    m_lastTick = tick;
}

void MidiClockOut::pulses(const PlaybackSnapshot& song, double fromSeconds, double toSeconds,
                          int base, double framesPerSecond, int frameLimit, MidiSink& sink) {
    if (!m_running)
        return;
    const double endTick = song.secondsToTick(toSeconds);
    const int last = std::max(frameLimit, 1) - 1;
    for (;;) {
        const double tick = pulseTick(m_nextPulse);
        if (tick >= endTick - kTickEpsilon)
            break;
        const double at = secondsAtTick(song, tick);
        const int offset =
            int(std::floor(std::max(0.0, at - fromSeconds) * framesPerSecond + kTickEpsilon));
        sink.send(std::clamp(base + offset, 0, last), MidiMessage::realtime(MidiMessage::kClock));
        ++m_nextPulse;
    }
    m_lastTick = endTick;
}

void MidiClockOut::looped(double tick, int offset, MidiSink& sink) {
    if (!m_running)
        return;
    pointAt(tick, offset, sink);
    m_lastTick = tick;
}

void MidiClockOut::shutdown(MidiSink& sink) {
    if (m_running)
        sink.send(0, MidiMessage::realtime(MidiMessage::kStop));
    m_running = false;
    m_known = false;
}

} // namespace torchestra::playback
