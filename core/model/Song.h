#pragma once

#include "model/Note.h"
#include "model/SongListener.h"
#include "model/TempoMap.h"
#include "model/Track.h"

#include <string>
#include <vector>

namespace torchestra::model {

// A song: resolution, tempo/metre/key maps, and tracks of notes and other events.
//
// Owned by one thread at a time (the GUI thread in the workstation); nothing here locks. Workers
// (playback, training) get copies. Every mutation notifies the listeners; user edits go through
// the commands in EditCommands.h so they can be undone.
class Song {
public:
    Song() = default;
    Song(const Song& other);
    Song& operator=(const Song& other); // listeners are not copied
    Song(Song&&) noexcept = default;
    Song& operator=(Song&&) noexcept = default;

    int ppq() const { return m_tempoMap.ppq(); }
    const TempoMap& tempoMap() const { return m_tempoMap; }
    void setTempoMap(const TempoMap& map);

    const std::vector<Track>& tracks() const { return m_tracks; }
    std::size_t trackCount() const { return m_tracks.size(); }
    const Track* track(TrackId id) const;
    int trackIndex(TrackId id) const; // -1 when absent
    const Track& trackAt(std::size_t index) const { return m_tracks.at(index); }
    TrackId trackIdAt(std::size_t index) const { return m_tracks.at(index).id(); }

    // Adds a track at `index` (-1: at the end). A track whose id is kNoTrack gets a new id; one
    // with an id keeps it (undo puts tracks back that way). Its notes get ids the same way.
    TrackId addTrack(Track track, int index = -1);
    // The same with its notes (readers: one sort, no copies).
    TrackId addTrack(Track track, std::vector<Note> notes, int index = -1);
    Track removeTrack(TrackId id);
    void moveTrack(TrackId id, int newIndex);
    void setTrackProperties(TrackId id, const TrackProperties& properties);
    // Replaces a track's channel, meta and SysEx events (not its notes).
    void setTrackEvents(TrackId id, std::vector<ChannelEvent> channelEvents,
                        std::vector<MetaEvent> metaEvents, std::vector<SysExEvent> sysExEvents);

    // Notes with id kNoNote get fresh ids; others keep theirs (must be unused). Returns the ids.
    std::vector<NoteId> addNotes(TrackId track, std::vector<Note> notes);
    // Removes the notes with these ids (absent ids are ignored) and returns them.
    std::vector<Note> removeNotes(TrackId track, const std::vector<NoteId>& ids);
    // Replaces notes by id with the given values (ids must exist in the track).
    void changeNotes(TrackId track, const std::vector<Note>& newValues);
    const Note* findNote(TrackId track, NoteId id) const;

    std::size_t noteCount() const;
    Tick endTick() const; // last note end or event over all tracks

    // Replaces everything by `other`'s content; listeners get songReloaded().
    void reset(Song other);

    void addListener(SongListener* listener);
    void removeListener(SongListener* listener);

    // Content equality: tracks (with ids), notes, events and maps. Track::endOfTrack is left out:
    // writers derive it, so it is not part of what a user made.
    bool sameContent(const Song& other, bool compareIds = true) const;

private:
    Track* mutableTrack(TrackId id);
    template <typename F> void notify(F&& f) {
        for (SongListener* l : std::vector<SongListener*>(m_listeners))
            f(*l);
    }

    TempoMap m_tempoMap;
    std::vector<Track> m_tracks;
    NoteId m_nextNoteId = 1;
    TrackId m_nextTrackId = 1;
    std::vector<SongListener*> m_listeners;
};

// Moves `listener` from `current` to `next` (either may be null) and sets `current` to `next`.
// Returns false, doing nothing, when they are the same song. For views whose setSong swaps songs.
bool switchSong(SongListener* listener, Song*& current, Song* next);

} // namespace torchestra::model
