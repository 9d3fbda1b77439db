#include "ui/pianoroll/PianoRollToolTip.h"

#include "ui/pianoroll/PianoRollView.h" // the keyboard's width

#include "project/GeneralMidi.h"

#include <cmath>

namespace torchestra::ui {

QString PianoRollToolTip::at(const model::Song* song, const PianoRollGeometry& geometry,
                             model::TrackId activeTrack, bool ghostNotes, const QPoint& pos) {
    const QRectF area = geometry.noteArea();
    if (pos.x() < PianoRollView::kKeyboardWidth && pos.y() >= area.top() &&
        pos.y() < area.bottom()) {
        // The keyboard: the key's name and number, and its GM drum sound (on channel 10 notes
        // are drums, and the name is what a drum track's reader needs).
        const int pitch = geometry.yToPitch(pos.y());
        if (pitch < 0 || pitch > 127)
            return {};
        const QString drum = project::gm::drumNoteName(pitch);
        return drum.isEmpty() ? tr("%1 (%2)").arg(project::gm::pitchName(pitch)).arg(pitch)
                              : tr("%1 (%2) \u00b7 drums: %3")
                                    .arg(project::gm::pitchName(pitch))
                                    .arg(pitch)
                                    .arg(drum);
    }
    if (!song || !area.contains(pos))
        return {};
    const int pitch = geometry.yToPitch(pos.y());
    const model::Tick tick = model::Tick(std::floor(geometry.xToTick(pos.x())));
    const model::Note* hit = nullptr;
    const model::Track* hitTrack = nullptr;
    // Topmost first: the active track is painted last, so it wins; then later tracks.
    for (auto it = song->tracks().rbegin(); it != song->tracks().rend(); ++it) {
        if (!ghostNotes && activeTrack != model::kNoTrack && it->id() != activeTrack)
            continue;
        it->forEachNoteInRange(tick, tick + 1, [&](const model::Note& n) {
            if (n.pitch == pitch && (!hit || it->id() == activeTrack)) {
                hit = &n;
                hitTrack = &*it;
            }
        });
    }
    if (!hit)
        return {};
    const model::TempoMap& map = song->tempoMap();
    const QString trackName = hitTrack->properties.name.empty()
                                  ? tr("Track %1").arg(song->trackIndex(hitTrack->id()) + 1)
                                  : QString::fromStdString(hitTrack->properties.name);
    return tr("<b>%1</b> &middot; %2<br>Start %3 &middot; length %4 ticks &middot; velocity %5")
        .arg(project::gm::pitchName(hit->pitch), trackName.toHtmlEscaped(),
             QString::fromStdString(map.tickToBarBeatTick(hit->start).toString()))
        .arg(hit->length)
        .arg(hit->velocity);
}

} // namespace torchestra::ui
