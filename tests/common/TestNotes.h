#pragma once

// The one note builder of every test area, with one argument order: where it starts, how long
// it lasts, its pitch, then how loud and on which channel (the order a musician says it in).

#include "model/Note.h"

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

} // namespace torchestra::testkit
