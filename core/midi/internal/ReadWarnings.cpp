#include "midi/internal/ReadWarnings.h"

#include <utility>

namespace torchestra::midi {

namespace {

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

} // namespace

void ReadWarnings::warn(Warn kind, std::string message) {
    int& n = m_counts[std::size_t(kind)];
    if (++n <= kMaxPerKind)
        m_out.push_back(std::move(message));
}

void ReadWarnings::finish() {
    for (std::size_t k = 0; k < std::size_t(Warn::Count); ++k) {
        const int extra = m_counts[k] - kMaxPerKind;
        if (extra > 0)
            m_out.push_back("... and " + std::to_string(extra) + " more " + kWarnSummary[k]);
    }
}

} // namespace torchestra::midi
