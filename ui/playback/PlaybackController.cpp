#include "ui/playback/PlaybackController.h"

#include "model/EditCommands.h"
#include "model/UndoStack.h"
#include "playback/Metronome.h"
#include "playback/Transport.h"
#include "ui/playback/OutputManager.h"
#include "ui/playback/Recorder.h"

#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <utility>

namespace torchestra::ui {

PlaybackController::PlaybackController(Engine engine, QObject* parent)
    : QObject(parent), m_engine(engine), m_transport(std::make_unique<playback::Transport>()),
      m_outputs(std::make_unique<OutputManager>(
          *m_transport, engine == Engine::Manual ? tr("manual engine") : QString())),
      m_recorder(std::make_unique<Recorder>(m_outputs->input(), engine == Engine::Manual)) {
    m_metronome = QSettings().value(settings::kMetronome, false).toBool();
    m_rebuildTimer = new QTimer(this);
    m_rebuildTimer->setSingleShot(true);
    m_rebuildTimer->setInterval(0);
    connect(m_rebuildTimer, &QTimer::timeout, this, &PlaybackController::rebuild);
    m_positionTimer = new QTimer(this);
    m_positionTimer->setInterval(16); // ~60 Hz
    m_positionTimer->setTimerType(Qt::PreciseTimer);
    connect(m_positionTimer, &QTimer::timeout, this, &PlaybackController::tick);
    m_positionTimer->start();
    m_inputTimer = new QTimer(this);
    m_inputTimer->setInterval(10);
    connect(m_inputTimer, &QTimer::timeout, this, [this] { m_recorder->drainInput(); });
    connect(m_outputs.get(), &OutputManager::midiInputOpened, m_inputTimer,
            qOverload<>(&QTimer::start));
    connect(m_outputs.get(), &OutputManager::outputChanged, this,
            &PlaybackController::outputChanged);
    connect(m_outputs.get(), &OutputManager::soundFontChanged, this,
            &PlaybackController::soundFontChanged);
    connect(m_outputs.get(), &OutputManager::statusMessage, this,
            &PlaybackController::statusMessage);
    rebuild();
}

PlaybackController::~PlaybackController() {
    if (m_song)
        m_song->removeListener(this);
    stopOutputs();
}

void PlaybackController::setSong(model::Song* song) {
    if (!model::switchSong(this, m_song, song))
        return;
    m_recorder->forgetTrack();
    rebuild();
}

// --- outputs -----------------------------------------------------------------------------------

void PlaybackController::stopOutputs() {
    m_inputTimer->stop();
    m_outputs->stop();
}

void PlaybackController::applySettings() {
    if (m_engine == Engine::Manual)
        return;
    stopOutputs();
    // Whichever engine drives the transport next starts paused (the silent clock and a port's
    // sender do not pause it as they go, the synth does).
    m_transport->pause();
    if (m_wasPlaying) {
        m_wasPlaying = false;
        emit playingChanged(false);
    }
    m_outputs->start();
}

QString PlaybackController::outputDescription() const {
    return m_outputs->outputDescription();
}

bool PlaybackController::hasAudio() const {
    return m_outputs->hasAudio();
}

bool PlaybackController::isStarting() const {
    return m_outputs->isStarting();
}

bool PlaybackController::isSilent() const {
    return m_outputs->isSilent();
}

void PlaybackController::requestSoundFont(const QString& path) {
    m_outputs->requestSoundFont(path);
}

bool PlaybackController::hasMidiInput() const {
    return m_outputs->hasMidiInput();
}

// --- snapshots ---------------------------------------------------------------------------------

playback::SnapshotPtr PlaybackController::buildSnapshot(const model::Song& song, bool metronome,
                                                        model::Tick minEnd) {
    if (!metronome)
        return playback::PlaybackSnapshot::fromSong(song);
    return playback::Metronome::snapshotWithClicks(song, minEnd);
}

void PlaybackController::scheduleRebuild() {
    if (!m_rebuildTimer->isActive())
        m_rebuildTimer->start();
}

void PlaybackController::flushRebuild() {
    if (m_rebuildTimer->isActive()) {
        m_rebuildTimer->stop();
        rebuild();
    }
}

void PlaybackController::rebuild() {
    m_rebuildTimer->stop();
    const model::Song empty;
    m_songSnapshot = buildSnapshot(m_song ? *m_song : empty, m_metronome,
                                   std::max(m_loopOn ? m_loopTo : 0, m_recorder->horizon()));
    ++m_rebuilds;
    if (!m_auditioning)
        publish();
}

void PlaybackController::publish() {
    m_transport->setSnapshot(m_auditioning ? m_auditionSnapshot : m_songSnapshot);
    emit snapshotPublished();
}

playback::SnapshotPtr PlaybackController::playingSnapshot() const {
    return m_transport->snapshot();
}

void PlaybackController::songReloaded() {
    // Another song: nothing of the old one may go on sounding.
    if (m_auditioning)
        endAudition();
    m_transport->stop();
    m_wasPlaying = false;
    if (m_loopOn)
        setLoop(false, 0, 0); // the range belonged to the old song (the roll clears it too)
    rebuild();
    emit playingChanged(false);
}

// --- transport ---------------------------------------------------------------------------------

void PlaybackController::play() {
    if (m_auditioning) {
        endAudition();
        m_transport->seekTick(model::Tick(std::llround(m_beforeAudition)));
    } else if (m_transport->isFinished()) {
        m_transport->seekTick(m_loopOn ? m_loopFrom : 0);
    }
    flushRebuild();
    m_transport->play();
    m_wasPlaying = true;
    emit playingChanged(true);
}

void PlaybackController::pause() {
    m_transport->pause();
    m_wasPlaying = false;
    emit playingChanged(false);
}

void PlaybackController::stop() {
    if (isRecording())
        finishRecording();
    if (m_auditioning)
        endAudition();
    m_transport->stop();
    if (m_loopOn)
        m_transport->seekTick(m_loopFrom);
    m_wasPlaying = false;
    emit playingChanged(false);
    emit positionChanged(m_loopOn ? double(m_loopFrom) : 0.0);
}

void PlaybackController::togglePlay() {
    // The requested state, not the engine's (which follows a block later).
    if (m_wasPlaying && !m_auditioning)
        pause();
    else
        play();
}

bool PlaybackController::isPlaying() const {
    return m_wasPlaying;
}

void PlaybackController::seekTick(model::Tick tick) {
    if (m_auditioning)
        endAudition();
    m_transport->seekTick(std::max<model::Tick>(0, tick));
    m_lastTick = double(tick);
    emit positionChanged(double(tick));
}

void PlaybackController::setLoop(bool enabled, model::Tick fromTick, model::Tick toTick) {
    const bool on = enabled && toTick > fromTick;
    m_loopOn = on;
    m_loopFrom = fromTick;
    m_loopTo = toTick;
    if (!m_auditioning)
        m_transport->setLoop(on, fromTick, toTick);
    if (on && m_metronome)
        scheduleRebuild(); // the clicks must reach the loop's end
    emit loopChanged(on, fromTick, toTick);
}

void PlaybackController::setTempoScale(double scale) {
    const double clamped =
        std::clamp(scale, playback::Transport::kMinTempoScale, playback::Transport::kMaxTempoScale);
    if (clamped == tempoScale())
        return;
    if (isRecording()) {
        // What was played so far is timed at the old speed; the clock goes on at the new one.
        m_recorder->rescale(clamped);
    }
    m_transport->setTempoScale(clamped);
    emit tempoScaleChanged(clamped);
}

double PlaybackController::tempoScale() const {
    return m_transport->tempoScale();
}

void PlaybackController::panic() {
    m_transport->panic();
    // Notes from the keyboard strip and thru are not the scheduler's: silence them too.
    for (int ch = 0; ch < 16; ++ch) {
        const unsigned char off[3] = {static_cast<unsigned char>(0xB0 | ch), 123, 0};
        sendPreview(off, 3);
    }
    for (auto& word : m_previewHeld)
        word = 0;
    emit statusMessage(tr("All notes off"));
}

double PlaybackController::playheadTick() const {
    return m_transport->positionTick();
}

bool PlaybackController::isCountingIn() const {
    return m_transport->isCountingIn();
}

void PlaybackController::tick() {
    const double t = m_transport->positionTick();
    if (t != m_lastTick) {
        m_lastTick = t;
        emit positionChanged(t);
    }
    if (isRecording() && m_song && m_recorder->advanceHorizon(m_song->tempoMap(), model::Tick(t)))
        rebuild();
    if (m_wasPlaying && m_transport->isFinished() && !m_loopOn) {
        // The song played to its end.
        m_transport->pause();
        m_wasPlaying = false;
        if (m_auditioning)
            endAudition();
        if (isRecording())
            finishRecording();
        emit playingChanged(false);
        emit statusMessage(tr("End of song"));
    }
}

void PlaybackController::audition(const model::Song& song, model::Tick from, model::Tick to,
                                  bool loop) {
    if (!m_auditioning)
        m_beforeAudition = m_transport->positionTick();
    m_auditionSnapshot = buildSnapshot(song, false);
    m_auditioning = true;
    publish();
    m_transport->setLoop(loop && to > from, from, to);
    m_transport->seekTick(std::max<model::Tick>(0, from));
    m_transport->play();
    m_wasPlaying = true;
    emit auditionChanged(true);
    emit playingChanged(true);
    emit statusMessage(tr("Auditioning"));
}

void PlaybackController::endAudition() {
    if (!m_auditioning)
        return;
    m_auditioning = false;
    m_auditionSnapshot.reset();
    publish();
    m_transport->setLoop(m_loopOn, m_loopFrom, m_loopTo);
    emit auditionChanged(false);
}

void PlaybackController::setMetronome(bool enabled) {
    if (enabled == m_metronome)
        return;
    m_metronome = enabled;
    QSettings().setValue(settings::kMetronome, enabled);
    rebuild();
    emit metronomeChanged(enabled);
}

// --- previews ----------------------------------------------------------------------------------

void PlaybackController::setPreviewInstrument(int channel, std::optional<int> program) {
    m_previewChannel = std::clamp(channel, 0, 15);
    m_previewProgram = program;
}

void PlaybackController::sendPreview(const unsigned char* bytes, int size) {
    playback::MidiMessage m;
    m.size = std::uint8_t(size);
    for (int i = 0; i < size; ++i)
        m.bytes[i] = bytes[i];
    m_outputs->pushThru(m);
}

void PlaybackController::previewPitch(int pitch, bool on) {
    if (pitch < 0 || pitch > 127)
        return;
    const int ch = m_previewChannel;
    std::uint32_t& word = m_previewHeld[pitch / 32];
    const std::uint32_t bit = 1u << (pitch % 32);
    if (on) {
        if (m_previewProgram && ch != model::kDrumChannel) {
            const unsigned char pc[2] = {static_cast<unsigned char>(0xC0 | ch),
                                         static_cast<unsigned char>(*m_previewProgram & 0x7F)};
            sendPreview(pc, 2);
        }
        const unsigned char noteOn[3] = {static_cast<unsigned char>(0x90 | ch),
                                         static_cast<unsigned char>(pitch), 100};
        sendPreview(noteOn, 3);
        word |= bit;
    } else if (word & bit) {
        const unsigned char noteOff[3] = {static_cast<unsigned char>(0x80 | ch),
                                          static_cast<unsigned char>(pitch), 64};
        sendPreview(noteOff, 3);
        word &= ~bit;
    }
}

// --- recording ---------------------------------------------------------------------------------

bool PlaybackController::isRecording() const {
    return m_recorder->isRecording();
}

bool PlaybackController::record(model::TrackId track, model::Tick fromTick, QString& error) {
    if (!m_song || !m_undoStack || !m_song->track(track)) {
        error = tr("Select a track to record into");
        return false;
    }
    if (!hasMidiInput() && m_engine != Engine::Manual) {
        error = tr("No MIDI input: choose one in Settings");
        return false;
    }
    if (m_auditioning)
        endAudition();
    fromTick = std::max<model::Tick>(0, fromTick);
    const model::TempoMap& map = m_song->tempoMap();
    const Recorder::CountInPlan plan = Recorder::planCountIn(map, fromTick);
    // The clicks (recording always plays them) reach past the song's end: one rebuild, by
    // setMetronome or here, publishes both.
    m_recorder->arm(map, fromTick, m_metronome);
    if (!m_metronome)
        setMetronome(true);
    else
        rebuild();
    m_recorder->begin(track, map, plan.seconds, tempoScale());
    m_transport->seekTick(plan.countFrom);
    if (plan.beforeStart > 0)
        m_transport->playAfterCountIn(plan.preRoll);
    else
        m_transport->play();
    m_wasPlaying = true;
    emit playingChanged(true);
    emit recordingChanged(true);
    emit statusMessage(tr("Count-in, then recording..."));
    return true;
}

void PlaybackController::finishRecording() {
    Recorder::Take take = m_recorder->finish(m_song);
    // One rebuild drops the clicks past the song's end (and all clicks if they were off).
    if (!take.metronomeWasOn)
        setMetronome(false);
    else if (take.clicksPastTheEnd)
        rebuild();
    const model::Track* t = m_song ? m_song->track(take.track) : nullptr;
    emit recordingChanged(false);
    if (take.notes.empty() || !t || !m_undoStack) {
        emit statusMessage(tr("Nothing recorded"));
        return;
    }
    const std::size_t count = take.notes.size();
    m_undoStack->push(
        std::make_unique<model::AddNotesCommand>(take.track, std::move(take.notes), "Record"));
    emit statusMessage(tr("Recorded %n note(s)", nullptr, int(count)));
}

// --- tests -------------------------------------------------------------------------------------

void PlaybackController::runEngine(int frames, double frameRate, playback::MidiSink& sink) {
    Q_ASSERT(m_engine == Engine::Manual);
    if (m_engine != Engine::Manual)
        return;
    m_transport->process(frames, frameRate, sink);
    m_recorder->advanceManualClock(frames, frameRate);
}

void PlaybackController::feedInput(const playback::MidiMessage& message) {
    Q_ASSERT(m_engine == Engine::Manual);
    if (m_engine != Engine::Manual)
        return;
    m_recorder->feed(message);
}

} // namespace torchestra::ui
