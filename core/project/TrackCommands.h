#pragma once

#include "model/Song.h"
#include "model/UndoStack.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace torchestra::project {

// Replaces a track's channel events (controllers, program changes...) with new ones; undo puts
// the old ones back. Meta and SysEx events are left as they are at the time of redo/undo.
// Stores the track id and both event lists, never pointers (house style).
class SetTrackChannelEventsCommand : public model::Command {
public:
    SetTrackChannelEventsCommand(model::TrackId track, std::vector<model::ChannelEvent> before,
                                 std::vector<model::ChannelEvent> after, std::string label);
    std::string label() const override { return m_label; }
    void redo(model::Song& song) override;
    void undo(model::Song& song) override;

private:
    void apply(model::Song& song, const std::vector<model::ChannelEvent>& events);

    model::TrackId m_track;
    std::vector<model::ChannelEvent> m_before;
    std::vector<model::ChannelEvent> m_after;
    std::string m_label;
};

// GM's power-on channel volume, what a track without a CC 7 at its start plays at.
constexpr int kDefaultVolume = 100;

// The track's volume: the value of the first channel-volume controller (CC 7) at tick 0 on the
// track's channel, or nothing when there is none.
std::optional<int> trackVolume(const model::Track& track);

// One undoable edit that sets the track's tick-0 CC 7 (adding it when missing); null when the
// track is absent or already at `volume`. The model has no volume property, so the volume lives
// where a MIDI file keeps it: as a controller event at the track's start.
std::unique_ptr<model::Command> setTrackVolume(const model::Song& song, model::TrackId track,
                                               int volume);

// One undoable edit that moves a track to another channel: its properties, its notes and its
// channel events on the old channel all follow. Null when nothing changes.
std::unique_ptr<model::Command> setTrackChannel(const model::Song& song, model::TrackId track,
                                                int channel);

} // namespace torchestra::project
