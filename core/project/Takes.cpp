#include "project/Takes.h"

#include "project/JsonReader.h"

#include <QCryptographicHash>
#include <QFile>

#include <algorithm>

namespace torchestra::project {

namespace {

// Bijective base 26: A = 0, Z = 25, AA = 26; -1 for anything else.
long ordinalOf(const QString& name) {
    if (name.isEmpty() || name.size() > 8)
        return -1;
    long n = 0;
    for (const QChar c : name) {
        if (c < QLatin1Char('A') || c > QLatin1Char('Z'))
            return -1;
        n = n * 26 + (c.unicode() - 'A' + 1);
    }
    return n - 1;
}

constexpr double kMaxSeed = 9007199254740991.0; // 2^53 - 1: exact as a JSON double

} // namespace

QString takeName(long ordinal) {
    QString name;
    for (long n = std::max(0L, ordinal) + 1; n > 0; n = (n - 1) / 26)
        name.prepend(QChar('A' + int((n - 1) % 26)));
    return name;
}

QString nextTakeName(const std::vector<Take>& takes) {
    long last = -1;
    for (const Take& t : takes)
        last = std::max(last, ordinalOf(t.name));
    return takeName(last + 1);
}

QString checkpointHash(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex().left(16));
}

QJsonArray takesToJson(const std::vector<Take>& takes) {
    QJsonArray out;
    for (const Take& t : takes) {
        const TakeProvenance& p = t.provenance;
        out.append(QJsonObject{
            {"name", t.name},
            {"notes", notesToJson(t.notes)},
            {"model", p.model},
            {"modelPath", p.modelPath},
            {"checkpointHash", p.checkpointHash},
            {"seed", double(p.seed)},
            {"variations", p.variations},
            {"variation", p.variation},
            {"temperature", p.temperature},
            {"constraints", p.constraints},
            {"primerFrom", double(p.primerFrom)},
            {"from", double(p.from)},
            {"to", double(p.to)},
            {"track", p.track},
            {"regenerated", p.regenerated},
            {"time", p.time.toUTC().toString(Qt::ISODateWithMs)},
        });
    }
    return out;
}

QString takesFromJson(const QJsonArray& json, std::vector<Take>& out) {
    out.clear();
    JsonReader r;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const QString where = QStringLiteral("takes[%1]").arg(i);
        if (!json[i].isObject())
            return where + QStringLiteral(": ") + JsonReader::tr("an object was expected");
        const QJsonObject o = json[i].toObject();
        Take t;
        TakeProvenance& p = t.provenance;
        t.name = o.value(QLatin1String("name")).toString();
        if (ordinalOf(t.name) < 0)
            return where + QStringLiteral(".name: ") +
                   JsonReader::tr("a take name (A, B, ... AA, ...) was expected");
        if (!r.noteList(o, where, t.notes) || !r.field(o, "seed", where, 0, kMaxSeed, p.seed) ||
            !r.field(o, "variations", where, 1, 4096, p.variations) ||
            !r.field(o, "variation", where, 0, p.variations - 1, p.variation) ||
            !r.field(o, "primerFrom", where, 0, kMaxTick, p.primerFrom) ||
            !r.field(o, "from", where, double(p.primerFrom), kMaxTick, p.from) ||
            !r.field(o, "to", where, double(p.from), kMaxTick, p.to) ||
            !r.field(o, "track", where, 0, 65535, p.track))
            return r.error;
        const QJsonValue temperature = o.value(QLatin1String("temperature"));
        if (!temperature.isDouble() || !(temperature.toDouble() > 0) ||
            temperature.toDouble() > 100)
            return where + QStringLiteral(".temperature: ") +
                   JsonReader::tr("a positive number was expected");
        p.temperature = temperature.toDouble();
        p.model = o.value(QLatin1String("model")).toString();
        p.modelPath = o.value(QLatin1String("modelPath")).toString();
        p.checkpointHash = o.value(QLatin1String("checkpointHash")).toString();
        p.constraints = o.value(QLatin1String("constraints")).toObject();
        p.regenerated = o.value(QLatin1String("regenerated")).toBool();
        p.time =
            QDateTime::fromString(o.value(QLatin1String("time")).toString(), Qt::ISODateWithMs);
        out.push_back(std::move(t));
    }
    return {};
}

} // namespace torchestra::project
