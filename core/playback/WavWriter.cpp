#include "playback/WavWriter.h"

#include "base/AtomicFile.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace torchestra::playback {

namespace {

void put16(std::string& s, std::uint16_t v) {
    s.push_back(char(v & 0xFF));
    s.push_back(char(v >> 8));
}
void put32(std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        s.push_back(char((v >> (8 * i)) & 0xFF));
}
std::uint32_t get32(const std::string& s, std::size_t at) {
    return std::uint32_t(std::uint8_t(s[at])) | std::uint32_t(std::uint8_t(s[at + 1])) << 8 |
           std::uint32_t(std::uint8_t(s[at + 2])) << 16 |
           std::uint32_t(std::uint8_t(s[at + 3])) << 24;
}
std::uint16_t get16(const std::string& s, std::size_t at) {
    return std::uint16_t(std::uint8_t(s[at]) | std::uint8_t(s[at + 1]) << 8);
}

} // namespace

std::string encodeWav(const std::vector<float>& interleaved, int channels, int sampleRate,
                      WavFormat format) {
    const bool isFloat = format == WavFormat::Float32;
    const std::uint16_t bytesPerSample = isFloat ? 4 : 2;
    const std::uint32_t dataBytes = std::uint32_t(interleaved.size() * bytesPerSample);
    std::string s;
    s.reserve(44 + dataBytes);
    s += "RIFF";
    put32(s, 36 + dataBytes);
    s += "WAVEfmt ";
    put32(s, 16);
    put16(s, isFloat ? 3 : 1); // WAVE_FORMAT_IEEE_FLOAT or PCM
    put16(s, std::uint16_t(channels));
    put32(s, std::uint32_t(sampleRate));
    put32(s, std::uint32_t(sampleRate) * std::uint32_t(channels) * bytesPerSample);
    put16(s, std::uint16_t(channels * bytesPerSample));
    put16(s, std::uint16_t(bytesPerSample * 8));
    s += "data";
    put32(s, dataBytes);
    // Written in place: a song is tens of millions of samples, and pushing them one byte at a
    // time cost as much as a tenth of a render.
    const std::size_t header = s.size();
    s.resize(header + dataBytes);
    auto* out = reinterpret_cast<unsigned char*>(s.data() + header);
    if (isFloat) {
        for (float v : interleaved) {
            std::uint32_t bits;
            std::memcpy(&bits, &v, 4);
            for (int b = 0; b < 4; ++b)
                *out++ = static_cast<unsigned char>(bits >> (8 * b));
        }
    } else {
        for (float v : interleaved) {
            // Rounded half away from zero (as std::lround), in double where adding 0.5 is exact.
            const double x = double(std::clamp(v, -1.0f, 1.0f) * 32767.0f);
            const auto q = std::uint16_t(std::int16_t(x < 0 ? x - 0.5 : x + 0.5));
            *out++ = static_cast<unsigned char>(q & 0xFF);
            *out++ = static_cast<unsigned char>(q >> 8);
        }
    }
    return s;
}

std::string writeWavFile(const std::string& path, const std::vector<float>& interleaved,
                         int channels, int sampleRate, WavFormat format) {
    return base::writeFileAtomically(path, encodeWav(interleaved, channels, sampleRate, format));
}

WavData readWavFile(const std::string& path) {
    WavData w;
    std::string s;
    if (std::string err = base::readWholeFile(path, s); !err.empty()) {
        w.error = err;
        return w;
    }
    if (s.size() < 12 || s.compare(0, 4, "RIFF") != 0 || s.compare(8, 4, "WAVE") != 0) {
        w.error = path + ": not a WAV file";
        return w;
    }
    int format = 0, bits = 0;
    std::size_t at = 12;
    while (at + 8 <= s.size()) {
        const std::string id = s.substr(at, 4);
        const std::size_t len = get32(s, at + 4);
        const std::size_t body = at + 8;
        if (body + len > s.size()) {
            w.error = path + ": truncated chunk '" + id + "'";
            return w;
        }
        if (id == "fmt " && len >= 16) {
            format = get16(s, body);
            w.channels = get16(s, body + 2);
            w.sampleRate = int(get32(s, body + 4));
            bits = get16(s, body + 14);
        } else if (id == "data") {
            if (format == 1 && bits == 16) {
                w.interleaved.resize(len / 2);
                for (std::size_t i = 0; i < len / 2; ++i)
                    w.interleaved[i] = float(std::int16_t(get16(s, body + 2 * i))) / 32768.0f;
            } else if (format == 3 && bits == 32) {
                w.interleaved.resize(len / 4);
                for (std::size_t i = 0; i < len / 4; ++i) {
                    const std::uint32_t b = get32(s, body + 4 * i);
                    std::memcpy(&w.interleaved[i], &b, 4);
                }
            } else {
                w.error = path + ": unsupported WAV sample format";
                return w;
            }
            w.ok = w.channels > 0;
            if (!w.ok)
                w.error = path + ": data before fmt chunk";
            return w;
        }
        at = body + len + (len & 1);
    }
    w.error = path + ": no data chunk";
    return w;
}

} // namespace torchestra::playback
