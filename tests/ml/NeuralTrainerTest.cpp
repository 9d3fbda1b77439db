// trainNeural: learning, resuming, cancelling.

#include "NeuralTestData.h"

#include "ml/StreamedPieces.h"
#include "ml/Trainer.h"
#include "ml/neural/NeuralKinds.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

using namespace torchestra::ml;
using namespace torchestra::ml::testdata;

namespace {

TrainOptions toyOptions() {
    TrainOptions o;
    o.epochs = 12;
    o.batchSize = 8;
    o.windowSteps = 32;
    o.stepsPerEpoch = 15;
    o.learningRate = 0.02;
    o.patience = 20;
    o.lrPatience = 3;
    o.seed = 3;
    o.averageDecay = 0; // the plain trainer (averaging has a test of its own)
    // One thread: at these tiny sizes OpenMP's barriers cost more than they save, badly so
    // when the two cores are busy with other work.
    o.threads = 1;
    return o;
}

// The model's own loss on a piece, nats per scored step (what validation reports).
double lossPerStep(const SequenceModel& model, const FrameSequence& piece) {
    const NllResult nll = model.evaluate(piece);
    return (nll.frameSum + nll.onsetSum + nll.velocitySum) / double(nll.frameSteps);
}

class ToyLearning : public ::testing::TestWithParam<std::tuple<ModelKind, HeadKind>> {};

} // namespace

// Each cell x head learns the toy pattern (deterministic given the metre): the validation NLL
// falls from ~12 nats per step to under 0.5 within a few seconds.
TEST_P(ToyLearning, LearnsAToyPattern) {
    const auto [kind, head] = GetParam();
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(kind, head, rep, 32, 1);
    std::atomic<bool> cancel{false};
    int reports = 0;
    TrainProgress last;
    const auto t0 = std::chrono::steady_clock::now();
    const TrainResult r = trainNeural(
        data, c, toyOptions(), cancel,
        [&](const TrainProgress& p) {
            ++reports;
            last = p;
        },
        nullptr);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.status, TrainStatus::Finished) << r.error;
    ASSERT_TRUE(r.model);
    ASSERT_FALSE(r.history.empty());
    EXPECT_GT(r.history.front().trainLoss, 1.0); // an untrained model is at ~12 nats
    EXPECT_LT(r.bestValidLoss, 0.5);
    EXPECT_GE(r.bestEpoch, 1);
    // The returned model is the best one: its own evaluation gives the best validation loss.
    EXPECT_NEAR(lossPerStep(*r.model, data.valid[0]), r.bestValidLoss, 1e-3);
    EXPECT_LT(seconds, 10.0);
    EXPECT_GT(reports, 0);
    EXPECT_EQ(last.phase, "done");
    EXPECT_GT(last.framesPerSecond, 0.0);
    EXPECT_EQ(neural::trainingState(*r.model).epoch, r.bestEpoch);
    EXPECT_TRUE(neural::trainingState(*r.model).hasOptimizerState);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ToyLearning,
                         ::testing::Combine(::testing::Values(ModelKind::Rnn, ModelKind::Lstm),
                                            ::testing::Values(HeadKind::Independent,
                                                              HeadKind::Autoregressive)));

// Same seed, same run.
TEST(NeuralTrainer, SeededRunsRepeat) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 16, 1);
    TrainOptions o = toyOptions();
    o.epochs = 2;
    o.transpose = 2;
    std::atomic<bool> cancel{false};
    const TrainResult a = trainNeural(data, c, o, cancel, {}, nullptr);
    const TrainResult b = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(a.status, TrainStatus::Finished) << a.error;
    ASSERT_EQ(b.status, TrainStatus::Finished) << b.error;
    ASSERT_EQ(a.history.size(), 2u);
    ASSERT_EQ(b.history.size(), 2u);
    EXPECT_DOUBLE_EQ(a.history[1].trainLoss, b.history[1].trainLoss);
    EXPECT_DOUBLE_EQ(a.bestValidLoss, b.bestValidLoss);
    o.seed = 4;
    const TrainResult d = trainNeural(data, c, o, cancel, {}, nullptr);
    EXPECT_NE(d.history[1].trainLoss, a.history[1].trainLoss);
}

