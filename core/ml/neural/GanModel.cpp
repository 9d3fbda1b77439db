#include "ml/neural/GanModel.h"

#include "ml/SamplingConstraints.h"
#include "ml/neural/NeuralKinds.h"
#include "ml/neural/NeuralNet.h"
#include "ml/neural/TorchPayload.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <stdexcept>

namespace torchestra::ml::neural {

namespace {

constexpr char kMagic[4] = {'T', 'G', 'A', 'N'};
constexpr std::uint32_t kPayloadVersion = 1;
constexpr const char* kWhat = "GAN payload";

// What the payload's weights were shaped for; compared on load before any weight is read.
std::vector<std::int64_t> shapeSignature(const ModelConfig& c) {
    const RepresentationConfig& r = c.representation;
    return {std::int64_t(c.kind), c.hidden,    c.noiseSize,
            c.barSteps,           r.pitches(), r.velocity ? r.velocityBins : 0};
}

// Up to kKeyContextBars bars before bar `k` of the output, reaching back into the primer.
std::vector<KeySource> contextBefore(const FrameSequence& primer,
                                     const std::vector<StepRange>& primerBars,
                                     const FrameSequence& out, const std::vector<StepRange>& bars,
                                     int k) {
    KeySource own{&out, {}}, fromPrimer{&primer, {}};
    for (int j = std::max(0, k - kKeyContextBars); j < k; ++j)
        own.ranges.push_back(bars[std::size_t(j)]);
    const int fromPrimerCount = std::min(int(primerBars.size()), kKeyContextBars - k);
    for (int j = int(primerBars.size()) - fromPrimerCount; j < int(primerBars.size()); ++j)
        fromPrimer.ranges.push_back(primerBars[std::size_t(j)]);
    return {own, fromPrimer};
}

// The key features of a bar of a GAN from before plans: the key of the bars before bar `k`
// of the output (reaching back into the primer) and of the bar after, when `c` has one.
void keyAround(const FrameSequence& primer, const std::vector<StepRange>& primerBars,
               const FrameSequence& out, const std::vector<StepRange>& bars, int k,
               const BarCondition& c, const GanShape& shape, float* key) {
    std::vector<KeySource> from = contextBefore(primer, primerBars, out, bars, k);
    if (c.next)
        from.push_back({c.next, {c.nextBar}});
    keyFeatures(from, 0, shape, key);
}

// The profile a bar with condition `c` is conditioned on, into `profile` (plan.profileSize()
// floats): the plan's next after the bar before it as written (`c.previous`; without one, any
// bar's profile), or where `walk` is given, the next along the progression it follows
// (HarmonyPlan::next); pushed from the bar before by `guidance` (guideProfile). With quarters,
// `c.quarterKey` is pointed at theirs.
void planBar(const HarmonyPlan& plan, BarCondition& c, const GanShape& shape, std::mt19937_64& rng,
             HarmonyPlan::Walk* walk, double guidance, float* profile) {
    float before[GanShape::kKeyFeatures] = {};
    if (c.previous)
        keyFeatures({KeySource{c.previous, {c.previousBar}}}, 0, shape, before);
    if (walk)
        plan.next(before, rng, profile, *walk);
    else
        plan.next(before, rng, profile);
    guideProfile(before, guidance, profile, plan.quarters() ? kBarQuarters : 0);
    if (plan.quarters())
        c.quarterKey = profile + GanShape::kKeyFeatures;
}

// The plan of a GAN not trained yet: no harmony asked for, in the layout `config` asks.
HarmonyPlan emptyPlan(const ModelConfig& config) {
    std::string error;
    return HarmonyPlan::fromData({}, config.harmonyQuarters, error);
}

// A bar's noise for `takes` takes: fresh draws, carried over from the bar before's `previous`
// (undefined for the first bar) by `carry` (SampleRequest::noiseCarry).
torch::Tensor carriedNoise(const torch::Tensor& previous, double carry, int takes, int size,
                           std::normal_distribution<float>& normal, std::mt19937_64& rng) {
    torch::Tensor z = torch::empty({takes, size});
    for (float *p = z.data_ptr<float>(), *e = p + z.numel(); p != e; ++p)
        *p = normal(rng);
    if (previous.defined() && carry > 0)
        z = carry * previous + std::sqrt(1 - carry * carry) * z;
    return z;
}

} // namespace

int ganWidth(const ModelConfig& config) {
    return config.hidden;
}

int criticWidth(const ModelConfig& config) {
    return std::max(4, config.hidden / 2);
}

std::string checkGanConfig(const ModelConfig& config) {
    const RepresentationConfig& rep = config.representation;
    if (config.kind != ModelKind::Gan)
        return "not a GAN config";
    if (config.hidden < 8 || config.hidden > 2048)
        return "the GAN's width (hidden) must be 8..2048";
    if (config.noiseSize < 1 || config.noiseSize > 1024)
        return "the GAN's noise size must be 1..1024";
    if (config.barSteps < 4 || config.barSteps > 256 || config.barSteps % 4 != 0)
        return "the GAN's bar length must be a multiple of 4 steps, 4..256";
    if (rep.pitches() < 1 || rep.pitches() > 128)
        return "the representation must have 1..128 pitches";
    if (rep.velocity && (rep.velocityBins < 1 || rep.velocityBins > 127))
        return "velocityBins must be 1..127";
    return "";
}

GanModel::GanModel(const ModelConfig& config, GanGenerator generator, GanCritic critic,
                   GanTrainingState state, std::shared_ptr<const HarmonyPlan> plan)
    : m_config(config), m_shape(ganShape(config.representation, config.barSteps)),
      m_generator(std::move(generator)), m_critic(std::move(critic)), m_state(std::move(state)),
      m_plan(!config.harmonyPlan ? nullptr
             : plan              ? std::move(plan)
                                 : std::make_shared<const HarmonyPlan>(emptyPlan(config))) {
    m_generator->eval();
    m_critic->eval();
}

std::string GanModel::payload(bool withOptimizers) const {
    torch::serialize::OutputArchive ar;
    ar.write("meta_version", c10::IValue(std::int64_t(kPayloadVersion)));
    ar.write("meta_shape", torch::tensor(shapeSignature(m_config), torch::kLong));
    GanGenerator g = m_generator;
    GanCritic c = m_critic;
    writeParameters(ar, *g, "gen_");
    writeParameters(ar, *c, "critic_");
    ar.write("train_epoch", c10::IValue(std::int64_t(m_state.epoch)));
    ar.write("train_gsteps", c10::IValue(std::int64_t(m_state.generatorSteps)));
    ar.write("train_best", c10::IValue(m_state.bestValidLoss));
    if (withOptimizers) {
        writeBytes(ar, "train_gen_optimizer", m_state.generatorOptimizer);
        writeBytes(ar, "train_critic_optimizer", m_state.criticOptimizer);
    }
    if (m_plan)
        ar.write("harmony_plan",
                 torch::tensor(m_plan->data(), torch::kFloat).view({-1, 2, m_plan->profileSize()}));
    return wrapArchive(kMagic, kPayloadVersion, ar);
}

std::vector<FrameSequence> GanModel::sample(const SampleRequest& request,
                                            const std::atomic<bool>* cancel) const {
    runThisThreadSerially();
    const int P = m_shape.pitches, S = m_shape.steps;
    for (const FrameSequence* given : {&request.primer, &request.following})
        if (given->steps > 0 && given->pitches != P)
            throw std::invalid_argument("primer has " + std::to_string(given->pitches) +
                                        " pitches, the model " + std::to_string(P));
    if (request.future.steps < 0 || request.variations < 1)
        return {};
    const int V = request.variations;
    std::vector<FrameSequence> out(static_cast<std::size_t>(V));
    for (FrameSequence& seq : out) {
        seq.resize(request.future.steps, P, m_config.representation.onsets);
        seq.stepInBeat = request.future.stepInBeat;
        seq.beatInBar = request.future.beatInBar;
    }
    const std::vector<StepRange> bars = ganBars(request.future, S);
    const std::vector<StepRange> primerBars = ganBars(request.primer, S);
    const std::vector<StepRange> followingBars = ganBars(request.following, S);
    const SamplingConstraints constraints(m_config.representation, request.constraints);
    KeyedDecoding decoding(request, m_config.representation, S, V);
    std::mt19937_64 rng(request.seed);
    std::normal_distribution<float> normal(0.f, float(std::max(0.0, request.temperature)));
    std::vector<int> scratch;
    scratch.reserve(std::size_t(P));
    const double carry =
        std::clamp(request.noiseCarry >= 0 ? request.noiseCarry : kDefaultNoiseCarry, 0.0, 1.0);
    GanGenerator generator = m_generator;
    torch::NoGradGuard noGrad;
    torch::Tensor previousNoise; // [V, noise], each take's last bar's
    // Per take, where the notes of the bar before the one being written start (noteStarts).
    std::vector<std::vector<std::uint8_t>> startsBefore(static_cast<std::size_t>(V));
    std::vector<HarmonyPlan::Walk> progressions(static_cast<std::size_t>(V)); // per take
    for (std::size_t k = 0; k < bars.size(); ++k) {
        if (cancel && cancel->load())
            return {};
        previousNoise = carriedNoise(previousNoise, carry, V, m_config.noiseSize, normal, rng);
        const torch::Tensor& z = previousNoise;
        torch::Tensor condition = torch::zeros({V, m_shape.conditionChannels(), S});
        const bool last = k + 1 == bars.size();
        for (int v = 0; v < V; ++v) {
            BarCondition c;
            if (k > 0) {
                c.previous = &out[std::size_t(v)];
                c.previousBar = bars[k - 1];
            } else if (!primerBars.empty()) {
                c.previous = &request.primer;
                c.previousBar = primerBars.back();
            }
            if (last && !followingBars.empty()) {
                c.next = &request.following;
                c.nextBar = followingBars.front();
            }
            float key[GanShape::kKeyFeatures + kBarQuarters * 12] = {};
            if (m_plan)
                planBar(*m_plan, c, m_shape, rng,
                        request.harmonyProgressions ? &progressions[std::size_t(v)] : nullptr,
                        request.harmonyGuidance >= 0 ? request.harmonyGuidance : 1.0, key);
            else
                keyAround(request.primer, primerBars, out[std::size_t(v)], bars, int(k), c, m_shape,
                          key);
            startsBefore[std::size_t(v)] = c.previous
                                               ? noteStarts(*c.previous, c.previousBar, m_shape)
                                               : std::vector<std::uint8_t>{};
            c.key = key;
            c.length = bars[k].second - bars[k].first;
            encodeCondition(c, m_shape, condition[v].data_ptr<float>());
        }
        const torch::Tensor probabilities = generator(z, condition).contiguous();
        for (int v = 0; v < V; ++v) {
            const std::vector<std::uint8_t>& starts = startsBefore[std::size_t(v)];
            decodeBar(probabilities[v].data_ptr<float>(), m_shape, bars[k].second - bars[k].first,
                      constraints, decoding.forBar(v, out[std::size_t(v)], bars[k].first),
                      starts.empty() ? nullptr : starts.data(), out[std::size_t(v)], bars[k].first,
                      scratch);
        }
    }
    return out;
}

std::unique_ptr<GanModel> createGanModel(const ModelConfig& config, std::uint64_t seed,
                                         std::string& error) {
    error = checkGanConfig(config);
    if (!error.empty())
        return nullptr;
    runThisThreadSerially();
    torch::manual_seed(seed);
    const GanShape shape = ganShape(config.representation, config.barSteps);
    return std::make_unique<GanModel>(config,
                                      GanGenerator(shape, config.noiseSize, ganWidth(config)),
                                      GanCritic(shape, criticWidth(config)), GanTrainingState{});
}

} // namespace torchestra::ml::neural

