#pragma once
// Another JACK client with one MIDI input, for the JACK tests to see what arrives: each message
// with its arrival time. RtMidi's JACK backend is used directly, so what Torchestra sends is
// checked by code that is not Torchestra's.

#include "playback/MidiMessage.h"

#include <rtmidi/RtMidi.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace torchestra::playback::test {

inline std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The callback runs in JACK's process thread and only writes into preallocated slots.
class Receiver {
public:
    struct Item {
        std::int64_t ns;
        MidiMessage message;
    };
    static constexpr int kCapacity = 200000;

    // Channel messages, plus the timing messages (clock, Start/Stop/Continue, song position)
    // when `timing`.
    explicit Receiver(bool timing = false) : m_items(kCapacity) {
        m_client = "rx-" + std::to_string(::getpid()) + "-" + std::to_string(s_counter++);
        m_in = std::make_unique<RtMidiIn>(RtMidi::UNIX_JACK, m_client);
        m_in->ignoreTypes(true, !timing, true);
        m_in->setCallback(&Receiver::callback, this);
        m_in->openVirtualPort("in");
    }
    std::string portName() const { return m_client + ":in"; }

    // What a clock follower saw: the pulses' arrival times, and the other system messages
    // (Start, Stop, Continue, song position) as their status bytes, in order.
    struct Clock {
        std::vector<std::int64_t> pulseNs;
        std::vector<int> statuses;
    };
    Clock clock() const {
        Clock c;
        for (int i = 0; i < count(); ++i) {
            const MidiMessage& m = at(i).message;
            if (m.status() == MidiMessage::kClock)
                c.pulseNs.push_back(at(i).ns);
            else if (m.status() >= 0xF0)
                c.statuses.push_back(m.status());
        }
        return c;
    }
    int count() const { return m_count.load(std::memory_order_acquire); }
    const Item& at(int i) const { return m_items[std::size_t(i)]; }
    // Waits until no message arrived for `quietMs`.
    void waitQuiet(int quietMs) const {
        int last = -1;
        while (count() != last) {
            last = count();
            std::this_thread::sleep_for(std::chrono::milliseconds(quietMs));
        }
    }

private:
    static void callback(double, std::vector<unsigned char>* msg, void* user) {
        auto* self = static_cast<Receiver*>(user);
        const int i = self->m_count.load(std::memory_order_relaxed);
        if (i >= kCapacity || msg->empty() || msg->size() > 3)
            return;
        Item& it = self->m_items[std::size_t(i)];
        it.ns = nowNs();
        it.message.size = std::uint8_t(msg->size());
        for (std::size_t k = 0; k < msg->size(); ++k)
            it.message.bytes[k] = (*msg)[k];
        self->m_count.store(i + 1, std::memory_order_release);
    }
    static inline int s_counter = 0;
    std::string m_client;
    std::unique_ptr<RtMidiIn> m_in;
    std::vector<Item> m_items;
    std::atomic<int> m_count{0};
};

} // namespace torchestra::playback::test
