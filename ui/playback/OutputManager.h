#pragma once

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <cstdint>
#include <memory>

namespace torchestra::playback {
class LiveAudioOutput;
class MidiPortInput;
class MidiPortOutput;
class SilentClock;
class Transport;
struct MidiMessage;
} // namespace torchestra::playback

namespace torchestra::ui {

// What drives the window's Transport, as the settings choose it: a MIDI output port, else the
// built-in FluidSynth (its own audio driver and SoundFont), else a silent clock so the playhead
// still moves; plus the MIDI input, echoed to whichever output plays.
//
// Nothing here waits for audio or for a MIDI server: the synth starts, stops and loads
// SoundFonts on the LiveAudioOutput's worker, MIDI output ports open and close on a port worker
// of this object's own, and the outcome comes back on this thread as outputChanged() /
// soundFontChanged() and a statusMessage(). GUI thread only. The Transport must outlive this.
class OutputManager : public QObject {
    Q_OBJECT
public:
    // `description` is what outputDescription() says until the first start.
    OutputManager(playback::Transport& transport, const QString& description,
                  QObject* parent = nullptr);
    // Stops the outputs without waiting for audio; waits for the port worker's last open or
    // close (one JACK or ALSA round trip).
    ~OutputManager() override;

    // Stops whatever plays (the synth in the background) and closes the MIDI input; abandons a
    // start still on the audio worker.
    void stop();
    // Starts the output the settings name, once the stopped synth let go of the Transport;
    // a later start() takes over from one still pending.
    void start();

    QString outputDescription() const { return m_outputDescription; }
    bool hasAudio() const { return m_audioRunning; }
    bool isStarting() const { return m_starting; }
    // Nothing sounds: the silent clock drives the Transport (no synth, no MIDI port).
    bool isSilent() const { return m_clock != nullptr; }
    bool hasMidiInput() const;
    playback::MidiPortInput& input() { return *m_input; }

    // See PlaybackController::requestSoundFont: the answer is soundFontChanged(), always after
    // this call returned.
    void requestSoundFont(const QString& path);
    // Sends a message (a preview from the keyboard strip) straight to the playing output, past
    // the Transport. Dropped while a MIDI input echoes into the output (MidiThru takes one
    // producer) and while nothing plays.
    void pushThru(const playback::MidiMessage& message);

signals:
    void outputChanged(const QString& description);
    void soundFontChanged(const QString& path, const QString& error);
    void statusMessage(const QString& message);
    // The MIDI input opened: its events wait in its queue until drained.
    void midiInputOpened();

private:
    void startWhenTransportFree(std::uint64_t generation);
    void startChosenOutput();
    void portOpened(const std::shared_ptr<playback::MidiPortOutput>& port, const QString& name,
                    const QString& error, std::uint64_t generation);
    void closeOnPortWorker(std::shared_ptr<playback::MidiPortOutput> port);
    void startAudio();
    void audioStarted(const std::shared_ptr<std::atomic<bool>>& alive, const QString& error);
    void soundFontLoaded(const QString& path, const QString& error, std::uint64_t generation);
    void useSilentClock(const QString& reason);
    void openMidiInput();

    playback::Transport& m_transport;
    std::unique_ptr<playback::LiveAudioOutput> m_audio;
    std::shared_ptr<playback::MidiPortOutput> m_port; // never null; open while it plays
    std::unique_ptr<playback::MidiPortInput> m_input;
    std::unique_ptr<playback::SilentClock> m_clock;
    std::shared_ptr<std::atomic<bool>> m_startAlive; // false once a pending start is abandoned
    std::uint64_t m_outputGeneration = 0; // counted up by start() and stop(): older starts give way
    QString m_outputDescription;
    bool m_audioRunning = false;
    bool m_starting = false;
    QThreadPool m_portWorker; // one thread: opens and closes MIDI output ports in order
};

} // namespace torchestra::ui
