// The GAN through the interfaces every model kind shares: training (learning a toy pattern,
// from memory and streamed, cancel, too little data, resume), sampling (continuation, infill,
// seeds, constraints) and checkpoints (round trip, corrupt and truncated files).

#include "NeuralTestData.h"
#include "common/TempDir.h"

#include "ml/Checkpoint.h"
#include "ml/ModelRegistry.h"
#include "ml/Trainer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <numeric>
#include <set>
#include <thread>

using namespace torchestra::ml;
using namespace torchestra::ml::testdata;

namespace {

// Two chords in one octave from middle C, each held for a whole 4/4 bar of 16 steps, the first
// struck soft and the second loud.
const std::set<int> kChordA = {60, 64, 67}; // C major
const std::set<int> kChordB = {62, 65, 69}; // D minor
constexpr std::uint8_t kSoftBin = 1, kLoudBin = 3;

void writeChordBar(FrameSequence& seq, int bar, const std::set<int>& chord,
                   const RepresentationConfig& rep) {
    for (int s = 0; s < 16; ++s) {
        const int t = bar * 16 + s;
        seq.stepInBeat[std::size_t(t)] = std::uint8_t(s % 4);
        seq.beatInBar[std::size_t(t)] = std::uint8_t(s / 4);
        for (int pitch : chord) {
            const std::size_t i =
                std::size_t(t) * std::size_t(seq.pitches) + std::size_t(pitch - rep.lowPitch);
            seq.sounding[i] = 1;
            seq.onset[i] = s == 0 ? 1 : 0;
        }
        seq.velocityBin[std::size_t(t)] =
            s == 0 ? (chord == kChordA ? kSoftBin : kLoudBin) : kNoVelocity;
    }
}

// Bars alternating A, B, A, B ... (or starting with B).
FrameSequence alternating(const RepresentationConfig& rep, int bars, bool startWithA) {
    FrameSequence seq;
    seq.resize(bars * 16, rep.pitches(), true);
    for (int b = 0; b < bars; ++b)
        writeChordBar(seq, b, (b % 2 == 0) == startWithA ? kChordA : kChordB, rep);
    return seq;
}

Dataset chordDataset() {
    Dataset d;
    d.representation = toyRepresentation();
    for (int i = 0; i < 8; ++i)
        d.train.push_back(alternating(d.representation, 16, i % 2 == 0));
    d.valid.push_back(alternating(d.representation, 10, true));
    return d;
}

ModelConfig toyGanConfig(const RepresentationConfig& rep) {
    ModelConfig c;
    c.kind = ModelKind::Gan;
    c.hidden = 32;
    c.noiseSize = 16;
    c.representation = rep;
    return c;
}

TrainOptions toyGanOptions() {
    TrainOptions o = defaultTrainOptions(ModelKind::Gan);
    o.batchSize = 32;
    o.learningRate = 1e-3;
    o.transpose = 0; // the toy's chords are absolute
    o.stepsPerEpoch = 40;
    o.epochs = 8;
    o.patience = 8;
    o.maxMinutes = 0;
    o.threads = 1;
    // Whether the toy learned its velocities in this short a run once depended on the
    // trajectory (with every chord at bin 2, over seeds 1-64 it did for 19 to 34). With a soft
    // and a loud chord, seeds 1-12 all learn their order (session 18).
    o.seed = 3;
    return o;
}

// The pitches that sound in most steps of bar `bar` of a take.
std::set<int> chordOf(const FrameSequence& take, int bar, const RepresentationConfig& rep) {
    std::set<int> out;
    for (int p = 0; p < take.pitches; ++p) {
        int steps = 0;
        for (int s = 0; s < 16; ++s)
            steps += take.sounds(bar * 16 + s, p);
        if (steps > 8)
            out.insert(rep.lowPitch + p);
    }
    return out;
}

std::shared_ptr<SequenceModel> trainedToyGan() {
    static std::shared_ptr<SequenceModel> model = [] {
        const Dataset data = chordDataset();
        std::atomic<bool> cancel{false};
        const TrainResult r =
            trainModel(data, toyGanConfig(data.representation), toyGanOptions(), cancel, {});
        EXPECT_EQ(r.status, TrainStatus::Finished) << r.error;
        return r.model;
    }();
    return model;
}

SampleRequest continuation(const RepresentationConfig& rep, int bars, std::uint64_t seed) {
    SampleRequest request;
    request.primer = alternating(rep, 1, true); // one bar of A
    request.future = alternating(rep, bars, false);
    request.seed = seed;
    request.variations = 4;
    return request;
}

} // namespace

