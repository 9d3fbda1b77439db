#pragma once

// "Best of N" in the Generate panel: sample N takes, keep the best few by how well the music
// after the bars fits them (a rewrite inside the song: infill), else by the model's own
// likelihood (ml/CandidateRanking.h, what `generate --candidates` does). No widgets: the
// panel's worker thread runs chooseTakes.

#include "ml/CandidateRanking.h"

#include <QString>

#include <atomic>
#include <vector>

namespace torchestra::ui {

struct CandidateChoice {
    ml::RankBy by = ml::RankBy::None; // None: keep the first `keep` as sampled
    int keep = 1;
    ml::RankingContext context;
    int only = -1; // >= 0: keep just this sampled take (a take chosen from many, made again)
};

struct ChosenTakes {
    std::vector<ml::FrameSequence> takes;
    std::vector<int> sampled;   // each kept take's index among the sampled ones
    std::vector<double> scores; // each kept take's score by `by` (empty for None)
};

// How a run of `sampled` takes for `keep` variations chooses: by the music after them when there
// is some (`following` not empty), else by the takes' likelihood; nothing to choose when the
// model has no likelihood (the GAN) or when as many are kept as sampled.
CandidateChoice planChoice(const ml::SequenceModel& model, int sampled, int keep,
                           ml::FrameSequence primer, ml::FrameSequence following);

// The kept takes, best first. Empty takes when `cancel` was set. Any thread.
ChosenTakes chooseTakes(const ml::SequenceModel& model, std::vector<ml::FrameSequence> sampled,
                        const CandidateChoice& choice, const std::atomic<bool>* cancel);

// A kept take's score as the variation list shows it: "fits what follows: 6.42 nats/step",
// "likelihood: 5.10 nats/step"; "" for None.
QString scoreText(ml::RankBy by, double score);

} // namespace torchestra::ui
