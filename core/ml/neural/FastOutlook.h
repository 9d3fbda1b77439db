#pragma once

// The probability overlay's numbers for the RNN/LSTM models, on the fast path: one
// teacher-forced pass over the sequence, reading each step's heads before the step's frame goes
// in. No torch here.

#include "ml/neural/FastWeights.h"

#include <atomic>

namespace torchestra::ml::neural {

// Draws per step for the NADE head's marginals (see fastOutlook).
constexpr int kNadeOutlookSamples = 64;

// The outlook of every step of `seq` (SequenceModel::outlook). The independent head gives each
// pitch's probability exactly. The NADE head gives a pitch's probability given the pitches below
// it, so its marginal is estimated from `nadeSamples` draws of the step's frame: each draw adds
// every pitch's conditional probability (the average of conditionals varies less than counting
// the draws), and the draws are stratified rather than random (FastOutlook.cpp), so an outlook
// is the same every time. Empty if `cancel` was set.
PitchOutlook fastOutlook(const FastWeights& weights, const RepresentationConfig& rep,
                         const FrameSequence& seq, const std::atomic<bool>* cancel,
                         int nadeSamples = kNadeOutlookSamples);

} // namespace torchestra::ml::neural
