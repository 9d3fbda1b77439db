#include "ml/neural/NeuralKinds.h"

#include "ml/ModelRegistry.h"

namespace torchestra::ml::neural {

void registerNeuralKinds() {
    ModelKindHandlers h;
    h.train = trainNeural;
    h.load = deserializeNeural;
    h.describe = [](const ModelConfig& config) {
        std::string text = std::to_string(config.layers) + "x" + std::to_string(config.hidden);
        if (config.head == HeadKind::Autoregressive)
            text += ", NADE head";
        return config.representation.lookback ? text + ", lookback" : text;
    };
    registerModelKind(ModelKind::Rnn, h);
    registerModelKind(ModelKind::Lstm, h);

    ModelKindHandlers gan;
    gan.train = trainGan;
    gan.load = deserializeGan;
    gan.describe = [](const ModelConfig& config) {
        return "width " + std::to_string(config.hidden) + ", noise " +
               std::to_string(config.noiseSize) + ", bars of " + std::to_string(config.barSteps) +
               " steps";
    };
    registerModelKind(ModelKind::Gan, gan);
}

} // namespace torchestra::ml::neural
