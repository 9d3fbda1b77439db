#pragma once

// Reading JSON documents of the project's formats (ProjectFile.h, Takes.h): every value is
// checked and the first problem is reported with where it is ("song.tracks[2].notes[5]: ...").
// Notes are compact arrays [start, length, pitch, velocity, releaseVelocity, channel].

#include "model/Note.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <cmath>
#include <string>
#include <vector>

namespace torchestra::project {

// The largest tick a project may hold: below 2^53, so exact as a JSON double.
constexpr double kMaxTick = 9.0e15;

QJsonArray notesToJson(const std::vector<model::Note>& notes);

class JsonReader {
public:
    static QString tr(const char* text) { return QCoreApplication::translate("ProjectFile", text); }

    QString error;

    bool fail(const QString& where, const QString& what) {
        if (error.isEmpty())
            error = tr("%1: %2").arg(where, what);
        return false;
    }
    // An integer in [lo, hi]; JSON numbers are doubles, so whole values up to 2^53 are exact.
    bool integer(const QJsonValue& v, const QString& where, double lo, double hi, double& out) {
        if (!v.isDouble())
            return fail(where, tr("a number was expected"));
        const double d = v.toDouble();
        if (d != std::floor(d) || d < lo || d > hi)
            return fail(where, tr("%1 is out of range").arg(d));
        out = d;
        return true;
    }
    template <typename T>
    bool field(const QJsonObject& o, const char* key, const QString& where, double lo, double hi,
               T& out) {
        double d = 0;
        if (!integer(o.value(QLatin1String(key)), where + QLatin1Char('.') + QLatin1String(key), lo,
                     hi, d))
            return false;
        out = T(d);
        return true;
    }
    bool bytes(const QJsonValue& v, const QString& where, std::string& out) {
        if (!v.isString())
            return fail(where, tr("base64 text was expected"));
        const auto decoded = QByteArray::fromBase64Encoding(
            v.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(where, tr("invalid base64"));
        out.assign(decoded.decoded.constData(), std::size_t(decoded.decoded.size()));
        return true;
    }
    bool array(const QJsonObject& o, const char* key, const QString& where, QJsonArray& out) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined()) {
            out = {};
            return true; // optional lists may be left out
        }
        if (!v.isArray())
            return fail(where + QLatin1Char('.') + QLatin1String(key), tr("a list was expected"));
        out = v.toArray();
        return true;
    }
    // The list `key` of `o` as notes (left out: none).
    bool noteList(const QJsonObject& o, const QString& where, std::vector<model::Note>& notes);
};

} // namespace torchestra::project
