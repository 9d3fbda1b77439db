#include "ml/neural/NeuralNet.h"

#include <omp.h>

#include "ml/neural/NadeHead.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/TorchPayload.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace torchestra::ml::neural {

namespace {

constexpr char kMagic[4] = {'T', 'N', 'R', 'L'};
constexpr std::uint32_t kPayloadVersion = 1;
constexpr const char* kWhat = "neural model payload";

// What the payload's weights were shaped for; compared on load before any weight is read.
std::vector<std::int64_t> shapeSignature(const ModelConfig& c) {
    const RepresentationConfig& r = c.representation;
    return {std::int64_t(c.kind),
            std::int64_t(c.head),
            c.layers,
            c.hidden,
            c.nadeHidden,
            inputSize(r),
            r.pitches(),
            r.onsets ? 1 : 0,
            r.velocity ? 1 : 0,
            r.velocity ? r.velocityBins : 0};
}

std::vector<float> toVector(const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kFloat).contiguous();
    const float* p = c.data_ptr<float>();
    return std::vector<float>(p, p + c.numel());
}

const NeuralModel& asNeural(const SequenceModel& model) {
    const auto* m = dynamic_cast<const NeuralModel*>(&model);
    if (!m)
        throw std::invalid_argument("not a neural (RNN/LSTM) model");
    return *m;
}

} // namespace

NeuralNetImpl::NeuralNetImpl(const ModelConfig& config, int inputSize)
    : m_config(config), m_inputSize(inputSize) {
    const int P = config.representation.pitches();
    const int H = config.hidden;
    // Torch applies this dropout between stacked layers only; the output dropout is separate.
    const double between = config.layers > 1 ? config.dropout : 0.0;
    if (config.kind == ModelKind::Lstm) {
        m_lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(inputSize, H)
                                                             .num_layers(config.layers)
                                                             .dropout(between)
                                                             .batch_first(true)));
    } else {
        m_rnn = register_module("rnn", torch::nn::RNN(torch::nn::RNNOptions(inputSize, H)
                                                          .num_layers(config.layers)
                                                          .nonlinearity(torch::kTanh)
                                                          .dropout(between)
                                                          .batch_first(true)));
    }
    m_dropout = register_module("dropout", torch::nn::Dropout(config.dropout));
    if (config.head == HeadKind::Independent) {
        m_frame = register_module("frame", torch::nn::Linear(H, P));
    } else {
        const int Hn = config.nadeHidden;
        m_visible = register_module("visible", torch::nn::Linear(H, P));
        m_hiddenBias = register_module("hiddenBias", torch::nn::Linear(H, Hn));
        m_nadeW = register_parameter("nadeW", torch::randn({P, Hn}) * 0.05);
        const double k = 1.0 / std::sqrt(double(Hn));
        m_nadeV = register_parameter("nadeV", torch::empty({P, Hn}).uniform_(-k, k));
    }
    if (config.representation.onsets)
        m_onset = register_module("onset", torch::nn::Linear(H, P));
    if (config.representation.velocity)
        m_velocity =
            register_module("velocity", torch::nn::Linear(H, config.representation.velocityBins));
    if (config.holdPath) {
        // Zero at the start, so a new model begins as it would without the path.
        const int K = config.representation.pitchBlocks(); // with lookback, the bar before too
        m_holdFrame = register_parameter("holdFrame", torch::zeros({K, P}));
        if (m_onset)
            m_holdOnset = register_parameter("holdOnset", torch::zeros({K, P}));
    }
}

torch::Tensor NeuralNetImpl::holdTerm(const torch::Tensor& x, const torch::Tensor& w) const {
    const int64_t K = w.size(0);
    const int64_t P = w.size(1);
    // The input starts with the sounding frame, then the onsets (Representation.h buildInput).
    torch::Tensor prev = x.narrow(-1, 0, K * P).unflatten(-1, {K, P});
    return (prev * w).sum(-2);
}

