// The offline bank (shared effects, idle synths skipped) against the bank with an effects unit
// per synth rendering every block: the dry sound must be the same to the sample, the effects
// the same to within what the ear cannot tell, and nothing may be cut or left ringing.
#include "TestSongs.h"
#include "playback/OfflineRenderer.h"
#include "playback/PlaybackSnapshot.h"
#include "playback/SoundFontLocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

struct Variant {
    bool shared = true; // the offline bank; false: an effects unit per synth, every block
    bool effects = true;
};

std::vector<float> render(const model::Song& song, int rate, Variant v, double tail = 2.0) {
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.soundFont = timgm6mbSoundFont();
    o.sampleRate = rate;
    o.sharedEffects = v.shared;
    o.reverb = o.chorus = v.effects;
    o.tailSeconds = tail;
    RenderResult r = renderSnapshot(*snap, o);
    EXPECT_TRUE(r.ok) << r.error;
    // Debian's FluidSynth hands out effect sends (it has LADSPA): the shared unit must be used.
    EXPECT_EQ(r.effectsShared, v.shared && v.effects);
    return r.interleaved;
}

std::vector<float> minus(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    std::vector<float> d(std::min(a.size(), b.size()));
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = a[i] - b[i];
    return d;
}

// Energy of interleaved stereo between two times in seconds (to the end when `to` < 0).
double energy(const std::vector<float>& v, int rate, double from = 0, double to = -1) {
    const auto begin = std::min(v.size(), std::size_t(from * rate) * 2);
    const auto end = to < 0 ? v.size() : std::min(v.size(), std::size_t(to * rate) * 2);
    double e = 0;
    for (std::size_t i = begin; i < end; ++i)
        e += double(v[i]) * v[i];
    return e;
}

double db(double ratio) {
    return 10.0 * std::log10(std::max(ratio, 1e-30));
}

// Strings with the reverb and chorus sends turned up, chords and a held note.
model::Song effectsSong() {
    model::Song song;
    model::Track t;
    t.properties.name = "strings";
    t.properties.channel = 0;
    t.properties.program = 48;
    t.channelEvents.push_back({0, 0xB0, 91, 127});
    t.channelEvents.push_back({0, 0xB0, 93, 127});
    const model::TrackId id = song.addTrack(t);
    std::vector<model::Note> notes;
    for (int k = 0; k < 8; ++k)
        for (int p : {48, 55, 64})
            notes.push_back(makeNote(model::Tick(k) * 250 + p % 7, 200, p + k));
    notes.push_back(makeNote(2100, 900, 72));
    song.addNotes(id, std::move(notes));
    return song;
}

} // namespace

TEST(OfflineRender, SharedEffectsSoundAsEachSynthsOwnAt44And48kHz) {
    if (timgm6mbSoundFont().empty())
        GTEST_SKIP() << "TimGM6mb not installed (timgm6mb-soundfont)";
    const model::Song song = effectsSong();
    for (int rate : {48000, 44100}) {
        const auto dry = render(song, rate, {false, false});
        ASSERT_EQ(render(song, rate, {true, false}), dry)
            << "without effects the bank plays the same samples at " << rate << " Hz";
        const auto wetOld = minus(render(song, rate, {false, true}), dry);
        const auto wetNew = minus(render(song, rate, {true, true}), dry);
        const double eOld = energy(wetOld, rate), eNew = energy(wetNew, rate);
        ASSERT_GT(eOld, 1e-3 * energy(dry, rate)) << "the song has effects to compare";
        const double level = db(eNew / eOld),
                     residual = db(energy(minus(wetNew, wetOld), rate) / eOld);
        std::printf("[ effects  ] %d Hz: shared vs per-synth level %+.3f dB, residual %.1f dB\n",
                    rate, level, residual);
        EXPECT_NEAR(level, 0.0, 0.2) << rate << " Hz";
        // What remains is the slight phase of the one unit's modulation against eight.
        EXPECT_LT(residual, -20.0) << rate << " Hz";
    }
}

namespace {

// The first sample above `threshold` at or after `from` seconds (-1 when none).
std::int64_t firstLoud(const std::vector<float>& v, int rate, double from, float threshold) {
    for (auto i = std::size_t(from * rate); i < v.size() / 2; ++i)
        if (std::max(std::fabs(v[2 * i]), std::fabs(v[2 * i + 1])) >= threshold)
            return std::int64_t(i);
    return -1;
}

} // namespace

