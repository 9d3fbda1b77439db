// Training data larger than its memory budget: the pool of streamed pieces (ml/StreamedPieces.h)
// stays within its budget, moves through every piece at the rate training covers it, and
// reports a read error; a corpus loads held or streamed by its size, each rank streaming a
// disjoint share; the Markov baseline learns the same from a stream as from memory.
#include "CorpusTestUtil.h"
#include "ml/MarkovTrainer.h"
#include "ml/StreamedPieces.h"
#include "ml/corpus/CorpusTraining.h"

#include <map>
#include <set>

using namespace torchestra;
using namespace torchestra::ml;
using namespace torchestra::ml::corpus;
using namespace torchestra::corpustest;

namespace {

// Pieces of known lengths (100 + 37 i mod 300 steps), counting every read.
class CountingSource : public PieceSource {
public:
    explicit CountingSource(std::size_t n, std::size_t failAt = SIZE_MAX)
        : m_reads(n, 0), m_failAt(failAt) {}
    std::size_t size() const override { return m_reads.size(); }
    int steps(std::size_t i) const override { return 100 + int(37 * i % 300); }
    std::string read(std::size_t i, FrameSequence& out) const override {
        if (i == m_failAt)
            return "piece " + std::to_string(i) + " is damaged";
        ++m_reads[i];
        m_order.push_back(i);
        out.resize(steps(i), 88, true);
        out.source = "piece" + std::to_string(i);
        return {};
    }
    std::size_t totalPieces() const override { return size(); }
    long totalSteps() const override {
        long n = 0;
        for (std::size_t i = 0; i < size(); ++i)
            n += steps(i);
        return n;
    }
    std::string identity() const override { return "counting"; }

    mutable std::vector<int> m_reads;
    mutable std::vector<std::size_t> m_order;
    std::size_t m_failAt;
};

RepresentationConfig onsetGrid() {
    RepresentationConfig rep;
    rep.onsets = true;
    return rep;
}

} // namespace

TEST(PiecePool, StaysWithinItsBudgetAndCoversEveryPieceAtTheTrainingRate) {
    auto source = std::make_shared<CountingSource>(200);
    const RepresentationConfig rep = onsetGrid();
    const std::size_t budget = 20 * decodedBytes(250, rep); // about a tenth of the source
    PiecePool pool(source, rep, budget, 7);
    ASSERT_EQ(pool.fill(), "");
    EXPECT_GT(pool.pieces().size(), 10u);
    EXPECT_LT(pool.pieces().size(), 40u);
    const long total = source->totalSteps();
    const auto resident = [&pool] {
        std::multiset<std::string> names;
        for (const FrameSequence& p : pool.pieces())
            names.insert(p.source);
        return names;
    };
    // Train over three passes' worth of steps in batches of 8 x 64. The version changes when
    // the resident pieces do (pieces of different lengths: at times one is let go and none
    // read).
    long changedVersions = 0;
    for (long covered = 0; covered < 3 * total; covered += 512) {
        const auto before = resident();
        const long version = pool.version();
        ASSERT_EQ(pool.advance(512), "");
        ASSERT_LE(pool.residentBytes(), budget);
        ASSERT_FALSE(pool.pieces().empty());
        if (pool.version() == version) {
            ASSERT_EQ(resident(), before);
        }
        changedVersions += pool.version() != version;
    }
    EXPECT_GT(changedVersions, 10);
    // Every piece came by once a pass, and the stream advanced by what was trained.
    for (int reads : source->m_reads)
        EXPECT_GE(reads, 2);
    EXPECT_GE(pool.passes(), 2);
    EXPECT_LE(pool.passes(), 3);
    long residentSteps = 0;
    for (const FrameSequence& p : pool.pieces())
        residentSteps += p.steps;
    const long readSteps = [&] {
        long n = 0;
        for (std::size_t i : source->m_order)
            n += source->steps(i);
        return n;
    }();
    EXPECT_NEAR(double(readSteps - residentSteps), double(3 * total), 400.0);
}

