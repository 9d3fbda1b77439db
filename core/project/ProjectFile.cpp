#include "project/ProjectFile.h"

#include "project/JsonReader.h"

#include "base/AtomicFile.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>
#include <string>

namespace torchestra::project {

namespace {

constexpr qsizetype kMaxProjectBytes = qsizetype(1) << 30; // 1 GiB: far beyond any real song

QString tr(const char* text) {
    return QCoreApplication::translate("ProjectFile", text);
}

QString base64(const std::string& bytes) {
    return QString::fromLatin1(QByteArray(bytes.data(), qsizetype(bytes.size())).toBase64());
}

QJsonObject songToJson(const model::Song& song) {
    const model::TempoMap& map = song.tempoMap();
    QJsonArray tempos, signatures, keys, tracks;
    for (const model::TempoChange& t : map.tempos())
        tempos.append(QJsonObject{{"tick", double(t.tick)}, {"usPerQuarter", t.usPerQuarter}});
    for (const model::TimeSignature& ts : map.timeSignatures())
        signatures.append(QJsonObject{{"tick", double(ts.tick)},
                                      {"numerator", ts.numerator},
                                      {"denominator", ts.denominator},
                                      {"clocksPerClick", ts.clocksPerClick},
                                      {"thirtySecondsPerQuarter", ts.thirtySecondsPerQuarter}});
    for (const model::KeySignature& ks : map.keySignatures())
        keys.append(
            QJsonObject{{"tick", double(ks.tick)}, {"sharps", ks.sharps}, {"minor", ks.minor}});

    for (const model::Track& track : song.tracks()) {
        const model::TrackProperties& p = track.properties;
        QJsonArray channelEvents, metaEvents, sysEx;
        for (const model::ChannelEvent& e : track.channelEvents)
            channelEvents.append(QJsonArray{double(e.tick), e.status, e.data1, e.data2});
        for (const model::MetaEvent& e : track.metaEvents)
            metaEvents.append(
                QJsonObject{{"tick", double(e.tick)}, {"type", e.type}, {"data", base64(e.data)}});
        for (const model::SysExEvent& e : track.sysExEvents)
            sysEx.append(QJsonObject{
                {"tick", double(e.tick)}, {"escaped", e.escaped}, {"data", base64(e.data)}});
        QJsonObject t{{"name", QString::fromStdString(p.name)},
                      {"channel", p.channel},
                      {"muted", p.muted},
                      {"solo", p.solo},
                      {"colour", QStringLiteral("#%1").arg(p.colour, 6, 16, QLatin1Char('0'))},
                      {"endOfTrack", double(track.endOfTrack)},
                      {"notes", notesToJson(track.notes())},
                      {"channelEvents", channelEvents},
                      {"metaEvents", metaEvents},
                      {"sysEx", sysEx}};
        t.insert("program", p.program ? QJsonValue(int(*p.program)) : QJsonValue());
        tracks.append(t);
    }
    return QJsonObject{{"ppq", map.ppq()},
                       {"tempos", tempos},
                       {"timeSignatures", signatures},
                       {"keySignatures", keys},
                       {"tracks", tracks}};
}

// Reading the song: every value is checked (JsonReader.h).
class Reader : public JsonReader {
public:
    bool song(const QJsonObject& o, model::Song& song) {
        int ppq = 0;
        if (!field(o, "ppq", QStringLiteral("song"), 1, 32767, ppq))
            return false;
        model::TempoMap map(ppq);
        QJsonArray list;
        if (!array(o, "tempos", QStringLiteral("song"), list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString where = QStringLiteral("song.tempos[%1]").arg(i);
            const QJsonObject t = list[i].toObject();
            model::Tick tick = 0;
            std::int32_t us = 0;
            if (!field(t, "tick", where, 0, kMaxTick, tick) ||
                !field(t, "usPerQuarter", where, 1, 0xFFFFFF, us))
                return false;
            map.setTempo(tick, us);
        }
        if (!array(o, "timeSignatures", QStringLiteral("song"), list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString where = QStringLiteral("song.timeSignatures[%1]").arg(i);
            const QJsonObject t = list[i].toObject();
            model::TimeSignature ts;
            if (!field(t, "tick", where, 0, kMaxTick, ts.tick) ||
                !field(t, "numerator", where, 1, 255, ts.numerator) ||
                !field(t, "denominator", where, 1, 1 << 30, ts.denominator) ||
                !field(t, "clocksPerClick", where, 0, 255, ts.clocksPerClick) ||
                !field(t, "thirtySecondsPerQuarter", where, 0, 255, ts.thirtySecondsPerQuarter))
                return false;
            if ((ts.denominator & (ts.denominator - 1)) != 0)
                return fail(where, tr("the denominator must be a power of two"));
            map.setTimeSignature(ts);
        }
        if (!array(o, "keySignatures", QStringLiteral("song"), list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString where = QStringLiteral("song.keySignatures[%1]").arg(i);
            const QJsonObject k = list[i].toObject();
            model::KeySignature ks;
            if (!field(k, "tick", where, 0, kMaxTick, ks.tick) ||
                !field(k, "sharps", where, -7, 7, ks.sharps))
                return false;
            ks.minor = k.value(QLatin1String("minor")).toBool();
            map.setKeySignature(ks);
        }
        song.setTempoMap(map);

        if (!array(o, "tracks", QStringLiteral("song"), list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString where = QStringLiteral("song.tracks[%1]").arg(i);
            if (!list[i].isObject())
                return fail(where, tr("an object was expected"));
            if (!track(list[i].toObject(), where, song))
                return false;
        }
        return true;
    }

    bool track(const QJsonObject& o, const QString& where, model::Song& song) {
        model::Track t;
        std::vector<model::Note> notes;
        if (!trackProperties(o, where, t) || !trackEvents(o, where, t) ||
            !noteList(o, where, notes))
            return false;
        song.addTrack(std::move(t), std::move(notes)); // one sort, no copies
        return true;
    }

    // The track's properties and its End of Track tick.
    bool trackProperties(const QJsonObject& o, const QString& where, model::Track& t) {
        model::TrackProperties& p = t.properties;
        p.name = o.value(QLatin1String("name")).toString().toStdString();
        if (!field(o, "channel", where, 0, 15, p.channel))
            return false;
        const QJsonValue program = o.value(QLatin1String("program"));
        if (!program.isNull() && !program.isUndefined()) {
            std::uint8_t value = 0;
            if (!field(o, "program", where, 0, 127, value))
                return false;
            p.program = value;
        }
        p.muted = o.value(QLatin1String("muted")).toBool();
        p.solo = o.value(QLatin1String("solo")).toBool();
        const QString colour = o.value(QLatin1String("colour")).toString();
        bool ok = colour.size() == 7 && colour.startsWith(QLatin1Char('#'));
        const uint rgb = ok ? colour.mid(1).toUInt(&ok, 16) : 0;
        if (!ok)
            return fail(where + QStringLiteral(".colour"), tr("\"#rrggbb\" was expected"));
        p.colour = rgb;
        if (o.contains(QLatin1String("endOfTrack")) &&
            !field(o, "endOfTrack", where, 0, kMaxTick, t.endOfTrack))
            return false;
        return true;
    }

    bool trackEvents(const QJsonObject& o, const QString& where, model::Track& t) {
        QJsonArray list;
        if (!array(o, "channelEvents", where, list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString w = where + QStringLiteral(".channelEvents[%1]").arg(i);
            const QJsonArray a = list[i].toArray();
            double tick = 0, status = 0, d1 = 0, d2 = 0;
            if (a.size() != 4)
                return fail(w, tr("[tick, status, data1, data2] was expected"));
            if (!integer(a[0], w, 0, kMaxTick, tick) || !integer(a[1], w, 0x80, 0xEF, status) ||
                !integer(a[2], w, 0, 127, d1) || !integer(a[3], w, 0, 127, d2))
                return false;
            t.channelEvents.push_back(
                {model::Tick(tick), std::uint8_t(status), std::uint8_t(d1), std::uint8_t(d2)});
        }
        if (!array(o, "metaEvents", where, list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString w = where + QStringLiteral(".metaEvents[%1]").arg(i);
            const QJsonObject e = list[i].toObject();
            model::MetaEvent m;
            if (!field(e, "tick", w, 0, kMaxTick, m.tick) || !field(e, "type", w, 0, 127, m.type) ||
                !bytes(e.value(QLatin1String("data")), w + QStringLiteral(".data"), m.data))
                return false;
            t.metaEvents.push_back(std::move(m));
        }
        if (!array(o, "sysEx", where, list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString w = where + QStringLiteral(".sysEx[%1]").arg(i);
            const QJsonObject e = list[i].toObject();
            model::SysExEvent s;
            if (!field(e, "tick", w, 0, kMaxTick, s.tick) ||
                !bytes(e.value(QLatin1String("data")), w + QStringLiteral(".data"), s.data))
                return false;
            s.escaped = e.value(QLatin1String("escaped")).toBool();
            t.sysExEvents.push_back(std::move(s));
        }
        return true;
    }
};

} // namespace

QByteArray ProjectFile::serialize(const Project& project) {
    QJsonObject training{{"files", QJsonArray::fromStringList(project.trainingFiles)}};
    if (!project.trainingTracks.empty()) {
        QJsonArray tracks;
        for (int index : project.trainingTracks)
            tracks.append(index);
        training.insert("tracks", tracks);
    }
    if (!project.trainingModel.isEmpty())
        training.insert("model", project.trainingModel);
    QJsonObject root{
        {"format", QLatin1String(kFormat)}, {"version", project.takes.empty() ? 1 : kVersion},
        {"song", songToJson(project.song)}, {"training", training},
        {"generation", project.generation}, {"model", project.modelPath}};
    if (project.loop != LoopRange{})
        root.insert("loop", QJsonObject{{"enabled", project.loop.enabled},
                                        {"start", double(project.loop.start)},
                                        {"end", double(project.loop.end)}});
    if (!project.takes.empty())
        root.insert("takes", takesToJson(project.takes));
    if (!project.recoveryFor.isNull())
        root.insert("recoveryFor", project.recoveryFor);
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QString ProjectFile::parse(const QByteArray& json, Project& out) {
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (doc.isNull())
        return tr("not a Torchestra project (%1 at byte %2)")
            .arg(parseError.errorString())
            .arg(parseError.offset);
    const QJsonObject root = doc.object();
    if (!doc.isObject() || root.value(QLatin1String("format")).toString() != QLatin1String(kFormat))
        return tr("not a Torchestra project (no \"format\": \"%1\")").arg(QLatin1String(kFormat));
    const QJsonValue version = root.value(QLatin1String("version"));
    if (!version.isDouble() || version.toDouble() != std::floor(version.toDouble()) ||
        version.toDouble() < 1)
        return tr("the project has no valid version number");
    if (version.toDouble() > kVersion)
        return tr("the project was saved by a newer Torchestra (format version %1; this version "
                  "reads up to %2). Please update Torchestra to open it.")
            .arg(version.toDouble())
            .arg(kVersion);

    if (!root.value(QLatin1String("song")).isObject())
        return tr("the project has no song");
    Reader reader;
    out = Project{};
    if (!reader.song(root.value(QLatin1String("song")).toObject(), out.song))
        return tr("the project is damaged (%1)").arg(reader.error);
    const QJsonObject training = root.value(QLatin1String("training")).toObject();
    for (const QJsonValue& f : training.value(QLatin1String("files")).toArray())
        if (f.isString())
            out.trainingFiles << f.toString();
    QJsonArray tracks;
    if (!reader.array(training, "tracks", QStringLiteral("training"), tracks))
        return tr("the project is damaged (%1)").arg(reader.error);
    for (qsizetype i = 0; i < tracks.size(); ++i) {
        double index = 0;
        if (!reader.integer(tracks[i], QStringLiteral("training.tracks[%1]").arg(i), 0, 65535,
                            index))
            return tr("the project is damaged (%1)").arg(reader.error);
        out.trainingTracks.push_back(int(index));
    }
    out.trainingModel = training.value(QLatin1String("model")).toObject();
    if (root.contains(QLatin1String("loop"))) {
        const QJsonObject loop = root.value(QLatin1String("loop")).toObject();
        if (!reader.field(loop, "start", QStringLiteral("loop"), 0, kMaxTick, out.loop.start) ||
            !reader.field(loop, "end", QStringLiteral("loop"), 0, kMaxTick, out.loop.end))
            return tr("the project is damaged (%1)").arg(reader.error);
        if (out.loop.end < out.loop.start)
            return tr("the project is damaged (loop: the end is before the start)");
        out.loop.enabled = loop.value(QLatin1String("enabled")).toBool();
    }
    QJsonArray takes;
    if (!reader.array(root, "takes", QStringLiteral("project"), takes))
        return tr("the project is damaged (%1)").arg(reader.error);
    if (const QString err = takesFromJson(takes, out.takes); !err.isEmpty())
        return tr("the project is damaged (%1)").arg(err);
    out.generation = root.value(QLatin1String("generation")).toObject();
    out.modelPath = root.value(QLatin1String("model")).toString();
    if (root.contains(QLatin1String("recoveryFor")))
        out.recoveryFor = root.value(QLatin1String("recoveryFor")).toString(QLatin1String(""));
    return {};
}

QString ProjectFile::write(const QString& path, const Project& project) {
    const QByteArray json = serialize(project);
    const std::string error = base::writeFileAtomically(
        QFile::encodeName(path).toStdString(), std::string_view(json.constData(), json.size()));
    return QString::fromStdString(error);
}

QString ProjectFile::read(const QString& path, Project& out) {
    std::string bytes;
    const std::string error = base::readWholeFile(QFile::encodeName(path).toStdString(), bytes,
                                                  std::size_t(kMaxProjectBytes));
    if (!error.empty())
        return QString::fromStdString(error);
    return parse(QByteArray(bytes.data(), qsizetype(bytes.size())), out);
}

bool ProjectFile::isProjectFileName(const QString& path) {
    return QFileInfo(path).suffix().compare(QLatin1String(kSuffix), Qt::CaseInsensitive) == 0;
}

} // namespace torchestra::project
