#include "ml/corpus/CorpusFormat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <cstring>

namespace torchestra::ml::corpus {

namespace {

constexpr char kIndexMagic[8] = {'T', 'R', 'C', 'I', 'D', 'X', '0', '1'};
constexpr std::size_t kMaxPath = 4096;

template <typename T> void put(std::string& out, T value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// Reads fixed-size values from untrusted bytes; after the first short read every get fails.
class Cursor {
public:
    explicit Cursor(std::string_view bytes) : m_bytes(bytes) {}
    template <typename T> bool get(T& value) {
        if (m_bytes.size() - m_at < sizeof value)
            return false;
        std::memcpy(&value, m_bytes.data() + m_at, sizeof value);
        m_at += sizeof value;
        return true;
    }
    bool getText(std::size_t n, std::string& out) {
        if (m_bytes.size() - m_at < n)
            return false;
        out.assign(m_bytes.data() + m_at, n);
        m_at += n;
        return true;
    }
    std::size_t left() const { return m_bytes.size() - m_at; }

private:
    std::string_view m_bytes;
    std::size_t m_at = 0;
};

} // namespace

std::uint64_t checksum64(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, bytes.data() + i, sizeof word);
        h = (h ^ word) * 1099511628211ull;
    }
    for (; i < bytes.size(); ++i)
        h = (h ^ static_cast<unsigned char>(bytes[i])) * 1099511628211ull;
    return h;
}

std::string hex64(std::uint64_t value) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
    return buf;
}

bool parseHex64(const std::string& text, std::uint64_t& value) {
    if (text.empty() || text.size() > 16)
        return false;
    std::uint64_t v = 0;
    for (char c : text) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        v = v << 4 | std::uint64_t(d);
    }
    value = v;
    return true;
}

std::string numberedName(const char* prefix, int number) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s-%05d.bin", prefix, number);
    return buf;
}

int parseNumberedName(const std::string& name, const char* prefix) {
    const std::string head = std::string(prefix) + "-";
    if (name.size() != head.size() + 9 || name.compare(0, head.size(), head) != 0 ||
        name.compare(name.size() - 4, 4, ".bin") != 0)
        return -1;
    int n = 0;
    for (std::size_t i = head.size(); i < head.size() + 5; ++i) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        n = n * 10 + (name[i] - '0');
    }
    return n;
}

bool inValidSplit(std::uint64_t fileHash, int validPermille) {
    // FNV's low digits follow the last bytes closely; a splitmix64 finaliser spreads them first.
    std::uint64_t z = fileHash + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return int(z % 1000) < validPermille;
}

std::string encodeIndex(const CorpusIndex& index) {
    std::string out(kIndexMagic, sizeof kIndexMagic);
    put(out, std::uint32_t(index.shards.size()));
    put(out, std::uint64_t(index.records.size()));
    for (const ShardInfo& s : index.shards) {
        put(out, std::uint16_t(s.file.size()));
        out += s.file;
        put(out, s.bytes);
        put(out, s.checksum);
    }
    for (const CorpusRecord& r : index.records) {
        put(out, r.shard);
        put(out, r.offset);
        put(out, r.length);
        put(out, r.hash);
        put(out, r.steps);
        put(out, r.notes);
        put(out, std::uint16_t(r.path.size()));
        out += r.path;
    }
    return out;
}

namespace {

std::string decodeShards(Cursor& in, std::uint32_t count, std::vector<ShardInfo>& shards) {
    for (std::uint32_t i = 0; i < count; ++i) {
        ShardInfo s;
        std::uint16_t nameLength = 0;
        if (!in.get(nameLength) || !in.getText(nameLength, s.file) || !in.get(s.bytes) ||
            !in.get(s.checksum))
            return "cut short in shard " + std::to_string(i) + " of " + std::to_string(count);
        if (s.file.empty() || s.file.find('/') != std::string::npos || s.file[0] == '.')
            return "shard " + std::to_string(i) + " has a bad file name";
        if (s.bytes < sizeof kShardMagic)
            return "shard " + s.file + " is smaller than its header";
        shards.push_back(std::move(s));
    }
    return {};
}

} // namespace

