#include "model/EditCommands.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace torchestra::model {

// ---- Note commands

AddNotesCommand::AddNotesCommand(TrackId track, std::vector<Note> notes, std::string label)
    : m_track(track), m_notes(std::move(notes)), m_label(std::move(label)) {}

void AddNotesCommand::redo(Song& song) {
    const bool first = m_ids.empty();
    if (first) {
        for (Note& n : m_notes)
            n.id = kNoNote;
    }
    std::vector<NoteId> ids = song.addNotes(m_track, m_notes);
    if (first) {
        // Keep the ids the song gave, so a redo brings back the very same notes.
        m_ids = ids;
        for (std::size_t i = 0; i < m_notes.size(); ++i)
            m_notes[i].id = ids[i];
    }
}

void AddNotesCommand::undo(Song& song) {
    song.removeNotes(m_track, m_ids);
}

RemoveNotesCommand::RemoveNotesCommand(TrackId track, std::vector<NoteId> ids, std::string label)
    : m_track(track), m_ids(std::move(ids)), m_label(std::move(label)) {}

void RemoveNotesCommand::redo(Song& song) {
    m_removed = song.removeNotes(m_track, m_ids);
}

void RemoveNotesCommand::undo(Song& song) {
    song.addNotes(m_track, m_removed);
}

ChangeNotesCommand::ChangeNotesCommand(TrackId track, std::vector<NoteChange> changes,
                                       std::string label, std::uint64_t gesture)
    : m_track(track), m_changes(std::move(changes)), m_label(std::move(label)), m_gesture(gesture) {
}

void ChangeNotesCommand::redo(Song& song) {
    std::vector<Note> after;
    after.reserve(m_changes.size());
    for (const NoteChange& c : m_changes)
        after.push_back(c.after);
    song.changeNotes(m_track, after);
}

void ChangeNotesCommand::undo(Song& song) {
    std::vector<Note> before;
    before.reserve(m_changes.size());
    for (const NoteChange& c : m_changes)
        before.push_back(c.before);
    song.changeNotes(m_track, before);
}

bool ChangeNotesCommand::mergeWith(const Command& next) {
    const auto* other = dynamic_cast<const ChangeNotesCommand*>(&next);
    if (!other || other->m_gesture != m_gesture || other->m_track != m_track ||
        other->m_changes.size() != m_changes.size())
        return false;
    std::map<NoteId, const Note*> latest;
    for (const NoteChange& c : other->m_changes)
        latest[c.after.id] = &c.after;
    for (const NoteChange& c : m_changes)
        if (!latest.count(c.before.id))
            return false;
    for (NoteChange& c : m_changes)
        c.after = *latest[c.before.id];
    return true;
}

void CompositeCommand::redo(Song& song) {
    for (auto& c : m_commands)
        c->redo(song);
}

void CompositeCommand::undo(Song& song) {
    for (auto it = m_commands.rbegin(); it != m_commands.rend(); ++it)
        (*it)->undo(song);
}

// ---- Track commands

AddTrackCommand::AddTrackCommand(Track track, int index, std::string label)
    : m_track(std::move(track)), m_index(index), m_label(std::move(label)) {}

AddTrackCommand::AddTrackCommand(Track track, std::vector<Note> notes, int index, std::string label)
    : m_track(std::move(track)), m_notes(std::move(notes)), m_index(index),
      m_label(std::move(label)) {}

void AddTrackCommand::redo(Song& song) {
    const TrackId id = song.addTrack(m_track, std::exchange(m_notes, {}), m_index);
    if (m_track.id() == kNoTrack)
        m_track = *song.track(id); // now with its ids, for undo and the next redo
}

void AddTrackCommand::undo(Song& song) {
    m_track = song.removeTrack(m_track.id());
}

RemoveTrackCommand::RemoveTrackCommand(TrackId track) : m_id(track) {}

void RemoveTrackCommand::redo(Song& song) {
    m_index = song.trackIndex(m_id);
    m_removed = song.removeTrack(m_id);
}

void RemoveTrackCommand::undo(Song& song) {
    song.addTrack(m_removed, m_index);
}

MoveTrackCommand::MoveTrackCommand(TrackId track, int newIndex)
    : m_id(track), m_newIndex(newIndex) {}

void MoveTrackCommand::redo(Song& song) {
    m_oldIndex = song.trackIndex(m_id);
    song.moveTrack(m_id, m_newIndex);
}

void MoveTrackCommand::undo(Song& song) {
    song.moveTrack(m_id, m_oldIndex);
}

SetTrackPropertiesCommand::SetTrackPropertiesCommand(TrackId track, TrackProperties properties,
                                                     std::string label)
    : m_id(track), m_new(std::move(properties)), m_label(std::move(label)) {}

void SetTrackPropertiesCommand::redo(Song& song) {
    const Track* t = song.track(m_id);
    if (!t)
        throw std::invalid_argument("SetTrackPropertiesCommand: no such track");
    m_old = t->properties;
    song.setTrackProperties(m_id, m_new);
}

