// Standard MIDI File reader.
//
// Policy (also in docs/midi-reading.md): what can be read sensibly loads, with warnings a user
// sees; what cannot gives ReadResult{ok = false} and an error that starts with the byte offset.
// Every length field is checked against the bytes that remain before anything is allocated or
// read, so a file claiming 4 GB costs nothing. The parser works on a string_view with plain
// inline byte access: reading must stay far faster than the JavaScript peer (see bench/).
//
// Rules the code follows, in the order a file is met:
//  * "RIFF" <len> "RMID" wraps an SMF in its "data" chunk; offsets stay those of the whole file.
//  * "MThd" must be at byte 0 (after the RIFF header); a header cut short is an error.
//  * Format 0 and 1 as usual; format 2 reads each pattern as a track (warning); other formats
//    read as format 1 (warning).
//  * SMPTE division: ppq = fps * ticksPerFrame with a quarter lasting exactly 1 s (tempo
//    1,000,000 us); for -29 (29.97 drop frame) ppq = 30 * ticksPerFrame with tempo 1,001,000 us.
//    The file's own tempo events are then ignored (warning), since they would change timing the
//    division already fixes.
//  * At most 65535 track chunks are read (what a header can declare); the rest are ignored
//    (warning).
//  * Unknown chunks are skipped (warning). Bytes that are not a plausible chunk where one should
//    start end the file (warning).
//  * An MTrk length past the end of the file is clamped (warning). A length that ends the chunk
//    before its End of Track, where the bytes at the declared end are not a plausible chunk id,
//    is taken as a lie: parsing continues until End of Track or end of file (warning). A length
//    that runs past End of Track while an "MTrk" follows End of Track directly is also a lie.
//  * Running status: meta and SysEx events cancel it (as the spec says), but real files disagree,
//    so a data byte where a status byte belongs continues the last channel status if there was
//    one (warning, once per track). A data byte with no status ever seen is an error.
//  * Data bytes >= 0x80 where a data byte belongs are masked to 7 bits (warning).
//  * Notes pair per (channel, pitch) first-in first-out. Note-on velocity 0 is a note-off with
//    release velocity 64. A note-off with no open note is dropped (warning). Notes left open end
//    at End of Track (or the track's last event) (warning).
//  * Truncation: if the header is complete and at least one MTrk chunk header was read,
//    everything before the cut loads (warning); otherwise it is an error.
//  * Delta times and lengths are at most 4 bytes long; a longer one is an error.
//  * System common and real-time bytes (F1-F6, F8-FE) do not belong in a file; they are skipped
//    with their standard data length (warning).
//  * Track name: the first FF 03 at tick 0. Track channel: that of the first channel message
//    (kept events and note-ons; dropped note-offs do not count). Track program: a program change
//    at tick 0 that is the track's very first channel message (else it stays an event). Tempo,
//    time and key signatures from any track go to the tempo map; other metas and SysEx verbatim.
//  * Warnings are capped per kind (kMaxWarningsPerKind), then summarised as "... and N more".

#include "midi/MidiFile.h"

#include "base/AtomicFile.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace torchestra::midi {