std::string decodeIndex(std::string_view bytes, CorpusIndex& out) {
    if (bytes.size() < sizeof kIndexMagic ||
        std::memcmp(bytes.data(), kIndexMagic, sizeof kIndexMagic) != 0)
        return "not a corpus index (bad magic)";
    Cursor in(bytes.substr(sizeof kIndexMagic));
    std::uint32_t shardCount = 0;
    std::uint64_t recordCount = 0;
    if (!in.get(shardCount) || !in.get(recordCount))
        return "cut short in its header";
    // Each shard takes at least 18 bytes and each record 38: counts larger than the bytes
    // could hold are refused before anything is reserved for them.
    if (shardCount > in.left() / 18 || recordCount > in.left() / 38)
        return "counts (" + std::to_string(shardCount) + " shards, " + std::to_string(recordCount) +
               " records) larger than the file holds";
    CorpusIndex index;
    if (std::string err = decodeShards(in, shardCount, index.shards); !err.empty())
        return err;
    index.records.reserve(std::size_t(recordCount));
    for (std::uint64_t i = 0; i < recordCount; ++i) {
        CorpusRecord r;
        std::uint16_t pathLength = 0;
        if (!in.get(r.shard) || !in.get(r.offset) || !in.get(r.length) || !in.get(r.hash) ||
            !in.get(r.steps) || !in.get(r.notes) || !in.get(pathLength) ||
            !in.getText(pathLength, r.path))
            return "cut short in record " + std::to_string(i) + " of " +
                   std::to_string(recordCount);
        if (r.shard >= index.shards.size())
            return "record " + std::to_string(i) + " names shard " + std::to_string(r.shard) +
                   " of " + std::to_string(index.shards.size());
        const std::uint64_t size = index.shards[r.shard].bytes;
        if (r.offset < sizeof kShardMagic || r.offset > size || r.length > size - r.offset)
            return "record " + std::to_string(i) + " lies outside " + index.shards[r.shard].file;
        if (r.steps < 0 || r.notes < 0 || r.path.size() > kMaxPath)
            return "record " + std::to_string(i) + " has negative counts or a bad path";
        index.records.push_back(std::move(r));
    }
    if (in.left() != 0)
        return std::to_string(in.left()) + " bytes after the last record";
    out = std::move(index);
    return {};
}

namespace {

// A count or size from JSON: a double there, so a hostile file can hold anything; clamped to
// what a double counts exactly (NaN gives 0) before it is converted.
std::uint64_t count(const QJsonValue& v) {
    const double d = v.toDouble();
    return d > 0 ? std::uint64_t(std::min(d, 9007199254740992.0)) : 0;
}

QJsonObject fileToJson(const CorpusFileEntry& f) {
    QJsonObject o;
    o["path"] = QString::fromStdString(f.path);
    o["hash"] = QString::fromStdString(f.hash);
    o["size"] = double(f.size);
    o["mtimeNs"] = QString::number(qint64(f.mtimeNs));
    o["used"] = f.used;
    if (!f.used)
        o["refused"] = QString::fromStdString(f.refused);
    QJsonArray problems;
    for (const auto& p : f.problems)
        problems.append(QString::fromStdString(p));
    if (!problems.isEmpty())
        o["problems"] = problems;
    o["steps"] = f.steps;
    o["notes"] = f.notes;
    o["seconds"] = f.seconds;
    if (!f.duplicateOf.empty())
        o["duplicateOf"] = QString::fromStdString(f.duplicateOf);
    if (f.used)
        o["split"] = f.valid ? "valid" : "train";
    return o;
}

CorpusFileEntry fileFromJson(const QJsonObject& o) {
    CorpusFileEntry f;
    f.path = o["path"].toString().toStdString();
    f.hash = o["hash"].toString().toStdString();
    f.size = count(o["size"]);
    f.mtimeNs = o["mtimeNs"].toString().toLongLong();
    f.used = o["used"].toBool();
    f.refused = o["refused"].toString().toStdString();
    for (const QJsonValue& p : o["problems"].toArray())
        f.problems.push_back(p.toString().toStdString());
    f.steps = std::max(0, o["steps"].toInt());
    f.notes = std::max(0, o["notes"].toInt());
    const double seconds = o["seconds"].toDouble();
    f.seconds = seconds > 0 && seconds < 1e12 ? seconds : 0.0; // NaN too
    f.duplicateOf = o["duplicateOf"].toString().toStdString();
    f.valid = o["split"].toString() == "valid";
    return f;
}

QJsonObject statsToJson(const CorpusBuildStats& s) {
    QJsonObject o;
    o["processed"] = double(s.processed);
    o["reusedByHash"] = double(s.reusedByHash);
    o["unchanged"] = double(s.unchanged);
    o["removed"] = double(s.removed);
    o["threads"] = s.threads;
    o["wallSeconds"] = s.wallSeconds;
    if (!s.note.empty())
        o["note"] = QString::fromStdString(s.note);
    return o;
}

CorpusBuildStats statsFromJson(const QJsonObject& o) {
    CorpusBuildStats s;
    s.processed = long(count(o["processed"]));
    s.reusedByHash = long(count(o["reusedByHash"]));
    s.unchanged = long(count(o["unchanged"]));
    s.removed = long(count(o["removed"]));
    s.threads = o["threads"].toInt();
    s.wallSeconds = o["wallSeconds"].toDouble();
    s.note = o["note"].toString().toStdString();
    return s;
}

} // namespace

