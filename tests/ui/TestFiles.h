#pragma once

// Files the GUI tests open: songs built in code and written with the real writer, and byte
// strings for what the writer would never produce (broken files, notes left open).

#include "common/TestNotes.h"

#include <QAbstractItemModel>
#include <QString>

#include "midi/MidiFile.h"
#include "model/Song.h"
#include <optional>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include <ostream>

// Readable QStrings in GoogleTest failure messages.
inline void PrintTo(const QString& s, std::ostream* os) {
    *os << '"' << s.toStdString() << '"';
}

namespace torchestra::ui::test {

// A row of an item model read as a list item is: its cells' text and tooltips.
struct ModelRow {
    const QAbstractItemModel* model = nullptr;
    int row = -1;
    QString text(int column) const { return model->index(row, column).data().toString(); }
    QString toolTip(int column) const {
        return model->index(row, column).data(Qt::ToolTipRole).toString();
    }
    QModelIndex index() const { return model->index(row, 0); }
};

// The row whose `column` reads `text`, if any.
inline std::optional<ModelRow> findRow(const QAbstractItemModel* model, int column,
                                       const QString& text) {
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, column).data().toString() == text)
            return ModelRow{model, r};
    return std::nullopt;
}

using ::torchestra::testkit::makeNote;

// Two tracks: "Lead" (violin, channel 1) with three notes, "Drums" (channel 10) with six.
inline model::Song makeSmallSong() {
    model::Song song;
    model::Track lead;
    lead.properties.name = "Lead";
    lead.properties.channel = 0;
    lead.properties.program = 40; // Violin
    const model::TrackId leadId = song.addTrack(lead);
    song.addNotes(leadId, {makeNote(0, 960, 60, 127), makeNote(960, 480, 64, 100),
                           makeNote(1920, 960, 67, 127)});
    model::Track drums;
    drums.properties.name = "Drums";
    drums.properties.channel = 9;
    drums.properties.program = 0;
    const model::TrackId drumsId = song.addTrack(drums);
    std::vector<model::Note> hits;
    for (int beat = 0; beat < 6; ++beat)
        hits.push_back(makeNote(beat * 480, 120, beat % 2 ? 38 : 36, 110, 9));
    song.addNotes(drumsId, hits);
    return song;
}

inline QString writeSong(const QTemporaryDir& dir, const QString& name, const model::Song& song) {
    const QString path = dir.filePath(name);
    const std::string error = midi::writeMidiFile(QFile::encodeName(path).toStdString(), song);
    EXPECT_EQ(error, "");
    return path;
}

inline QString writeBytes(const QTemporaryDir& dir, const QString& name, const std::string& bytes) {
    const QString path = dir.filePath(name);
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::WriteOnly));
    EXPECT_EQ(file.write(bytes.data(), qint64(bytes.size())), qint64(bytes.size()));
    return path;
}

inline std::string bytes(std::initializer_list<int> list) {
    std::string out;
    for (int b : list)
        out.push_back(char(b));
    return out;
}

// A format 0 file whose only note is switched on and never off: it loads, with a warning.
inline std::string unterminatedNoteFile() {
    const std::string track = bytes({0x00, 0x90, 0x3C, 0x64,         // note on C4
                                     0x83, 0x60, 0xFF, 0x2F, 0x00}); // 480 ticks, End of Track
    return bytes({'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xE0}) +
           bytes({'M', 'T', 'r', 'k', 0, 0, 0, int(track.size())}) + track;
}

// Waits (processing events) until pred() holds or the timeout passes; returns pred().
template <typename Pred> bool waitUntil(Pred pred, int timeoutMs = 5000) {
    QElapsedTimer timer;
    timer.start();
    while (!pred() && timer.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    return pred();
}

} // namespace torchestra::ui::test
