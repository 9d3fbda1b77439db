#include "playback/LiveAudioOutput.h"

#include "playback/SoundFontLocator.h"
#include "playback/SpscRing.h"
#include "playback/Transport.h"
#include "playback/internal/JackProbe.h"
#include "playback/internal/SynthBank.h"

#include <fluidsynth.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <thread>

namespace torchestra::playback {

namespace {
constexpr int kMaxChunk = 1024;

void collectOption(void* data, const char*, const char* option) {
    static_cast<std::vector<std::string>*>(data)->push_back(option);
}
} // namespace

struct LiveAudioOutput::Impl {
    Transport* transport = nullptr;
    fluid_settings_t* settings = nullptr;
    fluid_audio_driver_t* driver = nullptr;
    std::string driverName;
    LiveAudioOptions options;
    double rate = 48000;

    // The bank the callback renders with; a replacement waits in `pending` until the callback
    // takes it and hands back the old one in `retired` (freed on the control thread).
    std::atomic<SynthBank*> active{nullptr};
    std::atomic<SynthBank*> pending{nullptr};
    std::atomic<SynthBank*> retired{nullptr};
    std::atomic<bool> silence{false};
    std::atomic<float> peak{0};
    std::atomic<std::uint64_t> callbacks{0};
    SpscRing<MidiMessage> thru{1024};
    float left[kMaxChunk];
    float right[kMaxChunk];

    static int callback(void* data, int len, int nfx, float* fx[], int nout, float* out[]) {
        auto* self = static_cast<Impl*>(data);
        self->callbacks.fetch_add(1, std::memory_order_relaxed);
        for (int i = 0; i < nout; ++i)
            std::memset(out[i], 0, sizeof(float) * std::size_t(len));
        for (int i = 0; i < nfx; ++i)
            std::memset(fx[i], 0, sizeof(float) * std::size_t(len));
        if (SynthBank* next = self->pending.load(std::memory_order_acquire)) {
            self->retired.store(self->active.load(std::memory_order_relaxed),
                                std::memory_order_release);
            self->active.store(next, std::memory_order_release);
            self->pending.store(nullptr, std::memory_order_release);
        }
        SynthBank* bank = self->active.load(std::memory_order_acquire);
        if (!bank || nout < 2)
            return FLUID_OK;
        MidiMessage m;
        while (self->thru.pop(m))
            bank->send(0, m);
        float peak = 0;
        for (int done = 0; done < len;) {
            const int n = std::min(kMaxChunk, len - done);
            if (!self->silence.load(std::memory_order_relaxed))
                self->transport->process(n, self->rate, *bank);
            bank->render(n, self->left, self->right);
            for (int pair = 0; pair + 1 < nout; pair += 2) {
                std::memcpy(out[pair] + done, self->left, sizeof(float) * std::size_t(n));
                std::memcpy(out[pair + 1] + done, self->right, sizeof(float) * std::size_t(n));
            }
            for (int i = 0; i < n; ++i)
                peak =
                    std::max(peak, std::max(std::fabs(self->left[i]), std::fabs(self->right[i])));
            done += n;
        }
        float old = self->peak.load(std::memory_order_relaxed);
        while (peak > old && !self->peak.compare_exchange_weak(old, peak))
            ;
        return FLUID_OK;
    }

    std::unique_ptr<SynthBank> makeBank(const std::string& soundFont, std::string& error) {
        SynthSettings ss;
        ss.sampleRate = rate;
        ss.gain = options.gain;
        ss.reverb = options.reverb;
        ss.chorus = options.chorus;
        ss.maxBlockFrames = kMaxChunk;
        return SynthBank::create(ss, soundFont, error);
    }

