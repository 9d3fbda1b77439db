#include "ui/playback/PlaybackController.h"

#include "model/EditCommands.h"
#include "model/UndoStack.h"
#include "playback/LiveAudioOutput.h"
#include "playback/MidiPorts.h"
#include "playback/MidiRecorder.h"
#include "playback/SoundFontLocator.h"
#include "playback/Transport.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <utility>

namespace torchestra::ui {

namespace {

std::int64_t steadyNowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

class NullSink final : public playback::MidiSink {
public:
    void send(int, const playback::MidiMessage&) override {}
};

// GM percussion: hi wood block on the bar, low wood block on the other beats.
constexpr int kClickAccent = 76;
constexpr int kClickBeat = 77;

} // namespace

// Drives the Transport when no output works: keeps time against the steady clock on its own
// thread and throws the messages away, so the playhead, loops and the UI behave as with sound.
// The thread never locks or allocates (NullSink), as the real engines.
class SilentClock {
public:
    explicit SilentClock(playback::Transport& transport) : m_transport(transport) {
        m_thread = std::thread([this] { run(); });
    }
    ~SilentClock() {
        m_quit.store(true);
        m_thread.join();
    }

private:
    void run() {
        NullSink sink;
        auto last = std::chrono::steady_clock::now();
        while (!m_quit.load(std::memory_order_relaxed)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            const auto now = std::chrono::steady_clock::now();
            const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last);
            last = now;
            const int frames = int(std::clamp<std::int64_t>(ns.count(), 1, 100'000'000));
            m_transport.process(frames, 1e9, sink); // frames are nanoseconds
        }
    }

    playback::Transport& m_transport;
    std::atomic<bool> m_quit{false};
    std::thread m_thread;
};

PlaybackController::PlaybackController(Engine engine, QObject* parent)
    : QObject(parent), m_engine(engine), m_transport(std::make_unique<playback::Transport>()),
      m_audio(std::make_unique<playback::LiveAudioOutput>()),
      m_port(std::make_unique<playback::MidiPortOutput>()),
      m_input(std::make_unique<playback::MidiPortInput>()) {
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
    connect(m_inputTimer, &QTimer::timeout, this, &PlaybackController::drainInput);
    rebuild();
    m_outputDescription = engine == Engine::Manual ? tr("manual engine") : QString();
}

PlaybackController::~PlaybackController() {
    if (m_song)
        m_song->removeListener(this);
    stopOutputs();
}

void PlaybackController::setSong(model::Song* song) {
    if (!model::switchSong(this, m_song, song))
        return;
    m_recordTrack = model::kNoTrack;
    rebuild();
}

// --- outputs -----------------------------------------------------------------------------------

void PlaybackController::stopOutputs() {
    if (m_startAlive) {
        // A start still on the audio worker (settings changed within it, or the window closes):
        // its result is ignored, and the stop() below cancels it there, without waiting.
        m_startAlive->store(false);
        m_startAlive.reset();
    }
    m_inputTimer->stop();
    if (m_input)
        m_input->close();
    m_clock.reset();
    if (m_port)
        m_port->close();
    if (m_audio)
        m_audio->stop(); // returns at once; the notes ring out and the driver closes on its worker
    m_audioRunning = false;
    m_starting = false;
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
    startWhenTransportFree(++m_outputGeneration);
}

// The synth's callback lets go of the Transport within an audio period of stop(); a MIDI port's
// sender or the silent clock must not drive it before (Transport::process runs on one thread at
// a time). A 1 ms timer looks again rather than this thread waiting.
void PlaybackController::startWhenTransportFree(std::uint64_t generation) {
    if (generation != m_outputGeneration)
        return; // a later applySettings() took over
    if (m_audio->drivesTransport()) {
        m_starting = true;
        QTimer::singleShot(1, this, [this, generation] { startWhenTransportFree(generation); });
        return;
    }
    startChosenOutput();
}

