#include "ml/corpus/ShardWriter.h"

#include "base/AtomicFile.h"

#include <cstdio>
#include <utility>

namespace torchestra::ml::corpus {

ShardWriter::ShardWriter(std::string dir, int firstNumber, std::size_t limit)
    : m_dir(std::move(dir)), m_next(firstNumber), m_limit(limit) {}

void ShardWriter::keep(const ShardInfo& shard, std::vector<CorpusRecord> records) {
    const auto number = std::uint32_t(m_index.shards.size());
    m_index.shards.push_back(shard);
    for (CorpusRecord& r : records) {
        r.shard = number;
        m_index.records.push_back(std::move(r));
    }
}

std::string ShardWriter::add(std::string_view bytes, CorpusRecord record) {
    if (m_buffer.empty()) {
        m_buffer.reserve(m_limit + bytes.size());
        m_buffer.assign(kShardMagic, sizeof kShardMagic);
    }
    record.offset = m_buffer.size();
    record.length = std::uint32_t(bytes.size());
    m_buffer.append(bytes);
    m_pending.push_back(std::move(record));
    return m_buffer.size() >= m_limit ? flush() : std::string();
}

ShardWriter::~ShardWriter() {
    wait();
}

std::string ShardWriter::wait() {
    if (!m_writing.valid())
        return {};
    Written done = m_writing.get();
    m_index.shards[m_writingShard].checksum = done.checksum;
    m_spare = std::move(done.buffer);
    m_spare.clear(); // its capacity is kept: the same two buffers serve every shard
    return done.error;
}

std::string ShardWriter::flush() {
    if (m_pending.empty())
        return {};
    // The previous shard must be on disk first: at most two shards in memory.
    if (std::string err = wait(); !err.empty())
        return err;
    ShardInfo shard;
    shard.file = numberedName("shard", m_next++);
    shard.bytes = m_buffer.size();
    const std::string path = m_dir + "/" + shard.file;
    m_written.push_back(path);
    m_writingShard = m_index.shards.size();
    keep(shard, std::move(m_pending));
    m_pending.clear();
    // Checksummed and written (with an fsync) on another thread while the next shard fills.
    m_writing = std::async(std::launch::async, [path, bytes = std::move(m_buffer)]() mutable {
        Written w;
        w.checksum = checksum64(bytes);
        w.error = base::writeFileAtomically(path, bytes);
        w.buffer = std::move(bytes);
        return w;
    });
    m_buffer = std::move(m_spare);
    m_spare = std::string();
    return {};
}

std::string ShardWriter::finish() {
    if (std::string err = flush(); !err.empty())
        return err;
    return wait();
}

void ShardWriter::discard() {
    wait();
    for (const std::string& path : m_written)
        std::remove(path.c_str());
    m_written.clear();
}

} // namespace torchestra::ml::corpus
