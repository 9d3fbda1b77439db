#include "playback/OfflineRenderer.h"

#include "playback/EventScheduler.h"
#include "playback/SoundFontLocator.h"
#include "playback/internal/SynthBank.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace torchestra::playback {

RenderResult renderSnapshot(const PlaybackSnapshot& snapshot, const RenderOptions& options,
                            const std::atomic<bool>* cancel) {
    RenderResult r;
    const auto t0 = std::chrono::steady_clock::now();
    if (options.sampleRate < 8000 || options.sampleRate > 192000) {
        r.error = "sample rate " + std::to_string(options.sampleRate) + " is outside 8000..192000";
        return r;
    }
    r.soundFont = options.soundFont;
    if (r.soundFont.empty()) {
        SoundFontLocator locator;
        r.soundFont = locator.locate(r.error);
        if (r.soundFont.empty())
            return r;
    }
    constexpr int kBlock = 1024;
    SynthSettings ss;
    ss.sampleRate = options.sampleRate;
    ss.gain = options.gain;
    ss.reverb = options.reverb;
    ss.chorus = options.chorus;
    ss.phases = options.synthPhases;
    ss.maxBlockFrames = kBlock;
    auto bank = SynthBank::create(ss, r.soundFont, r.error);
    if (!bank)
        return r;

    EventScheduler scheduler;
    scheduler.setSnapshot(&snapshot);
    scheduler.play();
    const double sr = options.sampleRate;
    const auto songFrames = std::int64_t(std::ceil(snapshot.lengthSeconds() * sr));
    const auto tailFrames = std::int64_t(std::max(0.0, options.tailSeconds) * sr);
    r.interleaved.reserve(std::size_t(songFrames + tailFrames + kBlock) * 2);
    float left[kBlock], right[kBlock];
    std::int64_t frame = 0;
    std::int64_t endFrame = -1;
    while (endFrame < 0 || frame < endFrame) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            r.error = "cancelled";
            return r;
        }
        scheduler.process(kBlock, sr, 1.0, *bank);
        bank->render(kBlock, left, right);
        const std::size_t at = r.interleaved.size();
        r.interleaved.resize(at + 2 * kBlock);
        float* out = r.interleaved.data() + at;
        for (int i = 0; i < kBlock; ++i) {
            out[2 * i] = left[i];
            out[2 * i + 1] = right[i];
        }
        frame += kBlock;
        if (endFrame < 0 && scheduler.finished())
            endFrame = frame + tailFrames;
        if (options.progress) {
            // Against the expected length until the song's end is known, then the real one.
            const double total = double(endFrame >= 0 ? endFrame : songFrames + tailFrames);
            options.progress(std::clamp(double(frame) / std::max(1.0, total), 0.0, 1.0));
        }
    }
    // Cut the block padding after the tail, keeping the song's own length plus the tail.
    const std::int64_t keep = std::min<std::int64_t>(frame, songFrames + tailFrames);
    r.interleaved.resize(std::size_t(keep) * 2);
    r.sampleRate = options.sampleRate;
    r.seconds = double(keep) / sr;
    r.lateEvents = bank->overflowCount();
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