void SetTrackPropertiesCommand::undo(Song& song) {
    song.setTrackProperties(m_id, m_old);
}

SetTempoMapCommand::SetTempoMapCommand(TempoMap newMap, std::string label)
    : m_new(std::move(newMap)), m_label(std::move(label)) {}

void SetTempoMapCommand::redo(Song& song) {
    m_old = song.tempoMap();
    m_haveOld = true;
    song.setTempoMap(m_new);
}

void SetTempoMapCommand::undo(Song& song) {
    if (m_haveOld)
        song.setTempoMap(m_old);
}

// ---- Factories

namespace {

std::vector<Note> existingNotes(const Song& song, TrackId track, const std::vector<NoteId>& ids) {
    std::vector<Note> notes;
    const Track* t = song.track(track);
    if (!t)
        return notes;
    std::set<NoteId> seen;
    for (NoteId id : ids) {
        const Note* n = t->findNote(id);
        if (n && seen.insert(id).second)
            notes.push_back(*n);
    }
    return notes;
}

// A ChangeNotesCommand from notes and a function that edits a copy; null when nothing changes.
template <typename F>
std::unique_ptr<Command> changeEach(const Song& song, TrackId track, const std::vector<NoteId>& ids,
                                    const std::string& label, std::uint64_t gesture, F&& edit) {
    std::vector<NoteChange> changes;
    bool any = false;
    for (const Note& n : existingNotes(song, track, ids)) {
        Note after = n;
        edit(after);
        any = any || !sameContent(n, after);
        changes.push_back({n, after});
    }
    if (!any && gesture == 0)
        return nullptr;
    if (changes.empty())
        return nullptr;
    return std::make_unique<ChangeNotesCommand>(track, std::move(changes), label, gesture);
}

} // namespace

std::unique_ptr<Command> moveNotes(const Song& song, TrackId track, const std::vector<NoteId>& ids,
                                   Tick deltaTicks, int deltaPitch, std::uint64_t gesture) {
    const auto notes = existingNotes(song, track, ids);
    if (notes.empty())
        return nullptr;
    // Clamp the deltas for the whole group, so a chord keeps its shape at the edges.
    Tick minStart = notes.front().start;
    int minPitch = 127, maxPitch = 0;
    for (const Note& n : notes) {
        minStart = std::min(minStart, n.start);
        minPitch = std::min<int>(minPitch, n.pitch);
        maxPitch = std::max<int>(maxPitch, n.pitch);
    }
    deltaTicks = std::max(deltaTicks, -minStart);
    deltaPitch = std::clamp(deltaPitch, -minPitch, 127 - maxPitch);
    return changeEach(song, track, ids, "Move notes", gesture, [&](Note& n) {
        n.start += deltaTicks;
        n.pitch = std::uint8_t(n.pitch + deltaPitch);
    });
}

std::unique_ptr<Command> resizeNotes(const Song& song, TrackId track,
                                     const std::vector<NoteId>& ids, Tick deltaTicks,
                                     Tick minLength, std::uint64_t gesture) {
    return changeEach(song, track, ids, "Resize notes", gesture,
                      [&](Note& n) { n.length = std::max(minLength, n.length + deltaTicks); });
}

std::unique_ptr<Command> setVelocity(const Song& song, TrackId track,
                                     const std::vector<NoteId>& ids, int value, bool relative,
                                     std::uint64_t gesture) {
    return changeEach(song, track, ids, "Change velocity", gesture, [&](Note& n) {
        int v = relative ? n.velocity + value : value;
        n.velocity = std::uint8_t(std::clamp(v, 1, 127));
    });
}

std::unique_ptr<Command> transposeNotes(const Song& song, TrackId track,
                                        const std::vector<NoteId>& ids, int semitones) {
    for (const Note& n : existingNotes(song, track, ids)) {
        if (n.pitch + semitones < 0 || n.pitch + semitones > 127)
            return nullptr;
    }
    return changeEach(song, track, ids, "Transpose", 0,
                      [&](Note& n) { n.pitch = std::uint8_t(n.pitch + semitones); });
}

std::unique_ptr<Command> quantizeNotes(const Song& song, TrackId track,
                                       const std::vector<NoteId>& ids,
                                       const QuantizeOptions& options) {
    if (options.grid <= 0)
        return nullptr;
    const double g = double(options.grid);
    const double strength = std::clamp(options.strength, 0.0, 1.0);
    const double swing = std::clamp(options.swing, 0.0, 1.0);
    auto target = [&](Tick t) {
        const double index = std::round(double(t) / g);
        // Swing delays the off-beats (odd grid points) by up to half a grid step.
        const double swung = index * g + (std::fmod(index, 2.0) != 0.0 ? swing * g / 2 : 0.0);
        return double(t) + strength * (swung - double(t));
    };
    return changeEach(song, track, ids, "Quantize", 0, [&](Note& n) {
        const Tick start = std::max<Tick>(0, Tick(std::llround(target(n.start))));
        Tick end = n.end() + (start - n.start);
        if (options.quantizeEnds) {
            end = Tick(std::llround(target(n.end())));
            if (end <= start)
                end = start + options.grid;
        }
        n.start = start;
        n.length = end - start;
    });
}

