// Re-ranking candidates (ml/CandidateRanking.h): on a model that learned a trivial pattern in
// milliseconds, the ranking picks the candidate whose answer is known (the filler the music after
// the gap calls for, the take the model finds likeliest, the take closest to the training
// data); the order, ties and the default and refused choices.
#include "ml/CandidateRanking.h"
#include "MlTestUtil.h"
#include "ml/MarkovModel.h"

#include <gtest/gtest.h>

#include <random>

using namespace torchestra;
using namespace torchestra::ml;

namespace {

// Four different bars, repeated: each step of the cycle sounds its own pitch (40 + its place in
// the 64 steps of the cycle), so every step tells the next and each bar tells the bar after it.
FrameSequence cyclePiece(int bars) {
    model::Song song = testkit::songIn44();
    const model::TrackId id = song.addTrack(model::Track{});
    std::vector<model::Note> notes;
    for (int step = 0; step < bars * 16; ++step)
        notes.push_back(test::gridNote(step * 120, 120, 40 + step % 64));
    song.addNotes(id, notes);
    return songToSequence(song, RepresentationConfig{});
}

FrameSequence bar(const FrameSequence& piece, int index) {
    return piece.slice(index * 16, 16);
}

std::unique_ptr<MarkovModel> trainedOnTheCycle() {
    ModelConfig c;
    c.kind = ModelKind::Markov;
    c.markovOrder = 2;
    auto model = std::make_unique<MarkovModel>(c);
    model->train({cyclePiece(16)});
    return model;
}

} // namespace

// The gap is bar 3 of the cycle (bars 1-2 before it, bars 4 and 1 after it): only bar 3 leads
// into the bar after the gap as the model learned, so it must rank first by `following`, though
// the other candidates are fine bars of the same music.
TEST(CandidateRanking, FollowingPicksTheFillerTheMusicAfterTheGapCallsFor) {
    const auto model = trainedOnTheCycle();
    const FrameSequence piece = cyclePiece(8);
    RankingContext context;
    context.primer = piece.slice(0, 32);
    context.following = piece.slice(48, 32);
    const std::vector<FrameSequence> candidates = {bar(piece, 1), bar(piece, 3), bar(piece, 2),
                                                   test::noise(bar(piece, 2), 5), bar(piece, 0)};
    const Ranking r = rankCandidates(*model, RankBy::Following, candidates, context, 2);
    ASSERT_EQ(r.scores.size(), candidates.size());
    ASSERT_EQ(r.kept.size(), 2u);
    EXPECT_EQ(r.kept[0], 2u) << "bar 3 of the cycle is what leads into bar 4";
    // The others cost the music after the gap at least a nat in all (its first steps are a
    // surprise after them; the model recovers within its order of 2 steps).
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (i != 2) {
            EXPECT_LT((r.scores[2] - r.scores[i]) * context.following.steps, -1.0) << i;
        }
    }
    // The score is the NLL of the music after the gap alone, per step, as evaluate() counts it.
    const NllResult whole = model->evaluate(
        joinSequences(joinSequences(context.primer, candidates[2]), context.following));
    const NllResult before = model->evaluate(joinSequences(context.primer, candidates[2]));
    const double expected = (whole.frameSum + whole.onsetSum + whole.velocitySum - before.frameSum -
                             before.onsetSum - before.velocitySum) /
                            double(context.following.steps);
    EXPECT_NEAR(r.scores[2], expected, 1e-9);
}

// By the take's own likelihood the bar the model expects after the primer ranks first, then
// the other bars of the cycle (each surprising only at its first step), then noise.
TEST(CandidateRanking, LikelihoodPicksTheTakeTheModelExpects) {
    const auto model = trainedOnTheCycle();
    const FrameSequence piece = cyclePiece(8);
    RankingContext context;
    context.primer = piece.slice(0, 32);
    const std::vector<FrameSequence> candidates = {test::noise(bar(piece, 2), 1), bar(piece, 0),
                                                   bar(piece, 2), test::noise(bar(piece, 2), 2)};
    const Ranking r = rankCandidates(*model, RankBy::Likelihood, candidates, context, 4);
    ASSERT_EQ(r.kept.size(), 4u);
    EXPECT_EQ(r.kept[0], 2u);
    EXPECT_EQ(r.kept[1], 1u);
    EXPECT_LT(r.scores[2], r.scores[1]);
    EXPECT_LT(r.scores[1], std::min(r.scores[0], r.scores[3]));
}