// The data decides the frames, the model whether it reads the bar before: a JSB file or a built
// corpus knows nothing of lookback, and the model trained on it still has it (and learns
// something else than without it, so the input really reaches the network).
TEST(NeuralTrainer, TheModelKeepsItsLookbackWhateverTheDataSays) {
    const RepresentationConfig rep = toyRepresentation();
    ASSERT_FALSE(rep.lookback);
    const Dataset data = toyDataset(rep);
    ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 16, 1);
    TrainOptions o = toyOptions();
    o.epochs = 2;
    std::atomic<bool> cancel{false};
    const TrainResult without = trainNeural(data, c, o, cancel, {}, nullptr);
    c.representation.lookback = true;
    const TrainResult with = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(with.status, TrainStatus::Finished) << with.error;
    ASSERT_TRUE(with.model);
    EXPECT_TRUE(with.model->config().representation.lookback);
    ASSERT_EQ(without.history.size(), 2u);
    ASSERT_EQ(with.history.size(), 2u);
    EXPECT_NE(with.history[1].trainLoss, without.history[1].trainLoss);
}

// Weight averaging changes what is validated and returned, never the training itself: the same
// seed gives the same training losses with and without it, the validation losses differ, and
// the returned model is the averaged one that was validated.
TEST(NeuralTrainer, WeightAveragingScoresAndKeepsTheAverage) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 32, 1);
    TrainOptions o = toyOptions();
    std::atomic<bool> cancel{false};
    const TrainResult plain = trainNeural(data, c, o, cancel, {}, nullptr);
    o.averageDecay = 0.9;
    const TrainResult averaged = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(plain.status, TrainStatus::Finished) << plain.error;
    ASSERT_EQ(averaged.status, TrainStatus::Finished) << averaged.error;
    ASSERT_GE(averaged.history.size(), 2u);
    ASSERT_GE(plain.history.size(), averaged.history.size());
    for (std::size_t i = 0; i < averaged.history.size(); ++i) {
        EXPECT_DOUBLE_EQ(averaged.history[i].trainLoss, plain.history[i].trainLoss) << i;
        EXPECT_NE(averaged.history[i].validLoss, plain.history[i].validLoss) << i;
    }
    EXPECT_LT(averaged.bestValidLoss, 0.5);
    EXPECT_NEAR(lossPerStep(*averaged.model, data.valid[0]), averaged.bestValidLoss, 1e-3);
}

// Input dropout acts on training only: the training losses change from the first epoch, the
// model still learns, and validation (no dropout) scores the returned weights exactly.
TEST(NeuralTrainer, InputDropoutTrainsButDoesNotTouchValidation) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 32, 1);
    TrainOptions o = toyOptions();
    o.epochs = 1;
    std::atomic<bool> cancel{false};
    const TrainResult plain = trainNeural(data, c, o, cancel, {}, nullptr);
    o.epochs = toyOptions().epochs;
    o.inputDropout = 0.1;
    const TrainResult dropped = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(plain.status, TrainStatus::Finished) << plain.error;
    ASSERT_EQ(dropped.status, TrainStatus::Finished) << dropped.error;
    EXPECT_NE(dropped.history.front().trainLoss, plain.history.front().trainLoss);
    EXPECT_LT(dropped.bestValidLoss, 1.0);
    EXPECT_NEAR(lossPerStep(*dropped.model, data.valid[0]), dropped.bestValidLoss, 1e-3);
}