torch::Tensor NeuralNetImpl::core(const torch::Tensor& x, State& state) {
    torch::Tensor out;
    if (m_lstm) {
        auto r = state.empty() ? m_lstm->forward(x)
                               : m_lstm->forward(x, std::make_tuple(state[0], state[1]));
        out = std::get<0>(r);
        state = {std::get<0>(std::get<1>(r)), std::get<1>(std::get<1>(r))};
    } else {
        auto r = state.empty() ? m_rnn->forward(x) : m_rnn->forward(x, state[0]);
        out = std::get<0>(r);
        state = {std::get<1>(r)};
    }
    return m_dropout(out);
}

torch::Tensor NeuralNetImpl::onsetLogits(const torch::Tensor& x, const torch::Tensor& h) {
    torch::Tensor logits = m_onset(h);
    return m_holdOnset.defined() ? logits + holdTerm(x, m_holdOnset) : logits;
}

torch::Tensor NeuralNetImpl::frameLogits(const torch::Tensor& x, const torch::Tensor& h,
                                         const torch::Tensor& frames) {
    // The hold term joins the visible bias b_t, which the NADE head adds to every pitch's logit.
    torch::Tensor hold = m_holdFrame.defined() ? holdTerm(x, m_holdFrame) : torch::Tensor();
    if (m_frame)
        return hold.defined() ? m_frame(h) + hold : m_frame(h);
    // RNN-NADE, teacher-forced (a fused operation: ml/neural/NadeKernels.h says why).
    torch::Tensor bt = hold.defined() ? m_visible(h) + hold : m_visible(h); // [B, T, P]
    return nadeHeadLogits(bt, m_hiddenBias(h), frames, m_nadeW, m_nadeV);
}

BatchTensors makeBatchTensors(const std::vector<const FrameSequence*>& seqs, int from, int length,
                              const RepresentationConfig& rep,
                              const std::vector<std::uint8_t>* mask) {
    const int64_t B = int64_t(seqs.size());
    const int64_t L = length;
    const int P = rep.pitches();
    const int I = inputSize(rep);
    const int VB = rep.velocityBins;
    BatchTensors bt;
    bt.x = torch::zeros({B, L, I});
    bt.frames = torch::zeros({B, L, P});
    bt.onsets = torch::zeros({B, L, P});
    bt.onsetMask = torch::zeros({B, L, P});
    bt.velocity = torch::zeros({B, L}, torch::kLong);
    bt.velMask = torch::zeros({B, L});
    bt.stepMask = torch::zeros({B, L});
    float* x = bt.x.data_ptr<float>();
    float* fr = bt.frames.data_ptr<float>();
    float* on = bt.onsets.data_ptr<float>();
    float* om = bt.onsetMask.data_ptr<float>();
    int64_t* vel = bt.velocity.data_ptr<int64_t>();
    float* vm = bt.velMask.data_ptr<float>();
    float* sm = bt.stepMask.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) {
        const FrameSequence& seq = *seqs[std::size_t(b)];
        const bool hasOnsets = rep.onsets && !seq.onset.empty();
        for (int64_t s = 0; s < L; ++s) {
            const int t = from + int(s);
            if (t >= seq.steps)
                break;
            if (mask && !(*mask)[std::size_t(b * L + s)])
                continue;
            const int64_t row = b * L + s;
            buildInput(seq, t - 1, rep, x + row * I);
            sm[row] = 1.f;
            ++bt.realSteps;
            for (int p = 0; p < P; ++p) {
                const bool sounds = seq.sounds(t, p);
                fr[row * P + p] = sounds ? 1.f : 0.f;
                if (hasOnsets && sounds) {
                    om[row * P + p] = 1.f;
                    on[row * P + p] = seq.onset[std::size_t(t) * P + p] ? 1.f : 0.f;
                }
            }
            if (rep.velocity && std::size_t(t) < seq.velocityBin.size()) {
                const std::uint8_t v = seq.velocityBin[std::size_t(t)];
                if (v != kNoVelocity && v < VB) {
                    vel[row] = v;
                    vm[row] = 1.f;
                }
            }
        }
    }
    return bt;
}

