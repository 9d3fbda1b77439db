// The GAN's sampling: how its noise carries from bar to bar (SampleRequest::noiseCarry).

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

} // namespace

// With the generator's condition weights zeroed, a bar depends on its noise alone: carrying all
// of it (noiseCarry 1) writes the same bar throughout a take, fresh noise (0) does not.
TEST(GanSampling, NoiseCarryKeepsTheNoiseFromBarToBar) {
    ModelConfig config;
    config.kind = ModelKind::Gan;
    config.hidden = 16;
    config.noiseSize = 8;
    config.representation = toyRepresentation();
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
    SampleRequest request;
    request.primer = chordBar(config.representation);
    request.future.resize(64, config.representation.pitches(), true);
    for (int t = 0; t < 64; ++t) {
        request.future.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        request.future.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
    }
    request.variations = 3;
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
