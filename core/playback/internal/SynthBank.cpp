#include "playback/internal/SynthBank.h"

#include "playback/SoundFontLocator.h"

#include <fluidsynth.h>

#include <algorithm>
#include <mutex>

namespace torchestra::playback {

namespace {

// FluidSynth logs to stderr by itself; the bank reports errors as values instead. The last
// error is kept for the message a failed load returns (loads are not real-time, so a mutex is
// fine here).
std::mutex g_logMutex;
std::string g_lastFluidError;

void quietLog(int level, const char* message, void*) {
    if (level <= FLUID_ERR && message) {
        std::lock_guard<std::mutex> lock(g_logMutex);
        g_lastFluidError = message;
    }
}

void installQuietLog() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int level : {FLUID_PANIC, FLUID_ERR, FLUID_WARN, FLUID_INFO, FLUID_DBG})
            fluid_set_log_function(level, quietLog, nullptr);
    });
}

} // namespace

void installFluidQuietLog() {
    installQuietLog();
}

std::string takeLastFluidError() {
    std::lock_guard<std::mutex> lock(g_logMutex);
    std::string e = std::move(g_lastFluidError);
    g_lastFluidError.clear();
    return e;
}

SynthBank::SynthBank(const SynthSettings& settings) : m_settings(settings) {}

std::unique_ptr<SynthBank> SynthBank::create(const SynthSettings& settings,
                                             const std::string& soundFontPath, std::string& error) {
    installQuietLog();
    std::unique_ptr<SynthBank> bank(new SynthBank(settings));
    SynthSettings& s = bank->m_settings;
    s.phases = phaseCount(s.phases);
    s.maxBlockFrames = std::max(64, s.maxBlockFrames);
    bank->m_stride = 64 / s.phases;

    fluid_settings_t* fs = new_fluid_settings();
    bank->m_fluidSettings = fs;
    fluid_settings_setnum(fs, "synth.sample-rate", s.sampleRate);
    fluid_settings_setnum(fs, "synth.gain", s.gain);
    fluid_settings_setint(fs, "synth.reverb.active", s.reverb ? 1 : 0);
    fluid_settings_setint(fs, "synth.chorus.active", s.chorus ? 1 : 0);
    if (s.offline && (s.reverb || s.chorus)) {
        // Without sends to be had, each synth keeps its own effects (and renders every block,
        // so their tails ring out).
        std::string why;
        bank->m_effects =
            SharedEffects::create(s.sampleRate, s.reverb, s.chorus, s.maxBlockFrames, why);
        if (bank->m_effects && !SharedEffects::prepareSenderSettings(fs))
            bank->m_effects.reset();
    }
    bank->m_eachSynth = s.offline && (bank->m_effects || (!s.reverb && !s.chorus));
    fluid_settings_setint(fs, "synth.polyphony", s.polyphony);
    // Only the bank's own thread touches the synths: FluidSynth's API mutex would be a lock in
    // the audio callback for nothing.
    fluid_settings_setint(fs, "synth.threadsafe-api", 0);
    for (int i = 0; i < s.phases; ++i) {
        fluid_synth_t* synth = new_fluid_synth(fs);
        if (!synth) {
            error = "FluidSynth could not create a synthesizer";
            return nullptr;
        }
        bank->m_synths.push_back(synth);
    }
    if (!bank->loadSoundFont(soundFontPath, error))
        return nullptr;

    bank->m_pending.reserve(std::size_t(16384));
    bank->m_owner.assign(16 * 128, 0);
    bank->m_scratchL.assign(std::size_t(s.maxBlockFrames), 0.0f);
    bank->m_scratchR.assign(std::size_t(s.maxBlockFrames), 0.0f);
    bank->m_pos.assign(bank->m_synths.size(), 0);
    for (auto& buffer : bank->m_dry)
        for (auto& channel : buffer)
            channel.assign(std::size_t(s.maxBlockFrames), 0.0f);
    // Stagger the grids: synth i runs i*stride samples ahead of the output, so its 64-sample
    // block boundaries fall at output frames congruent to -i*stride (mod 64).
    for (int i = 1; i < s.phases; ++i)
        fluid_synth_write_float(bank->m_synths[std::size_t(i)], i * bank->m_stride,
                                bank->m_scratchL.data(), 0, 1, bank->m_scratchR.data(), 0, 1);
    return bank;
}

SynthBank::~SynthBank() {
    // Synth 0 owns the SoundFont; the others only borrow it and must let go first.
    fluid_sfont_t* sfont = m_synths.empty() || m_sfontId < 0
                               ? nullptr
                               : fluid_synth_get_sfont_by_id(m_synths[0], m_sfontId);
    for (std::size_t i = m_synths.size(); i-- > 1;) {
        if (sfont)
            fluid_synth_remove_sfont(m_synths[i], sfont);
        delete_fluid_synth(m_synths[i]);
    }
    if (!m_synths.empty())
        delete_fluid_synth(m_synths[0]);
    if (m_fluidSettings)
        delete_fluid_settings(m_fluidSettings);
}

