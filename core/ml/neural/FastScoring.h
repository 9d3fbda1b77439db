#pragma once

// The model's NLL of many sequences at once on the fast path, for ranking candidates
// (ml/CandidateRanking.h): each sequence teacher-forced through a batch row of the runner. The
// terms are those of the torch path's evaluate() (NeuralModel.cpp: frame, onset given sounding,
// velocity bin), which it matches to float rounding (~1e-5 relative). No torch here.

#include "ml/neural/FastWeights.h"

#include <atomic>
#include <vector>

namespace torchestra::ml::neural {

// The NLL terms of steps [from, steps) of each sequence given the steps before it: what
// evaluate() of the whole sequence less evaluate() of its first `from` steps gives (with from 0
// the first step goes into firstFrame, as in evaluate). Sequences may differ in length. With
// two fast-path threads set, groups of rows run on the helper too. Empty if `cancel` was set.
std::vector<NllResult> fastNllFrom(const FastWeights& weights, const RepresentationConfig& rep,
                                   const std::vector<FrameSequence>& seqs, int from,
                                   const std::atomic<bool>* cancel);

} // namespace torchestra::ml::neural
