#pragma once

// One helper thread, shared by all runners, that takes half of each layer's units during a
// sampling call. The caller never waits for the helper to start: each half is claimed with a
// compare-and-swap tagged with the phase number, and whatever the helper has not claimed the
// caller does itself, so a helper descheduled on a busy machine costs nothing but the speed-up.
// Which thread computes a half never changes its bits. One sampling call uses it at a time;
// concurrent calls run on one thread. The helper spins only while a call holds it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace torchestra::ml::neural {

class StepPool {
public:
    using Task = void (*)(void*, int);

    static StepPool& instance();

    // Takes the helper for the calling runner (starting its thread on first use); false when
    // another runner holds it. Any thread.
    bool acquire();
    // Gives the helper back; it stops spinning. The thread that acquired it.
    void release();

    // Runs task(ctx, 0) and task(ctx, 1), here and on the helper; returns when both are done.
    // The thread that acquired the helper.
    void run2(Task task, void* ctx);

    ~StepPool();

private:
    StepPool() = default;

    void claimAll(std::uint64_t phase);
    void helperLoop();

    std::atomic<std::uint64_t> m_state{0}; // phase << 8 | halves claimed
    std::atomic<int> m_done{0};
    Task m_task = nullptr;
    void* m_ctx = nullptr;
    std::atomic<bool> m_inUse{false};
    std::atomic<bool> m_active{false};
    bool m_quit = false;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::thread m_thread;
};

} // namespace torchestra::ml::neural