void PlaybackController::startChosenOutput() {
    m_starting = false;
    QSettings s;
    const QString port = s.value(settings::kMidiOut).toString();
    if (!port.isEmpty()) {
        std::string error;
        if (m_port->open(port.toStdString(), error) && m_port->start(m_transport.get(), error)) {
            m_outputDescription =
                tr("MIDI port %1").arg(QString::fromStdString(m_port->portName()));
            emit outputChanged(m_outputDescription);
            emit statusMessage(tr("Playing to %1").arg(m_outputDescription));
            openMidiInput();
            return;
        }
        m_port->close();
        emit statusMessage(tr("MIDI output %1 unavailable (%2); using the built-in synthesizer")
                               .arg(port, QString::fromStdString(error)));
    }
    openMidiInput();
    startAudio();
}

void PlaybackController::startAudio() {
    QSettings s;
    playback::LiveAudioOptions options;
    options.driver = s.value(settings::kAudioDriver).toString().toStdString();
    options.soundFont = s.value(settings::kSoundFont).toString().toStdString();
    if (!options.soundFont.empty() && !playback::checkSoundFontFile(options.soundFont).empty())
        options.soundFont.clear(); // a remembered file that went away: find another
    m_starting = true;
    m_outputDescription = tr("starting audio...");
    emit outputChanged(m_outputDescription);
    emit statusMessage(tr("Starting audio..."));

    // Opening a driver and loading a SoundFont take from milliseconds to seconds: the output's
    // worker does it, and says so from there; the answer is handed back to this thread (and
    // dropped if this object is gone by then: ~LiveAudioOutput joins the worker first).
    auto alive = std::make_shared<std::atomic<bool>>(true);
    m_startAlive = alive;
    m_audio->startAsync(*m_transport, options, [this, alive](const std::string& error) {
        const QString why = QString::fromStdString(error);
        QMetaObject::invokeMethod(
            this, [this, alive, why] { audioStarted(alive, why); }, Qt::QueuedConnection);
    });
}

void PlaybackController::audioStarted(const std::shared_ptr<std::atomic<bool>>& alive,
                                      const QString& error) {
    if (!alive->load())
        return; // abandoned by stopOutputs()
    m_startAlive.reset();
    m_starting = false;
    if (!error.isEmpty()) {
        useSilentClock(error); // a failed start never drove the Transport
        return;
    }
    m_audioRunning = true;
    m_outputDescription =
        tr("FluidSynth (%1, %2)")
            .arg(QString::fromStdString(m_audio->driver()),
                 QFileInfo(QString::fromStdString(m_audio->soundFont())).fileName());
    emit outputChanged(m_outputDescription);
    emit statusMessage(tr("Audio: %1").arg(m_outputDescription));
}

void PlaybackController::useSilentClock(const QString& reason) {
    m_clock = std::make_unique<SilentClock>(*m_transport);
    // LiveAudioOutput says "no audio output works here (tried ...); playback to MIDI ports and
    // rendering still work": keep the part that says why.
    QString why = reason;
    const QString lead = QStringLiteral("no audio output works here (");
    if (why.startsWith(lead)) {
        why = why.mid(lead.size());
        const int end = why.lastIndexOf(QStringLiteral("); "));
        if (end > 0)
            why = why.left(end);
    }
    m_outputDescription = tr("no audio output: %1").arg(why);
    emit outputChanged(m_outputDescription);
    emit statusMessage(m_outputDescription);
}

