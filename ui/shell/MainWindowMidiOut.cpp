// MainWindow's ways out to other programs: a track (from the track list), a take (from the
// Generate panel's Takes tab) or the selected notes (from the toolbar's MIDI handle) dragged
// onto a desktop or into a DAW as a .mid file. Kept apart from MainWindow.cpp, which builds the
// window.

#include "ui/shell/MainWindow.h"

#include "ui/common/MidiDragSource.h"
#include "ui/common/MidiMime.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/TakesView.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/shell/EditToolBar.h"

#include <QLabel>
#include <QTreeView>
#include <QTreeWidget>

namespace torchestra::ui {

namespace {

// "Flute" or "Track 3" when a track has no name.
QString trackTitle(const model::Track& track, int index) {
    return track.properties.name.empty() ? QObject::tr("Track %1").arg(index + 1)
                                         : QString::fromStdString(track.properties.name);
}

// "bars 5-8" (one-based, inclusive) of the ticks [from, to).
QString barsText(const model::Song& song, model::Tick from, model::Tick to) {
    const model::TempoMap& map = song.tempoMap();
    const auto first = map.barAtTick(from) + 1;
    const auto last = map.barAtTick(std::max(from, to - 1)) + 1;
    return first == last ? QObject::tr("bar %1").arg(first)
                         : QObject::tr("bars %1-%2").arg(first).arg(last);
}

} // namespace

QMimeData* MainWindow::midiData(const QString& what, std::vector<project::ExcerptPart> parts,
                                model::Tick from, QString& error) const {
    const model::Song excerpt = project::midiExcerpt(m_song, parts, from);
    return midiMimeData(
        excerpt, QString::fromStdString(project::excerptFileName(what.toStdString())), error);
}

QMimeData* MainWindow::trackMidiData(int row, QString& error) const {
    if (row < 0 || std::size_t(row) >= m_song.trackCount())
        return nullptr;
    const model::Track& track = m_song.trackAt(std::size_t(row));
    if (track.notes().empty()) {
        error = tr("%1 has no notes to drag").arg(trackTitle(track, row));
        return nullptr;
    }
    // A whole track from the song's start: dropped at a DAW's start, it lines up with the song.
    return midiData(trackTitle(track, row), {{track.properties, track.notes()}}, 0, error);
}

QMimeData* MainWindow::takeMidiData(int take, QString& error) const {
    const std::vector<project::Take>& takes = m_generatePanel->takes();
    if (take < 0 || std::size_t(take) >= takes.size())
        return nullptr;
    const project::Take& t = takes[std::size_t(take)];
    const int index = t.provenance.track;
    model::TrackProperties properties;
    QString title = tr("Track %1").arg(index + 1);
    if (index >= 0 && std::size_t(index) < m_song.trackCount()) {
        properties = m_song.trackAt(std::size_t(index)).properties;
        title = trackTitle(m_song.trackAt(std::size_t(index)), index);
    }
    if (t.notes.empty()) {
        error = tr("Take %1 has no notes to drag").arg(t.name);
        return nullptr;
    }
    properties.name = tr("%1 take %2").arg(title, t.name).toStdString();
    // From the first bar it fills: its place in the bar is kept.
    const model::Tick from =
        m_song.tempoMap().barToTick(m_song.tempoMap().barAtTick(t.provenance.from));
    return midiData(tr("%1 take %2, %3")
                        .arg(title, t.name, barsText(m_song, t.provenance.from, t.provenance.to)),
                    {{properties, t.notes}}, from, error);
}

QMimeData* MainWindow::selectionMidiData(QString& error) const {
    const model::TrackId id = m_pianoRoll->activeTrack();
    const model::Track* track = m_song.track(id);
    if (!track) {
        error = tr("Select a track (or notes in it) to drag out");
        return nullptr;
    }
    const int row = m_song.trackIndex(id);
    if (m_pianoRoll->selection().empty())
        return trackMidiData(row, error);
    std::vector<model::Note> notes;
    for (model::NoteId note : m_pianoRoll->selection())
        if (const model::Note* n = track->findNote(note))
            notes.push_back(*n);
    model::Tick end = 0;
    for (const model::Note& n : notes)
        end = std::max(end, n.end());
    const model::Tick from = project::excerptStart(m_song, notes);
    return midiData(tr("%1, %2").arg(trackTitle(*track, row), barsText(m_song, from, end)),
                    {{track->properties, std::move(notes)}}, from, error);
}

void MainWindow::createMidiDragSources() {
    const auto report = [this](MidiDragSource* source) {
        connect(source, &MidiDragSource::failed, this,
                [this](const QString& message) { m_statusLabel->setText(message); });
    };
    report(new MidiDragSource(m_trackView->viewport(), [this](const QPoint& pos, QString& error) {
        const QModelIndex index = m_trackView->indexAt(pos);
        return index.isValid() ? trackMidiData(index.row(), error) : nullptr;
    }));
    TakesView* takes = m_generatePanel->takesView();
    report(new MidiDragSource(takes->tree()->viewport(),
                              [this, takes](const QPoint& pos, QString& error) {
                                  return takeMidiData(takes->takeAt(pos), error);
                              }));
    // The selection's handle: notes in the roll drag to move, so leaving the window needs one.
    auto* handle = new QLabel(tr("\u2630 MIDI"), m_editToolBar);
    handle->setObjectName(QStringLiteral("midiDragHandle"));
    handle->setCursor(Qt::OpenHandCursor);
    handle->setMargin(4);
    handle->setFrameShape(QFrame::StyledPanel);
    handle->setToolTip(tr("Drag into a DAW or onto the desktop: the selected notes as a .mid "
                          "file (the whole track when nothing is selected). Tracks drag out of "
                          "the track list and takes out of the Generate panel's Takes tab."));
    m_editToolBar->addSeparator();
    m_editToolBar->addWidget(handle);
    report(new MidiDragSource(
        handle, [this](const QPoint&, QString& error) { return selectionMidiData(error); }));
}

} // namespace torchestra::ui