TEST(PiecePool, TheSameSeedReadsInTheSameOrderAndPassesDiffer) {
    const RepresentationConfig rep = onsetGrid();
    auto a = std::make_shared<CountingSource>(50);
    auto b = std::make_shared<CountingSource>(50);
    PiecePool pa(a, rep, 5 * decodedBytes(250, rep), 3);
    PiecePool pb(b, rep, 5 * decodedBytes(250, rep), 3);
    ASSERT_EQ(pa.fill(), "");
    ASSERT_EQ(pb.fill(), "");
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(pa.advance(300), "");
        ASSERT_EQ(pb.advance(300), "");
    }
    ASSERT_GE(a->m_order.size(), 100u);
    EXPECT_EQ(a->m_order, b->m_order);
    // Two passes in different orders.
    const std::vector<std::size_t> first(a->m_order.begin(), a->m_order.begin() + 50);
    const std::vector<std::size_t> second(a->m_order.begin() + 50, a->m_order.begin() + 100);
    EXPECT_NE(first, second);
    EXPECT_EQ(std::set<std::size_t>(second.begin(), second.end()).size(), 50u);
}

TEST(PiecePool, AReadErrorIsReportedNotSkipped) {
    auto source = std::make_shared<CountingSource>(30, 17);
    const RepresentationConfig rep = onsetGrid();
    PiecePool pool(source, rep, 4 * decodedBytes(250, rep), 1);
    std::string err = pool.fill();
    for (int i = 0; i < 200 && err.empty(); ++i)
        err = pool.advance(400);
    EXPECT_EQ(err, "piece 17 is damaged");
}

TEST(PiecePool, APieceLargerThanTheBudgetIsHeldAlone) {
    auto source = std::make_shared<CountingSource>(5);
    const RepresentationConfig rep = onsetGrid();
    PiecePool pool(source, rep, 100, 1);
    ASSERT_EQ(pool.fill(), "");
    EXPECT_EQ(pool.pieces().size(), 1u);
    ASSERT_EQ(pool.advance(1000), "");
    EXPECT_EQ(pool.pieces().size(), 1u);
    EXPECT_GT(pool.piecesRead(), 1);
}

namespace {

std::shared_ptr<CorpusReader> openCorpus(int songs, int shardBytes) {
    const std::string in = writeSongs(makeTempDir(), 0, songs);
    const std::string out = makeTempDir() + "/corpus";
    CorpusBuildOptions options;
    options.shardBytes = std::size_t(shardBytes);
    options.validPermille = 200;
    const CorpusBuildResult r = build(in, out, options);
    EXPECT_TRUE(r.ok) << r.error;
    auto reader = std::make_shared<CorpusReader>();
    EXPECT_EQ(reader->open(out), "");
    return reader;
}

} // namespace

