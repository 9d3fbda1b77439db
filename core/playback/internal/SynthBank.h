#pragma once

#include "playback/MidiMessage.h"
#include "playback/internal/SharedEffects.h" // and the FluidSynth types, which stay internal

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::playback {

// Routes FluidSynth's log lines away from stderr; the last error is kept for messages.
void installFluidQuietLog();
std::string takeLastFluidError();

struct SynthSettings {
    double sampleRate = 48000;
    double gain = 0.3;
    bool reverb = true;
    bool chorus = true;
    int polyphony = 256;
    // Staggered synths (see SynthBank). 8 bounds the timing error at 7 samples (0.15 ms at 48 kHz).
    int phases = 8;
    int maxBlockFrames = 8192;
    // Offline: one reverb and chorus for the whole bank (SharedEffects) and no work for synths
    // that have nothing to play. render() must then be given whole 64-sample blocks.
    bool offline = false;
};

// FluidSynth with sample-accurate event timing.
//
// FluidSynth renders in fixed 64-sample blocks and an event takes effect only at the next block
// boundary, so splitting fluid_synth_write_float at an event's offset still starts the note up to
// 63 samples late (that is the fluidsynth program's 1.3 ms jitter). The bank runs `phases`
// synths whose block grids are staggered by 64/phases samples and sharing one loaded SoundFont;
// a note goes to the synth whose next boundary comes first at or after the note's time, and its
// note-off follows it there. Controllers and program changes go to every synth. Voice mixing and
// the reverb/chorus are linear, so the sum sounds as one synth would.
//
// Offline (SynthSettings::offline) the synths render without effects of their own and hand their
// effect sends to one SharedEffects, and a synth without voices is not rendered at all: it
// skips whole 64-sample blocks, which keeps its grid, until its next note. The shared effects
// run one block behind on their own thread (see sharesEffects()).
//
// send() and render() run on one thread (the audio callback or the offline renderer) and are
// real-time safe; creation and loadSoundFont() are not.
class SynthBank final : public MidiSink {
public:
    static std::unique_ptr<SynthBank> create(const SynthSettings& settings,
                                             const std::string& soundFontPath, std::string& error);
    ~SynthBank() override;

    // Queues `message` to take effect `frameOffset` frames after the start of the next render().
    void send(int frameOffset, const MidiMessage& message) override;
    // Renders `frames` (<= maxBlockFrames) into left/right (overwritten), applying queued
    // messages at their frames.
    void render(int frames, float* left, float* right);

    // The number of synths create() makes for SynthSettings::phases (a divisor of 64), and the
    // one of them a note-on at `frame` starts on.
    static int phaseCount(int requested);
    static int synthFor(int phases, std::int64_t frame);

    // Replaces the SoundFont; on failure the previous one stays and the error names the file.
    // Not while render() may run on another thread.
    bool loadSoundFont(const std::string& path, std::string& error);
    const std::string& soundFontPath() const { return m_soundFontPath; }
    double sampleRate() const { return m_settings.sampleRate; }
    std::int64_t framesRendered() const { return m_frame; }
    // Voices sounding in all synths (as of the blocks they have rendered).
    int activeVoices() const;
    // How many messages had to be applied late because the queue was full (should stay 0).
    std::uint64_t overflowCount() const { return m_overflows; }
    // Whether one SharedEffects serves all synths (offline, when this FluidSynth allows it).
    // Then render() hands out the audio of the call before (silence the first time), every
    // call must render the same number of frames, and one more call flushes the last block.
    bool sharesEffects() const { return m_effects != nullptr; }

private:
    struct Pending {
        std::int64_t frame; // output frame at which the target synth is at a block boundary
        std::uint64_t seq;
        int synth;
        MidiMessage message;
    };

    explicit SynthBank(const SynthSettings& settings);
    std::int64_t nextBoundary(int synth, std::int64_t frame) const;
    void apply(int synth, const MidiMessage& m);
    void renderSpan(int frames, float* left, float* right);
    void renderEachSynth(int frames, float* left, float* right);
    void renderWithSharedEffects(int frames, float* left, float* right);
    void advance(int synth, std::int64_t target, float* left, float* right);
    void renderSynth(int synth, std::int64_t from, int frames, float* left, float* right);

    SynthSettings m_settings;
    fluid_settings_t* m_fluidSettings = nullptr;
    std::vector<fluid_synth_t*> m_synths;
    int m_sfontId = -1;
    std::string m_soundFontPath;
    int m_stride = 8;
    std::int64_t m_frame = 0;       // output frames rendered so far
    std::vector<Pending> m_pending; // capacity reserved once; never grows
    std::uint64_t m_seq = 0;
    std::uint64_t m_overflows = 0;
    std::vector<std::uint8_t> m_owner; // channel*128+key -> synth holding that note
    std::vector<float> m_scratchL, m_scratchR;
    // Offline: each synth's own position (an idle synth may stay behind at a block boundary).
    bool m_eachSynth = false;
    std::vector<std::int64_t> m_pos;
    std::unique_ptr<SharedEffects> m_effects;
    std::vector<float> m_dry[2][2]; // [block][left, right]: this block's synths, the one before
    int m_dryNext = 0;
    bool m_effectsStarted = false;
};

} // namespace torchestra::playback
