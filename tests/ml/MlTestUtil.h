#pragma once

#include "ml/Representation.h"
#include "model/Song.h"

#include <cstdlib>
#include <string>

namespace torchestra::ml::test {

inline std::string makeTempDir() {
    char tmpl[] = "/tmp/torchestra-ml-test-XXXXXX";
    const char* d = mkdtemp(tmpl);
    return d ? std::string(d) : std::string("/tmp");
}

inline model::Note gridNote(model::Tick start, model::Tick length, int pitch, int velocity = 80,
                            int channel = 0) {
    model::Note n;
    n.start = start;
    n.length = length;
    n.pitch = std::uint8_t(pitch);
    n.velocity = std::uint8_t(velocity);
    n.channel = std::uint8_t(channel);
    return n;
}

// A song of `bars` 4/4 bars that repeats a one-bar C major arpeggio in sixteenths over a held
// bass note: an easy, strongly patterned toy for models.
inline model::Song arpeggioSong(int bars, int ppq = 480, int transpose = 0) {
    model::Song song;
    model::TempoMap map(ppq);
    map.setTimeSignature({0, 4, 4});
    song.setTempoMap(map);
    model::TrackId t = song.addTrack(model::Track{});
    std::vector<model::Note> notes;
    const model::Tick step = ppq / 4;
    const int pattern[4] = {60, 64, 67, 72};
    for (int bar = 0; bar < bars; ++bar) {
        const model::Tick barStart = model::Tick(bar) * 16 * step;
        notes.push_back(gridNote(barStart, 16 * step, 48 + transpose, 72));
        for (int s = 0; s < 16; ++s)
            notes.push_back(gridNote(barStart + s * step, step, pattern[s % 4] + transpose,
                                     s % 4 == 0 ? 104 : 72));
    }
    song.addNotes(t, notes);
    return song;
}

} // namespace torchestra::ml::test
