#include "model/UndoStack.h"

#include "model/Song.h"

namespace torchestra::model {

UndoStack::UndoStack(Song& song) : m_song(song) {}

void UndoStack::push(std::unique_ptr<Command> command) {
    if (!command)
        return;
    const bool wasClean = isClean();
    command->redo(m_song);
    // Anything beyond the current index can no longer be redone.
    if (m_index < int(m_commands.size())) {
        if (m_cleanIndex > m_index)
            m_cleanIndex = -1;
        m_commands.erase(m_commands.begin() + m_index, m_commands.end());
    }
    const bool canMerge = m_mergeOpen && m_index > 0 && command->mergeId() >= 0 &&
                          m_commands[std::size_t(m_index - 1)]->mergeId() == command->mergeId() &&
                          m_cleanIndex != m_index;
    if (canMerge && m_commands[std::size_t(m_index - 1)]->mergeWith(*command)) {
        changed(wasClean);
        return;
    }
    m_commands.push_back(std::move(command));
    m_index = int(m_commands.size());
    m_mergeOpen = true;
    changed(wasClean);
}

void UndoStack::undo() {
    if (!canUndo())
        return;
    const bool wasClean = isClean();
    m_commands[std::size_t(--m_index)]->undo(m_song);
    m_mergeOpen = false;
    changed(wasClean);
}

void UndoStack::redo() {
    if (!canRedo())
        return;
    const bool wasClean = isClean();
    m_commands[std::size_t(m_index++)]->redo(m_song);
    m_mergeOpen = false;
    changed(wasClean);
}

std::string UndoStack::undoLabel() const {
    return canUndo() ? m_commands[std::size_t(m_index - 1)]->label() : std::string();
}

std::string UndoStack::redoLabel() const {
    return canRedo() ? m_commands[std::size_t(m_index)]->label() : std::string();
}

void UndoStack::setClean() {
    const bool wasClean = isClean();
    m_cleanIndex = m_index;
    m_mergeOpen = false; // a saved step must not grow afterwards
    changed(wasClean);
}

void UndoStack::clear() {
    const bool wasClean = isClean();
    m_commands.clear();
    m_index = 0;
    m_cleanIndex = 0;
    m_mergeOpen = true;
    changed(wasClean);
}

void UndoStack::changed(bool wasClean) {
    if (onChanged)
        onChanged();
    if (onCleanChanged && wasClean != isClean())
        onCleanChanged(isClean());
}

} // namespace torchestra::model
