// Offline render checked as audio (as FluidSynth's own test_fast_render does): onsets detected in
// the rendered samples against the tempo map's times, silence where nothing plays, and clear
// errors for missing or broken SoundFonts.
#include "TestSongs.h"
#include "playback/OfflineRenderer.h"
#include "playback/PlaybackSnapshot.h"
#include "playback/SoundFontLocator.h"
#include "playback/WavWriter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace torchestra;
using namespace torchestra::playback;
using namespace torchestra::playback::test;

namespace {

std::string testSoundFont() {
    if (std::string timgm = timgm6mbSoundFont(); !timgm.empty())
        return timgm;
    SoundFontLocator locator;
    std::string err;
    return locator.locate(err);
}

// Onsets: the first sample whose magnitude passes `threshold` after at least `quietFrames` of
// samples below it. The hits are short and spaced, so this simple detector is exact enough to
// see single samples.
std::vector<std::int64_t> detectOnsets(const std::vector<float>& stereo, float threshold,
                                       int quietFrames) {
    std::vector<std::int64_t> onsets;
    int quiet = quietFrames;
    const std::size_t frames = stereo.size() / 2;
    for (std::size_t i = 0; i < frames; ++i) {
        const float v = std::max(std::fabs(stereo[2 * i]), std::fabs(stereo[2 * i + 1]));
        if (v >= threshold) {
            if (quiet >= quietFrames)
                onsets.push_back(std::int64_t(i));
            quiet = 0;
        } else {
            ++quiet;
        }
    }
    return onsets;
}

struct OnsetCheck {
    std::size_t expected = 0, found = 0;
    double spreadMs = 0;   // max - min of (detected - expected)
    double maxErrorMs = 0; // after removing the median offset
};

OnsetCheck checkOnsets(int phases, int sampleRate, RenderResult* out = nullptr) {
    std::vector<model::Tick> ticks;
    model::Song song = onsetSong(&ticks);
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.soundFont = testSoundFont();
    o.sampleRate = sampleRate;
    o.reverb = false; // a dry signal: the silence between hits is true silence
    o.chorus = false;
    o.synthPhases = phases;
    o.tailSeconds = 0.5;
    RenderResult r = renderSnapshot(*snap, o);
    EXPECT_TRUE(r.ok) << r.error;
    OnsetCheck c;
    c.expected = ticks.size();
    auto onsets = detectOnsets(r.interleaved, 0.002f, sampleRate / 20);
    c.found = onsets.size();
    if (onsets.size() == ticks.size()) {
        std::vector<double> diff;
        for (std::size_t i = 0; i < ticks.size(); ++i)
            diff.push_back(double(onsets[i]) -
                           song.tempoMap().tickToSeconds(ticks[i]) * sampleRate);
        std::vector<double> sorted = diff;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        c.spreadMs = (sorted.back() - sorted.front()) * 1000.0 / sampleRate;
        if (std::getenv("TORCHESTRA_DEBUG_ONSETS"))
            for (double d : diff)
                std::printf("%.1f ", d);
        for (double d : diff)
            c.maxErrorMs = std::max(c.maxErrorMs, std::fabs(d - median) * 1000.0 / sampleRate);
    }
    if (out)
        *out = std::move(r);
    return c;
}

} // namespace

TEST(OfflineRender, OnsetsAreSampleAccurateThroughTempoChanges) {
    if (testSoundFont().empty())
        GTEST_SKIP() << "no GM SoundFont installed (timgm6mb-soundfont)";
    for (int rate : {48000, 44100}) {
        RenderResult r;
        OnsetCheck c = checkOnsets(8, rate, &r);
        ASSERT_EQ(c.found, c.expected) << "at " << rate << " Hz";
        std::printf("[ onsets   ] %d Hz, 8 staggered synths: spread %.3f ms, max error after "
                    "offset %.3f ms\n",
                    rate, c.spreadMs, c.maxErrorMs);
        EXPECT_LE(c.maxErrorMs, 0.25) << "at " << rate << " Hz";
        EXPECT_EQ(r.lateEvents, 0u);
    }
}

