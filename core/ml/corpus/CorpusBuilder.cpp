#include "ml/corpus/CorpusBuilder.h"

#include "base/AtomicFile.h"
#include "ml/Dataset.h"
#include "ml/corpus/CorpusReader.h"
#include "ml/corpus/CorpusReport.h"
#include "ml/corpus/OrderedPipeline.h"
#include "ml/corpus/RecordCodec.h"
#include "ml/corpus/ShardWriter.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace torchestra::ml::corpus {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct InputFile {
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
};

// One file read in this build: its fate, and its grid (encoded) or the previous build's record
// with the same bytes.
struct Outcome {
    CorpusFileEntry entry;
    std::string record;
    long oldRecord = -1;
};

const char* refusalText(Refusal r) {
    switch (r) {
    case Refusal::Unreadable:
        return kRefusedUnreadable;
    case Refusal::NotMidi:
        return kRefusedNotMidi;
    case Refusal::Resolution:
        return kRefusedResolution;
    case Refusal::NoNotes:
        return kRefusedNoNotes;
    case Refusal::None:
        break;
    }
    return "";
}

std::uint64_t hashOf(const CorpusFileEntry& e) {
    std::uint64_t h = 0;
    parseHex64(e.hash, h);
    return h;
}

// The corpus of an earlier build in the same folder, and what of it can be reused.
struct Previous {
    CorpusReader reader;
    bool usable = false;
    std::unordered_map<std::string, std::size_t> entryByPath;  // into manifest().files
    std::unordered_map<std::string, std::size_t> recordByPath; // into index().records
    std::unordered_map<std::uint64_t, std::size_t> recordByHash;
};

class Build {
public:
    Build(const std::string& outDir, const CorpusBuildOptions& options,
          const std::atomic<bool>& cancel, const CorpusProgressFn& progress)
        : m_dir(outDir), m_options(options), m_cancel(cancel), m_progress(progress),
          m_writer(outDir, nextNumber(outDir, "shard"), options.shardBytes) {
        m_selection.indices = options.trackIndices;
        m_threads = options.threads > 0 ? options.threads
                                        : int(std::max(1u, std::thread::hardware_concurrency()));
    }

    CorpusBuildResult run(const std::vector<std::string>& inputs);

private:
    static int nextNumber(const std::string& dir, const char* prefix);
    std::string listInputs(const std::vector<std::string>& inputs);
    void openPrevious();
    std::string planReuse();
    Outcome convert(const InputFile& file) const;
    bool take(std::size_t job, Outcome&& outcome);
    std::string writeIndexAndManifest(CorpusManifest& manifest);
    void removeStale(const CorpusManifest& manifest) const;
    void report(bool force);

    std::string m_dir;
    CorpusBuildOptions m_options;
    const std::atomic<bool>& m_cancel;
    const CorpusProgressFn& m_progress;
    TrackSelection m_selection;
    int m_threads = 1;
    ShardWriter m_writer;
    Previous m_previous;
    std::vector<InputFile> m_files;
    std::vector<CorpusFileEntry> m_entries;                // one per file, in m_files' order
    std::vector<std::size_t> m_jobs;                       // files to read, into m_files
    std::unordered_map<std::uint64_t, std::string> m_seen; // hash -> path of a used file
    CorpusBuildStats m_stats;
    std::string m_error;
    long m_done = 0;
    Clock::time_point m_lastReport{};
};

int Build::nextNumber(const std::string& dir, const char* prefix) {
    int next = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec))
        next = std::max(next, parseNumberedName(it->path().filename().string(), prefix) + 1);
    return next;
}

std::string Build::listInputs(const std::vector<std::string>& inputs) {
    std::vector<DatasetFileInfo> missing;
    const std::vector<std::string> paths = listMidiFiles(inputs, missing);
    if (!missing.empty())
        return missing.front().path + ": no such file or folder";
    for (const std::string& path : paths) {
        InputFile f;
        f.path = fs::absolute(path).lexically_normal().string();
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0) {
            f.size = std::uint64_t(st.st_size);
            f.mtimeNs = std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        }
        m_files.push_back(std::move(f));
    }
    if (m_files.empty())
        return "no MIDI files (.mid .midi .kar .rmi) under the inputs";
    return {};
}

void Build::openPrevious() {
    std::error_code ec;
    if (!fs::exists(m_dir + "/" + kManifestName, ec))
        return;
    if (std::string err = m_previous.reader.open(m_dir); !err.empty()) {
        m_stats.note = "the previous corpus was not reused (" + err + "); every file was read";
        m_previous.reader = CorpusReader();
        return;
    }
    const CorpusManifest& m = m_previous.reader.manifest();
    if (m.representation != m_options.representation || m.trackIndices != m_options.trackIndices) {
        m_stats.note = "the previous corpus was built for another representation or other "
                       "tracks; every file was read";
        m_previous.reader = CorpusReader();
        return;
    }
    m_previous.usable = true;
    for (std::size_t i = 0; i < m.files.size(); ++i)
        m_previous.entryByPath.emplace(m.files[i].path, i);
    const CorpusIndex& index = m_previous.reader.index();
    for (std::size_t i = 0; i < index.records.size(); ++i) {
        m_previous.recordByPath.emplace(index.records[i].path, i);
        m_previous.recordByHash.emplace(index.records[i].hash, i);
    }
}

