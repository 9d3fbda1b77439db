#include "playback/MidiPorts.h"

#include "playback/SpscRing.h"
#include "playback/Transport.h"
#include "playback/internal/JackProbe.h"

#include <rtmidi/RtMidi.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <thread>
#include <unistd.h>

namespace torchestra::playback {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

// Before main(), while the process has one thread (JackProbe.h).
const bool kJackAutostartForbidden = (forbidJackAutostart(), true);

RtMidi::Api apiFromName(const std::string& name) {
    const std::string n = name.empty() ? preferredMidiApi() : name;
    if (n == "jack")
        return RtMidi::UNIX_JACK;
    if (n == "alsa")
        return RtMidi::LINUX_ALSA;
    return RtMidi::UNSPECIFIED;
}

std::string apiName(RtMidi::Api api) {
    switch (api) {
    case RtMidi::UNIX_JACK:
        return "jack";
    case RtMidi::LINUX_ALSA:
        return "alsa";
    default:
        return RtMidi::getApiName(api);
    }
}

// Errors reach us through this callback rather than as exceptions or stderr lines. On the
// control thread the text is kept; on real-time threads only counted.
struct ErrorState {
    std::atomic<bool> onControlThread{true};
    std::atomic<std::uint64_t> realtimeErrors{0};
    std::string lastError;
};

void onRtMidiError(RtMidiError::Type, const std::string& text, void* user) {
    auto* state = static_cast<ErrorState*>(user);
    if (state->onControlThread.load(std::memory_order_relaxed))
        state->lastError = text;
    else
        state->realtimeErrors.fetch_add(1, std::memory_order_relaxed);
}

// Finds a port by index, exact name or unique substring.
template <typename Port>
bool findPort(Port& port, const std::string& want, unsigned& index, std::string& error) {
    const unsigned count = port.getPortCount();
    std::vector<std::string> names;
    for (unsigned i = 0; i < count; ++i)
        names.push_back(port.getPortName(i));
    if (!want.empty() && std::all_of(want.begin(), want.end(), ::isdigit)) {
        // A number too long to be a port index is simply no port (stoull would throw).
        const unsigned long long n = want.size() > 9 ? ~0ull : std::stoull(want);
        if (n < count) {
            index = unsigned(n);
            return true;
        }
        error = "no port " + want + " (there are " + std::to_string(count) + ")";
        return false;
    }
    for (unsigned i = 0; i < count; ++i)
        if (names[i] == want) {
            index = i;
            return true;
        }
    std::vector<unsigned> matches;
    for (unsigned i = 0; i < count; ++i)
        if (names[i].find(want) != std::string::npos)
            matches.push_back(i);
    if (matches.size() == 1) {
        index = matches[0];
        return true;
    }
    error = matches.empty() ? "no port named '" + want + "'"
                            : "'" + want + "' matches " + std::to_string(matches.size()) +
                                  " ports; give the full name or an index";
    error += " (ports:";
    for (unsigned i = 0; i < count; ++i)
        error += " [" + std::to_string(i) + "] " + names[i];
    error += count ? ")" : " none)";
    return false;
}

// Finds `want` (see findPort) among `port`'s ports and opens it as `localName`. On failure
// `error` names the API and the problem; the caller drops the RtMidi object.
template <typename Port>
bool openFoundPort(Port& port, RtMidi::Api api, const std::string& want, const char* localName,
                   ErrorState& errors, std::string& portName, std::string& error) {
    unsigned index = 0;
    if (!findPort(port, want, index, error)) {
        error = apiName(api) + ": " + error;
        return false;
    }
    portName = port.getPortName(index);
    errors.lastError.clear();
    port.openPort(index, localName);
    if (!port.isPortOpen()) {
        error = apiName(api) + ": cannot open '" + portName + "': " + errors.lastError;
        return false;
    }
    return true;
}

// ALSA without its sequencer device fails after alsa-lib prints to stderr; say why instead.
bool apiUsable(RtMidi::Api api, std::string& error) {
    if (api == RtMidi::LINUX_ALSA && ::access("/dev/snd/seq", R_OK | W_OK) != 0) {
        error = "alsa: no ALSA sequencer (/dev/snd/seq is missing) and no JACK server running";
        return false;
    }
    if (api == RtMidi::UNIX_JACK && !jackServerRunning()) {
        error = "jack: no JACK server running";
        return false;
    }
    return true;
}

std::string uniqueClientName(const char* base) {
    static std::atomic<int> counter{0};
    return std::string(base) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1));
}

} // namespace

