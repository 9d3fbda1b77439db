#include "ui/playback/TransportBar.h"

#include "ui/common/Icons.h"
#include "ui/pianoroll/PianoRollView.h"
#include "ui/playback/PlaybackController.h"

#include "model/EditCommands.h"
#include "model/Song.h"
#include "model/UndoStack.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

TransportBar::TransportBar(PlaybackController* controller, PianoRollView* pianoRoll,
                           QWidget* parent)
    : QToolBar(tr("Transport"), parent), m_controller(controller), m_pianoRoll(pianoRoll) {
    setObjectName(QStringLiteral("transportBar"));
    setMovable(false);
    setToolButtonStyle(Qt::ToolButtonIconOnly); // the names are in the tooltips

    addButtons();
    addTempoBox();
    addPositionLabel();
    addAudioBadge();
    connectActions();
    followController();
    qApp->installEventFilter(this);
    showPosition(0);
}

// The buttons, each with its shortcuts (window-wide, so they work whichever view has focus).
void TransportBar::addButtons() {
    auto make = [this](const QString& text, const char* name, const QString& tip,
                       QList<QKeySequence> keys, bool checkable) {
        QAction* a = addAction(text);
        a->setObjectName(QLatin1String(name));
        a->setToolTip(tip);
        a->setShortcuts(keys);
        a->setShortcutContext(Qt::WindowShortcut);
        a->setCheckable(checkable);
        return a;
    };
    m_play =
        make(tr("Play"), "play", tr("Play or pause (Space)"), {QKeySequence(Qt::Key_Space)}, true);
    m_stop = make(tr("Stop"), "stop", tr("Stop and go back to the start"), {}, false);
    m_toStart = make(
        tr("Start"), "toStart", tr("Go to the start (Return, Home)"),
        {QKeySequence(Qt::Key_Home), QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)},
        false);
    m_record = make(tr("Record"), "record",
                    tr("Record from the MIDI keyboard into the selected track, after a "
                       "one-bar count-in (R)"),
                    {QKeySequence(Qt::Key_R)}, true);
    addSeparator();
    m_loop =
        make(tr("Loop"), "loop", tr("Loop the ruler's range (L)"), {QKeySequence(Qt::Key_L)}, true);
    m_metronome = make(tr("Click"), "metronome", tr("Metronome: a click on every beat"), {}, true);
    m_metronome->setChecked(m_controller->metronome());
    m_panic = make(tr("Panic"), "panic", tr("Silence every note (Ctrl+.)"),
                   {QKeySequence(Qt::CTRL | Qt::Key_Period)}, false);
    addSeparator();
    for (const auto& [action, icon] : {std::pair{m_play, "play"},
                                       {m_stop, "stop"},
                                       {m_toStart, "to-start"},
                                       {m_loop, "loop"},
                                       {m_metronome, "metronome"},
                                       {m_panic, "panic"}})
        action->setIcon(icons::glyph(QLatin1String(icon)));
    m_record->setIcon(icons::glyph(QStringLiteral("record"), QColor(0xe0, 0x45, 0x45)));
}

void TransportBar::addTempoBox() {
    addWidget(new QLabel(tr(" Tempo "), this));
    m_tempo = new QDoubleSpinBox(this);
    m_tempo->setObjectName(QStringLiteral("tempoBox"));
    m_tempo->setRange(10.0, 500.0);
    m_tempo->setDecimals(2);
    m_tempo->setSuffix(tr(" BPM"));
    m_tempo->setKeyboardTracking(false);
    m_tempo->setToolTip(tr("The tempo at the playhead; a change is one undo step"));
    addWidget(m_tempo);
    addSpeedBox();
    addSeparator();
}

void TransportBar::addPositionLabel() {
    m_position = new QLabel(this);
    m_position->setObjectName(QStringLiteral("positionLabel"));
    m_position->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_position->setMinimumWidth(
        m_position->fontMetrics().horizontalAdvance(QStringLiteral("000:00:000   00:00.000")) + 12);
    m_position->setToolTip(tr("Position: bar:beat:tick and minutes:seconds"));
    addWidget(m_position);
}

void TransportBar::addAudioBadge() {
    m_audioBadge = new QToolButton(this);
    m_audioBadge->setObjectName(QStringLiteral("audioBadge"));
    m_audioBadge->setText(tr("\u26a0 No audio output"));
    m_audioBadge->setAutoRaise(false);
    m_audioBadge->setCursor(Qt::PointingHandCursor);
    // Amber like a warning, readable on the dark and the light theme alike.
    m_audioBadge->setStyleSheet(QStringLiteral(
        "QToolButton#audioBadge { background: #8a5a00; color: #fff6e0; border: 1px solid #c98a10;"
        " border-radius: 9px; padding: 2px 10px; font-weight: bold; }"
        "QToolButton#audioBadge:hover { background: #a56c00; }"));
    connect(m_audioBadge, &QToolButton::clicked, this, &TransportBar::audioSettingsRequested);
    m_audioBadgeAction = addWidget(m_audioBadge);
    m_audioBadgeAction->setVisible(false);
    connect(m_controller, &PlaybackController::outputChanged, this,
            &TransportBar::updateAudioBadge);
    updateAudioBadge();
}

