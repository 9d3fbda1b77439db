#pragma once

#include "common/TempDir.h"
#include "common/TestNotes.h"
#include "ml/Representation.h"
#include "model/Song.h"

#include <cstdlib>
#include <string>

namespace torchestra::ml::test {

inline std::string makeTempDir() {
    return torchestra::testkit::makeTempDir("ml-test");
}

// The common note builder with the velocity these tests' grids expect by default (80: a mid
// velocity bin, so a model that ignores velocity is not right by accident).
inline model::Note gridNote(model::Tick start, model::Tick length, int pitch, int velocity = 80,
                            int channel = 0) {
    return torchestra::testkit::makeNote(start, length, pitch, velocity, channel);
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
