#include "model/Song.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

namespace torchestra::model {

Song::Song(const Song& other)
    : m_tempoMap(other.m_tempoMap), m_tracks(other.m_tracks), m_nextNoteId(other.m_nextNoteId),
      m_nextTrackId(other.m_nextTrackId) {}

Song& Song::operator=(const Song& other) {
    if (this != &other) {
        m_tempoMap = other.m_tempoMap;
        m_tracks = other.m_tracks;
        m_nextNoteId = other.m_nextNoteId;
        m_nextTrackId = other.m_nextTrackId;
    }
    return *this;
}

void Song::setTempoMap(const TempoMap& map) {
    m_tempoMap = map;
    notify([](SongListener& l) { l.tempoMapChanged(); });
}

const Track* Song::track(TrackId id) const {
    for (const Track& t : m_tracks)
        if (t.id() == id)
            return &t;
    return nullptr;
}

Track* Song::mutableTrack(TrackId id) {
    for (Track& t : m_tracks)
        if (t.id() == id)
            return &t;
    return nullptr;
}

int Song::trackIndex(TrackId id) const {
    for (std::size_t i = 0; i < m_tracks.size(); ++i)
        if (m_tracks[i].id() == id)
            return int(i);
    return -1;
}

TrackId Song::addTrack(Track track, int index) {
    if (track.m_id == kNoTrack || this->track(track.m_id))
        track.m_id = m_nextTrackId++;
    else
        m_nextTrackId = std::max(m_nextTrackId, track.m_id + 1);
    for (Note& n : track.m_notes) {
        if (n.id == kNoNote)
            n.id = m_nextNoteId++;
        else
            m_nextNoteId = std::max(m_nextNoteId, n.id + 1);
    }
    if (!std::is_sorted(track.m_notes.begin(), track.m_notes.end(), noteOrder))
        std::sort(track.m_notes.begin(), track.m_notes.end(), noteOrder);
    track.invalidateIndex();
    const TrackId id = track.m_id;
    if (index < 0 || index > int(m_tracks.size()))
        index = int(m_tracks.size());
    m_tracks.insert(m_tracks.begin() + index, std::move(track));
    notify([](SongListener& l) { l.tracksChanged(); });
    return id;
}

TrackId Song::addTrack(Track track, std::vector<Note> notes, int index) {
    if (track.m_notes.empty())
        track.m_notes = std::move(notes);
    else
        track.m_notes.insert(track.m_notes.end(), notes.begin(), notes.end());
    return addTrack(std::move(track), index);
}

Track Song::removeTrack(TrackId id) {
    int index = trackIndex(id);
    if (index < 0)
        throw std::invalid_argument("removeTrack: no such track");
    Track t = std::move(m_tracks[std::size_t(index)]);
    m_tracks.erase(m_tracks.begin() + index);
    notify([](SongListener& l) { l.tracksChanged(); });
    return t;
}

void Song::moveTrack(TrackId id, int newIndex) {
    int index = trackIndex(id);
    if (index < 0)
        throw std::invalid_argument("moveTrack: no such track");
    newIndex = std::clamp(newIndex, 0, int(m_tracks.size()) - 1);
    if (newIndex == index)
        return;
    Track t = std::move(m_tracks[std::size_t(index)]);
    m_tracks.erase(m_tracks.begin() + index);
    m_tracks.insert(m_tracks.begin() + newIndex, std::move(t));
    notify([](SongListener& l) { l.tracksChanged(); });
}

void Song::setTrackProperties(TrackId id, const TrackProperties& properties) {
    Track* t = mutableTrack(id);
    if (!t)
        throw std::invalid_argument("setTrackProperties: no such track");
    t->properties = properties;
    notify([](SongListener& l) { l.tracksChanged(); });
}

void Song::setTrackEvents(TrackId id, std::vector<ChannelEvent> channelEvents,
                          std::vector<MetaEvent> metaEvents, std::vector<SysExEvent> sysExEvents) {
    Track* t = mutableTrack(id);
    if (!t)
        throw std::invalid_argument("setTrackEvents: no such track");
    t->channelEvents = std::move(channelEvents);
    t->metaEvents = std::move(metaEvents);
    t->sysExEvents = std::move(sysExEvents);
    notify([](SongListener& l) { l.tracksChanged(); });
}

std::vector<NoteId> Song::addNotes(TrackId trackId, std::vector<Note> notes) {
    Track* t = mutableTrack(trackId);
    if (!t)
        throw std::invalid_argument("addNotes: no such track");
    std::vector<NoteId> ids;
    ids.reserve(notes.size());
    for (Note& n : notes) {
        if (n.id == kNoNote)
            n.id = m_nextNoteId++;
        else
            m_nextNoteId = std::max(m_nextNoteId, n.id + 1);
        ids.push_back(n.id);
    }
    t->insertSorted(notes);
    notify([&](SongListener& l) { l.notesAdded(trackId, notes); });
    return ids;
}

std::vector<Note> Song::removeNotes(TrackId trackId, const std::vector<NoteId>& ids) {
    Track* t = mutableTrack(trackId);
    if (!t)
        throw std::invalid_argument("removeNotes: no such track");
    std::vector<Note> removed;
    t->removeIds(ids, &removed);
    if (!removed.empty())
        notify([&](SongListener& l) { l.notesRemoved(trackId, removed); });
    return removed;
}

void Song::changeNotes(TrackId trackId, const std::vector<Note>& newValues) {
    Track* t = mutableTrack(trackId);
    if (!t)
        throw std::invalid_argument("changeNotes: no such track");
    std::vector<NoteChange> changes;
    changes.reserve(newValues.size());
    std::vector<NoteId> ids;
    ids.reserve(newValues.size());
    for (const Note& n : newValues) {
        const Note* old = t->findNote(n.id);
        if (!old)
            throw std::invalid_argument("changeNotes: no such note");
        changes.push_back({*old, n});
        ids.push_back(n.id);
    }
    // Remove and re-insert keeps the start-sorted order whatever moved.
    t->removeIds(ids, nullptr);
    t->insertSorted(newValues);
    notify([&](SongListener& l) { l.notesChanged(trackId, changes); });
}

const Note* Song::findNote(TrackId trackId, NoteId id) const {
    const Track* t = track(trackId);
    return t ? t->findNote(id) : nullptr;
}

std::size_t Song::noteCount() const {
    std::size_t n = 0;
    for (const Track& t : m_tracks)
        n += t.noteCount();
    return n;
}

Tick Song::endTick() const {
    Tick end = 0;
    for (const Track& t : m_tracks)
        end = std::max(end, t.endTick());
    return end;
}

void Song::reset(Song other) {
    m_tempoMap = std::move(other.m_tempoMap);
    m_tracks = std::move(other.m_tracks);
    m_nextNoteId = other.m_nextNoteId;
    m_nextTrackId = other.m_nextTrackId;
    notify([](SongListener& l) { l.songReloaded(); });
}

void Song::addListener(SongListener* listener) {
    if (std::find(m_listeners.begin(), m_listeners.end(), listener) == m_listeners.end())
        m_listeners.push_back(listener);
}

void Song::removeListener(SongListener* listener) {
    m_listeners.erase(std::remove(m_listeners.begin(), m_listeners.end(), listener),
                      m_listeners.end());
}

bool switchSong(SongListener* listener, Song*& current, Song* next) {
    if (current == next)
        return false;
    if (current)
        current->removeListener(listener);
    current = next;
    if (current)
        current->addListener(listener);
    return true;
}

bool Song::sameContent(const Song& other, bool compareIds) const {
    if (m_tempoMap != other.m_tempoMap || m_tracks.size() != other.m_tracks.size())
        return false;
    for (std::size_t i = 0; i < m_tracks.size(); ++i) {
        const Track& a = m_tracks[i];
        const Track& b = other.m_tracks[i];
        if ((compareIds && a.id() != b.id()) || a.properties != b.properties ||
            a.channelEvents != b.channelEvents || a.metaEvents != b.metaEvents ||
            a.sysExEvents != b.sysExEvents || a.noteCount() != b.noteCount())
            return false;
        if (compareIds) {
            if (a.notes() != b.notes())
                return false;
        } else {
            // Ids differ between two reads; order notes by content to compare them.
            auto key = [](const Note& n) {
                return std::make_tuple(n.start, n.pitch, n.channel, n.length, n.velocity,
                                       n.releaseVelocity);
            };
            std::vector<Note> x = a.notes(), y = b.notes();
            auto less = [&](const Note& p, const Note& q) { return key(p) < key(q); };
            std::sort(x.begin(), x.end(), less);
            std::sort(y.begin(), y.end(), less);
            for (std::size_t k = 0; k < x.size(); ++k)
                if (!model::sameContent(x[k], y[k]))
                    return false;
        }
    }
    return true;
}

} // namespace torchestra::model
