// Standard MIDI File writer.
//
// The goal is that readMidi(writeMidi(song)) gives back the same song (everything but ids). The
// reader derives a few things from the order of events, so the writer orders them on purpose:
//  * At one tick: note-offs of notes with length > 0 first (a note ending where the next one
//    starts must not swallow it), then tempo/metre/key, metas, SysEx and channel events, then
//    note-ons, then the note-offs of zero-length notes. Note-ons of one (channel, pitch) at one
//    tick go shortest first and note-offs of one tick oldest first, so first-in first-out pairing
//    gives every note its own length back. (Nested same-pitch notes on one channel, A containing
//    B, cannot be told apart from overlapping ones in MIDI; they come back as overlapping.)
//  * The track name goes first at tick 0, and so does the program change when
//    TrackProperties::program is set: the reader takes the program only from a program change
//    that is the very first channel message of the track at tick 0.
//  * The reader takes TrackProperties::channel from the first channel message. When the first
//    channel event is on another channel (or is a tick-0 program change the reader would take as
//    the program), the note-ons of that first tick go before the other events.
// Deltas above 0x0FFFFFFF (the longest a 4-byte varlen holds) are clamped: a gap of more than
// 268 million ticks has no encoding.

#include "midi/MidiFile.h"

#include "base/AtomicFile.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace torchestra::midi {

namespace {

using model::Tick;

enum class Kind : std::uint8_t {
    Name,
    Program,
    Tempo,
    TimeSig,
    KeySig,
    Meta,
    SysEx,
    Channel,
    NoteOn,
    NoteOff
};

// Where an event sorts within its tick.
enum Phase : std::uint8_t {
    kFirst = 0,    // name, program
    kOffs = 1,     // note-offs of notes with length > 0
    kEarlyOns = 2, // note-ons, when they must lead the first tick (see file comment)
    kEvents = 3,   // everything that is not a note
    kOns = 4,      // note-ons
    kZeroOffs = 5  // note-offs of zero-length notes
};

struct Item {
    Tick tick;
    std::int64_t k1;
    std::int64_t k2;
    std::uint32_t index;
    std::uint16_t track;
    Phase phase;
    Kind kind;
};

bool itemLess(const Item& a, const Item& b) {
    if (a.tick != b.tick)
        return a.tick < b.tick;
    if (a.phase != b.phase)
        return a.phase < b.phase;
    if (a.k1 != b.k1)
        return a.k1 < b.k1;
    if (a.k2 != b.k2)
        return a.k2 < b.k2;
    if (a.track != b.track)
        return a.track < b.track;
    return a.index < b.index;
}

class Encoder {
public:
    explicit Encoder(std::string& out, bool runningStatus)
        : m_out(out), m_useRunningStatus(runningStatus) {}

    void beginTrack() {
        m_out.append("MTrk\0\0\0\0", 8);
        m_lengthAt = m_out.size() - 4;
        m_tick = 0;
        m_running = 0;
    }
    void endTrack(Tick endTick) {
        delta(endTick);
        m_out.append("\xFF\x2F\x00", 3);
        const std::size_t len = m_out.size() - m_lengthAt - 4;
        for (int i = 0; i < 4; ++i)
            m_out[m_lengthAt + std::size_t(i)] = char((len >> (24 - 8 * i)) & 0xFF);
    }

    void channel(Tick tick, std::uint8_t status, std::uint8_t d1, std::uint8_t d2) {
        delta(tick);
        if (!m_useRunningStatus || status != m_running)
            m_out.push_back(char(status));
        m_running = status;
        m_out.push_back(char(d1 & 0x7F));
        const std::uint8_t type = status & 0xF0;
        if (type != 0xC0 && type != 0xD0)
            m_out.push_back(char(d2 & 0x7F));
    }
    void meta(Tick tick, std::uint8_t type, std::string_view data) {
        delta(tick);
        m_out.push_back(char(0xFF));
        m_out.push_back(char(type));
        varLen(std::uint32_t(std::min<std::size_t>(data.size(), 0x0FFFFFFF)));
        m_out.append(data.substr(0, 0x0FFFFFFF));
        m_running = 0; // meta events cancel running status
    }
    void sysEx(Tick tick, bool escaped, std::string_view data) {
        delta(tick);
        m_out.push_back(char(escaped ? 0xF7 : 0xF0));
        varLen(std::uint32_t(std::min<std::size_t>(data.size(), 0x0FFFFFFF)));
        m_out.append(data.substr(0, 0x0FFFFFFF));
        m_running = 0;
    }

private:
    void delta(Tick tick) {
        tick = std::max(tick, m_tick);
        varLen(std::uint32_t(std::min<Tick>(tick - m_tick, 0x0FFFFFFF)));
        m_tick = tick;
    }
    void varLen(std::uint32_t v) {
        char buf[4];
        int n = 0;
        buf[3] = char(v & 0x7F);
        n = 1;
        while ((v >>= 7) != 0) {
            buf[3 - n] = char(0x80 | (v & 0x7F));
            ++n;
        }
        m_out.append(buf + 4 - n, std::size_t(n));
    }