// A resumed run continues: epoch numbering, learning rate and Adam's moments come back from the
// payload, and the loss carries on from where it was instead of starting again from ~12 nats.
TEST(NeuralTrainer, ResumeContinues) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 32, 1);
    TrainOptions o = toyOptions();
    o.epochs = 3;
    o.learningRate = 0.01;
    std::atomic<bool> cancel{false};
    const TrainResult first = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(first.status, TrainStatus::Finished) << first.error;
    ASSERT_TRUE(first.model);
    ASSERT_EQ(first.history.size(), 3u);
    ASSERT_EQ(first.bestEpoch, 3);

    // Through the payload, as a checkpoint would carry it.
    std::string error;
    auto loaded = deserializeNeural(first.model->config(), first.model->serialize(), error);
    ASSERT_TRUE(loaded) << error;
    const neural::NeuralTrainingState st = neural::trainingState(*loaded);
    EXPECT_EQ(st.epoch, 3);
    EXPECT_DOUBLE_EQ(st.learningRate, 0.01);
    EXPECT_TRUE(st.hasOptimizerState);
    EXPECT_NEAR(st.bestValidLoss, first.bestValidLoss, 1e-9);

    o.epochs = 2; // two more
    const TrainResult second = trainNeural(data, c, o, cancel, {}, loaded.get());
    ASSERT_EQ(second.status, TrainStatus::Finished) << second.error;
    ASSERT_EQ(second.history.size(), 2u);
    // History and bestEpoch count this run's epochs (the CLI offsets them by the checkpoint's
    // history); the weights' own epoch count continues from 3.
    EXPECT_EQ(second.history[0].epoch, 1);
    EXPECT_EQ(second.history[1].epoch, 2);
    // Continues: the first resumed epoch is close to where the first run ended, far below a
    // fresh start.
    EXPECT_LT(second.history[0].trainLoss, 0.5 * first.history[0].trainLoss);
    EXPECT_LT(second.history[0].trainLoss, first.history[2].trainLoss * 1.5 + 0.05);
    EXPECT_LE(second.bestValidLoss, first.bestValidLoss + 1e-9);
    ASSERT_TRUE(second.model);
    const int kept = neural::trainingState(*second.model).epoch;
    EXPECT_EQ(kept, second.bestEpoch == 0 ? 3 : 3 + second.bestEpoch);
    EXPECT_GE(kept, 3);

    // Resuming with a model of another shape is refused.
    ModelConfig other = c;
    other.hidden = 16;
    const TrainResult bad = trainNeural(data, other, o, cancel, {}, loaded.get());
    EXPECT_EQ(bad.status, TrainStatus::Failed);
    EXPECT_FALSE(bad.error.empty());
}

// Without its optimizer's state (a checkpoint saved for sharing, as the built-in models are),
// a trained model's payload is under half the size and scores as before; its training state
// says there is no optimizer state, and training resumes from it (with Adam afresh).
TEST(NeuralTrainer, APayloadWithoutTheOptimizerScoresTheSameAndResumes) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 32, 1);
    TrainOptions o = toyOptions();
    o.epochs = 2;
    std::atomic<bool> cancel{false};
    const TrainResult first = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(first.status, TrainStatus::Finished) << first.error;
    const std::string full = first.model->serialize();
    const std::string slim = first.model->serializeWithoutOptimizer();
    EXPECT_LT(2 * slim.size(), full.size());
    std::string error;
    auto loaded = deserializeNeural(c, slim, error);
    ASSERT_TRUE(loaded) << error;
    const neural::NeuralTrainingState st = neural::trainingState(*loaded);
    EXPECT_FALSE(st.hasOptimizerState);
    EXPECT_EQ(st.epoch, 2);
    const FrameSequence& piece = data.valid.front();
    EXPECT_DOUBLE_EQ(lossPerStep(*loaded, piece), lossPerStep(*first.model, piece));
    o.epochs = 1;
    const TrainResult resumed = trainNeural(data, c, o, cancel, {}, loaded.get());
    ASSERT_EQ(resumed.status, TrainStatus::Finished) << resumed.error;
    EXPECT_LT(resumed.history[0].trainLoss, first.history[0].trainLoss);
}

