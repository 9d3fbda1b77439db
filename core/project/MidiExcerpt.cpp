#include "project/MidiExcerpt.h"

#include <algorithm>

namespace torchestra::project {

namespace {

// The last element at or before `from` (the one in effect there), and every later one.
template <typename Event, typename Add>
void shiftEvents(const std::vector<Event>& events, model::Tick from, Add add) {
    const Event* current = nullptr;
    for (const Event& e : events) {
        if (e.tick <= from) {
            current = &e;
            continue;
        }
        Event moved = e;
        moved.tick -= from;
        add(moved);
    }
    if (current) {
        Event atStart = *current;
        atStart.tick = 0;
        add(atStart);
    }
}

} // namespace

model::Song midiExcerpt(const model::Song& song, const std::vector<ExcerptPart>& parts,
                        model::Tick from) {
    const model::TempoMap& source = song.tempoMap();
    model::TempoMap map;
    map.setPpq(source.ppq());
    shiftEvents(source.tempos(), from,
                [&](const model::TempoChange& t) { map.setTempo(t.tick, t.usPerQuarter); });
    shiftEvents(source.timeSignatures(), from,
                [&](const model::TimeSignature& ts) { map.setTimeSignature(ts); });
    shiftEvents(source.keySignatures(), from,
                [&](const model::KeySignature& ks) { map.setKeySignature(ks); });
    model::Song out;
    out.setTempoMap(map);
    for (const ExcerptPart& part : parts) {
        model::Track track;
        track.properties = part.properties;
        track.properties.muted = false;
        track.properties.solo = false;
        std::vector<model::Note> notes;
        notes.reserve(part.notes.size());
        for (model::Note n : part.notes) {
            if (n.start < from)
                continue;
            n.id = model::kNoNote;
            n.start -= from;
            notes.push_back(n);
        }
        out.addTrack(std::move(track), std::move(notes));
    }
    return out;
}

model::Tick excerptStart(const model::Song& song, const std::vector<model::Note>& notes) {
    if (notes.empty())
        return 0;
    model::Tick first = notes.front().start;
    for (const model::Note& n : notes)
        first = std::min(first, n.start);
    const model::TempoMap& map = song.tempoMap();
    return map.barToTick(map.barAtTick(first));
}

std::string excerptFileName(const std::string& what) {
    std::string name;
    for (char c : what) {
        const bool refused = c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' ||
                             c == '"' || c == '<' || c == '>' || c == '|' ||
                             static_cast<unsigned char>(c) < 0x20;
        name += refused ? '_' : c;
    }
    while (!name.empty() && (name.front() == '.' || name.front() == ' '))
        name.erase(name.begin());
    if (name.size() > 120) {
        // Cut before the character that straddles byte 120, not inside it (names are UTF-8).
        std::size_t cut = 120;
        while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80)
            --cut;
        name.resize(cut);
    }
    if (name.empty())
        name = "Torchestra";
    return name + ".mid";
}

} // namespace torchestra::project
