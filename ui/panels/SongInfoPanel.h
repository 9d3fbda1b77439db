#pragma once

#include "model/Song.h"
#include "model/SongListener.h"

#include <QWidget>

class QLabel;

namespace torchestra::ui {

// A summary of the song for the side bar: tempo, metre, key, length, tracks, notes and
// resolution. Follows the song through SongListener, so it stays right once editing arrives.
// GUI thread only.
class SongInfoPanel : public QWidget, private model::SongListener {
    Q_OBJECT
public:
    explicit SongInfoPanel(QWidget* parent = nullptr);
    ~SongInfoPanel() override;

    // The song to describe (may be null); it must outlive this panel or be replaced first.
    void setSong(model::Song* song);

    // The text shown for a field, for tests: "tempo", "metre", "key", "length", "tracks",
    // "notes", "resolution".
    QString field(const QString& name) const;

    // "A minor", "E\u266d major": the key a signature names.
    static QString keyName(int sharps, bool minor);

private:
    void notesAdded(model::TrackId, const std::vector<model::Note>&) override { refresh(); }
    void notesRemoved(model::TrackId, const std::vector<model::Note>&) override { refresh(); }
    void notesChanged(model::TrackId, const std::vector<model::NoteChange>&) override { refresh(); }
    void tracksChanged() override { refresh(); }
    void tempoMapChanged() override { refresh(); }
    void songReloaded() override { refresh(); }
    void refresh();
    QLabel* addField(const QString& name, const QString& label);

    model::Song* m_song = nullptr;
    std::vector<std::pair<QString, QLabel*>> m_fields;
};

} // namespace torchestra::ui