TEST(CandidateRanking, ClosenessPicksTheTakeLikeTheTrainingData) {
    const auto model = trainedOnTheCycle();
    const FrameSequence piece = cyclePiece(8);
    const TrainingReference reference =
        makeTrainingReference({cyclePiece(16), cyclePiece(12)}, RepresentationConfig{});
    RankingContext context;
    context.reference = &reference;
    const std::vector<FrameSequence> candidates = {test::noise(piece.slice(0, 32), 3),
                                                   piece.slice(16, 32)};
    const Ranking r = rankCandidates(*model, RankBy::Closeness, candidates, context, 1);
    ASSERT_EQ(r.kept.size(), 1u);
    EXPECT_EQ(r.kept[0], 1u);
    EXPECT_GT(r.scores[1], r.scores[0]);
    EXPECT_LE(r.scores[1], 1.0);
}

TEST(CandidateRanking, BestOfOrdersByTheScoreAndKeepsTiesInSamplingOrder) {
    const std::vector<double> scores = {2.0, 1.0, 3.0, 1.0, 0.5};
    EXPECT_EQ(bestOf(RankBy::Likelihood, scores, 3), (std::vector<std::size_t>{4, 1, 3}));
    EXPECT_EQ(bestOf(RankBy::Following, scores, 5), (std::vector<std::size_t>{4, 1, 3, 0, 2}));
    EXPECT_EQ(bestOf(RankBy::Closeness, scores, 2), (std::vector<std::size_t>{2, 0}));
    EXPECT_EQ(bestOf(RankBy::None, scores, 2), (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(bestOf(RankBy::Likelihood, scores, 9).size(), 5u);
}

TEST(CandidateRanking, DefaultsAndRefusalsFollowWhatTheModelAndContextOffer) {
    const auto markov = trainedOnTheCycle();
    const test::NoLikelihoodModel gan;
    EXPECT_EQ(defaultRankBy(*markov, true, false), RankBy::Following);
    EXPECT_EQ(defaultRankBy(*markov, false, true), RankBy::Likelihood);
    EXPECT_EQ(defaultRankBy(gan, true, true), RankBy::Closeness);
    EXPECT_EQ(defaultRankBy(gan, true, false), RankBy::None);

    const TrainingReference usable = makeTrainingReference({cyclePiece(4)}, RepresentationConfig{});
    const TrainingReference empty = makeTrainingReference({}, RepresentationConfig{});
    EXPECT_EQ(rankByUnavailable(RankBy::Following, *markov, true, nullptr), "");
    EXPECT_NE(rankByUnavailable(RankBy::Following, *markov, false, nullptr).find("music after"),
              std::string::npos);
    EXPECT_NE(rankByUnavailable(RankBy::Likelihood, gan, false, &usable).find("no"),
              std::string::npos);
    EXPECT_EQ(rankByUnavailable(RankBy::Closeness, gan, false, &usable), "");
    EXPECT_NE(rankByUnavailable(RankBy::Closeness, gan, false, &empty).find("training music"),
              std::string::npos);

    RankBy by = RankBy::None;
    EXPECT_TRUE(parseRankBy("following", by));
    EXPECT_EQ(by, RankBy::Following);
    EXPECT_TRUE(parseRankBy("closeness", by));
    EXPECT_EQ(by, RankBy::Closeness);
    EXPECT_FALSE(parseRankBy("none", by));
    EXPECT_FALSE(parseRankBy("best", by));
}

TEST(CandidateRanking, CancelGivesNoRanking) {
    const auto model = trainedOnTheCycle();
    const FrameSequence piece = cyclePiece(4);
    std::atomic<bool> cancel{true};
    const Ranking r = rankCandidates(*model, RankBy::Likelihood, {bar(piece, 0), bar(piece, 1)},
                                     RankingContext{}, 1, &cancel);
    EXPECT_TRUE(r.kept.empty());
    EXPECT_TRUE(r.scores.empty());
}