void PlaybackController::requestSoundFont(const QString& path) {
    const QString check = QString::fromStdString(playback::checkSoundFontFile(path.toStdString()));
    if (!check.isEmpty() || !m_audioRunning) {
        // Answered from the event loop like a load, so callers see one order of events.
        QMetaObject::invokeMethod(
            this, [this, path, check] { emit soundFontChanged(path, check); },
            Qt::QueuedConnection);
        return;
    }
    // The load runs on the output's worker; its answer is handed back to this thread. The
    // callback only posts an event to `this`: ~LiveAudioOutput (a member, destroyed before
    // QObject's destructor runs) joins the worker, and ~QObject drops the events still posted
    // to this object, so the answer never reaches a destroyed controller.
    const std::uint64_t generation = m_outputGeneration;
    m_audio->setSoundFontAsync(
        path.toStdString(), [this, path, generation](const std::string& error) {
            const QString why = QString::fromStdString(error);
            QMetaObject::invokeMethod(
                this, [this, path, why, generation] { soundFontLoaded(path, why, generation); },
                Qt::QueuedConnection);
        });
}

void PlaybackController::soundFontLoaded(const QString& path, const QString& error,
                                         std::uint64_t generation) {
    // An output restarted meanwhile has loaded what the settings name: nothing to update.
    if (error.isEmpty() && m_audioRunning && generation == m_outputGeneration) {
        m_audio->resendPrograms(); // the new synths start with default programs
        m_outputDescription =
            tr("FluidSynth (%1, %2)")
                .arg(QString::fromStdString(m_audio->driver()), QFileInfo(path).fileName());
        emit outputChanged(m_outputDescription);
    }
    emit soundFontChanged(path, error);
}

void PlaybackController::openMidiInput() {
    const QString name = QSettings().value(settings::kMidiIn).toString();
    if (name.isEmpty())
        return;
    std::string error;
    if (!m_input->open(name.toStdString(), error)) {
        emit statusMessage(
            tr("MIDI input %1 unavailable: %2").arg(name, QString::fromStdString(error)));
        return;
    }
    // The player hears themself through whichever output plays. (MidiThru has one producer:
    // previews from the keyboard strip are skipped while an input echoes, see previewPitch.)
    if (m_port->isOpen())
        m_input->setThru(m_port.get());
    else
        m_input->setThru(m_audio.get());
    m_inputTimer->start();
}

bool PlaybackController::hasMidiInput() const {
    return m_input && m_input->isOpen();
}

// --- snapshots ---------------------------------------------------------------------------------

playback::SnapshotPtr PlaybackController::buildSnapshot(const model::Song& song, bool metronome,
                                                        model::Tick minEnd) {
    if (!metronome)
        return playback::PlaybackSnapshot::fromSong(song);
    model::Song copy(song);
    const model::TempoMap& map = copy.tempoMap();
    bool anySolo = false;
    for (const auto& t : copy.tracks())
        anySolo = anySolo || t.properties.solo;
    model::Track clicks;
    clicks.properties.name = "Metronome";
    clicks.properties.channel = model::kDrumChannel;
    clicks.properties.solo = anySolo; // a soloed track still plays against the click
    const model::Tick end = std::max({copy.endTick(), minEnd, map.barToTick(8)});
    std::vector<model::Note> notes;
    for (std::int64_t bar = 0;; ++bar) {
        const model::Tick barStart = map.barToTick(bar);
        if (barStart >= end)
            break;
        const model::TimeSignature ts = map.timeSignatureAt(barStart);
        const model::Tick beat = map.ticksPerBeat(ts);
        const model::Tick nextBar = map.barToTick(bar + 1);
        for (int b = 0; b < ts.numerator; ++b) {
            const model::Tick t = barStart + b * beat;
            if (t >= nextBar)
                break;
            model::Note n;
            n.start = t;
            n.length = std::max<model::Tick>(1, beat / 4);
            n.pitch = std::uint8_t(b == 0 ? kClickAccent : kClickBeat);
            n.velocity = std::uint8_t(b == 0 ? 127 : 90);
            n.channel = model::kDrumChannel;
            notes.push_back(n);
        }
    }
    copy.addTrack(std::move(clicks), std::move(notes));
    return playback::PlaybackSnapshot::fromSong(copy);
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
                                   std::max(m_loopOn ? m_loopTo : 0, m_recordHorizon));
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
        drainInput();
        m_recordClock.rescale(nowNs(), clamped);
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
    if (isRecording() && advanceRecordHorizon(model::Tick(t)))
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
    // MidiThru takes one producer: while a MIDI input echoes into the output, it is that one.
    if (hasMidiInput())
        return;
    if (m_port->isOpen())
        m_port->pushThru(m);
    else if (m_audioRunning)
        m_audio->pushThru(m);
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

