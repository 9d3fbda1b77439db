#include "ml/neural/StepPool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TORCHESTRA_X86 1
#endif

namespace torchestra::ml::neural {

namespace {

inline void cpuRelax() {
#ifdef TORCHESTRA_X86
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

} // namespace

StepPool& StepPool::instance() {
    static StepPool pool;
    return pool;
}

bool StepPool::acquire() {
    bool expected = false;
    if (!m_inUse.compare_exchange_strong(expected, true))
        return false;
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_thread.joinable())
        m_thread = std::thread([this] { helperLoop(); });
    m_active.store(true, std::memory_order_release);
    m_cv.notify_one();
    return true;
}

void StepPool::release() {
    m_active.store(false, std::memory_order_release);
    m_inUse.store(false, std::memory_order_release);
}

void StepPool::run(Task task, void* ctx, int parts) {
    m_task = task;
    m_ctx = ctx;
    m_done.store(0, std::memory_order_relaxed);
    const std::uint64_t phase = (m_state.load(std::memory_order_relaxed) >> 16) + 1;
    // Publishes the task with the phase: a helper reads them only after claiming a part of it.
    m_state.store(phase << 16 | std::uint64_t(parts) << 8, std::memory_order_release);
    claimAll(phase);
    while (m_done.load(std::memory_order_acquire) < parts)
        cpuRelax();
}

StepPool::~StepPool() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_quit = true;
        m_active.store(false);
        m_cv.notify_one();
    }
    if (m_thread.joinable())
        m_thread.join();
}

void StepPool::claimAll(std::uint64_t phase) {
    for (;;) {
        std::uint64_t s = m_state.load(std::memory_order_acquire);
        const int parts = int((s >> 8) & 0xFF);
        const int claimed = int(s & 0xFF);
        if ((s >> 16) != phase || claimed >= parts)
            return;
        if (m_state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
            const Task task = m_task;
            void* ctx = m_ctx;
            task(ctx, claimed);
            m_done.fetch_add(1, std::memory_order_release);
        }
    }
}

void StepPool::helperLoop() {
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [&] { return m_quit || m_active.load(); });
            if (m_quit)
                return;
        }
        // Nothing seen yet: the call that woke this thread may have started its phase already
        // (a one-phase job such as runInGroups would then run on the caller alone). A phase
        // whose parts are all claimed is left at once by claimAll.
        std::uint64_t seen = ~std::uint64_t(0);
        while (m_active.load(std::memory_order_acquire)) {
            const std::uint64_t phase = m_state.load(std::memory_order_acquire) >> 16;
            if (phase != seen) {
                seen = phase;
                claimAll(phase);
            } else {
                cpuRelax();
            }
        }
    }
}

} // namespace torchestra::ml::neural
