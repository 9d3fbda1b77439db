#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::model {

class Song;

// One user edit. Commands hold ids and old/new values, never pointers into the song, so they
// stay valid whatever else is undone or redone.
class Command {
public:
    virtual ~Command() = default;
    virtual std::string label() const = 0;
    virtual void redo(Song& song) = 0;
    virtual void undo(Song& song) = 0;
    // Consecutive commands with the same mergeId() >= 0 may fold into one step (a drag);
    // mergeWith() decides and, when it returns true, has absorbed `next` (already applied).
    virtual int mergeId() const { return -1; }
    virtual bool mergeWith(const Command& /*next*/) { return false; }
};

// The undo history of one song, with a clean mark (the state last saved). GUI thread only.
class UndoStack {
public:
    explicit UndoStack(Song& song);

    // Applies the command (redo) and records it, dropping anything that could be redone.
    void push(std::unique_ptr<Command> command);
    // Ends merging: the next pushed command starts a new step even if it could merge (the end
    // of a drag, or a pause in typing).
    void closeMerge() { m_mergeOpen = false; }

    bool canUndo() const { return m_index > 0; }
    bool canRedo() const { return m_index < int(m_commands.size()); }
    void undo();
    void redo();
    std::string undoLabel() const;
    std::string redoLabel() const;

    int index() const { return m_index; }
    int count() const { return int(m_commands.size()); }
    bool isClean() const { return m_cleanIndex == m_index; }
    void setClean();
    void clear(); // forgets the history; the current state becomes clean

    // Called after any change of index, count or clean state.
    std::function<void()> onChanged;
    // Called when the clean state flips (for a window title's "modified" mark).
    std::function<void(bool clean)> onCleanChanged;

private:
    void changed(bool wasClean);

    Song& m_song;
    std::vector<std::unique_ptr<Command>> m_commands;
    int m_index = 0;
    int m_cleanIndex = 0; // -1: the clean state can no longer be reached
    bool m_mergeOpen = true;
};

} // namespace torchestra::model
