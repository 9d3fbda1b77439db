#pragma once

#include <atomic>
#include <thread>

namespace torchestra::playback {

class Transport;

// Drives a Transport when no output works: keeps time against the steady clock on its own
// thread (a block every ~2 ms) and throws the messages away, so the playhead, loops and the UI
// behave as with sound. The thread never locks or allocates, as the real engines.
//
// Construct and destroy on the thread that owns the Transport's controls; nothing else may
// drive the Transport meanwhile (Transport::process runs on one thread at a time). The
// destructor stops and joins the thread.
class SilentClock {
public:
    explicit SilentClock(Transport& transport);
    ~SilentClock();
    SilentClock(const SilentClock&) = delete;
    SilentClock& operator=(const SilentClock&) = delete;

private:
    void run();

    Transport& m_transport;
    std::atomic<bool> m_quit{false};
    std::thread m_thread;
};

} // namespace torchestra::playback
