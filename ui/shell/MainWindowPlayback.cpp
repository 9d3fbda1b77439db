// MainWindow's playback wiring: the controller, the transport bar, the playhead, the keyboard
// strip's previews, the track list's editors and the settings dialog. Kept apart from
// MainWindow.cpp so the file and project code stays readable.
#include "ui/shell/MainWindow.h"

#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"
#include "ui/playback/TransportBar.h"
#include "ui/shell/SettingsDialog.h"
#include "ui/tracks/TrackListDelegate.h"
#include "ui/tracks/TrackListModel.h"

#include <QAction>
#include <QColorDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QTreeView>

#include <cmath>

namespace torchestra::ui {

void MainWindow::createPlayback() {
    m_playback = new PlaybackController(PlaybackController::Engine::Auto, this);
    m_playback->setSong(&m_song);
    m_playback->setUndoStack(&m_undoStack);

    addToolBarBreak();
    m_transportBar = new TransportBar(m_playback, m_pianoRoll, this);
    m_transportBar->setSong(&m_song, &m_undoStack);
    addToolBar(m_transportBar);

    connect(m_playback, &PlaybackController::statusMessage, m_statusLabel, &QLabel::setText);
    // The playhead follows playback: the controller's ~60 Hz timer reads the engine's atomic
    // position; nothing waits. A count-in before the song's start waits at the start.
    connect(m_playback, &PlaybackController::positionChanged, this, [this](double tick) {
        m_pianoRoll->setPlayheadTick(model::Tick(std::floor(std::max(0.0, tick))));
    });
    connect(m_pianoRoll, &PianoRollView::playheadMoveRequested, m_playback,
            &PlaybackController::seekTick);
    connect(m_pianoRoll, &PianoRollView::keyPressed, this, [this](int pitch) {
        const model::Track* t = m_song.track(m_pianoRoll->activeTrack());
        if (t) {
            const auto program = t->initialProgram();
            m_playback->setPreviewInstrument(t->properties.channel,
                                             program ? std::optional<int>(*program) : std::nullopt);
        }
        m_playback->previewPitch(pitch, true);
    });
    connect(m_pianoRoll, &PianoRollView::keyReleased, this,
            [this](int pitch) { m_playback->previewPitch(pitch, false); });
    // The Generate panel's auditions play through the engine.
    connect(this, &MainWindow::auditionRequested, m_playback, &PlaybackController::audition);
    connect(this, &MainWindow::auditionStopRequested, m_playback, &PlaybackController::stop);

    setUpTrackEditing();
    addPreferencesAction();
    // Start sound once the window is up (the controller starts it on a worker).
    QMetaObject::invokeMethod(m_playback, &PlaybackController::applySettings, Qt::QueuedConnection);
}

void MainWindow::setUpTrackEditing() {
    // Track list: mute/solo check boxes, instrument/channel/volume editors, colour menu.
    m_trackModel->setUndoStack(&m_undoStack);
    m_trackView->setItemDelegate(new TrackListDelegate(m_trackView));
    m_trackView->setEditTriggers(QAbstractItemView::DoubleClicked |
                                 QAbstractItemView::EditKeyPressed |
                                 QAbstractItemView::SelectedClicked);
    QHeaderView* header = m_trackView->header();
    for (int column :
         {TrackListModel::MuteColumn, TrackListModel::SoloColumn, TrackListModel::VolumeColumn})
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    // Mixer order: M S | name | channel | instrument | volume | notes.
    header->moveSection(header->visualIndex(TrackListModel::MuteColumn), 0);
    header->moveSection(header->visualIndex(TrackListModel::SoloColumn), 1);
    header->moveSection(header->visualIndex(TrackListModel::VolumeColumn),
                        header->visualIndex(TrackListModel::NotesColumn));
    m_trackView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_trackView, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_trackView->indexAt(pos);
        if (!index.isValid())
            return;
        QMenu menu(this);
        menu.addAction(tr("Track &Colour..."), this, [this, index] {
            const QModelIndex name = index.siblingAtColumn(TrackListModel::NameColumn);
            const QColor colour = QColorDialog::getColor(
                name.data(Qt::DecorationRole).value<QColor>(), this, tr("Track Colour"));
            if (colour.isValid())
                m_trackModel->setData(name, colour, Qt::DecorationRole);
        });
        menu.addAction(tr("&Rename"), this, [this, index] {
            m_trackView->edit(index.siblingAtColumn(TrackListModel::NameColumn));
        });
        menu.addAction(tr("&Instrument..."), this, [this, index] {
            m_trackView->edit(index.siblingAtColumn(TrackListModel::InstrumentColumn));
        });
        menu.exec(m_trackView->viewport()->mapToGlobal(pos));
    });
}

void MainWindow::addPreferencesAction() {
    // Edit > Preferences.
    if (auto* edit = qobject_cast<QMenu*>(m_undoAction->parent())) {
        edit->addSeparator();
        QAction* prefs = edit->addAction(tr("&Preferences..."), this, &MainWindow::showSettings);
        prefs->setObjectName(QStringLiteral("preferences"));
        prefs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
        prefs->setMenuRole(QAction::PreferencesRole);
    }
}

void MainWindow::showSettings() {
    SettingsDialog dialog(m_playback, this);
    if (dialog.exec() == QDialog::Accepted)
        m_recovery->applyAutosaveSetting();
}

} // namespace torchestra::ui