// A resumed run goes on at the checkpoint's rate (halvings included), or, when
// keepResumedLearningRate is false (train --resume --lr), at the rate the options give; Adam
// then steps at that rate, so the training differs.
TEST(NeuralTrainer, ResumeKeepsOrReplacesTheLearningRate) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 16, 1);
    TrainOptions o = toyOptions();
    o.epochs = 2;
    o.learningRate = 0.01;
    std::atomic<bool> cancel{false};
    const TrainResult first = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(first.status, TrainStatus::Finished) << first.error;
    ASSERT_TRUE(first.model);
    const double kept = neural::trainingState(*first.model).learningRate;
    EXPECT_DOUBLE_EQ(kept, 0.01);

    o.epochs = 1;
    o.learningRate = 0.004; // neither the checkpoint's rate nor a halving of it
    o.keepResumedLearningRate = true;
    const TrainResult keep = trainNeural(data, c, o, cancel, {}, first.model.get());
    o.keepResumedLearningRate = false;
    const TrainResult replace = trainNeural(data, c, o, cancel, {}, first.model.get());
    ASSERT_EQ(keep.status, TrainStatus::Finished) << keep.error;
    ASSERT_EQ(replace.status, TrainStatus::Finished) << replace.error;
    ASSERT_EQ(keep.history.size(), 1u);
    ASSERT_EQ(replace.history.size(), 1u);
    EXPECT_DOUBLE_EQ(keep.history[0].learningRate, kept);
    EXPECT_DOUBLE_EQ(replace.history[0].learningRate, 0.004);
    // Same seed and weights, another rate applied to Adam: another training loss.
    EXPECT_NE(keep.history[0].trainLoss, replace.history[0].trainLoss);
    // The weights' epoch count continues either way.
    ASSERT_TRUE(replace.model);
    EXPECT_GE(neural::trainingState(*replace.model).epoch,
              neural::trainingState(*first.model).epoch);
}

namespace {

// Cancels a full-size training (2x256 LSTM, 88 pitches, batches of 16 x 128) `after` the start,
// or that long into the first validation pass when `inValidation`, and returns how long
// trainNeural took to return after the cancel.
double cancelLatencyMs(HeadKind head, std::chrono::milliseconds after, bool inValidation,
                       TrainResult& result) {
    const RepresentationConfig rep = jsbRepresentation();
    Dataset data;
    data.representation = rep;
    for (int i = 0; i < 6; ++i)
        data.train.push_back(unknownMetre(randomPiece(rep, 200, std::uint64_t(i + 1))));
    for (int i = 0; i < 40; ++i)
        data.valid.push_back(unknownMetre(randomPiece(rep, 200, std::uint64_t(100 + i))));
    ModelConfig c;
    c.kind = ModelKind::Lstm;
    c.head = head;
    c.layers = 2;
    c.hidden = 256;
    c.dropout = 0.3;
    c.representation = rep;
    TrainOptions o;
    o.epochs = 50;
    // Eight batches (about 2 s at the fused NADE head's speed) before the first validation, so
    // that a cancel "after the start" lands before any epoch completes on a quiet machine too.
    o.stepsPerEpoch = 8;
    o.threads = 2;
    std::atomic<bool> cancel{false};
    std::atomic<bool> validating{false};
    auto job = std::async(std::launch::async, [&] {
        TrainResult r = trainNeural(
            data, c, o, cancel,
            [&](const TrainProgress& p) {
                if (p.phase == "validating")
                    validating.store(true);
            },
            nullptr);
        return std::make_pair(std::move(r), std::chrono::steady_clock::now());
    });
    if (inValidation) {
        const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!validating.load() && std::chrono::steady_clock::now() < limit)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        EXPECT_TRUE(validating.load());
    }
    std::this_thread::sleep_for(after);
    const auto at = std::chrono::steady_clock::now();
    cancel.store(true);
    auto [r, end] = job.get();
    result = std::move(r);
    return std::chrono::duration<double, std::milli>(end - at).count();
}

} // namespace

