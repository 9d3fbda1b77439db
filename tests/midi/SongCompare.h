#pragma once

// Says where two songs differ (Song::sameContent only says whether), so a failing round trip
// points at the note or event that changed.

#include "model/Song.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <tuple>

namespace songcompare {

inline std::string describe(const torchestra::model::Note& n) {
    std::ostringstream s;
    s << "{start " << n.start << " len " << n.length << " pitch " << int(n.pitch) << " vel "
      << int(n.velocity) << " rel " << int(n.releaseVelocity) << " ch " << int(n.channel) << "}";
    return s.str();
}

// "" when equal in everything a MIDI file stores (ids aside), else the first difference.
inline std::string firstDifference(const torchestra::model::Song& a,
                                   const torchestra::model::Song& b) {
    using namespace torchestra::model;
    const TempoMap& ma = a.tempoMap();
    const TempoMap& mb = b.tempoMap();
    if (ma.ppq() != mb.ppq())
        return "ppq " + std::to_string(ma.ppq()) + " vs " + std::to_string(mb.ppq());
    if (ma.tempos() != mb.tempos())
        return "tempo changes differ (" + std::to_string(ma.tempos().size()) + " vs " +
               std::to_string(mb.tempos().size()) + ")";
    if (ma.timeSignatures() != mb.timeSignatures())
        return "time signatures differ";
    if (ma.keySignatures() != mb.keySignatures())
        return "key signatures differ";
    if (a.trackCount() != b.trackCount())
        return "track count " + std::to_string(a.trackCount()) + " vs " +
               std::to_string(b.trackCount());
    for (std::size_t i = 0; i < a.trackCount(); ++i) {
        const Track& x = a.trackAt(i);
        const Track& y = b.trackAt(i);
        const std::string t = "track " + std::to_string(i) + ": ";
        if (x.properties.name != y.properties.name)
            return t + "name '" + x.properties.name + "' vs '" + y.properties.name + "'";
        if (x.properties.channel != y.properties.channel)
            return t + "channel " + std::to_string(x.properties.channel) + " vs " +
                   std::to_string(y.properties.channel);
        if (x.properties.program != y.properties.program)
            return t + "program " + std::to_string(x.properties.program.value_or(255)) + " vs " +
                   std::to_string(y.properties.program.value_or(255)) + " (255 = none)";
        if (x.properties != y.properties)
            return t + "other properties differ";
        if (x.channelEvents != y.channelEvents) {
            std::size_t k = 0;
            while (k < x.channelEvents.size() && k < y.channelEvents.size() &&
                   x.channelEvents[k] == y.channelEvents[k])
                ++k;
            return t + "channel events differ at index " + std::to_string(k) + " (sizes " +
                   std::to_string(x.channelEvents.size()) + " vs " +
                   std::to_string(y.channelEvents.size()) + ")";
        }
        if (x.metaEvents != y.metaEvents)
            return t + "meta events differ";
        if (x.sysExEvents != y.sysExEvents)
            return t + "SysEx events differ";
        // A file's End of Track is the later of endOfTrack and the last event (the tempo map's
        // events sit in the first track).
        auto effectiveEnd = [&](const Song& s, const Track& tr) {
            Tick end = std::max(tr.endOfTrack, tr.endTick());
            if (i == 0) {
                for (const auto& e : s.tempoMap().tempos())
                    end = std::max(end, e.tick);
                for (const auto& e : s.tempoMap().timeSignatures())
                    end = std::max(end, e.tick);
                for (const auto& e : s.tempoMap().keySignatures())
                    end = std::max(end, e.tick);
            }
            return end;
        };
        if (effectiveEnd(a, x) != effectiveEnd(b, y))
            return t + "end of track " + std::to_string(effectiveEnd(a, x)) + " vs " +
                   std::to_string(effectiveEnd(b, y));
        auto key = [](const Note& n) {
            return std::make_tuple(n.start, n.channel, n.pitch, n.length, n.velocity,
                                   n.releaseVelocity);
        };
        auto less = [&](const Note& p, const Note& q) { return key(p) < key(q); };
        std::vector<Note> nx = x.notes(), ny = y.notes();
        std::sort(nx.begin(), nx.end(), less);
        std::sort(ny.begin(), ny.end(), less);
        for (std::size_t k = 0; k < std::min(nx.size(), ny.size()); ++k)
            if (!sameContent(nx[k], ny[k]))
                return t + "note " + std::to_string(k) + " " + describe(nx[k]) + " vs " +
                       describe(ny[k]);
        if (nx.size() != ny.size())
            return t + "note count " + std::to_string(nx.size()) + " vs " +
                   std::to_string(ny.size());
    }
    if (!a.sameContent(b, /*compareIds=*/false))
        return "Song::sameContent disagrees";
    return "";
}

} // namespace songcompare