void TransportBar::updateAudioBadge() {
    const bool silent = m_controller->isSilent();
    m_audioBadgeAction->setVisible(silent);
    if (silent)
        m_audioBadge->setToolTip(
            tr("Playback is silent (%1).\nClick to choose an audio driver, a SoundFont or a MIDI "
               "output in Preferences.")
                .arg(m_controller->outputDescription()));
}

void TransportBar::connectActions() {
    connect(m_play, &QAction::triggered, this, [this] { m_controller->togglePlay(); });
    connect(m_stop, &QAction::triggered, this, [this] { m_controller->stop(); });
    connect(m_toStart, &QAction::triggered, this, [this] {
        m_controller->seekTick(m_controller->loopEnabled() ? m_controller->loopStart() : 0);
    });
    connect(m_record, &QAction::triggered, this, &TransportBar::toggleRecord);
    connect(m_loop, &QAction::toggled, this, &TransportBar::toggleLoop);
    connect(m_metronome, &QAction::toggled, m_controller, &PlaybackController::setMetronome);
    connect(m_panic, &QAction::triggered, m_controller, &PlaybackController::panic);
    connect(m_tempo, &QDoubleSpinBox::editingFinished, this,
            [this] { setTempoAtPlayhead(m_tempo->value()); });
}

// The bar shows what the controller does, whoever asked for it (the bar, a shortcut elsewhere,
// the end of the song).
void TransportBar::followController() {
    connect(m_controller, &PlaybackController::playingChanged, this, [this](bool playing) {
        m_play->setChecked(playing);
        m_play->setText(playing ? tr("Pause") : tr("Play"));
        m_play->setIcon(icons::glyph(playing ? QStringLiteral("pause") : QStringLiteral("play")));
    });
    connect(m_controller, &PlaybackController::positionChanged, this, &TransportBar::showPosition);
    // Any song change (a tempo edit, undo, another file) republishes the snapshot.
    connect(m_controller, &PlaybackController::snapshotPublished, this,
            [this] { showPosition(m_tick); });
    connect(m_controller, &PlaybackController::metronomeChanged, m_metronome, &QAction::setChecked);
    connect(m_controller, &PlaybackController::recordingChanged, m_record, &QAction::setChecked);
    connect(m_controller, &PlaybackController::loopChanged, this, [this](bool on) {
        const QSignalBlocker block(m_loop);
        m_loop->setChecked(on);
    });
    connect(m_controller, &PlaybackController::tempoScaleChanged, this, [this](double scale) {
        const QSignalBlocker block(m_speed);
        m_speed->setValue(int(std::lround(scale * 100)));
    });
    if (m_pianoRoll) {
        connect(m_pianoRoll, &PianoRollView::loopRangeChanged, this,
                [this](model::Tick from, model::Tick to) {
                    if (m_loop->isChecked())
                        m_controller->setLoop(to > from, from, to);
                });
    }
}

// The speed as a percentage of the written tempo. The song is not edited (that is the tempo
// box's job): practising a passage slowly should leave nothing to undo.
void TransportBar::addSpeedBox() {
    addWidget(new QLabel(tr(" Speed "), this));
    m_speed = new QSpinBox(this);
    m_speed->setObjectName(QStringLiteral("speedBox"));
    m_speed->setRange(50, 200);
    m_speed->setSingleStep(5);
    m_speed->setSuffix(QStringLiteral("%"));
    m_speed->setValue(int(std::lround(m_controller->tempoScale() * 100)));
    m_speed->setKeyboardTracking(false); // typing "75" is not 7% on the way
    m_speed->setToolTip(tr("Playback speed: slower or faster without changing the song"));
    addWidget(m_speed);
    connect(m_speed, &QSpinBox::valueChanged, this,
            [this](int percent) { m_controller->setTempoScale(percent / 100.0); });
}

bool TransportBar::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if ((key == Qt::Key_Return || key == Qt::Key_Enter) &&
            (qobject_cast<QLineEdit*>(watched) || qobject_cast<QAbstractSpinBox*>(watched) ||
             (qobject_cast<QComboBox*>(watched) && static_cast<QComboBox*>(watched)->isEditable())))
            event->accept(); // the key goes to the widget, the shortcut stays quiet
    }
    return QToolBar::eventFilter(watched, event);
}