StepLosses stepLosses(NeuralNet& net, const BatchTensors& bt, NeuralNetImpl::State& state) {
    torch::Tensor h = net->core(bt.x, state);
    StepLosses out;
    torch::Tensor logits = net->frameLogits(bt.x, h, bt.frames);
    out.frame =
        torch::binary_cross_entropy_with_logits(logits, bt.frames, {}, {}, at::Reduction::None)
            .sum(-1) *
        bt.stepMask;
    if (net->m_onset) {
        torch::Tensor ol = net->onsetLogits(bt.x, h);
        out.onset =
            (torch::binary_cross_entropy_with_logits(ol, bt.onsets, {}, {}, at::Reduction::None) *
             bt.onsetMask)
                .sum(-1);
    } else {
        out.onset = torch::zeros_like(bt.stepMask);
    }
    if (net->m_velocity) {
        torch::Tensor lp = torch::log_softmax(net->m_velocity(h), -1);
        out.velocity = -lp.gather(-1, bt.velocity.unsqueeze(-1)).squeeze(-1) * bt.velMask;
    } else {
        out.velocity = torch::zeros_like(bt.stepMask);
    }
    return out;
}

bool sequenceNll(NeuralNet& net, const std::vector<const FrameSequence*>& seqs, int segment,
                 std::vector<NllResult>& out, const std::atomic<bool>* cancel) {
    runThisThreadSerially();
    out.assign(seqs.size(), NllResult{});
    int maxT = 0;
    for (const FrameSequence* s : seqs)
        maxT = std::max(maxT, s->steps);
    const RepresentationConfig& rep = net->config().representation;
    NeuralNetImpl::State state;
    for (int from = 0; from < maxT; from += segment) {
        if (cancel && cancel->load(std::memory_order_relaxed))
            return false;
        const int len = std::min(segment, maxT - from);
        BatchTensors bt = makeBatchTensors(seqs, from, len, rep);
        StepLosses sl = stepLosses(net, bt, state);
        const std::vector<float> fr = toVector(sl.frame);
        const std::vector<float> on = toVector(sl.onset);
        const std::vector<float> ve = toVector(sl.velocity);
        for (std::size_t b = 0; b < seqs.size(); ++b) {
            for (int s = 0; s < len; ++s) {
                const int t = from + s;
                if (t >= seqs[b]->steps)
                    break;
                const std::size_t i = b * std::size_t(len) + std::size_t(s);
                if (t == 0) {
                    out[b].firstFrame += fr[i];
                } else {
                    out[b].frameSum += fr[i];
                    out[b].onsetSum += on[i];
                    out[b].velocitySum += ve[i];
                }
            }
        }
    }
    for (std::size_t b = 0; b < seqs.size(); ++b)
        out[b].frameSteps = std::max(0, seqs[b]->steps - 1);
    return true;
}

void copyParameters(NeuralNet& from, NeuralNet& to) {
    torch::NoGradGuard noGrad;
    auto src = from->named_parameters();
    for (auto& kv : to->named_parameters())
        kv.value().copy_(src[kv.key()]);
}

void averageInto(NeuralNet& weights, NeuralNet& average, double decay, long step) {
    torch::NoGradGuard noGrad;
    const double d = std::min(decay, double(1 + step) / double(10 + step));
    auto src = weights->named_parameters();
    for (auto& kv : average->named_parameters())
        kv.value().lerp_(src[kv.key()], 1.0 - d);
}

