#pragma once

#include "model/Song.h"
#include "model/SongListener.h"

#include <QAbstractTableModel>

namespace torchestra::ui {

// The song's tracks as a table for the track list: one row per track in song order. Read-only
// for now; the editor will make name, channel, program and colour editable through commands.
// Listens to the song so rows follow loads and edits. GUI thread only.
class TrackListModel : public QAbstractTableModel, private model::SongListener {
    Q_OBJECT
public:
    enum Column { NameColumn, ChannelColumn, InstrumentColumn, NotesColumn, ColumnCount };
    enum Role { TrackIdRole = Qt::UserRole + 1 };

    explicit TrackListModel(QObject* parent = nullptr);
    ~TrackListModel() override;

    // The song to show (may be null); it must outlive this model or be replaced first.
    void setSong(model::Song* song);
    model::Song* song() const { return m_song; }

    // The track shown at a row, or kNoTrack.
    model::TrackId trackIdAt(int row) const;
    int rowOf(model::TrackId id) const; // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void notesAdded(model::TrackId track, const std::vector<model::Note>&) override;
    void notesRemoved(model::TrackId track, const std::vector<model::Note>&) override;
    void tracksChanged() override;
    void songReloaded() override;
    void noteCountChanged(model::TrackId track);

    model::Song* m_song = nullptr;
};

} // namespace torchestra::ui
