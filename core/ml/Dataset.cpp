#include "ml/Dataset.h"

#include "ml/StreamedPieces.h"

#include "base/AtomicFile.h"
#include "midi/MidiFile.h"
#include "midi/MidiFileTypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <set>

namespace torchestra::ml {

namespace fs = std::filesystem;

bool Dataset::hasTrainingData() const {
    return !train.empty() || (trainStream && trainStream->size() > 0);
}

long Dataset::trainSteps() const {
    long n = trainStream ? trainStream->totalSteps() : 0;
    for (const auto& s : train)
        n += s.steps;
    return n;
}

long Dataset::validSteps() const {
    long n = 0;
    for (const auto& s : valid)
        n += s.steps;
    return n;
}

namespace {

constexpr char kCacheMagic[8] = {'T', 'R', 'C', 'S', 'E', 'Q', '0', '1'};

void appendBytes(std::string& out, const void* data, std::size_t n) {
    out.append(static_cast<const char*>(data), n);
}

} // namespace

std::uint64_t fnv1a64(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string fileHash(std::string_view bytes) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
    return buf;
}

std::vector<std::string> listMidiFiles(const std::vector<std::string>& paths,
                                       std::vector<DatasetFileInfo>& problems) {
    std::set<std::string> out;
    for (const std::string& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (auto it = fs::recursive_directory_iterator(
                     p, fs::directory_options::skip_permission_denied, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (it->is_regular_file(ec) && midi::hasMidiFileSuffix(it->path().string()))
                    out.insert(it->path().string());
            }
        } else if (fs::exists(p, ec)) {
            out.insert(p);
        } else {
            DatasetFileInfo info;
            info.path = p;
            info.problems.push_back("no such file or folder");
            problems.push_back(info);
        }
    }
    return {out.begin(), out.end()};
}

std::string encodeCachedSequence(const FrameSequence& s, int notes) {
    std::string out(kCacheMagic, sizeof kCacheMagic);
    const std::int32_t header[4] = {s.steps, s.pitches, s.onset.empty() ? 0 : 1, notes};
    appendBytes(out, header, sizeof header);
    appendBytes(out, s.sounding.data(), s.sounding.size());
    appendBytes(out, s.onset.data(), s.onset.size());
    appendBytes(out, s.velocityBin.data(), s.velocityBin.size());
    appendBytes(out, s.stepInBeat.data(), s.stepInBeat.size());
    appendBytes(out, s.beatInBar.data(), s.beatInBar.size());
    return out;
}

bool decodeCachedSequence(std::string_view bytes, const RepresentationConfig& config,
                          FrameSequence& s, int& notes) {
    std::int32_t header[4];
    if (bytes.size() < sizeof kCacheMagic + sizeof header ||
        std::memcmp(bytes.data(), kCacheMagic, sizeof kCacheMagic) != 0)
        return false;
    std::memcpy(header, bytes.data() + sizeof kCacheMagic, sizeof header);
    // The file name carries a hash of the config, but the bytes are not trusted to match it: the
    // models index one-hot inputs by these values, so a grid of another shape or a value out of
    // range (a damaged or planted file) must be refused here, not read past later.
    if (header[0] < 0 || header[1] != config.pitches() || header[1] <= 0 || header[1] > 128 ||
        (header[2] != 0) != config.onsets || header[3] < 0)
        return false;
    const auto steps = std::size_t(header[0]), pitches = std::size_t(header[1]);
    const std::size_t cells = steps * pitches;
    const std::size_t need =
        sizeof kCacheMagic + sizeof header + cells * (header[2] ? 2 : 1) + steps * 3;
    if (bytes.size() != need)
        return false;
    s.resize(int(steps), int(pitches), header[2] != 0);
    const char* p = bytes.data() + sizeof kCacheMagic + sizeof header;
    auto take = [&](std::vector<std::uint8_t>& v, int limit, std::uint8_t orElse) {
        if (!v.empty()) // a grid without onsets has none: memcpy from/to null is UB even for 0
            std::memcpy(v.data(), p, v.size());
        p += v.size();
        return std::all_of(v.begin(), v.end(),
                           [&](std::uint8_t x) { return int(x) < limit || x == orElse; });
    };
    if (!take(s.sounding, 2, 0) || !take(s.onset, 2, 0) ||
        !take(s.velocityBin, config.velocity ? config.velocityBins : 0, kNoVelocity) ||
        !take(s.stepInBeat, config.stepsPerBeat, kUnknownMetre) ||
        !take(s.beatInBar, config.maxBeatsPerBar, kUnknownMetre))
        return false;
    long counted = 0;
    for (std::size_t i = 0; i < cells; ++i)
        counted += s.starts(int(i / pitches), int(i % pitches));
    if (counted != header[3])
        return false;
    notes = header[3];
    return true;
}

namespace {

// The cache holds each file's grid: it depends on the representation and on the tracks chosen,
// so both are in the key (or one choice's grid would be served for another).
std::string gridCacheKey(const RepresentationConfig& config, const DatasetOptions& options) {
    std::string selectionKey;
    for (int index : options.selection.indices)
        selectionKey += "-" + std::to_string(index);
    for (model::TrackId id : options.selection.tracks)
        selectionKey += "-id" + std::to_string(id);
    return fileHash(config.toJson() + "|tracks" + selectionKey);
}

} // namespace

int countOnsets(const FrameSequence& seq) {
    if (!seq.onset.empty())
        return int(std::count(seq.onset.begin(), seq.onset.end(), std::uint8_t(1)));
    int n = 0;
    for (int t = 0; t < seq.steps; ++t)
        for (int p = 0; p < seq.pitches; ++p)
            n += seq.starts(t, p);
    return n;
}

Refusal midiBytesToGrid(std::string_view bytes, const RepresentationConfig& config,
                        const TrackSelection& selection, DatasetFileInfo& info, FrameSequence& seq,
                        int& notes) {
    midi::ReadResult r = midi::readMidi(bytes);
    if (!r.ok) {
        info.problems.push_back("not read: " + r.error);
        return Refusal::NotMidi;
    }
    for (const auto& w : r.warnings)
        info.problems.push_back("warning: " + w);
    const model::Tick tps = ticksPerStep(r.song, config);
    if (tps == 0) {
        info.problems.push_back("skipped: its resolution (" + std::to_string(r.ppq) +
                                " ticks per quarter) does not divide into " +
                                std::to_string(config.stepsPerBeat) + " steps a beat");
        return Refusal::Resolution;
    }
    seq = songToSequence(r.song, config, selection);
    info.seconds = r.song.tempoMap().tickToSeconds(model::Tick(seq.steps) * tps);
    notes = countOnsets(seq);
    return Refusal::None;
}

Refusal acceptGrid(const FrameSequence& seq, int notes, const RepresentationConfig& config,
                   DatasetFileInfo& info) {
    info.steps = seq.steps;
    info.notes = notes;
    info.used = notes > 0 && seq.steps >= 2;
    if (info.used)
        return Refusal::None;
    info.problems.push_back("skipped: no notes in the pitch range " +
                            std::to_string(config.lowPitch) + "-" +
                            std::to_string(config.highPitch));
    return Refusal::NoNotes;
}

namespace {

// One MIDI file's grid and note count, from the cache when it holds them, else read (and
// cached). False, with the reason in info.problems, when the file gives no grid.
bool readGrid(const std::string& path, const RepresentationConfig& config,
              const DatasetOptions& options, const std::string& configKey, DatasetFileInfo& info,
              FrameSequence& seq, int& notes) {
    std::string bytes;
    if (std::string err = base::readWholeFile(path, bytes, kMaxMidiBytes); !err.empty()) {
        info.problems.push_back(err);
        return false;
    }
    info.hash = fileHash(bytes);
    const std::string cachePath =
        options.cacheDir.empty() ? ""
                                 : options.cacheDir + "/" + info.hash + "-" + configKey + ".seq";
    std::string cached;
    if (!cachePath.empty() && base::readWholeFile(cachePath, cached).empty() &&
        decodeCachedSequence(cached, config, seq, notes))
        return true;
    if (midiBytesToGrid(bytes, config, options.selection, info, seq, notes) != Refusal::None)
        return false;
    if (!cachePath.empty()) {
        std::error_code ec;
        fs::create_directories(options.cacheDir, ec);
        base::writeFileAtomically(cachePath, encodeCachedSequence(seq, notes));
    }
    return true;
}

// Splits the pieces by file into validation and training, reproducibly for a seed.
void splitPieces(std::vector<FrameSequence>& pieces, const DatasetOptions& options, Dataset& data) {
    std::vector<std::size_t> order(pieces.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(options.seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::size_t validCount = 0;
    // validFraction 0 holds nothing back (eval scores every file it is given).
    if (pieces.size() >= 2 && options.validFraction > 0)
        validCount = std::max<std::size_t>(
            1,
            std::size_t(double(pieces.size()) * std::clamp(options.validFraction, 0.0, 0.9) + 0.5));
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (k < validCount)
            data.valid.push_back(std::move(pieces[order[k]]));
        else
            data.train.push_back(std::move(pieces[order[k]]));
    }
}

} // namespace

Dataset loadMidiDataset(const std::vector<std::string>& paths, const RepresentationConfig& config,
                        const DatasetOptions& options) {
    Dataset data;
    data.representation = config;
    std::vector<DatasetFileInfo> missing;
    const std::vector<std::string> files = listMidiFiles(paths, missing);
    std::vector<FrameSequence> pieces;
    const std::string configKey = gridCacheKey(config, options);
    for (const std::string& path : files) {
        DatasetFileInfo info;
        info.path = path;
        FrameSequence seq;
        int notes = 0;
        if (!readGrid(path, config, options, configKey, info, seq, notes)) {
            data.files.push_back(info);
            continue;
        }
        if (acceptGrid(seq, notes, config, info) != Refusal::None) {
            data.files.push_back(info);
            continue;
        }
        seq.source = path;
        data.files.push_back(info);
        pieces.push_back(std::move(seq));
    }
    data.files.insert(data.files.end(), missing.begin(), missing.end());
    splitPieces(pieces, options, data);
    return data;
}

std::string loadJsbDataset(const std::string& jsonPath, Dataset& out) {
    std::string bytes;
    if (std::string err = base::readWholeFile(jsonPath, bytes, std::size_t(256) << 20);
        !err.empty())
        return err;
    QJsonParseError perr{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(bytes), &perr);
    if (!doc.isObject())
        return jsonPath + ": not JSON (" + perr.errorString().toStdString() + " at byte " +
               std::to_string(perr.offset) + ")";
    RepresentationConfig config;
    config.stepsPerBeat = 1;
    config.onsets = false;
    config.velocity = false;
    config.lowPitch = 21;
    config.highPitch = 108;
    Dataset data;
    data.representation = config;
    const QJsonObject root = doc.object();
    const std::pair<const char*, std::vector<FrameSequence>*> splits[] = {
        {"train", &data.train}, {"valid", &data.valid}, {"test", &data.test}};
    for (const auto& [name, target] : splits) {
        if (!root[name].isArray())
            return jsonPath + ": no '" + name + "' split";
        const QJsonArray pieces = root[name].toArray();
        for (int i = 0; i < pieces.size(); ++i) {
            const QJsonArray frames = pieces[i].toArray();
            FrameSequence seq;
            seq.resize(int(frames.size()), config.pitches(), false);
            seq.source = std::string("jsb:") + name + ":" + std::to_string(i);
            for (int t = 0; t < frames.size(); ++t) {
                for (const QJsonValue& v : frames[t].toArray()) {
                    const int p = v.toInt(-1) - config.lowPitch;
                    if (p < 0 || p >= config.pitches())
                        return jsonPath + ": " + name + " piece " + std::to_string(i) + " step " +
                               std::to_string(t) + ": pitch outside 21..108";
                    seq.sounding[std::size_t(t) * config.pitches() + p] = 1;
                }
            }
            target->push_back(std::move(seq));
        }
    }
    out = std::move(data);
    return {};
}

Batch sampleBatch(const std::vector<FrameSequence>& pieces, int count, int length, int transpose,
                  std::mt19937_64& rng) {
    Batch b;
    b.count = count;
    b.length = length;
    b.mask.assign(std::size_t(count) * length, 0);
    if (pieces.empty() || count <= 0 || length <= 0)
        return b;
    std::vector<double> weights;
    for (const auto& p : pieces)
        weights.push_back(double(std::max(1, p.steps)));
    std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
    for (int i = 0; i < count; ++i) {
        const FrameSequence& piece = pieces[pick(rng)];
        int start = 0;
        if (piece.steps > length) {
            // Bar-aligned when the metre is known; any step otherwise.
            std::vector<int> starts;
            for (int t = 0; t + length <= piece.steps; ++t)
                if (piece.beatInBar[std::size_t(t)] == 0 && piece.stepInBeat[std::size_t(t)] == 0)
                    starts.push_back(t);
            if (starts.empty())
                start = int(std::uniform_int_distribution<int>(0, piece.steps - length)(rng));
            else
                start =
                    starts[std::uniform_int_distribution<std::size_t>(0, starts.size() - 1)(rng)];
        }
        FrameSequence w = piece.slice(start, length);
        if (transpose > 0)
            w = w.transposed(std::uniform_int_distribution<int>(-transpose, transpose)(rng));
        for (int t = 0; t < w.steps; ++t)
            b.mask[std::size_t(i) * length + t] = 1;
        if (w.steps < length) {
            FrameSequence padded;
            padded.resize(length, w.pitches, !w.onset.empty());
            padded.source = w.source;
            std::copy(w.sounding.begin(), w.sounding.end(), padded.sounding.begin());
            std::copy(w.onset.begin(), w.onset.end(), padded.onset.begin());
            std::copy(w.velocityBin.begin(), w.velocityBin.end(), padded.velocityBin.begin());
            std::copy(w.stepInBeat.begin(), w.stepInBeat.end(), padded.stepInBeat.begin());
            std::copy(w.beatInBar.begin(), w.beatInBar.end(), padded.beatInBar.begin());
            w = std::move(padded);
        }
        b.windows.push_back(std::move(w));
    }
    return b;
}

} // namespace torchestra::ml
