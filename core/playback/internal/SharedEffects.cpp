#include "playback/internal/SharedEffects.h"

#include <fluidsynth.h>

#include <algorithm>
#include <cmath>

namespace torchestra::playback {

namespace {

// FluidSynth wants 8 unused frames on each side of sample data it borrows.
constexpr int kMargin = 8;
// The injector voices start this long before the first send, so their attack (1 ms, the
// SoundFont minimum) is over when the sends begin. The effects are switched on only after it,
// so their modulation starts where the bank's first synth's did (as if the unit were that
// synth's own). A multiple of FluidSynth's 64-sample block.
constexpr int kPreroll = 192;
// The unit's gain, so the 24-bit ring holds sends up to about 9 (songs send a few tenths at
// most) with a resolution near 1e-6.
constexpr double kGain = 8.0;
constexpr int kKey = 60;
constexpr double kFullScale = 8388608.0; // 2^23: a 24-bit sample's full scale
constexpr int kReverbChannel = 0;
constexpr int kChorusChannel = 1;

const char* sfontName(fluid_sfont_t*) {
    return "torchestra send injector";
}
const char* presetName(fluid_preset_t*) {
    return "send injector";
}
int presetZero(fluid_preset_t*) {
    return 0;
}
fluid_preset_t* getPreset(fluid_sfont_t* sfont, int bank, int program) {
    return bank == 0 && program == 0 ? static_cast<fluid_preset_t*>(fluid_sfont_get_data(sfont))
                                     : nullptr;
}
void freePreset(fluid_preset_t*) {} // freed with its SoundFont
int freeSfont(fluid_sfont_t* sfont) {
    delete_fluid_preset(static_cast<fluid_preset_t*>(fluid_sfont_get_data(sfont)));
    delete_fluid_sfont(sfont);
    return 0;
}

// Settings every synth of the unit shares with the bank's.
fluid_settings_t* baseSettings(double sampleRate) {
    fluid_settings_t* fs = new_fluid_settings();
    fluid_settings_setnum(fs, "synth.sample-rate", sampleRate);
    fluid_settings_setnum(fs, "synth.gain", kGain);
    fluid_settings_setint(fs, "synth.polyphony", 4);
    fluid_settings_setint(fs, "synth.threadsafe-api", 0);
    return fs;
}

} // namespace

struct SharedEffects::Injector {
    explicit Injector(int ringFrames)
        : frames(ringFrames), msb(std::size_t(ringFrames + 2 * kMargin), 0),
          lsb(std::size_t(ringFrames + 2 * kMargin), 0) {}
    ~Injector() {
        if (sample)
            delete_fluid_sample(sample);
    }
    void fill(double value) {
        const auto v = std::int32_t(std::lrint(value * kFullScale));
        std::fill(msb.begin() + kMargin, msb.end() - kMargin, std::int16_t(v >> 8));
        std::fill(lsb.begin() + kMargin, lsb.end() - kMargin, char(v & 0xff));
    }

    int frames;
    std::vector<std::int16_t> msb; // the ring between two margins: upper 16 bits...
    std::vector<char> lsb;         // ...and lower 8 bits of each 24-bit sample
    fluid_sample_t* sample = nullptr;
    double scale = 0; // ring full scales per unit of send (from calibrate())
};

std::unique_ptr<SharedEffects> SharedEffects::create(double sampleRate, bool reverb, bool chorus,
                                                     int maxBlockFrames, std::string& error) {
    std::unique_ptr<SharedEffects> fx(new SharedEffects());
    if (!fx->makeInjectors(sampleRate, maxBlockFrames)) {
        error = "FluidSynth could not make the effect send injector";
        return nullptr;
    }
    if (!fx->calibrate(sampleRate, error) || !fx->startUnit(sampleRate, reverb, chorus, error))
        return nullptr;
    const auto frames = std::size_t(std::max(64, maxBlockFrames));
    for (auto& buffer : fx->m_sends)
        for (auto& send : buffer)
            send.assign(frames, 0.0f);
    for (auto* v : {&fx->m_wetL, &fx->m_wetR, &fx->m_dryL, &fx->m_dryR})
        v->assign(frames, 0.0f);
    fx->m_thread = std::thread([raw = fx.get()] { raw->run(); });
    return fx;
}

SharedEffects::~SharedEffects() {
    if (m_thread.joinable()) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_quit = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }
    if (m_synth)
        delete_fluid_synth(m_synth); // frees m_sfont with it
    else if (m_sfont && !m_sfontAdded)
        freeSfont(m_sfont);
    if (m_settings)
        delete_fluid_settings(m_settings);
}

bool SharedEffects::prepareSenderSettings(fluid_settings_t* settings) {
    // With the LADSPA host on, FluidSynth keeps mixing the effect sends even though its own
    // reverb and chorus are off, and fluid_synth_process hands them out.
    return fluid_settings_setint(settings, "synth.reverb.active", 0) == FLUID_OK &&
           fluid_settings_setint(settings, "synth.chorus.active", 0) == FLUID_OK &&
           fluid_settings_setint(settings, "synth.ladspa.active", 1) == FLUID_OK;
}