std::unique_ptr<Command> splitNotes(const Song& song, TrackId track, const std::vector<NoteId>& ids,
                                    Tick tick) {
    std::vector<NoteChange> cut;
    std::vector<Note> tails;
    for (const Note& n : existingNotes(song, track, ids)) {
        if (n.start < tick && n.end() > tick) {
            Note head = n;
            head.length = tick - n.start;
            cut.push_back({n, head});
            Note tail = n;
            tail.id = kNoNote;
            tail.start = tick;
            tail.length = n.end() - tick;
            tails.push_back(tail);
        }
    }
    if (cut.empty())
        return nullptr;
    auto c = std::make_unique<CompositeCommand>("Split notes");
    c->add(std::make_unique<ChangeNotesCommand>(track, std::move(cut), "Split notes"));
    c->add(std::make_unique<AddNotesCommand>(track, std::move(tails), "Split notes"));
    return c;
}

std::unique_ptr<Command> mergeNotes(const Song& song, TrackId track,
                                    const std::vector<NoteId>& ids) {
    std::map<std::pair<int, int>, std::vector<Note>> groups;
    for (const Note& n : existingNotes(song, track, ids))
        groups[{n.channel, n.pitch}].push_back(n);
    std::vector<NoteChange> extended;
    std::vector<NoteId> absorbed;
    for (auto& group : groups) {
        std::vector<Note>& notes = group.second;
        std::sort(notes.begin(), notes.end(), noteOrder);
        std::size_t head = 0;
        Note merged = notes[0];
        auto flush = [&] {
            if (!sameContent(merged, notes[head]))
                extended.push_back({notes[head], merged});
        };
        for (std::size_t i = 1; i < notes.size(); ++i) {
            if (notes[i].start <= merged.end()) {
                merged.length = std::max(merged.end(), notes[i].end()) - merged.start;
                absorbed.push_back(notes[i].id);
            } else {
                flush();
                head = i;
                merged = notes[i];
            }
        }
        flush();
    }
    if (absorbed.empty())
        return nullptr;
    auto c = std::make_unique<CompositeCommand>("Merge notes");
    c->add(std::make_unique<RemoveNotesCommand>(track, std::move(absorbed), "Merge notes"));
    if (!extended.empty())
        c->add(std::make_unique<ChangeNotesCommand>(track, std::move(extended), "Merge notes"));
    return c;
}

std::unique_ptr<Command> setTempo(const Song& song, Tick tick, std::int32_t usPerQuarter) {
    if (usPerQuarter <= 0 || usPerQuarter > 0xFFFFFF)
        return nullptr;
    TempoMap map = song.tempoMap();
    map.setTempo(tick, usPerQuarter);
    if (map == song.tempoMap())
        return nullptr;
    return std::make_unique<SetTempoMapCommand>(std::move(map), "Set tempo");
}

std::unique_ptr<Command> setTimeSignature(const Song& song, const TimeSignature& ts) {
    if (ts.numerator < 1 || ts.numerator > 255 || ts.denominator < 1 ||
        (ts.denominator & (ts.denominator - 1)) != 0)
        return nullptr;
    TempoMap map = song.tempoMap();
    map.setTimeSignature(ts);
    if (map == song.tempoMap())
        return nullptr;
    return std::make_unique<SetTempoMapCommand>(std::move(map), "Set time signature");
}

std::unique_ptr<Command> replaceRange(const Song& song, TrackId track, Tick from, Tick to,
                                      std::vector<Note> notes, std::string label) {
    const Track* t = song.track(track);
    if (!t || to < from)
        return nullptr;
    std::vector<NoteId> removed;
    std::vector<NoteChange> cut;
    t->forEachNoteInRange(from, to, [&](const Note& n) {
        if (n.start >= from) {
            removed.push_back(n.id);
        } else {
            Note head = n;
            head.length = from - n.start;
            cut.push_back({n, head});
        }
    });
    for (Note& n : notes)
        n.id = kNoNote;
    auto c = std::make_unique<CompositeCommand>(label);
    if (!cut.empty())
        c->add(std::make_unique<ChangeNotesCommand>(track, std::move(cut), label));
    if (!removed.empty())
        c->add(std::make_unique<RemoveNotesCommand>(track, std::move(removed), label));
    if (!notes.empty())
        c->add(std::make_unique<AddNotesCommand>(track, std::move(notes), label));
    if (c->empty())
        return nullptr;
    return c;
}

} // namespace torchestra::model