// Decides which files keep their previous fate (same path, size and time) and which are read;
// keeps whole the previous shards all of whose records stay, and copies the other records
// that stay.
std::string Build::planReuse() {
    m_entries.resize(m_files.size());
    std::unordered_set<std::string> present;
    std::vector<std::size_t> keptRecords;
    for (std::size_t i = 0; i < m_files.size(); ++i) {
        const InputFile& f = m_files[i];
        present.insert(f.path);
        const auto e = m_previous.entryByPath.find(f.path);
        const auto r = m_previous.recordByPath.find(f.path);
        const CorpusFileEntry* old = e == m_previous.entryByPath.end()
                                         ? nullptr
                                         : &m_previous.reader.manifest().files[e->second];
        // Duplicates are read again: the file they duplicated may have gone.
        if (!old || old->size != f.size || old->mtimeNs != f.mtimeNs || !old->duplicateOf.empty() ||
            (old->used && r == m_previous.recordByPath.end())) {
            m_jobs.push_back(i);
            continue;
        }
        m_entries[i] = *old;
        ++m_stats.unchanged;
        if (old->used) {
            m_entries[i].valid = inValidSplit(hashOf(*old), m_options.validPermille);
            m_seen.emplace(hashOf(*old), f.path);
            keptRecords.push_back(r->second);
        }
    }
    for (const auto& [path, i] : m_previous.entryByPath)
        m_stats.removed += present.count(path) == 0;
    const CorpusIndex& index = m_previous.reader.index();
    std::vector<std::vector<CorpusRecord>> byShard(index.shards.size());
    std::vector<std::size_t> total(index.shards.size());
    for (const CorpusRecord& r : index.records)
        ++total[r.shard];
    for (std::size_t k : keptRecords)
        byShard[index.records[k].shard].push_back(index.records[k]);
    for (std::size_t s = 0; s < index.shards.size(); ++s) {
        if (byShard[s].size() == total[s] && total[s] > 0) {
            m_writer.keep(index.shards[s], std::move(byShard[s]));
            continue;
        }
        for (const CorpusRecord& r : byShard[s]) {
            const std::size_t k = m_previous.recordByPath.at(r.path);
            if (std::string err = m_writer.add(m_previous.reader.recordBytes(k), r); !err.empty())
                return err;
        }
    }
    return {};
}

// On a worker thread: reads one file and puts it on the grid, unless the previous corpus
// already holds its bytes.
Outcome Build::convert(const InputFile& f) const {
    Outcome out;
    CorpusFileEntry& e = out.entry;
    e.path = f.path;
    e.size = f.size;
    e.mtimeNs = f.mtimeNs;
    std::string bytes;
    if (std::string err = base::readWholeFile(f.path, bytes, kMaxMidiBytes); !err.empty()) {
        e.refused = kRefusedUnreadable;
        e.problems.push_back(err);
        return out;
    }
    e.hash = fileHash(bytes);
    const auto old = m_previous.recordByHash.find(hashOf(e));
    if (old != m_previous.recordByHash.end()) {
        const CorpusRecord& r = m_previous.reader.index().records[old->second];
        const auto& files = m_previous.reader.manifest().files;
        const auto entry = m_previous.entryByPath.find(r.path);
        if (entry != m_previous.entryByPath.end())
            e.seconds = files[entry->second].seconds;
        e.steps = r.steps;
        e.notes = r.notes;
        e.used = true;
        out.oldRecord = long(old->second);
        return out;
    }
    DatasetFileInfo info;
    FrameSequence seq;
    int notes = 0;
    Refusal refusal =
        midiBytesToGrid(bytes, m_options.representation, m_selection, info, seq, notes);
    if (refusal == Refusal::None)
        refusal = acceptGrid(seq, notes, m_options.representation, info);
    e.problems = std::move(info.problems);
    e.steps = info.steps;
    e.notes = info.notes;
    e.seconds = info.seconds;
    e.used = refusal == Refusal::None;
    e.refused = refusalText(refusal);
    if (e.used)
        out.record = encodeRecord(seq, notes);
    return out;
}

