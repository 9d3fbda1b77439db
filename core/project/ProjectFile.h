#pragma once

#include "model/Song.h"
#include "project/Takes.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <vector>

namespace torchestra::project {

// The transport's loop as the project keeps it: the range stays even while looping is off.
struct LoopRange {
    bool enabled = false;
    model::Tick start = 0;
    model::Tick end = 0;
    bool operator==(const LoopRange& o) const {
        return enabled == o.enabled && start == o.start && end == o.end;
    }
    bool operator!=(const LoopRange& o) const { return !(*this == o); }
};

// What a .torchestra project holds: the whole song (tracks, notes, non-note events, tempo, metre
// and key maps), the files chosen for training and the tracks of them to learn from, the
// training and generation settings, the model used and the loop range.
struct Project {
    model::Song song;
    QStringList trainingFiles;
    // Track indices (as `torchestra-cli inspect` counts them, from 0) to learn from in every
    // training file; empty means every track without GM drums, as before the choice existed.
    std::vector<int> trainingTracks;
    // The Train panel's model settings (kind, size, epochs), kept verbatim: the panel owns them.
    QJsonObject trainingModel;
    // The Generate panel's settings, kept verbatim: the panel owns their meaning.
    QJsonObject generation;
    QString modelPath;
    LoopRange loop;
    // What the Generate panel wrote, kept with its provenance (Takes.h).
    std::vector<Take> takes;
    // Only in autosave recovery files: the project the recovery belongs to ("" = untitled).
    QString recoveryFor;
};

// Reads and writes projects as versioned JSON:
//   {"format": "torchestra-project", "version": 1, "song": {...},
//    "training": {"files": [...], "tracks": [1, 2], "model": {...}},
//    "generation": {...}, "model": "path", "loop": {"enabled": true, "start": 0, "end": 1920}}
// "training.tracks", "training.model" and "loop" came later within version 1: they are optional
// (a project without them reads as all tracks, default settings, no loop), so older projects
// open unchanged and older readers simply ignore them.
// Version 2 adds "takes" (Takes.h). A project is written as version 2 only when it has takes:
// a version-1 reader would drop them on its next save, so it says the project is newer
// instead; a project without takes stays version 1 and opens in the previous version as before.
// Version-1 projects read as version 2 without takes.
// Notes are stored as compact arrays [start, length, pitch, velocity, releaseVelocity, channel];
// meta and SysEx bytes as base64. A round trip keeps the song's content (Song::sameContent
// without ids: ids are the running song's business and are handed out afresh on load).
//
// Pure functions of their arguments: any thread (the window runs them on a worker).
class ProjectFile {
public:
    static constexpr int kVersion = 2;
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

} // namespace torchestra::project
