#pragma once

#include "model/Song.h"
#include "project/Takes.h"

#include <QHash>
#include <QWidget>

#include <vector>

class QComboBox;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace torchestra::ui {

// The project's takes in the Generate panel, grouped by what they fill (a track's bar range),
// the newest group first, each take with its provenance on hover. Show brings a take's group
// back as the variations (to audition and accept), Again with This Seed makes the take anew
// with its settings, and Accept Bar puts one bar of it into its track. The view only asks
// (signals): the panel owns the takes and does the work. GUI thread only.
class TakesView : public QWidget {
    Q_OBJECT
public:
    explicit TakesView(QWidget* parent = nullptr);

    // Shows `takes` (the panel's, in the order made); `song` names tracks and bars.
    void setTakes(const std::vector<project::Take>& takes, const model::Song& song);
    // The chosen take (an index into the takes given), or -1.
    int currentTake() const;
    // The take whose row is at a point of the tree's viewport, or -1 (a group row, nothing).
    int takeAt(const QPoint& viewportPos) const;
    void setCurrentTake(int index);
    // The bar chosen for Accept Bar (a song bar, from 0), or -1.
    int chosenBar() const;
    // What the takes' model files hold now (checkpointHash() by path, "" = unreadable, checked
    // off the GUI thread by the panel): the tooltips say when a take's model is gone or has
    // changed since.
    void setModelFiles(const QHash<QString, QString>& hashNow);
    // The tooltip of take `index` (for tests).
    QString tooltipOf(int index) const;

    QTreeWidget* tree() const { return m_tree; }
    QPushButton* showButton() const { return m_show; }
    QPushButton* againButton() const { return m_again; }
    QToolButton* auditionButton() const { return m_play; }
    QComboBox* barBox() const { return m_bar; }
    QPushButton* acceptBarButton() const { return m_acceptBar; }

signals:
    void showRequested(int take);
    void againRequested(int take);
    void auditionRequested(int take); // in the song, in place of its bars
    void acceptBarRequested(int take, int bar);

private:
    void takeChosen();

    void updateTooltips();

    std::vector<project::Take> m_takes;
    QHash<QString, QString> m_hashNow;
    QTreeWidget* m_tree = nullptr;
    QPushButton* m_show = nullptr;
    QToolButton* m_play = nullptr;
    QPushButton* m_again = nullptr;
    QComboBox* m_bar = nullptr;
    QPushButton* m_acceptBar = nullptr;
    const model::Song* m_song = nullptr;
};

// "bar 3" or "bars 3-4" for the bars that [from, to) touches.
QString barRangeText(const model::Song& song, model::Tick from, model::Tick to);

// A take's provenance as the tooltip says it.
// `hashNow`: what the model file holds now (null: not checked; "" unreadable).
QString describeProvenance(const project::Take& take, const model::Song& song,
                           const QString& hashNow = QString());

} // namespace torchestra::ui
