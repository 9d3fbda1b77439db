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

void StepPool::run2(Task task, void* ctx) {
    m_task = task;
    m_ctx = ctx;
    m_done.store(0, std::memory_order_relaxed);
    const std::uint64_t phase = (m_state.load(std::memory_order_relaxed) >> 8) + 1;
    m_state.store(phase << 8, std::memory_order_release);
    claimAll(phase);
    while (m_done.load(std::memory_order_acquire) < 2)
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
        if ((s >> 8) != phase || (s & 0xFF) >= 2)
            return;
        if (m_state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
            const Task task = m_task;
            void* ctx = m_ctx;
            task(ctx, int(s & 0xFF));
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
        std::uint64_t seen = m_state.load(std::memory_order_acquire) >> 8;
        while (m_active.load(std::memory_order_acquire)) {
            const std::uint64_t phase = m_state.load(std::memory_order_acquire) >> 8;
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
