#include "ml/JsbSongs.h"

#include <algorithm>

namespace torchestra::ml {

model::Song jsbPieceToSong(const FrameSequence& piece, const RepresentationConfig& frames,
                           int stepsPerQuarter) {
    model::TempoMap map(kJsbSongPpq);
    map.setTempo(0, kJsbUsPerQuarter);
    map.setTimeSignature({0, 4, 4});
    model::Song song;
    song.setTempoMap(map);
    model::Track track;
    track.properties.name = "Chorale";
    const model::TrackId id = song.addTrack(track);
    // Without onsets, each run of sounding frames is one note (sequenceToNotes' contract).
    FrameSequence runs = piece;
    runs.onset.clear();
    runs.velocityBin.assign(std::size_t(runs.steps), kNoVelocity);
    RepresentationConfig config = frames;
    config.onsets = false;
    std::vector<model::Note> notes =
        sequenceToNotes(runs, config, 0, kJsbSongPpq / std::max(1, stepsPerQuarter));
    for (model::Note& n : notes)
        n.velocity = kJsbVelocity;
    song.addNotes(id, notes);
    return song;
}

} // namespace torchestra::ml
