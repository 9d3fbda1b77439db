#pragma once
// Helpers the playback GUI tests share.

#include "playback/PlaybackSnapshot.h"

namespace torchestra::ui::test {

// The note-ons on `channel` (and of `pitch` when given) in a snapshot.
inline int noteOnsInSnapshot(const playback::PlaybackSnapshot& s, int channel, int pitch = -1) {
    int n = 0;
    for (const auto& e : s.events())
        n += e.isNoteOn() && (e.status & 0x0F) == channel && (pitch < 0 || e.data1 == pitch);
    return n;
}

} // namespace torchestra::ui::test
