#pragma once

#include "model/Song.h"
#include "model/SongListener.h"
#include "playback/PlaybackSnapshot.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

class QTimer;

namespace torchestra::model {
class UndoStack;
}

namespace torchestra::playback {
class MidiSink;
class Transport;
struct MidiMessage;
} // namespace torchestra::playback

namespace torchestra::ui {

class OutputManager;
class Recorder;

// Where the playback settings live in QSettings.
namespace settings {
inline constexpr const char* kAudioDriver = "playback/audioDriver"; // "" = automatic
inline constexpr const char* kMidiOut = "playback/midiOut";         // "" = built-in synth
// kMidiOut's value for a virtual output port of our own, named kVirtualPortName, that a DAW
// (or any JACK/ALSA client) connects to and records what plays.
inline constexpr const char* kVirtualMidiOut = "virtual:Torchestra";
inline constexpr const char* kVirtualPortName = "Torchestra";
inline constexpr const char* kMidiIn = "playback/midiIn"; // "" = none
// MIDI clock out (24 per beat, Start/Stop/Continue, song position) to the MIDI output port, for
// a DAW or drum machine to follow; off by default, never to the built-in synth.
inline constexpr const char* kMidiClockOut = "playback/midiClockOut";
inline constexpr const char* kMetronome = "playback/metronome";
} // namespace settings

// The window's playback engine: one Transport driven by the built-in FluidSynth (its own audio
// driver, chosen automatically or by name), or by a MIDI output port, or, when neither works,
// by a silent clock so that the playhead still moves and the program stays usable.
//
// The controller listens to the song and republishes a PlaybackSnapshot (mute/solo applied,
// metronome clicks added while enabled) after each change; changes are gathered by a 0 ms
// single-shot timer so a drag that changes notes per mouse move rebuilds once per event loop
// pass, which is still ahead of the next loop pass. Publishing never blocks: the Transport takes
// it through an atomic pointer.
//
// The playhead is the Transport's atomic position, read by a ~60 Hz timer that emits
// positionChanged(); nothing here waits for the engine. Starting and stopping the built-in synth
// happen on the LiveAudioOutput's worker, so switching outputs or closing the window does not
// wait for audio either. GUI thread only (the engine runs on its own thread and is reached only
// through the Transport).
//
// The parts: OutputManager chooses, starts and switches what drives the Transport (and the
// SoundFont and MIDI input); Recorder keeps a take's count-in plan, clock and notes;
// playback::Metronome builds the clicks and playback::SilentClock is the fallback engine. This
// class wires them to the song, the undo stack and the transport controls.
class PlaybackController : public QObject, private model::SongListener {
    Q_OBJECT
public:
    enum class Engine {
        Auto,  // the output chosen in the settings; the silent clock when it fails
        Manual // nothing drives the Transport: tests call runEngine() to advance time, and time
               // (for recording too) is what runEngine() played
    };

    explicit PlaybackController(Engine engine = Engine::Auto, QObject* parent = nullptr);
    ~PlaybackController() override;

    // The song to play (may be null); it must outlive this controller or be replaced first.
    void setSong(model::Song* song);
    model::Song* song() const { return m_song; }
    // Where recorded takes go (AddNotesCommand); null disables recording.
    void setUndoStack(model::UndoStack* stack) { m_undoStack = stack; }

    // (Re)starts the output from the settings (MIDI port, audio driver, SoundFont). Returns at
    // once: the running output stops in the background, the built-in synth starts on a worker
    // (loading a large SoundFont takes a while), a port opens once the synth let go of the
    // Transport (within an audio period); outputChanged() and a statusMessage() follow.
    // Does nothing for Engine::Manual.
    void applySettings();
    // What plays now, for the status bar and the settings dialog ("FluidSynth (pulseaudio)",
    // "MIDI port X", "no audio output: <reason>", "starting audio...").
    QString outputDescription() const;
    bool hasAudio() const;
    bool isStarting() const;
    // Playback runs without sound (the silent clock after the outputs failed); false while
    // starting and for Engine::Manual.
    bool isSilent() const;
    // Checks the SoundFont at `path` and, while the built-in synth plays, loads it into the
    // synth on the output's worker (a large file takes seconds); returns at once. The outcome
    // comes back on this thread as soundFontChanged(path, ...), always after this call returned.
    // Without a running synth only the file itself is checked (the next start of the output
    // loads what the settings name).
    void requestSoundFont(const QString& path);

    // --- transport ---
    void play();
    void pause();
    void stop(); // note-offs, back to the start (of the loop when looping)
    void togglePlay();
    void seekTick(model::Tick tick);
    void setLoop(bool enabled, model::Tick fromTick, model::Tick toTick);
    bool loopEnabled() const { return m_loopOn; }
    model::Tick loopStart() const { return m_loopFrom; }
    model::Tick loopEnd() const { return m_loopTo; }
    // Plays slower or faster without changing the song (0.5 = half speed), clamped to the
    // Transport's range; recording while scaled still puts notes at the ticks heard.
    void setTempoScale(double scale);
    double tempoScale() const;
    void panic();
    bool isPlaying() const;
    // Where the playhead is, in (fractional) ticks of what is playing: an atomic read. Negative
    // during a count-in before the song's start.
    double playheadTick() const;
    bool isCountingIn() const;

