#include "ml/neural/NeuralKinds.h"

#include "ml/ModelRegistry.h"

namespace torchestra::ml::neural {

void registerNeuralKinds() {
    ModelKindHandlers h;
    h.train = trainNeural;
    h.load = deserializeNeural;
    registerModelKind(ModelKind::Rnn, h);
    registerModelKind(ModelKind::Lstm, h);
}

} // namespace torchestra::ml::neural
