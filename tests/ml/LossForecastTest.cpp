// forecastLoss: a falling exponential fitted to validation points, read at the budget's end.
#include "ml/LossForecast.h"

#include <gtest/gtest.h>

#include <cmath>

namespace torchestra::ml {
namespace {

std::vector<LossPoint> curve(double a, double b, double tau, int count, double every) {
    std::vector<LossPoint> points;
    for (int i = 1; i <= count; ++i) {
        const double t = i * every;
        points.push_back({t, a + b * std::exp(-t / tau)});
    }
    return points;
}

TEST(LossForecast, NeedsThreePoints) {
    EXPECT_FALSE(forecastLoss({}, 300).valid);
    EXPECT_FALSE(forecastLoss(curve(2, 3, 40, 2, 10), 300).valid);
    EXPECT_TRUE(forecastLoss(curve(2, 3, 40, 3, 10), 300).valid);
}

// Points of an exact curve give that curve back: its value at the end and its floor.
TEST(LossForecast, RecoversAFallingExponential) {
    const std::vector<LossPoint> points = curve(2.0, 3.0, 40.0, 8, 10.0);
    const LossForecast f = forecastLoss(points, 300);
    ASSERT_TRUE(f.valid);
    EXPECT_NEAR(f.atEnd, 2.0 + 3.0 * std::exp(-300.0 / 40.0), 0.02);
    EXPECT_NEAR(f.floor, 2.0, 0.02);
    EXPECT_LT(f.atEnd, points.back().loss) << "still falling after the last point";
    // Without a budget: where it levels off.
    EXPECT_DOUBLE_EQ(forecastLoss(points, 0).atEnd, f.floor);
}

// A noisy curve still lands near the truth, below the last point and above the floor.
TEST(LossForecast, ToleratesNoise) {
    std::vector<LossPoint> points = curve(1.5, 2.0, 60.0, 10, 15.0);
    for (std::size_t i = 0; i < points.size(); ++i)
        points[i].loss += (i % 2 ? 0.02 : -0.02);
    const LossForecast f = forecastLoss(points, 600);
    ASSERT_TRUE(f.valid);
    EXPECT_NEAR(f.atEnd, 1.5, 0.15);
}

// A loss that rises (overfitting) is heading nowhere better: no forecast.
TEST(LossForecast, ARisingLossGivesNoForecast) {
    const std::vector<LossPoint> rising = {{10, 2.0}, {20, 2.1}, {30, 2.3}, {40, 2.6}};
    EXPECT_FALSE(forecastLoss(rising, 300).valid);
}

TEST(LossForecast, NeverBelowZero) {
    // A steep fall that a straight reading would carry below zero.
    const std::vector<LossPoint> steep = {{10, 3.0}, {20, 1.5}, {30, 0.4}};
    const LossForecast f = forecastLoss(steep, 1000);
    ASSERT_TRUE(f.valid);
    EXPECT_GE(f.atEnd, 0.0);
    EXPECT_GE(f.floor, 0.0);
}

} // namespace
} // namespace torchestra::ml