bool SynthBank::loadSoundFont(const std::string& path, std::string& error) {
    if (std::string err = checkSoundFontFile(path); !err.empty()) {
        error = err;
        return false;
    }
    {
        std::lock_guard<std::mutex> lock(g_logMutex);
        g_lastFluidError.clear();
    }
    const int id = fluid_synth_sfload(m_synths[0], path.c_str(), 1);
    if (id == FLUID_FAILED) {
        std::lock_guard<std::mutex> lock(g_logMutex);
        error = path + ": FluidSynth cannot load this SoundFont" +
                (g_lastFluidError.empty() ? std::string() : " (" + g_lastFluidError + ")");
        return false;
    }
    fluid_sfont_t* sfont = fluid_synth_get_sfont_by_id(m_synths[0], id);
    fluid_sfont_t* old =
        m_sfontId >= 0 ? fluid_synth_get_sfont_by_id(m_synths[0], m_sfontId) : nullptr;
    for (std::size_t i = 1; i < m_synths.size(); ++i) {
        if (old)
            fluid_synth_remove_sfont(m_synths[i], old);
        fluid_synth_add_sfont(m_synths[i], sfont);
        fluid_synth_program_reset(m_synths[i]);
    }
    if (m_sfontId >= 0)
        fluid_synth_sfunload(m_synths[0], m_sfontId, 1);
    fluid_synth_program_reset(m_synths[0]);
    m_sfontId = id;
    m_soundFontPath = path;
    return true;
}

int SynthBank::activeVoices() const {
    int voices = 0;
    for (fluid_synth_t* s : m_synths)
        voices += fluid_synth_get_active_voice_count(s);
    return voices;
}

int SynthBank::phaseCount(int requested) {
    int phases = std::clamp(requested, 1, 64);
    while (64 % phases != 0) // the stride must divide FluidSynth's 64-sample block
        --phases;
    return phases;
}

namespace {

// The first frame at or after `frame` where the synth `synth` of a bank with this stride is at
// one of its 64-sample block boundaries.
std::int64_t boundaryOf(int stride, int synth, std::int64_t frame) {
    const std::int64_t phase = (64 - std::int64_t(synth) * stride) % 64;
    const std::int64_t delta = ((phase - frame) % 64 + 64) % 64;
    return frame + delta;
}

} // namespace

int SynthBank::synthFor(int phases, std::int64_t frame) {
    // The synth whose next boundary comes first (the phases are distinct, so there is one).
    phases = phaseCount(phases);
    const int stride = 64 / phases;
    int best = 0;
    for (int i = 1; i < phases; ++i)
        if (boundaryOf(stride, i, frame) < boundaryOf(stride, best, frame))
            best = i;
    return best;
}

std::int64_t SynthBank::nextBoundary(int synth, std::int64_t frame) const {
    return boundaryOf(m_stride, synth, frame);
}

void SynthBank::apply(int synth, const MidiMessage& m) {
    fluid_synth_t* s = m_synths[std::size_t(synth)];
    const int ch = m.channel();
    switch (m.type()) {
    case 0x80:
        fluid_synth_noteoff(s, ch, m.bytes[1]);
        break;
    case 0x90:
        if (m.bytes[2] == 0)
            fluid_synth_noteoff(s, ch, m.bytes[1]);
        else
            fluid_synth_noteon(s, ch, m.bytes[1], m.bytes[2]);
        break;
    case 0xA0:
        fluid_synth_key_pressure(s, ch, m.bytes[1], m.bytes[2]);
        break;
    case 0xB0:
        fluid_synth_cc(s, ch, m.bytes[1], m.bytes[2]);
        break;
    case 0xC0:
        fluid_synth_program_change(s, ch, m.bytes[1]);
        break;
    case 0xD0:
        fluid_synth_channel_pressure(s, ch, m.bytes[1]);
        break;
    case 0xE0:
        fluid_synth_pitch_bend(s, ch, m.bytes[1] | (m.bytes[2] << 7));
        break;
    default:
        break;
    }
}

void SynthBank::send(int frameOffset, const MidiMessage& m) {
    const std::int64_t frame = m_frame + std::max(0, frameOffset);
    auto queue = [&](int synth) {
        if (m_pending.size() == m_pending.capacity()) {
            // Never grow on the real-time thread: apply now, late, rather than lose a note-off.
            ++m_overflows;
            apply(synth, m);
            return;
        }
        m_pending.push_back({nextBoundary(synth, frame), m_seq++, synth, m});
    };
    const int key = m.channel() * 128 + m.bytes[1];
    if (m.isNoteOn()) {
        const int best = synthFor(int(m_synths.size()), frame);
        m_owner[std::size_t(key)] = std::uint8_t(best);
        queue(best);
    } else if (m.isNoteOff() || m.type() == 0xA0) {
        queue(m_owner[std::size_t(key)]);
    } else {
        for (int i = 0; i < int(m_synths.size()); ++i)
            queue(i);
    }
}

