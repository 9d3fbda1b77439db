#pragma once

#include <cstdint>

namespace torchestra::playback {

// A short MIDI message (1 to 3 bytes): a channel message, or the clock's system real-time and
// song position messages; small enough to travel through lock-free rings.
struct MidiMessage {
    std::uint8_t bytes[3] = {0, 0, 0};
    std::uint8_t size = 0;

    std::uint8_t status() const { return bytes[0]; }
    std::uint8_t type() const { return bytes[0] & 0xF0; }
    std::uint8_t channel() const { return bytes[0] & 0x0F; }
    bool isNoteOn() const { return type() == 0x90 && bytes[2] != 0; }
    bool isNoteOff() const { return type() == 0x80 || (type() == 0x90 && bytes[2] == 0); }

    static MidiMessage make(std::uint8_t status, std::uint8_t d1, std::uint8_t d2 = 0) {
        MidiMessage m;
        m.bytes[0] = status;
        m.bytes[1] = d1 & 0x7F;
        m.bytes[2] = d2 & 0x7F;
        const std::uint8_t type = status & 0xF0;
        m.size = (type == 0xC0 || type == 0xD0) ? 2 : 3;
        return m;
    }
    static MidiMessage noteOn(int ch, int key, int vel) {
        return make(std::uint8_t(0x90 | (ch & 15)), std::uint8_t(key), std::uint8_t(vel));
    }
    static MidiMessage noteOff(int ch, int key, int vel = 64) {
        return make(std::uint8_t(0x80 | (ch & 15)), std::uint8_t(key), std::uint8_t(vel));
    }
    static MidiMessage controller(int ch, int cc, int value) {
        return make(std::uint8_t(0xB0 | (ch & 15)), std::uint8_t(cc), std::uint8_t(value));
    }

    // System real-time: one status byte.
    static constexpr std::uint8_t kClock = 0xF8, kStart = 0xFA, kContinue = 0xFB, kStop = 0xFC;
    static MidiMessage realtime(std::uint8_t status) {
        MidiMessage m;
        m.bytes[0] = status;
        m.size = 1;
        return m;
    }
    // Song Position Pointer: where a clock follower continues, in sixteenth notes from the
    // start (14 bits).
    static constexpr std::uint8_t kSongPosition = 0xF2;
    static MidiMessage songPosition(int sixteenths) {
        const int v = sixteenths < 0 ? 0 : (sixteenths > 0x3FFF ? 0x3FFF : sixteenths);
        return make(kSongPosition, std::uint8_t(v & 0x7F), std::uint8_t(v >> 7));
    }
    int songPositionValue() const { return bytes[1] | (bytes[2] << 7); }
};

// Where the scheduler's messages go. `frameOffset` is the message's position in frames from the
// start of the block being processed. Called on the real-time thread: implementations must not
// lock, allocate, log or throw.
class MidiSink {
public:
    virtual ~MidiSink() = default;
    virtual void send(int frameOffset, const MidiMessage& message) = 0;
};

// Where a MIDI input's messages are echoed so a player hears themself (a MIDI output port or the
// live synth). pushThru() is called from the input's callback thread (one producer) and must
// not block: it queues and returns false when the queue is full.
class MidiThru {
public:
    virtual ~MidiThru() = default;
    virtual bool pushThru(const MidiMessage& message) = 0;
};

} // namespace torchestra::playback
