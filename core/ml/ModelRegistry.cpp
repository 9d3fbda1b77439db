#include "ml/ModelRegistry.h"

#include "ml/MarkovModel.h"
#include "ml/MarkovTrainer.h"

#include <array>
#include <cctype>

namespace torchestra::ml {

namespace {

constexpr std::size_t kKindCount = std::size_t(ModelKind::Gan) + 1;

ModelKindHandlers markovHandlers();

// Indexed by ModelKind. The Markov baseline needs nothing but this library, so it is always
// there; the others are filled in by their libraries' registration functions.
std::array<ModelKindHandlers, kKindCount>& registry() {
    static std::array<ModelKindHandlers, kKindCount> kinds = [] {
        std::array<ModelKindHandlers, kKindCount> k;
        k[std::size_t(ModelKind::Markov)] = markovHandlers();
        return k;
    }();
    return kinds;
}

ModelKindHandlers markovHandlers() {
    ModelKindHandlers h;
    h.train = [](const Dataset& data, const ModelConfig& config, const TrainOptions&,
                 const std::atomic<bool>& cancel, const ProgressFn& progress,
                 const SequenceModel*) { return trainMarkov(data, config, cancel, progress); };
    h.load = [](const ModelConfig& config, const std::string& payload,
                std::string& error) -> std::unique_ptr<SequenceModel> {
        // A hostile payload must give an error, never end the program: the Markov reader
        // reserves tables by the counts it reads, which throws for an absurd count (found by
        // tests/fuzz/checkpoint_fuzz).
        try {
            return MarkovModel::deserialize(config, payload, error);
        } catch (const std::exception& e) {
            error = std::string("Markov payload: ") + e.what();
            return nullptr;
        }
    };
    h.describe = [](const ModelConfig& config) {
        return "order " + std::to_string(config.markovOrder);
    };
    return h;
}

std::string upper(std::string s) {
    for (char& c : s)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

void registerModelKind(ModelKind kind, ModelKindHandlers handlers) {
    registry().at(std::size_t(kind)) = std::move(handlers);
}

const ModelKindHandlers* findModelKind(ModelKind kind) {
    const std::size_t i = std::size_t(kind);
    if (i >= kKindCount)
        return nullptr;
    const ModelKindHandlers& h = registry()[i];
    return h.train && h.load ? &h : nullptr;
}

std::string unregisteredKindMessage(ModelKind kind) {
    return std::string("this program has no ") + toString(kind) +
           " models (their library was not registered at start-up)";
}

std::string describeModel(const ModelConfig& config) {
    const std::string name = upper(toString(config.kind));
    const ModelKindHandlers* kind = findModelKind(config.kind);
    return kind && kind->describe ? name + " " + kind->describe(config) : name;
}

} // namespace torchestra::ml
