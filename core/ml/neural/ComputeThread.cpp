#include "ml/neural/ComputeThread.h"

#include "ml/neural/NeuralNet.h"

#include <chrono>
#include <cstdlib>

namespace torchestra::ml::neural {

namespace {

// Passes abandoned by a Cancel and still running. The process waits for them at exit (up to
// 10 s) so that torch's globals are not destroyed under a running backward pass.
std::atomic<int> g_abandoned{0};

void waitForAbandonedPasses() {
    for (int i = 0; i < 1000 && g_abandoned.load() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

} // namespace

ComputeThread::ComputeThread(int threads) : m_s(std::make_shared<Shared>()) {
    std::shared_ptr<Shared> s = m_s;
    m_thread = std::thread([s, threads] {
        setThisThreadsThreads(threads);
        std::unique_lock<std::mutex> lock(s->mutex);
        for (;;) {
            s->cv.wait(lock, [&] { return s->stop || s->job; });
            if (!s->job) {
                if (s->abandoned)
                    g_abandoned.fetch_sub(1);
                return;
            }
            std::function<void()> job = std::move(s->job);
            s->job = nullptr;
            lock.unlock();
            std::exception_ptr error;
            try {
                job();
            } catch (...) {
                error = std::current_exception();
            }
            job = nullptr; // release what the pass owned before reporting
            lock.lock();
            s->error = error;
            s->busy = false;
            s->cv.notify_all();
        }
    });
}

ComputeThread::~ComputeThread() {
    bool busy;
    {
        std::lock_guard<std::mutex> lock(m_s->mutex);
        m_s->stop = true;
        busy = m_s->busy;
        if (busy) {
            static const bool registered = (std::atexit(waitForAbandonedPasses), true);
            (void)registered;
            m_s->abandoned = true;
            g_abandoned.fetch_add(1);
        }
        m_s->cv.notify_all();
    }
    // An abandoned pass finishes on its own; the thread then sees `stop` and exits.
    if (busy)
        m_thread.detach();
    else
        m_thread.join();
}

bool ComputeThread::run(std::function<void()> job, const std::atomic<bool>& cancel) {
    std::unique_lock<std::mutex> lock(m_s->mutex);
    m_s->job = std::move(job);
    m_s->busy = true;
    m_s->error = nullptr;
    m_s->cv.notify_all();
    // Every wake-up takes a core from the pass's OpenMP team (two threads on two cores here),
    // and a barrier then waits for the preempted thread: poll no more often than the 200 ms
    // Cancel promise needs.
    while (m_s->busy) {
        m_s->cv.wait_for(lock, std::chrono::milliseconds(20));
        if (m_s->busy && cancel.load(std::memory_order_relaxed)) {
            // Give a short pass the chance to end so the thread can be joined rather than left
            // running; a long one (a busy machine) is abandoned.
            m_s->cv.wait_for(lock, std::chrono::milliseconds(30), [&] { return !m_s->busy; });
            return false;
        }
    }
    if (m_s->error)
        std::rethrow_exception(m_s->error);
    return true;
}

} // namespace torchestra::ml::neural
