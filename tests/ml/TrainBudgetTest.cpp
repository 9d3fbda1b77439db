// Training by time: the options a time budget gives (the one source the CLI's --max-minutes and
// the Train panel's "Train for" share).
#include "ml/Trainer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace torchestra::ml {
namespace {

const ModelKind kKinds[] = {ModelKind::Markov, ModelKind::Rnn, ModelKind::Lstm, ModelKind::Gan};

TEST(TrainBudget, ChoicesAreOneToSixtyMinutesThenUntilItStopsImproving) {
    EXPECT_EQ(trainBudgetChoices(), (std::vector<double>{1, 5, 15, 60, 0}));
    const auto& c = trainBudgetChoices();
    EXPECT_NE(std::find(c.begin(), c.end(), kDefaultTrainBudgetMinutes), c.end());
}

// Time (or patience) ends the run, never an epoch count; the rest is the kind's defaults.
TEST(TrainBudget, ABudgetLimitsTimeAndLeavesTheKindsOwnChoices) {
    for (ModelKind kind : kKinds) {
        const TrainOptions base = defaultTrainOptions(kind);
        for (double minutes : trainBudgetChoices()) {
            SCOPED_TRACE(std::string(toString(kind)) + " " + std::to_string(minutes));
            const TrainOptions o = defaultTrainOptions(kind, minutes);
            EXPECT_EQ(o.maxMinutes, minutes);
            EXPECT_EQ(o.epochs, kEpochsWithoutLimit);
            EXPECT_GT(o.patience, 0) << "until it stops improving needs patience to stop";
            EXPECT_EQ(o.patience, base.patience);
            EXPECT_EQ(o.batchSize, base.batchSize);
            EXPECT_EQ(o.learningRate, base.learningRate);
            EXPECT_EQ(o.transpose, base.transpose);
            EXPECT_EQ(o.threads, base.threads);
            EXPECT_EQ(o.averageDecay, base.averageDecay);
            EXPECT_EQ(o.stepsPerEpoch, base.stepsPerEpoch);
        }
    }
}

// A new LSTM with independent outputs has one layer unless told; the NADE head and the RNN
// keep the two they were measured with (SequenceModel.h).
TEST(TrainBudget, NewLstmsWithIndependentOutputsHaveOneLayer) {
    EXPECT_EQ(defaultLayers(ModelKind::Lstm, HeadKind::Independent), 1);
    EXPECT_EQ(defaultLayers(ModelKind::Lstm, HeadKind::Autoregressive), 2);
    EXPECT_EQ(defaultLayers(ModelKind::Rnn, HeadKind::Independent), 2);
}

TEST(TrainBudget, SequenceModelsTransposeWithinThreeSemitonesAndTheGanWithinSix) {
    EXPECT_EQ(defaultTrainOptions(ModelKind::Rnn).transpose, 3);
    EXPECT_EQ(defaultTrainOptions(ModelKind::Lstm).transpose, 3);
    EXPECT_EQ(defaultTrainOptions(ModelKind::Gan).transpose, 6);
}

// Without a budget an RNN or LSTM trains its 30 epochs, but never past kDefaultMaxTrainMinutes
// (a large corpus would take over half an hour); a GAN its 20 minutes; a Markov model reads its
// data once, with nothing to limit.
TEST(TrainBudget, WithoutABudgetTheSequenceModelsStopAfterThirtyEpochsOrFifteenMinutes) {
    EXPECT_EQ(kDefaultMaxTrainMinutes, 15);
    for (ModelKind kind : {ModelKind::Rnn, ModelKind::Lstm}) {
        SCOPED_TRACE(toString(kind));
        EXPECT_EQ(defaultTrainOptions(kind).epochs, 30);
        EXPECT_EQ(defaultTrainOptions(kind).maxMinutes, kDefaultMaxTrainMinutes);
        ModelConfig nade;
        nade.kind = kind;
        nade.head = HeadKind::Autoregressive;
        EXPECT_EQ(defaultTrainOptions(nade).maxMinutes, kDefaultMaxTrainMinutes);
    }
    EXPECT_EQ(defaultTrainOptions(ModelKind::Gan).maxMinutes, 20);
    EXPECT_EQ(defaultTrainOptions(ModelKind::Markov).maxMinutes, 0);
}

// The NADE head transposes within +-5 (it overfits with +-3); the model's other choices and
// every other option are its kind's, with and without a budget.
TEST(TrainBudget, TheNadeHeadTransposesWithinFiveSemitones) {
    for (ModelKind kind : {ModelKind::Rnn, ModelKind::Lstm}) {
        SCOPED_TRACE(toString(kind));
        ModelConfig model;
        model.kind = kind;
        model.head = HeadKind::Autoregressive;
        EXPECT_EQ(defaultTrainOptions(model).transpose, kNadeTranspose);
        EXPECT_EQ(defaultTrainOptions(model, 15).transpose, kNadeTranspose);
        EXPECT_EQ(defaultTrainOptions(model, 15).maxMinutes, 15);
        EXPECT_EQ(defaultTrainOptions(model, 15).learningRate,
                  defaultTrainOptions(kind, 15).learningRate);
        model.head = HeadKind::Independent;
        EXPECT_EQ(defaultTrainOptions(model, 15).transpose, 3);
    }
    ModelConfig gan;
    gan.kind = ModelKind::Gan;
    gan.head = HeadKind::Autoregressive; // means nothing to a GAN
    EXPECT_EQ(defaultTrainOptions(gan, 15).transpose, 6);
}

TEST(TrainBudget, ANegativeBudgetMeansNoTimeLimit) {
    EXPECT_EQ(defaultTrainOptions(ModelKind::Lstm, -3).maxMinutes, 0);
}

} // namespace
} // namespace torchestra::ml