std::int64_t PlaybackController::RecordClock::songNs(std::int64_t wallNs) const {
    return songAnchorNs + std::int64_t(std::llround(double(wallNs - wallAnchorNs) * scale));
}

void PlaybackController::RecordClock::rescale(std::int64_t wallNs, double newScale) {
    songAnchorNs = songNs(wallNs);
    wallAnchorNs = wallNs;
    scale = newScale;
}

std::int64_t PlaybackController::nowNs() const {
    return m_engine == Engine::Manual ? m_manualNs : steadyNowNs();
}

namespace {

// The clicks before the song's start: the grid of the song's first bar, counted back from
// tick 0, for `ticks` ticks at the song's first tempo.
playback::CountIn countInBefore(const model::TempoMap& map, model::Tick ticks) {
    const model::TimeSignature ts = map.timeSignatureAt(0);
    const double secondsPerTick = map.usPerQuarterAt(0) * 1e-6 / map.ppq();
    playback::CountIn c;
    c.seconds = double(ticks) * secondsPerTick;
    c.beatSeconds = double(map.ticksPerBeat(ts)) * secondsPerTick;
    c.ticksPerSecond = 1.0 / secondsPerTick;
    c.beatsPerBar = ts.numerator;
    c.accent = playback::MidiMessage::noteOn(model::kDrumChannel, kClickAccent, 127);
    c.click = playback::MidiMessage::noteOn(model::kDrumChannel, kClickBeat, 90);
    return c;
}

} // namespace

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
    // One bar of count-in: the song's bar before `fromTick` as far as there is one, and clicks
    // alone before the song's start for the rest (all of it when recording from bar 1).
    const model::Tick bar = map.ticksPerBar(map.timeSignatureAt(fromTick));
    const model::Tick countFrom = std::max<model::Tick>(0, fromTick - bar);
    const model::Tick beforeStart = bar - (fromTick - countFrom);
    const playback::CountIn preRoll = countInBefore(map, beforeStart);
    // The clicks (recording always plays them) reach past the song's end: one rebuild, by
    // setMetronome or here, publishes both.
    m_recordFrom = fromTick;
    m_recordHorizon = 0;
    advanceRecordHorizon(fromTick);
    m_metronomeBeforeRecord = m_metronome;
    if (!m_metronome)
        setMetronome(true);
    else
        rebuild();
    {
        playback::InputEvent stale; // played before Record was pressed
        while (m_input->pop(stale)) {
        }
    }
    const double countSeconds =
        preRoll.seconds + map.tickToSeconds(fromTick) - map.tickToSeconds(countFrom);
    const std::int64_t now = nowNs();
    m_recordOriginNs = now + std::int64_t(std::llround(countSeconds / tempoScale() * 1e9));
    // The song clock equals the steady clock at the origin and runs at the tempo scale.
    m_recordClock = RecordClock{m_recordOriginNs, m_recordOriginNs, tempoScale()};
    // A sixteenth note early still counts as on time (clamped to `fromTick` when the take is
    // made); earlier notes belong to the count-in.
    m_recordSlackSeconds = (map.usPerQuarterAt(fromTick) * 1e-6) / 4;
    m_recorder = std::make_unique<playback::MidiRecorder>(map, m_recordOriginNs, fromTick);
    m_recordTrack = track;
    m_transport->seekTick(countFrom);
    if (beforeStart > 0)
        m_transport->playAfterCountIn(preRoll);
    else
        m_transport->play();
    m_wasPlaying = true;
    emit playingChanged(true);
    emit recordingChanged(true);
    emit statusMessage(tr("Count-in, then recording..."));
    return true;
}

