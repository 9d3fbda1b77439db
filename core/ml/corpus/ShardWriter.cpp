#include "ml/corpus/ShardWriter.h"

#include "base/AtomicFile.h"

#include <cstdio>

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

std::string ShardWriter::flush() {
    if (m_pending.empty())
        return {};
    ShardInfo shard;
    shard.file = numberedName("shard", m_next++);
    shard.bytes = m_buffer.size();
    shard.checksum = checksum64(m_buffer);
    const std::string path = m_dir + "/" + shard.file;
    if (std::string err = base::writeFileAtomically(path, m_buffer); !err.empty())
        return err;
    m_written.push_back(path);
    keep(shard, std::move(m_pending));
    m_pending.clear();
    m_buffer.clear(); // its capacity is kept for the next shard: one shard's memory in all
    return {};
}

std::string ShardWriter::finish() {
    return flush();
}

void ShardWriter::discard() {
    for (const std::string& path : m_written)
        std::remove(path.c_str());
    m_written.clear();
}

} // namespace torchestra::ml::corpus