void SynthBank::renderSpan(int frames, float* left, float* right) {
    // Every synth advances in lock step; their sum is the output.
    for (std::size_t i = 0; i < m_synths.size(); ++i) {
        float* l = i == 0 ? left : m_scratchL.data();
        float* r = i == 0 ? right : m_scratchR.data();
        fluid_synth_write_float(m_synths[i], frames, l, 0, 1, r, 0, 1);
        if (i > 0) {
            for (int f = 0; f < frames; ++f) {
                left[f] += l[f];
                right[f] += r[f];
            }
        }
    }
    m_frame += frames;
}

void SynthBank::render(int frames, float* left, float* right) {
    frames = std::min(frames, m_settings.maxBlockFrames);
    std::sort(m_pending.begin(), m_pending.end(), [](const Pending& a, const Pending& b) {
        return a.frame != b.frame ? a.frame < b.frame : a.seq < b.seq;
    });
    if (m_effects) {
        renderWithSharedEffects(frames, left, right);
        return;
    }
    if (m_eachSynth) {
        renderEachSynth(frames, left, right);
        return;
    }
    const std::int64_t end = m_frame + frames;
    std::size_t done = 0;
    int written = 0;
    while (done < m_pending.size() && m_pending[done].frame < end) {
        const Pending& p = m_pending[done];
        if (p.frame > m_frame) {
            const int n = int(p.frame - m_frame);
            renderSpan(n, left + written, right + written);
            written += n;
        }
        apply(p.synth, p.message);
        ++done;
    }
    if (written < frames)
        renderSpan(frames - written, left + written, right + written);
    m_pending.erase(m_pending.begin(), m_pending.begin() + std::ptrdiff_t(done));
}

void SynthBank::renderSynth(int synth, std::int64_t from, int frames, float* left, float* right) {
    // FluidSynth renders all the blocks a call asks for into its own buffers before handing
    // them out: in short calls those stay in the cache while eight synths take turns.
    constexpr int kCallFrames = 128;
    fluid_synth_t* s = m_synths[std::size_t(synth)];
    for (int done = 0; done < frames; done += kCallFrames) {
        const int n = std::min(kCallFrames, frames - done);
        // fluid_synth_process adds to the buffers, so the synths mix themselves into the output.
        const auto at = std::size_t(from - m_frame + done);
        float* out[2] = {left + at, right + at};
        if (m_effects) {
            // Sends: reverb and chorus in the left buffer of each pair; the right ones stay empty.
            float* fx[4] = {m_effects->reverbSend() + at, m_scratchR.data(),
                            m_effects->chorusSend() + at, m_scratchR.data()};
            fluid_synth_process(s, n, 4, fx, 2, out);
        } else {
            fluid_synth_process(s, n, 0, nullptr, 2, out);
        }
    }
}

void SynthBank::advance(int synth, std::int64_t target, float* left, float* right) {
    std::int64_t& pos = m_pos[std::size_t(synth)];
    while (pos < target) {
        // The count is FluidSynth's at the end of the blocks it has rendered.
        const bool idle = fluid_synth_get_active_voice_count(m_synths[std::size_t(synth)]) == 0;
        const std::int64_t boundary = nextBoundary(synth, pos);
        if (idle && boundary == pos) {
            // Silent until its next note, which starts on one of its block boundaries: skip
            // whole blocks, staying on its grid (perhaps a little behind the output).
            pos += (target - pos) / 64 * 64;
            return;
        }
        // An idle synth first plays out the rest of its current block (a voice's last samples).
        const std::int64_t until = idle ? std::min(target, boundary) : target;
        renderSynth(synth, pos, int(until - pos), left, right);
        pos = until;
    }
}

void SynthBank::renderEachSynth(int frames, float* left, float* right) {
    // Synths do not hear each other, so each renders the whole block with its own messages
    // before the next one does.
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    const std::int64_t end = m_frame + frames;
    std::size_t due = 0;
    while (due < m_pending.size() && m_pending[due].frame < end)
        ++due;
    for (int i = 0; i < int(m_synths.size()); ++i) {
        for (std::size_t k = 0; k < due; ++k) {
            const Pending& p = m_pending[k];
            if (p.synth != i)
                continue;
            advance(i, p.frame, left, right);
            apply(i, p.message);
        }
        advance(i, end, left, right);
    }
    m_pending.erase(m_pending.begin(), m_pending.begin() + std::ptrdiff_t(due));
    m_frame = end;
}

void SynthBank::renderWithSharedEffects(int frames, float* left, float* right) {
    // The effects of a block render on their own thread while the synths render the next one
    // here; so the output is the block before.
    std::vector<float>* now = m_dry[m_dryNext];
    std::vector<float>* before = m_dry[m_dryNext ^ 1];
    renderEachSynth(frames, now[0].data(), now[1].data());
    if (m_effectsStarted) {
        m_effects->finish(before[0].data(), before[1].data());
        std::copy_n(before[0].begin(), frames, left);
        std::copy_n(before[1].begin(), frames, right);
    } else {
        std::fill_n(left, frames, 0.0f);
        std::fill_n(right, frames, 0.0f);
    }
    m_effects->start(frames);
    m_effectsStarted = true;
    m_dryNext ^= 1;
}

} // namespace torchestra::playback