TEST(OfflineRender, PlainFluidSynthBlockTimingWouldMissTheMark) {
    // The same render with one synth shows why the bank exists: events snap to 64-sample blocks.
    if (testSoundFont().empty())
        GTEST_SKIP() << "no GM SoundFont installed";
    OnsetCheck c = checkOnsets(1, 48000);
    ASSERT_EQ(c.found, c.expected);
    std::printf("[ onsets   ] 48000 Hz, one synth (FluidSynth's own timing): spread %.3f ms\n",
                c.spreadMs);
    EXPECT_GT(c.spreadMs, 0.5);
}

TEST(OfflineRender, SilentWhereNothingPlays) {
    if (testSoundFont().empty())
        GTEST_SKIP() << "no GM SoundFont installed";
    std::vector<model::Tick> ticks;
    model::Song song = onsetSong(&ticks);
    RenderResult r;
    checkOnsets(8, 48000, &r);
    ASSERT_TRUE(r.ok);
    const auto& map = song.tempoMap();
    auto rms = [&](double from, double to) {
        double sum = 0;
        std::size_t n = 0;
        for (auto i = std::size_t(from * 48000) * 2; i < std::size_t(to * 48000) * 2; ++i, ++n)
            sum += double(r.interleaved[i]) * r.interleaved[i];
        return std::sqrt(sum / double(std::max<std::size_t>(1, n)));
    };
    // Before the first hit, and in the gap between hit 24 and hit 25 (ticks[23]..ticks[24]).
    EXPECT_LT(rms(0.0, map.tickToSeconds(ticks[0]) - 0.001), 1e-6);
    const double gapStart = map.tickToSeconds(ticks[23]) + 0.6;
    const double gapEnd = map.tickToSeconds(ticks[24]) - 0.001;
    ASSERT_GT(gapEnd - gapStart, 0.5);
    EXPECT_LT(rms(gapStart, gapEnd), 1e-4);
    // And the hits themselves are loud.
    const double hit = map.tickToSeconds(ticks[5]);
    EXPECT_GT(rms(hit, hit + 0.02), 0.01);
}

TEST(OfflineRender, WavRoundTripAndLength) {
    if (testSoundFont().empty())
        GTEST_SKIP() << "no GM SoundFont installed";
    model::Song song;
    addTrack(song, "piano", 0, 0, {makeNote(0, 960, 60), makeNote(960, 960, 64)});
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.tailSeconds = 1.0;
    o.sampleRate = 22050;
    const std::string path = "/tmp/torchestra-render-test-" + std::to_string(::getpid()) + ".wav";
    RenderResult r = renderToWavFile(*snap, path, o);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_NEAR(r.seconds, 2.0 + 1.0, 1e-3);
    WavData w = readWavFile(path);
    ASSERT_TRUE(w.ok) << w.error;
    EXPECT_EQ(w.channels, 2);
    EXPECT_EQ(w.sampleRate, 22050);
    EXPECT_EQ(w.frames(), std::size_t(3.0 * 22050));
    float peak = 0;
    for (float v : w.interleaved)
        peak = std::max(peak, std::fabs(v));
    EXPECT_GT(peak, 0.02f);
    EXPECT_LT(peak, 1.0f);
    std::remove(path.c_str());
}

