#pragma once

#include "PianoRollGeometry.h"
#include "Theme.h"

#include "model/Song.h"
#include "model/SongListener.h"

#include <QAbstractScrollArea>

namespace torchestra::ui {

// The piano roll: one custom-painted widget showing a keyboard strip on the left, a bar/beat
// ruler on top (from the song's tempo map, so time-signature changes move the bar lines) and the
// notes of every track as rectangles in the track's colour, shaded by velocity.
//
// Read-only for now; the editor will add tools on top of the same geometry. Paints only what is
// visible (each track is queried with forEachNoteInRange for the dirty range) and listens to the
// song so a note edit repaints just the notes' old and new rectangles. GUI thread only.
//
// Zoom: Ctrl+wheel horizontal, Ctrl+Shift+wheel vertical (both around the mouse), +/- keys
// horizontal around the centre, 0 fits the song. Wheel scrolls vertically, Shift+wheel
// horizontally.
class PianoRollView : public QAbstractScrollArea, private model::SongListener {
    Q_OBJECT
public:
    static constexpr int kKeyboardWidth = 64;
    static constexpr int kRulerHeight = 28;

    explicit PianoRollView(QWidget* parent = nullptr);
    ~PianoRollView() override;

    // The song to show (may be null); it must outlive this view or be replaced first.
    void setSong(model::Song* song);
    model::Song* song() const { return m_song; }

    // Coordinates are the viewport's: what paintEvent and mouse events of the viewport use.
    const PianoRollGeometry& rollGeometry() const { return m_geometry; }

    void setColours(const PianoRollColours& colours);
    const PianoRollColours& colours() const { return m_colours; }

    // Draws this track's notes on top and the others dimmed; kNoTrack draws all alike.
    void setActiveTrack(model::TrackId track);
    model::TrackId activeTrack() const { return m_activeTrack; }

    void setPixelsPerQuarter(double pixels);
    void setKeyHeight(double pixels);
    void zoomHorizontally(double factor);  // around the centre of the note area
    void zoomVertically(double factor);
    // Fits the song's length to the width (within readable limits) and its pitch range to the
    // height, centred. Deferred until the widget has a size.
    void zoomToFit();
    // Scrolls so that a pitch sits in the vertical middle of the note area.
    void centreOnPitch(double pitch);

    // The fill colour a note is painted with (track colour shaded by velocity, dimmed when
    // another track is active): exposed so tests can check pixels against it.
    QColor noteFillColour(const model::Track& track, const model::Note& note) const;

    QSize sizeHint() const override { return {800, 500}; }
    QSize minimumSizeHint() const override { return {kKeyboardWidth + 80, kRulerHeight + 60}; }

signals:
    void zoomChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool viewportEvent(QEvent* event) override;

private:
    // SongListener
    void notesAdded(model::TrackId track, const std::vector<model::Note>& notes) override;
    void notesRemoved(model::TrackId track, const std::vector<model::Note>& notes) override;
    void notesChanged(model::TrackId track, const std::vector<model::NoteChange>& changes) override;
    void tracksChanged() override;
    void tempoMapChanged() override;
    void songReloaded() override;

    void updateNoteArea();
    void updateScrollBars();
    void applyPendingFit();
    void repaintNote(const model::Note& note);
    model::Tick contentEndTick() const;
    QString toolTipAt(const QPoint& pos) const;

    void paintNoteArea(QPainter& p, const QRect& dirty);
    void paintGrid(QPainter& p, model::Tick t0, model::Tick t1, const QRect& area);
    void paintNotes(QPainter& p, model::Tick t0, model::Tick t1);
    void paintRuler(QPainter& p, const QRect& dirty);
    void paintKeyboard(QPainter& p, const QRect& dirty);
    void paintCorner(QPainter& p);
    void paintEmptyHint(QPainter& p);

    model::Song* m_song = nullptr;
    PianoRollGeometry m_geometry;
    PianoRollColours m_colours;
    model::TrackId m_activeTrack = model::kNoTrack;
    bool m_fitPending = false;
};

}  // namespace torchestra::ui
