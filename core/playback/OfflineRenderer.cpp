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
    // FluidSynth's range: above it, it refuses the rate and renders at 44.1 kHz instead.
    if (options.sampleRate < 8000 || options.sampleRate > 96000) {
        r.error = "sample rate " + std::to_string(options.sampleRate) + " is outside 8000..96000";
        return false;
    }
    r.soundFont = options.soundFont;
    if (r.soundFont.empty()) {
        SoundFontLocator locator;
        r.soundFont = locator.locate(r.error);
    }
    return !r.soundFont.empty();
}

// The polyphony of each synth of the bank. One FluidSynth steals voices beyond its polyphony,
// but each synth of the bank has its own: a song dense enough to reach it would keep up to eight
// times as many voices, which is far slower and not what one FluidSynth (or the fluidsynth
// program) plays. Such a song shares the polyphony out between the synths its notes start on.
// Songs do not come near it (the OpenMSX set peaks at 33 notes at once): they keep it all.
int polyphonyPerSynth(const PlaybackSnapshot& snapshot, const RenderOptions& options,
                      int polyphony) {
    std::vector<std::pair<double, int>> edges; // note starts (+1) and ends (-1)
    std::vector<bool> startsOn(64, false);     // synths some note starts on
    for (const ScheduledEvent& e : snapshot.events()) {
        if (!e.isNoteOn())
            continue;
        edges.push_back({e.seconds, 1});
        edges.push_back({e.endSeconds, -1});
        // The frame as the scheduler computes it.
        const auto frame = std::int64_t(std::floor(e.seconds * options.sampleRate + 1e-6));
        startsOn[std::size_t(SynthBank::synthFor(options.synthPhases, frame))] = true;
    }
    std::sort(edges.begin(), edges.end()); // an end before a start at the same time
    int sounding = 0, peak = 0;
    for (const auto& edge : edges)
        peak = std::max(peak, sounding += edge.second);
    if (2 * peak <= polyphony) // a note can take two voices (a stereo sample)
        return polyphony;
    const auto used = int(std::count(startsOn.begin(), startsOn.end(), true));
    return std::max(1, polyphony / std::max(1, used));
}

std::unique_ptr<SynthBank> makeBank(const PlaybackSnapshot& snapshot, const RenderOptions& options,
                                    RenderResult& r) {
    SynthSettings ss;
    ss.polyphony = polyphonyPerSynth(snapshot, options, ss.polyphony);
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
    auto bank = prepare(options, r) ? makeBank(snapshot, options, r) : nullptr;
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
        r.peakVoices = std::max(r.peakVoices, bank->activeVoices());
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
