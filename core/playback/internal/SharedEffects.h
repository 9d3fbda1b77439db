#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// FluidSynth types stay in the internal headers and the .cpp files of core/playback.
typedef struct _fluid_hashtable_t fluid_settings_t;
typedef struct _fluid_synth_t fluid_synth_t;
typedef struct _fluid_sample_t fluid_sample_t;
typedef struct _fluid_sfont_t fluid_sfont_t;
typedef struct _fluid_preset_t fluid_preset_t;

namespace torchestra::playback {

// One FluidSynth reverb and chorus for all the synths of a SynthBank, fed with their summed
// effect sends.
//
// FluidSynth 2.3 has no input to its effects: they only hear its own voices. So this unit is a
// FluidSynth synth whose two voices play a looping sample that is a ring buffer of the sends
// (24-bit, at the sample's own pitch, so each output sample reads one ring sample unchanged):
// one voice sends everything to the reverb, the other to the chorus. The sends come from the
// bank's synths, rendered with their own effects off and FluidSynth's LADSPA host on (the one
// setting under which FluidSynth still mixes the sends and hands them out through
// fluid_synth_process). Reverb and chorus are linear, so one unit fed with the sum sounds as
// the bank's eight units did, at an eighth of their cost.
//
// The unit renders on a thread of its own, one block behind the bank: start() hands it the
// sends of a block, finish() waits for their effects. The bank renders its next block in
// between, so on two cores the effects cost the bank no time at all.
//
// create() is not real-time safe; the rest does not allocate but waits for the unit's thread.
// The bank's thread calls everything else.
class SharedEffects final {
public:
    // Null, with `error`, when this FluidSynth cannot hand out effect sends (built without
    // LADSPA): the caller then keeps an effects unit per synth.
    static std::unique_ptr<SharedEffects> create(double sampleRate, bool reverb, bool chorus,
                                                 int maxBlockFrames, std::string& error);
    ~SharedEffects();

    // Settings for a synth whose sends this unit is to hear: its own effects off, sends kept.
    static bool prepareSenderSettings(fluid_settings_t* settings);

    // Where the senders add their reverb and chorus sends for the next start() (mono; frame 0
    // is the block's first frame; zero until then).
    float* reverbSend() { return m_sends[m_gather][0].data(); }
    float* chorusSend() { return m_sends[m_gather][1].data(); }
    // Starts the effects of the sends gathered for `frames` (a multiple of 64, at most
    // maxBlockFrames; the unit renders whole 64-sample blocks, so a partial one would read sends
    // not written yet) and gives the senders fresh buffers. Waits for the block before first.
    void start(int frames);
    // Waits for the effects of the block started last and adds them to left/right.
    void finish(float* left, float* right);

private:
    struct Injector; // one looping ring-buffer sample and the voice that plays it

    SharedEffects() = default;
    bool makeInjectors(double sampleRate, int maxBlockFrames);
    bool calibrate(double sampleRate, std::string& error);
    bool startUnit(double sampleRate, bool reverb, bool chorus, std::string& error);
    bool startInjectors(fluid_synth_t* synth);
    void writeRing(Injector& in, const float* send, int frames);
    void renderBlock(int frames, int sends);
    void run();
    static int noteOn(fluid_preset_t* preset, fluid_synth_t* synth, int chan, int key, int vel);

    fluid_settings_t* m_settings = nullptr;
    fluid_synth_t* m_synth = nullptr;
    fluid_sfont_t* m_sfont = nullptr; // the injector preset's SoundFont; m_synth frees it
    bool m_sfontAdded = false;
    std::vector<std::unique_ptr<Injector>> m_injectors; // [0] reverb, [1] chorus
    std::vector<float> m_sends[2][2];                   // [buffer][reverb, chorus]
    int m_gather = 0;                                   // the buffer the senders fill
    std::vector<float> m_wetL, m_wetR, m_dryL, m_dryR;
    std::int64_t m_frame = 0; // frames rendered, which places the next send in the rings

    // The unit's thread and its one job: the block to render (frames, sends buffer).
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_busy = false, m_quit = false;
    int m_jobFrames = 0, m_jobSends = 0;
};

} // namespace torchestra::playback
