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
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>

namespace torchestra::playback {

namespace {

// Before main(), while the process has one thread (JackProbe.h).
const bool kJackAutostartForbidden = (forbidJackAutostart(), true);

constexpr int kMaxChunk = 1024;
// How long a stopped session goes on rendering, so released notes fade instead of being cut.
constexpr auto kRingOut = std::chrono::milliseconds(50);
// How long the worker waits for a callback to give the Transport up before it closes the driver
// anyway (a driver that stopped calling back; closing it joins its thread, which also settles it).
constexpr auto kReleaseTimeout = std::chrono::milliseconds(500);

void collectOption(void* data, const char*, const char* option) {
    static_cast<std::vector<std::string>*>(data)->push_back(option);
}

struct Session;

// What every session's callback shares: who drives the Transport, the thru queue and the meters.
// Only atomics and a preallocated ring: the callbacks never lock.
struct SharedState {
    // The session that should drive the Transport (set by a finished start, cleared by stop())
    // and the one whose callback drives it now. A callback takes `driving` only when it is
    // null and it is the wanted one, and gives it back at the start of a period, so the
    // Transport and the thru ring (single consumer) see one engine thread at a time.
    std::atomic<Session*> wanted{nullptr};
    std::atomic<Session*> driving{nullptr};
    std::atomic<float> peak{0};
    std::atomic<std::uint64_t> callbacks{0};
    SpscRing<MidiMessage> thru{1024};
};

// One opened audio driver and the synths it renders. Created and destroyed on the worker; its
// callback runs on the driver's thread.
struct Session {
    Session(SharedState& s, Transport& t) : shared(s), transport(t) {}
    ~Session() { // the driver is closed first: no callback runs any more
        delete active.exchange(nullptr);
        delete pending.exchange(nullptr);
        delete retired.exchange(nullptr);
        if (settings)
            delete_fluid_settings(settings);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    SharedState& shared;
    Transport& transport;
    fluid_settings_t* settings = nullptr;
    fluid_audio_driver_t* driver = nullptr;
    std::string driverName;
    LiveAudioOptions options;
    double rate = 48000;

    // The bank the callback renders with; a replacement waits in `pending` until the callback
    // takes it and hands back the old one in `retired` (freed on the worker).
    std::atomic<SynthBank*> active{nullptr};
    std::atomic<SynthBank*> pending{nullptr};
    std::atomic<SynthBank*> retired{nullptr};
    float left[kMaxChunk];
    float right[kMaxChunk];

    // Whether this period may drive the Transport; takes it or gives it back (see SharedState).
    // Sequentially consistent: a stop() that cleared `wanted` and then saw `driving` null can
    // rely on no callback starting to drive afterwards.
    bool holdTransport(SynthBank& bank) {
        Session* holder = shared.driving.load();
        if (holder == this) {
            if (shared.wanted.load() == this)
                return true;
            releaseNotes(bank);
            shared.driving.store(nullptr);
            return false;
        }
        if (holder != nullptr || shared.wanted.load() != this)
            return false;
        Session* expected = nullptr;
        if (!shared.driving.compare_exchange_strong(expected, this))
            return false;
        if (shared.wanted.load() == this)
            return true;
        shared.driving.store(nullptr); // a stop() came in between: never mind
        return false;
    }

    // The scheduler's note-offs will go to whoever drives next; this bank's notes are released
    // here (sustain off, all notes off) so they ring out during the ring-out, not for ever.
    static void releaseNotes(SynthBank& bank) {
        for (int ch = 0; ch < 16; ++ch) {
            bank.send(0, MidiMessage::controller(ch, 64, 0));
            bank.send(0, MidiMessage::controller(ch, 123, 0));
        }
    }

    static int callback(void* data, int len, int nfx, float* fx[], int nout, float* out[]) {
        auto* self = static_cast<Session*>(data);
        SharedState& shared = self->shared;
        shared.callbacks.fetch_add(1, std::memory_order_relaxed);
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
        const bool drive = self->holdTransport(*bank);
        MidiMessage m;
        while (drive && shared.thru.pop(m))
            bank->send(0, m);
        float peak = 0;
        for (int done = 0; done < len;) {
            const int n = std::min(kMaxChunk, len - done);
            if (drive)
                self->transport.process(n, self->rate, *bank);
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
        float old = shared.peak.load(std::memory_order_relaxed);
        while (peak > old && !shared.peak.compare_exchange_weak(old, peak))
            ;
        return FLUID_OK;
    }
};

// The drivers to try, in order, and a note of those skipped because they cannot work here.
std::vector<std::string> driverOrder(const LiveAudioOptions& options, std::string& skipped) {
    std::vector<std::string> order;
    if (!options.driver.empty()) {
        order.push_back(options.driver);
        return order;
    }
    // Drivers that cannot work here are not tried: their failures are slow and noisy (ALSA
    // without a card prints pages of errors).
    const auto available = LiveAudioOutput::availableDrivers();
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
    return order;
}

} // namespace

struct LiveAudioOutput::Impl {
    SharedState shared;