TEST(OfflineRender, ReportsProgressUpToTheEndAndCancelWritesNothing) {
    if (testSoundFont().empty())
        GTEST_SKIP() << "no GM SoundFont installed";
    model::Song song;
    addTrack(song, "piano", 0, 0, {makeNote(0, 960, 60), makeNote(960, 960, 64)});
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.soundFont = testSoundFont();
    o.sampleRate = 22050;
    o.tailSeconds = 0.5;
    std::vector<double> reports;
    o.progress = [&reports](double done) { reports.push_back(done); };
    RenderResult r = renderSnapshot(*snap, o);
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_GT(reports.size(), 10u) << "a report per block";
    EXPECT_TRUE(std::is_sorted(reports.begin(), reports.end())) << "never goes back";
    EXPECT_GT(reports.front(), 0.0);
    EXPECT_DOUBLE_EQ(reports.back(), 1.0);

    // Cancelled from the progress report (as a GUI's Cancel would, from another thread): the
    // render stops and no file appears.
    const std::string path = "/tmp/torchestra-cancel-test-" + std::to_string(::getpid()) + ".wav";
    std::atomic<bool> cancel{false};
    int calls = 0;
    o.progress = [&](double done) {
        ++calls;
        if (done > 0.3)
            cancel = true;
    };
    r = renderToWavFile(*snap, path, o, &cancel);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "cancelled");
    EXPECT_LT(calls, int(reports.size())) << "stopped early";
    EXPECT_FALSE(std::ifstream(path).good()) << "a cancelled render writes no file";
}

TEST(OfflineRender, ARateFluidSynthCannotRenderIsRefused) {
    // Above 96 kHz FluidSynth keeps 44.1 kHz: the file would play at the wrong speed.
    model::Song song;
    addTrack(song, "piano", 0, 0, {makeNote(0, 480, 60)});
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.soundFont = "/nonexistent/Missing.sf2"; // refused before the SoundFont is looked at
    o.sampleRate = 192000;
    RenderResult r = renderSnapshot(*snap, o);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("8000..96000"), std::string::npos) << r.error;
}

TEST(OfflineRender, MissingSoundFontGivesAClearError) {
    model::Song song;
    addTrack(song, "piano", 0, 0, {makeNote(0, 480, 60)});
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.soundFont = "/nonexistent/Missing.sf2";
    RenderResult r = renderSnapshot(*snap, o);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("/nonexistent/Missing.sf2"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("not found"), std::string::npos) << r.error;
}

TEST(OfflineRender, BrokenSoundFontGivesAClearError) {
    const std::string path = "/tmp/torchestra-broken-" + std::to_string(::getpid()) + ".sf2";
    {
        std::ofstream f(path, std::ios::binary);
        // A valid RIFF/sfbk header over garbage: only FluidSynth's parser can refuse it.
        static const char raw[] = "RIFF\x30\x00\x00\x00sfbkLIST\x04\x00\x00\x00junk garbage";
        const std::string bytes(raw, sizeof raw - 1); // the length of the literal, NULs included
        f << bytes;
    }
    model::Song song;
    addTrack(song, "piano", 0, 0, {makeNote(0, 480, 60)});
    auto snap = PlaybackSnapshot::fromSong(song);
    RenderOptions o;
    o.soundFont = path;
    RenderResult r = renderSnapshot(*snap, o);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find(path), std::string::npos) << r.error;
    std::printf("[ error    ] %s\n", r.error.c_str());

    o.soundFont = "/etc/hostname";
    r = renderSnapshot(*snap, o);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("not a SoundFont"), std::string::npos) << r.error;
    std::remove(path.c_str());
}

TEST(SoundFontLocator, FindsProjectFolderFirstAndRemembersChoice) {
    char tmpl[] = "/tmp/torchestra-sf-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl;
    ASSERT_EQ(::setenv("TORCHESTRA_CONFIG_DIR", (dir + "/config").c_str(), 1), 0);
    SoundFontLocator locator;
    locator.addProjectDir(dir);
    std::string err;
    const std::string system = locator.locate(err);
    if (system.empty())
        GTEST_SKIP() << err;
    // A SoundFont in the project's soundfonts/ wins over the system ones.
    ASSERT_EQ(::system(("mkdir -p " + dir + "/soundfonts && cp " + system + " " + dir +
                        "/soundfonts/Project.sf2")
                           .c_str()),
              0);
    EXPECT_EQ(locator.locate(err), dir + "/soundfonts/Project.sf2");
    // A remembered choice wins over both; a broken choice is refused and not remembered.
    EXPECT_NE(SoundFontLocator::rememberChoice("/etc/hostname"), "");
    EXPECT_EQ(SoundFontLocator::rememberChoice(system), "");
    EXPECT_EQ(SoundFontLocator::rememberedChoice(), system);
    EXPECT_EQ(locator.locate(err), system);
    ::unsetenv("TORCHESTRA_CONFIG_DIR");
    ASSERT_EQ(::system(("rm -rf " + dir).c_str()), 0);
}

