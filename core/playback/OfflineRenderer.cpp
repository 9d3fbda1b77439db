#include "playback/OfflineRenderer.h"

#include "playback/EventScheduler.h"
#include "playback/SoundFontLocator.h"
#include "playback/internal/SynthBank.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace torchestra::playback {

namespace {

// Frames per call to the bank: whole 64-sample blocks, as the offline bank needs, and many of
// them, so the shared effects' thread is handed work rarely.
constexpr int kBlock = 4096;
static_assert(kBlock % 64 == 0);

// The options checked and the SoundFont found, or false with r.error.
bool prepare(const RenderOptions& options, RenderResult& r) {
    if (options.sampleRate < 8000 || options.sampleRate > 192000) {
        r.error = "sample rate " + std::to_string(options.sampleRate) + " is outside 8000..192000";
        return false;
    }
    r.soundFont = options.soundFont;
    if (r.soundFont.empty()) {
        SoundFontLocator locator;
        r.soundFont = locator.locate(r.error);
    }
    return !r.soundFont.empty();
}

std::unique_ptr<SynthBank> makeBank(const RenderOptions& options, RenderResult& r) {
    SynthSettings ss;
    ss.sampleRate = options.sampleRate;
    ss.gain = options.gain;
    ss.reverb = options.reverb;
    ss.chorus = options.chorus;
    ss.phases = options.synthPhases;
    ss.maxBlockFrames = kBlock;
    ss.offline = options.sharedEffects;
    return SynthBank::create(ss, r.soundFont, r.error);
}

void append(std::vector<float>& interleaved, const float* left, const float* right) {
    const std::size_t at = interleaved.size();
    interleaved.resize(at + 2 * kBlock);
    float* out = interleaved.data() + at;
    for (int i = 0; i < kBlock; ++i) {
        out[2 * i] = left[i];
        out[2 * i + 1] = right[i];
    }
}

} // namespace

RenderResult renderSnapshot(const PlaybackSnapshot& snapshot, const RenderOptions& options,
                            const std::atomic<bool>* cancel) {
    RenderResult r;
    const auto t0 = std::chrono::steady_clock::now();
    auto bank = prepare(options, r) ? makeBank(options, r) : nullptr;
    if (!bank)
        return r;
    EventScheduler scheduler;
    scheduler.setSnapshot(&snapshot);
    scheduler.play();
    const double sr = options.sampleRate;
    const auto songFrames = std::int64_t(std::ceil(snapshot.lengthSeconds() * sr));
    const auto tailFrames = std::int64_t(std::max(0.0, options.tailSeconds) * sr);
    // With shared effects the bank hands each block out one call late: its first block is
    // silence to drop, and one more call brings the last.
    const std::int64_t late = bank->sharesEffects() ? kBlock : 0;
    r.interleaved.reserve(std::size_t(songFrames + tailFrames + kBlock) * 2);
    std::vector<float> left(kBlock), right(kBlock);
    std::int64_t frame = 0;     // frames the bank has rendered
    std::int64_t endFrame = -1; // the end of the tail, once the song's end is known
    while (endFrame < 0 || frame - late < endFrame) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            r.error = "cancelled";
            return r;
        }
        scheduler.process(kBlock, sr, 1.0, *bank);
        bank->render(kBlock, left.data(), right.data());
        frame += kBlock;
        if (frame > late)
            append(r.interleaved, left.data(), right.data());
        if (endFrame < 0 && scheduler.finished())
            endFrame = frame + tailFrames;
        if (options.progress) {
            // Against the expected length until the song's end is known, then the real one.
            const double total = double(endFrame >= 0 ? endFrame : songFrames + tailFrames) + late;
            options.progress(std::clamp(double(frame) / std::max(1.0, total), 0.0, 1.0));
        }
    }
    // Cut the block padding after the tail, keeping the song's own length plus the tail.
    const std::int64_t keep = std::min<std::int64_t>(frame - late, songFrames + tailFrames);
    r.interleaved.resize(std::size_t(keep) * 2);
    r.sampleRate = options.sampleRate;
    r.seconds = double(keep) / sr;
    r.lateEvents = bank->overflowCount();
    r.effectsShared = bank->sharesEffects();
    r.renderSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.ok = true;
    return r;
}

RenderResult renderToWavFile(const PlaybackSnapshot& snapshot, const std::string& wavPath,
                             const RenderOptions& options, const std::atomic<bool>* cancel) {
    RenderResult r = renderSnapshot(snapshot, options, cancel);
    if (!r.ok)
        return r;
    if (std::string err = writeWavFile(wavPath, r.interleaved, 2, r.sampleRate, options.format);
        !err.empty()) {
        r.ok = false;
        r.error = err;
    }
    return r;
}

} // namespace torchestra::playback
