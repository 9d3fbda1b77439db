#include "ml/neural/NeuralKinds.h"

#include "ml/ModelRegistry.h"

namespace torchestra::ml::neural {

void registerNeuralKinds() {
    ModelKindHandlers h;
    h.train = trainNeural;
    h.load = deserializeNeural;
    h.describe = [](const ModelConfig& config) {
        std::string text = std::to_string(config.layers) + "x" + std::to_string(config.hidden);
        return config.head == HeadKind::Autoregressive ? text + ", NADE head" : text;
    };
    registerModelKind(ModelKind::Rnn, h);
    registerModelKind(ModelKind::Lstm, h);
}

} // namespace torchestra::ml::neural