std::string preferredMidiApi() {
    return jackServerRunning() ? "jack" : "alsa";
}

std::vector<MidiPortInfo> listMidiPorts(std::vector<std::string>* notes) {
    std::vector<MidiPortInfo> out;
    std::vector<RtMidi::Api> apis;
    RtMidi::getCompiledApi(apis);
    for (RtMidi::Api api : apis) {
        if (api == RtMidi::UNIX_JACK && !jackServerRunning()) {
            if (notes)
                notes->push_back("jack: no JACK server running");
            continue;
        }
        if (api != RtMidi::UNIX_JACK && api != RtMidi::LINUX_ALSA)
            continue;
        if (api == RtMidi::LINUX_ALSA && ::access("/dev/snd/seq", R_OK | W_OK) != 0) {
            if (notes)
                notes->push_back("alsa: no ALSA sequencer (/dev/snd/seq is missing)");
            continue;
        }
        try {
            ErrorState errors;
            RtMidiIn in(api, uniqueClientName("torchestra-list"));
            in.setErrorCallback(onRtMidiError, &errors);
            for (unsigned i = 0; i < in.getPortCount(); ++i)
                out.push_back({i, in.getPortName(i), apiName(api), true});
            RtMidiOut o(api, uniqueClientName("torchestra-list"));
            o.setErrorCallback(onRtMidiError, &errors);
            for (unsigned i = 0; i < o.getPortCount(); ++i)
                out.push_back({i, o.getPortName(i), apiName(api), false});
        } catch (const RtMidiError& e) {
            if (notes)
                notes->push_back(apiName(api) + ": " + e.getMessage());
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Output

struct MidiPortOutput::Impl final : MidiSink {
    static constexpr int kWindowNs = 1'000'000; // the sender plans 1 ms at a time
    static constexpr int kMaxPerWindow = 8192;  // stop/panic/chase bursts fit
    static constexpr int kBucketUs = 10;
    static constexpr int kBuckets = 10000; // lateness histogram up to 100 ms

    ErrorState errors;
    std::unique_ptr<RtMidiOut> out;
    RtMidi::Api api = RtMidi::UNSPECIFIED;
    std::string portName;
    std::thread thread;
    std::atomic<bool> running{false};
    Transport* transport = nullptr;
    SpscRing<MidiMessage> thru{1024};

    // Messages of the current window, filled by Transport::process through send().
    std::array<int, kMaxPerWindow> offsets{};
    std::array<MidiMessage, kMaxPerWindow> messages{};
    int count = 0;

    std::array<std::uint32_t, kBuckets> lateness{};
    std::atomic<std::uint64_t> sent{0};
    std::atomic<bool> realtime{false};
    double lateSumUs = 0;
    double lateMaxUs = 0;

    void send(int frameOffset, const MidiMessage& m) override {
        if (count == kMaxPerWindow) { // never drop a message: send it now, early
            emit(m, nowNs());
            return;
        }
        offsets[std::size_t(count)] = frameOffset;
        messages[std::size_t(count)] = m;
        ++count;
    }

    void emit(const MidiMessage& m, std::int64_t dueNs) {
        out->sendMessage(m.bytes, m.size);
        const double lateUs = double(nowNs() - dueNs) / 1000.0;
        const int b = std::clamp(int(lateUs / kBucketUs), 0, kBuckets - 1);
        ++lateness[std::size_t(b)];
        lateSumUs += std::max(0.0, lateUs);
        lateMaxUs = std::max(lateMaxUs, lateUs);
        sent.fetch_add(1, std::memory_order_relaxed);
    }

    void drainThru() {
        MidiMessage m;
        while (thru.pop(m))
            out->sendMessage(m.bytes, m.size);
    }

    void run() {
        // Sleep wake-ups within a few microseconds of the due time rather than the default 50.
        ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
        // Real-time priority where the system allows it (as for JACK's own threads), so a busy
        // machine does not delay the sends; without it the thread still runs, only less exactly.
        sched_param param{};
        param.sched_priority = 70;
        realtime.store(::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &param) == 0);
        const std::int64_t t0 = nowNs();
        std::int64_t window = 0;
        while (running.load(std::memory_order_acquire)) {
            const std::int64_t windowStart = t0 + window * kWindowNs;
            count = 0;
            if (transport)
                transport->process(kWindowNs, 1e9, *this);
            for (int i = 0; i < count; ++i) {
                const std::int64_t due = windowStart + offsets[std::size_t(i)];
                drainThru();
                if (nowNs() < due)
                    std::this_thread::sleep_until(Clock::time_point(std::chrono::nanoseconds(due)));
                emit(messages[std::size_t(i)], due);
            }
            drainThru();
            ++window;
            const std::int64_t next = t0 + window * kWindowNs;
            if (nowNs() < next)
                std::this_thread::sleep_until(Clock::time_point(std::chrono::nanoseconds(next)));
        }
        // Closing: every sounding note off, then all-notes-off everywhere.
        count = 0;
        if (transport)
            transport->shutdown(*this);
        else
            for (int ch = 0; ch < 16; ++ch)
                send(0, MidiMessage::controller(ch, 123, 0));
        for (int i = 0; i < count; ++i)
            out->sendMessage(messages[std::size_t(i)].bytes, messages[std::size_t(i)].size);
        drainThru();
    }
};

MidiPortOutput::MidiPortOutput() : m_impl(std::make_unique<Impl>()) {}

MidiPortOutput::~MidiPortOutput() {
    close();
}

bool MidiPortOutput::open(const std::string& nameOrIndex, std::string& error,
                          const std::string& api) {
    close();
    m_impl->api = apiFromName(api);
    if (!apiUsable(m_impl->api, error))
        return false;
    try {
        m_clientName = uniqueClientName("torchestra-out");
        m_impl->out = std::make_unique<RtMidiOut>(m_impl->api, m_clientName);
        m_impl->out->setErrorCallback(onRtMidiError, &m_impl->errors);
        if (!openFoundPort(*m_impl->out, m_impl->api, nameOrIndex, "out", m_impl->errors,
                           m_impl->portName, error)) {
            m_impl->out.reset();
            return false;
        }
    } catch (const RtMidiError& e) {
        error = apiName(m_impl->api) + ": " + e.getMessage();
        m_impl->out.reset();
        return false;
    }
    return true;
}

bool MidiPortOutput::openVirtual(const std::string& portName, std::string& error,
                                 const std::string& api) {
    close();
    m_impl->api = apiFromName(api);
    if (!apiUsable(m_impl->api, error))
        return false;
    try {
        m_clientName = uniqueClientName("torchestra-out");
        m_impl->out = std::make_unique<RtMidiOut>(m_impl->api, m_clientName);
        m_impl->out->setErrorCallback(onRtMidiError, &m_impl->errors);
        m_impl->errors.lastError.clear();
        m_impl->out->openVirtualPort(portName);
        if (!m_impl->errors.lastError.empty()) {
            error = apiName(m_impl->api) + ": " + m_impl->errors.lastError;
            m_impl->out.reset();
            return false;
        }
        m_impl->portName = portName;
    } catch (const RtMidiError& e) {
        error = apiName(m_impl->api) + ": " + e.getMessage();
        m_impl->out.reset();
        return false;
    }
    return true;
}

bool MidiPortOutput::start(Transport* transport, std::string& error) {
    if (!m_impl->out) {
        error = "no port open";
        return false;
    }
    if (m_impl->running.load()) {
        error = "already started";
        return false;
    }
    m_impl->transport = transport;
    m_impl->errors.onControlThread.store(false);
    m_impl->running.store(true, std::memory_order_release);
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->run(); });
    return true;
}

