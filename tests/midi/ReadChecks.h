#pragma once

// Checks on a ReadResult shared by the reader tests.

#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace readchecks {

inline int countWarnings(const torchestra::midi::ReadResult& r, const std::string& needle) {
    return int(std::count_if(r.warnings.begin(), r.warnings.end(), [&](const std::string& w) {
        return w.find(needle) != std::string::npos;
    }));
}

inline std::string allWarnings(const torchestra::midi::ReadResult& r) {
    std::string s;
    for (const auto& w : r.warnings)
        s += w + "\n";
    return s;
}

inline const std::vector<torchestra::model::Note>& notesOf(const torchestra::midi::ReadResult& r,
                                                           std::size_t track) {
    return r.song.trackAt(track).notes();
}

// Notes sorted by start, pitch, id: that is the model's order.
struct Expected {
    torchestra::model::Tick start, length;
    int pitch, velocity, release, channel;
};

inline void expectNotes(const torchestra::midi::ReadResult& r, std::size_t track,
                        const std::vector<Expected>& want) {
    const auto& got = notesOf(r, track);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE("note " + std::to_string(i));
        EXPECT_EQ(got[i].start, want[i].start);
        EXPECT_EQ(got[i].length, want[i].length);
        EXPECT_EQ(got[i].pitch, want[i].pitch);
        EXPECT_EQ(got[i].velocity, want[i].velocity);
        EXPECT_EQ(got[i].releaseVelocity, want[i].release);
        EXPECT_EQ(got[i].channel, want[i].channel);
    }
}

} // namespace readchecks
