#pragma once

#include "model/Song.h"

#include <QString>

class QMimeData;

namespace torchestra::ui {

// What a .mid leaving the workstation carries (a drag onto a desktop or into a DAW, a copy to
// the clipboard): the Standard MIDI File's bytes as audio/midi and audio/x-midi, and a file URL
// of the same bytes, written (atomically) to a folder of the temporary directory, which is what
// DAWs and file managers take from a drop.
inline constexpr const char* kMidiMimeType = "audio/midi";

// The MIME data of `excerpt` written as `fileName` (project::excerptFileName in
// project/MidiExcerpt.h), or null with `error` set (naming the file) when the file cannot be
// written. The caller owns the result.
QMimeData* midiMimeData(const model::Song& excerpt, const QString& fileName, QString& error);
// The bytes alone (audio/midi, audio/x-midi), no file: what the clipboard carries, so a copy
// never waits for the disk.
QMimeData* midiBytesMimeData(const model::Song& excerpt);

// The folder drags and copies write their files to (under the temporary directory).
QString midiDragFolder();

} // namespace torchestra::ui
