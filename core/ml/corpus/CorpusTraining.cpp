#include "ml/corpus/CorpusTraining.h"

#include "ml/StreamedPieces.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace torchestra::ml::corpus {

std::size_t defaultDataMemoryBudget() {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    const std::size_t quarter =
        pages > 0 && pageSize > 0 ? std::size_t(pages) * std::size_t(pageSize) / 4 : 0;
    return std::max(quarter, std::size_t(256) << 20);
}

namespace {

std::string megabytes(std::size_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, bytes >= (std::size_t(10) << 30) ? "%.0f GB" : "%.1f MB",
                  bytes >= (std::size_t(10) << 30) ? double(bytes) / 1e9 : double(bytes) / 1e6);
    return text;
}

// A rank's share of the training records: whole shards (each rank maps and reads only its
// own), or every worldSize-th record when there are fewer shards than ranks.
std::vector<std::size_t> rankShare(const CorpusReader& reader,
                                   const std::vector<std::size_t>& train, int rank, int world) {
    if (world <= 1)
        return train;
    const bool byShard = reader.index().shards.size() >= std::size_t(world);
    std::vector<std::size_t> share;
    for (std::size_t k = 0; k < train.size(); ++k) {
        const std::size_t owner =
            byShard ? reader.index().records[train[k]].shard : std::uint32_t(k);
        if (owner % std::size_t(world) == std::size_t(rank))
            share.push_back(train[k]);
    }
    return share;
}

// The training split's records that this reader streams.
class CorpusPieceSource : public PieceSource {
public:
    CorpusPieceSource(std::shared_ptr<const CorpusReader> reader, std::vector<std::size_t> share,
                      std::size_t totalPieces, long totalSteps)
        : m_reader(std::move(reader)), m_share(std::move(share)), m_totalPieces(totalPieces),
          m_totalSteps(totalSteps) {}
    std::size_t size() const override { return m_share.size(); }
    int steps(std::size_t piece) const override {
        return m_reader->index().records[m_share[piece]].steps;
    }
    std::string read(std::size_t piece, FrameSequence& out) const override {
        return m_reader->read(m_share[piece], out);
    }
    std::size_t totalPieces() const override { return m_totalPieces; }
    long totalSteps() const override { return m_totalSteps; }
    std::string identity() const override {
        return "corpus index " + hex64(m_reader->manifest().indexChecksum) + " (" +
               std::to_string(m_totalPieces) + " training files, " + std::to_string(m_totalSteps) +
               " steps)";
    }

private:
    std::shared_ptr<const CorpusReader> m_reader;
    std::vector<std::size_t> m_share;
    std::size_t m_totalPieces;
    long m_totalSteps;
};

// The validation records held in memory: all of them when they fit `budget`, else those first
// by content hash (the same on every rank, and mostly the same as the corpus grows).
std::vector<std::size_t> validationSample(const CorpusReader& reader, std::size_t budget) {
    std::vector<std::size_t> valid = reader.split(true);
    const RepresentationConfig& rep = reader.manifest().representation;
    std::size_t bytes = 0;
    for (std::size_t i : valid)
        bytes += decodedBytes(reader.index().records[i].steps, rep);
    if (bytes <= budget)
        return valid;
    std::sort(valid.begin(), valid.end(), [&](std::size_t a, std::size_t b) {
        return reader.index().records[a].hash < reader.index().records[b].hash;
    });
    std::vector<std::size_t> sample;
    bytes = 0;
    for (std::size_t i : valid) {
        bytes += decodedBytes(reader.index().records[i].steps, rep);
        if (bytes > budget && !sample.empty())
            break;
        sample.push_back(i);
    }
    std::sort(sample.begin(), sample.end());
    return sample;
}

std::string readAll(const CorpusReader& reader, const std::vector<std::size_t>& records,
                    std::vector<FrameSequence>& out) {
    out.reserve(records.size());
    for (std::size_t i : records) {
        FrameSequence seq;
        if (std::string err = reader.read(i, seq); !err.empty())
            return err;
        out.push_back(std::move(seq));
    }
    return {};
}

} // namespace

std::string CorpusTrainingSummary::describe(const std::string& dir) const {
    std::ostringstream s;
    s << "corpus " << dir << ": " << trainFiles << " training files (" << trainSteps << " steps), "
      << validFiles << " validation files";
    if (validFilesHeld < validFiles)
        s << "; validation on the first " << validFilesHeld << " by content hash (" << validSteps
          << " steps, within a quarter of the memory budget)";
    else
        s << " (" << validSteps << " steps)";
    if (streamed)
        s << "; streamed: the training split is " << megabytes(trainBytes)
          << " decoded, over the data's memory budget of " << megabytes(budgetBytes)
          << ", so it is read from the shards as training goes"
          << (shareFiles < trainFiles
                  ? " (this rank's share: " + std::to_string(shareFiles) + " files)"
                  : std::string());
    else
        s << "; held in memory (" << megabytes(trainBytes) << " of a " << megabytes(budgetBytes)
          << " budget)";
    return s.str();
}

std::string loadCorpusTrainingData(std::shared_ptr<const CorpusReader> reader,
                                   const CorpusTrainingOptions& options, Dataset& out,
                                   CorpusTrainingSummary& summary) {
    const CorpusReader& r = *reader;
    const RepresentationConfig& rep = r.manifest().representation;
    summary = CorpusTrainingSummary();
    summary.budgetBytes =
        options.memoryBudgetBytes > 0 ? options.memoryBudgetBytes : defaultDataMemoryBudget();
    const std::vector<std::size_t> train = r.split(false);
    summary.trainFiles = train.size();
    for (std::size_t i : train) {
        summary.trainSteps += r.index().records[i].steps;
        summary.trainNotes += r.index().records[i].notes;
        summary.trainBytes += decodedBytes(r.index().records[i].steps, rep);
    }
    const std::vector<std::size_t> allValid = r.split(true);
    summary.validFiles = allValid.size();
    const std::vector<std::size_t> valid = validationSample(r, summary.budgetBytes / 4);
    summary.validFilesHeld = valid.size();
    std::size_t validBytes = 0;
    for (std::size_t i : valid) {
        summary.validSteps += r.index().records[i].steps;
        validBytes += decodedBytes(r.index().records[i].steps, rep);
    }

    Dataset data;
    data.representation = rep;
    data.files = usedFiles(r.manifest());
    if (std::string err = readAll(r, valid, data.valid); !err.empty())
        return err;
    summary.streamed = summary.trainBytes + validBytes > summary.budgetBytes;
    if (!summary.streamed) {
        if (std::string err = readAll(r, train, data.train); !err.empty())
            return err;
        summary.shareFiles = train.size();
    } else {
        std::vector<std::size_t> share = rankShare(r, train, options.rank, options.worldSize);
        summary.shareFiles = share.size();
        if (share.empty())
            return "corpus " + r.dir() + ": rank " + std::to_string(options.rank) + " of " +
                   std::to_string(options.worldSize) +
                   " has no training files to read (more ranks than files)";
        data.trainStream = std::make_shared<CorpusPieceSource>(std::move(reader), std::move(share),
                                                               train.size(), summary.trainSteps);
        // The validation sample always holds one piece, even past a tiny budget.
        data.streamBudgetBytes =
            summary.budgetBytes > validBytes ? summary.budgetBytes - validBytes : 0;
    }
    out = std::move(data);
    return {};
}

} // namespace torchestra::ml::corpus
