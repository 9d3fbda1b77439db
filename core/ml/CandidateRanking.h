#pragma once

// Re-ranking: sample many candidates in one call, score each, keep the best few. Infill ranks
// each filler by how likely the model finds the music after the gap once the filler is in place
// (the music that follows decides what fits); otherwise the user chooses the model's own
// likelihood of each take or its closeness to the training data (ml/TakeAssessment.h). No torch:
// the model is used through SequenceModel's virtual calls, so the CLI (`generate --candidates`)
// and the Generate panel share it.

#include "ml/SequenceModel.h"
#include "ml/TakeAssessment.h"

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

namespace torchestra::ml {

// Bars after a gap that judge a filler by RankBy::Following (as many as the primer before it
// has at most): `generate --regenerate` and the Generate panel's "best of N" both take these.
constexpr int kFollowingBars = 4;

enum class RankBy {
    // The NLL of the music after the gap given primer + candidate, nats per step (lower first).
    Following,
    // The candidate's own NLL given the primer, nats per step (lower first): the model's
    // favourite takes, which tend to be the plainer ones.
    Likelihood,
    // Closeness to the training data, 0..1 (higher first; TakeAssessment::closeness).
    Closeness,
    // No score: the candidates are kept in the order they were sampled.
    None,
};

const char* toString(RankBy by);
// "following", "likelihood", "closeness" (not "none": that is no choice a user makes).
bool parseRankBy(const std::string& s, RankBy& out);

// What ranks candidates when the user does not say: the music after the gap when there is some
// and the model has a likelihood, else the take's likelihood, else (the GAN) closeness when the
// training data can be read, else nothing.
RankBy defaultRankBy(const SequenceModel& model, bool hasFollowing, bool referenceUsable);

// "" when `by` can rank for this model and context, else why not (a sentence for the user).
std::string rankByUnavailable(RankBy by, const SequenceModel& model, bool hasFollowing,
                              const TrainingReference* reference);

// What one score means, for a printed line: "nats/step, lower is better" and the like.
std::string scoreMeaning(RankBy by);

struct RankingContext {
    FrameSequence primer;                         // the music before the candidates (may be empty)
    FrameSequence following;                      // the music after them (Following only)
    const TrainingReference* reference = nullptr; // Closeness only
};

struct Ranking {
    RankBy by = RankBy::None;
    std::vector<double> scores;    // one per candidate (0 for None)
    std::vector<std::size_t> kept; // indices into the candidates, best first
};

// Scores every candidate by `by` (see RankBy) in one batch where the model offers one
// (SequenceModel::evaluateFrom), then keeps the best `keep` (ties: the earlier candidate first).
// `by` must be available (rankByUnavailable). Empty scores and kept when `cancel` was set. Any
// thread; the model is used through const calls only.
Ranking rankCandidates(const SequenceModel& model, RankBy by,
                       const std::vector<FrameSequence>& candidates, const RankingContext& context,
                       int keep, const std::atomic<bool>* cancel = nullptr);

// The best `keep` of `scores` by `by`'s order (lower first for NLLs, higher for closeness),
// ties broken by index; None keeps the first `keep`.
std::vector<std::size_t> bestOf(RankBy by, const std::vector<double>& scores, int keep);

} // namespace torchestra::ml
