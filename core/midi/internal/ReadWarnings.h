#pragma once

// The warnings a MIDI read collects, capped per kind so a broken file of a million events
// gives a readable list rather than a million lines.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace torchestra::midi {

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

class ReadWarnings {
public:
    static constexpr int kMaxPerKind = 20;

    // Appends to `out` (ReadResult::warnings), which must outlive this object.
    explicit ReadWarnings(std::vector<std::string>& out) : m_out(out) {}

    // Keeps the first kMaxPerKind warnings of each kind; the rest are only counted.
    void warn(Warn kind, std::string message);

    // Appends "... and N more <kind>" for every kind over the cap. Call once, at the end.
    void finish();

private:
    std::vector<std::string>& m_out;
    std::array<int, std::size_t(Warn::Count)> m_counts{};
};

} // namespace torchestra::midi
