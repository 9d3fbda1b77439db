#include "ml/MarkovModel.h"

#include "ml/SamplingConstraints.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

namespace torchestra::ml {

namespace {

constexpr std::int64_t kStartFrame = -1;  // before the piece
constexpr std::int64_t kUnseenFrame = -2; // a frame the model never saw: no context holds it
constexpr char kPayloadMagic[8] = {'M', 'R', 'K', 'V', '0', '0', '0', '1'};

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

class Writer {
public:
    template <typename T> void put(const T& v) {
        m_out.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    std::string take() { return std::move(m_out); }

private:
    std::string m_out;
};

// Reads fixed-size values, refusing to read past the end (a truncated or corrupt payload).
class Reader {
public:
    explicit Reader(const std::string& s) : m_s(s) {}
    template <typename T> bool get(T& v) {
        if (m_pos + sizeof v > m_s.size())
            return false;
        std::memcpy(&v, m_s.data() + m_pos, sizeof v);
        m_pos += sizeof v;
        return true;
    }
    std::size_t left() const { return m_s.size() - m_pos; }

private:
    const std::string& m_s;
    std::size_t m_pos = 0;
};

} // namespace

std::size_t MarkovModel::FrameKeyHash::operator()(const FrameKey& k) const {
    return std::size_t(mix(mix(mix(mix(0, k[0]), k[1]), k[2]), k[3]));
}

MarkovModel::MarkovModel(ModelConfig config) : m_config(std::move(config)) {
    m_config.kind = ModelKind::Markov;
    m_contexts.resize(std::size_t(std::max(1, m_config.markovOrder)) + 1);
    m_chains.resize(std::size_t(m_config.representation.pitches()));
    m_velocityCounts.assign(std::size_t(m_config.representation.velocityBins), 0);
}

MarkovModel::FrameKey MarkovModel::keyAt(const FrameSequence& seq, int t) const {
    FrameKey k{};
    if (t < 0 || t >= seq.steps)
        return k;
    const int P = std::min(seq.pitches, 128);
    for (int p = 0; p < P; ++p) {
        if (!seq.sounds(t, p))
            continue;
        k[std::size_t(p / 64)] |= 1ull << (p % 64);
        if (m_config.representation.onsets && seq.starts(t, p)) {
            const int b = 128 + p;
            k[std::size_t(b / 64)] |= 1ull << (b % 64);
        }
    }
    return k;
}

int MarkovModel::stateOf(const FrameKey& key, int p) const {
    if (!((key[std::size_t(p / 64)] >> (p % 64)) & 1))
        return 0;
    const int b = 128 + p;
    return ((key[std::size_t(b / 64)] >> (b % 64)) & 1) ? 2 : 1;
}

std::int64_t MarkovModel::frameId(const FrameKey& key) const {
    auto it = m_frameIndex.find(key);
    return it == m_frameIndex.end() ? kUnseenFrame : std::int64_t(it->second);
}

bool MarkovModel::contextHash(const std::vector<std::int64_t>& frameIds, const FrameSequence& seq,
                              int t, int order, std::uint64_t& out) const {
    std::uint64_t h = mix(0x51ed, std::uint64_t(order));
    if (t >= 0 && t < seq.steps)
        h = mix(h, (std::uint64_t(seq.stepInBeat[std::size_t(t)]) << 8) |
                       seq.beatInBar[std::size_t(t)]);
    for (int k = 1; k <= order; ++k) {
        const int s = t - k;
        const std::int64_t id = s < 0 ? kStartFrame : frameIds[std::size_t(s)];
        if (id == kUnseenFrame)
            return false;
        h = mix(h, std::uint64_t(id + 2));
    }
    out = h;
    return true;
}

void MarkovModel::train(const std::vector<FrameSequence>& pieces) {
    for (const FrameSequence& seq : pieces) {
        std::vector<std::int64_t> ids(std::size_t(seq.steps));
        FrameKey prev{};
        for (int t = 0; t < seq.steps; ++t) {
            const FrameKey key = keyAt(seq, t);
            auto [it, added] = m_frameIndex.emplace(key, std::uint32_t(m_frames.size()));
            if (added)
                m_frames.push_back(key);
            const std::uint32_t id = it->second;
            ids[std::size_t(t)] = id;
            for (int order = 0; order < int(m_contexts.size()); ++order) {
                std::uint64_t h;
                if (!contextHash(ids, seq, t, order, h))
                    continue;
                Context& c = m_contexts[std::size_t(order)][h];
                ++c.total;
                auto cont = std::find_if(c.next.begin(), c.next.end(),
                                         [&](const Continuation& x) { return x.frame == id; });
                if (cont == c.next.end())
                    c.next.push_back({id, 1});
                else
                    ++cont->count;
            }
            for (int p = 0; p < int(m_chains.size()); ++p)
                ++m_chains[std::size_t(p)]
                      .counts[std::size_t(stateOf(prev, p))][std::size_t(stateOf(key, p))];
            const std::uint8_t bin = seq.velocityBin[std::size_t(t)];
            if (bin < m_velocityCounts.size())
                ++m_velocityCounts[bin];
            prev = key;
        }
    }
}

double MarkovModel::baseLogProb(const FrameKey& prev, const FrameKey& next) const {
    const int S = stateCount();
    double lp = 0;
    for (int p = 0; p < int(m_chains.size()); ++p) {
        const auto& row = m_chains[std::size_t(p)].counts[std::size_t(stateOf(prev, p))];
        double total = 0;
        for (int s = 0; s < S; ++s)
            total += row[std::size_t(s)];
        const int s = stateOf(next, p);
        lp += std::log((row[std::size_t(s)] + 0.5) / (total + 0.5 * S));
    }
    return lp;
}

std::vector<const MarkovModel::Context*>
MarkovModel::knownContexts(const std::vector<std::int64_t>& frameIds, const FrameSequence& seq,
                           int t) const {
    std::vector<const Context*> chain;
    for (int order = 0; order < int(m_contexts.size()); ++order) {
        std::uint64_t h;
        if (!contextHash(frameIds, seq, t, order, h))
            break;
        auto it = m_contexts[std::size_t(order)].find(h);
        if (it == m_contexts[std::size_t(order)].end())
            break;
        chain.push_back(&it->second);
    }
    return chain;
}

double MarkovModel::logProb(const std::vector<std::int64_t>& frameIds, const FrameSequence& seq,
                            int t, const FrameKey& prevKey, const FrameKey& key) const {
    // Witten-Bell interpolation from the per-pitch chains up to the longest context.
    double p = std::exp(baseLogProb(prevKey, key));
    const std::int64_t id = frameId(key);
    for (const Context* context : knownContexts(frameIds, seq, t)) {
        const Context& c = *context;
        const double lambda = double(c.total) / double(c.total + c.next.size());
        double ml = 0;
        if (id >= 0)
            for (const Continuation& x : c.next)
                if (x.frame == std::uint32_t(id))
                    ml = double(x.count) / c.total;
        p = lambda * ml + (1 - lambda) * p;
    }
    return std::log(std::max(p, 1e-300));
}

NllResult MarkovModel::evaluate(const FrameSequence& seq) const {
    NllResult r;
    std::vector<std::int64_t> ids(std::size_t(seq.steps));
    std::uint64_t velocityTotal = 0;
    for (auto c : m_velocityCounts)
        velocityTotal += c;
    FrameKey prev{};
    for (int t = 0; t < seq.steps; ++t) {
        const FrameKey key = keyAt(seq, t);
        const double nll = -logProb(ids, seq, t, prev, key);
        ids[std::size_t(t)] = frameId(key);
        if (t == 0) {
            r.firstFrame = nll;
        } else {
            r.frameSum += nll;
            ++r.frameSteps;
            const std::uint8_t bin = seq.velocityBin[std::size_t(t)];
            if (m_config.representation.velocity && bin < m_velocityCounts.size())
                r.velocitySum -= std::log((m_velocityCounts[bin] + 1.0) /
                                          double(velocityTotal + m_velocityCounts.size()));
        }
        prev = key;
    }
    return r;
}

// One sample() call: the request with its constraints and temperature, and the draws of each
// step. A variation's random draws come in a fixed order (frame attempts, then the velocity),
// so a seed gives the same result every time.
class MarkovModel::Sampler {
public:
    Sampler(const MarkovModel& model, const SampleRequest& request)
        : m_model(model), m_request(request), m_rep(model.m_config.representation),
          m_constraints(model.m_config.representation, request.constraints),
          m_pitches(m_rep.pitches()), m_states(model.stateCount()),
          m_invT(1.0 / std::max(1e-3, request.temperature)) {}

