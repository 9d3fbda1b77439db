#include "playback/SilentClock.h"

#include "playback/Transport.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace torchestra::playback {

namespace {

class NullSink final : public MidiSink {
public:
    void send(int, const MidiMessage&) override {}
};

} // namespace

SilentClock::SilentClock(Transport& transport) : m_transport(transport) {
    m_thread = std::thread([this] { run(); });
}

SilentClock::~SilentClock() {
    m_quit.store(true);
    m_thread.join();
}

void SilentClock::run() {
    NullSink sink;
    auto last = std::chrono::steady_clock::now();
    while (!m_quit.load(std::memory_order_relaxed)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        const auto now = std::chrono::steady_clock::now();
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last);
        last = now;
        const int frames = int(std::clamp<std::int64_t>(ns.count(), 1, 100'000'000));
        m_transport.process(frames, 1e9, sink); // frames are nanoseconds
    }
}

} // namespace torchestra::playback
