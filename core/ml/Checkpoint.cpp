#include "ml/Checkpoint.h"

#include "base/AtomicFile.h"
#include "ml/ModelRegistry.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <array>
#include <cstring>
#include <exception>

namespace torchestra::ml {

namespace {

constexpr char kMagic[16] = {'T', 'O', 'R', 'C', 'H', 'E', 'S', 'T',
                             'R', 'A', '-', 'M', 'O', 'D', 'E', 'L'};
constexpr std::size_t kMaxCheckpointBytes = std::size_t(2) << 30;

template <typename T> void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T> T get(const std::string& in, std::size_t pos) {
    T v;
    std::memcpy(&v, in.data() + pos, sizeof v);
    return v;
}

// (temperature, closeness) pairs as [[t, c], ...] and back.
QJsonArray pairsToJson(const std::vector<std::pair<double, double>>& pairs) {
    QJsonArray a;
    for (const auto& [t, c] : pairs)
        a.append(QJsonArray{t, c});
    return a;
}

std::vector<std::pair<double, double>> pairsFromJson(const QJsonValue& v) {
    std::vector<std::pair<double, double>> pairs;
    for (const QJsonValue& e : v.toArray())
        pairs.emplace_back(e[0].toDouble(), e[1].toDouble());
    return pairs;
}

// A GAN's choice under `key` and the (value, closeness) pairs it tried under `triedKey`; nothing
// when it tried none, so that the file reads as one from before that choice existed.
void putGanChoice(QJsonObject& sampling, const char* triedKey,
                  const std::vector<std::pair<double, double>>& tried, const char* key,
                  double chosen) {
    if (tried.empty())
        return;
    sampling[triedKey] = pairsToJson(tried);
    sampling[key] = chosen;
}

QJsonObject metadataToJson(const TrainingMetadata& m) {
    QJsonObject o;
    QJsonArray files;
    for (const auto& f : m.files) {
        QJsonObject fo;
        fo["path"] = QString::fromStdString(f.path);
        fo["hash"] = QString::fromStdString(f.hash);
        fo["steps"] = f.steps;
        fo["notes"] = f.notes;
        files.append(fo);
    }
    o["files"] = files;
    if (!m.trackIndices.empty()) {
        QJsonArray tracks;
        for (int index : m.trackIndices)
            tracks.append(index);
        o["tracks"] = tracks;
    }
    QJsonArray history;
    for (const auto& e : m.history) {
        QJsonObject eo;
        eo["epoch"] = e.epoch;
        eo["trainLoss"] = e.trainLoss;
        eo["validLoss"] = e.validLoss;
        if (e.generatorLoss != 0)
            eo["generatorLoss"] = e.generatorLoss;
        eo["learningRate"] = e.learningRate;
        eo["seconds"] = e.seconds;
        history.append(eo);
    }
    o["history"] = history;
    o["bestEpoch"] = m.bestEpoch;
    o["bestValidLoss"] = m.bestValidLoss;
    if (m.sampling.calibrated()) {
        QJsonObject sampling;
        sampling["temperature"] = m.sampling.temperature;
        sampling["closeness"] = m.sampling.closeness;
        sampling["tried"] = pairsToJson(m.sampling.tried);
        if (!m.sampling.triedFigures.empty()) // absent in older checkpoints: not tried
            sampling["triedFigures"] = pairsToJson(m.sampling.triedFigures);
        if (!m.sampling.triedWithRhythm.empty()) { // absent in older checkpoints: not tried
            sampling["triedWithRhythm"] = pairsToJson(m.sampling.triedWithRhythm);
            sampling["rhythm"] =
                m.sampling.rhythm.keepsFigures()
                    ? QJsonArray{m.sampling.rhythm.startOdds, m.sampling.rhythm.offBeatOdds,
                                 m.sampling.rhythm.repeatOffBeatOdds}
                    : QJsonArray{m.sampling.rhythm.startOdds, m.sampling.rhythm.offBeatOdds};
        }
        if (m.sampling.choseHarmony()) {
            sampling["triedProgressions"] = pairsToJson(m.sampling.triedProgressions);
            sampling["harmonyProgressions"] = m.sampling.harmonyProgressions;
            // Absent when not tried: the cap and hold odds before session 23, the carry before
            // 24, the floor and guidance before 25, the shortest note before 35.
            putGanChoice(sampling, "triedPolyphony", m.sampling.triedPolyphony, "maxPolyphony",
                         m.sampling.maxPolyphony);
            putGanChoice(sampling, "triedHold", m.sampling.triedHold, "holdOdds",
                         m.sampling.holdOdds);
            putGanChoice(sampling, "triedShortest", m.sampling.triedShortest, "shortestNote",
                         m.sampling.shortestNote);
            putGanChoice(sampling, "triedCarry", m.sampling.triedCarry, "noiseCarry",
                         m.sampling.noiseCarry);
            putGanChoice(sampling, "triedFloor", m.sampling.triedFloor, "minPolyphony",
                         m.sampling.minPolyphony);
            putGanChoice(sampling, "triedGuidance", m.sampling.triedGuidance, "harmonyGuidance",
                         m.sampling.harmonyGuidance);
        }
        o["sampling"] = sampling;
    }
    o["programVersion"] = QString::fromStdString(m.programVersion);
    o["createdUtc"] = QString::fromStdString(m.createdUtc);
    return o;
}

TrainingMetadata metadataFromJson(const QJsonObject& o) {
    TrainingMetadata m;
    for (const QJsonValue& v : o["files"].toArray()) {
        DatasetFileInfo f;
        f.path = v["path"].toString().toStdString();
        f.hash = v["hash"].toString().toStdString();
        f.steps = v["steps"].toInt();
        f.notes = v["notes"].toInt();
        f.used = true;
        m.files.push_back(f);
    }
    for (const QJsonValue& v : o["tracks"].toArray())
        if (v.isDouble() && v.toInt(-1) >= 0)
            m.trackIndices.push_back(v.toInt());
    for (const QJsonValue& v : o["history"].toArray()) {
        EpochRecord e;
        e.epoch = v["epoch"].toInt();
        e.trainLoss = v["trainLoss"].toDouble();
        e.validLoss = v["validLoss"].toDouble();
        e.generatorLoss = v["generatorLoss"].toDouble();
        e.learningRate = v["learningRate"].toDouble();
        e.seconds = v["seconds"].toDouble();
        m.history.push_back(e);
    }
    m.bestEpoch = o["bestEpoch"].toInt();
    m.bestValidLoss = o["bestValidLoss"].toDouble();
    const QJsonObject sampling = o["sampling"].toObject();
    const double t = sampling["temperature"].toDouble(0), c = sampling["closeness"].toDouble(-1);
    if (t >= 0.01 && t <= 10 && c >= 0 && c <= 1) { // else left uncalibrated
        m.sampling.temperature = t;
        m.sampling.closeness = c;
        m.sampling.tried = pairsFromJson(sampling["tried"]);
        m.sampling.triedWithRhythm = pairsFromJson(sampling["triedWithRhythm"]);
        const QJsonArray rhythm = sampling["rhythm"].toArray();
        const double a = rhythm.at(0).toDouble(-1), b = rhythm.at(1).toDouble(-1);
        const double r = rhythm.at(2).toDouble(-1); // repeating figures' odds: none when two
        if ((rhythm.size() == 2 || (rhythm.size() == 3 && r >= 0 && r <= 100)) && a >= 0 &&
            a <= 100 && b >= 0 && b <= 100) // else off
            m.sampling.rhythm = {a, b, r};
        m.sampling.triedFigures = pairsFromJson(sampling["triedFigures"]);
        m.sampling.triedProgressions = pairsFromJson(sampling["triedProgressions"]);
        if (m.sampling.choseHarmony()) { // a GAN's: its own decoding's rhythm
            m.sampling.rhythm = {};
            m.sampling.harmonyProgressions = sampling["harmonyProgressions"].toBool(false);
            m.sampling.triedPolyphony = pairsFromJson(sampling["triedPolyphony"]);
            const int cap = sampling["maxPolyphony"].toInt(0);
            m.sampling.maxPolyphony = cap > 0 && cap <= 128 ? cap : 0; // else no cap
            m.sampling.triedHold = pairsFromJson(sampling["triedHold"]);
            const double hold = sampling["holdOdds"].toDouble(-1);
            m.sampling.holdOdds = hold > 0 && hold <= 1000 ? hold : -1; // else the decoding's
            m.sampling.triedShortest = pairsFromJson(sampling["triedShortest"]);
            const int shortest = sampling["shortestNote"].toInt(0);
            const bool known =
                (shortest > 1 && shortest <= 64) || shortest == kShortestNoteOfPrimer;
            m.sampling.shortestNote = known ? shortest : 0; // else any length
            m.sampling.triedCarry = pairsFromJson(sampling["triedCarry"]);
            const double carry = sampling["noiseCarry"].toDouble(-1);
            m.sampling.noiseCarry = carry >= 0 && carry <= 1 ? carry : -1; // else the default
            m.sampling.triedFloor = pairsFromJson(sampling["triedFloor"]);
            const int floor = sampling["minPolyphony"].toInt(0);
            m.sampling.minPolyphony = floor > 0 && floor <= 128 ? floor : 0; // else no floor
            m.sampling.triedGuidance = pairsFromJson(sampling["triedGuidance"]);
            const double guidance = sampling["harmonyGuidance"].toDouble(-1);
            m.sampling.harmonyGuidance = guidance >= 0 && guidance <= 10 ? guidance : -1; // else 1
        }
    }
    m.programVersion = o["programVersion"].toString().toStdString();
    m.createdUtc = o["createdUtc"].toString().toStdString();
    return m;
}

} // namespace

std::uint32_t checkpointCrc32(const char* data, std::size_t n) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i)
        c = table[(c ^ std::uint8_t(data[i])) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

std::string saveCheckpoint(const std::string& path, const SequenceModel& model,
                           const TrainingMetadata& metadata, OptimizerState optimizer) {
    TrainingMetadata meta = metadata;
    if (meta.programVersion.empty())
        meta.programVersion = TORCHESTRA_VERSION;
    if (meta.createdUtc.empty())
        meta.createdUtc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    QJsonObject header;
    header["config"] =
        QJsonDocument::fromJson(QByteArray::fromStdString(model.config().toJson())).object();
    header["metadata"] = metadataToJson(meta);
    const std::string headerText =
        QJsonDocument(header).toJson(QJsonDocument::Compact).toStdString();
    const std::string payload =
        optimizer == OptimizerState::Kept ? model.serialize() : model.serializeWithoutOptimizer();

    std::string out(kMagic, sizeof kMagic);
    put(out, std::uint32_t(kCheckpointVersion));
    put(out, std::uint32_t(headerText.size()));
    out += headerText;
    put(out, std::uint64_t(payload.size()));
    out += payload;
    put(out, checkpointCrc32(out.data(), out.size()));
    return base::writeFileAtomically(path, out);
}

LoadedCheckpoint loadCheckpoint(const std::string& path) {
    std::string bytes;
    if (std::string err = base::readWholeFile(path, bytes, kMaxCheckpointBytes); !err.empty()) {
        LoadedCheckpoint result;
        result.error = err;
        return result;
    }
    return loadCheckpointFromBytes(bytes, path);
}

LoadedCheckpoint loadCheckpointFromBytes(const std::string& bytes,
                                         const std::string& nameForMessages) {
    LoadedCheckpoint result;
    auto fail = [&](const std::string& what) {
        result.model.reset();
        result.error = nameForMessages + ": " + what;
        return result;
    };
    if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        return fail("not a Torchestra model file");
    std::size_t pos = sizeof kMagic;
    if (bytes.size() < pos + 8)
        return fail("truncated (the header is incomplete)");
    const auto version = get<std::uint32_t>(bytes, pos);
    if (version != std::uint32_t(kCheckpointVersion))
        return fail("model file format " + std::to_string(version) + " (this program reads " +
                    std::to_string(kCheckpointVersion) + ")");
    const auto headerLength = get<std::uint32_t>(bytes, pos + 4);
    pos += 8;
    if (headerLength > bytes.size() - pos || bytes.size() - pos - headerLength < 12)
        return fail("truncated (the file is shorter than its header says)");
    const std::string headerText = bytes.substr(pos, headerLength);
    pos += headerLength;
    const auto payloadLength = get<std::uint64_t>(bytes, pos);
    pos += 8;
    if (payloadLength != bytes.size() - pos - 4)
        return fail("truncated or padded (model data is " + std::to_string(bytes.size() - pos - 4) +
                    " bytes, the header says " + std::to_string(payloadLength) + ")");
    const std::uint32_t stored = get<std::uint32_t>(bytes, bytes.size() - 4);
    if (checkpointCrc32(bytes.data(), bytes.size() - 4) != stored)
        return fail("corrupt (checksum mismatch)");

    QJsonParseError perr{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(headerText), &perr);
    if (!doc.isObject())
        return fail("corrupt header (" + perr.errorString().toStdString() + ")");
    ModelConfig config;
    const std::string configText = QJsonDocument(doc.object()["config"].toObject())
                                       .toJson(QJsonDocument::Compact)
                                       .toStdString();
    if (std::string err = ModelConfig::fromJson(configText, config); !err.empty())
        return fail(err);
    result.metadata = metadataFromJson(doc.object()["metadata"].toObject());

    const std::string payload = bytes.substr(pos, std::size_t(payloadLength));
    std::string err;
    const ModelKindHandlers* kind = findModelKind(config.kind);
    if (!kind)
        return fail(unregisteredKindMessage(config.kind));
    result.model = kind->load(config, payload, err);
    if (!result.model)
        return fail(err.empty() ? "model data could not be read" : err);
    return result;
}

} // namespace torchestra::ml
