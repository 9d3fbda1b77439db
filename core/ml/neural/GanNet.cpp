#include "ml/neural/GanNet.h"

namespace torchestra::ml::neural {

namespace {

constexpr double kSlope = 0.2; // LeakyReLU, as in DCGAN/MuseGAN critics
constexpr int kConditionFeatures = 64;

torch::Tensor leaky(const torch::Tensor& x) {
    return torch::leaky_relu(x, kSlope);
}

torch::nn::Conv1dOptions conv(int in, int out, int kernel, int stride = 1) {
    // "same" padding for odd kernels, halving for kernel 4 stride 2.
    return torch::nn::Conv1dOptions(in, out, kernel)
        .stride(stride)
        .padding(kernel == 4 ? 1 : kernel / 2);
}

} // namespace

torch::Tensor stepMask(const GanShape& shape, const torch::Tensor& condition) {
    return condition.narrow(1, shape.firstGlobalChannel() + 2, 1);
}

GanGeneratorImpl::GanGeneratorImpl(const GanShape& shape, int noise, int width)
    : m_shape(shape), m_width(width) {
    m_condIn = register_module(
        "condIn", torch::nn::Conv1d(conv(shape.conditionChannels(), kConditionFeatures, 3)));
    m_condOut = register_module("condOut",
                                torch::nn::Conv1d(conv(kConditionFeatures, kConditionFeatures, 3)));
    m_fromNoise = register_module(
        "fromNoise", torch::nn::Linear(noise + GanShape::kGlobalChannels, width * shape.steps));
    m_mix =
        register_module("mix", torch::nn::Conv1d(conv(width + kConditionFeatures + 1, width, 3)));
    m_body = register_module("body", torch::nn::Conv1d(conv(width, width, 3)));
    m_out = register_module("out", torch::nn::Conv1d(conv(width, shape.barChannels(), 1)));
}

torch::Tensor GanGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& condition) {
    const std::int64_t B = z.size(0);
    const torch::Tensor globals =
        condition.narrow(1, m_shape.firstGlobalChannel(), GanShape::kGlobalChannels).mean(2);
    const torch::Tensor mask = stepMask(m_shape, condition);
    torch::Tensor g =
        leaky(m_fromNoise(torch::cat({z, globals}, 1))).view({B, m_width, m_shape.steps});
    const torch::Tensor c = leaky(m_condOut(leaky(m_condIn(condition))));
    torch::Tensor h = leaky(m_mix(torch::cat({g, c, mask}, 1)));
    h = h + leaky(m_body(h));
    return torch::sigmoid(m_out(h)) * mask;
}

GanCriticImpl::GanCriticImpl(const GanShape& shape, int width)
    : m_barChannels(shape.barChannels()) {
    m_condIn = register_module(
        "condIn", torch::nn::Conv1d(conv(shape.conditionChannels(), kConditionFeatures, 1)));
    m_c1 = register_module(
        "c1", torch::nn::Conv1d(conv(shape.barChannels() + kConditionFeatures, width, 3)));
    m_c2 = register_module("c2", torch::nn::Conv1d(conv(width, width, 4, 2)));
    m_c3 = register_module("c3", torch::nn::Conv1d(conv(width, width, 4, 2)));
    m_score = register_module("score", torch::nn::Linear(width * (shape.steps / 4), 1));
}

torch::Tensor GanCriticImpl::forward(const torch::Tensor& bar, const torch::Tensor& condition) {
    return score(bar, conditionTerm(condition));
}

// c1's weight is [width, barChannels + condition features, 3]: the bar's columns first, as
// torch::cat({bar, features}) fed them when c1 ran on the two together.
torch::Tensor GanCriticImpl::conditionTerm(const torch::Tensor& condition) {
    const torch::Tensor c = leaky(m_condIn(condition));
    const std::int64_t features = m_c1->weight.size(1) - m_barChannels;
    const std::int64_t padding = m_c1->weight.size(2) / 2;
    return torch::conv1d(c, m_c1->weight.narrow(1, m_barChannels, features), m_c1->bias,
                         /*stride=*/1, padding);
}

torch::Tensor GanCriticImpl::score(const torch::Tensor& bar, const torch::Tensor& conditionTerm) {
    const std::int64_t padding = m_c1->weight.size(2) / 2;
    torch::Tensor h =
        torch::conv1d(bar, m_c1->weight.narrow(1, 0, m_barChannels), {}, /*stride=*/1, padding);
    h = leaky(h + conditionTerm);
    h = leaky(m_c2(h));
    h = leaky(m_c3(h));
    return m_score(h.flatten(1)).squeeze(1);
}

torch::Tensor gradientPenalty(GanCritic& critic, const torch::Tensor& real,
                              const torch::Tensor& fake, const torch::Tensor& condition,
                              const torch::Tensor& noise) {
    return gradientPenaltyWithTerm(critic, real, fake, critic->conditionTerm(condition), noise);
}

torch::Tensor gradientPenaltyWithTerm(GanCritic& critic, const torch::Tensor& real,
                                      const torch::Tensor& fake, const torch::Tensor& conditionTerm,
                                      const torch::Tensor& noise) {
    const torch::Tensor e = noise.view({-1, 1, 1});
    torch::Tensor mixed = (e * real + (1 - e) * fake.detach()).detach().requires_grad_(true);
    // The condition term enters only through the slopes of the LeakyReLUs, which are piecewise
    // constant: the penalty's gradient through it is zero (autograd's too, which would compute
    // those zeros through the condition's layers), so it is detached here.
    const torch::Tensor scores = critic->score(mixed, conditionTerm.detach());
    const torch::Tensor grad = torch::autograd::grad({scores.sum()}, {mixed}, {},
                                                     /*retain_graph=*/true,
                                                     /*create_graph=*/true)[0];
    return (grad.flatten(1).norm(2, 1) - 1).pow(2).mean();
}

} // namespace torchestra::ml::neural
