#pragma once

// Takes: what the Generate panel wrote, kept in the project with where each came from (the
// model and its checkpoint, seed, temperature, constraints, primer and bar range, time), so a
// composer can keep several ideas, come back to them, and make one again exactly.

#include "model/Note.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <vector>

namespace torchestra::project {

struct TakeProvenance {
    QString model;          // the model's name as the library shows it
    QString modelPath;      // its checkpoint file
    QString checkpointHash; // of that file when the take was made (checkpointHash())
    std::uint64_t seed = 1;
    int variations = 1; // sampled together in one batch: a take is made again with the same
    int variation = 0;  // count, and is the variation-th of them
    double temperature = 1.0;
    QJsonObject constraints;    // key, scale, pitch range, density (the Generate panel's keys)
    model::Tick primerFrom = 0; // the primer is [primerFrom, from); primerFrom == from: none
    model::Tick from = 0;       // the bars the take fills, [from, to)
    model::Tick to = 0;
    int track = 0;            // the target track's index in the song when it was made
    bool regenerated = false; // it rewrote [from, to) (else it continued after the primer)
    QDateTime time;           // when it was made (UTC)
};

struct Take {
    QString name;                   // stable within the project: A, B, ... Z, AA, AB, ...
    std::vector<model::Note> notes; // in song ticks
    TakeProvenance provenance;
};

// The name of the ordinal-th take of a project (0 -> A, 25 -> Z, 26 -> AA, ...).
QString takeName(long ordinal);
// The next name after those in `takes` (names are never reused while a take holds them).
QString nextTakeName(const std::vector<Take>& takes);

// The first 16 hex digits of the SHA-256 of a checkpoint file's bytes; "" when it cannot be
// read (a take whose model is gone still plays: its provenance says so).
QString checkpointHash(const QString& path);

QJsonArray takesToJson(const std::vector<Take>& takes);
// Fills `out`; returns "" or where and what is wrong ("takes[1].seed: ...").
QString takesFromJson(const QJsonArray& json, std::vector<Take>& out);

} // namespace torchestra::project
