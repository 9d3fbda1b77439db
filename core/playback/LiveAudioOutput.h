#pragma once

#include "playback/MidiMessage.h"

#include <atomic>
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
class LiveAudioOutput final : public MidiThru {
public:
    LiveAudioOutput();
    ~LiveAudioOutput(); // stop()
    LiveAudioOutput(const LiveAudioOutput&) = delete;
    LiveAudioOutput& operator=(const LiveAudioOutput&) = delete;

    // The drivers this FluidSynth was built with.
    static std::vector<std::string> availableDrivers();

    // Starts audio for `transport` (which must outlive stop()). False with `error` when no
    // driver could start or the SoundFont would not load.
    bool start(Transport& transport, const LiveAudioOptions& options, std::string& error);
    // Ends the sounding notes, then closes the driver.
    void stop();

    // Loads another SoundFont without stopping; on failure the current one stays.
    bool setSoundFont(const std::string& path, std::string& error);

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
