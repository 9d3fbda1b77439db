#include "ml/corpus/CorpusReader.h"

#include "base/AtomicFile.h"
#include "ml/corpus/RecordCodec.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace torchestra::ml::corpus {

// One shard mapped read-only for the reader's lifetime.
struct CorpusReader::Mapping {
    const char* data = nullptr;
    std::size_t size = 0;
    ~Mapping() {
        if (data)
            ::munmap(const_cast<char*>(data), size);
    }
    std::string_view bytes() const { return {data, size}; }
};

CorpusReader::CorpusReader() = default;
CorpusReader::~CorpusReader() = default;
CorpusReader::CorpusReader(CorpusReader&&) noexcept = default;
CorpusReader& CorpusReader::operator=(CorpusReader&&) noexcept = default;

namespace {

// Maps `path` whole; `expected` is the size the index records for it.
std::string mapShard(const std::string& path, std::uint64_t expected, const char*& data) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return path + ": cannot open (" + std::strerror(errno) + ")";
    struct stat st {};
    if (::fstat(fd, &st) != 0 || std::uint64_t(st.st_size) != expected) {
        ::close(fd);
        return path + ": " + std::to_string(st.st_size) + " bytes, the index says " +
               std::to_string(expected) + " (truncated or replaced)";
    }
    void* p = ::mmap(nullptr, std::size_t(expected), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED)
        return path + ": cannot map (" + std::strerror(errno) + ")";
    data = static_cast<const char*>(p);
    return {};
}

} // namespace

std::string CorpusReader::open(const std::string& dir, const RepresentationConfig* expected,
                               bool verify) {
    *this = CorpusReader();
    m_dir = dir;
    const std::string where = "corpus " + dir + ": ";
    const std::string manifestPath = dir + "/" + kManifestName;
    std::string bytes;
    if (std::string err = base::readWholeFile(manifestPath, bytes); !err.empty())
        return where + err;
    if (std::string err = decodeManifest(bytes, m_manifest); !err.empty())
        return where + manifestPath + ": " + err;
    if (expected) {
        const std::string diff = representationDifference(m_manifest.representation, *expected);
        if (!diff.empty())
            return where + "built for another representation (" + diff +
                   "); rebuild it with corpus build, or train with the corpus's settings";
    }
    const std::string indexPath = dir + "/" + m_manifest.indexFile;
    if (std::string err = base::readWholeFile(indexPath, bytes); !err.empty())
        return where + err;
    if (bytes.size() != m_manifest.indexBytes || checksum64(bytes) != m_manifest.indexChecksum)
        return where + indexPath + ": does not match the manifest's size and checksum (" +
               std::to_string(bytes.size()) + " bytes, " + std::to_string(m_manifest.indexBytes) +
               " expected): truncated or damaged";
    if (std::string err = decodeIndex(bytes, m_index); !err.empty())
        return where + indexPath + ": " + err;
    for (const ShardInfo& s : m_index.shards) {
        auto m = std::make_unique<Mapping>();
        const std::string path = dir + "/" + s.file;
        if (std::string err = mapShard(path, s.bytes, m->data); !err.empty())
            return where + err;
        m->size = std::size_t(s.bytes);
        if (std::memcmp(m->data, kShardMagic, sizeof kShardMagic) != 0)
            return where + path + ": not a corpus shard (bad magic)";
        if (verify) {
            ::madvise(const_cast<char*>(m->data), m->size, MADV_SEQUENTIAL);
            if (checksum64(m->bytes()) != s.checksum)
                return where + path + ": checksum mismatch (the shard is damaged)";
            // Read pages of a file mapping count in the process's memory until dropped: a
            // corpus larger than memory would otherwise fill it here.
            ::madvise(const_cast<char*>(m->data), m->size, MADV_DONTNEED);
            ::madvise(const_cast<char*>(m->data), m->size, MADV_RANDOM);
        }
        m_shards.push_back(std::move(m));
    }
    return {};
}

bool CorpusReader::isValid(std::size_t record) const {
    return inValidSplit(m_index.records[record].hash, m_manifest.validPermille);
}

std::vector<std::size_t> CorpusReader::split(bool valid) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < size(); ++i)
        if (isValid(i) == valid)
            out.push_back(i);
    return out;
}

std::string_view CorpusReader::recordBytes(std::size_t i) const {
    const CorpusRecord& r = m_index.records[i];
    return m_shards[r.shard]->bytes().substr(std::size_t(r.offset), r.length);
}

std::string CorpusReader::read(std::size_t i, FrameSequence& out) const {
    const CorpusRecord& r = m_index.records[i];
    int notes = 0;
    const bool decoded = decodeRecord(recordBytes(i), m_manifest.representation, out, notes);
    dropPages(r);
    if (!decoded || out.steps != r.steps || notes != r.notes)
        return "corpus " + m_dir + ": " + m_dir + "/" + m_index.shards[r.shard].file + ": record " +
               std::to_string(i) + " (" + r.path + ") does not decode";
    out.source = r.path;
    return {};
}

// The record's pages leave this process's memory (the page cache keeps them): a pass over a
// corpus larger than memory must not accumulate them. The mapping is read-only, so a page a
// neighbouring record shares is simply read in again.
void CorpusReader::dropPages(const CorpusRecord& r) const {
    static const std::uint64_t page = std::uint64_t(::sysconf(_SC_PAGESIZE));
    const std::uint64_t first = r.offset / page * page;
    const std::uint64_t end = r.offset + r.length;
    ::madvise(const_cast<char*>(m_shards[r.shard]->data) + first, std::size_t(end - first),
              MADV_DONTNEED);
}

std::vector<DatasetFileInfo> usedFiles(const CorpusManifest& manifest) {
    std::vector<DatasetFileInfo> files;
    for (const CorpusFileEntry& f : manifest.files) {
        if (!f.used)
            continue;
        DatasetFileInfo info;
        info.path = f.path;
        info.hash = f.hash;
        info.steps = f.steps;
        info.notes = f.notes;
        info.seconds = f.seconds;
        info.used = true;
        files.push_back(std::move(info));
    }
    return files;
}

std::string loadCorpusDataset(const std::string& dir, const RepresentationConfig& expected,
                              Dataset& out) {
    CorpusReader reader;
    if (std::string err = reader.open(dir, &expected); !err.empty())
        return err;
    return loadCorpusDataset(reader, out);
}

std::string loadCorpusDataset(const CorpusReader& reader, Dataset& out) {
    Dataset data;
    data.representation = reader.manifest().representation;
    for (std::size_t i = 0; i < reader.size(); ++i) {
        FrameSequence seq;
        if (std::string err = reader.read(i, seq); !err.empty())
            return err;
        (reader.isValid(i) ? data.valid : data.train).push_back(std::move(seq));
    }
    data.files = usedFiles(reader.manifest());
    out = std::move(data);
    return {};
}

} // namespace torchestra::ml::corpus
