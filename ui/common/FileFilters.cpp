#include "ui/common/FileFilters.h"

#include "midi/MidiFileTypes.h"

#include <QCoreApplication>
#include <QStringList>

namespace torchestra::ui {

QString midiFilePatterns() {
    QStringList patterns;
    for (const std::string& suffix : midi::midiFileSuffixes())
        patterns << QStringLiteral("*.") + QString::fromStdString(suffix);
    return patterns.join(QLatin1Char(' '));
}

QString midiFileFilter() {
    return QCoreApplication::translate("FileFilters", "MIDI files (%1)").arg(midiFilePatterns());
}

QString projectOrMidiFileFilter() {
    return QCoreApplication::translate("FileFilters", "Projects and MIDI files (*.torchestra %1)")
        .arg(midiFilePatterns());
}

} // namespace torchestra::ui
