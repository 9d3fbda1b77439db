#include "ml/SamplingConstraints.h"

#include <algorithm>
#include <cmath>

namespace torchestra::ml {

SamplingConstraints::SamplingConstraints(const RepresentationConfig& rep,
                                         const SampleConstraints& c)
    : m_maxPolyphony(c.maxPolyphony), m_minPolyphony(c.minPolyphony), m_density(c.density),
      m_logDensity(float(std::log(std::max(1e-6, c.density)))) {
    const int P = rep.pitches();
    m_allowed.assign(std::size_t(std::max(0, P)), 0);
    for (int p = 0; p < P; ++p) {
        const int pitch = rep.lowPitch + p;
        m_allowed[std::size_t(p)] =
            pitch >= c.lowPitch && pitch <= c.highPitch && ((c.scaleMask >> (pitch % 12)) & 1u);
    }
}

void SamplingConstraints::capPolyphony(std::uint8_t* frame, int count, const float* prob,
                                       std::vector<int>& order) const {
    if (m_maxPolyphony <= 0 || count <= m_maxPolyphony)
        return;
    order.clear();
    for (int p = 0; p < pitches(); ++p)
        if (frame[p])
            order.push_back(p);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return prob[a] > prob[b]; });
    for (std::size_t k = std::size_t(m_maxPolyphony); k < order.size(); ++k)
        frame[order[k]] = 0;
}

int SamplingConstraints::fillPolyphony(std::uint8_t* frame, int count, const float* prob) const {
    // A few passes over the step's pitches, no sort: the floor is a handful of notes.
    while (count > 0 && count < m_minPolyphony && hasRoom(count)) {
        int best = -1;
        for (int p = 0; p < pitches(); ++p)
            if (!frame[p] && allows(p) && (best < 0 || prob[p] > prob[best]))
                best = p;
        if (best < 0)
            break;
        frame[best] = 1;
        ++count;
    }
    return count;
}

} // namespace torchestra::ml