    // Hands `bank` to the callback and waits (control thread) until it took it.
    bool handOver(SynthBank* bank) {
        pending.store(bank, std::memory_order_release);
        for (int i = 0; i < 200 && pending.load(std::memory_order_acquire); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (pending.load()) { // the callback is not running: take it over directly
            SynthBank* expected = bank;
            if (pending.compare_exchange_strong(expected, nullptr)) {
                retired.store(active.exchange(bank));
            }
        }
        delete retired.exchange(nullptr);
        return true;
    }
};

LiveAudioOutput::LiveAudioOutput() : m_impl(std::make_unique<Impl>()) {}
LiveAudioOutput::~LiveAudioOutput() {
    stop();
}

std::vector<std::string> LiveAudioOutput::availableDrivers() {
    std::vector<std::string> out;
    fluid_settings_t* s = new_fluid_settings();
    fluid_settings_foreach_option(s, "audio.driver", &out, collectOption);
    delete_fluid_settings(s);
    return out;
}

bool LiveAudioOutput::start(Transport& transport, const LiveAudioOptions& options,
                            std::string& error) {
    stop();
    Impl& d = *m_impl;
    d.transport = &transport;
    d.options = options;
    std::string soundFont = options.soundFont;
    if (soundFont.empty()) {
        SoundFontLocator locator;
        locator.addProjectDir(".");
        soundFont = locator.locate(error);
        if (soundFont.empty())
            return false;
    } else if (std::string e = checkSoundFontFile(soundFont); !e.empty()) {
        error = e;
        return false;
    }

    forbidJackAutostart();
    std::vector<std::string> order;
    std::string skipped;
    if (!options.driver.empty()) {
        order.push_back(options.driver);
    } else {
        // Drivers that cannot work here are not tried: their failures are slow and noisy
        // (ALSA without a card prints pages of errors).
        const auto available = availableDrivers();
        std::error_code ec;
        for (const std::string name : {"pulseaudio", "pipewire", "jack", "alsa", "sdl2", "oss"}) {
            if (std::find(available.begin(), available.end(), name) == available.end())
                continue;
            if (name == "jack" && !jackServerRunning()) {
                skipped += " jack (no server running)";
                continue;
            }
            if ((name == "alsa" || name == "sdl2") && !std::filesystem::exists("/dev/snd", ec)) {
                skipped += " " + name + " (no /dev/snd)";
                continue;
            }
            if (name == "oss" && !std::filesystem::exists("/dev/dsp", ec)) {
                skipped += " oss (no /dev/dsp)";
                continue;
            }
            order.push_back(name);
        }
    }
    std::string tried;
    installFluidQuietLog();
    takeLastFluidError();
    for (const auto& name : order) {
        fluid_settings_t* s = new_fluid_settings();
        fluid_settings_setstr(s, "audio.driver", name.c_str());
        fluid_settings_setnum(s, "synth.sample-rate", options.sampleRate);
        fluid_settings_setint(s, "audio.period-size", options.periodSize);
        fluid_settings_setint(s, "audio.jack.autoconnect", 1);
        fluid_settings_setstr(s, "audio.jack.id", "Torchestra");
        d.silence.store(true);
        fluid_audio_driver_t* drv = new_fluid_audio_driver2(s, &Impl::callback, &d);
        if (!drv) {
            const std::string why = takeLastFluidError();
            tried += (tried.empty() ? "" : "; ") + name + (why.empty() ? "" : ": " + why);
            delete_fluid_settings(s);
            continue;
        }
        // Some drivers (JACK) impose their rate and write it back into the settings.
        fluid_settings_getnum(s, "synth.sample-rate", &d.rate);
        d.settings = s;
        d.driver = drv;
        d.driverName = name;
        break;
    }
    if (!d.driver) {
        error = order.empty() ? "no audio driver in this FluidSynth build"
                              : "no audio output works here (tried " + tried +
                                    (skipped.empty() ? "" : "; skipped" + skipped) +
                                    "); playback to MIDI ports and rendering still work";
        return false;
    }
    auto bank = d.makeBank(soundFont, error);
    if (!bank) {
        stop();
        return false;
    }
    d.handOver(bank.release());
    d.silence.store(false);
    return true;
}

bool LiveAudioOutput::setSoundFont(const std::string& path, std::string& error) {
    Impl& d = *m_impl;
    if (!d.driver) {
        error = "audio is not running";
        return false;
    }
    auto bank = d.makeBank(path, error);
    if (!bank)
        return false; // the current bank keeps playing
    d.handOver(bank.release());
    // The new synths start with default programs: a seek in place resends them.
    d.transport->seek(d.transport->positionSeconds());
    return true;
}

void LiveAudioOutput::stop() {
    Impl& d = *m_impl;
    if (d.driver) {
        // Let the callback end the notes and ring out briefly before the driver goes.
        if (d.transport && d.active.load()) {
            d.transport->pause();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        delete_fluid_audio_driver(d.driver);
        d.driver = nullptr;
    }
    if (d.settings) {
        delete_fluid_settings(d.settings);
        d.settings = nullptr;
    }
    delete d.active.exchange(nullptr);
    delete d.pending.exchange(nullptr);
    delete d.retired.exchange(nullptr);
    d.driverName.clear();
}

bool LiveAudioOutput::isRunning() const {
    return m_impl->driver != nullptr;
}
std::string LiveAudioOutput::driver() const {
    return m_impl->driverName;
}
std::string LiveAudioOutput::soundFont() const {
    SynthBank* b = m_impl->active.load();
    return b ? b->soundFontPath() : "";
}
double LiveAudioOutput::sampleRate() const {
    return m_impl->rate;
}
float LiveAudioOutput::takePeak() {
    return m_impl->peak.exchange(0);
}
bool LiveAudioOutput::pushThru(const MidiMessage& message) {
    return m_impl->thru.push(message);
}
std::uint64_t LiveAudioOutput::callbacks() const {
    return m_impl->callbacks.load();
}

} // namespace torchestra::playback
