#pragma once

#include "model/Note.h"

#include <cstdint>
#include <string>
#include <vector>

namespace torchestra::model {

struct TempoChange {
    Tick tick = 0;
    std::int32_t usPerQuarter = 500000;
    bool operator==(const TempoChange& o) const {
        return tick == o.tick && usPerQuarter == o.usPerQuarter;
    }
};

struct TimeSignature {
    Tick tick = 0;
    int numerator = 4;
    int denominator = 4;     // a power of two
    int clocksPerClick = 24; // kept verbatim from the file
    int thirtySecondsPerQuarter = 8;
    bool operator==(const TimeSignature& o) const {
        return tick == o.tick && numerator == o.numerator && denominator == o.denominator &&
               clocksPerClick == o.clocksPerClick &&
               thirtySecondsPerQuarter == o.thirtySecondsPerQuarter;
    }
};

struct KeySignature {
    Tick tick = 0;
    int sharps = 0; // -7 (7 flats) .. 7 (7 sharps)
    bool minor = false;
    bool operator==(const KeySignature& o) const {
        return tick == o.tick && sharps == o.sharps && minor == o.minor;
    }
};

// A position in bars and beats, all zero-based (bar 0, beat 0, tick 0 is the song's start);
// format it one-based for people with toString().
struct BarBeatTick {
    std::int64_t bar = 0;
    int beat = 0;
    Tick tick = 0;
    bool operator==(const BarBeatTick& o) const {
        return bar == o.bar && beat == o.beat && tick == o.tick;
    }
    std::string toString() const; // "1:1:000" for the song's start
};

// The song's conductor: resolution, tempo changes, time and key signatures, and the exact
// conversions between ticks, seconds and bars/beats that follow from them.
//
// Rules (those of the Standard MIDI File): before the first tempo change the tempo is 120 BPM
// (500000 us per quarter); before the first time signature the metre is 4/4. A time signature
// change starts a new bar at its tick, even where the previous bar was not complete.
// Conversions are exact: seconds are computed from integer microseconds x PPQ sums and divided
// once at the end.
class TempoMap {
public:
    explicit TempoMap(int ppq = 480);

    int ppq() const { return m_ppq; }
    void setPpq(int ppq); // does not rescale events; for readers and new songs

    const std::vector<TempoChange>& tempos() const { return m_tempos; }
    const std::vector<TimeSignature>& timeSignatures() const { return m_timeSignatures; }
    const std::vector<KeySignature>& keySignatures() const { return m_keySignatures; }

    // Insert or replace the change at the same tick; lists stay sorted by tick.
    void setTempo(Tick tick, std::int32_t usPerQuarter);
    void setTimeSignature(const TimeSignature& ts);
    void setKeySignature(const KeySignature& ks);
    bool removeTempo(Tick tick);
    bool removeTimeSignature(Tick tick);
    bool removeKeySignature(Tick tick);
    void clear();

    std::int32_t usPerQuarterAt(Tick tick) const;
    double bpmAt(Tick tick) const { return 60'000'000.0 / usPerQuarterAt(tick); }
    TimeSignature timeSignatureAt(Tick tick) const;
    KeySignature keySignatureAt(Tick tick) const;

    // Microseconds x PPQ from tick 0 to `tick`: an exact integer (ticks before 0 count as 0).
    std::int64_t microsTimesPpq(Tick tick) const;
    double tickToSeconds(Tick tick) const;
    // The (fractional) tick at a time in seconds, and the nearest whole tick.
    double secondsToTickExact(double seconds) const;
    Tick secondsToTick(double seconds) const;

    Tick ticksPerBeat(const TimeSignature& ts) const { return Tick(m_ppq) * 4 / ts.denominator; }
    Tick ticksPerBar(const TimeSignature& ts) const { return ticksPerBeat(ts) * ts.numerator; }

    BarBeatTick tickToBarBeatTick(Tick tick) const;
    Tick barBeatTickToTick(const BarBeatTick& pos) const;
    Tick barToTick(std::int64_t bar) const { return barBeatTickToTick({bar, 0, 0}); }
    std::int64_t barAtTick(Tick tick) const { return tickToBarBeatTick(tick).bar; }

    bool operator==(const TempoMap& o) const {
        return m_ppq == o.m_ppq && m_tempos == o.m_tempos &&
               m_timeSignatures == o.m_timeSignatures && m_keySignatures == o.m_keySignatures;
    }
    bool operator!=(const TempoMap& o) const { return !(*this == o); }

private:
    int m_ppq;
    std::vector<TempoChange> m_tempos;
    std::vector<TimeSignature> m_timeSignatures;
    std::vector<KeySignature> m_keySignatures;
};

} // namespace torchestra::model