    // Plays a copy of `song` from `from`, looping [from, to) when `loop`, instead of the
    // window's song, until stop() or play() is called (play() goes back to the window's song
    // where its playhead was). Used to audition generated variations.
    void audition(const model::Song& song, model::Tick from, model::Tick to, bool loop);
    bool isAuditioning() const { return m_auditioning; }

    // Sounds (on) or ends (off) a note on the preview channel, for the piano-roll keyboard.
    void previewPitch(int pitch, bool on);
    // The channel and program previews use (the edited track's).
    void setPreviewInstrument(int channel, std::optional<int> program);

    // Clicks on every beat (the first of each bar accented), GM channel 10, while enabled.
    void setMetronome(bool enabled);
    bool metronome() const { return m_metronome; }

    // --- recording from a MIDI keyboard (the input chosen in the settings) ---
    // Counts in one bar (metronome) before `fromTick`, then records into `track` until stop();
    // the take is pushed as one AddNotesCommand. The count-in plays the bar before `fromTick`
    // where the song has one, and clicks alone before the song's start where it has not (from
    // bar 1), so a note played on the downbeat lands at `fromTick` either way. Engine::Manual
    // records without a MIDI input, from feedInput().
    bool record(model::TrackId track, model::Tick fromTick, QString& error);
    bool isRecording() const;
    bool hasMidiInput() const;

    // The snapshot built from the window's song (also while auditioning), and what the
    // Transport plays now.
    playback::SnapshotPtr songSnapshot() const { return m_songSnapshot; }
    playback::SnapshotPtr playingSnapshot() const;
    // Runs a pending rebuild now (tests; the timer does it otherwise).
    void flushRebuild();
    std::uint64_t rebuildCount() const { return m_rebuilds; }

    // The snapshot of `song` as the controller plays it: mute/solo applied, metronome clicks on
    // channel 10 when `metronome`, up to `minEnd` at least.
    static playback::SnapshotPtr buildSnapshot(const model::Song& song, bool metronome,
                                               model::Tick minEnd = 0);

    // Engine::Manual only: advances the transport by `frames` at `frameRate`, sending to `sink`.
    void runEngine(int frames, double frameRate, playback::MidiSink& sink);
    // Engine::Manual only: `message` as if played on the MIDI input now (at the engine's time).
    void feedInput(const playback::MidiMessage& message);
    playback::Transport& transport() { return *m_transport; }

signals:
    void positionChanged(double tick);
    void playingChanged(bool playing);
    void loopChanged(bool enabled, model::Tick from, model::Tick to);
    void metronomeChanged(bool enabled);
    void recordingChanged(bool recording);
    void tempoScaleChanged(double scale);
    void auditionChanged(bool auditioning);
    void outputChanged(const QString& description);
    // The outcome of requestSoundFont(path): `error` is "" when the synth plays that SoundFont
    // now (or, without a running synth, when the file looks right), else why not, and the
    // current SoundFont stays.
    void soundFontChanged(const QString& path, const QString& error);
    void statusMessage(const QString& message);
    void snapshotPublished();

private:
    // SongListener
    void notesAdded(model::TrackId, const std::vector<model::Note>&) override { scheduleRebuild(); }
    void notesRemoved(model::TrackId, const std::vector<model::Note>&) override {
        scheduleRebuild();
    }
    void notesChanged(model::TrackId, const std::vector<model::NoteChange>&) override {
        scheduleRebuild();
    }
    void tracksChanged() override { scheduleRebuild(); }
    void tempoMapChanged() override { scheduleRebuild(); }
    void songReloaded() override;

    void scheduleRebuild();
    void rebuild();
    void publish();
    void endAudition();
    void tick();
    void stopOutputs();
    void finishRecording();
    void sendPreview(const unsigned char* bytes, int size);

    Engine m_engine;
    model::Song* m_song = nullptr;
    model::UndoStack* m_undoStack = nullptr;
    // Destroyed in reverse: the recorder reads the outputs' MIDI input, the outputs drive the
    // Transport.
    std::unique_ptr<playback::Transport> m_transport;
    std::unique_ptr<OutputManager> m_outputs;
    std::unique_ptr<Recorder> m_recorder;

    playback::SnapshotPtr m_songSnapshot;
    playback::SnapshotPtr m_auditionSnapshot;
    QTimer* m_rebuildTimer = nullptr;
    QTimer* m_positionTimer = nullptr;
    std::uint64_t m_rebuilds = 0;

    bool m_loopOn = false;
    model::Tick m_loopFrom = 0;
    model::Tick m_loopTo = 0;
    bool m_metronome = false;
    bool m_auditioning = false;
    double m_beforeAudition = 0; // the window's playhead when the audition began
    bool m_wasPlaying = false;
    double m_lastTick = -1;

    int m_previewChannel = 0;
    std::optional<int> m_previewProgram;
    std::uint32_t m_previewHeld[4] = {0, 0, 0, 0}; // bit per pitch sounding from previews

    QTimer* m_inputTimer = nullptr; // drains the MIDI input while it is open
};

} // namespace torchestra::ui
