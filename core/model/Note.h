#pragma once

#include <cstdint>
#include <string>

namespace torchestra::model {

// Positions in a song are musical ticks (PPQ-relative); seconds only appear through the TempoMap.
using Tick = std::int64_t;
using NoteId = std::uint64_t;
using TrackId = std::uint64_t;

constexpr NoteId kNoNote = 0;
constexpr TrackId kNoTrack = 0;

// A note as the song holds it. Small value type; `id` is stable for the note's whole life in a
// song (and across undo/redo), so commands and views refer to notes by id, never by pointer.
struct Note {
    NoteId id = kNoNote;
    Tick start = 0;
    Tick length = 0;
    std::uint8_t pitch = 60;           // 0..127
    std::uint8_t velocity = 100;       // 1..127 (a note-on with velocity 0 is a note-off)
    std::uint8_t releaseVelocity = 64; // note-off velocity, kept so export loses nothing
    std::uint8_t channel = 0;          // 0..15; usually the track's channel

    Tick end() const { return start + length; }
};

// Equal in everything but id.
inline bool sameContent(const Note& a, const Note& b) {
    return a.start == b.start && a.length == b.length && a.pitch == b.pitch &&
           a.velocity == b.velocity && a.releaseVelocity == b.releaseVelocity &&
           a.channel == b.channel;
}

inline bool operator==(const Note& a, const Note& b) {
    return a.id == b.id && sameContent(a, b);
}
inline bool operator!=(const Note& a, const Note& b) {
    return !(a == b);
}

// Channel voice messages other than notes: controllers, program changes, aftertouch, pitch bend.
// `status` is the full status byte (type in the high nibble, channel in the low one).
struct ChannelEvent {
    Tick tick = 0;
    std::uint8_t status = 0xB0;
    std::uint8_t data1 = 0;
    std::uint8_t data2 = 0; // unused for program change and channel aftertouch

    std::uint8_t type() const { return status & 0xF0; }
    std::uint8_t channel() const { return status & 0x0F; }
    bool operator==(const ChannelEvent& o) const {
        return tick == o.tick && status == o.status && data1 == o.data1 && data2 == o.data2;
    }
};

// Meta events the song keeps verbatim: text, copyright, markers, lyrics, cue points, instrument
// and device names, sequencer-specific data, SMPTE offset, port and channel prefix. Tempo, time
// and key signatures live in the TempoMap; the track name in Track::name; End of Track is implied.
struct MetaEvent {
    Tick tick = 0;
    std::uint8_t type = 0x01;
    std::string data;

    bool operator==(const MetaEvent& o) const {
        return tick == o.tick && type == o.type && data == o.data;
    }
};

namespace meta {
constexpr std::uint8_t kSequenceNumber = 0x00;
constexpr std::uint8_t kText = 0x01;
constexpr std::uint8_t kCopyright = 0x02;
constexpr std::uint8_t kTrackName = 0x03;
constexpr std::uint8_t kInstrumentName = 0x04;
constexpr std::uint8_t kLyric = 0x05;
constexpr std::uint8_t kMarker = 0x06;
constexpr std::uint8_t kCuePoint = 0x07;
constexpr std::uint8_t kChannelPrefix = 0x20;
constexpr std::uint8_t kPort = 0x21;
constexpr std::uint8_t kEndOfTrack = 0x2F;
constexpr std::uint8_t kTempo = 0x51;
constexpr std::uint8_t kSmpteOffset = 0x54;
constexpr std::uint8_t kTimeSignature = 0x58;
constexpr std::uint8_t kKeySignature = 0x59;
constexpr std::uint8_t kSequencerSpecific = 0x7F;
} // namespace meta

// A system-exclusive message. `escaped` is true for an F7 ("escape") event, whose bytes are sent
// as they are; false for an F0 event, whose data follows the F0 (and usually ends with F7).
struct SysExEvent {
    Tick tick = 0;
    bool escaped = false;
    std::string data;

    bool operator==(const SysExEvent& o) const {
        return tick == o.tick && escaped == o.escaped && data == o.data;
    }
};

} // namespace torchestra::model
