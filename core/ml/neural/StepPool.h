#pragma once

// One helper thread, shared by all runners, that takes parts of a sampling call's work: half of
// each layer's units (a runner's step), or whole groups of variations (a large batch, see
// FastSampler.cpp). The caller never waits for the helper to start: each part is claimed with a
// compare-and-swap tagged with the phase number, and whatever the helper has not claimed the
// caller does itself, so a helper descheduled on a busy machine costs nothing but the speed-up
// (and at most the one part it holds). Which thread computes a part never changes its bits. One
// sampling call uses it at a time; concurrent calls run on one thread. The helper spins only
// while a call holds it.

#include <algorithm>
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

    // Runs task(ctx, 0) .. task(ctx, parts - 1) (parts <= 255), here and on the helper, each
    // part on whichever thread claims it first; returns when all are done. The thread that
    // acquired the helper.
    void run(Task task, void* ctx, int parts);
    void run2(Task task, void* ctx) { run(task, ctx, 2); }

    ~StepPool();

private:
    StepPool() = default;

    void claimAll(std::uint64_t phase);
    void helperLoop();

    // phase << 16 | parts << 8 | parts claimed, in one word so that a claim always sees the
    // part count of its own phase. (Once kept apart, a helper starting up could claim part 0
    // of phase 0, which has no task, or a part of a finished phase beyond its count, from the
    // next call's count: a crash seen once in CI, on a fresh process under load.) Phase 0 has
    // no parts.
    std::atomic<std::uint64_t> m_state{0};
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

// Calls fn(first, rows) for consecutive groups of at most `groupRows` of [0, count): with
// `twoThreads` and at least two groups, on this thread and the helper, each group on whichever
// claims it first (no barrier between groups, so a helper descheduled by other work delays the
// call by at most the group it holds); otherwise fn(0, count) here. fn must be safe to call
// from two threads at once for different groups.
template <class F> void runInGroups(int count, int groupRows, bool twoThreads, F&& fn) {
    const int groups = (count + groupRows - 1) / groupRows;
    if (groups < 2 || !twoThreads || !StepPool::instance().acquire()) {
        fn(0, count);
        return;
    }
    struct Job {
        F* fn;
        int count, groupRows;
    } job{&fn, count, groupRows};
    StepPool::instance().run(
        [](void* p, int g) {
            const Job* j = static_cast<const Job*>(p);
            const int first = g * j->groupRows;
            (*j->fn)(first, std::min(j->groupRows, j->count - first));
        },
        &job, groups);
    StepPool::instance().release();
}

} // namespace torchestra::ml::neural
