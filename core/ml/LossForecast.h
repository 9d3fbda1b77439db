#pragma once

// Where a run's validation loss is heading: a curve fitted to the validations so far, read at
// the end of the time budget. Pure arithmetic; the Train panel shows it while a run trains.

#include <vector>

namespace torchestra::ml {

struct LossPoint {
    double seconds = 0; // since training started
    double loss = 0;
};

struct LossForecast {
    bool valid = false; // fewer than 3 points, or none falling, give no forecast
    double atEnd = 0;   // the curve at the end of the budget (its floor without a budget)
    double floor = 0;   // where the curve levels off
};

constexpr int kMinForecastPoints = 3;

// Fits loss(t) = a + b * exp(-t / tau) with b >= 0 (a falling curve; learning curves fall fast,
// then level off) by least squares: tau on a logarithmic grid from a tenth to ten times the
// time seen, a and b exact for each. `endSeconds` <= 0 (no budget) reads the floor a. A curve
// that does not fall (b would be negative for every tau) gives no forecast: the loss is not
// heading anywhere better, and the best model so far is what the run will keep.
LossForecast forecastLoss(const std::vector<LossPoint>& points, double endSeconds);

} // namespace torchestra::ml
