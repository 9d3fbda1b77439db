// MainWindow's take lanes: the Generate panel's takes on the active track as ghost lanes under
// the piano roll (TakeLanes), newest first; a click shows a take's group as the variations.

#include "ui/shell/MainWindow.h"

#include "ui/panels/GeneratePanel.h"
#include "ui/panels/TakesView.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/pianoroll/TakeLanes.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>

namespace torchestra::ui {

void MainWindow::connectTakeLanes() {
    for (auto signal : {&GeneratePanel::takesChanged, &GeneratePanel::variationsChanged,
                        &GeneratePanel::currentVariationChanged, &GeneratePanel::takeModelsChecked})
        connect(m_generatePanel, signal, this, &MainWindow::updateTakeLanes);
    connect(m_takeLanes, &TakeLanes::takeClicked, this, [this](int take) {
        m_generateDock->show();
        m_generateDock->raise();
        m_generatePanel->showTake(take);
    });
}

void MainWindow::updateTakeLanes() {
    const std::vector<project::Take>& takes = m_generatePanel->takes();
    const int track = m_song.trackIndex(m_pianoRoll->activeTrack());
    const model::Track* active = m_song.track(m_pianoRoll->activeTrack());
    QString shown; // the take shown as the chosen variation
    const auto& variations = m_generatePanel->variations();
    const int current = m_generatePanel->currentVariation();
    if (current >= 0 && std::size_t(current) < variations.size())
        shown = variations[std::size_t(current)].name;
    std::vector<TakeLanes::Lane> lanes;
    for (std::size_t i = takes.size(); i-- > 0 && m_takeLanesShown && active &&
                                       lanes.size() < std::size_t(TakeLanes::kMaxLanes);) {
        const project::Take& take = takes[i];
        if (take.provenance.track != track)
            continue;
        TakeLanes::Lane lane;
        lane.take = int(i);
        lane.label = tr("%1  seed %2").arg(take.name).arg(take.provenance.seed);
        lane.tooltip = m_generatePanel->takesView()->tooltipOf(int(i));
        lane.notes = take.notes;
        lane.colour = QColor::fromRgb(QRgb(active->properties.colour));
        lane.current = !shown.isEmpty() && take.name == shown;
        lanes.push_back(std::move(lane));
    }
    m_takeLanes->setLanes(std::move(lanes));
}

} // namespace torchestra::ui