    std::string& m_out;
    bool m_useRunningStatus;
    std::size_t m_lengthAt = 0;
    Tick m_tick = 0;
    std::uint8_t m_running = 0;
};

// Channel events the writer can put in a file: notes live in Track's notes, so note on/off
// statuses here would break the pairing of real notes, and F0-FF are not channel messages.
bool writableChannelEvent(const model::ChannelEvent& e) {
    return e.status >= 0xA0 && e.status < 0xF0;
}

// Insertion sort, linear on nearly sorted input (the usual case here); input with too many
// inversions falls back to std::sort. Keys are unique, so the result is the same either way.
void sortItems(std::vector<Item>& v) {
    std::size_t budget = 4 * v.size() + 64;
    for (std::size_t i = 1; i < v.size(); ++i) {
        if (!itemLess(v[i], v[i - 1]))
            continue;
        const Item x = v[i];
        std::size_t j = i;
        while (j > 0 && itemLess(x, v[j - 1])) {
            if (budget-- == 0) {
                v[j] = x;
                std::sort(v.begin(), v.end(), itemLess);
                return;
            }
            v[j] = v[j - 1];
            --j;
        }
        v[j] = x;
    }
}

class SongWriter {
public:
    SongWriter(const model::Song& song, const WriteOptions& options)
        : m_song(song), m_options(options) {}

    std::string write() {
        const auto& tracks = m_song.tracks();
        const bool format0 = m_options.format == 0;
        const std::size_t chunks = format0 ? 1 : tracks.size();
        std::size_t notes = 0;
        for (const auto& t : tracks)
            notes += t.noteCount();
        m_out.reserve(64 + notes * 8 + tracks.size() * 64);

        m_out.append("MThd\0\0\0\6", 8);
        put16(format0 ? 0 : 1);
        put16(std::uint16_t(std::min<std::size_t>(chunks, 0xFFFF)));
        put16(std::uint16_t(std::clamp(m_song.ppq(), 1, 0x7FFF)));

        Encoder enc(m_out, m_options.runningStatus);
        if (format0) {
            clearItems();
            for (std::size_t i = 0; i < tracks.size() && i < 0xFFFF; ++i)
                collect(tracks[i], i, format0);
            Tick endOfTrack = 0;
            for (const auto& t : tracks)
                endOfTrack = std::max(endOfTrack, t.endOfTrack);
            if (tracks.empty())
                collectTempoMap();
            emit(enc, tracks, endOfTrack);
        } else {
            for (std::size_t i = 0; i < chunks && i < 0xFFFF; ++i) {
                clearItems();
                collect(tracks[i], i, format0);
                emit(enc, tracks, tracks[i].endOfTrack);
            }
        }
        return std::move(m_out);
    }

private:
    void clearItems() {
        m_items.clear();
        m_ons.clear();
        m_offs.clear();
    }
    void put16(std::uint16_t v) {
        m_out.push_back(char(v >> 8));
        m_out.push_back(char(v & 0xFF));
    }
    void add(Tick tick, Phase phase, Kind kind, std::size_t track, std::size_t index,
             std::int64_t k1 = 0, std::int64_t k2 = 0) {
        std::vector<Item>& to = kind == Kind::NoteOn    ? m_ons
                                : kind == Kind::NoteOff ? m_offs
                                                        : m_items;
        to.push_back({std::max<Tick>(tick, 0), k1, k2, std::uint32_t(index), std::uint16_t(track),
                      phase, kind});
    }

    void collectTempoMap() {
        const auto& map = m_song.tempoMap();
        std::int64_t seq = 0;
        for (std::size_t i = 0; i < map.tempos().size(); ++i)
            add(map.tempos()[i].tick, kEvents, Kind::Tempo, 0, i, seq++);
        for (std::size_t i = 0; i < map.timeSignatures().size(); ++i)
            add(map.timeSignatures()[i].tick, kEvents, Kind::TimeSig, 0, i, seq++);
        for (std::size_t i = 0; i < map.keySignatures().size(); ++i)
            add(map.keySignatures()[i].tick, kEvents, Kind::KeySig, 0, i, seq++);
    }

