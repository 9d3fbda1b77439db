#pragma once

#include "model/EditCommands.h"
#include "model/Song.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::ui::edits {

// The piano roll's edits of a set of notes, as functions from the song to the command that
// makes the edit (in the style of Helio's SequencerOperations): they read the song and never
// touch a widget, so the view decides when to push and tests can check them alone. Each
// returns null when the edit would change nothing (no notes, unknown track, no effect).
//
// `track` is the notes' track and `ids` their ids in it.

std::unique_ptr<model::Command> deleteNotes(const model::Song& song, model::TrackId track,
                                            const std::vector<model::NoteId>& ids,
                                            const char* label = "Delete notes");
std::unique_ptr<model::Command> transpose(const model::Song& song, model::TrackId track,
                                          const std::vector<model::NoteId>& ids, int semitones);
// Moves the notes by `ticks` (negative: earlier), keeping their pitches.
std::unique_ptr<model::Command> nudge(const model::Song& song, model::TrackId track,
                                      const std::vector<model::NoteId>& ids, model::Tick ticks);
std::unique_ptr<model::Command> quantize(const model::Song& song, model::TrackId track,
                                         const std::vector<model::NoteId>& ids, model::Tick grid);
std::unique_ptr<model::Command> setVelocity(const model::Song& song, model::TrackId track,
                                            const std::vector<model::NoteId>& ids, int velocity);
// Cuts the notes that span `at` in two there.
std::unique_ptr<model::Command> split(const model::Song& song, model::TrackId track,
                                      const std::vector<model::NoteId>& ids, model::Tick at);

// The two below add notes, and the caller selects them after the push: hence the concrete
// type, whose ids() are the new notes' once it has run.

// Copies of the notes right after them: shifted by their span rounded up to whole `grid` steps.
std::unique_ptr<model::AddNotesCommand> duplicate(const model::Song& song, model::TrackId track,
                                                  const std::vector<model::NoteId>& ids,
                                                  model::Tick grid);
// Adds `notes` (already placed, e.g. NoteClipboard::notesAt) to the track on its channel.
std::unique_ptr<model::AddNotesCommand> paste(const model::Song& song, model::TrackId track,
                                              std::vector<model::Note> notes);

// Sets the notes `before` (as they were when a drag began) to `after` (the same order), one
// merging step of `gesture` so that a whole drag undoes at once. Notes no longer in the track
// are skipped.
std::unique_ptr<model::Command> changeNotes(const model::Song& song, model::TrackId track,
                                            const std::vector<model::Note>& before,
                                            const std::vector<model::Note>& after,
                                            const char* label, std::uint64_t gesture);

} // namespace torchestra::ui::edits