namespace {

using model::Tick;

constexpr int kMaxWarningsPerKind = 20;
// The header's track count is 16 bits; more chunks than that cannot be written back.
constexpr int kMaxTracks = 0xFFFF;

enum class Warn {
    Format,
    Header,
    Smpte,
    Chunk,
    TrackCount,
    Length,
    EndOfTrack,
    Truncated,
    RunningStatus,
    DataByte,
    OrphanNoteOff,
    OpenNotes,
    BadMeta,
    SystemByte,
    Count
};

constexpr const char* kWarnSummary[] = {
    "format warnings",          "header warnings",
    "SMPTE warnings",           "chunk warnings",
    "track count warnings",     "chunk length warnings",
    "End of Track warnings",    "truncation warnings",
    "running status warnings",  "data bytes with the top bit set",
    "note-offs without a note", "notes never switched off",
    "invalid meta events",      "system messages inside a track",
};
static_assert(sizeof(kWarnSummary) / sizeof(kWarnSummary[0]) == std::size_t(Warn::Count));

std::string hex2(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
    return buf;
}

std::string describeBytes(std::string_view bytes, std::size_t at, std::size_t n) {
    std::string s;
    for (std::size_t i = at; i < bytes.size() && i < at + n; ++i) {
        if (!s.empty())
            s += ' ';
        s += hex2(std::uint8_t(bytes[i]));
    }
    return s.empty() ? "end of file" : s;
}

bool isPlausibleChunkId(std::string_view bytes, std::size_t at) {
    if (at + 4 > bytes.size())
        return false;
    for (std::size_t i = 0; i < 4; ++i) {
        const auto c = std::uint8_t(bytes[at + i]);
        const bool alnum =
            (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!(alnum || (i > 0 && c == ' ')))
            return false;
        if (i == 0 && !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    }
    return true;
}

// Thrown inside the parser only; readMidi() turns it into ReadResult::error. Exceptions keep
// the hot path free of error plumbing, and a file has at most one fatal error.
struct ParseError {
    std::size_t offset;
    std::string message;
};

class Parser {
public:
    Parser(std::string_view bytes, ReadResult& result) : m_bytes(bytes), m_result(result) {
        m_open.head.fill(-1);
        m_open.tail.fill(-1);
    }

    void run();

private:
    // Warnings ----------------------------------------------------------------------------
    void warn(Warn kind, std::string message) {
        int& n = m_warnCounts[std::size_t(kind)];
        if (++n <= kMaxWarningsPerKind)
            m_result.warnings.push_back(std::move(message));
    }
    void finishWarnings() {
        for (std::size_t k = 0; k < std::size_t(Warn::Count); ++k) {
            const int extra = m_warnCounts[k] - kMaxWarningsPerKind;
            if (extra > 0)
                m_result.warnings.push_back("... and " + std::to_string(extra) + " more " +
                                            kWarnSummary[k]);
        }
    }
    [[noreturn]] void fail(std::size_t offset, std::string message) {
        throw ParseError{offset, "byte " + std::to_string(offset) + ": " + std::move(message)};
    }

    // Bytes -------------------------------------------------------------------------------
    std::uint8_t at(std::size_t i) const { return std::uint8_t(m_bytes[i]); }
    std::uint32_t be32(std::size_t i) const {
        return std::uint32_t(at(i)) << 24 | std::uint32_t(at(i + 1)) << 16 |
               std::uint32_t(at(i + 2)) << 8 | at(i + 3);
    }
    std::uint32_t le32(std::size_t i) const {
        return std::uint32_t(at(i + 3)) << 24 | std::uint32_t(at(i + 2)) << 16 |
               std::uint32_t(at(i + 1)) << 8 | at(i);
    }
    std::uint16_t be16(std::size_t i) const { return std::uint16_t(at(i) << 8 | at(i + 1)); }

    // Container ---------------------------------------------------------------------------
    void unwrapRiff();
    void readHeader();
    void readChunks();

    // Tracks ------------------------------------------------------------------------------
    struct Truncated {}; // thrown when an event runs into the end of the file

    void readTrack(std::size_t chunkStart, std::size_t declaredEnd, bool lengthTrusted);
    std::uint32_t readVarLen(std::size_t& pos, std::size_t end, const char* what);
    void handleMeta(std::uint8_t type, std::size_t dataPos, std::uint32_t len, Tick tick,
                    std::size_t eventPos);
    void noteOn(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity, Tick tick);
    void noteOff(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity, Tick tick,
                 std::size_t eventPos);
    void closeOpenNotes(Tick endTick);
    void sortNotes();
    void noteChannel(std::uint8_t channel) {
        if (m_firstChannel < 0)
            m_firstChannel = channel;
    }

    std::string_view m_bytes;
    ReadResult& m_result;
    std::array<int, std::size_t(Warn::Count)> m_warnCounts{};

    // The SMF inside the input (all of it, or the RIFF "data" chunk).
    std::size_t m_smfStart = 0;
    std::size_t m_end = 0;
    std::size_t m_chunksStart = 0;

    int m_declaredTracks = 0;
    model::TempoMap m_tempoMap;
    int m_smpteTempo = 0; // > 0: SMPTE division, tempo events ignored

    // Per track state, reset by readTrack().
    int m_trackIndex = 0;
    model::Track m_track;
    std::vector<model::Note> m_notes;
    bool m_haveName = false;
    int m_firstChannel = -1;
    std::size_t m_orphanOffs = 0;
    std::size_t m_firstOrphanOffset = 0;
    bool m_anyTrackChunk = false;
    std::size_t m_nextChunk = 0; // where readTrack() says the next chunk starts
    bool m_warnedSmpteTempo = false;
    bool m_stop = false; // the file ended (truncated): read no more chunks

    // Open notes per (channel, pitch), FIFO as singly linked lists threaded through m_next
    // (parallel to m_notes): O(1) push and pop with no allocation per key.
    struct OpenNotes {
        std::array<std::int32_t, 16 * 128> head;
        std::array<std::int32_t, 16 * 128> tail;
    } m_open;
    std::vector<std::int32_t> m_next;
    std::vector<std::uint16_t> m_openKeys; // keys whose list went from empty to non-empty
    std::size_t m_openCount = 0;
};

void Parser::run() {
    if (m_bytes.empty())
        fail(0, "empty file (0 bytes): not a Standard MIDI File (expected 'MThd' at byte 0)");
    m_end = m_bytes.size();
    if (m_bytes.size() >= 4 && m_bytes.substr(0, 4) == "RIFF")
        unwrapRiff();
    readHeader();
    readChunks();
    finishWarnings();
}

void Parser::unwrapRiff() {
    // "RIFF" <size LE> "RMID", then sub-chunks <id> <size LE> <data> padded to even length.
    if (m_bytes.size() < 12)
        fail(m_bytes.size(), "file ends inside the RIFF header (needs 12 bytes, has " +
                                 std::to_string(m_bytes.size()) + ")");
    if (m_bytes.substr(8, 4) != "RMID")
        fail(8, "a RIFF file but not RIFF MIDI (expected 'RMID', found " +
                    describeBytes(m_bytes, 8, 4) + ")");
    std::size_t pos = 12;
    while (pos + 8 <= m_bytes.size()) {
        const std::uint32_t len = le32(pos + 4);
        const std::size_t dataStart = pos + 8;
        const std::size_t available = m_bytes.size() - dataStart;
        if (m_bytes.substr(pos, 4) == "data") {
            std::size_t size = len;
            if (size > available) {
                warn(Warn::Length, "RIFF 'data' chunk at byte " + std::to_string(pos) + " claims " +
                                       std::to_string(len) + " bytes but only " +
                                       std::to_string(available) + " remain; reading those");
                size = available;
            }
            m_smfStart = dataStart;
            m_end = dataStart + size;
            return;
        }
        if (len >= available)
            break;
        pos = dataStart + len + (len & 1);
    }
    fail(12, "RIFF MIDI file without a 'data' chunk");
}

void Parser::readHeader() {
    const std::size_t h = m_smfStart;
    const std::size_t size = m_end - h;
    static constexpr char kMagic[] = "MThd";
    const std::size_t cmp = std::min<std::size_t>(size, 4);
    if (m_bytes.substr(h, cmp) != std::string_view(kMagic, cmp)) {
        fail(h, std::string("not a Standard MIDI File (expected 'MThd' at byte ") +
                    std::to_string(h) + ", found " + describeBytes(m_bytes, h, 4) + ")");
    }
    if (size < 14)
        fail(m_end, "file ends inside the header chunk (it needs 14 bytes, the file has " +
                        std::to_string(size) + ")");
    const std::uint32_t headerLen = be32(h + 4);
    if (headerLen < 6)
        fail(h + 4, "header chunk length " + std::to_string(headerLen) +
                        " is too short (expected at least 6)");
    std::size_t chunks = h + 8 + std::size_t(headerLen);
    if (headerLen > size - 8) {
        warn(Warn::Header, "header chunk claims " + std::to_string(headerLen) +
                               " bytes, past the end of the file; using its first 6");
        chunks = h + 14;
    } else if (headerLen > 6) {
        // Longer headers are allowed by the spec for future extensions; skip the rest.
        warn(Warn::Header, "header chunk is " + std::to_string(headerLen) + " bytes long; the " +
                               std::to_string(headerLen - 6) +
                               " bytes after the first 6 are ignored");
    }
    m_chunksStart = chunks;

    int format = be16(h + 8);
    m_declaredTracks = be16(h + 10);
    const std::uint16_t division = be16(h + 12);
    if (format == 2) {
        warn(Warn::Format, "format 2 file (independent patterns): each pattern is read as a track "
                           "starting at tick 0");
    } else if (format > 2) {
        warn(Warn::Format, "unknown format " + std::to_string(format) + " (byte " +
                               std::to_string(h + 8) + "); reading it as format 1");
        format = 1;
    }
    if (format == 0 && m_declaredTracks != 1)
        warn(Warn::TrackCount,
             "format 0 file declares " + std::to_string(m_declaredTracks) + " tracks (expected 1)");
    m_result.format = format;

    int ppq = 0;
    if (division & 0x8000) {
        const int fps = -int(std::int8_t(division >> 8));
        const int ticksPerFrame = division & 0xFF;
        if (fps != 24 && fps != 25 && fps != 29 && fps != 30)
            fail(h + 12, "unknown SMPTE frame rate " + std::to_string(fps) +
                             " (expected 24, 25, 29 or 30 frames per second)");
        if (ticksPerFrame == 0)
            fail(h + 13, "SMPTE division with 0 ticks per frame");
        // A quarter of exactly 1 s (1.001 s for 29.97 fps) makes the conversion exact.
        ppq = (fps == 29 ? 30 : fps) * ticksPerFrame;
        m_smpteTempo = fps == 29 ? 1001000 : 1000000;
        m_result.smpte = true;
    } else {
        ppq = division;
        if (ppq == 0) {
            warn(Warn::Header, "division is 0 ticks per quarter (byte " + std::to_string(h + 12) +
                                   "); assuming 480");
            ppq = 480;
        }
    }
    m_result.ppq = ppq;
    m_tempoMap = model::TempoMap(ppq);
    if (m_smpteTempo > 0)
        m_tempoMap.setTempo(0, m_smpteTempo);
}

void Parser::readChunks() {
    std::size_t pos = m_chunksStart;
    int tracksRead = 0;
    while (pos < m_end && !m_stop) {
        const std::size_t remaining = m_end - pos;
        if (remaining < 8) {
            if (m_bytes.substr(pos, std::min<std::size_t>(remaining, 4)) ==
                std::string_view("MTrk").substr(0, std::min<std::size_t>(remaining, 4))) {
                warn(Warn::Truncated, "file ends inside a track chunk header at byte " +
                                          std::to_string(pos) + "; that track is missing");
            } else {
                warn(Warn::Chunk, std::to_string(remaining) + " bytes after the last chunk (byte " +
                                      std::to_string(pos) + ") ignored");
            }
            break;
        }
        const std::string_view id = m_bytes.substr(pos, 4);
        const std::uint32_t len = be32(pos + 4);
        const std::size_t dataStart = pos + 8;
        std::size_t declaredEnd = dataStart + len;
        const bool clamped = len > m_end - dataStart;
        if (clamped)
            declaredEnd = m_end;
        if (id == "MTrk" && tracksRead == kMaxTracks) {
            warn(Warn::TrackCount, "more than " + std::to_string(kMaxTracks) +
                                       " track chunks (a header can declare no more); the rest "
                                       "from byte " +
                                       std::to_string(pos) + " on are ignored");
            break;
        }
        if (id == "MTrk") {
            m_anyTrackChunk = true;
            if (clamped)
                warn(Warn::Length, "track " + std::to_string(tracksRead) + " (byte " +
                                       std::to_string(pos) + ") claims " + std::to_string(len) +
                                       " bytes but only " + std::to_string(m_end - dataStart) +
                                       " remain; reading to the end of the file");
            m_trackIndex = tracksRead;
            readTrack(dataStart, declaredEnd, !clamped);
            ++tracksRead;
            pos = m_nextChunk;
        } else if (isPlausibleChunkId(m_bytes, pos)) {
            warn(Warn::Chunk, "unknown chunk '" + std::string(id) + "' at byte " +
                                  std::to_string(pos) + " skipped");
            pos = declaredEnd;
        } else {
            warn(Warn::Chunk, std::to_string(remaining) + " bytes at byte " + std::to_string(pos) +
                                  " are not a chunk (found " + describeBytes(m_bytes, pos, 4) +
                                  "); ignored");
            break;
        }
    }
    if (!m_anyTrackChunk && m_declaredTracks > 0)
        fail(std::min(pos, m_end), "no track chunk found (expected 'MTrk' at byte " +
                                       std::to_string(m_chunksStart) + ", found " +
                                       describeBytes(m_bytes, m_chunksStart, 4) + ")");
    if (tracksRead != m_declaredTracks)
        warn(Warn::TrackCount, "the header declares " + std::to_string(m_declaredTracks) +
                                   " tracks but the file has " + std::to_string(tracksRead));
    m_result.song.setTempoMap(m_tempoMap);
}

std::uint32_t Parser::readVarLen(std::size_t& pos, std::size_t end, const char* what) {
    const std::size_t start = pos;
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        if (pos >= end)
            throw Truncated{};
        const std::uint8_t b = at(pos++);
        value = (value << 7) | (b & 0x7Fu);
        if (!(b & 0x80))
            return value;
    }
    fail(start,
         std::string(what) + " is longer than 4 bytes (" + describeBytes(m_bytes, start, 5) + ")");
}

void Parser::noteOn(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity, Tick tick) {
    noteChannel(channel);
    const auto index = std::int32_t(m_notes.size());
    model::Note n;
    n.start = tick;
    n.pitch = pitch;
    n.velocity = velocity;
    n.channel = channel;
    m_notes.push_back(n);
    m_next.push_back(-1);
    const std::size_t key = std::size_t(channel) * 128 + pitch;
    if (m_open.tail[key] >= 0) {
        m_next[std::size_t(m_open.tail[key])] = index;
    } else {
        m_open.head[key] = index;
        m_openKeys.push_back(std::uint16_t(key));
    }
    m_open.tail[key] = index;
    ++m_openCount;
}

void Parser::noteOff(std::uint8_t channel, std::uint8_t pitch, std::uint8_t velocity, Tick tick,
                     std::size_t eventPos) {
    const std::size_t key = std::size_t(channel) * 128 + pitch;
    const std::int32_t index = m_open.head[key];
    if (index < 0) {
        if (m_orphanOffs++ == 0)
            m_firstOrphanOffset = eventPos;
        return;
    }
    m_open.head[key] = m_next[std::size_t(index)];
    if (m_open.head[key] < 0)
        m_open.tail[key] = -1;
    model::Note& n = m_notes[std::size_t(index)];
    n.length = tick - n.start;
    n.releaseVelocity = velocity;
    --m_openCount;
}

void Parser::closeOpenNotes(Tick endTick) {
    if (m_openCount == 0) {
        m_openKeys.clear();
        return;
    }
    // Only keys that ever had a note open: a file of many tiny tracks must not cost 2048
    // steps per track.
    for (const std::uint16_t key : m_openKeys) {
        for (std::int32_t i = m_open.head[key]; i >= 0; i = m_next[std::size_t(i)]) {
            model::Note& n = m_notes[std::size_t(i)];
            n.length = std::max<Tick>(0, endTick - n.start);
        }
        m_open.head[key] = m_open.tail[key] = -1;
    }
    m_openKeys.clear();
    warn(Warn::OpenNotes, "track " + std::to_string(m_trackIndex) + ": " +
                              std::to_string(m_openCount) +
                              " notes never switched off; they end at the track's end (tick " +
                              std::to_string(endTick) + ")");
    m_openCount = 0;
}

void Parser::handleMeta(std::uint8_t type, std::size_t dataPos, std::uint32_t len, Tick tick,
                        std::size_t eventPos) {
    const std::string_view data = m_bytes.substr(dataPos, len);
    auto invalid = [&](const char* what, const char* expected) {
        warn(Warn::BadMeta, "track " + std::to_string(m_trackIndex) + ": " + what + " at byte " +
                                std::to_string(eventPos) + " has " + std::to_string(len) +
                                " data bytes (expected " + expected + "); skipped");
    };
    auto u8 = [&](std::size_t i) { return std::uint8_t(data[i]); };
    switch (type) {
    case model::meta::kTrackName:
        if (tick == 0 && !m_haveName) {
            m_haveName = true;
            m_track.properties.name = std::string(data);
            return;
        }
        break;
    case model::meta::kTempo: {
        if (len != 3)
            return invalid("tempo event", "3");
        if (m_smpteTempo > 0) {
            if (!m_warnedSmpteTempo)
                warn(Warn::Smpte, "the file uses SMPTE time; its tempo events are ignored (first "
                                  "at byte " +
                                      std::to_string(eventPos) + ")");
            m_warnedSmpteTempo = true;
            return;
        }
        const auto us = std::int32_t(u8(0) << 16 | u8(1) << 8 | u8(2));
        if (us == 0) {
            warn(Warn::BadMeta, "track " + std::to_string(m_trackIndex) +
                                    ": tempo of 0 us per quarter at byte " +
                                    std::to_string(eventPos) + "; skipped");
            return;
        }
        m_tempoMap.setTempo(tick, us);
        return;
    }
    case model::meta::kTimeSignature: {
        if (len != 4)
            return invalid("time signature", "4");
        const int power = u8(1);
        // A beat must last at least one tick, or bar arithmetic divides by zero.
        if (u8(0) == 0 || power > 30 ||
            (std::int64_t(1) << power) > 4 * std::int64_t(m_result.ppq)) {
            warn(Warn::BadMeta, "track " + std::to_string(m_trackIndex) + ": time signature " +
                                    std::to_string(u8(0)) + "/2^" + std::to_string(power) +
                                    " at byte " + std::to_string(eventPos) +
                                    " cannot be used at this resolution; skipped");
            return;
        }
        model::TimeSignature ts;
        ts.tick = tick;
        ts.numerator = u8(0);
        ts.denominator = 1 << power;
        ts.clocksPerClick = u8(2);
        ts.thirtySecondsPerQuarter = u8(3);
        m_tempoMap.setTimeSignature(ts);
        return;
    }
    case model::meta::kKeySignature: {
        if (len != 2)
            return invalid("key signature", "2");
        const int sharps = std::int8_t(u8(0));
        if (sharps < -7 || sharps > 7 || u8(1) > 1) {
            warn(Warn::BadMeta, "track " + std::to_string(m_trackIndex) + ": key signature " +
                                    std::to_string(sharps) + "/" + std::to_string(u8(1)) +
                                    " at byte " + std::to_string(eventPos) +
                                    " is out of range; skipped");
            return;
        }
        model::KeySignature ks;
        ks.tick = tick;
        ks.sharps = sharps;
        ks.minor = u8(1) == 1;
        m_tempoMap.setKeySignature(ks);
        return;
    }
    default:
        break;
    }
    m_track.metaEvents.push_back({tick, type, std::string(data)});
}

void Parser::sortNotes() {
    // Notes come in note-on order, so only notes starting at one tick can be out of the model's
    // (start, pitch) order: an insertion sort fixes that in about linear time, and the model's
    // own sort then meets sorted input. A pathological file falls back to a stable sort.
    auto less = [](const model::Note& a, const model::Note& b) {
        return a.start < b.start || (a.start == b.start && a.pitch < b.pitch);
    };
    std::size_t budget = 8 * m_notes.size() + 64;
    for (std::size_t i = 1; i < m_notes.size(); ++i) {
        if (!less(m_notes[i], m_notes[i - 1]))
            continue;
        const model::Note n = m_notes[i];
        std::size_t j = i;
        while (j > 0 && less(n, m_notes[j - 1]) && budget > 0) {
            m_notes[j] = m_notes[j - 1];
            --j;
            --budget;
        }
        m_notes[j] = n;
        if (budget == 0) {
            std::stable_sort(m_notes.begin(), m_notes.end(), less);
            return;
        }
    }
}

void Parser::readTrack(std::size_t start, std::size_t declaredEnd, bool lengthTrusted) {
    m_track = model::Track();
    m_notes.clear();
    m_next.clear();
    m_haveName = false;
    m_firstChannel = -1;
    m_orphanOffs = 0;
    m_openCount = 0;
    const std::string trackName = "track " + std::to_string(m_trackIndex);

    // Trust the declared end when a chunk (or the end of the file) follows it; otherwise the
    // length may lie short and events are read on until End of Track.
    const bool trustEnd = declaredEnd == m_end || isPlausibleChunkId(m_bytes, declaredEnd);
    const std::size_t limit = trustEnd ? declaredEnd : m_end;
    // A note takes at least 6 bytes (two 3-byte events with running status): this bounds the
    // reservation by the input size whatever the file says, and a note vector never regrows.
    // Only a length that was not clamped is worth trusting this far: a file of many chunks that
    // all claim to run to its end must not reserve the whole file for each of them.
    if (lengthTrusted) {
        const std::size_t trackBytes = declaredEnd - start;
        m_notes.reserve(trackBytes / 6);
        m_next.reserve(trackBytes / 6);
    }

    Tick tick = 0;
    Tick lastTick = 0;
    std::uint8_t running = 0;
    std::uint8_t lastChannelStatus = 0;
    bool warnedRunning = false;
    bool warnedOverrun = false;
    bool warnedDataByte = false;
    bool sawEnd = false;
    bool truncated = false;
    std::size_t pos = start;
    std::size_t eventPos = start;

    try {
        while (pos < limit) {
            if (pos >= declaredEnd && !warnedOverrun) {
                warnedOverrun = true;
                warn(Warn::Length, trackName + ": its chunk length says it ends at byte " +
                                       std::to_string(declaredEnd) +
                                       " but no End of Track came by then and no chunk follows; "
                                       "reading on until End of Track");
            }
            eventPos = pos;
            // Fast path for the common one-byte delta.
            std::uint32_t delta;
            if (at(pos) < 0x80)
                delta = at(pos++);
            else
                delta = readVarLen(pos, limit, "delta time");
            tick += delta;
            if (pos >= limit)
                throw Truncated{};

            std::uint8_t status = at(pos);
            if (status < 0x80) {
                if (running) {
                    status = running;
                } else if (lastChannelStatus) {
                    // Meta and SysEx events cancel running status, but many writers assume
                    // they do not: continue the last channel status (see file comment).
                    status = running = lastChannelStatus;
                    if (!warnedRunning)
                        warn(Warn::RunningStatus,
                             trackName +
                                 ": running status continues after a meta or SysEx "
                                 "event (first at byte " +
                                 std::to_string(pos) + ")");
                    warnedRunning = true;
                } else {
                    fail(pos, "expected a status byte, found data byte " + hex2(status) + " in " +
                                  trackName + " with no running status to continue");
                }
            } else {
                ++pos;
            }

            if (status < 0xF0) {
                running = lastChannelStatus = status;
                const std::uint8_t type = status & 0xF0;
                const auto channel = std::uint8_t(status & 0x0F);
                const bool two = type != 0xC0 && type != 0xD0;
                if (pos + (two ? 2 : 1) > limit)
                    throw Truncated{};
                std::uint8_t d1 = at(pos);
                std::uint8_t d2 = two ? at(pos + 1) : 0;
                pos += two ? 2 : 1;
                if ((d1 | d2) & 0x80) {
                    const std::size_t bad = pos - (two ? 2 : 1) + ((d1 & 0x80) ? 0 : 1);
                    if (!warnedDataByte)
                        warn(Warn::DataByte, trackName + ": data byte " + hex2(at(bad)) +
                                                 " at byte " + std::to_string(bad) +
                                                 " masked to 7 bits (first of this track)");
                    warnedDataByte = true;
                    d1 &= 0x7F;
                    d2 &= 0x7F;
                }
                if (type == 0x90) {
                    if (d2 != 0)
                        noteOn(channel, d1, d2, tick);
                    else
                        noteOff(channel, d1, 64, tick, eventPos);
                } else if (type == 0x80) {
                    noteOff(channel, d1, d2, tick, eventPos);
                } else if (type == 0xC0 && tick == 0 && m_firstChannel < 0) {
                    // The track's program: lossless only when it is the very first channel
                    // message, since the writer puts it back first at tick 0.
                    m_track.properties.program = d1;
                    noteChannel(channel);
                } else {
                    noteChannel(channel);
                    m_track.channelEvents.push_back({tick, status, d1, d2});
                }
            } else if (status == 0xFF) {
                running = 0;
                if (pos >= limit)
                    throw Truncated{};
                const std::uint8_t type = at(pos++);
                const std::uint32_t len = readVarLen(pos, limit, "meta event length");
                if (len > limit - pos)
                    throw Truncated{};
                if (type == model::meta::kEndOfTrack) {
                    pos += len;
                    sawEnd = true;
                    lastTick = tick;
                    break;
                }
                handleMeta(type, pos, len, tick, eventPos);
                pos += len;
            } else if (status == 0xF0 || status == 0xF7) {
                running = 0;
                const std::uint32_t len = readVarLen(pos, limit, "SysEx length");
                if (len > limit - pos)
                    throw Truncated{};
                m_track.sysExEvents.push_back(
                    {tick, status == 0xF7, std::string(m_bytes.substr(pos, len))});
                pos += len;
            } else {
                // System common and real-time messages have no place in a file; skip them with
                // their usual data length so what follows still parses.
                const std::size_t n = status == 0xF2                       ? 2
                                      : (status == 0xF1 || status == 0xF3) ? 1
                                                                           : 0;
                if (status <= 0xF6)
                    running = 0;
                if (n > limit - pos)
                    throw Truncated{};
                warn(Warn::SystemByte, trackName + ": system message " + hex2(status) +
                                           " at byte " + std::to_string(eventPos) +
                                           " does not belong in a MIDI file; skipped");
                pos += n;
            }
            lastTick = tick;
        }
    } catch (const Truncated&) {
        truncated = true;
        if (limit == m_end) {
            warn(Warn::Truncated, trackName +
                                      " is cut off: the file ends inside the event at byte " +
                                      std::to_string(eventPos) + "; what came before is kept");
            m_stop = true;
        } else {
            warn(Warn::Truncated, trackName + ": the event at byte " + std::to_string(eventPos) +
                                      " runs past the chunk's end at byte " +
                                      std::to_string(declaredEnd) + "; the track ends there");
        }
    }

    if (sawEnd) {
        if (pos < declaredEnd) {
            if (declaredEnd - pos >= 8 && m_bytes.substr(pos, 4) == "MTrk") {
                warn(Warn::Length, trackName +
                                       ": its chunk length runs past End of Track into "
                                       "the next track chunk at byte " +
                                       std::to_string(pos) + "; the length is ignored");
                m_nextChunk = pos;
            } else {
                warn(Warn::EndOfTrack, trackName + ": " + std::to_string(declaredEnd - pos) +
                                           " bytes after End of Track (byte " +
                                           std::to_string(pos) + ") ignored");
                m_nextChunk = declaredEnd;
            }
        } else {
            m_nextChunk = pos;
        }
    } else {
        if (!truncated)
            warn(Warn::EndOfTrack, trackName + " has no End of Track (chunk ends at byte " +
                                       std::to_string(limit) + ")");
        m_nextChunk = std::max(declaredEnd, std::min(pos, limit));
        if (pos >= m_end)
            m_stop = true;
    }
    m_track.endOfTrack = lastTick;
    if (m_firstChannel >= 0)
        m_track.properties.channel = std::uint8_t(m_firstChannel);

    closeOpenNotes(lastTick);
    if (m_orphanOffs > 0)
        warn(Warn::OrphanNoteOff, trackName + ": " + std::to_string(m_orphanOffs) +
                                      " note-offs without a sounding note ignored (first at byte " +
                                      std::to_string(m_firstOrphanOffset) + ")");

    sortNotes();
    m_result.song.addTrack(std::move(m_track), std::move(m_notes));
    m_notes = {};
}

} // namespace

ReadResult readMidi(std::string_view bytes) {
    ReadResult result;
    try {
        Parser parser(bytes, result);
        parser.run();
        result.ok = true;
    } catch (const ParseError& e) {
        result = ReadResult();
        result.ok = false;
        result.error = e.message;
        result.errorOffset = e.offset;
    } catch (const std::exception& e) {
        // Only allocation failure can get here; report it rather than crash.
        result = ReadResult();
        result.ok = false;
        result.error = "byte 0: cannot read the file: " + std::string(e.what());
    }
    return result;
}

ReadResult readMidiFile(const std::string& path) {
    std::string bytes;
    const std::string error = base::readWholeFile(path, bytes);
    if (!error.empty()) {
        // The caller names the file; keep only what went wrong.
        ReadResult result;
        const std::string prefix = path + ": ";
        result.error =
            error.compare(0, prefix.size(), prefix) == 0 ? error.substr(prefix.size()) : error;
        return result;
    }
    return readMidi(bytes);
}

} // namespace torchestra::midi
