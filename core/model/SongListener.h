#pragma once

#include "model/Note.h"

#include <vector>

namespace torchestra::model {

struct NoteChange {
    Note before;
    Note after;
};

// Fine-grained change notifications, so a view can repaint just what changed (old and new
// extents are both given). Called on the thread that mutates the song (the GUI thread), after
// the change is made.
class SongListener {
public:
    virtual ~SongListener() = default;
    virtual void notesAdded(TrackId, const std::vector<Note>&) {}
    virtual void notesRemoved(TrackId, const std::vector<Note>&) {}
    virtual void notesChanged(TrackId, const std::vector<NoteChange>&) {}
    // A track was added, removed, moved, or its properties or non-note events changed.
    virtual void tracksChanged() {}
    virtual void tempoMapChanged() {}
    // Everything may have changed (a new song was loaded).
    virtual void songReloaded() {}
};

} // namespace torchestra::model
