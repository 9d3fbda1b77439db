// The GAN's sampling: how its noise carries from bar to bar (SampleRequest::noiseCarry), how
// its decoding keeps to the key of the music before a bar (SampleRequest::outOfKeyOdds), holds
// its notes (holdOdds), keeps them sounding for a shortest note (shortestNote, or its primer's)
// and fills thin steps up to a floor on notes at once (minPolyphony).

#include "../NeuralTestData.h"

#include "ml/neural/GanBars.h"
#include "ml/neural/GanHarmonyPlan.h"
#include "ml/neural/GanModel.h"

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>

using namespace torchestra::ml;
using namespace torchestra::ml::neural;
using torchestra::ml::testdata::toyRepresentation;

namespace {

// 4/4 bars of 16 steps, each a chord held through it.
FrameSequence chordBars(const RepresentationConfig& rep,
                        const std::vector<std::vector<int>>& chords) {
    FrameSequence seq;
    seq.resize(16 * int(chords.size()), rep.pitches(), true);
    for (int s = 0; s < seq.steps; ++s) {
        seq.stepInBeat[std::size_t(s)] = std::uint8_t(s % 4);
        seq.beatInBar[std::size_t(s)] = std::uint8_t(s / 4 % 4);
        for (int pitch : chords[std::size_t(s / 16)]) {
            const std::size_t i =
                std::size_t(s) * std::size_t(seq.pitches) + std::size_t(pitch - 60);
            seq.sounding[i] = 1;
            seq.onset[i] = s % 16 == 0 ? 1 : 0;
        }
        seq.velocityBin[std::size_t(s)] = s % 16 == 0 ? 2 : kNoVelocity;
    }
    return seq;
}

// One bar of a C major chord.
FrameSequence chordBar(const RepresentationConfig& rep) {
    return chordBars(rep, {{60, 64, 67}});
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

// A GAN's bar of `pitches` pitches from middle C up, and the representation of the same.
GanShape shapeFromMiddleC(int pitches) {
    GanShape shape;
    shape.pitches = pitches;
    shape.lowPitch = 60;
    return shape;
}
RepresentationConfig representationFromMiddleC(int pitches) {
    RepresentationConfig rep;
    rep.lowPitch = 60;
    rep.highPitch = 60 + pitches - 1;
    return rep;
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

// A shortest note (BarDecoding::shortestNote) keeps each note the decoding starts sounding for
// that many steps, struck once, where the generator's probabilities would end it or strike it
// again; a note from the bar before counts its steps there, and the end of the music cuts one.
TEST(GanSampling, AShortestNoteKeepsNotesSoundingThatLong) {
    const GanShape shape = shapeFromMiddleC(3);
    const int P = shape.pitches, S = shape.steps;
    // Pitch 0 sure on each beat, pitch 2 on every other step, pitch 1 on the bar's last step
    // alone, each struck where sure; 0.1 elsewhere but for pitch 1 (0).
    std::vector<float> prob(std::size_t(shape.barSize()), 0.f);
    for (int s = 0; s < S; ++s) {
        const float sure[] = {s % 4 == 0 ? 0.9f : 0.1f, s == S - 1 ? 0.9f : 0.f,
                              s % 2 == 0 ? 0.9f : 0.1f};
        for (int p = 0; p < P; ++p) {
            prob[std::size_t((P + p) * S + s)] = sure[p];
            prob[std::size_t(p * S + s)] = sure[p] > 0.5f ? 0.9f : 0.f;
        }
        prob[std::size_t(2 * P * S + s)] = 0.5f;
    }
    const SamplingConstraints constraints(representationFromMiddleC(P), SampleConstraints{});
    using Notes = std::vector<std::pair<int, int>>; // (first step, steps)
    const auto notesOf = [&](int shortest) {
        BarDecoding decoding;
        decoding.holdOdds = 1; // the generator's probabilities as they are
        decoding.shortestNote = shortest;
        FrameSequence out;
        out.resize(2 * S, P, true);
        std::vector<int> scratch;
        for (const int from : {0, S})
            decodeBar(prob.data(), shape, S, constraints, decoding, nullptr, out, from, scratch);
        std::vector<Notes> notes(static_cast<std::size_t>(P));
        for (int p = 0; p < P; ++p)
            for (int t = 0; t < out.steps; ++t)
                if (out.beginsNote(t, p))
                    notes[std::size_t(p)].emplace_back(t, 1);
                else if (out.sounds(t, p))
                    ++notes[std::size_t(p)].back().second;
        return notes;
    };
    for (const int shortest : {1, 2, 3}) {
        std::vector<Notes> expected(static_cast<std::size_t>(P));
        for (int t = 0; t < 2 * S; t += 4)
            expected[0].emplace_back(t, shortest);
        for (int t = 0; t < 2 * S; t += shortest == 3 ? 4 : 2)
            expected[2].emplace_back(t, shortest);
        expected[1] = {{S - 1, shortest}, {2 * S - 1, 1}};
        EXPECT_EQ(notesOf(shortest), expected) << "shortest note " << shortest;
    }
    EXPECT_EQ(barDecoding(SampleRequest{}).shortestNote, 1);
    SampleRequest request;
    request.shortestNote = 2;
    EXPECT_EQ(barDecoding(request).shortestNote, 2);
}

// A take can keep its primer's pace (kShortestNoteOfPrimer): its shortest note is the shortest
// of those its primer's last bar starts and ends, up to a beat (with no primer, the first bar
// after an infill's), any length where there is none.
TEST(GanSampling, ATakesShortestNoteCanBeItsPrimers) {
    const RepresentationConfig rep = representationFromMiddleC(3);
    const auto withNotes = [](std::initializer_list<std::array<int, 3>> notes) {
        FrameSequence seq; // two bars of 16 steps; notes as (pitch, first step, steps)
        seq.resize(32, 3, true);
        for (const auto& [p, from, steps] : notes)
            for (int t = from; t < from + steps; ++t) {
                seq.sounding[std::size_t(t * 3 + p)] = 1;
                seq.onset[std::size_t(t * 3 + p)] = t == from ? 1 : 0;
            }
        return seq;
    };
    // A sixteenth in the first bar, a note across the bar line, two quarters struck one after
    // the other, a dotted eighth, and a note still sounding at the end.
    const FrameSequence primer =
        withNotes({{0, 0, 1}, {1, 12, 6}, {0, 16, 4}, {0, 20, 4}, {2, 24, 3}, {1, 29, 3}});
    EXPECT_EQ(primerShortestNote(primer, {16, 32}, 8), 3);
    EXPECT_EQ(primerShortestNote(primer, {16, 32}, 2), 2) << "capped";
    EXPECT_EQ(primerShortestNote(primer, {0, 16}, 8), 1);
    EXPECT_EQ(primerShortestNote(primer, {28, 32}, 8), 0) << "a note the end cuts says nothing";

    SampleRequest request;
    request.shortestNote = kShortestNoteOfPrimer;
    FrameSequence take;
    take.resize(16, 3, true);
    const auto shortestFor = [&](const FrameSequence& given) {
        request.primer = given;
        return KeyedDecoding(request, rep, 16, 1).forBar(0, take, 0).shortestNote;
    };
    EXPECT_EQ(shortestFor(primer), 3);
    EXPECT_EQ(shortestFor(withNotes({{0, 16, 8}})), rep.stepsPerBeat) << "a beat at most";
    EXPECT_EQ(shortestFor(withNotes({{0, 24, 8}})), 1) << "no note ended: any length";
    EXPECT_EQ(shortestFor(FrameSequence{}), 1) << "no primer: any length";
    // An infill with no bar before it (a song's first bars regenerated) keeps the pace of the
    // bar after it: the first bar of what follows, not its last.
    request.following = withNotes({{0, 0, 2}, {2, 2, 14}, {1, 16, 1}, {1, 17, 15}});
    EXPECT_EQ(shortestFor(FrameSequence{}), 2) << "the bar after's";
    EXPECT_EQ(shortestFor(primer), 3) << "the bar before comes first";
    request.shortestNote = 2;
    request.following = withNotes({{0, 0, 3}});
    EXPECT_EQ(shortestFor(FrameSequence{}), 2) << "a shortest note given is kept";
    EXPECT_EQ(shortestFor(primer), 2) << "a shortest note given is kept";
}

// A floor on notes at once (SampleConstraints::minPolyphony) fills each thinner step that
// sounds from the generator's next most probable pitches, however unlikely, within the scale
// asked for, and never a silent step.
TEST(GanSampling, AFloorOnNotesAtOnceFillsThinSteps) {
    const GanShape shape = shapeFromMiddleC(8);
    const int P = shape.pitches, S = shape.steps;
    // Sounding probabilities: C 0.9, C# 0.6 (outside the scale), D# 0.3, F 0.2, F# 0.01, and
    // nothing at steps 8-11; onsets 0, velocities 0.5.
    std::vector<float> prob(std::size_t(shape.barSize()), 0.f);
    for (int s = 0; s < S; ++s) {
        if (s >= 8 && s < 12)
            continue;
        for (const auto& [p, q] : {std::pair{0, 0.9f}, {1, 0.6f}, {3, 0.3f}, {5, 0.2f}, {6, 0.01f}})
            prob[std::size_t((P + p) * S + s)] = q;
        prob[std::size_t(2 * P * S + s)] = 0.5f;
    }
    const RepresentationConfig rep = representationFromMiddleC(P);
    const auto decoded = [&](int floor) {
        SampleConstraints c;
        c.scaleMask = 0x0FFF & ~(1u << 1); // no C#
        c.minPolyphony = floor;
        const SamplingConstraints constraints(rep, c);
        FrameSequence out;
        out.resize(S, P, true);
        std::vector<int> scratch;
        decodeBar(prob.data(), shape, S, constraints, BarDecoding{}, nullptr, out, 0, scratch);
        return out;
    };
    const FrameSequence alone = decoded(0), filled = decoded(3), six = decoded(6);
    for (int s = 0; s < S; ++s) {
        const bool silent = s >= 8 && s < 12;
        EXPECT_EQ(alone.notesAt(s), silent ? 0 : 1) << s;
        EXPECT_EQ(filled.notesAt(s), silent ? 0 : 3) << s;
        EXPECT_EQ(six.notesAt(s), silent ? 0 : 6) << s << ": from pitches of 0.01 and 0 too";
        if (!silent) {
            EXPECT_TRUE(filled.sounds(s, 0) && filled.sounds(s, 3) && filled.sounds(s, 5)) << s;
            EXPECT_FALSE(filled.sounds(s, 1) || six.sounds(s, 1)) << "outside the scale";
        }
    }
}

// The harmony guidance reaches the profile each bar is conditioned on: an untrained GAN's empty
// plan asks for nothing (a silent profile), and at guidance 0.5 for half the way back to the
// bar before's own profile instead. Decoded at even hold odds, where a random generator's
// middling probabilities show a change of condition, its takes change; at 1 (or negative) not.
// A plan with quarters is built from music here: an empty one's quarters are silent, and a
// quarter of rest stays one however far it is pushed.
TEST(GanSampling, HarmonyGuidanceMovesTheProfileEachBarIsAskedFor) {
    for (const bool quarters : {false, true}) {
        ModelConfig config = toyGanConfig();
        ASSERT_TRUE(config.harmonyPlan);
        config.harmonyQuarters = quarters;
        std::string error;
        const std::unique_ptr<GanModel> untrained = createGanModel(config, 13, error);
        ASSERT_NE(untrained, nullptr) << error;
        const std::vector<FrameSequence> music(
            4, chordBars(config.representation, {{60, 64, 67}, {60, 65, 69}, {62, 67, 71}}));
        const GanModel model(config, untrained->generator(), untrained->critic(), {},
                             quarters ? std::make_shared<const HarmonyPlan>(HarmonyPlan::fromPieces(
                                            music, untrained->shape(), 16, true))
                                      : nullptr);
        SampleRequest request = fourBarsAfterTheChord(config.representation);
        request.holdOdds = 1;
        const auto takes = [&](double guidance) {
            request.harmonyGuidance = guidance;
            std::vector<std::uint8_t> all;
            for (const FrameSequence& take : model.sample(request, nullptr))
                all.insert(all.end(), take.sounding.begin(), take.sounding.end());
            return all;
        };
        const std::vector<std::uint8_t> own = takes(-1);
        ASSERT_FALSE(own.empty());
        EXPECT_EQ(takes(1.0), own) << "quarters " << quarters;
        EXPECT_NE(takes(0.5), own) << "quarters " << quarters;
    }
}