TEST(CorpusTraining, HeldWhenItFitsStreamedBeyondTheBudget) {
    auto reader = openCorpus(24, 4000);
    ASSERT_GT(reader->index().shards.size(), 2u);
    Dataset held, streamed;
    CorpusTrainingSummary heldSummary, streamedSummary;
    ASSERT_EQ(loadCorpusTrainingData(reader, {}, held, heldSummary), "");
    EXPECT_FALSE(heldSummary.streamed);
    EXPECT_FALSE(held.trainStream);
    EXPECT_EQ(held.train.size(), heldSummary.trainFiles);

    CorpusTrainingOptions small;
    small.memoryBudgetBytes = heldSummary.trainBytes / 4;
    ASSERT_EQ(loadCorpusTrainingData(reader, small, streamed, streamedSummary), "");
    EXPECT_TRUE(streamedSummary.streamed);
    ASSERT_TRUE(streamed.trainStream);
    EXPECT_TRUE(streamed.train.empty());
    // The same data either way: the training split's size, the validation pieces, the files.
    EXPECT_EQ(streamed.trainSteps(), held.trainSteps());
    EXPECT_EQ(streamed.trainStream->size(), held.train.size());
    // Validation within a quarter of the budget: a sample of the held pieces, first by hash.
    EXPECT_EQ(streamed.valid.size(), streamedSummary.validFilesHeld);
    EXPECT_GE(streamed.valid.size(), 1u);
    EXPECT_LT(streamed.valid.size(), held.valid.size());
    std::set<std::string> heldValid;
    for (const FrameSequence& p : held.valid)
        heldValid.insert(p.source);
    for (const FrameSequence& p : streamed.valid)
        EXPECT_EQ(heldValid.count(p.source), 1u) << p.source;
    EXPECT_EQ(streamed.files.size(), held.files.size());
    EXPECT_LE(streamed.streamBudgetBytes, small.memoryBudgetBytes);
    EXPECT_NE(streamedSummary.describe("C").find("streamed"), std::string::npos);
    // Read through the stream, every training piece is one of the held ones.
    std::multiset<std::string> heldSources, streamedSources;
    for (const FrameSequence& p : held.train)
        heldSources.insert(p.source);
    for (std::size_t i = 0; i < streamed.trainStream->size(); ++i) {
        FrameSequence p;
        ASSERT_EQ(streamed.trainStream->read(i, p), "");
        streamedSources.insert(p.source);
    }
    EXPECT_EQ(streamedSources, heldSources);
}

TEST(CorpusTraining, EachRankStreamsADisjointShareOfWholeShards) {
    auto reader = openCorpus(24, 4000);
    const std::size_t shards = reader->index().shards.size();
    ASSERT_GE(shards, 3u);
    std::multiset<std::string> all;
    std::string identity;
    for (int rank = 0; rank < 3; ++rank) {
        CorpusTrainingOptions o;
        o.memoryBudgetBytes = 2000;
        o.rank = rank;
        o.worldSize = 3;
        Dataset d;
        CorpusTrainingSummary s;
        ASSERT_EQ(loadCorpusTrainingData(reader, o, d, s), "");
        ASSERT_TRUE(d.trainStream);
        EXPECT_LT(s.shareFiles, s.trainFiles);
        // Every rank agrees on what the whole is.
        if (rank == 0)
            identity = d.trainStream->identity();
        EXPECT_EQ(d.trainStream->identity(), identity);
        for (std::size_t i = 0; i < d.trainStream->size(); ++i) {
            FrameSequence p;
            ASSERT_EQ(d.trainStream->read(i, p), "");
            all.insert(p.source);
        }
    }
    EXPECT_EQ(all.size(), reader->split(false).size());
    EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), all.size());
}

TEST(CorpusTraining, MarkovLearnsTheSameFromAStreamAsFromMemory) {
    auto reader = openCorpus(12, 4000);
    Dataset held, streamed;
    CorpusTrainingSummary s;
    ASSERT_EQ(loadCorpusTrainingData(reader, {}, held, s), "");
    CorpusTrainingOptions small;
    small.memoryBudgetBytes = 1000;
    ASSERT_EQ(loadCorpusTrainingData(reader, small, streamed, s), "");
    ASSERT_TRUE(streamed.trainStream);
    ModelConfig config;
    config.kind = ModelKind::Markov;
    config.representation = held.representation;
    std::atomic<bool> cancel{false};
    const TrainResult a = trainMarkov(held, config, cancel, nullptr);
    const TrainResult b = trainMarkov(streamed, config, cancel, nullptr);
    ASSERT_EQ(a.status, TrainStatus::Finished) << a.error;
    ASSERT_EQ(b.status, TrainStatus::Finished) << b.error;
    ASSERT_FALSE(held.valid.empty());
    EXPECT_DOUBLE_EQ(a.history[0].trainLoss, b.history[0].trainLoss);
    // (The validation losses differ: the streamed run validates on a sample.)
    const NllResult ea = a.model->evaluate(held.valid[0]);
    const NllResult eb = b.model->evaluate(held.valid[0]);
    EXPECT_DOUBLE_EQ(ea.frameSum, eb.frameSum);
}
