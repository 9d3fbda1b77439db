#pragma once

#include "model/Song.h"
#include "model/UndoStack.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::model {

// Adds notes to a track. The notes get ids on the first redo and keep them after.
class AddNotesCommand : public Command {
public:
    AddNotesCommand(TrackId track, std::vector<Note> notes, std::string label = "Add notes");
    std::string label() const override { return m_label; }
    void redo(Song& song) override;
    void undo(Song& song) override;
    const std::vector<NoteId>& ids() const { return m_ids; }

private:
    TrackId m_track;
    std::vector<Note> m_notes;
    std::vector<NoteId> m_ids;
    std::string m_label;
};

class RemoveNotesCommand : public Command {
public:
    RemoveNotesCommand(TrackId track, std::vector<NoteId> ids, std::string label = "Delete notes");
    std::string label() const override { return m_label; }
    void redo(Song& song) override;
    void undo(Song& song) override;

private:
    TrackId m_track;
    std::vector<NoteId> m_ids;
    std::vector<Note> m_removed;
    std::string m_label;
};

// Any change of existing notes' values (move, resize, velocity, transpose, quantize). With a
// non-zero gesture id, consecutive commands of the same gesture on the same notes merge into one
// step, so a drag is undone at once.
class ChangeNotesCommand : public Command {
public:
    ChangeNotesCommand(TrackId track, std::vector<NoteChange> changes, std::string label,
                       std::uint64_t gesture = 0);
    std::string label() const override { return m_label; }
    void redo(Song& song) override;
    void undo(Song& song) override;
    int mergeId() const override { return m_gesture ? 1 : -1; }
    bool mergeWith(const Command& next) override;
    const std::vector<NoteChange>& changes() const { return m_changes; }

private:
    TrackId m_track;
    std::vector<NoteChange> m_changes;
    std::string m_label;
    std::uint64_t m_gesture;
};

// Several commands as one step: redone in order, undone in reverse.
class CompositeCommand : public Command {
public:
    explicit CompositeCommand(std::string label) : m_label(std::move(label)) {}
    void add(std::unique_ptr<Command> command) { m_commands.push_back(std::move(command)); }
    bool empty() const { return m_commands.empty(); }
    std::string label() const override { return m_label; }
    void redo(Song& song) override;
    void undo(Song& song) override;

private:
    std::string m_label;
    std::vector<std::unique_ptr<Command>> m_commands;
};

class AddTrackCommand : public Command {
public:
    AddTrackCommand(Track track, int index = -1, std::string label = "Add track");
    // A new track with `notes` (a track's notes are the song's to set): one step.
    AddTrackCommand(Track track, std::vector<Note> notes, int index, std::string label);
    std::string label() const override { return m_label; }
    void redo(Song& song) override;
    void undo(Song& song) override;
    TrackId trackId() const { return m_track.id(); }

private:
    Track m_track;
    std::vector<Note> m_notes; // until the first redo puts them into the track
    int m_index;
    std::string m_label;
};

class RemoveTrackCommand : public Command {
public:
    explicit RemoveTrackCommand(TrackId track);
    std::string label() const override { return "Delete track"; }
    void redo(Song& song) override;
    void undo(Song& song) override;

private:
    TrackId m_id;
    Track m_removed;
    int m_index = -1;
};

class MoveTrackCommand : public Command {
public:
    MoveTrackCommand(TrackId track, int newIndex);
    std::string label() const override { return "Move track"; }
    void redo(Song& song) override;
    void undo(Song& song) override;

private:
    TrackId m_id;
    int m_newIndex;
    int m_oldIndex = -1;
};

class SetTrackPropertiesCommand : public Command {
public:
    SetTrackPropertiesCommand(TrackId track, TrackProperties properties,
                              std::string label = "Track properties");
    std::string label() const override { return m_label; }
    void redo(Song& song) override;
    void undo(Song& song) override;

private:
    TrackId m_id;
    TrackProperties m_new;
    TrackProperties m_old;
    std::string m_label;
};

// Replaces the tempo/time-signature/key map (tempo and metre edits).
class SetTempoMapCommand : public Command {
public:
    SetTempoMapCommand(TempoMap newMap, std::string label);
    std::string label() const override { return m_label; }
    void redo(Song& song) override;
    void undo(Song& song) override;

private:
    TempoMap m_new;
    TempoMap m_old;
    bool m_haveOld = false;
    std::string m_label;
};

// ---- Factories for the edits a user makes. Each returns one command (one undo step), or null
// when there is nothing to do (no notes, no change). They read the song but do not change it.

std::unique_ptr<Command> moveNotes(const Song& song, TrackId track, const std::vector<NoteId>& ids,
                                   Tick deltaTicks, int deltaPitch, std::uint64_t gesture = 0);
// Changes lengths by `deltaTicks`, never below `minLength`.
std::unique_ptr<Command> resizeNotes(const Song& song, TrackId track,
                                     const std::vector<NoteId>& ids, Tick deltaTicks,
                                     Tick minLength = 1, std::uint64_t gesture = 0);
// Sets every velocity to `velocity` (1..127), or adds `delta` when `relative`.
std::unique_ptr<Command> setVelocity(const Song& song, TrackId track,
                                     const std::vector<NoteId>& ids, int value, bool relative,
                                     std::uint64_t gesture = 0);
// Transposes by semitones; notes that would leave 0..127 make the whole edit do nothing.
std::unique_ptr<Command> transposeNotes(const Song& song, TrackId track,
                                        const std::vector<NoteId>& ids, int semitones);

struct QuantizeOptions {
    Tick grid = 120;           // ticks
    double strength = 1.0;     // 0..1: how far towards the grid point a start moves
    double swing = 0.0;        // 0..1: delays every second grid point by up to half a grid step
    bool quantizeEnds = false; // also move note ends to the grid (keeping length >= 1 grid)
};
std::unique_ptr<Command> quantizeNotes(const Song& song, TrackId track,
                                       const std::vector<NoteId>& ids,
                                       const QuantizeOptions& options);

// Splits every note that sounds across `tick` into two notes at `tick`.
std::unique_ptr<Command> splitNotes(const Song& song, TrackId track, const std::vector<NoteId>& ids,
                                    Tick tick);
// Joins notes of the same pitch and channel that touch or overlap into one note each.
std::unique_ptr<Command> mergeNotes(const Song& song, TrackId track,
                                    const std::vector<NoteId>& ids);

std::unique_ptr<Command> setTempo(const Song& song, Tick tick, std::int32_t usPerQuarter);
std::unique_ptr<Command> setTimeSignature(const Song& song, const TimeSignature& ts);

// Replaces what a track plays in [from, to) by `notes` (used when a generated variation is
// accepted): notes starting in the range are removed, notes sounding into it from before are cut
// at `from`, and `notes` are added. One undo step.
std::unique_ptr<Command> replaceRange(const Song& song, TrackId track, Tick from, Tick to,
                                      std::vector<Note> notes, std::string label = "Replace bars");

} // namespace torchestra::model
