#include "ui/pianoroll/SelectionEdits.h"

#include <algorithm>

namespace torchestra::ui::edits {

std::unique_ptr<model::Command> deleteNotes(const model::Song&, model::TrackId track,
                                            const std::vector<model::NoteId>& ids,
                                            const char* label) {
    if (ids.empty())
        return nullptr;
    return std::make_unique<model::RemoveNotesCommand>(track, ids, label);
}

std::unique_ptr<model::Command> transpose(const model::Song& song, model::TrackId track,
                                          const std::vector<model::NoteId>& ids, int semitones) {
    return model::transposeNotes(song, track, ids, semitones);
}

std::unique_ptr<model::Command> nudge(const model::Song& song, model::TrackId track,
                                      const std::vector<model::NoteId>& ids, model::Tick ticks) {
    return model::moveNotes(song, track, ids, ticks, 0);
}

std::unique_ptr<model::Command> quantize(const model::Song& song, model::TrackId track,
                                         const std::vector<model::NoteId>& ids, model::Tick grid) {
    model::QuantizeOptions options;
    options.grid = grid;
    return model::quantizeNotes(song, track, ids, options);
}

std::unique_ptr<model::Command> setVelocity(const model::Song& song, model::TrackId track,
                                            const std::vector<model::NoteId>& ids, int velocity) {
    return model::setVelocity(song, track, ids, velocity, false);
}

std::unique_ptr<model::Command> split(const model::Song& song, model::TrackId track,
                                      const std::vector<model::NoteId>& ids, model::Tick at) {
    return model::splitNotes(song, track, ids, at);
}

std::unique_ptr<model::AddNotesCommand> duplicate(const model::Song& song, model::TrackId track,
                                                  const std::vector<model::NoteId>& ids,
                                                  model::Tick grid) {
    std::vector<model::Note> notes;
    if (const model::Track* t = song.track(track)) {
        for (model::NoteId id : ids)
            if (const model::Note* n = t->findNote(id))
                notes.push_back(*n);
    }
    if (notes.empty())
        return nullptr;
    model::Tick first = notes.front().start, last = notes.front().end();
    for (const model::Note& n : notes) {
        first = std::min(first, n.start);
        last = std::max(last, n.end());
    }
    const model::Tick step = std::max<model::Tick>(1, grid);
    const model::Tick offset = std::max<model::Tick>(1, (last - first + step - 1) / step) * step;
    for (model::Note& n : notes) {
        n.start += offset;
        n.id = model::kNoNote;
    }
    return std::make_unique<model::AddNotesCommand>(track, std::move(notes), "Duplicate");
}

std::unique_ptr<model::AddNotesCommand> paste(const model::Song& song, model::TrackId track,
                                              std::vector<model::Note> notes) {
    const model::Track* t = song.track(track);
    if (!t || notes.empty())
        return nullptr;
    for (model::Note& n : notes)
        n.channel = t->properties.channel;
    return std::make_unique<model::AddNotesCommand>(track, std::move(notes), "Paste");
}

std::unique_ptr<model::Command> changeNotes(const model::Song& song, model::TrackId track,
                                            const std::vector<model::Note>& before,
                                            const std::vector<model::Note>& after,
                                            const char* label, std::uint64_t gesture) {
    const model::Track* t = song.track(track);
    if (!t)
        return nullptr;
    std::vector<model::NoteChange> changes;
    bool any = false;
    for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) {
        const model::Note* current = t->findNote(before[i].id);
        if (!current)
            continue;
        model::Note target = after[i];
        target.id = current->id;
        any = any || !model::sameContent(*current, target);
        changes.push_back({*current, target});
    }
    if (!any)
        return nullptr;
    // Same gesture id and the same notes every time: the stack merges the whole drag.
    return std::make_unique<model::ChangeNotesCommand>(track, std::move(changes), label, gesture);
}

} // namespace torchestra::ui::edits
