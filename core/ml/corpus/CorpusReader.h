#pragma once

// Reads a built corpus (CorpusFormat.h): the manifest and index are read whole, the shards are
// memory-mapped and each record is decoded only when asked for, so a corpus larger than memory
// can be streamed (a record's pages are dropped from the process once decoded, and so are a
// shard's once verified; only decoded pieces take heap memory).

#include "ml/Dataset.h"
#include "ml/corpus/CorpusFormat.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace torchestra::ml::corpus {

class CorpusReader {
public:
    CorpusReader();
    ~CorpusReader();
    CorpusReader(CorpusReader&&) noexcept;
    CorpusReader& operator=(CorpusReader&&) noexcept;

    // Opens the corpus in `dir`. With `expected`, a corpus built for another representation is
    // refused, naming the corpus and each difference. With `verify`, every shard's checksum is
    // checked now (reading each once); a shard that fails is named. Returns "" or an error that
    // names the corpus folder and the file at fault. Any thread; one thread at a time.
    std::string open(const std::string& dir, const RepresentationConfig* expected = nullptr,
                     bool verify = true);

    const std::string& dir() const { return m_dir; }
    const CorpusManifest& manifest() const { return m_manifest; }
    const CorpusIndex& index() const { return m_index; }
    std::size_t size() const { return m_index.records.size(); }
    bool isValid(std::size_t record) const;
    // The records of one split, in index order.
    std::vector<std::size_t> split(bool valid) const;
    // Record `i`'s bytes inside its mapped shard (valid while this reader is open).
    std::string_view recordBytes(std::size_t i) const;
    // Decodes record `i` (source = its file's path). Returns "" or an error naming the shard.
    // Safe from several threads at once once open() has returned.
    std::string read(std::size_t i, FrameSequence& out) const;

private:
    struct Mapping;
    void dropPages(const CorpusRecord& record) const;
    std::string m_dir;
    CorpusManifest m_manifest;
    CorpusIndex m_index;
    std::vector<std::unique_ptr<Mapping>> m_shards;
};

// The files a corpus uses, as the dataset lists them (a checkpoint names its training files).
std::vector<DatasetFileInfo> usedFiles(const CorpusManifest& manifest);

// The whole corpus in memory as a Dataset (train and valid by the corpus's split; files lists
// every used file), for trainModel. Checks the representation against `expected` and every
// shard's checksum. Returns "" or an error naming the corpus and the file at fault.
std::string loadCorpusDataset(const std::string& dir, const RepresentationConfig& expected,
                              Dataset& out);
// The same from a corpus already open.
std::string loadCorpusDataset(const CorpusReader& reader, Dataset& out);

} // namespace torchestra::ml::corpus
