// MainWindow's playback wiring: the controller, the transport bar, the playhead, the keyboard
// strip's previews, the track list's editors, the settings dialog and File > Render to WAV.
// Kept apart from MainWindow.cpp so the file and project code stays readable.
#include "ui/shell/MainWindow.h"

#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"
#include "ui/playback/TransportBar.h"
#include "ui/playback/WavRenderJob.h"
#include "ui/shell/SettingsDialog.h"
#include "ui/tracks/TrackListDelegate.h"
#include "ui/tracks/TrackListModel.h"

#include <QAction>
#include <QColorDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
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
    connect(m_transportBar, &TransportBar::audioSettingsRequested, this, &MainWindow::showSettings);
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

    m_renderJob = new WavRenderJob(this);
    connectRenderJob();
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

namespace torchestra::ui {

void MainWindow::showRenderDialog() {
    if (m_renderJob->isRunning()) {
        if (auto* dialog = findChild<QProgressDialog*>(QStringLiteral("renderProgress")))
            dialog->raise();
        return;
    }
    QString path = m_document->chooseSavePath(
        tr("Render to WAV"), m_document->suggestedExportPath(QStringLiteral(".wav")),
        tr("WAV audio (*.wav)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".wav"), Qt::CaseInsensitive))
        path += QStringLiteral(".wav");
    renderToWav(path);
}

void MainWindow::renderToWav(const QString& path) {
    // What Play would sound like (mute and solo applied), as a copy the worker keeps. The
    // SoundFont is found on the worker too: the user's choice, as the CLI finds it.
    if (!m_renderJob->start(PlaybackController::buildSnapshot(m_song, false), path, {}))
        return;
    const QString name = QFileInfo(path).fileName();
    m_statusLabel->setText(tr("Rendering %1...").arg(name));
    // Not modal: the song can be edited meanwhile (the render has its own copy).
    auto* dialog =
        new QProgressDialog(tr("Rendering %1\u2026").arg(name), tr("Cancel"), 0, 1000, this);
    dialog->setObjectName(QStringLiteral("renderProgress"));
    dialog->setWindowTitle(tr("Render to WAV"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    dialog->setMinimumDuration(0);
    dialog->setValue(0);
    dialog->show();
    // Cancel, or closing the dialog, stops the render.
    connect(dialog, &QProgressDialog::canceled, m_renderJob, &WavRenderJob::cancel);
    connect(m_renderJob, &WavRenderJob::progressed, dialog,
            [dialog](double done) { dialog->setValue(int(done * 1000)); });
}

// The outcome of a render, whoever started it; connected once.
void MainWindow::connectRenderJob() {
    auto closeDialog = [this] {
        if (auto* dialog = findChild<QProgressDialog*>(QStringLiteral("renderProgress")))
            dialog->close();
    };
    connect(m_renderJob, &WavRenderJob::finished, this,
            [this, closeDialog](const QString& path, double seconds) {
                closeDialog();
                m_statusLabel->setText(tr("Rendered %1 (%2 s of audio)")
                                           .arg(QFileInfo(path).fileName())
                                           .arg(seconds, 0, 'f', 1));
                emit rendered(path);
            });
    connect(m_renderJob, &WavRenderJob::cancelled, this, [this, closeDialog](const QString& path) {
        closeDialog();
        m_statusLabel->setText(
            tr("Render cancelled: %1 was not written").arg(QFileInfo(path).fileName()));
    });
    connect(m_renderJob, &WavRenderJob::failed, this,
            [this, closeDialog](const QString& path, const QString& error) {
                closeDialog();
                const QString message =
                    tr("Could not render %1: %2").arg(QFileInfo(path).fileName(), error);
                m_statusLabel->setText(message);
                emit renderFailed(path, message);
                if (!showErrorDialogs())
                    return;
                auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not render"), message,
                                            QMessageBox::Ok, this);
                box->setObjectName(QStringLiteral("renderErrorBox"));
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
            });
}

} // namespace torchestra::ui