TEST(OfflineRender, ANoteAfterALongSilenceStartsOnTimeWithItsReverb) {
    // Between the hits every synth of the bank is idle and skipped. The second hit lands on a
    // synth that has not rendered a block since the start, the third on the first hit's synth:
    // both must start on their sample and ring with the reverb their synths would have had.
    if (timgm6mbSoundFont().empty())
        GTEST_SKIP() << "TimGM6mb not installed";
    model::Song song;
    model::Track t;
    t.properties.name = "wood block";
    t.properties.channel = 9;
    t.channelEvents.push_back({0, 0xB9, 91, 127});
    const model::TrackId id = song.addTrack(t);
    // 1 tick = 50 samples at 48 kHz: ticks 480, 13441 and 24000 fall on three different
    // 8-sample phases of FluidSynth's 64-sample block (0, 50 and 0 mod 64).
    const std::vector<model::Tick> hits = {480, 13441, 24000};
    std::vector<model::Note> notes;
    for (model::Tick h : hits)
        notes.push_back(makeNote(h, 60, 76, 120, 9));
    song.addNotes(id, std::move(notes));
    const int rate = 48000;
    const auto dry = render(song, rate, {true, false});
    EXPECT_EQ(dry, render(song, rate, {false, false})) << "the same samples as every synth on";
    std::int64_t offset = 0;
    for (std::size_t k = 0; k < hits.size(); ++k) {
        const double at = song.tempoMap().tickToSeconds(hits[k]);
        const std::int64_t onset = firstLoud(dry, rate, at - 0.01, 0.002f);
        ASSERT_GE(onset, 0) << "hit " << k;
        const std::int64_t late = onset - std::int64_t(std::llround(at * rate));
        if (k == 0)
            offset = late;
        EXPECT_LE(std::abs(late - offset), 7) << "hit " << k << " within a synth's phase step";
    }
    const auto wetOld = minus(render(song, rate, {false, true}), dry);
    const auto wetNew = minus(render(song, rate, {true, true}), dry);
    for (std::size_t k = 1; k < hits.size(); ++k) {
        const double at = song.tempoMap().tickToSeconds(hits[k]);
        const double eOld = energy(wetOld, rate, at, at + 2.0);
        const double eNew = energy(wetNew, rate, at, at + 2.0);
        EXPECT_GT(eOld, 1e-4) << "hit " << k << " has a reverb tail";
        EXPECT_NEAR(db(eNew / eOld), 0.0, 0.5) << "hit " << k;
    }
}

TEST(OfflineRender, ASongEndingInReverbKeepsItsTail) {
    if (timgm6mbSoundFont().empty())
        GTEST_SKIP() << "TimGM6mb not installed";
    model::Song song = effectsSong();
    const int rate = 44100;
    const double end = song.tempoMap().tickToSeconds(3000); // the held note's end
    const auto oldFx = render(song, rate, {false, true}, 3.0);
    const auto newFx = render(song, rate, {true, true}, 3.0);
    ASSERT_EQ(newFx.size(), oldFx.size());
    EXPECT_EQ(newFx.size(), std::size_t(std::ceil(end * rate) + 3.0 * rate) * 2);
    // The release and the reverb ring on past the last note, as with every synth running.
    for (double from : {0.2, 1.0}) {
        const double eOld = energy(oldFx, rate, end + from, end + from + 0.5);
        const double eNew = energy(newFx, rate, end + from, end + from + 0.5);
        EXPECT_GT(eOld, 0.0);
        EXPECT_NEAR(db(eNew / eOld), 0.0, 0.5) << from << " s after the end";
    }
}

TEST(OfflineRender, ASongDenserThanThePolyphonyKeepsOneSynthsVoiceCount) {
    // 375 organ notes held together: one FluidSynth keeps 256 voices of them. The bank's synths
    // each have a polyphony of their own and would keep up to eight times as many; it shares
    // the 256 out between them instead, so it sounds (and costs) as one synth would.
    if (timgm6mbSoundFont().empty())
        GTEST_SKIP() << "TimGM6mb not installed";
    model::Song song;
    for (int ch = 0; ch < 16; ++ch) {
        if (ch == 9)
            continue;
        std::vector<model::Note> notes;
        for (int k = ch; k < 400; k += 16) // a different key for each note of a channel
            notes.push_back(makeNote(model::Tick(k) * 3, 4800, 30 + 3 * (k / 16), 100, ch));
        addTrack(song, "organ", std::uint8_t(ch), 16, notes);
    }
    const int rate = 48000;
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.soundFont = timgm6mbSoundFont();
    o.sampleRate = rate;
    o.reverb = o.chorus = false;
    o.tailSeconds = 0.5;
    const RenderResult bank = renderSnapshot(*snap, o);
    o.synthPhases = 1;
    const RenderResult one = renderSnapshot(*snap, o);
    ASSERT_TRUE(bank.ok && one.ok) << bank.error << one.error;
    std::printf("[ voices   ] at most %d voices in 8 synths, %d in one\n", bank.peakVoices,
                one.peakVoices);
    EXPECT_EQ(one.peakVoices, 256);
    EXPECT_GT(bank.peakVoices, 200);
    EXPECT_LE(bank.peakVoices, 256);
}
