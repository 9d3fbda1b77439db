#include "midi/internal/TempoMetaReader.h"

#include <string>

namespace torchestra::midi {

namespace {

std::uint8_t u8(std::string_view data, std::size_t i) {
    return std::uint8_t(data[i]);
}

} // namespace

void TempoMetaReader::begin(int ppq, int smpteTempo) {
    m_ppq = ppq;
    m_smpteTempo = smpteTempo;
    m_tempoMap = model::TempoMap(ppq);
    if (m_smpteTempo > 0)
        m_tempoMap.setTempo(0, m_smpteTempo);
}

bool TempoMetaReader::take(std::uint8_t type, std::string_view data, model::Tick tick,
                           int trackIndex, std::size_t eventPos) {
    struct Expected {
        const char* what;
        std::size_t length;
        const char* lengthText;
    };
    Expected expected;
    switch (type) {
    case model::meta::kTempo:
        expected = {"tempo event", 3, "3"};
        break;
    case model::meta::kTimeSignature:
        expected = {"time signature", 4, "4"};
        break;
    case model::meta::kKeySignature:
        expected = {"key signature", 2, "2"};
        break;
    default:
        return false;
    }
    if (data.size() != expected.length) {
        m_warnings.warn(Warn::BadMeta,
                        "track " + std::to_string(trackIndex) + ": " + expected.what + " at byte " +
                            std::to_string(eventPos) + " has " + std::to_string(data.size()) +
                            " data bytes (expected " + expected.lengthText + "); skipped");
        return true;
    }
    if (type == model::meta::kTempo)
        tempo(data, tick, trackIndex, eventPos);
    else if (type == model::meta::kTimeSignature)
        timeSignature(data, tick, trackIndex, eventPos);
    else
        keySignature(data, tick, trackIndex, eventPos);
    return true;
}

void TempoMetaReader::tempo(std::string_view data, model::Tick tick, int trackIndex,
                            std::size_t eventPos) {
    if (m_smpteTempo > 0) {
        if (!m_warnedSmpteTempo)
            m_warnings.warn(Warn::Smpte,
                            "the file uses SMPTE time; its tempo events are ignored (first "
                            "at byte " +
                                std::to_string(eventPos) + ")");
        m_warnedSmpteTempo = true;
        return;
    }
    const auto us = std::int32_t(u8(data, 0) << 16 | u8(data, 1) << 8 | u8(data, 2));
    if (us == 0) {
        m_warnings.warn(Warn::BadMeta, "track " + std::to_string(trackIndex) +
                                           ": tempo of 0 us per quarter at byte " +
                                           std::to_string(eventPos) + "; skipped");
        return;
    }
    m_tempoMap.setTempo(tick, us);
}

void TempoMetaReader::timeSignature(std::string_view data, model::Tick tick, int trackIndex,
                                    std::size_t eventPos) {
    const int power = u8(data, 1);
    // A beat must last at least one tick, or bar arithmetic divides by zero.
    if (u8(data, 0) == 0 || power > 30 || (std::int64_t(1) << power) > 4 * std::int64_t(m_ppq)) {
        m_warnings.warn(Warn::BadMeta, "track " + std::to_string(trackIndex) + ": time signature " +
                                           std::to_string(u8(data, 0)) + "/2^" +
                                           std::to_string(power) + " at byte " +
                                           std::to_string(eventPos) +
                                           " cannot be used at this resolution; skipped");
        return;
    }
    model::TimeSignature ts;
    ts.tick = tick;
    ts.numerator = u8(data, 0);
    ts.denominator = 1 << power;
    ts.clocksPerClick = u8(data, 2);
    ts.thirtySecondsPerQuarter = u8(data, 3);
    m_tempoMap.setTimeSignature(ts);
}

void TempoMetaReader::keySignature(std::string_view data, model::Tick tick, int trackIndex,
                                   std::size_t eventPos) {
    const int sharps = std::int8_t(u8(data, 0));
    if (sharps < -7 || sharps > 7 || u8(data, 1) > 1) {
        m_warnings.warn(Warn::BadMeta, "track " + std::to_string(trackIndex) + ": key signature " +
                                           std::to_string(sharps) + "/" +
                                           std::to_string(u8(data, 1)) + " at byte " +
                                           std::to_string(eventPos) + " is out of range; skipped");
        return;
    }
    model::KeySignature ks;
    ks.tick = tick;
    ks.sharps = sharps;
    ks.minor = u8(data, 1) == 1;
    m_tempoMap.setKeySignature(ks);
}

} // namespace torchestra::midi
