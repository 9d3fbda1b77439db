#pragma once

// The trainer's helper thread for torch passes: why it exists (a Cancel within 200 ms while a
// pass may take seconds) is in NeuralTrainer.cpp's file comment. Included only by
// ml/neural/*.cpp.

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace torchestra::ml::neural {

// One helper thread that runs torch passes with `threads` intra-op threads, one at a time.
// Owned and driven by one thread (the trainer's caller).
class ComputeThread {
public:
    explicit ComputeThread(int threads);
    ComputeThread(const ComputeThread&) = delete;
    ComputeThread& operator=(const ComputeThread&) = delete;
    // Joins the thread, or detaches it when a pass was abandoned (the process then waits for
    // that pass at exit, so that torch's globals are not destroyed under it).
    ~ComputeThread();

    // Runs `job` on the helper thread and waits for it. False if `cancel` was set first: the
    // job is abandoned (it keeps running and must own everything it touches). Rethrows what
    // the job threw.
    bool run(std::function<void()> job, const std::atomic<bool>& cancel);

private:
    // Shared with the thread, which may outlive this object (an abandoned pass).
    struct Shared {
        std::mutex mutex;
        std::condition_variable cv;
        std::function<void()> job;
        bool busy = false;
        bool stop = false;
        bool abandoned = false;
        std::exception_ptr error;
    };
    std::shared_ptr<Shared> m_s;
    std::thread m_thread;
};

} // namespace torchestra::ml::neural