bool SharedEffects::makeInjectors(double sampleRate, int maxBlockFrames) {
    // The ring holds one block of sends (written, then read in the same renderBlock()).
    const int ringFrames = std::max(4096, (maxBlockFrames + 63) / 64 * 64);
    for (int i = 0; i < 2; ++i) {
        auto in = std::make_unique<Injector>(ringFrames);
        in->sample = new_fluid_sample();
        if (!in->sample ||
            fluid_sample_set_sound_data(in->sample, in->msb.data(), in->lsb.data(),
                                        unsigned(in->msb.size()), unsigned(sampleRate),
                                        0) != FLUID_OK ||
            fluid_sample_set_loop(in->sample, kMargin, kMargin + ringFrames) != FLUID_OK ||
            fluid_sample_set_pitch(in->sample, kKey, 0) != FLUID_OK)
            return false;
        m_injectors.push_back(std::move(in));
    }
    m_sfont = new_fluid_sfont(sfontName, getPreset, nullptr, nullptr, freeSfont);
    if (!m_sfont)
        return false;
    fluid_preset_t* preset =
        new_fluid_preset(m_sfont, presetName, presetZero, presetZero, noteOn, freePreset);
    if (!preset)
        return false;
    fluid_preset_set_data(preset, &m_injectors);
    fluid_sfont_set_data(m_sfont, preset);
    return true;
}

int SharedEffects::noteOn(fluid_preset_t* preset, fluid_synth_t* synth, int chan, int key,
                          int vel) {
    // A voice that loops the channel's ring at its recorded pitch (phase increment exactly 1,
    // where FluidSynth's interpolation returns each ring sample unchanged) and sends all of it
    // to one effect.
    auto* injectors =
        static_cast<std::vector<std::unique_ptr<Injector>>*>(fluid_preset_get_data(preset));
    if (chan < 0 || chan >= int(injectors->size()))
        return FLUID_FAILED;
    fluid_voice_t* v =
        fluid_synth_alloc_voice(synth, (*injectors)[std::size_t(chan)]->sample, chan, key, vel);
    if (!v)
        return FLUID_FAILED;
    fluid_voice_gen_set(v, GEN_SAMPLEMODE, 1); // loop for ever
    fluid_voice_gen_set(v, GEN_STARTADDROFS, kMargin);
    fluid_voice_gen_set(v, GEN_REVERBSEND, chan == kReverbChannel ? 1000 : 0);
    fluid_voice_gen_set(v, GEN_CHORUSSEND, chan == kChorusChannel ? 1000 : 0);
    // Panned hard left and balanced hard right, its dry sound is silent, and FluidSynth skips
    // mixing it: only the sends are wanted.
    fluid_voice_gen_set(v, GEN_PAN, -500);
    fluid_voice_gen_set(v, GEN_CUSTOM_BALANCE, 960);
    fluid_synth_start_voice(synth, v);
    return FLUID_OK;
}

bool SharedEffects::startInjectors(fluid_synth_t* synth) {
    const int id = fluid_synth_add_sfont(synth, m_sfont);
    if (id == FLUID_FAILED)
        return false;
    for (int ch : {kReverbChannel, kChorusChannel}) {
        // Full volume and expression, no send from the controllers: the generators decide.
        // At phase increment 1 every interpolation returns the sample itself: take the cheapest.
        if (fluid_synth_set_interp_method(synth, ch, FLUID_INTERP_NONE) != FLUID_OK ||
            fluid_synth_program_select(synth, ch, id, 0, 0) != FLUID_OK ||
            fluid_synth_cc(synth, ch, 7, 127) != FLUID_OK ||
            fluid_synth_cc(synth, ch, 11, 127) != FLUID_OK ||
            fluid_synth_cc(synth, ch, 91, 0) != FLUID_OK ||
            fluid_synth_cc(synth, ch, 93, 0) != FLUID_OK ||
            fluid_synth_noteon(synth, ch, kKey, 127) != FLUID_OK)
            return false;
    }
    return true;
}

bool SharedEffects::calibrate(double sampleRate, std::string& error) {
    // A synth set up as the bank's senders plays the injectors over a constant ring: what
    // reaches its sends per unit of ring is what writeRing() divides by. This also proves the
    // sends can be had at all.
    constexpr double kLevel = 0.25;
    constexpr int kFrames = 512; // well past the attack
    fluid_settings_t* fs = baseSettings(sampleRate);
    fluid_synth_t* probe = prepareSenderSettings(fs) ? new_fluid_synth(fs) : nullptr;
    std::vector<float> buf(6 * kFrames, 0.0f);
    float* out[2] = {&buf[0], &buf[kFrames]};
    float* sends[4] = {&buf[2 * kFrames], &buf[3 * kFrames], &buf[4 * kFrames], &buf[5 * kFrames]};
    for (auto& in : m_injectors)
        in->fill(kLevel);
    const bool ran = probe && startInjectors(probe) &&
                     fluid_synth_process(probe, kFrames, 4, sends, 2, out) == FLUID_OK;
    if (probe) {
        fluid_synth_remove_sfont(probe, m_sfont);
        delete_fluid_synth(probe);
    }
    delete_fluid_settings(fs);
    for (auto& in : m_injectors)
        in->fill(0.0);
    const double reverbGain = sends[0][kFrames - 1] / kLevel;
    const double chorusGain = sends[2][kFrames - 1] / kLevel;
    if (!ran || !(reverbGain > 0) || !(chorusGain > 0)) {
        error = "this FluidSynth does not hand out effect sends (built without LADSPA)";
        return false;
    }
    m_injectors[0]->scale = 1.0 / reverbGain;
    m_injectors[1]->scale = 1.0 / chorusGain;
    return true;
}

