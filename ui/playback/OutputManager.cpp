#include "ui/playback/OutputManager.h"
#include "ui/playback/SoundFontSetting.h"

#include "ui/playback/PlaybackController.h"

#include "playback/LiveAudioOutput.h"
#include "playback/MidiPorts.h"
#include "playback/SilentClock.h"
#include "playback/SoundFontLocator.h"
#include "playback/Transport.h"

#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <utility>

namespace torchestra::ui {

OutputManager::OutputManager(playback::Transport& transport, const QString& description,
                             QObject* parent)
    : QObject(parent), m_transport(transport),
      m_audio(std::make_unique<playback::LiveAudioOutput>()),
      m_port(std::make_shared<playback::MidiPortOutput>()),
      m_input(std::make_unique<playback::MidiPortInput>()), m_outputDescription(description) {
    m_portWorker.setMaxThreadCount(1);
}

OutputManager::~OutputManager() {
    stop();
    m_portWorker.waitForDone();
}

void OutputManager::stop() {
    if (m_startAlive) {
        // A start still on the audio worker (settings changed within it, or the window closes):
        // its result is ignored, and the stop() below cancels it there, without waiting.
        m_startAlive->store(false);
        m_startAlive.reset();
    }
    ++m_outputGeneration; // a port still opening on the worker is closed there when it answers
    m_input->close();
    m_clock.reset();
    if (m_port->isOpen()) {
        m_port->stopSending(); // the Transport is free once this returns (a clock sent Stop)
        closeOnPortWorker(std::exchange(m_port, std::make_shared<playback::MidiPortOutput>()));
    }
    m_transport.setMidiClockOut(false); // only a MIDI port sets it, when it starts
    m_audio->stop(); // returns at once; the notes ring out and the driver closes on its worker
    m_audioRunning = false;
    m_starting = false;
}

void OutputManager::start() {
    startWhenTransportFree(++m_outputGeneration);
}

// The synth's callback lets go of the Transport within an audio period of stop(); a MIDI port's
// sender or the silent clock must not drive it before (Transport::process runs on one thread at
// a time). A 1 ms timer looks again rather than this thread waiting.
void OutputManager::startWhenTransportFree(std::uint64_t generation) {
    if (generation != m_outputGeneration)
        return; // a later start() took over
    if (m_audio->drivesTransport()) {
        m_starting = true;
        QTimer::singleShot(1, this, [this, generation] { startWhenTransportFree(generation); });
        return;
    }
    startChosenOutput();
}

void OutputManager::startChosenOutput() {
    m_starting = false;
    const QString name = QSettings().value(settings::kMidiOut).toString();
    if (name.isEmpty()) {
        openMidiInput();
        startAudio();
        return;
    }
    // Opening a port is a round trip to the JACK server or the ALSA sequencer (measured up to
    // 17 ms on a busy machine): the port worker opens it and hands it back to this thread, which
    // starts its sender only if no later start() or stop() came in between.
    m_starting = true;
    m_outputDescription = tr("opening MIDI port %1...").arg(name);
    emit outputChanged(m_outputDescription);
    const std::uint64_t generation = m_outputGeneration;
    m_portWorker.start([this, name, generation] {
        auto port = std::make_shared<playback::MidiPortOutput>();
        std::string error;
        if (name == QLatin1String(settings::kVirtualMidiOut))
            port->openVirtual(settings::kVirtualPortName, error);
        else
            port->open(name.toStdString(), error);
        const QString why = QString::fromStdString(error);
        // Dropped with the port (closed here, on this thread, in ~OutputManager's wait) if
        // the manager is gone: ~QObject discards the events still posted to it.
        QMetaObject::invokeMethod(
            this, [this, port, name, why, generation] { portOpened(port, name, why, generation); },
            Qt::QueuedConnection);
    });
}

void OutputManager::portOpened(const std::shared_ptr<playback::MidiPortOutput>& port,
                               const QString& name, const QString& error,
                               std::uint64_t generation) {
    if (generation != m_outputGeneration) {
        closeOnPortWorker(port); // a later start() or stop() took over
        return;
    }
    m_starting = false;
    std::string why = error.toStdString();
    const bool clock = QSettings().value(settings::kMidiClockOut, false).toBool();
    m_transport.setMidiClockOut(clock);
    if (port->isOpen() && port->start(&m_transport, why)) {
        m_port = port;
        m_outputDescription =
            name == QLatin1String(settings::kVirtualMidiOut)
                ? tr("MIDI port %1 (virtual: a DAW can connect to it and record)")
                      .arg(QString::fromLatin1(settings::kVirtualPortName))
                : tr("MIDI port %1").arg(QString::fromStdString(m_port->portName()));
        if (clock)
            m_outputDescription += tr(", with MIDI clock");
        emit outputChanged(m_outputDescription);
        emit statusMessage(tr("Playing to %1").arg(m_outputDescription));
        openMidiInput();
        return;
    }
    m_transport.setMidiClockOut(false);
    closeOnPortWorker(port);
    emit statusMessage(tr("MIDI output %1 unavailable (%2); using the built-in synthesizer")
                           .arg(name, QString::fromStdString(why)));
    openMidiInput();
    startAudio();
}

void OutputManager::closeOnPortWorker(std::shared_ptr<playback::MidiPortOutput> port) {
    if (!port->isOpen())
        return;
    m_portWorker.start([port = std::move(port)] { port->close(); });
}

void OutputManager::startAudio() {
    QSettings s;
    playback::LiveAudioOptions options;
    options.driver = s.value(settings::kAudioDriver).toString().toStdString();
    options.soundFont = storedSoundFont().toStdString();
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
    m_audio->startAsync(m_transport, options, [this, alive](const std::string& error) {
        const QString why = QString::fromStdString(error);
        QMetaObject::invokeMethod(
            this, [this, alive, why] { audioStarted(alive, why); }, Qt::QueuedConnection);
    });
}

void OutputManager::audioStarted(const std::shared_ptr<std::atomic<bool>>& alive,
                                 const QString& error) {
    if (!alive->load())
        return; // abandoned by stop()
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

void OutputManager::useSilentClock(const QString& reason) {
    m_clock = std::make_unique<playback::SilentClock>(m_transport);
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
    // Short: the status line has room for a sentence, not for the drivers tried. The transport's
    // badge and Preferences show the whole reason.
    emit statusMessage(tr("No audio output: playback is silent"));
}

void OutputManager::requestSoundFont(const QString& path) {
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
    // to this object, so the answer never reaches a destroyed manager.
    const std::uint64_t generation = m_outputGeneration;
    m_audio->setSoundFontAsync(
        path.toStdString(), [this, path, generation](const std::string& error) {
            const QString why = QString::fromStdString(error);
            QMetaObject::invokeMethod(
                this, [this, path, why, generation] { soundFontLoaded(path, why, generation); },
                Qt::QueuedConnection);
        });
}

void OutputManager::soundFontLoaded(const QString& path, const QString& error,
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

void OutputManager::openMidiInput() {
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
    // previews from the keyboard strip are skipped while an input echoes, see pushThru.)
    if (m_port->isOpen())
        m_input->setThru(m_port.get());
    else
        m_input->setThru(m_audio.get());
    emit midiInputOpened();
}

bool OutputManager::hasMidiInput() const {
    return m_input && m_input->isOpen();
}

void OutputManager::pushThru(const playback::MidiMessage& message) {
    // MidiThru takes one producer: while a MIDI input echoes into the output, it is that one.
    if (hasMidiInput())
        return;
    if (m_port->isOpen())
        m_port->pushThru(message);
    else if (m_audioRunning)
        m_audio->pushThru(message);
}

} // namespace torchestra::ui
