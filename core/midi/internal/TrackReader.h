#pragma once

// Parses the events of one MTrk chunk into a model track: running status, the repairs the
// reader makes inside a track, and where the next chunk really starts (see MidiReader.cpp for
// the policy).

#include "midi/internal/NotePairer.h"
#include "midi/internal/ReadWarnings.h"
#include "midi/internal/TempoMetaReader.h"
#include "model/Song.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace torchestra::midi {

class TrackReader {
public:
    // `bytes` is the whole input and `fileEnd` the end of the SMF inside it (offsets in
    // messages are those of the whole input). Tracks are added to `song`; tempo, time and key
    // signatures go to `tempo`. All must outlive the reader.
    TrackReader(std::string_view bytes, std::size_t fileEnd, model::Song& song,
                ReadWarnings& warnings, TempoMetaReader& tempo);

    // Reads the chunk whose data starts at `start` and whose length field says it ends at
    // `declaredEnd` (lengthTrusted: that length was not clamped to the file), and adds it to the
    // song as track `index`. Throws ParseError for what cannot be read.
    void read(int index, std::size_t start, std::size_t declaredEnd, bool lengthTrusted);

    // Where the next chunk starts, after read().
    std::size_t nextChunk() const { return m_nextChunk; }
    // The file ended inside the last track read: read no more chunks.
    bool fileEnded() const { return m_stop; }

private:
    struct Truncated {}; // thrown when an event runs into the end of the chunk or file

    void begin(int index, std::size_t start, std::size_t declaredEnd, bool lengthTrusted);
    void readEvents();
    void readOnAfterEndOfTrack();
    std::uint8_t readStatus();
    std::uint8_t continueRunningStatus(std::uint8_t dataByte);
    void warnOverrun();
    void warnDataByte(std::size_t bad);
    bool otherEvent(std::uint8_t status);
    bool metaEvent(); // false at End of Track
    void sysExEvent(std::uint8_t status);
    void systemMessage(std::uint8_t status);
    void handleMeta(std::uint8_t type, std::size_t dataPos, std::uint32_t len);
    std::uint32_t readVarLen(const char* what);
    void warnTruncated();
    void findNextChunk();
    void finish();
    void noteChannel(std::uint8_t channel) {
        if (m_firstChannel < 0)
            m_firstChannel = channel;
    }
    std::uint8_t at(std::size_t i) const { return std::uint8_t(m_bytes[i]); }

    std::string_view m_bytes;
    std::size_t m_end;
    model::Song& m_song;
    ReadWarnings& m_warnings;
    TempoMetaReader& m_tempo;
    NotePairer m_notes;
    std::size_t m_nextChunk = 0;
    bool m_stop = false;

    // Per track state, reset by begin().
    int m_index = 0;
    std::string m_name; // "track <index>", as messages name it
    model::Track m_track;
    bool m_haveName = false;
    int m_firstChannel = -1;
    std::size_t m_declaredEnd = 0;
    std::size_t m_limit = 0; // where parsing stops: the declared end, or the file's if it lies
    std::size_t m_pos = 0;
    std::size_t m_eventPos = 0;
    model::Tick m_tick = 0;
    model::Tick m_lastTick = 0;
    std::uint8_t m_running = 0;
    std::uint8_t m_lastChannelStatus = 0;
    bool m_warnedRunning = false;
    bool m_warnedOverrun = false;
    bool m_warnedDataByte = false;
    bool m_sawEnd = false;
    bool m_truncated = false;
};

} // namespace torchestra::midi
