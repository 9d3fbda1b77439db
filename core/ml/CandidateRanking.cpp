#include "ml/CandidateRanking.h"

#include <algorithm>
#include <numeric>

namespace torchestra::ml {

namespace {

// Nats per scored step of each result (frame + onset + velocity, the figure validation and
// TakeAssessment::nll report); +infinity-like for a result that scored nothing, so that it
// ranks last.
std::vector<double> perStep(const std::vector<NllResult>& results) {
    std::vector<double> out;
    out.reserve(results.size());
    for (const NllResult& r : results)
        out.push_back(r.frameSteps > 0
                          ? (r.frameSum + r.onsetSum + r.velocitySum) / double(r.frameSteps)
                          : 1e300);
    return out;
}

// Each candidate with the music after it, scored from the first step after the candidate.
std::vector<double> followingScores(const SequenceModel& model,
                                    const std::vector<FrameSequence>& candidates,
                                    const RankingContext& c, const std::atomic<bool>* cancel) {
    std::vector<FrameSequence> seqs;
    seqs.reserve(candidates.size());
    for (const FrameSequence& take : candidates)
        seqs.push_back(joinSequences(joinSequences(c.primer, take), c.following));
    const int from = c.primer.steps + (candidates.empty() ? 0 : candidates.front().steps);
    return perStep(model.evaluateFrom(seqs, from, cancel));
}

// Each candidate after the primer, scored from its first step.
std::vector<double> likelihoodScores(const SequenceModel& model,
                                     const std::vector<FrameSequence>& candidates,
                                     const RankingContext& c, const std::atomic<bool>* cancel) {
    std::vector<FrameSequence> seqs;
    seqs.reserve(candidates.size());
    for (const FrameSequence& take : candidates)
        seqs.push_back(joinSequences(c.primer, take));
    return perStep(model.evaluateFrom(seqs, c.primer.steps, cancel));
}

std::vector<double> closenessScores(const std::vector<FrameSequence>& candidates,
                                    const RankingContext& c, const std::atomic<bool>* cancel) {
    const std::vector<TakeAssessment> a =
        assessTakes(candidates, c.primer, nullptr, c.reference, cancel);
    std::vector<double> out;
    for (const TakeAssessment& t : a)
        out.push_back(t.closeness);
    return out;
}

} // namespace

const char* toString(RankBy by) {
    switch (by) {
    case RankBy::Following:
        return "following";
    case RankBy::Likelihood:
        return "likelihood";
    case RankBy::Closeness:
        return "closeness";
    case RankBy::None:
        break;
    }
    return "none";
}

bool parseRankBy(const std::string& s, RankBy& out) {
    for (RankBy by : {RankBy::Following, RankBy::Likelihood, RankBy::Closeness}) {
        if (s == toString(by)) {
            out = by;
            return true;
        }
    }
    return false;
}

RankBy defaultRankBy(const SequenceModel& model, bool hasFollowing, bool referenceUsable) {
    if (model.hasLikelihood())
        return hasFollowing ? RankBy::Following : RankBy::Likelihood;
    return referenceUsable ? RankBy::Closeness : RankBy::None;
}

std::string rankByUnavailable(RankBy by, const SequenceModel& model, bool hasFollowing,
                              const TrainingReference* reference) {
    const bool likelihood = model.hasLikelihood();
    switch (by) {
    case RankBy::Following:
        if (!hasFollowing)
            return "ranking by following needs music after the candidates (--regenerate bars "
                   "that are not the song's last)";
        [[fallthrough]];
    case RankBy::Likelihood:
        if (!likelihood)
            return std::string("ranking by ") + toString(by) +
                   " needs a model with a likelihood; this " + toString(model.config().kind) +
                   " model has none (rank by closeness instead)";
        return {};
    case RankBy::Closeness:
        if (!reference || !reference->usable())
            return "ranking by closeness needs the model's training music: " +
                   (reference ? reference->note() : std::string("none given"));
        return {};
    case RankBy::None:
        break;
    }
    return {};
}

std::string scoreMeaning(RankBy by) {
    switch (by) {
    case RankBy::Following:
        return "the model's NLL of the music after the gap given each candidate, nats/step, "
               "lower is better";
    case RankBy::Likelihood:
        return "the model's NLL of each candidate, nats/step, lower is better";
    case RankBy::Closeness:
        return "closeness to the training data, 0..1, higher is better";
    case RankBy::None:
        break;
    }
    return "no score: kept in the order sampled";
}

std::vector<std::size_t> bestOf(RankBy by, const std::vector<double>& scores, int keep) {
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    if (by != RankBy::None) {
        const bool higher = by == RankBy::Closeness;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return higher ? scores[a] > scores[b] : scores[a] < scores[b];
        });
    }
    order.resize(std::min(order.size(), std::size_t(std::max(0, keep))));
    return order;
}

Ranking rankCandidates(const SequenceModel& model, RankBy by,
                       const std::vector<FrameSequence>& candidates, const RankingContext& context,
                       int keep, const std::atomic<bool>* cancel) {
    Ranking r;
    r.by = by;
    switch (by) {
    case RankBy::Following:
        r.scores = followingScores(model, candidates, context, cancel);
        break;
    case RankBy::Likelihood:
        r.scores = likelihoodScores(model, candidates, context, cancel);
        break;
    case RankBy::Closeness:
        r.scores = closenessScores(candidates, context, cancel);
        break;
    case RankBy::None:
        r.scores.assign(candidates.size(), 0.0);
        break;
    }
    if (r.scores.size() != candidates.size() || (cancel && cancel->load())) {
        r.scores.clear(); // cancelled part-way
        return r;
    }
    r.kept = bestOf(by, r.scores, keep);
    return r;
}

} // namespace torchestra::ml