// On the calling thread, in file order: decides duplicates and writes the record.
bool Build::take(std::size_t job, Outcome&& o) {
    CorpusFileEntry& e = o.entry;
    ++m_stats.processed;
    if (e.used) {
        const std::uint64_t hash = hashOf(e);
        const auto [first, fresh] = m_seen.emplace(hash, e.path);
        if (!fresh) {
            e.used = false;
            e.refused = kRefusedDuplicate;
            e.duplicateOf = first->second;
        } else {
            e.valid = inValidSplit(hash, m_options.validPermille);
            m_stats.reusedByHash += o.oldRecord >= 0;
            CorpusRecord r;
            r.hash = hash;
            r.steps = e.steps;
            r.notes = e.notes;
            r.path = e.path;
            const std::string_view bytes = o.oldRecord >= 0
                                               ? m_previous.reader.recordBytes(o.oldRecord)
                                               : std::string_view(o.record);
            m_error = m_writer.add(bytes, std::move(r));
        }
    }
    m_entries[m_jobs[job]] = std::move(e);
    ++m_done;
    report(false);
    return m_error.empty();
}

void Build::report(bool force) {
    if (!m_progress)
        return;
    const auto now = Clock::now();
    if (!force && now - m_lastReport < std::chrono::milliseconds(40))
        return;
    m_lastReport = now;
    m_progress(CorpusProgress{m_done, long(m_files.size()), m_stats.processed});
}

std::string Build::writeIndexAndManifest(CorpusManifest& m) {
    const std::string index = encodeIndex(m_writer.index());
    m.representation = m_options.representation;
    m.trackIndices = m_options.trackIndices;
    m.validPermille = m_options.validPermille;
    m.indexFile = numberedName("index", nextNumber(m_dir, "index"));
    m.indexBytes = index.size();
    m.indexChecksum = checksum64(index);
    m.files = std::move(m_entries);
    m.lastBuild = m_stats;
    if (std::string err = base::writeFileAtomically(m_dir + "/" + m.indexFile, index); !err.empty())
        return err;
    if (std::string err = base::writeFileAtomically(m_dir + "/" + kManifestName, encodeManifest(m));
        !err.empty())
        return err;
    // The report is a copy for people; the manifest is what counts.
    base::writeFileAtomically(m_dir + "/" + kReportName,
                              formatCorpusReport(makeCorpusReport(m), m, m_dir));
    return {};
}

// Deletes what no manifest names any more: replaced shards and indexes, and the temporary files
// of an interrupted build.
void Build::removeStale(const CorpusManifest& m) const {
    std::set<std::string> keep = {m.indexFile};
    for (const ShardInfo& s : m_writer.index().shards)
        keep.insert(s.file);
    std::error_code ec;
    std::vector<fs::path> stale;
    for (auto it = fs::directory_iterator(m_dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const bool ours = parseNumberedName(name, "shard") >= 0 ||
                          parseNumberedName(name, "index") >= 0 ||
                          name.find(".bin.tmp-") != std::string::npos ||
                          name.rfind(std::string(kManifestName) + ".tmp-", 0) == 0;
        if (ours && keep.count(name) == 0)
            stale.push_back(it->path());
    }
    for (const fs::path& p : stale)
        fs::remove(p, ec);
}

CorpusBuildResult Build::run(const std::vector<std::string>& inputs) {
    const auto started = Clock::now();
    CorpusBuildResult result;
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    if (ec)
        result.error = m_dir + ": cannot create the folder (" + ec.message() + ")";
    if (result.error.empty())
        result.error = listInputs(inputs);
    if (!result.error.empty())
        return result;
    openPrevious();
    m_stats.threads = m_threads;
    result.error = planReuse();
    m_done = m_stats.unchanged;
    report(true);
    const std::size_t window =
        m_options.inFlight > 0 ? m_options.inFlight : std::size_t(8 * m_threads);
    const bool completed =
        result.error.empty() &&
        runOrderedPipeline<Outcome>(
            m_jobs.size(), m_threads, window, m_cancel,
            [this](std::size_t job) { return convert(m_files[m_jobs[job]]); },
            [this](std::size_t job, Outcome&& o) { return take(job, std::move(o)); });
    if (result.error.empty())
        result.error = m_error;
    if (result.error.empty() && completed)
        result.error = m_writer.finish();
    if (!completed || !result.error.empty()) {
        m_writer.discard();
        result.cancelled = result.error.empty();
        return result;
    }
    m_stats.wallSeconds = std::chrono::duration<double>(Clock::now() - started).count();
    report(true);
    if (std::string err = writeIndexAndManifest(result.manifest); !err.empty()) {
        m_writer.discard();
        result.error = err;
        return result;
    }
    removeStale(result.manifest);
    result.ok = true;
    return result;
}

} // namespace

CorpusBuildResult buildCorpus(const std::vector<std::string>& inputs, const std::string& outDir,
                              const CorpusBuildOptions& options, const std::atomic<bool>& cancel,
                              const CorpusProgressFn& progress) {
    Build build(outDir, options, cancel, progress);
    return build.run(inputs);
}

} // namespace torchestra::ml::corpus
