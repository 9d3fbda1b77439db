#include "playback/Transport.h"

#include <algorithm>
#include <cmath>

namespace torchestra::playback {

namespace {

// Shifts a block's messages by the frames a count-in used at its start, so the scheduler can
// play the rest of the block as a block of its own. Lives on the engine thread's stack.
class OffsetSink final : public MidiSink {
public:
    OffsetSink(MidiSink& inner, int offset) : m_inner(inner), m_offset(offset) {}
    void send(int frameOffset, const MidiMessage& message) override {
        m_inner.send(frameOffset + m_offset, message);
    }

private:
    MidiSink& m_inner;
    int m_offset;
};

} // namespace

Transport::Transport() : m_commands(1024) {}

Transport::~Transport() = default;

bool Transport::push(const Command& c) {
    return m_commands.push(c);
}

bool Transport::play() {
    return push({Command::Play});
}
bool Transport::playAfterCountIn(const CountIn& countIn) {
    Command c{Command::CountInPlay};
    c.countIn = countIn;
    return push(c);
}
bool Transport::pause() {
    return push({Command::Pause});
}
bool Transport::stop() {
    return push({Command::Stop});
}
bool Transport::panic() {
    return push({Command::Panic});
}

bool Transport::seek(double seconds) {
    Command c{Command::Seek};
    c.seconds = seconds;
    return push(c);
}

bool Transport::seekTick(model::Tick tick) {
    Command c{Command::SeekTick};
    c.a = tick;
    return push(c);
}

bool Transport::setLoop(bool enabled, model::Tick startTick, model::Tick endTick) {
    Command c{Command::Loop};
    c.flag = enabled;
    c.a = startTick;
    c.b = endTick;
    return push(c);
}

bool Transport::setLoopBars(bool enabled, std::int64_t firstBar, std::int64_t endBar) {
    const model::TempoMap map = m_current ? m_current->tempoMap() : model::TempoMap();
    return setLoop(enabled, map.barToTick(firstBar), map.barToTick(endBar));
}

void Transport::setTempoScale(double scale) {
    m_tempoScale.store(std::clamp(scale, kMinTempoScale, kMaxTempoScale),
                       std::memory_order_relaxed);
}

void Transport::setSnapshot(SnapshotPtr snapshot) {
    if (m_current)
        m_retired.push_back(m_current);
    m_current = std::move(snapshot);
    m_published.store(m_current.get());
    collectGarbage();
}

void Transport::collectGarbage() {
    // Seq-cst loads after the publishing store: a snapshot the engine may still read is in
    // m_inUse or m_candidate (see adoptPublishedSnapshot).
    const PlaybackSnapshot* published = m_published.load();
    const PlaybackSnapshot* inUse = m_inUse.load();
    const PlaybackSnapshot* candidate = m_candidate.load();
    m_retired.erase(std::remove_if(m_retired.begin(), m_retired.end(),
                                   [&](const SnapshotPtr& p) {
                                       const auto* raw = p.get();
                                       return raw != published && raw != inUse && raw != candidate;
                                   }),
                    m_retired.end());
}

void Transport::adoptPublishedSnapshot() {
    const PlaybackSnapshot* current = m_inUse.load();
    const PlaybackSnapshot* published = m_published.load();
    if (published == current)
        return;
    // Announce the candidate, then check it is still the published one: if it is, the control
    // thread saw the announcement before it could free it. The current snapshot stays
    // protected by m_inUse throughout.
    m_candidate.store(published);
    if (m_published.load() == published) {
        m_inUse.store(published);
        m_scheduler.setSnapshot(published);
    }
    m_candidate.store(nullptr);
}

void Transport::publishState() {
    double pos = m_scheduler.position();
    const PlaybackSnapshot* s = m_scheduler.snapshot();
    double tick = s ? s->secondsToTick(pos) : 0.0;
    if (m_countIn.active) {
        // The playhead counts up to the song's position through the count-in's own time.
        const double ahead = std::max(0.0, m_countIn.plan.seconds - m_countIn.elapsed);
        pos -= ahead;
        tick -= ahead * m_countIn.plan.ticksPerSecond;
    }
    m_positionSeconds.store(pos, std::memory_order_relaxed);
    m_positionTick.store(tick, std::memory_order_relaxed);
    m_countingIn.store(m_countIn.active, std::memory_order_relaxed);
    m_playing.store(m_scheduler.playing(), std::memory_order_relaxed);
    // A song shorter than its count-in has not finished before it began.
    m_finished.store(m_scheduler.playing() && m_scheduler.finished() && !m_countIn.active,
                     std::memory_order_relaxed);
}

void Transport::startCountIn(const CountIn& plan) {
    CountInState& c = m_countIn;
    c = CountInState();
    c.plan = plan;
    c.active = plan.seconds > 0 && plan.beatSeconds > 0;
    c.nextClick = c.active ? int(std::floor(plan.seconds / plan.beatSeconds + 1e-6)) : 0;
}

void Transport::endCountIn(MidiSink& sink) {
    CountInState& c = m_countIn;
    if (c.clickEnd >= 0) // a click cut short still gets its note-off
        sink.send(0, MidiMessage::noteOff(c.soundingClick.channel(), c.soundingClick.bytes[1]));
    c.clickEnd = -1;
    c.active = false;
}

int Transport::runCountIn(int frames, double framesPerSecond, MidiSink& sink) {
    CountInState& c = m_countIn;
    const double fps = framesPerSecond;
    if (fps != c.anchorFps) { // a tempo scale change: go on from here at the new rate
        c.anchor = c.elapsed;
        c.anchorFrames = 0;
        c.anchorFps = fps;
    }
    const double left = std::ceil((c.plan.seconds - c.elapsed) * fps - 1e-6);
    const int used = int(std::clamp(left, 0.0, double(frames)));
    const double t0 = c.elapsed;
    const double t1 = c.anchor + double(c.anchorFrames + used) / fps;
    auto offsetOf = [&](double t) {
        const int o = int(std::floor(std::max(0.0, t - t0) * fps + 1e-6));
        return std::clamp(o, 0, std::max(used, 1) - 1);
    };
    const double beat = c.plan.beatSeconds;
    for (;;) {
        const double clickAt = c.nextClick > 0 ? c.plan.seconds - c.nextClick * beat : t1;
        if (c.clickEnd >= 0 && c.clickEnd <= clickAt && c.clickEnd < t1) {
            sink.send(offsetOf(c.clickEnd),
                      MidiMessage::noteOff(c.soundingClick.channel(), c.soundingClick.bytes[1]));
            c.clickEnd = -1;
            continue;
        }
        if (c.nextClick <= 0 || clickAt >= t1)
            break;
        const bool accent = c.plan.beatsPerBar > 0 && c.nextClick % c.plan.beatsPerBar == 0;
        c.soundingClick = accent ? c.plan.accent : c.plan.click;
        sink.send(offsetOf(clickAt), c.soundingClick);
        c.clickEnd = clickAt + beat / 4;
        --c.nextClick;
    }
    c.anchorFrames += used;
    c.elapsed = t1;
    if (left <= double(frames)) // the song starts in this block
        endCountIn(sink);
    return used;
}

void Transport::process(int frames, double frameRate, MidiSink& sink) {
    adoptPublishedSnapshot();
    Command c{Command::Play};
    while (m_commands.pop(c)) {
        switch (c.type) {
        case Command::Play:
            m_scheduler.play();
            break;
        case Command::CountInPlay:
            endCountIn(sink);
            startCountIn(c.countIn);
            m_scheduler.play();
            break;
        case Command::Pause:
            endCountIn(sink);
            m_scheduler.pause(sink, 0);
            break;
        case Command::Stop:
            endCountIn(sink);
            m_scheduler.stop(sink, 0);
            break;
        case Command::Seek:
            endCountIn(sink);
            m_scheduler.seek(c.seconds, sink, 0);
            break;
        case Command::SeekTick:
            endCountIn(sink);
            m_scheduler.seek(
                m_scheduler.snapshot() ? m_scheduler.snapshot()->tickToSeconds(c.a) : 0.0, sink, 0);
            break;
        case Command::Loop:
            m_scheduler.setLoop(c.flag, c.a, c.b);
            break;
        case Command::Panic:
            endCountIn(sink);
            m_scheduler.panic(sink, 0);
            break;
        }
    }
    const double scale = m_tempoScale.load(std::memory_order_relaxed);
    int countInFrames = 0;
    if (m_countIn.active && m_scheduler.playing() && frames > 0 && frameRate > 0)
        countInFrames = runCountIn(frames, frameRate / scale, sink);
    const PlaybackSnapshot* song = m_scheduler.snapshot();
    const bool clockOn = m_midiClockOut.load(std::memory_order_relaxed) && song;
    const bool songMoves =
        m_scheduler.playing() && !m_countIn.active && countInFrames < frames && frameRate > 0;
    const double from = m_scheduler.position();
    m_clock.follow(clockOn, songMoves, song ? song->secondsToTick(from) : 0.0,
                   song ? song->tempoMap().ppq() : 0,
                   std::min(countInFrames, std::max(frames - 1, 0)), sink);
    if (countInFrames == 0) {
        m_scheduler.process(frames, frameRate, scale, sink);
    } else if (countInFrames < frames) {
        OffsetSink rest(sink, countInFrames);
        m_scheduler.process(frames - countInFrames, frameRate, scale, rest);
    }
    if (clockOn && songMoves)
        sendClock(from, countInFrames, frames, frameRate / scale, sink);
    publishState();
    m_blocks.fetch_add(1, std::memory_order_relaxed);
}

void Transport::sendClock(double fromSeconds, int base, int frames, double framesPerSecond,
                          MidiSink& sink) {
    const PlaybackSnapshot& song = *m_scheduler.snapshot();
    const double to = m_scheduler.position();
    if (to >= fromSeconds) {
        m_clock.pulses(song, fromSeconds, to, base, framesPerSecond, frames, sink);
        return;
    }
    // The loop wrapped in this block (the only way the song moves backwards while it plays):
    // pulses to the loop's end, the pointer back to its start, and pulses from there.
    const double end = m_scheduler.loopEndSeconds();
    const double start = m_scheduler.loopStartSeconds();
    m_clock.pulses(song, fromSeconds, end, base, framesPerSecond, frames, sink);
    const int wrapAt = std::clamp(
        base + int(std::ceil((end - fromSeconds) * framesPerSecond - 1e-6)), 0, frames - 1);
    m_clock.looped(song.secondsToTick(start), wrapAt, sink);
    m_clock.pulses(song, start, to, wrapAt, framesPerSecond, frames, sink);
}

void Transport::shutdown(MidiSink& sink) {
    m_clock.shutdown(sink);
    endCountIn(sink);
    m_scheduler.stop(sink, 0);
    publishState();
}

} // namespace torchestra::playback
