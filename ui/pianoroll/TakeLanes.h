#pragma once

#include "model/Note.h"

#include <QColor>
#include <QString>
#include <QWidget>

#include <vector>

namespace torchestra::ui {

class PianoRollView;

// Takes as ghost lanes under the piano roll: one thin lane per take, its notes drawn where
// they fall in the song, lined up with the roll above (its zoom and horizontal scroll follow),
// the take's name and seed in the label column under the keyboard. A click on a lane asks for
// its take (takeClicked: the window shows the take's group as the variations, to audition and
// accept). Paints only; the window decides which takes have lanes. GUI thread only.
class TakeLanes : public QWidget {
    Q_OBJECT
public:
    static constexpr int kLaneHeight = 22;
    static constexpr int kMaxLanes = 6;

    struct Lane {
        int take = -1;                  // the take's index (takeClicked's argument)
        QString label;                  // "B  seed 5"
        QString tooltip;                // the take's provenance
        std::vector<model::Note> notes; // in song ticks
        QColor colour;
        bool current = false; // the take shown as the chosen variation
    };

    explicit TakeLanes(PianoRollView* roll, QWidget* parent = nullptr);

    // The lanes, top to bottom (at most kMaxLanes are kept); none hides the widget.
    void setLanes(std::vector<Lane> lanes);
    const std::vector<Lane>& lanes() const { return m_lanes; }
    // The lane at a point of this widget, or -1.
    int laneAt(const QPoint& pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return sizeHint(); }

signals:
    void takeClicked(int take);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    // Widget x of a song tick: the roll's, moved into this widget.
    double tickToX(double tick) const;

    PianoRollView* m_roll;
    std::vector<Lane> m_lanes;
};

} // namespace torchestra::ui
