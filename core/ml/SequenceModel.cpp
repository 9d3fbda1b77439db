#include "ml/SequenceModel.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace torchestra::ml {

const char* toString(ModelKind kind) {
    switch (kind) {
    case ModelKind::Markov:
        return "markov";
    case ModelKind::Rnn:
        return "rnn";
    case ModelKind::Lstm:
        return "lstm";
    case ModelKind::Gan:
        return "gan";
    }
    return "?";
}

const char* toString(HeadKind kind) {
    return kind == HeadKind::Independent ? "independent" : "autoregressive";
}

bool parseModelKind(const std::string& s, ModelKind& out) {
    for (ModelKind k : {ModelKind::Markov, ModelKind::Rnn, ModelKind::Lstm, ModelKind::Gan}) {
        if (s == toString(k)) {
            out = k;
            return true;
        }
    }
    return false;
}

int defaultLayers(ModelKind kind, HeadKind head) {
    return kind == ModelKind::Lstm && head == HeadKind::Independent ? 1 : 2;
}

bool defaultLookback(ModelKind kind, HeadKind head) {
    return kind == ModelKind::Lstm && head == HeadKind::Independent;
}

bool parseHeadKind(const std::string& s, HeadKind& out) {
    for (HeadKind k : {HeadKind::Independent, HeadKind::Autoregressive}) {
        if (s == toString(k)) {
            out = k;
            return true;
        }
    }
    return false;
}

std::string ModelConfig::toJson() const {
    QJsonObject o;
    o["kind"] = toString(kind);
    o["head"] = toString(head);
    o["layers"] = layers;
    o["hidden"] = hidden;
    o["dropout"] = dropout;
    o["nadeHidden"] = nadeHidden;
    o["markovOrder"] = markovOrder;
    o["noiseSize"] = noiseSize;
    o["barSteps"] = barSteps;
    o["holdPath"] = holdPath;
    if (kind == ModelKind::Gan) {
        o["harmonyPlan"] = harmonyPlan;
        o["harmonyQuarters"] = harmonyPlan && harmonyQuarters;
    }
    o["representation"] =
        QJsonDocument::fromJson(QByteArray::fromStdString(representation.toJson())).object();
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

std::string ModelConfig::fromJson(const std::string& json, ModelConfig& out) {
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (!doc.isObject())
        return "model config: not a JSON object (" + err.errorString().toStdString() + ")";
    QJsonObject o = doc.object();
    ModelConfig c;
    if (!parseModelKind(o["kind"].toString().toStdString(), c.kind))
        return "model config: unknown model kind '" + o["kind"].toString().toStdString() + "'";
    if (!parseHeadKind(o["head"].toString().toStdString(), c.head))
        return "model config: unknown head '" + o["head"].toString().toStdString() + "'";
    c.layers = o["layers"].toInt(-1);
    c.hidden = o["hidden"].toInt(-1);
    c.dropout = o["dropout"].toDouble(-1);
    c.nadeHidden = o["nadeHidden"].toInt(-1);
    c.markovOrder = o["markovOrder"].toInt(-1);
    // Added with the GAN: checkpoints written before it have neither.
    c.noiseSize = o["noiseSize"].toInt(c.noiseSize);
    c.barSteps = o["barSteps"].toInt(c.barSteps);
    c.holdPath = o["holdPath"].toBool(false);       // older checkpoints: trained without it
    c.harmonyPlan = o["harmonyPlan"].toBool(false); // older GANs: the key of the bars before
    c.harmonyQuarters = c.harmonyPlan && o["harmonyQuarters"].toBool(false); // the bar's only
    if (c.layers < 1 || c.layers > 16 || c.hidden < 1 || c.hidden > 8192 || c.dropout < 0 ||
        c.dropout >= 1 || c.nadeHidden < 1 || c.nadeHidden > 8192 || c.markovOrder < 1 ||
        c.markovOrder > 16 || c.noiseSize < 1 || c.noiseSize > 4096 || c.barSteps < 1 ||
        c.barSteps > 512)
        return "model config: values out of range";
    const std::string rep =
        QJsonDocument(o["representation"].toObject()).toJson(QJsonDocument::Compact).toStdString();
    if (std::string e = RepresentationConfig::fromJson(rep, c.representation); !e.empty())
        return "model config: " + e;
    out = c;
    return {};
}

std::vector<NllResult> SequenceModel::evaluateFrom(const std::vector<FrameSequence>& seqs, int from,
                                                   const std::atomic<bool>* cancel) const {
    std::vector<NllResult> out;
    out.reserve(seqs.size());
    for (const FrameSequence& seq : seqs) {
        if (cancel && cancel->load())
            return {};
        NllResult r = evaluate(seq);
        if (from > 0) {
            const NllResult before = evaluate(seq.slice(0, std::min(from, seq.steps)));
            r.frameSum -= before.frameSum;
            r.frameSteps -= before.frameSteps;
            r.firstFrame = 0;
            r.onsetSum -= before.onsetSum;
            r.velocitySum -= before.velocitySum;
        }
        out.push_back(r);
    }
    return out;
}

PitchOutlook SequenceModel::outlook(const FrameSequence&, const std::atomic<bool>*) const {
    return {};
}

} // namespace torchestra::ml
