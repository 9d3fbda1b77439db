#pragma once

// The file level of the Standard MIDI File reader: the RIFF wrapper, the header chunk and the
// chunk framing. Track chunks go to TrackReader; the policy is in MidiReader.cpp.

#include "midi/MidiFile.h"
#include "midi/internal/ReadWarnings.h"
#include "midi/internal/TempoMetaReader.h"

#include <cstddef>
#include <string_view>

namespace torchestra::midi {

class SmfReader {
public:
    // Fills `result` (which must outlive the reader) from `bytes`.
    SmfReader(std::string_view bytes, ReadResult& result)
        : m_bytes(bytes), m_result(result), m_warnings(result.warnings), m_tempo(m_warnings) {}

    // Reads the whole file. Throws ParseError for input that cannot be read; `result` is then
    // only partly filled.
    void run();

private:
    void unwrapRiff();
    void readHeader();
    int readFormat();
    int readDivision();
    void readChunks();

    std::string_view m_bytes;
    ReadResult& m_result;
    ReadWarnings m_warnings;
    TempoMetaReader m_tempo;

    // The SMF inside the input (all of it, or the RIFF "data" chunk).
    std::size_t m_smfStart = 0;
    std::size_t m_end = 0;
    std::size_t m_chunksStart = 0;
    int m_declaredTracks = 0;
};

} // namespace torchestra::midi
