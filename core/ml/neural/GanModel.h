#pragma once

// The GAN as a SequenceModel: it writes bar by bar, each bar conditioned on the bar before it
// (the primer's last bar for the first), the bar's pitch-class profile drawn from its harmony
// plan (GanHarmonyPlan.h; models from before plans: the key of the last four bars), and, for
// the last bar of an infill, the bar after (SampleRequest::following). It has no likelihood.
// Training is trainGan (GanTraining.h); loading is deserializeGan. Included only by
// ml/neural/*.cpp.

#include "ml/SequenceModel.h"
#include "ml/neural/GanHarmonyPlan.h"
#include "ml/neural/GanNet.h"

#include <memory>
#include <string>

namespace torchestra::ml::neural {

// The generator's width (channels of its hidden layers: ModelConfig::hidden) and the critic's,
// half of it: the critic runs kCriticSteps times per generator step, each with the gradient
// penalty's double backward, so its size sets the training speed (docs/benchmarks.md).
int ganWidth(const ModelConfig& config);
int criticWidth(const ModelConfig& config);

// Training state carried in the payload so a run can resume.
struct GanTrainingState {
    int epoch = 0;
    long generatorSteps = 0;
    double bestValidLoss = 0;                        // 1 - closeness to the validation bars
    std::string generatorOptimizer, criticOptimizer; // Adam's state, torch archive bytes
};

// "" or what is wrong with a GAN config.
std::string checkGanConfig(const ModelConfig& config);

class GanModel final : public SequenceModel {
public:
    // Takes the modules (they must not be trained afterwards: sampling runs concurrently).
    // `plan` is required when config.harmonyPlan (and ignored otherwise).
    GanModel(const ModelConfig& config, GanGenerator generator, GanCritic critic,
             GanTrainingState state, std::shared_ptr<const HarmonyPlan> plan = {});

    const ModelConfig& config() const override { return m_config; }
    std::string serialize() const override { return payload(true); }
    std::string serializeWithoutOptimizer() const override { return payload(false); }
    bool hasLikelihood() const override { return false; }
    NllResult evaluate(const FrameSequence&) const override { return {}; }
    std::vector<FrameSequence> sample(const SampleRequest& request,
                                      const std::atomic<bool>* cancel) const override;

    GanGenerator generator() const { return m_generator; }
    GanCritic critic() const { return m_critic; }
    const GanShape& shape() const { return m_shape; }
    const GanTrainingState& trainingState() const { return m_state; }
    const std::shared_ptr<const HarmonyPlan>& harmonyPlan() const { return m_plan; }

private:
    std::string payload(bool withOptimizers) const;

    ModelConfig m_config;
    GanShape m_shape;
    GanGenerator m_generator;
    GanCritic m_critic;
    GanTrainingState m_state;
    std::shared_ptr<const HarmonyPlan> m_plan;
};

// A freshly initialised GAN (after torch::manual_seed(seed)); null with `error` set.
std::unique_ptr<GanModel> createGanModel(const ModelConfig& config, std::uint64_t seed,
                                         std::string& error);

} // namespace torchestra::ml::neural
