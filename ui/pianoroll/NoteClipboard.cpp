#include "ui/pianoroll/NoteClipboard.h"

#include "ui/common/MidiMime.h"

#include "midi/MidiFile.h"
#include "project/JsonReader.h"
#include "project/MidiExcerpt.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>

#include <algorithm>
#include <memory>

namespace torchestra::ui {

namespace {

// Starts relative to the earliest note, no ids.
std::vector<model::Note> fromZero(std::vector<model::Note> notes) {
    if (notes.empty())
        return notes;
    model::Tick first = notes.front().start;
    for (const model::Note& n : notes)
        first = std::min(first, n.start);
    for (model::Note& n : notes) {
        n.start -= first;
        n.id = model::kNoNote;
    }
    return notes;
}

// The notes the clipboard holds and the resolution of their ticks (0 when it holds none).
std::vector<model::Note> clipboardNotes(int& ppq) {
    ppq = 0;
    const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
    if (!mime)
        return {};
    if (mime->hasFormat(QString::fromLatin1(NoteClipboard::kNotesMimeType))) {
        const QJsonObject o =
            QJsonDocument::fromJson(mime->data(QString::fromLatin1(NoteClipboard::kNotesMimeType)))
                .object();
        project::JsonReader reader;
        std::vector<model::Note> notes;
        if (reader.noteList(o, QStringLiteral("clipboard"), notes) && o.contains("ppq")) {
            ppq = o.value(QStringLiteral("ppq")).toInt();
            return notes;
        }
    }
    if (mime->hasFormat(QString::fromLatin1(kMidiMimeType))) {
        const QByteArray bytes = mime->data(QString::fromLatin1(kMidiMimeType));
        const midi::ReadResult read =
            midi::readMidi(std::string_view(bytes.constData(), std::size_t(bytes.size())));
        if (read.ok) {
            std::vector<model::Note> notes;
            for (const model::Track& track : read.song.tracks())
                notes.insert(notes.end(), track.notes().begin(), track.notes().end());
            ppq = read.song.ppq();
            return fromZero(std::move(notes));
        }
    }
    return {};
}

} // namespace

bool NoteClipboard::store(std::vector<model::Note> notes, const model::Song& song,
                          const model::TrackProperties& properties) {
    if (notes.empty())
        return false;
    // The MIDI file starts at the bar line before the notes, so they keep their place in the bar.
    const model::Tick from = project::excerptStart(song, notes);
    const model::Song excerpt = project::midiExcerpt(song, {{properties, notes}}, from);
    notes = fromZero(std::move(notes));
    std::unique_ptr<QMimeData> mime(midiBytesMimeData(excerpt));
    QJsonObject o;
    o.insert(QStringLiteral("ppq"), song.ppq());
    o.insert(QStringLiteral("notes"), project::notesToJson(notes));
    mime->setData(QString::fromLatin1(kNotesMimeType), QJsonDocument(o).toJson());
    QGuiApplication::clipboard()->setMimeData(mime.release());
    return true;
}

bool NoteClipboard::hasNotes() {
    int ppq = 0;
    return !clipboardNotes(ppq).empty();
}

std::vector<model::Note> NoteClipboard::notesAt(model::Tick start, std::uint8_t channel, int ppq) {
    int from = 0;
    std::vector<model::Note> notes = clipboardNotes(from);
    for (model::Note& n : notes) {
        if (from > 0 && from != ppq) { // another resolution: the same musical times
            n.start = n.start * ppq / from;
            n.length = std::max<model::Tick>(1, n.length * ppq / from);
        }
        n.start += start;
        n.channel = channel;
    }
    return notes;
}

} // namespace torchestra::ui
