#include "ml/LossForecast.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace torchestra::ml {

namespace {

struct Fit {
    double a = 0, b = 0, sse = std::numeric_limits<double>::infinity();
};

// Least squares of loss = a + b * x with x = exp(-t / tau); b is held at >= 0.
Fit fitFor(const std::vector<LossPoint>& points, double tau) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double n = double(points.size());
    for (const LossPoint& p : points) {
        const double x = std::exp(-p.seconds / tau);
        sx += x;
        sy += p.loss;
        sxx += x * x;
        sxy += x * p.loss;
    }
    Fit f;
    const double det = n * sxx - sx * sx;
    if (std::abs(det) < 1e-12)
        return f;
    f.b = (n * sxy - sx * sy) / det;
    if (f.b <= 0)
        return f; // not falling
    f.a = (sy - f.b * sx) / n;
    f.sse = 0;
    for (const LossPoint& p : points) {
        const double r = f.a + f.b * std::exp(-p.seconds / tau) - p.loss;
        f.sse += r * r;
    }
    return f;
}

} // namespace

LossForecast forecastLoss(const std::vector<LossPoint>& points, double endSeconds) {
    LossForecast out;
    if (int(points.size()) < kMinForecastPoints)
        return out;
    double span = 0;
    for (const LossPoint& p : points)
        span = std::max(span, p.seconds);
    if (span <= 0)
        return out;
    Fit best;
    double bestTau = 0;
    constexpr int kSteps = 200;
    for (int i = 0; i <= kSteps; ++i) {
        const double tau = span * std::pow(10.0, -1.0 + 2.0 * i / kSteps);
        const Fit f = fitFor(points, tau);
        if (f.sse < best.sse) {
            best = f;
            bestTau = tau;
        }
    }
    if (!std::isfinite(best.sse))
        return out;
    out.valid = true;
    out.floor = std::max(0.0, best.a);
    out.atEnd = endSeconds > 0 ? std::max(0.0, best.a + best.b * std::exp(-endSeconds / bestTau))
                               : out.floor;
    return out;
}

} // namespace torchestra::ml
