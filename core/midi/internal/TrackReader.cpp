#include "midi/internal/TrackReader.h"

#include "midi/internal/SmfBytes.h"

#include <algorithm>
#include <utility>

namespace torchestra::midi {

TrackReader::TrackReader(std::string_view bytes, std::size_t fileEnd, model::Song& song,
                         ReadWarnings& warnings, TempoMetaReader& tempo)
    : m_bytes(bytes), m_end(fileEnd), m_song(song), m_warnings(warnings), m_tempo(tempo) {}

void TrackReader::read(int index, std::size_t start, std::size_t declaredEnd, bool lengthTrusted) {
    begin(index, start, declaredEnd, lengthTrusted);
    try {
        readEvents();
        readOnAfterEndOfTrack();
    } catch (const Truncated&) {
        m_truncated = true;
        warnTruncated();
    }
    findNextChunk();
    finish();
}

namespace {

// Whether the bytes from `pos` parse, strictly, as events up to an End of Track or exactly up
// to `end`: each status byte written out (running status only right after a channel message),
// data bytes under 0x80, no system messages, every length inside. Padding and junk after a
// premature End of Track fail this; a writer's events that went on after one pass.
bool parsesAsEvents(std::string_view bytes, std::size_t pos, std::size_t end) {
    auto varLen = [&](std::uint32_t& value) {
        value = 0;
        for (int i = 0; i < 4 && pos < end; ++i) {
            const std::uint8_t b = byteAt(bytes, pos++);
            value = (value << 7) | (b & 0x7Fu);
            if (!(b & 0x80))
                return true;
        }
        return false;
    };
    std::uint8_t running = 0;
    while (pos < end) {
        std::uint32_t value = 0;
        if (!varLen(value) || pos >= end)
            return false;
        std::uint8_t status = byteAt(bytes, pos);
        if (status >= 0x80)
            ++pos;
        else if (running)
            status = running;
        else
            return false;
        if (status < 0xF0) {
            const std::size_t n = (status & 0xE0) == 0xC0 ? 1 : 2; // Cn and Dn have one
            if (n > end - pos)
                return false;
            for (std::size_t i = 0; i < n; ++i)
                if (byteAt(bytes, pos + i) >= 0x80)
                    return false;
            pos += n;
            running = status;
            continue;
        }
        running = 0;
        if (status != 0xFF && status != 0xF0 && status != 0xF7)
            return false;
        const bool meta = status == 0xFF;
        const std::uint8_t type = meta && pos < end ? byteAt(bytes, pos++) : 0;
        if (type >= 0x80 || !varLen(value) || value > end - pos)
            return false;
        pos += value;
        if (meta && type == model::meta::kEndOfTrack)
            return true;
    }
    return true;
}

} // namespace

void TrackReader::begin(int index, std::size_t start, std::size_t declaredEnd, bool lengthTrusted) {
    m_index = index;
    m_name = "track " + std::to_string(index);
    m_track = model::Track();
    m_haveName = false;
    m_firstChannel = -1;
    m_declaredEnd = declaredEnd;
    // Trust the declared end when a chunk (or the end of the file) follows it; otherwise the
    // length may lie short and events are read on until End of Track.
    const bool trustEnd = declaredEnd == m_end || isPlausibleChunkId(m_bytes, declaredEnd);
    m_limit = trustEnd ? declaredEnd : m_end;
    // A note takes at least 6 bytes (two 3-byte events with running status): this bounds the
    // reservation by the input size whatever the file says, and a note vector never regrows.
    // Only a length that was not clamped is worth trusting this far: a file of many chunks that
    // all claim to run to its end must not reserve the whole file for each of them.
    m_notes.begin(lengthTrusted ? (declaredEnd - start) / 6 : 0);
    m_pos = m_eventPos = start;
    m_tick = m_lastTick = 0;
    m_running = m_lastChannelStatus = 0;
    m_warnedRunning = m_warnedOverrun = m_warnedDataByte = false;
    m_sawEnd = m_truncated = false;
}

// The status byte at m_pos (consumed), or the running status when a data byte stands there.
// Inline: it runs for nearly every event of a file.
inline std::uint8_t TrackReader::readStatus() {
    const std::uint8_t status = at(m_pos);
    if (status >= 0x80) {
        ++m_pos;
        return status;
    }
    return m_running ? m_running : continueRunningStatus(status);
}

std::uint8_t TrackReader::continueRunningStatus(std::uint8_t dataByte) {
    if (!m_lastChannelStatus)
        fail(m_pos, "expected a status byte, found data byte " + hex2(dataByte) + " in " + m_name +
                        " with no running status to continue");
    // Meta and SysEx events cancel running status, but many writers assume they do not:
    // continue the last channel status (see MidiReader.cpp).
    m_running = m_lastChannelStatus;
    if (!m_warnedRunning)
        m_warnings.warn(Warn::RunningStatus, m_name +
                                                 ": running status continues after a meta or SysEx "
                                                 "event (first at byte " +
                                                 std::to_string(m_pos) + ")");
    m_warnedRunning = true;
    return m_running;
}

// The hot loop: channel messages (nearly every event of a file) are handled here rather than in
// a function of their own, which would cost a call per event; rarer events go out of line.
void TrackReader::readEvents() {
    while (m_pos < m_limit) {
        if (m_pos >= m_declaredEnd && !m_warnedOverrun)
            warnOverrun();
        m_eventPos = m_pos;
        // Fast path for the common one-byte delta.
        if (at(m_pos) < 0x80)
            m_tick += at(m_pos++);
        else
            m_tick += readVarLen("delta time");
        if (m_pos >= m_limit)
            throw Truncated{};

        const std::uint8_t status = readStatus();
        if (status >= 0xF0) {
            if (!otherEvent(status))
                return; // End of Track
            m_lastTick = m_tick;
            continue;
        }
        m_running = m_lastChannelStatus = status;
        const std::uint8_t type = status & 0xF0;
        const auto channel = std::uint8_t(status & 0x0F);
        const bool two = type != 0xC0 && type != 0xD0;
        if (m_pos + (two ? 2 : 1) > m_limit)
            throw Truncated{};
        std::uint8_t d1 = at(m_pos);
        std::uint8_t d2 = two ? at(m_pos + 1) : 0;
        m_pos += two ? 2 : 1;
        if ((d1 | d2) & 0x80) {
            if (!m_warnedDataByte)
                warnDataByte(m_pos - (two ? 2 : 1) + ((d1 & 0x80) ? 0 : 1));
            m_warnedDataByte = true;
            // Clipped, not masked: velocity 0xE0 masked would be 96, clipped 127, the nearer
            // to what the writer meant and what other readers play.
            d1 = std::min<std::uint8_t>(d1, 0x7F);
            d2 = std::min<std::uint8_t>(d2, 0x7F);
        }
        if (type == 0x90 && d2 != 0) {
            noteChannel(channel);
            m_notes.noteOn(channel, d1, d2, m_tick);
        } else if (type == 0x90) {
            m_notes.noteOff(channel, d1, 64, m_tick, m_eventPos);
        } else if (type == 0x80) {
            m_notes.noteOff(channel, d1, d2, m_tick, m_eventPos);
        } else if (type == 0xC0 && m_tick == 0 && m_firstChannel < 0) {
            // The track's program: lossless only when it is the very first channel message,
            // since the writer puts it back first at tick 0.
            m_track.properties.program = d1;
            noteChannel(channel);
        } else {
            noteChannel(channel);
            m_track.channelEvents.push_back({m_tick, status, d1, d2});
        }
        m_lastTick = m_tick;
    }
}

// An End of Track before the chunk's declared end, with events after it: writers that did
// this meant the events (other readers play them), so they are read on to the declared end
// (or the next End of Track) when they parse as events; anything else stays ignored
// (findNextChunk warns).
void TrackReader::readOnAfterEndOfTrack() {
    while (m_sawEnd && m_pos < m_declaredEnd && parsesAsEvents(m_bytes, m_pos, m_declaredEnd)) {
        m_warnings.warn(Warn::EndOfTrack, m_name + ": events after its End of Track at byte " +
                                              std::to_string(m_eventPos) +
                                              " read on to the chunk's end at byte " +
                                              std::to_string(m_declaredEnd));
        m_sawEnd = false;
        m_limit = m_declaredEnd; // what was checked; a length that lied short has no bytes here
        readEvents();
        m_sawEnd = true; // another End of Track, or the chunk's end closes the track
    }
}

void TrackReader::warnOverrun() {
    m_warnedOverrun = true;
    m_warnings.warn(Warn::Length, m_name + ": its chunk length says it ends at byte " +
                                      std::to_string(m_declaredEnd) +
                                      " but no End of Track came by then and no chunk follows; "
                                      "reading on until End of Track");
}

void TrackReader::warnDataByte(std::size_t bad) {
    m_warnings.warn(Warn::DataByte, m_name + ": data byte " + hex2(at(bad)) + " at byte " +
                                        std::to_string(bad) +
                                        " clipped to 127 (first of this track)");
}

// A meta, SysEx or system event (status >= 0xF0); false at End of Track.
bool TrackReader::otherEvent(std::uint8_t status) {
    if (status == 0xFF)
        return metaEvent();
    if (status == 0xF0 || status == 0xF7)
        sysExEvent(status);
    else
        systemMessage(status);
    return true;
}

bool TrackReader::metaEvent() {
    m_running = 0;
    if (m_pos >= m_limit)
        throw Truncated{};
    const std::uint8_t type = at(m_pos++);
    const std::uint32_t len = readVarLen("meta event length");
    if (len > m_limit - m_pos)
        throw Truncated{};
    if (type == model::meta::kEndOfTrack) {
        m_pos += len;
        m_sawEnd = true;
        m_lastTick = m_tick;
        return false;
    }
    handleMeta(type, m_pos, len);
    m_pos += len;
    return true;
}

void TrackReader::handleMeta(std::uint8_t type, std::size_t dataPos, std::uint32_t len) {
    const std::string_view data = m_bytes.substr(dataPos, len);
    if (type == model::meta::kTrackName && m_tick == 0 && !m_haveName) {
        m_haveName = true;
        m_track.properties.name = std::string(data);
        return;
    }
    if (m_tempo.take(type, data, m_tick, m_index, m_eventPos))
        return;
    m_track.metaEvents.push_back({m_tick, type, std::string(data)});
}

void TrackReader::sysExEvent(std::uint8_t status) {
    m_running = 0;
    const std::uint32_t len = readVarLen("SysEx length");
    if (len > m_limit - m_pos)
        throw Truncated{};
    m_track.sysExEvents.push_back(
        {m_tick, status == 0xF7, std::string(m_bytes.substr(m_pos, len))});
    m_pos += len;
}

void TrackReader::systemMessage(std::uint8_t status) {
    // System common and real-time messages have no place in a file; skip them with their usual
    // data length so what follows still parses.
    const std::size_t n = status == 0xF2 ? 2 : (status == 0xF1 || status == 0xF3) ? 1 : 0;
    if (status <= 0xF6)
        m_running = 0;
    if (n > m_limit - m_pos)
        throw Truncated{};
    m_warnings.warn(Warn::SystemByte, m_name + ": system message " + hex2(status) + " at byte " +
                                          std::to_string(m_eventPos) +
                                          " does not belong in a MIDI file; skipped");
    m_pos += n;
}

std::uint32_t TrackReader::readVarLen(const char* what) {
    const std::size_t start = m_pos;
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        if (m_pos >= m_limit)
            throw Truncated{};
        const std::uint8_t b = at(m_pos++);
        value = (value << 7) | (b & 0x7Fu);
        if (!(b & 0x80))
            return value;
    }
    fail(start,
         std::string(what) + " is longer than 4 bytes (" + describeBytes(m_bytes, start, 5) + ")");
}

