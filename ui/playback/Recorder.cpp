#include "ui/playback/Recorder.h"

#include "model/Song.h"
#include "playback/Metronome.h"
#include "playback/MidiPorts.h"
#include "playback/MidiRecorder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

namespace torchestra::ui {

namespace {

std::int64_t steadyNowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

std::int64_t Recorder::RecordClock::songNs(std::int64_t wallNs) const {
    return songAnchorNs + std::int64_t(std::llround(double(wallNs - wallAnchorNs) * scale));
}

void Recorder::RecordClock::rescale(std::int64_t wallNs, double newScale) {
    songAnchorNs = songNs(wallNs);
    wallAnchorNs = wallNs;
    scale = newScale;
}

Recorder::Recorder(playback::MidiPortInput& input, bool manualClock)
    : m_input(input), m_manualClock(manualClock) {}

Recorder::~Recorder() = default;

std::int64_t Recorder::nowNs() const {
    return m_manualClock ? m_manualNs : steadyNowNs();
}

Recorder::CountInPlan Recorder::planCountIn(const model::TempoMap& map, model::Tick fromTick) {
    CountInPlan plan;
    const model::Tick bar = map.ticksPerBar(map.timeSignatureAt(fromTick));
    plan.countFrom = std::max<model::Tick>(0, fromTick - bar);
    plan.beforeStart = bar - (fromTick - plan.countFrom);
    plan.preRoll = playback::Metronome::countInBefore(map, plan.beforeStart);
    plan.seconds =
        plan.preRoll.seconds + map.tickToSeconds(fromTick) - map.tickToSeconds(plan.countFrom);
    return plan;
}

void Recorder::arm(const model::TempoMap& map, model::Tick fromTick, bool metronomeWasOn) {
    m_from = fromTick;
    m_horizon = 0;
    advanceHorizon(map, fromTick);
    m_metronomeWasOn = metronomeWasOn;
}

void Recorder::begin(model::TrackId track, const model::TempoMap& map, double countSeconds,
                     double tempoScale) {
    {
        playback::InputEvent stale; // played before Record was pressed
        while (m_input.pop(stale)) {
        }
    }
    const std::int64_t now = nowNs();
    m_originNs = now + std::int64_t(std::llround(countSeconds / tempoScale * 1e9));
    // The song clock equals the steady clock at the origin and runs at the tempo scale.
    m_clock = RecordClock{m_originNs, m_originNs, tempoScale};
    // A sixteenth note early still counts as on time (clamped to the take's start when the take
    // is made); earlier notes belong to the count-in.
    m_slackSeconds = (map.usPerQuarterAt(m_from) * 1e-6) / 4;
    m_recorder = std::make_unique<playback::MidiRecorder>(map, m_originNs, m_from);
    m_track = track;
}

// A take may run past the song's end: while recording, the clicks (recording always plays
// them) reach at least kRecordAheadBars bars past the playhead, and are extended in time.
bool Recorder::advanceHorizon(const model::TempoMap& map, model::Tick playhead) {
    constexpr int kRecordAheadBars = 32;
    const model::Tick from = std::max(playhead, m_from);
    // Extend once less than half the bars ahead remain: a rebuild every 16 bars, not every tick.
    const model::Tick soon = map.barToTick(map.barAtTick(from) + kRecordAheadBars / 2);
    if (m_horizon > soon)
        return false;
    m_horizon = map.barToTick(map.barAtTick(from) + kRecordAheadBars);
    return true;
}

void Recorder::drainInput() {
    playback::InputEvent e;
    while (m_input.pop(e))
        take(e);
}

void Recorder::feed(const playback::MidiMessage& message) {
    playback::InputEvent e;
    e.timeNs = nowNs();
    e.message = message;
    take(e);
}

void Recorder::advanceManualClock(int frames, double frameRate) {
    m_manualNs += std::llround(double(frames) / frameRate * 1e9);
}

void Recorder::rescale(double tempoScale) {
    drainInput();
    m_clock.rescale(nowNs(), tempoScale);
}

void Recorder::take(const playback::InputEvent& event) {
    if (!m_recorder)
        return;
    playback::InputEvent e = event;
    e.timeNs = m_clock.songNs(event.timeNs);
    // A note begun well inside the count-in is not part of the take. Before the song's start
    // the recorder would put it at tick 0, so it is dropped here rather than when the take is
    // made.
    if (e.message.isNoteOn() && double(e.timeNs - m_originNs) * 1e-9 < -m_slackSeconds)
        return;
    m_recorder->add(e);
}

Recorder::Take Recorder::finish(const model::Song* song) {
    drainInput();
    Take result;
    result.track = std::exchange(m_track, model::kNoTrack);
    result.clicksPastTheEnd = std::exchange(m_horizon, 0) > 0;
    result.metronomeWasOn = m_metronomeWasOn;
    std::vector<model::Note> notes;
    if (m_recorder)
        notes = m_recorder->finish(m_clock.songNs(nowNs()));
    m_recorder.reset();
    const model::Tick slack = song ? song->ppq() / 4 : 0;
    const model::Track* t = song ? song->track(result.track) : nullptr;
    for (model::Note n : notes) {
        if (n.start < m_from - slack)
            continue;
        if (n.start < m_from) {
            n.length = std::max<model::Tick>(1, n.end() - m_from);
            n.start = m_from;
        }
        n.id = model::kNoNote;
        if (t)
            n.channel = t->properties.channel;
        result.notes.push_back(n);
    }
    return result;
}

} // namespace torchestra::ui