    // The worker: runs starts, stops and SoundFont loads one after another.
    std::thread worker;
    std::mutex jobsMutex;
    std::condition_variable jobsChanged;
    std::deque<std::function<void()>> jobs;
    bool busy = false;
    bool quit = false;
    std::atomic<bool> hurry{false}; // the output is being destroyed: no ring-out pauses
    Session* current = nullptr;     // worker only: the session that plays

    // What the control thread sees; guarded by stateMutex (never taken by a callback).
    mutable std::mutex stateMutex;
    std::uint64_t generation = 0; // counted up by stop(): a start queued before it is cancelled
    bool hasSession = false;      // a start was asked for since the last stop()
    bool running = false;
    Transport* controlTransport = nullptr; // of the last start: stop() pauses it
    std::string driverName;
    std::string soundFontPath;
    double rate = 48000;

    ~Impl() {
        {
            std::lock_guard<std::mutex> lock(jobsMutex);
            quit = true;
            hurry = true;
        }
        jobsChanged.notify_all();
        if (worker.joinable())
            worker.join();
    }

    void post(std::function<void()> job) {
        {
            std::lock_guard<std::mutex> lock(jobsMutex);
            jobs.push_back(std::move(job));
        }
        if (!worker.joinable()) // started on first use: an output never started costs no thread
            worker = std::thread([this] { runJobs(); });
        jobsChanged.notify_all();
    }

    void runJobs() {
        std::unique_lock<std::mutex> lock(jobsMutex);
        for (;;) {
            jobsChanged.wait(lock, [this] { return quit || !jobs.empty(); });
            if (jobs.empty())
                return; // quit, and nothing left to do
            auto job = std::move(jobs.front());
            jobs.pop_front();
            busy = true;
            lock.unlock();
            job();
            lock.lock();
            busy = false;
            jobsChanged.notify_all();
        }
    }

    // Worker: sleeps up to `d` unless the output is being destroyed.
    void sleepUnlessHurried(std::chrono::milliseconds d) {
        std::unique_lock<std::mutex> lock(jobsMutex);
        jobsChanged.wait_for(lock, d, [this] { return hurry.load(); });
    }

    bool isCurrent(std::uint64_t gen) const {
        std::lock_guard<std::mutex> lock(stateMutex);
        return gen == generation;
    }

    std::unique_ptr<SynthBank> makeBank(const Session& s, const std::string& soundFont,
                                        std::string& error) {
        SynthSettings ss;
        ss.sampleRate = s.rate;
        ss.gain = s.options.gain;
        ss.reverb = s.options.reverb;
        ss.chorus = s.options.chorus;
        ss.maxBlockFrames = kMaxChunk;
        return SynthBank::create(ss, soundFont, error);
    }

