#pragma once
// Drives a Transport as an engine would, in one thread, so the tests see every message's frame.

#include "TestSongs.h"
#include "playback/Transport.h"

#include <algorithm>
#include <cstdint>

namespace torchestra::playback::test {

// Processes `frames` frames at `rate` in blocks of `block` (the last one shorter), recording into
// `sink` with absolute frames.
inline void runFrames(Transport& t, RecordingSink& sink, std::int64_t frames, int block = 256,
                      double rate = 48000) {
    for (std::int64_t done = 0; done < frames;) {
        const int n = int(std::min<std::int64_t>(block, frames - done));
        t.process(n, rate, sink);
        sink.blockStart += n;
        done += n;
    }
}

} // namespace torchestra::playback::test