FastWeights extractFastWeights(NeuralNet& net) {
    runThisThreadSerially();
    const ModelConfig& c = net->config();
    const RepresentationConfig& rep = c.representation;
    FastWeights w;
    w.kind = c.kind;
    w.head = c.head;
    w.layers = c.layers;
    w.hidden = c.hidden;
    w.input = net->inputSize();
    w.pitches = rep.pitches();
    w.nadeHidden = c.head == HeadKind::Autoregressive ? c.nadeHidden : 0;
    w.velocityBins = rep.velocity ? rep.velocityBins : 0;
    w.onsets = rep.onsets;
    w.velocity = rep.velocity;
    auto params = c.kind == ModelKind::Lstm ? net->m_lstm->named_parameters()
                                            : net->m_rnn->named_parameters();
    const int G = w.gates();
    const int H = w.hidden;
    for (int l = 0; l < c.layers; ++l) {
        const std::string sfx = "_l" + std::to_string(l);
        const std::vector<float> wih = toVector(params["weight_ih" + sfx]);
        const std::vector<float> whh = toVector(params["weight_hh" + sfx]);
        const std::vector<float> bih = toVector(params["bias_ih" + sfx]);
        const std::vector<float> bhh = toVector(params["bias_hh" + sfx]);
        FastWeights::Layer L;
        L.in = l == 0 ? w.input : H;
        L.bias.resize(std::size_t(G));
        for (int r = 0; r < G; ++r)
            L.bias[std::size_t(r)] = bih[std::size_t(r)] + bhh[std::size_t(r)];
        if (l == 0) {
            L.w = whh;
            L.wT.resize(std::size_t(G) * L.in);
            for (int r = 0; r < G; ++r)
                for (int k = 0; k < L.in; ++k)
                    L.wT[std::size_t(k) * G + r] = wih[std::size_t(r) * L.in + k];
        } else {
            const int ld = L.in + H;
            L.w.resize(std::size_t(G) * ld);
            for (int r = 0; r < G; ++r) {
                std::copy_n(wih.data() + std::size_t(r) * L.in, L.in,
                            L.w.data() + std::size_t(r) * ld);
                std::copy_n(whh.data() + std::size_t(r) * H, H,
                            L.w.data() + std::size_t(r) * ld + L.in);
            }
        }
        w.layer.push_back(std::move(L));
    }
    if (net->m_frame) {
        w.frameW = toVector(net->m_frame->weight);
        w.frameB = toVector(net->m_frame->bias);
    } else {
        w.visW = toVector(net->m_visible->weight);
        w.visB = toVector(net->m_visible->bias);
        w.hidW = toVector(net->m_hiddenBias->weight);
        w.hidB = toVector(net->m_hiddenBias->bias);
        w.nadeW = toVector(net->m_nadeW);
        w.nadeV = toVector(net->m_nadeV);
    }
    if (net->m_onset) {
        w.onsetW = toVector(net->m_onset->weight);
        w.onsetB = toVector(net->m_onset->bias);
    }
    if (net->m_velocity) {
        w.velW = toVector(net->m_velocity->weight);
        w.velB = toVector(net->m_velocity->bias);
    }
    if (net->m_holdFrame.defined()) {
        w.holdInputs = int(net->m_holdFrame.size(0));
        w.holdFrame = toVector(net->m_holdFrame);
        if (net->m_holdOnset.defined())
            w.holdOnset = toVector(net->m_holdOnset);
    }
    return w;
}

std::string makeNet(const ModelConfig& config, NeuralNet& out) {
    runThisThreadSerially();
    const RepresentationConfig& rep = config.representation;
    if (config.kind != ModelKind::Rnn && config.kind != ModelKind::Lstm)
        return "not a neural model kind (rnn or lstm)";
    if (config.layers < 1 || config.layers > 16)
        return "layers must be 1..16";
    if (config.hidden < 1 || config.hidden > 8192)
        return "hidden must be 1..8192";
    if (!(config.dropout >= 0.0 && config.dropout < 1.0))
        return "dropout must be in [0, 1)";
    if (config.head == HeadKind::Autoregressive &&
        (config.nadeHidden < 1 || config.nadeHidden > 4096))
        return "nadeHidden must be 1..4096";
    if (rep.pitches() < 1 || rep.pitches() > 128)
        return "the representation must have 1..128 pitches";
    if (rep.velocity && (rep.velocityBins < 1 || rep.velocityBins > 127))
        return "velocityBins must be 1..127";
    out = NeuralNet(config, inputSize(rep));
    return "";
}

NeuralModel::NeuralModel(NeuralNet net, NeuralTrainingState state, std::string optimizerState)
    : m_config(net->config()), m_net(std::move(net)), m_state(state),
      m_optimizerState(std::move(optimizerState)) {
    m_net->eval();
    m_fast = extractFastWeights(m_net);
}

std::string NeuralModel::payload(bool withOptimizer) const {
    NeuralNet net = m_net;
    torch::serialize::OutputArchive ar;
    ar.write("meta_version", c10::IValue(std::int64_t(kPayloadVersion)));
    ar.write("meta_shape", torch::tensor(shapeSignature(m_config), torch::kLong));
    writeParameters(ar, *net, "param_");
    ar.write("train_epoch", c10::IValue(std::int64_t(m_state.epoch)));
    ar.write("train_lr", c10::IValue(m_state.learningRate));
    ar.write("train_best", c10::IValue(m_state.bestValidLoss));
    if (withOptimizer)
        writeBytes(ar, "train_optimizer", m_optimizerState);
    return wrapArchive(kMagic, kPayloadVersion, ar);
}

