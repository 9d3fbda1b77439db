#include "project/JsonReader.h"

namespace torchestra::project {

QJsonArray notesToJson(const std::vector<model::Note>& notes) {
    QJsonArray out;
    for (const model::Note& n : notes)
        out.append(QJsonArray{double(n.start), double(n.length), n.pitch, n.velocity,
                              n.releaseVelocity, n.channel});
    return out;
}

bool JsonReader::noteList(const QJsonObject& o, const QString& where,
                          std::vector<model::Note>& notes) {
    QJsonArray list;
    if (!array(o, "notes", where, list))
        return false;
    notes.reserve(std::size_t(list.size()));
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString w = where + QStringLiteral(".notes[%1]").arg(i);
        const QJsonArray a = list[i].toArray();
        if (a.size() != 6)
            return fail(w, tr("[start, length, pitch, velocity, release, channel] was expected"));
        double v[6];
        const double hi[6] = {kMaxTick, kMaxTick, 127, 127, 127, 15};
        for (int k = 0; k < 6; ++k)
            if (!integer(a[k], w, 0, hi[k], v[k]))
                return false;
        model::Note n;
        n.start = model::Tick(v[0]);
        n.length = model::Tick(v[1]);
        n.pitch = std::uint8_t(v[2]);
        n.velocity = std::uint8_t(v[3]);
        n.releaseVelocity = std::uint8_t(v[4]);
        n.channel = std::uint8_t(v[5]);
        notes.push_back(n);
    }
    return true;
}

} // namespace torchestra::project
