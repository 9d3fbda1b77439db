#include "midi/internal/SmfReader.h"

#include "midi/internal/SmfBytes.h"
#include "midi/internal/TrackReader.h"

#include <algorithm>

namespace torchestra::midi {

namespace {

// The header's track count is 16 bits; more chunks than that cannot be written back.
constexpr int kMaxTracks = 0xFFFF;

} // namespace

void SmfReader::run() {
    if (m_bytes.empty())
        fail(0, "empty file (0 bytes): not a Standard MIDI File (expected 'MThd' at byte 0)");
    m_end = m_bytes.size();
    if (m_bytes.size() >= 4 && m_bytes.substr(0, 4) == "RIFF")
        unwrapRiff();
    readHeader();
    readChunks();
    m_warnings.finish();
}

void SmfReader::unwrapRiff() {
    // "RIFF" <size LE> "RMID", then sub-chunks <id> <size LE> <data> padded to even length.
    if (m_bytes.size() < 12)
        fail(m_bytes.size(), "file ends inside the RIFF header (needs 12 bytes, has " +
                                 std::to_string(m_bytes.size()) + ")");
    if (m_bytes.substr(8, 4) != "RMID")
        fail(8, "a RIFF file but not RIFF MIDI (expected 'RMID', found " +
                    describeBytes(m_bytes, 8, 4) + ")");
    std::size_t pos = 12;
    while (pos + 8 <= m_bytes.size()) {
        const std::uint32_t len = le32(m_bytes, pos + 4);
        const std::size_t dataStart = pos + 8;
        const std::size_t available = m_bytes.size() - dataStart;
        if (m_bytes.substr(pos, 4) == "data") {
            std::size_t size = len;
            if (size > available) {
                m_warnings.warn(Warn::Length, "RIFF 'data' chunk at byte " + std::to_string(pos) +
                                                  " claims " + std::to_string(len) +
                                                  " bytes but only " + std::to_string(available) +
                                                  " remain; reading those");
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

void SmfReader::readHeader() {
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
    const std::uint32_t headerLen = be32(m_bytes, h + 4);
    if (headerLen < 6)
        fail(h + 4, "header chunk length " + std::to_string(headerLen) +
                        " is too short (expected at least 6)");
    std::size_t chunks = h + 8 + std::size_t(headerLen);
    if (headerLen > size - 8) {
        m_warnings.warn(Warn::Header, "header chunk claims " + std::to_string(headerLen) +
                                          " bytes, past the end of the file; using its first 6");
        chunks = h + 14;
    } else if (headerLen > 6) {
        // Longer headers are allowed by the spec for future extensions; skip the rest.
        m_warnings.warn(Warn::Header, "header chunk is " + std::to_string(headerLen) +
                                          " bytes long; the " + std::to_string(headerLen - 6) +
                                          " bytes after the first 6 are ignored");
    }
    m_chunksStart = chunks;
    m_result.format = readFormat();
    m_result.ppq = readDivision();
}

// The header's format and track count; returns the format the file is read as.
int SmfReader::readFormat() {
    const std::size_t h = m_smfStart;
    int format = be16(m_bytes, h + 8);
    m_declaredTracks = be16(m_bytes, h + 10);
    if (format == 2) {
        m_warnings.warn(Warn::Format,
                        "format 2 file (independent patterns): each pattern is read as a track "
                        "starting at tick 0");
    } else if (format > 2) {
        m_warnings.warn(Warn::Format, "unknown format " + std::to_string(format) + " (byte " +
                                          std::to_string(h + 8) + "); reading it as format 1");
        format = 1;
    }
    if (format == 0 && m_declaredTracks != 1)
        m_warnings.warn(Warn::TrackCount, "format 0 file declares " +
                                              std::to_string(m_declaredTracks) +
                                              " tracks (expected 1)");
    return format;
}

// The header's time division; starts the tempo map and returns ticks per quarter.
int SmfReader::readDivision() {
    const std::size_t h = m_smfStart;
    const std::uint16_t division = be16(m_bytes, h + 12);
    int ppq = 0;
    int smpteTempo = 0;
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
        smpteTempo = fps == 29 ? 1001000 : 1000000;
        m_result.smpte = true;
    } else {
        ppq = division;
        if (ppq == 0) {
            m_warnings.warn(Warn::Header, "division is 0 ticks per quarter (byte " +
                                              std::to_string(h + 12) + "); assuming 480");
            ppq = 480;
        }
    }
    m_tempo.begin(ppq, smpteTempo);
    return ppq;
}

void SmfReader::readChunks() {
    TrackReader tracks(m_bytes, m_end, m_result.song, m_warnings, m_tempo);
    std::size_t pos = m_chunksStart;
    int tracksRead = 0;
    bool anyTrackChunk = false;
    while (pos < m_end && !tracks.fileEnded()) {
        const std::size_t remaining = m_end - pos;
        if (remaining < 8) {
            if (m_bytes.substr(pos, std::min<std::size_t>(remaining, 4)) ==
                std::string_view("MTrk").substr(0, std::min<std::size_t>(remaining, 4))) {
                m_warnings.warn(Warn::Truncated, "file ends inside a track chunk header at byte " +
                                                     std::to_string(pos) +
                                                     "; that track is missing");
            } else {
                m_warnings.warn(Warn::Chunk, std::to_string(remaining) +
                                                 " bytes after the last chunk (byte " +
                                                 std::to_string(pos) + ") ignored");
            }
            break;
        }
        const std::string_view id = m_bytes.substr(pos, 4);
        const std::uint32_t len = be32(m_bytes, pos + 4);
        const std::size_t dataStart = pos + 8;
        std::size_t declaredEnd = dataStart + len;
        const bool clamped = len > m_end - dataStart;
        if (clamped)
            declaredEnd = m_end;
        if (id == "MTrk" && tracksRead == kMaxTracks) {
            m_warnings.warn(Warn::TrackCount, "more than " + std::to_string(kMaxTracks) +
                                                  " track chunks (a header can declare no more); "
                                                  "the rest from byte " +
                                                  std::to_string(pos) + " on are ignored");
            break;
        }
        if (id == "MTrk") {
            anyTrackChunk = true;
            if (clamped)
                m_warnings.warn(Warn::Length, "track " + std::to_string(tracksRead) + " (byte " +
                                                  std::to_string(pos) + ") claims " +
                                                  std::to_string(len) + " bytes but only " +
                                                  std::to_string(m_end - dataStart) +
                                                  " remain; reading to the end of the file");
            tracks.read(tracksRead, dataStart, declaredEnd, !clamped);
            ++tracksRead;
            pos = tracks.nextChunk();
        } else if (isPlausibleChunkId(m_bytes, pos)) {
            m_warnings.warn(Warn::Chunk, "unknown chunk '" + std::string(id) + "' at byte " +
                                             std::to_string(pos) + " skipped");
            pos = declaredEnd;
        } else {
            m_warnings.warn(Warn::Chunk, std::to_string(remaining) + " bytes at byte " +
                                             std::to_string(pos) + " are not a chunk (found " +
                                             describeBytes(m_bytes, pos, 4) + "); ignored");
            break;
        }
    }
    if (!anyTrackChunk && m_declaredTracks > 0)
        fail(std::min(pos, m_end), "no track chunk found (expected 'MTrk' at byte " +
                                       std::to_string(m_chunksStart) + ", found " +
                                       describeBytes(m_bytes, m_chunksStart, 4) + ")");
    if (tracksRead != m_declaredTracks)
        m_warnings.warn(Warn::TrackCount,
                        "the header declares " + std::to_string(m_declaredTracks) +
                            " tracks but the file has " + std::to_string(tracksRead));
    m_result.song.setTempoMap(m_tempo.tempoMap());
}

} // namespace torchestra::midi
