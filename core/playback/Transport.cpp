#include "playback/Transport.h"

#include <algorithm>

namespace torchestra::playback {

Transport::Transport() : m_commands(1024) {}

Transport::~Transport() = default;

bool Transport::push(const Command& c) {
    return m_commands.push(c);
}

bool Transport::play() {
    return push({Command::Play});
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
    m_tempoScale.store(std::clamp(scale, 0.25, 4.0), std::memory_order_relaxed);
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
    const double pos = m_scheduler.position();
    m_positionSeconds.store(pos, std::memory_order_relaxed);
    const PlaybackSnapshot* s = m_scheduler.snapshot();
    m_positionTick.store(s ? s->secondsToTick(pos) : 0.0, std::memory_order_relaxed);
    m_playing.store(m_scheduler.playing(), std::memory_order_relaxed);
    m_finished.store(m_scheduler.playing() && m_scheduler.finished(), std::memory_order_relaxed);
}

void Transport::process(int frames, double frameRate, MidiSink& sink) {
    adoptPublishedSnapshot();
    Command c{Command::Play};
    while (m_commands.pop(c)) {
        switch (c.type) {
        case Command::Play:
            m_scheduler.play();
            break;
        case Command::Pause:
            m_scheduler.pause(sink, 0);
            break;
        case Command::Stop:
            m_scheduler.stop(sink, 0);
            break;
        case Command::Seek:
            m_scheduler.seek(c.seconds, sink, 0);
            break;
        case Command::SeekTick:
            m_scheduler.seek(
                m_scheduler.snapshot() ? m_scheduler.snapshot()->tickToSeconds(c.a) : 0.0, sink, 0);
            break;
        case Command::Loop:
            m_scheduler.setLoop(c.flag, c.a, c.b);
            break;
        case Command::Panic:
            m_scheduler.panic(sink, 0);
            break;
        }
    }
    m_scheduler.process(frames, frameRate, m_tempoScale.load(std::memory_order_relaxed), sink);
    publishState();
    m_blocks.fetch_add(1, std::memory_order_relaxed);
}

void Transport::shutdown(MidiSink& sink) {
    m_scheduler.stop(sink, 0);
    publishState();
}

} // namespace torchestra::playback
