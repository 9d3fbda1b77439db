#pragma once

// Runs work(i) for i in [0, count) on worker threads and hands each result to take(i, result)
// on the calling thread, in order of i. At most `window` results exist at once (a worker waits
// before starting item i until item i - window has been taken), so memory stays bounded however
// many items there are and however uneven their cost. Stops early, without calling take again,
// when `cancel` is set or take() returns false; returns false then.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace torchestra::ml::corpus {

template <typename Result, typename Work, typename Take>
bool runOrderedPipeline(std::size_t count, int threads, std::size_t window,
                        const std::atomic<bool>& cancel, Work&& work, Take&& take) {
    window = std::max<std::size_t>(1, window);
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::optional<Result>> slots(window);
    std::size_t nextStart = 0, nextTake = 0;
    bool stop = false;
    auto worker = [&] {
        std::unique_lock<std::mutex> lock(mutex);
        while (true) {
            changed.wait(
                lock, [&] { return stop || nextStart >= count || nextStart < nextTake + window; });
            if (stop || nextStart >= count)
                return;
            const std::size_t i = nextStart++;
            lock.unlock();
            Result r = work(i);
            lock.lock();
            slots[i % window] = std::move(r);
            changed.notify_all();
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, threads); ++t)
        pool.emplace_back(worker);
    bool completed = true;
    for (std::size_t i = 0; i < count; ++i) {
        std::optional<Result> r;
        {
            std::unique_lock<std::mutex> lock(mutex);
            // The cancel flag is set from outside without a notification: poll it.
            while (!slots[i % window] && !cancel.load())
                changed.wait_for(lock, std::chrono::milliseconds(20));
            if (cancel.load()) {
                completed = false;
                break;
            }
            r.swap(slots[i % window]);
            ++nextTake;
            changed.notify_all();
        }
        if (!take(i, std::move(*r))) {
            completed = false;
            break;
        }
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        stop = true;
        changed.notify_all();
    }
    for (auto& t : pool)
        t.join();
    return completed;
}

} // namespace torchestra::ml::corpus