namespace torchestra::ml {

std::pair<long, long> ganParameterCounts(const ModelConfig& config) {
    using namespace neural;
    if (!checkGanConfig(config).empty())
        return {0, 0};
    // Serially even on a thread that chose more threads (a team of its own would make the
    // trainer's compute thread one of more threads than CPUs: NeuralNet.h).
    const SerialWhileAlive serially;
    at::Generator random = at::detail::getDefaultCPUGenerator();
    at::Tensor state;
    {
        std::lock_guard<std::mutex> lock(random.mutex());
        state = random.get_state();
    }
    const GanShape shape = ganShape(config.representation, config.barSteps);
    const auto count = [](const torch::nn::Module& m) {
        long n = 0;
        for (const torch::Tensor& p : m.parameters())
            n += long(p.numel());
        return n;
    };
    const long generator = count(*GanGenerator(shape, config.noiseSize, ganWidth(config)));
    const long critic = count(*GanCritic(shape, criticWidth(config)));
    std::lock_guard<std::mutex> lock(random.mutex());
    random.set_state(state);
    return {generator, critic};
}

std::unique_ptr<SequenceModel> deserializeGan(const ModelConfig& config, const std::string& payload,
                                              std::string& error) {
    using namespace neural;
    runThisThreadSerially();
    error = checkPayloadHeader(payload, kMagic, kPayloadVersion, kWhat);
    if (!error.empty())
        return nullptr;
    try {
        std::unique_ptr<GanModel> fresh = createGanModel(config, 0, error);
        if (!fresh) {
            error = std::string(kWhat) + ": bad config: " + error;
            return nullptr;
        }
        torch::serialize::InputArchive ar;
        ar.load_from(payload.data() + kPayloadHeaderSize, payload.size() - kPayloadHeaderSize);
        c10::IValue v;
        if (!ar.try_read("meta_version", v) || !v.isInt() || v.toInt() != kPayloadVersion) {
            error = std::string(kWhat) + ": missing or wrong format version";
            return nullptr;
        }
        torch::Tensor shape;
        const std::vector<std::int64_t> expect = shapeSignature(config);
        if (!ar.try_read("meta_shape", shape) || !insideItsStorage(shape) ||
            shape.numel() != std::int64_t(expect.size()) ||
            !std::equal(expect.begin(), expect.end(),
                        shape.to(torch::kLong).contiguous().data_ptr<std::int64_t>())) {
            error = std::string(kWhat) + ": written for a different GAN shape than the "
                                         "checkpoint's config (width, noise, bar length, "
                                         "pitches, velocity bins)";
            return nullptr;
        }
        GanGenerator g = fresh->generator();
        GanCritic c = fresh->critic();
        error = readParameters(ar, *g, "gen_", kWhat);
        if (error.empty())
            error = readParameters(ar, *c, "critic_", kWhat);
        if (!error.empty())
            return nullptr;
        GanTrainingState state;
        if (ar.try_read("train_epoch", v) && v.isInt())
            state.epoch = int(v.toInt());
        if (ar.try_read("train_gsteps", v) && v.isInt())
            state.generatorSteps = long(v.toInt());
        if (ar.try_read("train_best", v) && v.isDouble())
            state.bestValidLoss = v.toDouble();
        state.generatorOptimizer = readBytes(ar, "train_gen_optimizer");
        state.criticOptimizer = readBytes(ar, "train_critic_optimizer");
        std::shared_ptr<const HarmonyPlan> plan;
        if (config.harmonyPlan) {
            torch::Tensor pairs;
            if (!ar.try_read("harmony_plan", pairs) || !insideItsStorage(pairs)) {
                error = std::string(kWhat) + ": the harmony plan is missing";
                return nullptr;
            }
            pairs = pairs.to(torch::kFloat).contiguous();
            const float* first = pairs.numel() > 0 ? pairs.data_ptr<float>() : nullptr;
            plan = std::make_shared<const HarmonyPlan>(HarmonyPlan::fromData(
                std::vector<float>(first, first + pairs.numel()), config.harmonyQuarters, error));
            if (!error.empty()) {
                error = std::string(kWhat) + ": " + error;
                return nullptr;
            }
        }
        return std::make_unique<GanModel>(config, g, c, std::move(state), std::move(plan));
    } catch (const c10::Error& e) {
        error = std::string(kWhat) + " unreadable: " + e.what_without_backtrace();
    } catch (const std::exception& e) {
        error = std::string(kWhat) + " unreadable: " + e.what();
    }
    return nullptr;
}

} // namespace torchestra::ml
