#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace torchestra::playback {

enum class WavFormat { Pcm16, Float32 };

// Encodes interleaved float samples as a RIFF/WAVE file (PCM 16-bit with TPDF-free rounding and
// clipping, or IEEE float 32-bit). Any thread.
std::string encodeWav(const std::vector<float>& interleaved, int channels, int sampleRate,
                      WavFormat format);

// Writes atomically (temporary file + rename); "" on success, else a message naming the file.
std::string writeWavFile(const std::string& path, const std::vector<float>& interleaved,
                         int channels, int sampleRate, WavFormat format);

// A decoded WAV file (16-bit PCM or 32-bit float), for tests and tools.
struct WavData {
    bool ok = false;
    std::string error;
    int channels = 0;
    int sampleRate = 0;
    std::vector<float> interleaved;
    std::size_t frames() const { return channels ? interleaved.size() / std::size_t(channels) : 0; }
};
WavData readWavFile(const std::string& path);

} // namespace torchestra::playback