void MidiPortOutput::stopSending() {
    if (m_impl->running.exchange(false))
        m_impl->thread.join();
    m_impl->errors.onControlThread.store(true);
}

void MidiPortOutput::close() {
    stopSending();
    m_impl->out.reset();
}

bool MidiPortOutput::isOpen() const {
    return m_impl->out != nullptr;
}
std::string MidiPortOutput::api() const {
    return apiName(m_impl->api);
}
std::string MidiPortOutput::portName() const {
    return m_impl->portName;
}
bool MidiPortOutput::pushThru(const MidiMessage& m) {
    return m_impl->thru.push(m);
}

SendStats MidiPortOutput::stats() const {
    SendStats s;
    const Impl& d = *m_impl;
    s.realtimePriority = d.realtime.load();
    std::uint64_t total = 0;
    for (auto n : d.lateness)
        total += n;
    s.sent = total;
    if (total == 0)
        return s;
    s.meanLateUs = d.lateSumUs / double(total);
    s.maxLateUs = d.lateMaxUs;
    std::uint64_t acc = 0;
    bool have50 = false;
    for (int b = 0; b < Impl::kBuckets; ++b) {
        acc += d.lateness[std::size_t(b)];
        if (!have50 && acc * 2 >= total) {
            s.p50LateUs = (b + 1) * Impl::kBucketUs;
            have50 = true;
        }
        if (acc * 100 >= total * 99) {
            s.p99LateUs = (b + 1) * Impl::kBucketUs;
            break;
        }
    }
    for (int b = 1000 / Impl::kBucketUs; b < Impl::kBuckets; ++b)
        s.lateOver1ms += d.lateness[std::size_t(b)];
    return s;
}

