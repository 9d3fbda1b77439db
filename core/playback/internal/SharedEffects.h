#pragma once

#include <cstdint>
#include <memory>
#include <string>
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
// Not real-time safe in create(); process() does not allocate. One thread.
class SharedEffects final {
public:
    // Null, with `error`, when this FluidSynth cannot hand out effect sends (built without
    // LADSPA): the caller then keeps an effects unit per synth.
    static std::unique_ptr<SharedEffects> create(double sampleRate, bool reverb, bool chorus,
                                                 int maxBlockFrames, std::string& error);
    ~SharedEffects();

    // Settings for a synth whose sends this unit is to hear: its own effects off, sends kept.
    static bool prepareSenderSettings(fluid_settings_t* settings);

    // Where the senders add their reverb and chorus sends for the next process() (mono; frame 0
    // is the block's first frame; zeroed again by process()).
    float* reverbSend() { return m_reverbSend.data(); }
    float* chorusSend() { return m_chorusSend.data(); }
    // Adds the effects of the sends gathered for `frames` (a multiple of 64, <= maxBlockFrames)
    // to left/right. The unit renders whole 64-sample blocks, so a partial block would read
    // sends not written yet.
    void process(int frames, float* left, float* right);

private:
    struct Injector; // one looping ring-buffer sample and the voice that plays it

    SharedEffects() = default;
    bool makeInjectors(double sampleRate, int maxBlockFrames);
    bool calibrate(double sampleRate, std::string& error);
    bool startUnit(double sampleRate, bool reverb, bool chorus, std::string& error);
    bool startInjectors(fluid_synth_t* synth);
    void writeRing(Injector& in, const float* send, int frames);
    static int noteOn(fluid_preset_t* preset, fluid_synth_t* synth, int chan, int key, int vel);

    fluid_settings_t* m_settings = nullptr;
    fluid_synth_t* m_synth = nullptr;
    fluid_sfont_t* m_sfont = nullptr; // the injector preset's SoundFont; m_synth frees it
    bool m_sfontAdded = false;
    std::vector<std::unique_ptr<Injector>> m_injectors; // [0] reverb, [1] chorus
    std::vector<float> m_reverbSend, m_chorusSend, m_dryL, m_dryR;
    std::int64_t m_frame = 0; // frames processed, which places the next send in the rings
};

} // namespace torchestra::playback
