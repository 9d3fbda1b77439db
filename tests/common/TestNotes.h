#pragma once

// The one note builder of every test area, with one argument order: where it starts, how long
// it lasts, its pitch, then how loud and on which channel (the order a musician says it in);
// the empty song most tests start from, and a small chorale.

#include "model/Note.h"
#include "model/Song.h"

#include <cstdint>
#include <vector>

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

// Two bars of four-part quarter-note chords in C major on one track, "Choir": what a user
// might select to prime a model that learned chorales.
inline model::Song twoBarsOfChorale() {
    model::Song song = songIn44();
    model::Track choir;
    choir.properties.name = "Choir";
    const model::TrackId id = song.addTrack(choir);
    const int chords[8][4] = {{48, 55, 64, 72}, {53, 57, 65, 72}, {55, 59, 62, 74},
                              {48, 55, 64, 72}, {45, 57, 64, 72}, {50, 57, 65, 69},
                              {43, 55, 62, 71}, {48, 55, 64, 72}};
    std::vector<model::Note> notes;
    for (int beat = 0; beat < 8; ++beat)
        for (int pitch : chords[beat])
            notes.push_back(makeNote(beat * 480, 480, pitch, 80));
    song.addNotes(id, notes);
    return song;
}

} // namespace torchestra::testkit