std::string encodeManifest(const CorpusManifest& m) {
    QJsonObject o;
    o["format"] = "torchestra-corpus";
    o["version"] = m.version;
    o["representation"] =
        QJsonDocument::fromJson(QByteArray::fromStdString(m.representation.toJson())).object();
    QJsonArray tracks;
    for (int t : m.trackIndices)
        tracks.append(t);
    o["tracks"] = tracks;
    o["validPermille"] = m.validPermille;
    o["index"] = QString::fromStdString(m.indexFile);
    o["indexBytes"] = double(m.indexBytes);
    o["indexChecksum"] = QString::fromStdString(hex64(m.indexChecksum));
    o["lastBuild"] = statsToJson(m.lastBuild);
    QJsonArray files;
    for (const auto& f : m.files)
        files.append(fileToJson(f));
    o["files"] = files;
    return QJsonDocument(o).toJson(QJsonDocument::Indented).toStdString();
}

std::string decodeManifest(std::string_view json, CorpusManifest& out) {
    QJsonParseError perr{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray(json.data(), qsizetype(json.size())), &perr);
    if (!doc.isObject())
        return "not JSON (" + perr.errorString().toStdString() + " at byte " +
               std::to_string(perr.offset) + ")";
    const QJsonObject o = doc.object();
    if (o["format"].toString() != "torchestra-corpus")
        return "not a Torchestra corpus manifest (no \"format\": \"torchestra-corpus\")";
    CorpusManifest m;
    m.version = o["version"].toInt(-1);
    if (m.version != 1)
        return "version " + std::to_string(m.version) + " (this program reads version 1)";
    const std::string rep =
        QJsonDocument(o["representation"].toObject()).toJson(QJsonDocument::Compact).toStdString();
    if (std::string err = RepresentationConfig::fromJson(rep, m.representation); !err.empty())
        return err;
    for (const QJsonValue& t : o["tracks"].toArray())
        m.trackIndices.push_back(t.toInt());
    m.validPermille = o["validPermille"].toInt(-1);
    m.indexFile = o["index"].toString().toStdString();
    m.indexBytes = count(o["indexBytes"]);
    if (m.validPermille < 0 || m.validPermille > 1000)
        return "validPermille out of 0..1000";
    if (parseNumberedName(m.indexFile, "index") < 0)
        return "no index named (\"index\": \"" + m.indexFile + "\")";
    if (!parseHex64(o["indexChecksum"].toString().toStdString(), m.indexChecksum))
        return "no index checksum";
    m.lastBuild = statsFromJson(o["lastBuild"].toObject());
    for (const QJsonValue& f : o["files"].toArray())
        m.files.push_back(fileFromJson(f.toObject()));
    out = std::move(m);
    return {};
}

std::string representationDifference(const RepresentationConfig& c, const RepresentationConfig& e) {
    std::string out;
    auto field = [&](const char* name, int corpus, int expected) {
        if (corpus == expected)
            return;
        out += (out.empty() ? "" : "; ") + std::string(name) + " " + std::to_string(corpus) +
               " in the corpus, " + std::to_string(expected) + " expected";
    };
    field("steps per beat", c.stepsPerBeat, e.stepsPerBeat);
    field("lowest pitch", c.lowPitch, e.lowPitch);
    field("highest pitch", c.highPitch, e.highPitch);
    field("onsets", c.onsets, e.onsets);
    field("velocity", c.velocity, e.velocity);
    field("velocity bins", c.velocityBins, e.velocityBins);
    field("beats per bar", c.maxBeatsPerBar, e.maxBeatsPerBar);
    return out;
}

} // namespace torchestra::ml::corpus