// A take may run past the song's end: while recording, the clicks (recording always plays
// them) reach at least kRecordAheadBars bars past the playhead, and are extended in time.
// True when the horizon moved (the caller rebuilds the snapshot).
bool PlaybackController::advanceRecordHorizon(model::Tick playhead) {
    if (!m_song)
        return false;
    constexpr int kRecordAheadBars = 32;
    const model::TempoMap& map = m_song->tempoMap();
    const model::Tick from = std::max(playhead, m_recordFrom);
    // Extend once less than half the bars ahead remain: a rebuild every 16 bars, not every tick.
    const model::Tick soon = map.barToTick(map.barAtTick(from) + kRecordAheadBars / 2);
    if (m_recordHorizon > soon)
        return false;
    m_recordHorizon = map.barToTick(map.barAtTick(from) + kRecordAheadBars);
    return true;
}

void PlaybackController::drainInput() {
    playback::InputEvent e;
    while (m_input->pop(e))
        takeInput(e);
}

void PlaybackController::takeInput(const playback::InputEvent& event) {
    if (!m_recorder)
        return;
    playback::InputEvent e = event;
    e.timeNs = m_recordClock.songNs(event.timeNs);
    // A note begun well inside the count-in is not part of the take. Before the song's start
    // the recorder would put it at tick 0, so it is dropped here rather than when the take is
    // made.
    if (e.message.isNoteOn() && double(e.timeNs - m_recordOriginNs) * 1e-9 < -m_recordSlackSeconds)
        return;
    m_recorder->add(e);
}

void PlaybackController::finishRecording() {
    drainInput();
    const model::TrackId track = m_recordTrack;
    m_recordTrack = model::kNoTrack;
    const bool clicksPastTheEnd = std::exchange(m_recordHorizon, 0) > 0;
    std::vector<model::Note> notes;
    if (m_recorder)
        notes = m_recorder->finish(m_recordClock.songNs(nowNs()));
    m_recorder.reset();
    // One rebuild drops the clicks past the song's end (and all clicks if they were off).
    if (!m_metronomeBeforeRecord)
        setMetronome(false);
    else if (clicksPastTheEnd)
        rebuild();
    // Notes played during the count-in are early entries: a little slack, then clamped.
    const model::Tick slack = m_song ? m_song->ppq() / 4 : 0;
    std::vector<model::Note> take;
    const model::Track* t = m_song ? m_song->track(track) : nullptr;
    for (model::Note n : notes) {
        if (n.start < m_recordFrom - slack)
            continue;
        if (n.start < m_recordFrom) {
            n.length = std::max<model::Tick>(1, n.end() - m_recordFrom);
            n.start = m_recordFrom;
        }
        n.id = model::kNoNote;
        if (t)
            n.channel = t->properties.channel;
        take.push_back(n);
    }
    emit recordingChanged(false);
    if (take.empty() || !t || !m_undoStack) {
        emit statusMessage(tr("Nothing recorded"));
        return;
    }
    const std::size_t count = take.size();
    m_undoStack->push(std::make_unique<model::AddNotesCommand>(track, std::move(take), "Record"));
    emit statusMessage(tr("Recorded %n note(s)", nullptr, int(count)));
}

// --- tests -------------------------------------------------------------------------------------

void PlaybackController::runEngine(int frames, double frameRate, playback::MidiSink& sink) {
    Q_ASSERT(m_engine == Engine::Manual);
    if (m_engine != Engine::Manual)
        return;
    m_transport->process(frames, frameRate, sink);
    m_manualNs += std::llround(double(frames) / frameRate * 1e9);
}

void PlaybackController::feedInput(const playback::MidiMessage& message) {
    Q_ASSERT(m_engine == Engine::Manual);
    if (m_engine != Engine::Manual)
        return;
    playback::InputEvent e;
    e.timeNs = nowNs();
    e.message = message;
    takeInput(e);
}

} // namespace torchestra::ui
