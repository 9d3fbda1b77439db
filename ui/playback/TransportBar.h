#pragma once

#include "model/Note.h"

#include <QToolBar>

class QAction;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QToolButton;

namespace torchestra::model {
class Song;
class UndoStack;
} // namespace torchestra::model

namespace torchestra::ui {

class PianoRollView;
class PlaybackController;

// The transport: play/pause, stop (back to the start), record (with a count-in), loop (the
// piano roll's loop range; four bars from the playhead when none is drawn), metronome, panic,
// the tempo at the playhead (editing it pushes an undoable tempo change), the playback speed (a
// percentage: the song plays slower or faster, unchanged) and the position as bar:beat:tick and
// m:ss.mmm, updated live from the controller's playhead ("Count-in" and the beats left before
// the song's start).
//
// Without an audio output (no device, or the driver failed) a "No audio output" badge sits
// after the position: Play still moves the playhead, silently, and the badge says why (its
// tooltip) and asks for the settings (audioSettingsRequested()) when clicked.
//
// Shortcuts (window-wide): Space play/pause, Return or Home to the start, L loop, Ctrl+.
// panic, R record. Actions are named "play", "stop", "toStart", "record", "loop", "metronome",
// "panic". GUI thread only.
class TransportBar : public QToolBar {
    Q_OBJECT
public:
    // `song`, `undoStack` and `pianoRoll` (for the loop range and the track to record into) must
    // outlive the bar or be cleared with setSong(nullptr, nullptr) first.
    TransportBar(PlaybackController* controller, PianoRollView* pianoRoll,
                 QWidget* parent = nullptr);

    void setSong(model::Song* song, model::UndoStack* undoStack);

    QAction* playAction() const { return m_play; }
    QAction* stopAction() const { return m_stop; }
    QAction* loopAction() const { return m_loop; }
    QAction* metronomeAction() const { return m_metronome; }
    QAction* recordAction() const { return m_record; }
    QAction* panicAction() const { return m_panic; }
    QDoubleSpinBox* tempoBox() const { return m_tempo; }
    QSpinBox* speedBox() const { return m_speed; }
    QLabel* positionLabel() const { return m_position; }
    // The "No audio output" badge: visible only while playback has no sound.
    QToolButton* audioBadge() const { return m_audioBadge; }

    // "3:2:120" and "0:05.250" for a tick of the current song.
    QString barBeatText(double tick) const;
    QString clockText(double tick) const;

    // Pushes a tempo change (one undo step) for the tempo segment at the playhead.
    bool setTempoAtPlayhead(double bpm);
    // The tick the tempo box edits: the tempo change in effect at the playhead.
    model::Tick tempoSegmentTick() const;

signals:
    // The user clicked the "No audio output" badge: the window opens its Preferences.
    void audioSettingsRequested();

protected:
    // Return and Enter belong to text fields, spin boxes and editors while they have the focus
    // (committing a tempo or a track name), not to the window's "to the start" shortcut.
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void showPosition(double tick);
    QString countInText(double tick) const;
    void addButtons();
    void addTempoBox();
    void addSpeedBox();
    void addPositionLabel();
    void addAudioBadge();
    void updateAudioBadge();
    void connectActions();
    void followController();
    void updateTempoBox();
    void toggleLoop(bool on);
    void toggleRecord(bool on);

    PlaybackController* m_controller;
    PianoRollView* m_pianoRoll;
    model::Song* m_song = nullptr;
    model::UndoStack* m_undoStack = nullptr;
    double m_tick = 0;

    QAction* m_play = nullptr;
    QAction* m_stop = nullptr;
    QAction* m_toStart = nullptr;
    QAction* m_record = nullptr;
    QAction* m_loop = nullptr;
    QAction* m_metronome = nullptr;
    QAction* m_panic = nullptr;
    QDoubleSpinBox* m_tempo = nullptr;
    QSpinBox* m_speed = nullptr;
    QLabel* m_position = nullptr;
    QToolButton* m_audioBadge = nullptr;
    QAction* m_audioBadgeAction = nullptr; // the bar's handle on the badge: hides and shows it
};

} // namespace torchestra::ui
