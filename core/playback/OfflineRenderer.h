#pragma once

#include "playback/PlaybackSnapshot.h"
#include "playback/WavWriter.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace torchestra::playback {

struct RenderOptions {
    std::string soundFont; // empty: SoundFontLocator's choice
    int sampleRate = 48000;
    double gain = 0.3;
    bool reverb = true;
    bool chorus = true;
    // Staggered FluidSynth instances for sample-accurate timing (1 = plain FluidSynth timing).
    int synthPhases = 8;
    // One reverb and chorus for all those synths, and no work for a synth with nothing to play.
    // False: every synth runs its own effects every block, as the bank did before (twice as
    // slow, kept to compare against).
    bool sharedEffects = true;
    double tailSeconds = 2.0; // rendered after the last note ends, for release and reverb
    WavFormat format = WavFormat::Pcm16;
    // Called on the rendering thread after each block with the share done (0..1]: keep it
    // cheap (store an atomic; a GUI polls it). Null: no reports.
    std::function<void(double done)> progress;
};

struct RenderResult {
    bool ok = false;
    std::string error; // one line naming the file and the problem
    std::string soundFont;
    int sampleRate = 0;
    std::vector<float> interleaved; // stereo
    double seconds = 0;             // length of the audio
    double renderSeconds = 0;       // wall-clock time spent rendering
    std::uint64_t lateEvents = 0;   // events that missed their sample (should be 0)
    int peakVoices = 0;             // the most voices sounding at once (looked at once a block)
    // One reverb and chorus served all synths (false when not asked for, or when this
    // FluidSynth cannot hand out effect sends: then each synth ran its own).
    bool effectsShared = false;
};

// Renders a snapshot through FluidSynth faster than real time, every event at its sample.
// `cancel` (may be null) is checked once per block. Any thread; blocks until done.
RenderResult renderSnapshot(const PlaybackSnapshot& snapshot, const RenderOptions& options,
                            const std::atomic<bool>* cancel = nullptr);

// renderSnapshot() and then an atomic WAV write (nothing is written when cancelled: the
// result's error is then "cancelled").
RenderResult renderToWavFile(const PlaybackSnapshot& snapshot, const std::string& wavPath,
                             const RenderOptions& options,
                             const std::atomic<bool>* cancel = nullptr);

} // namespace torchestra::playback
