#pragma once

#include "model/Song.h"
#include "model/SongListener.h"

#include <QAbstractTableModel>

namespace torchestra::model {
class UndoStack;
}

namespace torchestra::ui {

// The song's tracks as a table for the track list: one row per track in song order. With an
// undo stack (setUndoStack) name, channel, instrument, colour (the name cell's DecorationRole),
// mute, solo (check boxes) and volume are editable; each edit is one command on that stack.
// Listens to the song so rows follow loads and edits. GUI thread only.
class TrackListModel : public QAbstractTableModel, private model::SongListener {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        ChannelColumn,
        InstrumentColumn,
        NotesColumn,
        MuteColumn,
        SoloColumn,
        VolumeColumn,
        ColumnCount
    };
    enum Role { TrackIdRole = Qt::UserRole + 1 };

    explicit TrackListModel(QObject* parent = nullptr);
    ~TrackListModel() override;

    // The song to show (may be null); it must outlive this model or be replaced first.
    void setSong(model::Song* song);
    model::Song* song() const { return m_song; }
    // Where edits go; null makes the list read-only. Must belong to the same song.
    void setUndoStack(model::UndoStack* stack) { m_undoStack = stack; }

    // The track shown at a row, or kNoTrack.
    model::TrackId trackIdAt(int row) const;
    int rowOf(model::TrackId id) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void notesAdded(model::TrackId track, const std::vector<model::Note>&) override;
    void notesRemoved(model::TrackId track, const std::vector<model::Note>&) override;
    void tracksChanged() override;
    void songReloaded() override;
    void noteCountChanged(model::TrackId track);
    // data() of the instrument and volume cells.
    static QVariant instrumentData(const model::Track& track, int role);
    static QVariant volumeData(const model::Track& track, int role);

    model::Song* m_song = nullptr;
    model::UndoStack* m_undoStack = nullptr;
};

} // namespace torchestra::ui
