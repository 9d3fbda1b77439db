#pragma once

#include "playback/MidiMessage.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace torchestra::playback {

class Transport;

struct MidiPortInfo {
    unsigned index = 0;
    std::string name;
    std::string api; // "jack" or "alsa"
    bool isInput = false;
};

// "jack" when a JACK server seems to be running (JACK_DEFAULT_SERVER or "default"), else "alsa".
std::string preferredMidiApi();

// Input and output ports of every API RtMidi was built with that works here; `notes` collects
// one line per API that could not be used (no JACK server, no ALSA sequencer). Control thread.
std::vector<MidiPortInfo> listMidiPorts(std::vector<std::string>* notes = nullptr);

// Timing of a MIDI sender: how late each message left against its due time.
struct SendStats {
    std::uint64_t sent = 0;
    std::uint64_t lateOver1ms = 0;
    double meanLateUs = 0, p50LateUs = 0, p99LateUs = 0, maxLateUs = 0;
    bool realtimePriority = false; // the sender got SCHED_FIFO
};

// A MIDI output port with its own sender thread. The thread plays a Transport (if given) in
// 1 ms windows, sleeping until each message is due, and sends thru messages pushed by an input.
// The sender never locks, allocates, logs or throws; on close it ends every sounding note and
// sends all-notes-off on all 16 channels.
class MidiPortOutput final : public MidiThru {
public:
    MidiPortOutput();
    ~MidiPortOutput(); // close()
    MidiPortOutput(const MidiPortOutput&) = delete;
    MidiPortOutput& operator=(const MidiPortOutput&) = delete;

    // Opens a port by index ("2"), exact name or unique substring; api "" = preferredMidiApi().
    // Control thread. On failure `error` says why and lists nothing was opened.
    bool open(const std::string& nameOrIndex, std::string& error, const std::string& api = "");
    // A virtual port other programs connect to (JACK or ALSA).
    bool openVirtual(const std::string& portName, std::string& error, const std::string& api = "");
    // Starts the sender thread, playing `transport` (null: thru only). Control thread; the
    // transport must outlive close().
    bool start(Transport* transport, std::string& error);
    // Stops the sender thread (silencing notes) and lets go of the transport; the port stays
    // open. Control thread; waits for the sender to finish its current millisecond.
    void stopSending();
    // stopSending(), then closes the port (for JACK a round trip to the server: a GUI hands a
    // stopped port to a worker to close). Control thread.
    void close();

    bool isOpen() const;
    std::string api() const;
    std::string portName() const;
    // Full JACK/ALSA name of our own port, for connecting other clients to it.
    std::string clientName() const { return m_clientName; }

    // Thru: queues a message to go out within about a millisecond. One producer thread (the
    // MIDI input callback); false when the queue is full.
    bool pushThru(const MidiMessage& m) override;

    // Control thread, after close() (or as a racy estimate while running).
    SendStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::string m_clientName;
};

// One timestamped message from an input port.
struct InputEvent {
    std::int64_t timeNs = 0; // steady-clock nanoseconds when it arrived
    MidiMessage message;
};

// A MIDI input port. Its callback (RtMidi's thread) timestamps each channel message and hands it
// to a preallocated ring without locking or allocating, and forwards it to a thru output if set.
class MidiPortInput {
public:
    MidiPortInput();
    ~MidiPortInput();
    MidiPortInput(const MidiPortInput&) = delete;
    MidiPortInput& operator=(const MidiPortInput&) = delete;

    bool open(const std::string& nameOrIndex, std::string& error, const std::string& api = "");
    bool openVirtual(const std::string& portName, std::string& error, const std::string& api = "");
    void close();
    bool isOpen() const;
    std::string api() const;
    std::string portName() const;

    // Messages also go to `thru` (a MIDI output or the live synth) so a player hears themself;
    // null stops it. Control thread; `thru` must outlive close() or a later setThru(nullptr).
    void setThru(MidiThru* thru);

    // Takes the next event; false when none. One consumer thread (the recorder's).
    bool pop(InputEvent& event);
    // Events lost because the ring was full (the consumer fell behind).
    std::uint64_t dropped() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace torchestra::playback