    // Variation v; false (and `out` unspecified) if `cancel` was set.
    bool variation(int v, const std::atomic<bool>* cancel, FrameSequence& out) const;

private:
    FrameSequence startSequence() const;
    FrameKey drawFrame(const std::vector<std::int64_t>& ids, const FrameSequence& w, int t,
                       std::mt19937_64& rng) const;
    bool drawFromContexts(const std::vector<std::int64_t>& ids, const FrameSequence& w, int t,
                          std::mt19937_64& rng, FrameKey& key) const;
    FrameKey drawFromChains(const FrameKey& prev, std::mt19937_64& rng) const;
    void writeStep(FrameSequence& w, int t, const FrameKey& chosen, const FrameKey& prev,
                   std::mt19937_64& rng) const;
    bool admits(const FrameKey& key) const {
        return m_constraints.admits([&](int p) { return m_model.stateOf(key, p) != 0; });
    }

    const MarkovModel& m_model;
    const SampleRequest& m_request;
    const RepresentationConfig& m_rep;
    const SamplingConstraints m_constraints;
    const int m_pitches;
    const int m_states;
    const double m_invT; // 1 / temperature
};

bool MarkovModel::Sampler::variation(int v, const std::atomic<bool>* cancel,
                                     FrameSequence& out) const {
    std::mt19937_64 rng(m_request.seed + std::uint64_t(v) * 0x9e3779b97f4a7c15ull);
    const int n0 = m_request.primer.steps, total = n0 + m_request.future.steps;
    FrameSequence w = startSequence();
    std::vector<std::int64_t> ids(static_cast<std::size_t>(total));
    for (int t = 0; t < n0; ++t)
        ids[std::size_t(t)] = m_model.frameId(m_model.keyAt(w, t));
    for (int t = n0; t < total; ++t) {
        if (cancel && cancel->load())
            return false;
        const FrameKey prev = m_model.keyAt(w, t - 1);
        const FrameKey chosen = drawFrame(ids, w, t, rng);
        writeStep(w, t, chosen, prev, rng);
        ids[std::size_t(t)] = m_model.frameId(chosen);
    }
    out = w.slice(n0, m_request.future.steps);
    return true;
}

// The primer's frames and the metre of every step, primer and future.
FrameSequence MarkovModel::Sampler::startSequence() const {
    const int P = m_pitches;
    const FrameSequence& primer = m_request.primer;
    const int n0 = primer.steps, total = n0 + m_request.future.steps;
    FrameSequence w;
    w.resize(total, P, m_rep.onsets);
    for (int t = 0; t < n0; ++t) {
        for (int p = 0; p < P; ++p) {
            w.sounding[std::size_t(t) * P + p] = primer.sounds(t, p);
            if (m_rep.onsets)
                w.onset[std::size_t(t) * P + p] = primer.starts(t, p);
        }
        w.velocityBin[std::size_t(t)] = primer.velocityBin[std::size_t(t)];
        w.stepInBeat[std::size_t(t)] = primer.stepInBeat[std::size_t(t)];
        w.beatInBar[std::size_t(t)] = primer.beatInBar[std::size_t(t)];
    }
    for (int t = n0; t < total; ++t) {
        w.stepInBeat[std::size_t(t)] = m_request.future.stepInBeat[std::size_t(t - n0)];
        w.beatInBar[std::size_t(t)] = m_request.future.beatInBar[std::size_t(t - n0)];
    }
    return w;
}

// Up to 32 attempts at a frame the constraints admit; the last one is repaired instead.
MarkovModel::FrameKey MarkovModel::Sampler::drawFrame(const std::vector<std::int64_t>& ids,
                                                      const FrameSequence& w, int t,
                                                      std::mt19937_64& rng) const {
    const FrameKey prev = m_model.keyAt(w, t - 1);
    FrameKey key{};
    for (int attempt = 0; attempt < 32; ++attempt) {
        key = FrameKey{};
        if (!drawFromContexts(ids, w, t, rng, key))
            key = drawFromChains(prev, rng);
        if (admits(key))
            return key;
    }
    // Repair instead of failing: drop what the constraints forbid.
    m_constraints.repair([&](int p) { return m_model.stateOf(key, p) != 0; },
                         [&](int p) {
                             key[std::size_t(p / 64)] &= ~(1ull << (p % 64));
                             const int b = 128 + p;
                             key[std::size_t(b / 64)] &= ~(1ull << (b % 64));
                         });
    return key;
}

// Walks down from the longest known context; at each level takes its observed continuations
// with probability lambda, else backs off. False if every level backed off.
bool MarkovModel::Sampler::drawFromContexts(const std::vector<std::int64_t>& ids,
                                            const FrameSequence& w, int t, std::mt19937_64& rng,
                                            FrameKey& key) const {
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    const std::vector<const Context*> chain = m_model.knownContexts(ids, w, t);
    for (auto c = chain.rbegin(); c != chain.rend(); ++c) {
        const Context& ctx = **c;
        const double lambda = double(ctx.total) / double(ctx.total + ctx.next.size());
        if (uni(rng) >= lambda)
            continue;
        std::vector<Continuation> cands = ctx.next;
        std::sort(cands.begin(), cands.end(),
                  [](const Continuation& a, const Continuation& b) { return a.count > b.count; });
        if (m_request.topK > 0 && int(cands.size()) > m_request.topK)
            cands.resize(std::size_t(m_request.topK));
        std::vector<double> weights;
        double sum = 0;
        for (const Continuation& x : cands) {
            weights.push_back(std::pow(double(x.count), m_invT));
            sum += weights.back();
        }
        if (m_request.topP < 1.0) {
            double acc = 0;
            std::size_t keep = 0;
            while (keep < weights.size() && acc < m_request.topP * sum)
                acc += weights[keep++];
            weights.resize(std::max<std::size_t>(1, keep));
        }
        std::discrete_distribution<std::size_t> d(weights.begin(), weights.end());
        key = m_model.m_frames[cands[d(rng)].frame];
        return true;
    }
    return false;
}

// Each allowed pitch on its own first-order chain, density scaling the weight of a new note.
MarkovModel::FrameKey MarkovModel::Sampler::drawFromChains(const FrameKey& prev,
                                                           std::mt19937_64& rng) const {
    const int S = m_states;
    FrameKey key{};
    for (int p = 0; p < m_pitches; ++p) {
        if (!m_constraints.allows(p))
            continue;
        const int was = m_model.stateOf(prev, p);
        const auto& row = m_model.m_chains[std::size_t(p)].counts[std::size_t(was)];
        double wts[3] = {0, 0, 0};
        for (int s = 0; s < S; ++s) {
            wts[s] = std::pow(row[std::size_t(s)] + 0.5, m_invT);
            const bool newNote = (s == 2) || (S == 2 && s == 1 && was == 0);
            if (newNote)
                wts[s] = m_constraints.newNoteWeight(wts[s]);
        }
        std::discrete_distribution<int> d(wts, wts + S);
        const int s = d(rng);
        if (s > 0)
            key[std::size_t(p / 64)] |= 1ull << (p % 64);
        if (s == 2 || (s == 1 && was == 0 && m_rep.onsets)) {
            const int b = 128 + p;
            key[std::size_t(b / 64)] |= 1ull << (b % 64);
        }
    }
    return key;
}

// Writes the chosen frame at step t and, if anything starts, draws its velocity bin.
void MarkovModel::Sampler::writeStep(FrameSequence& w, int t, const FrameKey& chosen,
                                     const FrameKey& prev, std::mt19937_64& rng) const {
    const int P = m_pitches;
    bool anyOnset = false;
    for (int p = 0; p < P; ++p) {
        const int s = m_model.stateOf(chosen, p);
        w.sounding[std::size_t(t) * P + p] = s > 0;
        if (m_rep.onsets)
            w.onset[std::size_t(t) * P + p] = s == 2;
        anyOnset = anyOnset || s == 2 || (s == 1 && m_model.stateOf(prev, p) == 0);
    }
    if (m_rep.velocity && anyOnset) {
        std::vector<double> wts;
        for (auto c : m_model.m_velocityCounts)
            wts.push_back(std::pow(c + 1.0, m_invT));
        std::discrete_distribution<int> d(wts.begin(), wts.end());
        w.velocityBin[std::size_t(t)] = std::uint8_t(d(rng));
    }
}

std::vector<FrameSequence> MarkovModel::sample(const SampleRequest& request,
                                               const std::atomic<bool>* cancel) const {
    const Sampler sampler(*this, request);
    std::vector<FrameSequence> out;
    for (int v = 0; v < std::max(1, request.variations); ++v) {
        FrameSequence seq;
        if (!sampler.variation(v, cancel, seq))
            return {};
        out.push_back(std::move(seq));
    }
    return out;
}

std::string MarkovModel::serialize() const {
    Writer w;
    for (char c : kPayloadMagic)
        w.put(c);
    w.put(std::uint32_t(m_frames.size()));
    for (const FrameKey& k : m_frames)
        for (std::uint64_t x : k)
            w.put(x);
    w.put(std::uint32_t(m_contexts.size()));
    for (const auto& level : m_contexts) {
        w.put(std::uint64_t(level.size()));
        for (const auto& [h, c] : level) {
            w.put(h);
            w.put(c.total);
            w.put(std::uint32_t(c.next.size()));
            for (const Continuation& x : c.next) {
                w.put(x.frame);
                w.put(x.count);
            }
        }
    }
    w.put(std::uint32_t(m_chains.size()));
    for (const PitchChain& ch : m_chains)
        for (const auto& row : ch.counts)
            for (std::uint32_t x : row)
                w.put(x);
    w.put(std::uint32_t(m_velocityCounts.size()));
    for (std::uint32_t x : m_velocityCounts)
        w.put(x);
    return w.take();
}

std::unique_ptr<MarkovModel> MarkovModel::deserialize(const ModelConfig& config,
                                                      const std::string& payload,
                                                      std::string& error) {
    auto m = std::make_unique<MarkovModel>(config);
    Reader r(payload);
    auto fail = [&](const std::string& what) {
        error = "Markov payload: " + what;
        return nullptr;
    };
    char magic[8];
    for (char& c : magic)
        if (!r.get(c))
            return fail("truncated");
    if (std::memcmp(magic, kPayloadMagic, sizeof magic) != 0)
        return fail("not a Markov model");
    std::uint32_t frames;
    if (!r.get(frames) || std::size_t(frames) * 32 > r.left())
        return fail("frame table truncated");
    m->m_frames.resize(frames);
    for (std::uint32_t i = 0; i < frames; ++i) {
        for (std::uint64_t& x : m->m_frames[i])
            r.get(x);
        m->m_frameIndex.emplace(m->m_frames[i], i);
    }
    std::uint32_t levels;
    if (!r.get(levels) || levels != m->m_contexts.size())
        return fail("context order does not match the config");
    for (auto& level : m->m_contexts) {
        std::uint64_t n;
        if (!r.get(n) || n > r.left() / 12) // (n * 12 could overflow on a hostile file)
            return fail("context table truncated");
        level.reserve(std::size_t(n));
        for (std::uint64_t i = 0; i < n; ++i) {
            std::uint64_t h;
            Context c;
            std::uint32_t count;
            if (!r.get(h) || !r.get(c.total) || !r.get(count) || std::size_t(count) * 8 > r.left())
                return fail("context truncated");
            c.next.resize(count);
            for (Continuation& x : c.next) {
                r.get(x.frame);
                r.get(x.count);
                if (x.frame >= frames)
                    return fail("continuation names a frame that does not exist");
            }
            level.emplace(h, std::move(c));
        }
    }
    std::uint32_t chains;
    if (!r.get(chains) || chains != m->m_chains.size() || std::size_t(chains) * 36 > r.left())
        return fail("pitch chains do not match the config");
    for (PitchChain& ch : m->m_chains)
        for (auto& row : ch.counts)
            for (std::uint32_t& x : row)
                r.get(x);
    std::uint32_t bins;
    if (!r.get(bins) || bins != m->m_velocityCounts.size() || std::size_t(bins) * 4 > r.left())
        return fail("velocity table does not match the config");
    for (std::uint32_t& x : m->m_velocityCounts)
        r.get(x);
    if (r.left() != 0)
        return fail("trailing bytes");
    return m;
}

} // namespace torchestra::ml
