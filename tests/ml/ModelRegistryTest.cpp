// The model registry: every kind the program offers is registered with its handlers, and a kind
// without them is refused with a message instead of being called.
#include "ml/ModelRegistry.h"
#include "ml/neural/NeuralKinds.h"

#include <gtest/gtest.h>

using namespace torchestra::ml;

TEST(ModelRegistry, EveryKindIsRegisteredAndDescribesItself) {
    for (ModelKind kind : {ModelKind::Markov, ModelKind::Rnn, ModelKind::Lstm, ModelKind::Gan}) {
        const ModelKindHandlers* h = findModelKind(kind);
        ASSERT_NE(h, nullptr) << toString(kind);
        EXPECT_TRUE(h->train && h->load && h->describe) << toString(kind);
    }
    ModelConfig markov;
    markov.kind = ModelKind::Markov;
    markov.markovOrder = 3;
    EXPECT_EQ(describeModel(markov), "MARKOV order 3");
    ModelConfig nade;
    nade.kind = ModelKind::Lstm;
    nade.layers = 2;
    nade.hidden = 256;
    nade.head = HeadKind::Autoregressive;
    EXPECT_EQ(describeModel(nade), "LSTM 2x256, NADE head");
    ModelConfig rnn;
    rnn.kind = ModelKind::Rnn;
    rnn.layers = 1;
    rnn.hidden = 64;
    EXPECT_EQ(describeModel(rnn), "RNN 1x64");
}

TEST(ModelRegistry, AnUnregisteredKindIsRefusedWithAMessage) {
    registerModelKind(ModelKind::Rnn, {}); // as a program that never registered it
    EXPECT_EQ(findModelKind(ModelKind::Rnn), nullptr);
    Dataset data;
    data.train.resize(1);
    data.train[0].resize(8, data.representation.pitches(), true);
    ModelConfig config;
    config.kind = ModelKind::Rnn;
    config.representation = data.representation;
    std::atomic<bool> cancel{false};
    const TrainResult r = trainModel(data, config, TrainOptions{}, cancel, {});
    EXPECT_EQ(r.status, TrainStatus::Failed);
    EXPECT_EQ(r.error, unregisteredKindMessage(ModelKind::Rnn));
    EXPECT_NE(r.error.find("rnn"), std::string::npos) << r.error;
    neural::registerNeuralKinds(); // back as the other tests expect
    EXPECT_NE(findModelKind(ModelKind::Rnn), nullptr);
}