TEST(Gan, IsARegisteredKindWithoutALikelihood) {
    ASSERT_NE(findModelKind(ModelKind::Gan), nullptr);
    ModelKind parsed = ModelKind::Markov;
    ASSERT_TRUE(parseModelKind("gan", parsed));
    EXPECT_EQ(parsed, ModelKind::Gan);
    EXPECT_EQ(describeModel(toyGanConfig(toyRepresentation())),
              "GAN width 32, noise 16, bars of 16 steps");
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    EXPECT_FALSE(model->hasLikelihood());
}

// Trained for seconds on bars that alternate between two chords, it continues a bar of A with
// B, A, B, ... : at least 90% of the generated bars are the right chord.
TEST(Gan, LearnsTwoAlternatingChords) {
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    const RepresentationConfig rep = model->representation();
    const std::vector<FrameSequence> takes = model->sample(continuation(rep, 8, 11));
    ASSERT_EQ(takes.size(), 4u);
    int right = 0, bars = 0;
    for (const FrameSequence& take : takes) {
        ASSERT_EQ(take.steps, 8 * 16);
        for (int b = 0; b < 8; ++b, ++bars)
            right += chordOf(take, b, rep) == (b % 2 == 0 ? kChordB : kChordA);
    }
    EXPECT_GE(right, bars * 9 / 10) << right << " of " << bars << " bars right";
}

// Infill: with no bar before, the bar after decides (A is preceded by B and B by A).
TEST(Gan, InfillIsConditionedOnTheBarAfter) {
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    const RepresentationConfig rep = model->representation();
    int right = 0, total = 0;
    for (bool followedByA : {true, false}) {
        SampleRequest request;
        request.future = alternating(rep, 1, true);
        request.following = alternating(rep, 1, followedByA);
        request.variations = 8;
        for (const FrameSequence& take : model->sample(request)) {
            right += chordOf(take, 0, rep) == (followedByA ? kChordB : kChordA);
            ++total;
        }
    }
    EXPECT_GE(right, total * 3 / 4) << right << " of " << total;
}

TEST(Gan, SameSeedSameTakeAndConstraintsHold) {
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    const RepresentationConfig rep = model->representation();
    SampleRequest request = continuation(rep, 4, 99);
    request.temperature = 1.5;
    const auto a = model->sample(request);
    const auto b = model->sample(request);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].sounding, b[i].sounding);
        EXPECT_EQ(a[i].onset, b[i].onset);
        EXPECT_EQ(a[i].velocityBin, b[i].velocityBin);
    }
    // Only pitches up to E (64), and at most two at once.
    request.constraints.highPitch = 64;
    request.constraints.maxPolyphony = 2;
    for (const FrameSequence& take : model->sample(request))
        for (int t = 0; t < take.steps; ++t) {
            EXPECT_LE(take.notesAt(t), 2);
            for (int p = 64 - rep.lowPitch + 1; p < take.pitches; ++p)
                EXPECT_FALSE(take.sounds(t, p));
        }
}

