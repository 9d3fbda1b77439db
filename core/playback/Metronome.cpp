#include "playback/Metronome.h"

#include "model/Song.h"
#include "model/Track.h"
#include "playback/MidiMessage.h"
#include "playback/Transport.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace torchestra::playback {

std::vector<model::Note> Metronome::clicks(const model::TempoMap& map, model::Tick end) {
    std::vector<model::Note> notes;
    for (std::int64_t bar = 0;; ++bar) {
        const model::Tick barStart = map.barToTick(bar);
        if (barStart >= end)
            break;
        const model::TimeSignature ts = map.timeSignatureAt(barStart);
        const model::Tick beat = map.ticksPerBeat(ts);
        const model::Tick nextBar = map.barToTick(bar + 1);
        for (int b = 0; b < ts.numerator; ++b) {
            const model::Tick t = barStart + b * beat;
            if (t >= nextBar)
                break;
            model::Note n;
            n.start = t;
            n.length = std::max<model::Tick>(1, beat / 4);
            n.pitch = std::uint8_t(b == 0 ? kAccentPitch : kBeatPitch);
            n.velocity = std::uint8_t(b == 0 ? kAccentVelocity : kBeatVelocity);
            n.channel = model::kDrumChannel;
            notes.push_back(n);
        }
    }
    return notes;
}

SnapshotPtr Metronome::snapshotWithClicks(const model::Song& song, model::Tick minEnd) {
    model::Song copy(song);
    const model::TempoMap& map = copy.tempoMap();
    bool anySolo = false;
    for (const auto& t : copy.tracks())
        anySolo = anySolo || t.properties.solo;
    model::Track clickTrack;
    clickTrack.properties.name = "Metronome";
    clickTrack.properties.channel = model::kDrumChannel;
    clickTrack.properties.solo = anySolo;
    const model::Tick end = std::max({copy.endTick(), minEnd, map.barToTick(8)});
    copy.addTrack(std::move(clickTrack), clicks(map, end));
    return PlaybackSnapshot::fromSong(copy);
}

CountIn Metronome::countInBefore(const model::TempoMap& map, model::Tick ticks) {
    const model::TimeSignature ts = map.timeSignatureAt(0);
    const double secondsPerTick = map.usPerQuarterAt(0) * 1e-6 / map.ppq();
    CountIn c;
    c.seconds = double(ticks) * secondsPerTick;
    c.beatSeconds = double(map.ticksPerBeat(ts)) * secondsPerTick;
    c.ticksPerSecond = 1.0 / secondsPerTick;
    c.beatsPerBar = ts.numerator;
    c.accent = MidiMessage::noteOn(model::kDrumChannel, kAccentPitch, kAccentVelocity);
    c.click = MidiMessage::noteOn(model::kDrumChannel, kBeatPitch, kBeatVelocity);
    return c;
}

} // namespace torchestra::playback
