#include "ml/KeyOdds.h"

#include "ml/Scales.h"

#include <algorithm>

namespace torchestra::ml {

void countStepOnsets(const FrameSequence& seq, int t, int lowPitch, int sign,
                     std::array<int, 12>& counts) {
    for (int p = 0; p < seq.pitches; ++p)
        if (seq.starts(t, p))
            counts[std::size_t((lowPitch + p) % 12)] += sign;
}

bool outsideKey(int tonic, int lowPitch, int p) {
    static const std::uint16_t major = scaleMask("major");
    if (tonic < 0)
        return false;
    const int step = ((lowPitch + p - tonic) % 12 + 12) % 12;
    return !(major >> step & 1);
}

int keyBefore(const FrameSequence& primer, const FrameSequence& take, int from, int stepsPerBeat,
              int lowPitch, int preferred) {
    const int window = kKeyWindowBeats * stepsPerBeat;
    std::array<int, 12> counts{};
    for (int t = std::max(0, from - window); t < from; ++t)
        countStepOnsets(take, t, lowPitch, 1, counts);
    for (int t = std::max(0, primer.steps - (window - from)); from < window && t < primer.steps;
         ++t)
        countStepOnsets(primer, t, lowPitch, 1, counts);
    return bestMajorScale(counts, preferred);
}

} // namespace torchestra::ml