namespace {

// A file that passes the SoundFont check (a RIFF 'sfbk' header): enough for the search.
void writeFakeSoundFont(const std::string& path) {
    ASSERT_EQ(::system(("mkdir -p '" + path.substr(0, path.rfind('/')) + "'").c_str()), 0);
    std::ofstream(path, std::ios::binary) << std::string("RIFF\4\0\0\0sfbk", 12);
}

} // namespace

TEST(SoundFontLocator, LooksBesideTheProgramAndInTheUsersFolderNeverInTheWorkingDirectory) {
    char tmpl[] = "/tmp/torchestra-sf-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl;
    ASSERT_EQ(::setenv("TORCHESTRA_CONFIG_DIR", (dir + "/config").c_str(), 1), 0);
    ASSERT_EQ(::setenv("XDG_DATA_HOME", (dir + "/data").c_str(), 1), 0);
    writeFakeSoundFont(dir + "/soundfonts/Here.sf2");
    char old[4096];
    ASSERT_NE(::getcwd(old, sizeof old), nullptr);
    ASSERT_EQ(::chdir(dir.c_str()), 0);

    // <prefix>/bin/x finds <prefix>/share/torchestra/soundfonts; then the user's folder.
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
    const std::vector<std::string> folders = SoundFontLocator::programFolders();
    ASSERT_EQ(folders.size(), 2u);
    EXPECT_EQ(folders[0],
              (exe.parent_path() / "../share/torchestra/soundfonts").lexically_normal().string());
    EXPECT_EQ(folders[1], dir + "/data/torchestra/soundfonts");
    EXPECT_EQ(SoundFontLocator().folders(), folders);
    for (const std::string& c : SoundFontLocator().candidates())
        EXPECT_EQ(c.find("Here.sf2"), std::string::npos) << c; // not the working directory's

    // One in the user's folder comes before Debian's.
    writeFakeSoundFont(dir + "/data/torchestra/soundfonts/Mine.sf2");
    std::string err;
    EXPECT_EQ(SoundFontLocator().locate(err), dir + "/data/torchestra/soundfonts/Mine.sf2") << err;

    ASSERT_EQ(::chdir(old), 0);
    ::unsetenv("XDG_DATA_HOME");
    ::unsetenv("TORCHESTRA_CONFIG_DIR");
    ASSERT_EQ(::system(("rm -rf " + dir).c_str()), 0);
}

TEST(SoundFontLocator, FindingNoneSaysWhereItLookedAndWhatToDo) {
    char tmpl[] = "/tmp/torchestra-sf-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl;
    ASSERT_EQ(::setenv("TORCHESTRA_CONFIG_DIR", (dir + "/config").c_str(), 1), 0);
    // A machine without SoundFonts: no program folder, no Debian paths.
    SoundFontLocator locator = SoundFontLocator::withoutDefaults();
    locator.addProjectDir(dir);
    EXPECT_TRUE(locator.candidates().empty());
    std::string err;
    EXPECT_EQ(locator.locate(err), "");
    EXPECT_NE(err.find(dir + "/soundfonts/"), std::string::npos) << err;
    EXPECT_NE(err.find("timgm6mb-soundfont"), std::string::npos) << err;
    writeFakeSoundFont(dir + "/soundfonts/Project.sf2");
    EXPECT_EQ(locator.locate(err), dir + "/soundfonts/Project.sf2");
    ::unsetenv("TORCHESTRA_CONFIG_DIR");
    ASSERT_EQ(::system(("rm -rf " + dir).c_str()), 0);
}
