// The GAN's sampling: how its noise carries from bar to bar (SampleRequest::noiseCarry), and
// how its decoding keeps to the key of the music before a bar (SampleRequest::outOfKeyOdds).

#include "../NeuralTestData.h"

#include "ml/neural/GanModel.h"

#include <gtest/gtest.h>

using namespace torchestra::ml;
using namespace torchestra::ml::neural;
using torchestra::ml::testdata::toyRepresentation;

namespace {

// One 4/4 bar of 16 steps: a C major chord held through it.
FrameSequence chordBar(const RepresentationConfig& rep) {
    FrameSequence seq;
    seq.resize(16, rep.pitches(), true);
    for (int s = 0; s < 16; ++s) {
        seq.stepInBeat[std::size_t(s)] = std::uint8_t(s % 4);
        seq.beatInBar[std::size_t(s)] = std::uint8_t(s / 4);
        for (int pitch : {60, 64, 67}) {
            const std::size_t i =
                std::size_t(s) * std::size_t(seq.pitches) + std::size_t(pitch - 60);
            seq.sounding[i] = 1;
            seq.onset[i] = s == 0 ? 1 : 0;
        }
        seq.velocityBin[std::size_t(s)] = s == 0 ? 2 : kNoVelocity;
    }
    return seq;
}

ModelConfig toyGanConfig() {
    ModelConfig config;
    config.kind = ModelKind::Gan;
    config.hidden = 16;
    config.noiseSize = 8;
    config.representation = toyRepresentation();
    return config;
}

// Four 4/4 bars after the C major bar, three takes.
SampleRequest fourBarsAfterTheChord(const RepresentationConfig& rep) {
    SampleRequest request;
    request.primer = chordBar(rep);
    request.future.resize(64, rep.pitches(), true);
    for (int t = 0; t < 64; ++t) {
        request.future.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        request.future.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
    }
    request.variations = 3;
    return request;
}

} // namespace

// With the generator's condition weights zeroed, a bar depends on its noise alone: carrying all
// of it (noiseCarry 1) writes the same bar throughout a take, fresh noise (0) does not.
TEST(GanSampling, NoiseCarryKeepsTheNoiseFromBarToBar) {
    const ModelConfig config = toyGanConfig();
    std::string error;
    const std::unique_ptr<GanModel> model = createGanModel(config, 7, error);
    ASSERT_NE(model, nullptr) << error;
    {
        torch::NoGradGuard noGrad;
        GanGenerator g = model->generator();
        auto params = g->named_parameters();
        for (const char* name : {"condIn.weight", "condIn.bias", "condOut.weight", "condOut.bias"})
            params[name].zero_();
        params["fromNoise.weight"].narrow(1, config.noiseSize, GanShape::kGlobalChannels).zero_();
        // Sure outputs, so that the decoding's weights (BarDecoding: a sounding pitch goes on
        // sounding more easily) do not decide what sounds: the noise does.
        params["out.weight"].mul_(1000);
        params["out.bias"].mul_(1000);
    }
    const auto barOf = [&](const FrameSequence& take, int bar) {
        return std::vector<std::uint8_t>(
            take.sounding.begin() + std::ptrdiff_t(bar * 16 * take.pitches),
            take.sounding.begin() + std::ptrdiff_t((bar + 1) * 16 * take.pitches));
    };
    SampleRequest request = fourBarsAfterTheChord(config.representation);
    request.noiseCarry = 1.0;
    for (const FrameSequence& take : model->sample(request, nullptr))
        for (int bar = 1; bar < 4; ++bar)
            EXPECT_EQ(barOf(take, bar), barOf(take, 0)) << "bar " << bar;
    request.noiseCarry = 0.0;
    int differ = 0;
    for (const FrameSequence& take : model->sample(request, nullptr))
        for (int bar = 1; bar < 4; ++bar)
            differ += barOf(take, bar) != barOf(take, 0);
    EXPECT_GT(differ, 0);
}

// With odds of 0 on a new note outside the key of the music before its bar, the takes after a
// C major chord sound only notes of C major; the random generator, left to itself, sounds
// others too.
TEST(GanSampling, OutOfKeyOddsKeepTheKeyOfTheMusicBefore) {
    const ModelConfig config = toyGanConfig();
    std::string error;
    const std::unique_ptr<GanModel> model = createGanModel(config, 11, error);
    ASSERT_NE(model, nullptr) << error;
    SampleRequest request = fourBarsAfterTheChord(config.representation);
    const auto outsideCMajor = [&](long& inKey) {
        long outside = 0;
        inKey = 0;
        for (const FrameSequence& take : model->sample(request, nullptr))
            for (int t = 0; t < take.steps; ++t)
                for (int p = 0; p < take.pitches; ++p) {
                    const int pc = (config.representation.lowPitch + p) % 12;
                    const bool diatonic = pc != 1 && pc != 3 && pc != 6 && pc != 8 && pc != 10;
                    (diatonic ? inKey : outside) += take.sounds(t, p);
                }
        return outside;
    };
    long inKey = 0;
    request.outOfKeyOdds = 0.0;
    EXPECT_EQ(outsideCMajor(inKey), 0);
    EXPECT_GT(inKey, 0);
    request.outOfKeyOdds = 1.0;
    EXPECT_GT(outsideCMajor(inKey), 0);
}

// The hold odds (SampleRequest::holdOdds) weigh a sounding pitch's odds to go on sounding: the
// same draws of a random generator, whose probabilities are middling, hold their notes longer
// at higher odds.
TEST(GanSampling, HoldOddsSetHowLongNotesLast) {
    const ModelConfig config = toyGanConfig();
    std::string error;
    const std::unique_ptr<GanModel> model = createGanModel(config, 13, error);
    ASSERT_NE(model, nullptr) << error;
    SampleRequest request = fourBarsAfterTheChord(config.representation);
    const auto stepsANote = [&](double holdOdds) {
        request.holdOdds = holdOdds;
        long sounding = 0, onsets = 0;
        for (const FrameSequence& take : model->sample(request, nullptr))
            for (int t = 0; t < take.steps; ++t)
                for (int p = 0; p < take.pitches; ++p) {
                    sounding += take.sounds(t, p);
                    onsets += take.sounds(t, p) && take.starts(t, p);
                }
        EXPECT_GT(onsets, 0) << "hold odds " << holdOdds;
        return double(sounding) / double(std::max(1L, onsets));
    };
    const double low = stepsANote(0.2), even = stepsANote(1), own = stepsANote(-1);
    EXPECT_GT(even, low);
    EXPECT_GT(own, even) << "the decoding's own odds, 10";
}
