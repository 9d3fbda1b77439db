#pragma once

#include "model/Song.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace torchestra::ui {

// What a .torchestra project holds: the whole song (tracks, notes, non-note events, tempo, metre
// and key maps), the files chosen for training, the generation settings and the model used.
struct Project {
    model::Song song;
    QStringList trainingFiles;
    // The Generate panel's settings, kept verbatim: the panel owns their meaning.
    QJsonObject generation;
    QString modelPath;
    // Only in autosave recovery files: the project the recovery belongs to ("" = untitled).
    QString recoveryFor;
};

// Reads and writes projects as versioned JSON:
//   {"format": "torchestra-project", "version": 1, "song": {...}, "training": {"files": [...]},
//    "generation": {...}, "model": "path"}
// Notes are stored as compact arrays [start, length, pitch, velocity, releaseVelocity, channel];
// meta and SysEx bytes as base64. A round trip keeps the song's content (Song::sameContent
// without ids: ids are the running song's business and are handed out afresh on load).
//
// Pure functions of their arguments: any thread (the window runs them on a worker).
class ProjectFile {
public:
    static constexpr int kVersion = 1;
    static constexpr const char* kFormat = "torchestra-project";
    static constexpr const char* kSuffix = "torchestra";

    static QByteArray serialize(const Project& project);
    // Fills `out` and returns "" on success; otherwise returns a message a user can read (not
    // a project, a newer version, or what is wrong and where) and leaves `out` unspecified.
    static QString parse(const QByteArray& json, Project& out);

    // Atomic write (temporary file + rename): a crash leaves the old file or the new one.
    // Returns "" or a message naming the file and the problem.
    static QString write(const QString& path, const Project& project);
    static QString read(const QString& path, Project& out);

    static bool isProjectFileName(const QString& path);
};

} // namespace torchestra::ui