void TrackReader::warnTruncated() {
    if (m_limit == m_end) {
        m_warnings.warn(Warn::Truncated,
                        m_name + " is cut off: the file ends inside the event at byte " +
                            std::to_string(m_eventPos) + "; what came before is kept");
        m_stop = true;
    } else {
        m_warnings.warn(Warn::Truncated,
                        m_name + ": the event at byte " + std::to_string(m_eventPos) +
                            " runs past the chunk's end at byte " + std::to_string(m_declaredEnd) +
                            "; the track ends there");
    }
}

void TrackReader::findNextChunk() {
    if (!m_sawEnd) {
        if (!m_truncated)
            m_warnings.warn(Warn::EndOfTrack, m_name + " has no End of Track (chunk ends at byte " +
                                                  std::to_string(m_limit) + ")");
        m_nextChunk = std::max(m_declaredEnd, std::min(m_pos, m_limit));
        if (m_pos >= m_end)
            m_stop = true;
        return;
    }
    if (m_pos >= m_declaredEnd) {
        m_nextChunk = m_pos;
    } else if (m_declaredEnd - m_pos >= 8 && m_bytes.substr(m_pos, 4) == "MTrk") {
        m_warnings.warn(Warn::Length, m_name +
                                          ": its chunk length runs past End of Track into "
                                          "the next track chunk at byte " +
                                          std::to_string(m_pos) + "; the length is ignored");
        m_nextChunk = m_pos;
    } else {
        m_warnings.warn(Warn::EndOfTrack, m_name + ": " + std::to_string(m_declaredEnd - m_pos) +
                                              " bytes after End of Track (byte " +
                                              std::to_string(m_pos) + ") ignored");
        m_nextChunk = m_declaredEnd;
    }
}

void TrackReader::finish() {
    m_track.endOfTrack = m_lastTick;
    if (m_firstChannel >= 0)
        m_track.properties.channel = std::uint8_t(m_firstChannel);

    if (const std::size_t open = m_notes.closeOpenNotes(m_lastTick); open > 0)
        m_warnings.warn(Warn::OpenNotes,
                        m_name + ": " + std::to_string(open) +
                            " notes never switched off; they end at the track's end (tick " +
                            std::to_string(m_lastTick) + ")");
    if (m_notes.orphanNoteOffs() > 0)
        m_warnings.warn(Warn::OrphanNoteOff,
                        m_name + ": " + std::to_string(m_notes.orphanNoteOffs()) +
                            " note-offs without a sounding note ignored (first at byte " +
                            std::to_string(m_notes.firstOrphanOffset()) + ")");
    m_song.addTrack(std::move(m_track), m_notes.takeNotes());
}

} // namespace torchestra::midi
