// The GAN's modules and its WGAN-GP steps, checked against hand and finite-difference values.

#include "ml/neural/GanNet.h"
#include "ml/neural/GanTraining.h"

#include <gtest/gtest.h>

using namespace torchestra::ml;
using namespace torchestra::ml::neural;

namespace {

GanShape tinyShape() {
    GanShape s;
    s.pitches = 4;
    s.lowPitch = 60;
    s.steps = 8;
    s.velocityBins = 4;
    return s;
}

torch::Tensor conditionWithLength(const GanShape& shape, int batch, int length) {
    torch::Tensor c = torch::zeros({batch, shape.conditionChannels(), shape.steps});
    c.narrow(1, shape.firstGlobalChannel() + 2, 1).narrow(2, 0, length).fill_(1.f);
    return c;
}

} // namespace

TEST(GanNet, GeneratorAndCriticShapesAndThePaddingStaysSilent) {
    torch::manual_seed(1);
    const GanShape shape = tinyShape();
    GanGenerator g(shape, 10, 16);
    GanCritic d(shape, 16);
    const torch::Tensor condition = conditionWithLength(shape, 3, 6); // a bar of 6 of 8 steps
    const torch::Tensor bar = g(torch::randn({3, 10}), condition);
    EXPECT_EQ(bar.sizes(), (std::vector<std::int64_t>{3, shape.barChannels(), shape.steps}));
    EXPECT_GT(bar.narrow(2, 0, 6).abs().sum().item<double>(), 0.0);
    EXPECT_EQ(bar.narrow(2, 6, 2).abs().sum().item<double>(), 0.0);
    EXPECT_GE(bar.min().item<double>(), 0.0);
    EXPECT_LE(bar.max().item<double>(), 1.0);
    EXPECT_EQ(d(bar, condition).sizes(), (std::vector<std::int64_t>{3}));
}

// The penalty is (||dD/dx at x_hat|| - 1)^2 averaged over the batch: compare with central
// differences of the critic, in double precision.
TEST(GanNet, GradientPenaltyMatchesFiniteDifferences) {
    torch::manual_seed(2);
    const GanShape shape = tinyShape();
    GanCritic d(shape, 8);
    d->to(torch::kDouble);
    const int B = 2;
    const auto dbl = torch::TensorOptions().dtype(torch::kDouble);
    const torch::Tensor real = torch::rand({B, shape.barChannels(), shape.steps}, dbl);
    const torch::Tensor fake = torch::rand({B, shape.barChannels(), shape.steps}, dbl);
    const torch::Tensor condition = conditionWithLength(shape, B, 8).to(torch::kDouble);
    const torch::Tensor e = torch::tensor({0.25, 0.7}, dbl);
    const double penalty = gradientPenalty(d, real, fake, condition, e).item<double>();

    torch::NoGradGuard noGrad;
    const torch::Tensor mixed = e.view({-1, 1, 1}) * real + (1 - e.view({-1, 1, 1})) * fake;
    double expected = 0;
    const double h = 1e-5;
    for (int b = 0; b < B; ++b) {
        double normSq = 0;
        torch::Tensor x = mixed[b].unsqueeze(0).clone();
        const torch::Tensor cond = condition[b].unsqueeze(0);
        double* v = x.data_ptr<double>();
        for (std::int64_t i = 0; i < x.numel(); ++i) {
            const double keep = v[i];
            v[i] = keep + h;
            const double up = d(x, cond).item<double>();
            v[i] = keep - h;
            const double down = d(x, cond).item<double>();
            v[i] = keep;
            const double g = (up - down) / (2 * h);
            normSq += g * g;
        }
        expected += std::pow(std::sqrt(normSq) - 1.0, 2) / B;
    }
    EXPECT_NEAR(penalty, expected, 1e-6 + 1e-5 * std::abs(expected));
    EXPECT_GT(expected, 0.0);
}

// One Adam step of the critic on a fixed batch lowers its loss on that batch (the same noise
// for the fake bars and the penalty's mixing drawn again by reseeding).
TEST(GanNet, OneCriticStepLowersItsLoss) {
    const GanShape shape = tinyShape();
    torch::manual_seed(3);
    GanGenerator g(shape, 10, 16);
    GanCritic d(shape, 16);
    torch::optim::Adam adam(d->parameters(),
                            torch::optim::AdamOptions(1e-3).betas(std::make_tuple(0.5, 0.9)));
    GanBatch batch;
    batch.real = (torch::rand({16, shape.barChannels(), shape.steps}) > 0.7).to(torch::kFloat);
    batch.condition = conditionWithLength(shape, 16, 8);
    torch::manual_seed(7);
    const CriticStep first = criticStep(g, d, adam, batch, 10);
    torch::manual_seed(7);
    const CriticStep second = criticStep(g, d, adam, batch, 10);
    EXPECT_LT(second.loss, first.loss);
    EXPECT_GT(second.wasserstein, first.wasserstein); // it tells real from fake better
}

