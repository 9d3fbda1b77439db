#include "project/TakeExport.h"

#include <QStringList>

#include <algorithm>
#include <set>
#include <tuple>

namespace torchestra::project {

namespace {

QString barsText(const model::Song& song, model::Tick from, model::Tick to) {
    const model::TempoMap& map = song.tempoMap();
    return QStringLiteral("%1-%2")
        .arg(map.barAtTick(from) + 1)
        .arg(map.barAtTick(std::max(from, to - 1)) + 1);
}

} // namespace

std::string provenanceText(const Take& take, const model::Song& song) {
    const TakeProvenance& p = take.provenance;
    QStringList parts;
    parts << (p.model.isEmpty() ? QStringLiteral("an unnamed model") : p.model);
    if (!p.checkpointHash.isEmpty())
        parts << QStringLiteral("checkpoint %1").arg(p.checkpointHash);
    parts << QStringLiteral("seed %1 (variation %2 of %3)")
                 .arg(p.seed)
                 .arg(p.variation + 1)
                 .arg(p.variations);
    parts << QStringLiteral("temperature %1").arg(p.temperature, 0, 'f', 2);
    for (auto it = p.constraints.begin(); it != p.constraints.end(); ++it) {
        const QJsonValue v = it.value();
        const QString value = v.isString() ? v.toString() : QString::number(v.toDouble());
        if (!value.isEmpty())
            parts << QStringLiteral("%1 %2").arg(it.key(), value);
    }
    QString bars = QStringLiteral("bars %1").arg(barsText(song, p.from, p.to));
    if (p.primerFrom < p.from)
        bars += QStringLiteral(" after bars %1").arg(barsText(song, p.primerFrom, p.from));
    parts << bars;
    if (p.time.isValid())
        parts << QStringLiteral("made %1").arg(p.time.toUTC().toString(Qt::ISODate));
    return QStringLiteral("Torchestra take %1: %2")
        .arg(take.name, parts.join(QStringLiteral(", ")))
        .toStdString();
}

namespace {

// Every note of the take is in track `index` (start, length and pitch).
bool holdsTake(const model::Song& song, std::size_t index, const Take& take) {
    std::multiset<std::tuple<model::Tick, model::Tick, int>> there;
    song.trackAt(index).forEachNoteInRange(take.provenance.from, take.provenance.to,
                                           [&](const model::Note& n) {
                                               there.insert({n.start, n.length, n.pitch});
                                           });
    return std::all_of(take.notes.begin(), take.notes.end(), [&](const model::Note& n) {
        return there.count({n.start, n.length, int(n.pitch)}) > 0;
    });
}

} // namespace

std::vector<TakeInSong> takesInSong(const model::Song& song, const std::vector<Take>& takes) {
    std::vector<TakeInSong> out;
    for (std::size_t i = 0; i < takes.size(); ++i) {
        const Take& take = takes[i];
        if (take.notes.empty())
            continue;
        // Its own track first; accepted into a new track, it is in another.
        std::vector<std::size_t> order;
        const int own = take.provenance.track;
        if (own >= 0 && std::size_t(own) < song.trackCount())
            order.push_back(std::size_t(own));
        for (std::size_t t = 0; t < song.trackCount(); ++t)
            if (int(t) != own)
                order.push_back(t);
        for (std::size_t t : order)
            if (holdsTake(song, t, take)) {
                out.push_back({i, t});
                break;
            }
    }
    return out;
}

model::Song withTakeProvenance(const model::Song& song, const std::vector<Take>& takes) {
    model::Song out = song;
    for (const TakeInSong& found : takesInSong(song, takes)) {
        const Take& take = takes[found.take];
        const model::Track& track = out.trackAt(found.track);
        std::vector<model::MetaEvent> meta = track.metaEvents;
        model::Tick first = take.notes.front().start;
        for (const model::Note& n : take.notes)
            first = std::min(first, n.start);
        model::MetaEvent text;
        text.tick = first;
        text.type = 0x01; // text event
        text.data = provenanceText(take, song);
        meta.insert(std::upper_bound(meta.begin(), meta.end(), text,
                                     [](const model::MetaEvent& a, const model::MetaEvent& b) {
                                         return a.tick < b.tick;
                                     }),
                    text);
        out.setTrackEvents(track.id(), track.channelEvents, std::move(meta), track.sysExEvents);
    }
    return out;
}

} // namespace torchestra::project
