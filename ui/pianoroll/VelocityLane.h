#pragma once

#include <QRect>

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

// The velocity lane's mapping between velocities and y, given the lane's rectangle in viewport
// coordinates (empty when the lane is hidden). A value type so the view, its painter and its
// gestures all map the same way.
struct VelocityLane {
    static constexpr int kMargin = 8; // room above 127 and below 1

    QRect rect;

    double velocityToY(int velocity) const {
        const double span = rect.height() - 2 * kMargin;
        return rect.bottom() - kMargin - span * std::clamp(velocity, 0, 127) / 127.0;
    }
    int yToVelocity(double y) const {
        const double span = std::max(1, rect.height() - 2 * kMargin);
        return std::clamp(int(std::lround((rect.bottom() - kMargin - y) * 127.0 / span)), 1, 127);
    }
};

} // namespace torchestra::ui
