#pragma once

#include "playback/MidiMessage.h"

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::playback {

class Transport;

struct LiveAudioOptions {
    std::string driver;        // "" = automatic: pulseaudio, pipewire, jack, alsa, sdl2, oss
    std::string soundFont;     // "" = SoundFontLocator's choice
    double sampleRate = 48000; // JACK imposes its own
    double gain = 0.3;
    bool reverb = true;
    bool chorus = true;
    int periodSize = 256;
};

// Plays a Transport through FluidSynth's own audio drivers. The driver's callback runs the
// transport and renders with sample-accurate timing; it never locks, allocates, logs or throws.
// When no driver works, start() says which were tried and why, and the program goes on without
// sound. Control thread for everything but the readers.
//
// Opening a driver, loading a SoundFont and closing a driver (which lets the notes ring out, then
// joins the driver's thread) all take time, so they run on a worker thread the output owns, one
// job after another: startAsync() and stop() return at once, and the window never waits for
// audio. Several driver sessions may exist for a moment (one ringing out, the next starting);
// the Transport is driven by at most one of them at a time: a session's callback takes the
// Transport only when no other callback holds it, and gives it up at the start of a period, so
// Transport::process never runs on two threads.
class LiveAudioOutput final : public MidiThru {
public:
    // Called on the output's worker thread when a start finished: "" when audio runs, else why
    // not ("cancelled" when a stop() came first).
    using StartDone = std::function<void(const std::string& error)>;
    // Called when a SoundFont change finished: "" when the new bank plays, else why not.
    using SoundFontDone = std::function<void(const std::string& error)>;

    LiveAudioOutput();
    // Stops, lets the worker finish what is queued without the ring-out pause, and joins it:
    // bounded by closing the driver (the callback never blocks, so that join returns).
    ~LiveAudioOutput();
    LiveAudioOutput(const LiveAudioOutput&) = delete;
    LiveAudioOutput& operator=(const LiveAudioOutput&) = delete;

    // The drivers this FluidSynth was built with.
    static std::vector<std::string> availableDrivers();

    // Starts audio for `transport`, which must outlive this output (or a later
    // waitUntilIdle()): a session ringing out may hold it until then. Stops a running session
    // first. Returns at once; the future (and `done`, if given) carries "" or the error. A
    // stop() before the worker got to it cancels it.
    std::future<std::string> startAsync(Transport& transport, const LiveAudioOptions& options,
                                        StartDone done = {});
    // startAsync() and wait: false with `error` when no driver could start or the SoundFont
    // would not load. For callers that may wait (the CLI, tests).
    bool start(Transport& transport, const LiveAudioOptions& options, std::string& error);
    // Pauses the transport (the callback ends the notes), then returns at once: the worker lets
    // the notes ring out and closes the driver. isRunning() is false from here on.
    void stop();
    // Waits until every queued start/stop has finished (tests; the destructor does it too).
    // False when `timeoutMs` passed first.
    bool waitUntilIdle(int timeoutMs = 10000);
    // True while a callback of this output may still call Transport::process: another engine
    // (a MIDI port's sender, a clock) must not drive the same Transport before this is false.
    // Becomes false within a period of stop(), at the latest when the driver is closed.
    bool drivesTransport() const;

    // Loads another SoundFont into the running synth without stopping; returns at once (the
    // load, seconds for a large file, runs on the worker after the jobs queued before it).
    // `done` runs on the worker: "" once the callback renders with the new bank, else why not,
    // and the current bank keeps playing ("audio is not running" when a stop() came first).
    // When audio is not running at the call, `done` runs at once, in this call, with "audio is
    // not running". The new bank starts with default programs: after a success, the control
    // thread calls resendPrograms() (the Transport takes commands from that thread only).
    void setSoundFontAsync(std::string path, SoundFontDone done);
    // setSoundFontAsync(), wait for it, then resendPrograms(): false with `error` when the
    // SoundFont would not load (the current one stays). For callers that may wait (tests); a
    // window uses setSoundFontAsync().
    bool setSoundFont(const std::string& path, std::string& error);
    // A seek in place, so that the Transport of the running session sends its programs (and
    // controllers) again: a new bank starts from defaults. Does nothing when audio is not
    // running.
    void resendPrograms();

    // True from a successful start until stop() (not while a start is still on the worker).
    bool isRunning() const;
    std::string driver() const;
    std::string soundFont() const;
    double sampleRate() const;
    // Peak output level since the last call (any thread), for a level meter and tests.
    float takePeak();
    std::uint64_t callbacks() const;

    // Thru from a MIDI input: played at the start of the next audio period. One producer thread.
    bool pushThru(const MidiMessage& message) override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace torchestra::playback
