#pragma once

// The one note builder of every test area, with one argument order: where it starts, how long
// it lasts, its pitch, then how loud and on which channel (the order a musician says it in);
// and the empty song most tests start from.

#include "model/Note.h"
#include "model/Song.h"

#include <cstdint>

namespace torchestra::testkit {

inline model::Note makeNote(model::Tick start, model::Tick length, int pitch, int velocity = 100,
                            int channel = 0, int releaseVelocity = 64) {
    model::Note n;
    n.start = start;
    n.length = length;
    n.pitch = std::uint8_t(pitch);
    n.velocity = std::uint8_t(velocity);
    n.channel = std::uint8_t(channel);
    n.releaseVelocity = std::uint8_t(releaseVelocity);
    return n;
}

// An empty song at 480 ticks a quarter, 120 BPM, 4/4 from the start.
inline model::Song songIn44() {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, 500000);
    map.setTimeSignature({0, 4, 4});
    song.setTempoMap(map);
    return song;
}

} // namespace torchestra::testkit
