#include "ui/panels/CandidateChoice.h"

#include <QCoreApplication>

#include <algorithm>

namespace torchestra::ui {

CandidateChoice planChoice(const ml::SequenceModel& model, int sampled, int keep,
                           ml::FrameSequence primer, ml::FrameSequence following) {
    CandidateChoice choice;
    choice.keep = keep;
    if (sampled <= keep || !model.hasLikelihood())
        return choice;
    choice.by = following.steps > 0 ? ml::RankBy::Following : ml::RankBy::Likelihood;
    choice.context.primer = std::move(primer);
    if (choice.by == ml::RankBy::Following)
        choice.context.following = std::move(following);
    return choice;
}

ChosenTakes chooseTakes(const ml::SequenceModel& model, std::vector<ml::FrameSequence> sampled,
                        const CandidateChoice& choice, const std::atomic<bool>* cancel) {
    ChosenTakes out;
    if (choice.only >= 0) {
        if (std::size_t(choice.only) < sampled.size()) {
            out.takes.push_back(std::move(sampled[std::size_t(choice.only)]));
            out.sampled.push_back(choice.only);
        }
        return out;
    }
    if (choice.by == ml::RankBy::None) {
        const std::size_t keep = std::min(sampled.size(), std::size_t(std::max(0, choice.keep)));
        for (std::size_t i = 0; i < keep; ++i) {
            out.takes.push_back(std::move(sampled[i]));
            out.sampled.push_back(int(i));
        }
        return out;
    }
    const ml::Ranking ranking =
        ml::rankCandidates(model, choice.by, sampled, choice.context, choice.keep, cancel);
    if (ranking.kept.empty())
        return out; // cancelled
    for (std::size_t k : ranking.kept) {
        out.takes.push_back(sampled[k]);
        out.sampled.push_back(int(k));
        out.scores.push_back(ranking.scores[k]);
    }
    return out;
}

QString scoreText(ml::RankBy by, double score) {
    const auto tr = [](const char* s) { return QCoreApplication::translate("CandidateChoice", s); };
    switch (by) {
    case ml::RankBy::Following:
        return tr("fits what follows: %1 nats/step").arg(score, 0, 'f', 2);
    case ml::RankBy::Likelihood:
        return tr("likelihood: %1 nats/step").arg(score, 0, 'f', 2);
    case ml::RankBy::Closeness:
        return tr("closeness: %1").arg(score, 0, 'f', 2);
    case ml::RankBy::None:
        break;
    }
    return {};
}

} // namespace torchestra::ui
