#pragma once

// Builds Standard MIDI Files byte by byte, so reader tests state exactly which bytes they feed
// (including broken ones) instead of trusting our own writer.

#include <cstdint>
#include <initializer_list>
#include <string>

namespace smf {

inline std::string varLen(std::uint32_t v) {
    std::string out(1, char(v & 0x7F));
    while ((v >>= 7) != 0)
        out.insert(out.begin(), char(0x80 | (v & 0x7F)));
    return out;
}

inline std::string be32(std::uint32_t v) {
    return {char(v >> 24), char((v >> 16) & 0xFF), char((v >> 8) & 0xFF), char(v & 0xFF)};
}
inline std::string le32(std::uint32_t v) {
    return {char(v & 0xFF), char((v >> 8) & 0xFF), char((v >> 16) & 0xFF), char(v >> 24)};
}
inline std::string be16(std::uint16_t v) {
    return {char(v >> 8), char(v & 0xFF)};
}

inline std::string bytes(std::initializer_list<int> list) {
    std::string out;
    for (int b : list)
        out.push_back(char(b));
    return out;
}

// "MThd" 6 <format> <ntrks> <division>.
inline std::string header(int format, int tracks, int division) {
    return "MThd" + be32(6) + be16(std::uint16_t(format)) + be16(std::uint16_t(tracks)) +
           be16(std::uint16_t(division));
}

// SMPTE division: fps as a positive number (24, 25, 29, 30).
inline int smpteDivision(int fps, int ticksPerFrame) {
    return (std::uint8_t(std::int8_t(-fps)) << 8) | ticksPerFrame;
}

// The events of one track; every method appends one event (delta time first).
class Track {
public:
    Track& on(std::uint32_t delta, int ch, int pitch, int velocity) {
        return event(delta, {0x90 | ch, pitch, velocity});
    }
    Track& off(std::uint32_t delta, int ch, int pitch, int velocity = 64) {
        return event(delta, {0x80 | ch, pitch, velocity});
    }
    Track& cc(std::uint32_t delta, int ch, int controller, int value) {
        return event(delta, {0xB0 | ch, controller, value});
    }
    Track& program(std::uint32_t delta, int ch, int program) {
        return event(delta, {0xC0 | ch, program});
    }
    // Any raw event bytes after the delta (running status data, odd statuses...).
    Track& event(std::uint32_t delta, std::initializer_list<int> data) {
        m_bytes += varLen(delta);
        m_bytes += bytes(data);
        return *this;
    }
    Track& meta(std::uint32_t delta, int type, const std::string& data) {
        m_bytes += varLen(delta) + bytes({0xFF, type}) + varLen(std::uint32_t(data.size())) + data;
        return *this;
    }
    Track& tempo(std::uint32_t delta, std::uint32_t us) {
        return meta(delta, 0x51, bytes({int(us >> 16), int((us >> 8) & 0xFF), int(us & 0xFF)}));
    }
    Track& sysEx(std::uint32_t delta, bool escaped, const std::string& data) {
        m_bytes += varLen(delta) + bytes({escaped ? 0xF7 : 0xF0}) +
                   varLen(std::uint32_t(data.size())) + data;
        return *this;
    }
    Track& end(std::uint32_t delta = 0) { return meta(delta, 0x2F, ""); }
    Track& raw(const std::string& b) {
        m_bytes += b;
        return *this;
    }

    const std::string& body() const { return m_bytes; }
    // The whole chunk; `length` overrides the length field (to build lying files).
    std::string chunk(std::int64_t length = -1) const {
        return "MTrk" + be32(std::uint32_t(length < 0 ? m_bytes.size() : length)) + m_bytes;
    }

private:
    std::string m_bytes;
};

inline std::string file(int format, int division, std::initializer_list<Track> tracks) {
    std::string out = header(format, int(tracks.size()), division);
    for (const Track& t : tracks)
        out += t.chunk();
    return out;
}

// A RIFF MIDI ("RMID") wrapper around an SMF.
inline std::string rmid(const std::string& smfBytes) {
    std::string data = "data" + le32(std::uint32_t(smfBytes.size())) + smfBytes;
    if (smfBytes.size() % 2)
        data.push_back('\0');
    return "RIFF" + le32(std::uint32_t(4 + data.size())) + "RMID" + data;
}

} // namespace smf
