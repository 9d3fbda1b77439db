#include "ui/tracks/TrackListModel.h"

#include "project/GeneralMidi.h"
#include "project/TrackCommands.h"

#include "model/EditCommands.h"
#include "model/UndoStack.h"

#include <QColor>
#include <QFont>
#include <QLocale>

namespace torchestra::ui {

TrackListModel::TrackListModel(QObject* parent) : QAbstractTableModel(parent) {}

TrackListModel::~TrackListModel() {
    if (m_song)
        m_song->removeListener(this);
}

void TrackListModel::setSong(model::Song* song) {
    if (song == m_song)
        return;
    beginResetModel();
    model::switchSong(this, m_song, song);
    endResetModel();
}

model::TrackId TrackListModel::trackIdAt(int row) const {
    if (!m_song || row < 0 || row >= int(m_song->trackCount()))
        return model::kNoTrack;
    return m_song->trackIdAt(std::size_t(row));
}

int TrackListModel::rowOf(model::TrackId id) const {
    return m_song ? m_song->trackIndex(id) : -1;
}

int TrackListModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !m_song)
        return 0;
    return int(m_song->trackCount());
}

int TrackListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrackListModel::data(const QModelIndex& index, int role) const {
    if (!m_song || !index.isValid() || index.row() >= int(m_song->trackCount()))
        return {};
    const model::Track& track = m_song->trackAt(std::size_t(index.row()));
    const model::TrackProperties& p = track.properties;

    if (role == TrackIdRole)
        return QVariant::fromValue<qulonglong>(track.id());

    switch (index.column()) {
    case NameColumn:
        if (role == Qt::DisplayRole) {
            // Unnamed tracks (common in format 0 and in exported files) still need a label.
            return p.name.empty() ? tr("Track %1").arg(index.row() + 1)
                                  : QString::fromStdString(p.name);
        }
        if (role == Qt::DecorationRole)
            return QColor::fromRgb(p.colour);
        if (role == Qt::ToolTipRole)
            return QString::fromStdString(p.name);
        if (role == Qt::EditRole)
            return QString::fromStdString(p.name);
        break;
    case ChannelColumn:
        // Channels are shown 1-based, as on every synth's front panel.
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return p.channel + 1;
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case InstrumentColumn:
        return instrumentData(track, role);
    case NotesColumn:
        if (role == Qt::DisplayRole)
            return QLocale().toString(qulonglong(track.noteCount()));
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case MuteColumn:
        if (role == Qt::CheckStateRole)
            return p.muted ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return tr("Mute");
        break;
    case SoloColumn:
        if (role == Qt::CheckStateRole)
            return p.solo ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return tr("Solo: only soloed tracks play");
        break;
    case VolumeColumn:
        return volumeData(track, role);
    default:
        break;
    }
    return {};
}

QVariant TrackListModel::instrumentData(const model::Track& track, int role) {
    const model::TrackProperties& p = track.properties;
    // The instrument a track starts with, also when it comes from a program change event.
    const std::optional<std::uint8_t> initial = track.initialProgram();
    const std::optional<int> program =
        initial ? std::optional<int>(*initial) : std::optional<int>();
    if (role == Qt::DisplayRole)
        return project::gm::instrumentName(p.channel, program);
    if (role == Qt::EditRole)
        return program.value_or(0);
    if (role == Qt::ToolTipRole) {
        if (p.channel == model::kDrumChannel)
            return tr("Percussion (channel 10), kit %1").arg(program.value_or(0));
        if (!program)
            return tr("No program change in the file: General MIDI plays program 1");
        return tr("Program %1, %2").arg(*program + 1).arg(project::gm::familyName(*program));
    }
    if (role == Qt::FontRole && !program && p.channel != model::kDrumChannel) {
        // A default rather than the file's choice: set it apart without hiding it.
        QFont font;
        font.setItalic(true);
        return font;
    }
    return {};
}

