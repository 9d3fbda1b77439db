#include "ui/common/MidiMime.h"

#include "midi/MidiFile.h"

#include <QDir>
#include <QFile>
#include <QMimeData>
#include <QUrl>

#include <memory>

namespace torchestra::ui {

QString midiDragFolder() {
    return QDir::temp().filePath(QStringLiteral("torchestra-midi"));
}

QMimeData* midiMimeData(const model::Song& excerpt, const QString& fileName, QString& error) {
    const QString folder = midiDragFolder();
    if (!QDir().mkpath(folder)) {
        error = QObject::tr("Cannot create the folder %1 for the MIDI file").arg(folder);
        return nullptr;
    }
    const QString path = QDir(folder).filePath(fileName);
    const std::string written = midi::writeMidiFile(QFile::encodeName(path).toStdString(), excerpt);
    if (!written.empty()) {
        error = QString::fromStdString(written);
        return nullptr;
    }
    QMimeData* mime = midiBytesMimeData(excerpt);
    mime->setUrls({QUrl::fromLocalFile(path)});
    return mime;
}

QMimeData* midiBytesMimeData(const model::Song& excerpt) {
    const QByteArray bytes = QByteArray::fromStdString(midi::writeMidi(excerpt));
    auto mime = std::make_unique<QMimeData>();
    mime->setData(QString::fromLatin1(kMidiMimeType), bytes);
    mime->setData(QStringLiteral("audio/x-midi"), bytes);
    return mime.release();
}

} // namespace torchestra::ui