// The toy's C major bars are soft and its D minor bars loud: a take's chords keep that order,
// each within a bin of its own, which no fixed velocity does. (Until session 18 every toy chord
// had bin 2, the bin an untrained generator's level of 0.5 rounds to as well.)
TEST(Gan, VelocitiesAreLearnedNotFixed) {
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    const auto takes = model->sample(continuation(model->representation(), 4, 3));
    std::vector<int> soft, loud; // the bins of the C major and the D minor onsets
    for (const FrameSequence& take : takes)
        for (int t = 0; t < take.steps; ++t)
            if (take.velocityBin[std::size_t(t)] != kNoVelocity)
                (take.sounds(t, 0) ? soft : loud).push_back(take.velocityBin[std::size_t(t)]);
    ASSERT_FALSE(soft.empty());
    ASSERT_FALSE(loud.empty());
    const auto mean = [](const std::vector<int>& bins) {
        return std::accumulate(bins.begin(), bins.end(), 0.0) / double(bins.size());
    };
    EXPECT_GT(mean(loud), mean(soft) + 0.5);
    for (int bin : soft)
        EXPECT_LE(bin, kSoftBin + 1);
    for (int bin : loud)
        EXPECT_GE(bin, kLoudBin - 1);
}

TEST(Gan, TooLittleMusicIsRefusedWithTheMinimum) {
    Dataset data;
    data.representation = toyRepresentation();
    data.train.push_back(alternating(data.representation, 2, true));
    std::atomic<bool> cancel{false};
    const TrainResult r =
        trainModel(data, toyGanConfig(data.representation), toyGanOptions(), cancel, {});
    EXPECT_EQ(r.status, TrainStatus::Failed);
    EXPECT_NE(r.error.find("2 bars"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("at least 32"), std::string::npos) << r.error;
    EXPECT_EQ(r.model, nullptr);
}

TEST(Gan, CheckpointRoundTripAndDamagedFilesAreRefusedByName) {
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    const std::string dir = torchestra::testkit::makeTempDir("gan");
    const std::string path = dir + "/toy-gan.tcm";
    ASSERT_EQ(saveCheckpoint(path, *model, {}), "");
    const LoadedCheckpoint loaded = loadCheckpoint(path);
    ASSERT_NE(loaded.model, nullptr) << loaded.error;
    EXPECT_EQ(loaded.model->config().kind, ModelKind::Gan);
    const SampleRequest request = continuation(model->representation(), 2, 4);
    EXPECT_EQ(loaded.model->sample(request)[0].sounding, model->sample(request)[0].sounding);

    std::string bytes;
    {
        std::ifstream in(path, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    for (const std::string& damaged : {bytes.substr(0, bytes.size() / 2), bytes.substr(0, 40),
                                       bytes.substr(0, bytes.size() / 3) + std::string(64, '\x55') +
                                           bytes.substr(bytes.size() / 3 + 64)}) {
        const std::string bad = dir + "/damaged.tcm";
        std::ofstream(bad, std::ios::binary | std::ios::trunc) << damaged;
        const LoadedCheckpoint r = loadCheckpoint(bad);
        EXPECT_EQ(r.model, nullptr);
        EXPECT_NE(r.error.find(bad), std::string::npos) << r.error;
    }
}

// Saved without its optimizers' state (train --optimizer-state off, as the built-in models
// are), a GAN's file is under half the size, writes the same takes and resumes training.
TEST(Gan, ACheckpointWithoutOptimizerStateSamplesTheSameAndResumes) {
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    const std::string dir = torchestra::testkit::makeTempDir("gan-slim");
    const std::string full = dir + "/full.tcm", slim = dir + "/slim.tcm";
    ASSERT_EQ(saveCheckpoint(full, *model, {}), "");
    ASSERT_EQ(saveCheckpoint(slim, *model, {}, OptimizerState::Left), "");
    EXPECT_LT(2 * std::filesystem::file_size(slim), std::filesystem::file_size(full));
    const LoadedCheckpoint loaded = loadCheckpoint(slim);
    ASSERT_NE(loaded.model, nullptr) << loaded.error;
    const SampleRequest request = continuation(model->representation(), 2, 4);
    EXPECT_EQ(loaded.model->sample(request)[0].sounding, model->sample(request)[0].sounding);
    TrainOptions o = toyGanOptions();
    o.epochs = 1;
    o.stepsPerEpoch = 5;
    std::atomic<bool> cancel{false};
    const TrainResult r =
        trainModel(chordDataset(), model->config(), o, cancel, {}, loaded.model.get());
    ASSERT_EQ(r.status, TrainStatus::Finished) << r.error;
    EXPECT_EQ(r.history.size(), 1u);
}

TEST(Gan, ResumesFromItsCheckpoint) {
    auto model = trainedToyGan();
    ASSERT_NE(model, nullptr);
    const Dataset data = chordDataset();
    TrainOptions o = toyGanOptions();
    o.epochs = 1;
    o.stepsPerEpoch = 5;
    std::atomic<bool> cancel{false};
    const TrainResult r = trainModel(data, model->config(), o, cancel, {}, model.get());
    ASSERT_EQ(r.status, TrainStatus::Finished) << r.error;
    ASSERT_NE(r.model, nullptr);
    EXPECT_EQ(r.history.size(), 1u);
}

// Streamed through a pool of two pieces (a corpus larger than its memory budget), the GAN
// learns the chords as from memory, going round the pieces; a piece that cannot be read ends
// the run Failed with the reader's message and the closest model so far, which the caller
// saves.
TEST(Gan, LearnsFromAStreamAndAReadErrorKeepsTheBestModel) {
    const Dataset held = chordDataset();
    std::shared_ptr<const MemoryStream> stream;
    const Dataset whole = streamed(held, 2, -1, stream);
    std::atomic<bool> cancel{false};
    const TrainResult learned =
        trainModel(whole, toyGanConfig(whole.representation), toyGanOptions(), cancel, {});
    ASSERT_EQ(learned.status, TrainStatus::Finished) << learned.error;
    ASSERT_NE(learned.model, nullptr);
    EXPECT_GT(stream->reads(), 4 * long(stream->size())); // it went round the pieces
    const RepresentationConfig rep = learned.model->representation();
    int right = 0, bars = 0;
    for (const FrameSequence& take : learned.model->sample(continuation(rep, 8, 11)))
        for (int b = 0; b < 8; ++b, ++bars)
            right += chordOf(take, b, rep) == (b % 2 == 0 ? kChordB : kChordA);
    EXPECT_GE(right, bars * 9 / 10) << right << " of " << bars << " bars right";

    TrainOptions o = toyGanOptions();
    o.epochs = 3;
    const long failAt = long(stream->size()) + o.stepsPerEpoch * 2; // in the third epoch
    const Dataset damaged = streamed(held, 2, failAt, stream);
    const TrainResult failed =
        trainModel(damaged, toyGanConfig(damaged.representation), o, cancel, {});
    EXPECT_EQ(failed.status, TrainStatus::Failed);
    EXPECT_NE(failed.error.find("is damaged"), std::string::npos) << failed.error;
    ASSERT_NE(failed.model, nullptr);
    EXPECT_GE(failed.bestEpoch, 1);
}

// A full-size GAN (88 pitches, width 256, batches of 64) cancelled after the start, mid-step
// and during validation returns within 200 ms, Cancelled.
TEST(Gan, CancelReturnsWithin200ms) {
    RepresentationConfig rep; // 88 pitches, onsets, velocity
    Dataset data;
    data.representation = rep;
    for (int i = 0; i < 6; ++i)
        data.train.push_back(randomPiece(rep, 256, std::uint64_t(i + 1)));
    for (int i = 0; i < 30; ++i)
        data.valid.push_back(randomPiece(rep, 256, std::uint64_t(100 + i)));
    ModelConfig c;
    c.kind = ModelKind::Gan;
    c.representation = rep;
    for (int ms : {10, 300, 1500}) {
        TrainOptions o = defaultTrainOptions(ModelKind::Gan);
        o.stepsPerEpoch = 1;
        o.threads = 2;
        std::atomic<bool> cancel{false};
        auto job = std::async(std::launch::async, [&] {
            TrainResult r = trainModel(data, c, o, cancel, {});
            return std::make_pair(std::move(r), std::chrono::steady_clock::now());
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        const auto at = std::chrono::steady_clock::now();
        cancel.store(true);
        auto [r, returned] = job.get();
        const double latency = std::chrono::duration<double, std::milli>(returned - at).count();
        EXPECT_EQ(r.status, TrainStatus::Cancelled) << ms << " ms";
        EXPECT_LT(latency, 200.0) << ms << " ms";
    }
}