void TransportBar::setSong(model::Song* song, model::UndoStack* undoStack) {
    m_song = song;
    m_undoStack = undoStack;
    showPosition(m_tick);
}

QString TransportBar::barBeatText(double tick) const {
    if (!m_song)
        return QStringLiteral("1:1:000");
    return QString::fromStdString(
        m_song->tempoMap().tickToBarBeatTick(model::Tick(std::floor(tick))).toString());
}

QString TransportBar::clockText(double tick) const {
    const double seconds =
        m_song ? m_song->tempoMap().tickToSeconds(model::Tick(std::floor(tick))) : 0.0;
    const qint64 ms = qint64(std::floor(seconds * 1000.0));
    return QStringLiteral("%1:%2.%3")
        .arg(ms / 60000)
        .arg((ms / 1000) % 60, 2, 10, QLatin1Char('0'))
        .arg(ms % 1000, 3, 10, QLatin1Char('0'));
}

void TransportBar::showPosition(double tick) {
    m_tick = std::max(0.0, tick);
    m_position->setText(tick < 0 ? countInText(tick)
                                 : barBeatText(tick) + QStringLiteral("   ") + clockText(tick));
    updateTempoBox();
}

// Before the song's start (a count-in from bar 1) there is no bar:beat to show: the beats left.
QString TransportBar::countInText(double tick) const {
    const model::TempoMap map = m_song ? m_song->tempoMap() : model::TempoMap();
    const double beat = double(map.ticksPerBeat(map.timeSignatureAt(0)));
    return tr("Count-in %1").arg(int(std::ceil(-tick / beat - 1e-9)));
}

void TransportBar::updateTempoBox() {
    if (!m_song || m_tempo->hasFocus())
        return; // never overwrite what the user is typing
    const double bpm = m_song->tempoMap().bpmAt(model::Tick(std::floor(m_tick)));
    if (std::abs(m_tempo->value() - bpm) > 1e-6) {
        const QSignalBlocker block(m_tempo);
        m_tempo->setValue(bpm);
    }
}

model::Tick TransportBar::tempoSegmentTick() const {
    if (!m_song)
        return 0;
    model::Tick at = 0;
    for (const auto& t : m_song->tempoMap().tempos())
        if (t.tick <= model::Tick(std::floor(m_tick)))
            at = t.tick;
    return at;
}

bool TransportBar::setTempoAtPlayhead(double bpm) {
    if (!m_song || !m_undoStack || bpm <= 0)
        return false;
    const model::Tick at = tempoSegmentTick();
    const auto us = std::int32_t(std::lround(60'000'000.0 / bpm));
    if (us == m_song->tempoMap().usPerQuarterAt(at))
        return false;
    auto command = model::setTempo(*m_song, at, us);
    if (!command)
        return false;
    m_undoStack->push(std::move(command));
    m_controller->statusMessage(tr("Tempo %1 BPM").arg(bpm, 0, 'f', 2));
    updateTempoBox();
    return true;
}

void TransportBar::toggleLoop(bool on) {
    if (!on) {
        m_controller->setLoop(false, m_controller->loopStart(), m_controller->loopEnd());
        return;
    }
    model::Tick from = 0, to = 0;
    if (m_pianoRoll && m_pianoRoll->hasLoopRange()) {
        from = m_pianoRoll->loopStart();
        to = m_pianoRoll->loopEnd();
    } else if (m_song) {
        // No range drawn: the four bars from the playhead's bar.
        const model::TempoMap& map = m_song->tempoMap();
        const std::int64_t bar =
            map.barAtTick(model::Tick(std::floor(std::max(0.0, m_controller->playheadTick()))));
        from = map.barToTick(bar);
        to = map.barToTick(bar + 4);
        if (m_pianoRoll)
            m_pianoRoll->setLoopRange(from, to);
    }
    m_controller->setLoop(to > from, from, to);
    if (to <= from) {
        const QSignalBlocker block(m_loop);
        m_loop->setChecked(false);
    }
}

void TransportBar::toggleRecord(bool on) {
    if (!on) {
        m_controller->stop(); // ends the take: one undo step
        return;
    }
    QString error;
    const model::TrackId track = m_pianoRoll ? m_pianoRoll->activeTrack() : model::kNoTrack;
    const double at = std::max(0.0, m_controller->playheadTick());
    if (!m_controller->record(track, model::Tick(std::floor(at)), error)) {
        m_record->setChecked(false);
        m_controller->statusMessage(error);
    }
}

} // namespace torchestra::ui