NllResult NeuralModel::evaluate(const FrameSequence& seq) const {
    c10::InferenceMode guard;
    NeuralNet net = m_net;
    std::vector<NllResult> out;
    sequenceNll(net, {&seq}, 256, out, nullptr);
    return out.empty() ? NllResult{} : out[0];
}

std::vector<NllResult> NeuralModel::evaluateFrom(const std::vector<FrameSequence>& seqs, int from,
                                                 const std::atomic<bool>* cancel) const {
    const int P = m_config.representation.pitches();
    for (const FrameSequence& seq : seqs)
        if (seq.steps > 0 && seq.pitches != P)
            throw std::invalid_argument("sequence has " + std::to_string(seq.pitches) +
                                        " pitches, the model " + std::to_string(P));
    return fastNllFrom(m_fast, m_config.representation, seqs, from, cancel);
}

PitchOutlook NeuralModel::outlook(const FrameSequence& seq, const std::atomic<bool>* cancel) const {
    const int P = m_config.representation.pitches();
    if (seq.steps > 0 && seq.pitches != P)
        throw std::invalid_argument("sequence has " + std::to_string(seq.pitches) +
                                    " pitches, the model " + std::to_string(P));
    return fastOutlook(m_fast, m_config.representation, seq, cancel);
}

std::vector<FrameSequence> NeuralModel::sample(const SampleRequest& request,
                                               const std::atomic<bool>* cancel) const {
    const int P = m_config.representation.pitches();
    if (request.primer.steps > 0 && request.primer.pitches != P)
        throw std::invalid_argument("primer has " + std::to_string(request.primer.pitches) +
                                    " pitches, the model " + std::to_string(P));
    if (request.future.steps < 0 || request.variations < 1)
        return {};
    return sampleFast(m_fast, m_config, request, cancel);
}

std::unique_ptr<SequenceModel> createNeuralModel(const ModelConfig& config, std::uint64_t seed,
                                                 std::string& error) {
    try {
        torch::manual_seed(seed);
        NeuralNet net{nullptr};
        error = makeNet(config, net);
        if (!error.empty())
            return nullptr;
        return std::make_unique<NeuralModel>(net, NeuralTrainingState{}, std::string());
    } catch (const std::exception& e) {
        error = e.what();
        return nullptr;
    }
}

StepProbabilities torchProbabilities(const SequenceModel& model, const FrameSequence& seq) {
    const NeuralModel& m = asNeural(model);
    c10::InferenceMode guard;
    NeuralNet net = m.net();
    const RepresentationConfig& rep = m.config().representation;
    BatchTensors bt = makeBatchTensors({&seq}, 0, seq.steps, rep);
    NeuralNetImpl::State state;
    torch::Tensor h = net->core(bt.x, state);
    StepProbabilities out;
    out.steps = seq.steps;
    out.frame = toVector(torch::sigmoid(net->frameLogits(bt.x, h, bt.frames)));
    if (net->m_onset)
        out.onset = toVector(torch::sigmoid(net->onsetLogits(bt.x, h)));
    if (net->m_velocity)
        out.velocity = toVector(torch::softmax(net->m_velocity(h), -1));
    return out;
}

StepProbabilities fastProbabilities(const SequenceModel& model, const FrameSequence& seq) {
    const NeuralModel& m = asNeural(model);
    StepProbabilities out;
    out.steps = seq.steps;
    fastProbabilities(m.fastWeights(), m.config().representation, seq, out.frame, out.onset,
                      out.velocity);
    return out;
}

BatchLoss batchLoss(const SequenceModel& model, const Batch& batch) {
    const NeuralModel& m = asNeural(model);
    c10::InferenceMode guard;
    NeuralNet net = m.net();
    std::vector<const FrameSequence*> seqs;
    for (const FrameSequence& w : batch.windows)
        seqs.push_back(&w);
    BatchTensors bt =
        makeBatchTensors(seqs, 0, batch.length, m.config().representation, &batch.mask);
    NeuralNetImpl::State state;
    StepLosses sl = stepLosses(net, bt, state);
    return {sl.total().sum().item<double>(), bt.realSteps};
}

