#pragma once

// File-dialog filters built from the one list of MIDI suffixes (midi/MidiFileTypes.h), so the
// Open, Import and training dialogs offer the same files the readers accept.

#include <QString>

namespace torchestra::ui {

// "*.mid *.midi *.kar *.rmi *.smf"
QString midiFilePatterns();
// "MIDI files (*.mid ...)"
QString midiFileFilter();
// "Projects and MIDI files (*.torchestra *.mid ...)"
QString projectOrMidiFileFilter();

} // namespace torchestra::ui