QVariant TrackListModel::volumeData(const model::Track& track, int role) {
    const std::optional<int> volume = project::trackVolume(track);
    if (role == Qt::DisplayRole || role == Qt::EditRole)
        return volume.value_or(project::kDefaultVolume);
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole)
        return volume ? tr("Channel volume (CC 7) at the start: %1").arg(*volume)
                      : tr("No volume set: General MIDI plays at %1").arg(project::kDefaultVolume);
    if (role == Qt::FontRole && !volume) {
        QFont font;
        font.setItalic(true);
        return font;
    }
    return {};
}

QVariant TrackListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Track");
    case ChannelColumn:
        return tr("Ch");
    case InstrumentColumn:
        return tr("Instrument");
    case NotesColumn:
        return tr("Notes");
    case MuteColumn:
        return tr("M");
    case SoloColumn:
        return tr("S");
    case VolumeColumn:
        return tr("Vol");
    default:
        return {};
    }
}

Qt::ItemFlags TrackListModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (!index.isValid() || !m_undoStack)
        return f;
    switch (index.column()) {
    case NameColumn:
    case ChannelColumn:
    case InstrumentColumn:
    case VolumeColumn:
        return f | Qt::ItemIsEditable;
    case MuteColumn:
    case SoloColumn:
        return f | Qt::ItemIsUserCheckable;
    default:
        return f;
    }
}

bool TrackListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!m_song || !m_undoStack || !index.isValid() || index.row() >= int(m_song->trackCount()))
        return false;
    const model::Track& track = m_song->trackAt(std::size_t(index.row()));
    const model::TrackId id = track.id();
    model::TrackProperties p = track.properties;
    std::unique_ptr<model::Command> command;
    const char* label = "Track properties";
    switch (index.column()) {
    case NameColumn:
        if (role == Qt::EditRole) {
            p.name = value.toString().trimmed().toStdString();
            label = "Rename track";
        } else if (role == Qt::DecorationRole && value.canConvert<QColor>()) {
            const QColor c = value.value<QColor>();
            if (!c.isValid())
                return false;
            p.colour = c.rgb() & 0xFFFFFF;
            label = "Track colour";
        } else {
            return false;
        }
        break;
    case ChannelColumn:
        if (role != Qt::EditRole)
            return false;
        command = project::setTrackChannel(*m_song, id, value.toInt() - 1); // shown 1-based
        break;
    case InstrumentColumn:
        if (role != Qt::EditRole || value.toInt() < 0 || value.toInt() > 127)
            return false;
        p.program = std::uint8_t(value.toInt());
        label = "Track instrument";
        break;
    case MuteColumn:
    case SoloColumn: {
        if (role != Qt::CheckStateRole)
            return false;
        const bool on = value.toInt() == Qt::Checked;
        if (index.column() == MuteColumn) {
            p.muted = on;
            label = on ? "Mute track" : "Unmute track";
        } else {
            p.solo = on;
            label = on ? "Solo track" : "Unsolo track";
        }
        break;
    }
    case VolumeColumn:
        if (role != Qt::EditRole)
            return false;
        command = project::setTrackVolume(*m_song, id, value.toInt());
        break;
    default:
        return false;
    }
    if (!command && index.column() != ChannelColumn && index.column() != VolumeColumn &&
        p != track.properties)
        command = std::make_unique<model::SetTrackPropertiesCommand>(id, p, label);
    if (!command)
        return false;
    m_undoStack->push(std::move(command)); // the song notifies: tracksChanged() resets the rows
    return true;
}

void TrackListModel::notesAdded(model::TrackId track, const std::vector<model::Note>&) {
    noteCountChanged(track);
}

void TrackListModel::notesRemoved(model::TrackId track, const std::vector<model::Note>&) {
    noteCountChanged(track);
}

void TrackListModel::noteCountChanged(model::TrackId track) {
    const int row = rowOf(track);
    if (row < 0)
        return;
    const QModelIndex cell = index(row, NotesColumn);
    emit dataChanged(cell, cell, {Qt::DisplayRole});
}

// The song has already changed when listeners hear of it, so a reset (rather than row
// inserts/removes) is the honest signal; track counts are small, so it costs nothing.
void TrackListModel::tracksChanged() {
    beginResetModel();
    endResetModel();
}

void TrackListModel::songReloaded() {
    beginResetModel();
    endResetModel();
}

} // namespace torchestra::ui
