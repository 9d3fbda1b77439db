#include "project/TrackCommands.h"

#include "model/EditCommands.h"

#include <algorithm>

namespace torchestra::project {

namespace {
constexpr std::uint8_t kControlChange = 0xB0;
constexpr std::uint8_t kChannelVolume = 7;

bool isStartVolume(const model::ChannelEvent& e, int channel) {
    return e.tick == 0 && e.type() == kControlChange && e.channel() == channel &&
           e.data1 == kChannelVolume;
}
} // namespace

SetTrackChannelEventsCommand::SetTrackChannelEventsCommand(model::TrackId track,
                                                           std::vector<model::ChannelEvent> before,
                                                           std::vector<model::ChannelEvent> after,
                                                           std::string label)
    : m_track(track), m_before(std::move(before)), m_after(std::move(after)),
      m_label(std::move(label)) {}

void SetTrackChannelEventsCommand::apply(model::Song& song,
                                         const std::vector<model::ChannelEvent>& events) {
    const model::Track* t = song.track(m_track);
    if (!t)
        return;
    song.setTrackEvents(m_track, events, t->metaEvents, t->sysExEvents);
}

void SetTrackChannelEventsCommand::redo(model::Song& song) {
    apply(song, m_after);
}

void SetTrackChannelEventsCommand::undo(model::Song& song) {
    apply(song, m_before);
}

std::optional<int> trackVolume(const model::Track& track) {
    for (const auto& e : track.channelEvents) {
        if (e.tick > 0)
            break;
        if (isStartVolume(e, track.properties.channel))
            return e.data2;
    }
    return std::nullopt;
}

std::unique_ptr<model::Command> setTrackVolume(const model::Song& song, model::TrackId track,
                                               int volume) {
    const model::Track* t = song.track(track);
    if (!t)
        return nullptr;
    volume = std::clamp(volume, 0, 127);
    if (trackVolume(*t) == volume)
        return nullptr;
    std::vector<model::ChannelEvent> after = t->channelEvents;
    const int channel = t->properties.channel;
    auto it = std::find_if(after.begin(), after.end(),
                           [&](const model::ChannelEvent& e) { return isStartVolume(e, channel); });
    if (it != after.end()) {
        it->data2 = std::uint8_t(volume);
    } else {
        model::ChannelEvent e;
        e.tick = 0;
        e.status = std::uint8_t(kControlChange | channel);
        e.data1 = kChannelVolume;
        e.data2 = std::uint8_t(volume);
        after.insert(after.begin(), e); // sorted by tick: tick 0 goes first
    }
    return std::make_unique<SetTrackChannelEventsCommand>(track, t->channelEvents, std::move(after),
                                                          "Track volume");
}

std::unique_ptr<model::Command> setTrackChannel(const model::Song& song, model::TrackId track,
                                                int channel) {
    const model::Track* t = song.track(track);
    if (!t || channel < 0 || channel > 15 || t->properties.channel == channel)
        return nullptr;
    const int old = t->properties.channel;
    auto composite = std::make_unique<model::CompositeCommand>("Track channel");
    model::TrackProperties p = t->properties;
    p.channel = std::uint8_t(channel);
    composite->add(std::make_unique<model::SetTrackPropertiesCommand>(track, p));
    std::vector<model::NoteChange> changes;
    for (const auto& n : t->notes()) {
        if (n.channel != old)
            continue;
        model::NoteChange c{n, n};
        c.after.channel = std::uint8_t(channel);
        changes.push_back(c);
    }
    if (!changes.empty())
        composite->add(
            std::make_unique<model::ChangeNotesCommand>(track, std::move(changes), "Channel"));
    std::vector<model::ChannelEvent> after = t->channelEvents;
    bool eventsChange = false;
    for (auto& e : after) {
        if (e.channel() == old) {
            e.status = std::uint8_t((e.status & 0xF0) | channel);
            eventsChange = true;
        }
    }
    if (eventsChange)
        composite->add(std::make_unique<SetTrackChannelEventsCommand>(track, t->channelEvents,
                                                                      std::move(after), "Channel"));
    return composite;
}

} // namespace torchestra::project
