#pragma once

#include "model/Note.h"
#include "model/TempoMap.h"
#include "playback/PlaybackSnapshot.h"

#include <vector>

namespace torchestra::model {
class Song;
}

namespace torchestra::playback {

struct CountIn;

// The metronome's sound, shared by the clicks in the song and the count-in before its start:
// General MIDI percussion on the drum channel, a hi wood block on the bar, a low wood block on
// the other beats. Pure functions of the song; called on the thread that owns it.
class Metronome {
public:
    static constexpr int kAccentPitch = 76; // hi wood block
    static constexpr int kBeatPitch = 77;   // low wood block
    static constexpr int kAccentVelocity = 127;
    static constexpr int kBeatVelocity = 90;

    // A click on every beat of every bar that starts before `end` (the first of each bar
    // accented), following the time signatures of `map`; a bar's beats stop at the next bar.
    static std::vector<model::Note> clicks(const model::TempoMap& map, model::Tick end);

    // The snapshot of `song` with a "Metronome" track of clicks up to at least `minEnd`, the
    // song's end and bar 9 (so a short or empty song still clicks). The click track is soloed
    // when any track is, so a soloed track still plays against the click.
    static SnapshotPtr snapshotWithClicks(const model::Song& song, model::Tick minEnd = 0);

    // The clicks before the song's start: the grid of the song's first bar, counted back from
    // tick 0, for `ticks` ticks at the song's first tempo.
    static CountIn countInBefore(const model::TempoMap& map, model::Tick ticks);
};

} // namespace torchestra::playback
