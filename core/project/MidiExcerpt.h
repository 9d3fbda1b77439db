#pragma once

// Part of a song as a song of its own, for a .mid file that leaves the workstation: dragged onto
// a desktop or into a DAW, or put on the clipboard. No Qt widgets; any thread.

#include "model/Song.h"

#include <string>
#include <vector>

namespace torchestra::project {

// One track of an excerpt: how it sounds (name, channel, program) and its notes, at the
// source song's ticks.
struct ExcerptPart {
    model::TrackProperties properties;
    std::vector<model::Note> notes;
};

// The parts as a song that starts at `from` of the source (a bar line, so the notes keep their
// place in the bar): the source's resolution, its tempo, time and key signature in effect at
// `from` placed at tick 0 and its later changes moved with the notes, each part a track with
// its notes moved back by `from` (notes before `from` are left out).
model::Song midiExcerpt(const model::Song& song, const std::vector<ExcerptPart>& parts,
                        model::Tick from);

// The bar line at or before the earliest of the notes (0 for none): where an excerpt of them
// starts.
model::Tick excerptStart(const model::Song& song, const std::vector<model::Note>& notes);

// A file name for an excerpt: `what` with what a file system refuses replaced, and ".mid"
// ("Flute, bars 5-8.mid"). Never empty.
std::string excerptFileName(const std::string& what);

} // namespace torchestra::project