bool SharedEffects::startUnit(double sampleRate, bool reverb, bool chorus, std::string& error) {
    m_settings = baseSettings(sampleRate);
    fluid_settings_setint(m_settings, "synth.reverb.active", reverb ? 1 : 0);
    fluid_settings_setint(m_settings, "synth.chorus.active", chorus ? 1 : 0);
    m_synth = new_fluid_synth(m_settings);
    m_sfontAdded = m_synth && startInjectors(m_synth);
    std::vector<float> buf(6 * kPreroll, 0.0f);
    float* out[2] = {&buf[0], &buf[kPreroll]};
    float* fx[4] = {&buf[2 * kPreroll], &buf[3 * kPreroll], &buf[4 * kPreroll], &buf[5 * kPreroll]};
    if (!m_sfontAdded || fluid_synth_reverb_on(m_synth, -1, 0) != FLUID_OK ||
        fluid_synth_chorus_on(m_synth, -1, 0) != FLUID_OK ||
        fluid_synth_process(m_synth, kPreroll, 4, fx, 2, out) != FLUID_OK ||
        fluid_synth_reverb_on(m_synth, -1, reverb ? 1 : 0) != FLUID_OK ||
        fluid_synth_chorus_on(m_synth, -1, chorus ? 1 : 0) != FLUID_OK) {
        error = "FluidSynth could not start the shared effects";
        return false;
    }
    return true;
}

void SharedEffects::writeRing(Injector& in, const float* send, int frames) {
    // The injector voice reads ring sample (t mod frames) at the unit's time t, which runs
    // kPreroll ahead of the bank's frames.
    int pos = int((m_frame + kPreroll) % in.frames);
    const double toRing = in.scale * kFullScale;
    constexpr double kLow = -kFullScale, kHigh = kFullScale - 1.0;
    for (int done = 0; done < frames;) {
        const int n = std::min(frames - done, in.frames - pos); // up to the ring's end
        std::int16_t* msb = in.msb.data() + kMargin + pos;
        char* lsb = in.lsb.data() + kMargin + pos;
        for (int i = 0; i < n; ++i) {
            const double x = std::clamp(double(send[done + i]) * toRing, kLow, kHigh);
            const auto q = std::int32_t(x < 0 ? x - 0.5 : x + 0.5);
            msb[i] = std::int16_t(q >> 8);
            lsb[i] = char(q & 0xff);
        }
        done += n;
        pos = (pos + n) % in.frames;
    }
}

void SharedEffects::renderBlock(int frames, int sends) {
    std::vector<float>* send = m_sends[sends];
    writeRing(*m_injectors[0], send[0].data(), frames);
    writeRing(*m_injectors[1], send[1].data(), frames);
    std::fill_n(send[0].begin(), frames, 0.0f);
    std::fill_n(send[1].begin(), frames, 0.0f);
    // fluid_synth_process adds; the effects (both as stereo pairs) go to the wet buffers, the
    // injectors' own dry sound (silent anyway) to scratch.
    for (auto* v : {&m_wetL, &m_wetR, &m_dryL, &m_dryR})
        std::fill_n(v->begin(), frames, 0.0f);
    float* dry[2] = {m_dryL.data(), m_dryR.data()};
    float* fx[4] = {m_wetL.data(), m_wetR.data(), m_wetL.data(), m_wetR.data()};
    fluid_synth_process(m_synth, frames, 4, fx, 2, dry);
    m_frame += frames;
}

void SharedEffects::run() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_changed.wait(lock, [this] { return m_quit || m_busy; });
        if (m_quit)
            return;
        lock.unlock();
        renderBlock(m_jobFrames, m_jobSends);
        lock.lock();
        m_busy = false;
        m_changed.notify_all();
    }
}

void SharedEffects::start(int frames) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
    m_jobFrames = frames;
    m_jobSends = m_gather;
    m_gather ^= 1;
    m_busy = true;
    lock.unlock();
    m_changed.notify_all();
}

void SharedEffects::finish(float* left, float* right) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_busy; });
    for (int i = 0; i < m_jobFrames; ++i) {
        left[i] += m_wetL[std::size_t(i)];
        right[i] += m_wetR[std::size_t(i)];
    }
}

} // namespace torchestra::playback