NeuralTrainingState trainingState(const SequenceModel& model) {
    const NeuralModel& m = asNeural(model);
    NeuralTrainingState s = m.trainingState();
    s.hasOptimizerState = !m.optimizerState().empty();
    return s;
}

long parameterCount(const SequenceModel& model) {
    const NeuralModel& m = asNeural(model);
    long n = 0;
    for (const auto& p : m.net()->parameters())
        n += long(p.numel());
    return n;
}

// The archive's format version and shape signature against the config. An error, or "".
static std::string checkArchiveShape(torch::serialize::InputArchive& ar,
                                     const ModelConfig& config) {
    c10::IValue v;
    if (!ar.try_read("meta_version", v) || !v.isInt() || v.toInt() != kPayloadVersion)
        return "neural model payload: missing or wrong format version";
    torch::Tensor shape;
    if (!ar.try_read("meta_shape", shape) || !insideItsStorage(shape))
        return "neural model payload: missing shape signature";
    const std::vector<std::int64_t> expect = shapeSignature(config);
    shape = shape.to(torch::kLong).contiguous();
    if (shape.numel() != std::int64_t(expect.size()) ||
        !std::equal(expect.begin(), expect.end(), shape.data_ptr<std::int64_t>()))
        return "neural model payload: written for a different model shape than the "
               "checkpoint's config (kind, head, layers, hidden, NADE units, inputs, "
               "pitches, onsets, velocity bins)";
    return "";
}

// The training state and optimizer bytes, each optional (absent: defaults, empty).
static NeuralTrainingState readTrainingState(torch::serialize::InputArchive& ar,
                                             std::string& optimizer) {
    NeuralTrainingState state;
    c10::IValue v;
    if (ar.try_read("train_epoch", v) && v.isInt())
        state.epoch = int(v.toInt());
    if (ar.try_read("train_lr", v) && v.isDouble())
        state.learningRate = v.toDouble();
    if (ar.try_read("train_best", v) && v.isDouble())
        state.bestValidLoss = v.toDouble();
    optimizer = readBytes(ar, "train_optimizer");
    return state;
}

} // namespace torchestra::ml::neural

namespace torchestra::ml {

std::unique_ptr<SequenceModel> deserializeNeural(const ModelConfig& config,
                                                 const std::string& payload, std::string& error) {
    neural::runThisThreadSerially();
    using namespace neural;
    error = checkPayloadHeader(payload, kMagic, kPayloadVersion, kWhat);
    if (!error.empty())
        return nullptr;
    try {
        NeuralNet net{nullptr};
        const std::string bad = makeNet(config, net);
        if (!bad.empty()) {
            error = "neural model payload: bad config: " + bad;
            return nullptr;
        }
        torch::serialize::InputArchive ar;
        ar.load_from(payload.data() + kPayloadHeaderSize, payload.size() - kPayloadHeaderSize);
        error = checkArchiveShape(ar, config);
        if (error.empty())
            error = readParameters(ar, *net, "param_", kWhat);
        if (!error.empty())
            return nullptr;
        std::string optimizer;
        const NeuralTrainingState state = readTrainingState(ar, optimizer);
        return std::make_unique<NeuralModel>(net, state, std::move(optimizer));
    } catch (const c10::Error& e) {
        error = std::string("neural model payload unreadable: ") + e.what_without_backtrace();
    } catch (const std::exception& e) {
        error = std::string("neural model payload unreadable: ") + e.what();
    }
    return nullptr;
}

void setComputeThreads(int threads) {
    neural::setThisThreadsThreads(threads);
}

namespace neural {

namespace {
// Whether this thread chose its thread count (setComputeThreads); threads that did not run
// torch serially.
thread_local bool t_threadsChosen = false;
} // namespace

void runThisThreadSerially() {
    if (!t_threadsChosen)
        setThisThreadsThreads(1);
}

bool thisThreadChoseThreads() {
    return t_threadsChosen;
}

int setThisThreadsThreads(int threads) {
    t_threadsChosen = true;
    const int previous = at::get_num_threads(); // ATen's once-per-thread set-up runs here first
    omp_set_num_threads(std::max(1, threads));
    return previous;
}

} // namespace neural

} // namespace torchestra::ml
