#pragma once

// Collects the tempo, time and key signature meta events of every track of a file into the one
// tempo map the song has.

#include "midi/internal/ReadWarnings.h"
#include "model/Song.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace torchestra::midi {

class TempoMetaReader {
public:
    explicit TempoMetaReader(ReadWarnings& warnings) : m_warnings(warnings) {}

    // Starts the map at the file's resolution. smpteTempo > 0: the division is SMPTE, the map
    // holds that one tempo and the file's tempo events are ignored.
    void begin(int ppq, int smpteTempo);

    // Takes a tempo, time or key signature meta event (an invalid one is skipped with a
    // warning naming trackIndex and eventPos) and returns true; returns false for other types,
    // which the caller keeps.
    bool take(std::uint8_t type, std::string_view data, model::Tick tick, int trackIndex,
              std::size_t eventPos);

    const model::TempoMap& tempoMap() const { return m_tempoMap; }

private:
    void tempo(std::string_view data, model::Tick tick, int trackIndex, std::size_t eventPos);
    void timeSignature(std::string_view data, model::Tick tick, int trackIndex,
                       std::size_t eventPos);
    void keySignature(std::string_view data, model::Tick tick, int trackIndex,
                      std::size_t eventPos);

    ReadWarnings& m_warnings;
    model::TempoMap m_tempoMap;
    int m_ppq = 480;
    int m_smpteTempo = 0; // > 0: SMPTE division, tempo events ignored
    bool m_warnedSmpteTempo = false;
};

} // namespace torchestra::midi