// criticStep computes the condition's share of the critic's first layer once, scores the real
// and fake bars in one batch and detaches that share in the penalty: its gradients must be
// those of the plain WGAN-GP loss through forward() (in double precision, to rounding).
TEST(GanNet, CriticStepHasThePlainLossesGradients) {
    const GanShape shape = tinyShape();
    const caffe2::TypeMeta previous = torch::get_default_dtype();
    torch::set_default_dtype(caffe2::TypeMeta::Make<double>());
    torch::manual_seed(4);
    GanGenerator g(shape, 10, 16);
    GanCritic d(shape, 16);
    const int B = 6;
    GanBatch batch;
    batch.real = (torch::rand({B, shape.barChannels(), shape.steps}) > 0.7).to(torch::kDouble);
    batch.condition = conditionWithLength(shape, B, 7);
    batch.condition.narrow(1, 0, shape.barChannels())
        .copy_(torch::rand({B, shape.barChannels(), shape.steps}));

    torch::manual_seed(9); // the step draws the fake bars' noise, then the penalty's mixing
    torch::Tensor fake;
    {
        torch::NoGradGuard noGrad;
        fake = g(torch::randn({B, 10}), batch.condition);
    }
    const torch::Tensor e = torch::rand({B}).view({-1, 1, 1});
    torch::Tensor mixed = (e * batch.real + (1 - e) * fake).detach().requires_grad_(true);
    const torch::Tensor grad =
        torch::autograd::grad({d(mixed, batch.condition).sum()}, {mixed}, {}, true, true)[0];
    const torch::Tensor penalty = (grad.flatten(1).norm(2, 1) - 1).pow(2).mean();
    const torch::Tensor wasserstein =
        d(batch.real, batch.condition).mean() - d(fake, batch.condition).mean();
    (-wasserstein + kPenaltyWeight * penalty).backward();
    std::vector<torch::Tensor> expected;
    for (const torch::Tensor& p : d->parameters())
        expected.push_back(p.grad().clone());

    torch::optim::Adam adam(d->parameters(), torch::optim::AdamOptions(1e-3));
    torch::manual_seed(9);
    const CriticStep step = criticStep(g, d, adam, batch, 10); // grads before Adam's step
    EXPECT_NEAR(step.wasserstein, wasserstein.item<double>(), 1e-12);
    EXPECT_NEAR(step.penalty, penalty.item<double>(), 1e-12);
    const auto params = d->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
        const double scale = expected[i].abs().max().item<double>();
        if (i + 1 < params.size()) { // the score's bias cancels out of every term
            EXPECT_GT(scale, 0.0) << "parameter " << i;
        }
        EXPECT_LE((params[i].grad() - expected[i]).abs().max().item<double>(), 1e-12 * scale)
            << "parameter " << i;
    }
    torch::set_default_dtype(previous);
}

// The generator step gives the critic's weights no gradient and leaves them trainable.
TEST(GanNet, GeneratorStepLeavesTheCriticAlone) {
    const GanShape shape = tinyShape();
    torch::manual_seed(5);
    GanGenerator g(shape, 10, 16);
    GanCritic d(shape, 16);
    torch::optim::Adam adam(g->parameters(), torch::optim::AdamOptions(1e-3));
    GanBatch batch;
    batch.condition = conditionWithLength(shape, 4, 8);
    const double loss = generatorStep(g, d, adam, batch, 10);
    EXPECT_TRUE(std::isfinite(loss));
    for (const torch::Tensor& p : d->parameters()) {
        EXPECT_TRUE(p.requires_grad());
        EXPECT_FALSE(p.grad().defined());
    }
    for (const torch::Tensor& p : g->parameters())
        EXPECT_TRUE(p.grad().defined());
}

// The trainer's thread count follows the measured update times: it starts on one thread, tries
// two after the warm-up and three updates, and keeps the faster; it tries again when the load
// changes (an update slows down), and with one thread allowed it never tries another.
TEST(GanNet, ThreadChoiceKeepsTheFasterCount) {
    ThreadChoice choice(2);
    double oneThread = 0.3, twoThreads = 1.0; // a busy machine
    const auto run = [&] {
        const int threads = choice.next();
        choice.record(threads == 1 ? oneThread : twoThreads);
        return threads;
    };
    std::vector<int> used;
    for (int i = 0; i < 8; ++i)
        used.push_back(run());
    EXPECT_EQ(used, (std::vector<int>{1, 1, 1, 1, 2, 2, 1, 1})); // warm-up, 3, try, check
    int two = 0;
    for (int i = 0; i < 200; ++i)
        two += run() == 2;
    EXPECT_LE(two, 8); // a few tries, further and further apart

    oneThread = 0.22, twoThreads = 0.16; // the machine is quiet again: found at the next try
    for (int i = 0; i < 200; ++i)
        run();
    EXPECT_EQ(choice.next(), 2);
    int one = 0;
    for (int i = 0; i < 100; ++i)
        one += run() == 1;
    EXPECT_LE(one, 6);

    oneThread = 0.33, twoThreads = 1.0; // busy again: two threads slow down, tried at once
    used.clear();
    for (int i = 0; i < 8; ++i)
        used.push_back(run());
    EXPECT_EQ(used, (std::vector<int>{2, 1, 1, 2, 2, 1, 1, 1})); // slow, try, check, switched

    ThreadChoice single(1);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(single.next(), 1);
        single.record(1.0);
    }
}