// Cancel returns within 200 ms wherever it lands (model set-up, first batch, mid-batch,
// validation), with status Cancelled, never Finished.
TEST(NeuralTrainer, CancelReturnsWithin200ms) {
    struct Case {
        HeadKind head;
        int ms;
        bool inValidation;
    };
    for (const Case& k :
         {Case{HeadKind::Independent, 10, false}, Case{HeadKind::Independent, 400, false},
          Case{HeadKind::Autoregressive, 700, false}, Case{HeadKind::Independent, 60, true}}) {
        TrainResult r;
        const double latency =
            cancelLatencyMs(k.head, std::chrono::milliseconds(k.ms), k.inValidation, r);
        const std::string where = std::to_string(k.ms) + " ms" +
                                  (k.inValidation ? " into validation" : " after the start");
        EXPECT_EQ(r.status, TrainStatus::Cancelled) << where;
        EXPECT_LT(latency, 200.0) << where;
        EXPECT_TRUE(r.history.empty()) << where; // no epoch completed: no model
        EXPECT_FALSE(r.model) << where;
        std::printf("cancel %s (%s head): returned in %.1f ms\n", where.c_str(),
                    k.head == HeadKind::Independent ? "independent" : "NADE", latency);
    }
}

// Cancelled after two epochs: status Cancelled with the best model so far, never Finished.
TEST(NeuralTrainer, CancelKeepsTheBestModelSoFar) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 16, 1);
    std::atomic<bool> cancel{false};
    const TrainResult r = trainNeural(
        data, c, toyOptions(), cancel,
        [&](const TrainProgress& p) {
            // Training reports come at most 25 times a second, and a toy epoch can pass between
            // two; the report that starts an epoch's validation always comes.
            if (p.epoch == 3 && p.phase == "validating")
                cancel.store(true);
        },
        nullptr);
    EXPECT_EQ(r.status, TrainStatus::Cancelled);
    ASSERT_TRUE(r.model);
    EXPECT_EQ(r.history.size(), 2u);
    EXPECT_GE(r.bestEpoch, 1);
    EXPECT_LE(r.bestEpoch, 2);
    EXPECT_EQ(neural::trainingState(*r.model).epoch, r.bestEpoch);
    EXPECT_NEAR(lossPerStep(*r.model, data.valid[0]), r.bestValidLoss, 1e-3);
}

TEST(NeuralTrainer, TimeLimitKeepsTheBestModel) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Rnn, HeadKind::Independent, rep, 16, 1);
    TrainOptions o = toyOptions();
    o.epochs = 100000;
    o.maxMinutes = 0.5 / 60.0; // half a second
    std::atomic<bool> cancel{false};
    const auto t0 = std::chrono::steady_clock::now();
    const TrainResult r = trainNeural(data, c, o, cancel, {}, nullptr);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(r.status, TrainStatus::Finished) << r.error;
    EXPECT_TRUE(r.model);
    EXPECT_LT(seconds, 1.5);
    EXPECT_FALSE(r.history.empty());
    EXPECT_LT(r.history.size(), 100000u);
}

// The cosine schedule: the rate falls with the clock from the base rate towards kCosineFloor
// of it as the time limit nears, never by patience, and patience does not end the run (a
// patience of 1 would stop a plateau run at the first epoch without improvement).
TEST(NeuralTrainer, CosineScheduleFollowsTheClockToTheTimeLimit) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Rnn, HeadKind::Independent, rep, 16, 1);
    TrainOptions o = toyOptions();
    o.epochs = 100000;
    o.stepsPerEpoch = 3;
    o.patience = 1;
    o.lrPatience = 1;
    o.maxMinutes = 2.0 / 60.0; // two seconds
    o.lrSchedule = TrainOptions::LrSchedule::CosineToTimeLimit;
    std::atomic<bool> cancel{false};
    const TrainResult r = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(r.status, TrainStatus::Finished) << r.error;
    ASSERT_GE(r.history.size(), 4u);
    double elapsed = 0;
    for (std::size_t i = 0; i < r.history.size(); ++i) {
        const EpochRecord& e = r.history[i];
        if (i > 0) { // a rate set at the epoch's last batch, later than the one before
            EXPECT_LE(e.learningRate, r.history[i - 1].learningRate + 1e-12) << "epoch " << i;
        }
        EXPECT_GE(e.learningRate, o.learningRate * kCosineFloor * (1 - 1e-9));
        elapsed += e.seconds;
    }
    // The last epochs ran near the limit: the rate is a small part of the base by then.
    EXPECT_LT(r.history.back().learningRate, 0.25 * o.learningRate);
    EXPECT_GT(elapsed, 1.0); // patience (1) did not end it
}

