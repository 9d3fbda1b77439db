#pragma once

// The GAN's torch modules: a generator from noise and a condition to one bar, and a critic that
// scores a bar with the same condition (WGAN-GP, Gulrajani et al. 2017; the conditioning after
// MidiNet, Yang et al. 2017). Both are 1-D convolutions over the bar's steps with the pitches as
// channels: a bar of 16 steps and 88 pitches is small enough that a pitch-axis convolution
// buys little here, and transposition during training teaches what it would (docs/results.md).
// The critic has no batch norm (the gradient penalty is per sample). Included only by
// ml/neural/*.cpp.

#include "ml/neural/GanBars.h"
#include "ml/neural/TorchPch.h"

namespace torchestra::ml::neural {

class GanGeneratorImpl : public torch::nn::Module {
public:
    GanGeneratorImpl(const GanShape& shape, int noise, int width);
    // z [B, noise], condition [B, conditionChannels, steps] -> probabilities in the bar layout
    // [B, barChannels, steps], zero on the padding steps.
    torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& condition);

private:
    GanShape m_shape;
    int m_width;
    torch::nn::Conv1d m_condIn{nullptr}, m_condOut{nullptr};
    torch::nn::Linear m_fromNoise{nullptr};
    torch::nn::Conv1d m_mix{nullptr}, m_body{nullptr}, m_out{nullptr};
};
TORCH_MODULE(GanGenerator);

class GanCriticImpl : public torch::nn::Module {
public:
    GanCriticImpl(const GanShape& shape, int width);
    // bar [B, barChannels, steps], condition as for the generator -> scores [B].
    torch::Tensor forward(const torch::Tensor& bar, const torch::Tensor& condition);

    // forward() in two parts, for a critic step that scores its real, fake and mixed bars with
    // the same conditions: the first layer is a convolution over the bar's channels and the
    // condition's features together, which is the sum of one over each; the condition's
    // share, [B, width, steps] with the layer's bias, is the same for all three.
    torch::Tensor conditionTerm(const torch::Tensor& condition);
    torch::Tensor score(const torch::Tensor& bar, const torch::Tensor& conditionTerm);

private:
    int m_barChannels;
    torch::nn::Conv1d m_condIn{nullptr};
    torch::nn::Conv1d m_c1{nullptr}, m_c2{nullptr}, m_c3{nullptr};
    torch::nn::Linear m_score{nullptr};
};
TORCH_MODULE(GanCritic);

// The WGAN-GP penalty: mean over the batch of (||grad_x D(x_hat)|| - 1)^2 at x_hat = e * real +
// (1 - e) * fake, e uniform per sample (drawn from `noise`, [B] in [0, 1)). Differentiable
// (create_graph), so it trains the critic.
torch::Tensor gradientPenalty(GanCritic& critic, const torch::Tensor& real,
                              const torch::Tensor& fake, const torch::Tensor& condition,
                              const torch::Tensor& noise);
// The same with the critic's condition term of `condition` (GanCriticImpl::conditionTerm).
torch::Tensor gradientPenaltyWithTerm(GanCritic& critic, const torch::Tensor& real,
                                      const torch::Tensor& fake, const torch::Tensor& conditionTerm,
                                      const torch::Tensor& noise);

// The mask channel of a condition [B, conditionChannels, steps] as [B, 1, steps].
torch::Tensor stepMask(const GanShape& shape, const torch::Tensor& condition);

} // namespace torchestra::ml::neural
