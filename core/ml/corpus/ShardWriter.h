#pragma once

// Fills shard files one after another for a corpus build (CorpusFormat.h): records are appended
// in memory and a shard is written (atomically, checksummed, on a thread of its own while the
// next one fills) once it holds `limit` bytes, so a build holds at most two shards in memory.
// Used by one thread.

#include "ml/corpus/CorpusFormat.h"

#include <future>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace torchestra::ml::corpus {

class ShardWriter {
public:
    // Shards are named shard-<firstNumber>.bin, shard-<firstNumber + 1>.bin, ... in `dir`.
    ShardWriter(std::string dir, int firstNumber, std::size_t limit);
    ~ShardWriter();
    ShardWriter(const ShardWriter&) = delete;
    ShardWriter& operator=(const ShardWriter&) = delete;

    // Keeps an existing shard of the corpus as it is, with its records (their `shard` field is
    // set here).
    void keep(const ShardInfo& shard, std::vector<CorpusRecord> records);
    // Appends a record (its shard, offset and length are set here). Returns "" or an error
    // naming the shard that could not be written.
    std::string add(std::string_view bytes, CorpusRecord record);
    // Writes the last, partly filled shard and waits until every shard is on disk. Returns ""
    // or an error.
    std::string finish();
    // Deletes the shards this writer wrote (a build that did not complete).
    void discard();

    const CorpusIndex& index() const { return m_index; }

private:
    std::string flush();
    // Waits for the shard being written, if any; returns "" or its error.
    std::string wait();

    std::string m_dir;
    int m_next;
    std::size_t m_limit;
    std::string m_buffer;
    std::vector<CorpusRecord> m_pending;
    CorpusIndex m_index;
    std::vector<std::string> m_written;
    struct Written {
        std::uint64_t checksum = 0;
        std::string error;
        std::string buffer; // handed back for the next shard
    };
    std::future<Written> m_writing;
    std::size_t m_writingShard = 0;
    std::string m_spare;
};

} // namespace torchestra::ml::corpus