    // Worker: hands `bank` to the session's callback and waits until it took it.
    void handOver(Session& s, SynthBank* bank) {
        s.pending.store(bank, std::memory_order_release);
        for (int i = 0; i < 200 && s.pending.load(std::memory_order_acquire) && !hurry; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (s.pending.load()) { // the callback is not running: take it over directly
            SynthBank* expected = bank;
            if (s.pending.compare_exchange_strong(expected, nullptr))
                s.retired.store(s.active.exchange(bank));
        }
        delete s.retired.exchange(nullptr);
    }

    // Worker: opens the first driver that works, calling back into a new session.
    std::unique_ptr<Session> openDriver(Transport& transport, const LiveAudioOptions& options,
                                        std::string& error) {
        std::string skipped, tried;
        const std::vector<std::string> order = driverOrder(options, skipped);
        installFluidQuietLog();
        takeLastFluidError();
        auto s = std::make_unique<Session>(shared, transport);
        s->options = options;
        for (const auto& name : order) {
            fluid_settings_t* fs = new_fluid_settings();
            fluid_settings_setstr(fs, "audio.driver", name.c_str());
            fluid_settings_setnum(fs, "synth.sample-rate", options.sampleRate);
            fluid_settings_setint(fs, "audio.period-size", options.periodSize);
            fluid_settings_setint(fs, "audio.jack.autoconnect", 1);
            fluid_settings_setstr(fs, "audio.jack.id", "Torchestra");
            // Some drivers (JACK) impose their rate and write it back into the settings; the
            // callback renders nothing until a bank arrives, so reading it after is in time.
            fluid_audio_driver_t* drv = new_fluid_audio_driver2(fs, &Session::callback, s.get());
            if (!drv) {
                const std::string why = takeLastFluidError();
                tried += (tried.empty() ? "" : "; ") + name + (why.empty() ? "" : ": " + why);
                delete_fluid_settings(fs);
                continue;
            }
            fluid_settings_getnum(fs, "synth.sample-rate", &s->rate);
            s->settings = fs;
            s->driver = drv;
            s->driverName = name;
            return s;
        }
        error = order.empty() ? "no audio driver in this FluidSynth build"
                              : "no audio output works here (tried " + tried +
                                    (skipped.empty() ? "" : "; skipped" + skipped) +
                                    "); playback to MIDI ports and rendering still work";
        return nullptr;
    }

    // Worker: a whole start. `gen` is the generation it was asked for in; a stop() since then
    // cancels it (before the slow parts when it can, else by closing what it opened).
    std::string runStart(Transport& transport, const LiveAudioOptions& options, std::uint64_t gen) {
        if (!isCurrent(gen))
            return "cancelled";
        std::string error = tryStart(transport, options, gen);
        if (!error.empty()) {
            // Nothing to stop: a later stop() must not pause a Transport another engine drives.
            std::lock_guard<std::mutex> lock(stateMutex);
            if (gen == generation)
                hasSession = false;
        }
        return error;
    }

    std::string tryStart(Transport& transport, const LiveAudioOptions& options, std::uint64_t gen) {
        std::string error;
        std::string soundFont = options.soundFont;
        if (soundFont.empty()) {
            SoundFontLocator locator;
            soundFont = locator.locate(error);
            if (soundFont.empty())
                return error;
        } else if (std::string e = checkSoundFontFile(soundFont); !e.empty()) {
            return e;
        }
        std::unique_ptr<Session> s = openDriver(transport, options, error);
        if (!s)
            return error;
        auto bank = makeBank(*s, soundFont, error);
        if (!bank) {
            retire(s.release(), false);
            return error;
        }
        handOver(*s, bank.release());
        {
            std::lock_guard<std::mutex> lock(stateMutex);
            if (gen == generation) {
                running = true;
                driverName = s->driverName;
                soundFontPath = soundFont;
                rate = s->rate;
                current = s.get();
                shared.wanted.store(s.release()); // its callback takes the Transport
                return "";
            }
        }
        retire(s.release(), false);
        return "cancelled";
    }

    // Worker: a whole SoundFont change asked for in generation `gen`. A stop() since then
    // cancels it: before the load when it can (so a stop or the destructor does not wait for a
    // large file), else the loaded bank is dropped.
    std::string runSoundFont(const std::string& path, std::uint64_t gen) {
        if (!current || !isCurrent(gen))
            return "audio is not running";
        std::string error;
        std::unique_ptr<SynthBank> bank = makeBank(*current, path, error);
        if (!bank)
            return error; // the current bank keeps playing
        if (!isCurrent(gen))
            return "audio is not running";
        handOver(*current, bank.release());
        std::lock_guard<std::mutex> lock(stateMutex);
        if (gen != generation)
            return "audio is not running";
        soundFontPath = path;
        return "";
    }

    // Worker: takes a session out of service: its callback lets go of the Transport, its notes
    // ring out (`ringOut`), then the driver is closed and everything freed.
    void retire(Session* s, bool ringOut) {
        Session* expected = s;
        shared.wanted.compare_exchange_strong(expected, nullptr);
        const auto until = std::chrono::steady_clock::now() + kReleaseTimeout;
        while (shared.driving.load() == s && !hurry && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (ringOut && !hurry)
            sleepUnlessHurried(kRingOut);
        if (s->driver)
            delete_fluid_audio_driver(s->driver); // joins the callback's thread
        s->driver = nullptr;
        expected = s; // a callback that was never called again still held it
        shared.driving.compare_exchange_strong(expected, nullptr);
        delete s;
    }
};

LiveAudioOutput::LiveAudioOutput() : m_impl(std::make_unique<Impl>()) {}

LiveAudioOutput::~LiveAudioOutput() {
    stop();
    m_impl.reset(); // ~Impl finishes the queued jobs in a hurry and joins the worker
}

std::vector<std::string> LiveAudioOutput::availableDrivers() {
    std::vector<std::string> out;
    fluid_settings_t* s = new_fluid_settings();
    fluid_settings_foreach_option(s, "audio.driver", &out, collectOption);
    delete_fluid_settings(s);
    return out;
}

std::future<std::string>
LiveAudioOutput::startAsync(Transport& transport, const LiveAudioOptions& options, StartDone done) {
    stop();
    Impl& d = *m_impl;
    std::uint64_t gen = 0;
    {
        std::lock_guard<std::mutex> lock(d.stateMutex);
        gen = d.generation;
        d.hasSession = true;
        d.controlTransport = &transport;
    }
    auto result = std::make_shared<std::promise<std::string>>();
    std::future<std::string> future = result->get_future();
    d.post([&d, &transport, options, gen, result, done = std::move(done)] {
        const std::string error = d.runStart(transport, options, gen);
        result->set_value(error);
        if (done)
            done(error);
    });
    return future;
}

bool LiveAudioOutput::start(Transport& transport, const LiveAudioOptions& options,
                            std::string& error) {
    error = startAsync(transport, options).get();
    return error.empty();
}

void LiveAudioOutput::stop() {
    Impl& d = *m_impl;
    Transport* transport = nullptr;
    {
        std::lock_guard<std::mutex> lock(d.stateMutex);
        ++d.generation;
        if (!d.hasSession)
            return;
        d.hasSession = false;
        d.running = false;
        d.driverName.clear();
        d.soundFontPath.clear();
        transport = d.controlTransport;
        // Paused first, so whichever engine drives the Transport next ends the song's notes;
        // the callback releases this synth's own notes as it lets go.
        if (transport)
            transport->pause();
        d.shared.wanted.store(nullptr);
    }
    d.post([&d] {
        if (Session* s = std::exchange(d.current, nullptr))
            d.retire(s, true);
    });
}

bool LiveAudioOutput::waitUntilIdle(int timeoutMs) {
    Impl& d = *m_impl;
    std::unique_lock<std::mutex> lock(d.jobsMutex);
    return d.jobsChanged.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                                  [&d] { return d.jobs.empty() && !d.busy; });
}

bool LiveAudioOutput::drivesTransport() const {
    return m_impl->shared.driving.load() != nullptr;
}

void LiveAudioOutput::setSoundFontAsync(std::string path, SoundFontDone done) {
    Impl& d = *m_impl;
    std::uint64_t gen = 0;
    bool running = false;
    {
        std::lock_guard<std::mutex> lock(d.stateMutex);
        running = d.running;
        gen = d.generation;
    }
    if (!running) {
        if (done)
            done("audio is not running");
        return;
    }
    d.post([&d, path = std::move(path), gen, done = std::move(done)] {
        const std::string error = d.runSoundFont(path, gen);
        if (done)
            done(error);
    });
}

bool LiveAudioOutput::setSoundFont(const std::string& path, std::string& error) {
    auto result = std::make_shared<std::promise<std::string>>();
    std::future<std::string> future = result->get_future();
    setSoundFontAsync(path, [result](const std::string& e) { result->set_value(e); });
    error = future.get();
    if (!error.empty())
        return false;
    resendPrograms();
    return true;
}

void LiveAudioOutput::resendPrograms() {
    Impl& d = *m_impl;
    std::lock_guard<std::mutex> lock(d.stateMutex);
    if (d.running && d.controlTransport)
        d.controlTransport->seek(d.controlTransport->positionSeconds());
}

bool LiveAudioOutput::isRunning() const {
    std::lock_guard<std::mutex> lock(m_impl->stateMutex);
    return m_impl->running;
}
std::string LiveAudioOutput::driver() const {
    std::lock_guard<std::mutex> lock(m_impl->stateMutex);
    return m_impl->driverName;
}
std::string LiveAudioOutput::soundFont() const {
    std::lock_guard<std::mutex> lock(m_impl->stateMutex);
    return m_impl->soundFontPath;
}
double LiveAudioOutput::sampleRate() const {
    std::lock_guard<std::mutex> lock(m_impl->stateMutex);
    return m_impl->rate;
}
float LiveAudioOutput::takePeak() {
    return m_impl->shared.peak.exchange(0);
}
bool LiveAudioOutput::pushThru(const MidiMessage& message) {
    return m_impl->shared.thru.push(message);
}
std::uint64_t LiveAudioOutput::callbacks() const {
    return m_impl->shared.callbacks.load();
}

} // namespace torchestra::playback
