#pragma once

// Random songs for round-trip property tests: everything a MIDI file can hold, in the shapes the
// reader's rules can give back exactly.
//
// What the generator avoids, and why:
//  * Nested same-pitch notes on one channel (A starts before B and ends after it). MIDI pairs
//    note-ons and note-offs of one (channel, pitch) first-in first-out, so the file for "A holds
//    while B sounds inside it" is byte for byte the file for two overlapping notes; no reader can
//    tell them apart. (Notes starting together may end in any order: the writer puts the one that
//    ends first first.)
//  * Track properties MIDI files do not hold (muted, solo, colour) keep their defaults.
//  * The track's channel is the channel of the first channel message in the file. Tracks without
//    a program get a note on their channel at their first tick, so that message exists; a track
//    with no channel message at all reads back as channel 0, so such tracks use channel 0.
//  * Tempo, time and key signature metas live in the tempo map, never in Track::metaEvents.

#include "model/Song.h"

#include <algorithm>
#include <random>
#include <vector>

namespace randomsong {

using namespace torchestra::model;

inline int uniform(std::mt19937& rng, int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
}
inline bool chance(std::mt19937& rng, double p) {
    return std::bernoulli_distribution(p)(rng);
}

inline std::string randomBytes(std::mt19937& rng, int maxLen) {
    // Mostly short, sometimes long enough for a multi-byte length.
    const int len = chance(rng, 0.05) ? uniform(rng, 128, 400) : uniform(rng, 0, maxLen);
    std::string s(std::size_t(len), '\0');
    for (char& c : s)
        c = char(uniform(rng, 0, 255));
    return s;
}

inline Tick randomTick(std::mt19937& rng, Tick span) {
    if (chance(rng, 0.02))
        return Tick(uniform(rng, 0, 1 << 27)); // multi-byte deltas
    return Tick(uniform(rng, 0, int(span)));
}

inline bool nests(const Note& a, const Note& b) {
    return (a.start < b.start && a.end() > b.end()) || (b.start < a.start && b.end() > a.end());
}

inline bool fits(const std::vector<Note>& notes, const Note& n) {
    for (const Note& o : notes)
        if (o.channel == n.channel && o.pitch == n.pitch && nests(o, n))
            return false;
    return true;
}

inline TempoMap randomTempoMap(std::mt19937& rng, int ppq, Tick span) {
    TempoMap map(ppq);
    for (int i = uniform(rng, 0, 5); i > 0; --i)
        map.setTempo(randomTick(rng, span), uniform(rng, 1, 0xFFFFFF));
    for (int i = uniform(rng, 0, 3); i > 0; --i) {
        TimeSignature ts;
        ts.tick = randomTick(rng, span);
        ts.numerator = uniform(rng, 1, 255);
        ts.denominator = 1 << uniform(rng, 0, 5);
        ts.clocksPerClick = uniform(rng, 0, 255);
        ts.thirtySecondsPerQuarter = uniform(rng, 0, 255);
        map.setTimeSignature(ts);
    }
    for (int i = uniform(rng, 0, 3); i > 0; --i) {
        KeySignature ks;
        ks.tick = randomTick(rng, span);
        ks.sharps = uniform(rng, -7, 7);
        ks.minor = chance(rng, 0.5);
        map.setKeySignature(ks);
    }
    return map;
}

// Mostly the track's own channel.
inline std::uint8_t someChannel(std::mt19937& rng, std::uint8_t channel) {
    return chance(rng, 0.7) ? channel : std::uint8_t(uniform(rng, 0, 15));
}

// Channel, meta and SysEx events, each list in tick order.
inline void addRandomEvents(std::mt19937& rng, Track& t, std::uint8_t channel, Tick span) {
    static const std::uint8_t kMetaTypes[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                              0x09, 0x0A, 0x0F, 0x20, 0x21, 0x54, 0x60, 0x7F};
    static const std::uint8_t kTypes[] = {0xA0, 0xB0, 0xC0, 0xD0, 0xE0};
    for (int i = uniform(rng, 0, 40); i > 0; --i) {
        ChannelEvent e;
        e.tick = randomTick(rng, span);
        e.status = std::uint8_t(kTypes[uniform(rng, 0, 4)] | someChannel(rng, channel));
        e.data1 = std::uint8_t(uniform(rng, 0, 127));
        const bool one = e.type() == 0xC0 || e.type() == 0xD0;
        e.data2 = one ? 0 : std::uint8_t(uniform(rng, 0, 127));
        t.channelEvents.push_back(e);
    }
    for (int i = uniform(rng, 0, 8); i > 0; --i) {
        MetaEvent m;
        m.tick = chance(rng, 0.2) ? 0 : randomTick(rng, span);
        m.type = kMetaTypes[uniform(rng, 0, int(sizeof kMetaTypes) - 1)];
        m.data = randomBytes(rng, 20);
        t.metaEvents.push_back(m);
    }
    for (int i = uniform(rng, 0, 4); i > 0; --i) {
        SysExEvent s;
        s.tick = randomTick(rng, span);
        s.escaped = chance(rng, 0.4);
        s.data = randomBytes(rng, 16);
        t.sysExEvents.push_back(s);
    }
    auto byTick = [](const auto& a, const auto& b) { return a.tick < b.tick; };
    std::stable_sort(t.channelEvents.begin(), t.channelEvents.end(), byTick);
    std::stable_sort(t.metaEvents.begin(), t.metaEvents.end(), byTick);
    std::stable_sort(t.sysExEvents.begin(), t.sysExEvents.end(), byTick);
}

inline std::vector<Note> randomNotes(std::mt19937& rng, std::uint8_t channel, int ppq, Tick span) {
    std::vector<Note> notes;
    const int noteCount = chance(rng, 0.1) ? 0 : uniform(rng, 1, 150);
    for (int tries = 0; int(notes.size()) < noteCount && tries < noteCount * 4; ++tries) {
        Note n;
        n.channel = someChannel(rng, channel);
        // A few pitches so that same-pitch overlaps and ties are common.
        n.pitch = std::uint8_t(chance(rng, 0.6) ? uniform(rng, 60, 63) : uniform(rng, 0, 127));
        n.start =
            chance(rng, 0.3) ? Tick(uniform(rng, 0, 8)) * (ppq / 4 + 1) : randomTick(rng, span);
        n.length = chance(rng, 0.1) ? 0 : Tick(uniform(rng, 1, ppq * 2));
        n.velocity = std::uint8_t(uniform(rng, 1, 127));
        n.releaseVelocity = std::uint8_t(chance(rng, 0.5) ? 64 : uniform(rng, 0, 127));
        if (fits(notes, n))
            notes.push_back(n);
    }
    return notes;
}

// The track's channel must be what the reader sees first (see the file comment): a track
// without a program gets a note on its channel at its first tick, or channel 0 if it has no
// channel message at all.
inline void leadWithTrackChannel(Track& t, std::vector<Note>& notes, std::uint8_t channel) {
    Tick first = -1;
    for (const Note& n : notes)
        first = first < 0 ? n.start : std::min(first, n.start);
    if (!t.channelEvents.empty())
        first = first < 0 ? t.channelEvents.front().tick
                          : std::min(first, t.channelEvents.front().tick);
    if (first < 0) {
        if (!t.properties.program)
            t.properties.channel = 0;
    } else if (!t.properties.program) {
        Note lead;
        lead.channel = channel;
        lead.start = first;
        lead.length = 1;
        lead.velocity = 99;
        for (int p = 0; p < 128; ++p) {
            lead.pitch = std::uint8_t(p);
            if (fits(notes, lead)) {
                notes.push_back(lead);
                break;
            }
        }
    }
}

// The last tick of anything the track holds (with the tempo map for the first track, which
// the writer puts it in).
inline Tick lastTick(const Track& t, const std::vector<Note>& notes, const TempoMap* map) {
    Tick end = 0;
    for (const Note& n : notes)
        end = std::max(end, n.end());
    for (const auto& e : t.channelEvents)
        end = std::max(end, e.tick);
    for (const auto& e : t.metaEvents)
        end = std::max(end, e.tick);
    for (const auto& e : t.sysExEvents)
        end = std::max(end, e.tick);
    if (map) {
        for (const auto& e : map->tempos())
            end = std::max(end, e.tick);
        for (const auto& e : map->timeSignatures())
            end = std::max(end, e.tick);
        for (const auto& e : map->keySignatures())
            end = std::max(end, e.tick);
    }
    return end;
}

// Every helper above draws from rng in a fixed order: a seed always gives the same song.
inline Song randomSong(std::mt19937& rng) {
    static const int kPpqs[] = {24, 96, 120, 384, 480, 960, 1000, 7650, 32767};
    const int ppq = kPpqs[uniform(rng, 0, 8)];
    const Tick span = Tick(uniform(rng, 1, 8)) * ppq * 4;
    Song song;
    const TempoMap map = randomTempoMap(rng, ppq, span);
    song.setTempoMap(map);

    const int trackCount = uniform(rng, 1, 6);
    for (int ti = 0; ti < trackCount; ++ti) {
        Track t;
        const auto channel = std::uint8_t(uniform(rng, 0, 15));
        t.properties.channel = channel;
        if (chance(rng, 0.6))
            t.properties.name =
                chance(rng, 0.1) ? randomBytes(rng, 30) : "Track " + std::to_string(ti);
        if (chance(rng, 0.5))
            t.properties.program = std::uint8_t(uniform(rng, 0, 127));
        addRandomEvents(rng, t, channel, span);
        std::vector<Note> notes = randomNotes(rng, channel, ppq, span);
        leadWithTrackChannel(t, notes, channel);
        const Tick end = lastTick(t, notes, ti == 0 ? &map : nullptr);
        t.endOfTrack = end + (chance(rng, 0.5) ? 0 : uniform(rng, 1, 1000));

        const TrackId id = song.addTrack(t);
        if (!notes.empty())
            song.addNotes(id, notes);
    }
    return song;
}

} // namespace randomsong
