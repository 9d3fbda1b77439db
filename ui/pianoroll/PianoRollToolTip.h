#pragma once

#include "ui/pianoroll/PianoRollGeometry.h"

#include "model/Song.h"

#include <QCoreApplication>
#include <QPoint>
#include <QString>

namespace torchestra::ui {

// The piano roll's tooltips: over the keyboard, a key's name, number and GM drum sound; over a
// note, its pitch, track, start, length and velocity (the topmost note of the tracks shown, the
// active track's first). Empty elsewhere. Reads values only, so it needs no widget.
class PianoRollToolTip {
    Q_DECLARE_TR_FUNCTIONS(PianoRollToolTip)
public:
    // `pos` is in viewport coordinates; ghost notes count only when `ghostNotes` is on.
    static QString at(const model::Song* song, const PianoRollGeometry& geometry,
                      model::TrackId activeTrack, bool ghostNotes, const QPoint& pos);
};

} // namespace torchestra::ui
