#include "ui/pianoroll/NoteClipboard.h"

#include <algorithm>

namespace torchestra::ui {

namespace {

std::vector<model::Note>& contents() {
    static std::vector<model::Note> notes;
    return notes;
}

} // namespace

bool NoteClipboard::store(std::vector<model::Note> notes) {
    if (notes.empty())
        return false;
    model::Tick first = notes.front().start;
    for (const model::Note& n : notes)
        first = std::min(first, n.start);
    for (model::Note& n : notes) {
        n.start -= first;
        n.id = model::kNoNote;
    }
    contents() = std::move(notes);
    return true;
}

bool NoteClipboard::hasNotes() {
    return !contents().empty();
}

std::vector<model::Note> NoteClipboard::notesAt(model::Tick start, std::uint8_t channel) {
    std::vector<model::Note> notes = contents();
    for (model::Note& n : notes) {
        n.start += start;
        n.channel = channel;
    }
    return notes;
}

} // namespace torchestra::ui