// ---------------------------------------------------------------------------------------------
// Input

struct MidiPortInput::Impl {
    ErrorState errors;
    std::unique_ptr<RtMidiIn> in;
    RtMidi::Api api = RtMidi::UNSPECIFIED;
    std::string portName;
    SpscRing<InputEvent> ring{8192};
    std::atomic<MidiThru*> thru{nullptr};
    std::atomic<std::uint64_t> dropped{0};

    // RtMidi's input thread (the JACK process callback with UNIX_JACK): no locks, no allocation.
    static void callback(double, std::vector<unsigned char>* message, void* user) {
        auto* self = static_cast<Impl*>(user);
        if (!message || message->empty() || message->size() > 3)
            return;
        const std::uint8_t status = (*message)[0];
        if (status < 0x80 || status >= 0xF0)
            return; // channel messages only
        InputEvent e;
        e.timeNs = nowNs();
        e.message.size = std::uint8_t(message->size());
        for (std::size_t i = 0; i < message->size(); ++i)
            e.message.bytes[i] = (*message)[i];
        if (!self->ring.push(e))
            self->dropped.fetch_add(1, std::memory_order_relaxed);
        if (MidiThru* out = self->thru.load(std::memory_order_acquire))
            out->pushThru(e.message);
    }

    bool prepare(const std::string& apiNameWanted, std::string& error) {
        api = apiFromName(apiNameWanted);
        if (!apiUsable(api, error))
            return false;
        try {
            in = std::make_unique<RtMidiIn>(api, uniqueClientName("torchestra-in"), 1024);
            in->setErrorCallback(onRtMidiError, &errors);
            in->setCallback(&Impl::callback, this);
            in->ignoreTypes(true, true, true);
        } catch (const RtMidiError& e) {
            error = apiName(api) + ": " + e.getMessage();
            in.reset();
            return false;
        }
        return true;
    }
};

MidiPortInput::MidiPortInput() : m_impl(std::make_unique<Impl>()) {}
MidiPortInput::~MidiPortInput() {
    close();
}

bool MidiPortInput::open(const std::string& nameOrIndex, std::string& error,
                         const std::string& api) {
    close();
    if (!m_impl->prepare(api, error))
        return false;
    try {
        if (!openFoundPort(*m_impl->in, m_impl->api, nameOrIndex, "in", m_impl->errors,
                           m_impl->portName, error)) {
            m_impl->in.reset();
            return false;
        }
    } catch (const RtMidiError& e) {
        error = apiName(m_impl->api) + ": " + e.getMessage();
        m_impl->in.reset();
        return false;
    }
    return true;
}

bool MidiPortInput::openVirtual(const std::string& portName, std::string& error,
                                const std::string& api) {
    close();
    if (!m_impl->prepare(api, error))
        return false;
    try {
        m_impl->errors.lastError.clear();
        m_impl->in->openVirtualPort(portName);
        if (!m_impl->errors.lastError.empty()) {
            error = apiName(m_impl->api) + ": " + m_impl->errors.lastError;
            m_impl->in.reset();
            return false;
        }
        m_impl->portName = portName;
    } catch (const RtMidiError& e) {
        error = apiName(m_impl->api) + ": " + e.getMessage();
        m_impl->in.reset();
        return false;
    }
    return true;
}

void MidiPortInput::close() {
    if (m_impl->in) {
        m_impl->in->cancelCallback();
        m_impl->in->closePort();
        m_impl->in.reset();
    }
}

bool MidiPortInput::isOpen() const {
    return m_impl->in != nullptr;
}
std::string MidiPortInput::api() const {
    return apiName(m_impl->api);
}
std::string MidiPortInput::portName() const {
    return m_impl->portName;
}
void MidiPortInput::setThru(MidiThru* out) {
    m_impl->thru.store(out, std::memory_order_release);
}
bool MidiPortInput::pop(InputEvent& event) {
    return m_impl->ring.pop(event);
}
std::uint64_t MidiPortInput::dropped() const {
    return m_impl->dropped.load();
}

} // namespace torchestra::playback