    void collect(const model::Track& t, std::size_t ti, bool format0) {
        if (ti == 0)
            collectTempoMap();
        const auto& p = t.properties;
        // Write the name when there is one, or when a later tick-0 name event would otherwise be
        // taken as the name on reading.
        bool nameAtZero = !p.name.empty();
        for (const auto& m : t.metaEvents)
            nameAtZero = nameAtZero || (m.tick == 0 && m.type == model::meta::kTrackName);
        if (nameAtZero && (!format0 || ti == 0))
            add(0, kFirst, Kind::Name, ti, 0, 0);
        if (p.program)
            add(0, kFirst, Kind::Program, ti, 0, 1);

        std::int64_t seq = std::int64_t(1) << 40; // after the tempo map's events in a tick
        for (std::size_t i = 0; i < t.metaEvents.size(); ++i)
            if (t.metaEvents[i].type != model::meta::kEndOfTrack)
                add(t.metaEvents[i].tick, kEvents, Kind::Meta, ti, i, seq++);
        for (std::size_t i = 0; i < t.sysExEvents.size(); ++i)
            add(t.sysExEvents[i].tick, kEvents, Kind::SysEx, ti, i, seq++);
        for (std::size_t i = 0; i < t.channelEvents.size(); ++i)
            if (writableChannelEvent(t.channelEvents[i]))
                add(t.channelEvents[i].tick, kEvents, Kind::Channel, ti, i, seq++);

        const Phase firstTickOns = !format0 || m_song.trackCount() == 1 ? leadingOnsPhase(t) : kOns;
        Tick firstTick = std::numeric_limits<Tick>::max();
        if (!t.notes().empty())
            firstTick = std::max<Tick>(0, t.notes().front().start);
        const auto& notes = t.notes();
        for (std::size_t i = 0; i < notes.size(); ++i) {
            const model::Note& n = notes[i];
            const Tick start = std::max<Tick>(0, n.start);
            const Tick end = std::max(start, n.end());
            // Note-ons: the track's own channel first (it may have to lead), then by channel,
            // pitch and length so same-pitch notes of one tick end in the order they start.
            const std::int64_t key = std::int64_t((n.channel & 0x0F) != p.channel) << 11 |
                                     (n.channel & 0x0F) << 7 | (n.pitch & 0x7F);
            // Keys are content, not model order, so that writing what was read gives the same
            // bytes (ids, and with them the order of equal notes, change on reading).
            add(start, start == firstTick ? firstTickOns : kOns, Kind::NoteOn, ti, i, key,
                end - start);
            if (end > start)
                add(end, kOffs, Kind::NoteOff, ti, i, start, key);
            else
                add(end, kZeroOffs, Kind::NoteOff, ti, i, key);
        }
    }

    // Whether the note-ons of the track's first tick must go before its other events, so that
    // the reader sees the track's channel first and takes no program the track does not have.
    Phase leadingOnsPhase(const model::Track& t) const {
        const auto& p = t.properties;
        if (p.program || t.notes().empty())
            return kOns;
        const model::ChannelEvent* first = nullptr;
        for (const auto& e : t.channelEvents)
            if (writableChannelEvent(e)) {
                first = &e;
                break;
            }
        const Tick noteTick = std::max<Tick>(0, t.notes().front().start);
        if (!first || std::max<Tick>(0, first->tick) > noteTick)
            return kOns; // the notes come first anyway
        if (std::max<Tick>(0, first->tick) < noteTick)
            return kOns; // nothing to choose
        const bool eventLeads =
            first->channel() == p.channel && !(first->type() == 0xC0 && first->tick <= 0);
        return eventLeads ? kOns : kEarlyOns;
    }

    // Puts the collected items of a chunk into m_items in file order.
    void mergeItems() {
        // Three streams, each close to sorted as collected (events and note-ons in tick order,
        // note-offs in start order), sorted on their own and merged: far cheaper than sorting
        // everything at once.
        sortItems(m_items);
        sortItems(m_ons);
        sortItems(m_offs);
        const std::size_t a = m_items.size();
        const std::size_t b = a + m_ons.size();
        m_items.insert(m_items.end(), m_ons.begin(), m_ons.end());
        m_items.insert(m_items.end(), m_offs.begin(), m_offs.end());
        std::inplace_merge(m_items.begin(), m_items.begin() + std::ptrdiff_t(a),
                           m_items.begin() + std::ptrdiff_t(b), itemLess);
        std::inplace_merge(m_items.begin(), m_items.begin() + std::ptrdiff_t(b), m_items.end(),
                           itemLess);
    }

