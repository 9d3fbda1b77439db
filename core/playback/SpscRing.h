#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <type_traits>

namespace torchestra::playback {

// A bounded single-producer/single-consumer queue over storage allocated once, at construction.
// push() fails when full rather than waiting, and neither side ever locks or allocates, so either
// end may be a real-time thread (FluidSynth's fluid_ringbuffer follows the same rules).
// Exactly one thread may push and exactly one thread may pop.
template <typename T> class SpscRing {
    static_assert(std::is_trivially_copyable_v<T>, "ring slots are copied by value");

public:
    explicit SpscRing(std::size_t capacity)
        : m_size(roundUp(capacity + 1)), m_slots(std::make_unique<T[]>(m_size)) {}

    SpscRing(const SpscRing&) = delete;
    SpscRing& operator=(const SpscRing&) = delete;

    // Producer thread. False when full: the caller decides what a lost item means.
    bool push(const T& value) {
        const std::size_t w = m_write.load(std::memory_order_relaxed);
        const std::size_t next = (w + 1) & (m_size - 1);
        if (next == m_read.load(std::memory_order_acquire))
            return false;
        m_slots[w] = value;
        m_write.store(next, std::memory_order_release);
        return true;
    }

    // Consumer thread. False when empty.
    bool pop(T& out) {
        const std::size_t r = m_read.load(std::memory_order_relaxed);
        if (r == m_write.load(std::memory_order_acquire))
            return false;
        out = m_slots[r];
        m_read.store((r + 1) & (m_size - 1), std::memory_order_release);
        return true;
    }

    // Either thread; a snapshot that may be stale by the time it is read.
    bool empty() const {
        return m_read.load(std::memory_order_acquire) == m_write.load(std::memory_order_acquire);
    }
    std::size_t capacity() const { return m_size - 1; }

private:
    static std::size_t roundUp(std::size_t n) {
        std::size_t p = 2;
        while (p < n)
            p <<= 1;
        return p;
    }

    const std::size_t m_size; // a power of two, one slot kept free to tell full from empty
    std::unique_ptr<T[]> m_slots;
    // Separate cache lines: the producer writes m_write, the consumer m_read.
    alignas(64) std::atomic<std::size_t> m_write{0};
    alignas(64) std::atomic<std::size_t> m_read{0};
};

} // namespace torchestra::playback