// onImproved hands over a copy of the best model each time validation improves: one call per
// improving epoch, the last one the model the run returns (same epoch, same loss on the held-out
// piece), each a model of its own that scores as the loss it came with.
TEST(NeuralTrainer, EachImprovementHandsOverTheBestModelSoFar) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset data = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 16, 1);
    TrainOptions o = toyOptions();
    o.epochs = 4;
    struct Improvement {
        std::shared_ptr<SequenceModel> model;
        int epoch;
        double loss;
    };
    std::vector<Improvement> seen;
    o.onImproved = [&seen](std::shared_ptr<SequenceModel> best, int epoch, double loss) {
        seen.push_back({std::move(best), epoch, loss});
    };
    std::atomic<bool> cancel{false};
    const TrainResult r = trainNeural(data, c, o, cancel, {}, nullptr);
    ASSERT_EQ(r.status, TrainStatus::Finished) << r.error;
    double best = std::numeric_limits<double>::infinity();
    std::size_t improvements = 0;
    for (const EpochRecord& e : r.history)
        if (e.validLoss < best) {
            best = e.validLoss;
            ++improvements;
        }
    ASSERT_EQ(seen.size(), improvements);
    ASSERT_FALSE(seen.empty());
    for (std::size_t i = 1; i < seen.size(); ++i) {
        EXPECT_LT(seen[i].loss, seen[i - 1].loss);
        EXPECT_GT(seen[i].epoch, seen[i - 1].epoch);
    }
    EXPECT_EQ(seen.back().epoch, r.bestEpoch);
    EXPECT_DOUBLE_EQ(seen.back().loss, r.bestValidLoss);
    for (const Improvement& i : seen)
        EXPECT_NEAR(lossPerStep(*i.model, data.valid[0]), i.loss, 1e-3) << "epoch " << i.epoch;
}

TEST(NeuralTrainer, NoDataFails) {
    Dataset data;
    data.representation = toyRepresentation();
    std::atomic<bool> cancel{false};
    const TrainResult r =
        trainNeural(data, smallConfig(ModelKind::Lstm, HeadKind::Independent, data.representation),
                    toyOptions(), cancel, {}, nullptr);
    EXPECT_EQ(r.status, TrainStatus::Failed);
    EXPECT_FALSE(r.error.empty());
    EXPECT_FALSE(r.model);
}

// Streamed through a pool of two pieces, the LSTM learns the toy pattern as from memory; a
// piece that cannot be read ends the run Failed with the reader's message, and with the best
// model so far and its epoch (which the CLI then saves: no work lost).
TEST(NeuralTrainer, LearnsFromAStreamAndAReadErrorKeepsTheBestModel) {
    const RepresentationConfig rep = toyRepresentation();
    const Dataset held = toyDataset(rep);
    const ModelConfig c = smallConfig(ModelKind::Lstm, HeadKind::Independent, rep, 32, 1);
    std::atomic<bool> cancel{false};
    std::shared_ptr<const MemoryStream> stream;
    const Dataset whole = streamed(held, 2, -1, stream);
    TrainOptions o = toyOptions();
    const TrainResult learned = trainNeural(whole, c, o, cancel, nullptr, nullptr);
    ASSERT_EQ(learned.status, TrainStatus::Finished) << learned.error;
    EXPECT_LT(learned.bestValidLoss, 0.5);
    EXPECT_GT(stream->reads(), long(stream->size())); // it went round the pieces

    const long failAt = stream->reads() / 2;
    const Dataset damaged = streamed(held, 2, failAt, stream);
    const TrainResult failed = trainNeural(damaged, c, o, cancel, nullptr, nullptr);
    EXPECT_EQ(failed.status, TrainStatus::Failed);
    EXPECT_NE(failed.error.find("is damaged"), std::string::npos) << failed.error;
    ASSERT_TRUE(failed.model);
    EXPECT_GE(failed.bestEpoch, 1);
    EXPECT_GT(failed.bestValidLoss, 0.0);
    EXPECT_LT(failed.bestValidLoss, 12.0);
}