    // A tempo, time signature or key signature item, from the song's tempo map.
    void emitTempoMapItem(Encoder& enc, const Item& it) {
        const auto& map = m_song.tempoMap();
        switch (it.kind) {
        case Kind::Tempo: {
            const std::int32_t us = std::clamp(map.tempos()[it.index].usPerQuarter, 1, 0xFFFFFF);
            const char d[3] = {char(us >> 16), char((us >> 8) & 0xFF), char(us & 0xFF)};
            enc.meta(it.tick, model::meta::kTempo, std::string_view(d, 3));
            break;
        }
        case Kind::TimeSig: {
            const auto& ts = map.timeSignatures()[it.index];
            int power = 0;
            while (power < 30 && (1 << power) < ts.denominator)
                ++power;
            const char d[4] = {char(ts.numerator), char(power), char(ts.clocksPerClick),
                               char(ts.thirtySecondsPerQuarter)};
            enc.meta(it.tick, model::meta::kTimeSignature, std::string_view(d, 4));
            break;
        }
        case Kind::KeySig: {
            const auto& ks = map.keySignatures()[it.index];
            const char d[2] = {char(std::int8_t(ks.sharps)), char(ks.minor ? 1 : 0)};
            enc.meta(it.tick, model::meta::kKeySignature, std::string_view(d, 2));
            break;
        }
        default:
            break;
        }
    }

    void emit(Encoder& enc, const std::vector<model::Track>& tracks, Tick endOfTrack) {
        mergeItems();
        enc.beginTrack();
        Tick last = 0;
        for (const Item& it : m_items) {
            last = std::max(last, it.tick);
            switch (it.kind) {
            case Kind::Name: {
                const auto& t = tracks[it.track];
                enc.meta(0, model::meta::kTrackName, t.properties.name);
                break;
            }
            case Kind::Program: {
                const auto& p = tracks[it.track].properties;
                enc.channel(0, std::uint8_t(0xC0 | (p.channel & 0x0F)), *p.program, 0);
                break;
            }
            case Kind::Tempo:
            case Kind::TimeSig:
            case Kind::KeySig:
                emitTempoMapItem(enc, it);
                break;
            case Kind::Meta: {
                const auto& m = tracks[it.track].metaEvents[it.index];
                enc.meta(it.tick, m.type, m.data);
                break;
            }
            case Kind::SysEx: {
                const auto& s = tracks[it.track].sysExEvents[it.index];
                enc.sysEx(it.tick, s.escaped, s.data);
                break;
            }
            case Kind::Channel: {
                const auto& e = tracks[it.track].channelEvents[it.index];
                enc.channel(it.tick, e.status, e.data1, e.data2);
                break;
            }
            case Kind::NoteOn: {
                const auto& n = tracks[it.track].notes()[it.index];
                // Velocity 0 would be a note-off.
                const auto velocity = std::uint8_t(std::max(1, n.velocity & 0x7F));
                enc.channel(it.tick, std::uint8_t(0x90 | (n.channel & 0x0F)), n.pitch, velocity);
                break;
            }
            case Kind::NoteOff: {
                const auto& n = tracks[it.track].notes()[it.index];
                const auto ch = std::uint8_t(n.channel & 0x0F);
                // A note-on with velocity 0 reads back as release velocity 64 and lets running
                // status cover the note-offs too: about a third smaller files.
                if (m_options.runningStatus && n.releaseVelocity == 64)
                    enc.channel(it.tick, std::uint8_t(0x90 | ch), n.pitch, 0);
                else
                    enc.channel(it.tick, std::uint8_t(0x80 | ch), n.pitch, n.releaseVelocity);
                break;
            }
            }
        }
        enc.endTrack(std::max(last, endOfTrack));
    }

    const model::Song& m_song;
    WriteOptions m_options;
    std::string m_out;
    std::vector<Item> m_items; // everything but notes, then (after sorting) all of a chunk
    std::vector<Item> m_ons;
    std::vector<Item> m_offs;
};

} // namespace

std::string writeMidi(const model::Song& song, const WriteOptions& options) {
    return SongWriter(song, options).write();
}

std::string writeMidiFile(const std::string& path, const model::Song& song,
                          const WriteOptions& options) {
    return base::writeFileAtomically(path, writeMidi(song, options));
}

} // namespace torchestra::midi
