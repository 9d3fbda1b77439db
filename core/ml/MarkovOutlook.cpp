// MarkovModel::outlook: the piano roll's probability overlay for the Markov baseline. Its own
// file: the overlay is one job, the counting and sampling in MarkovModel.cpp another.

#include "ml/MarkovModel.h"

namespace torchestra::ml {

// The model's distribution of a step is a Witten-Bell mixture of the per-pitch chains and each
// known context's observed frames (logProb), so a pitch's marginal is the same mixture of each
// part's marginal: exact, no sampling.
PitchOutlook MarkovModel::outlook(const FrameSequence& seq, const std::atomic<bool>* cancel) const {
    const int T = seq.steps;
    const int P = int(m_chains.size());
    const int S = stateCount();
    const bool onsets = m_config.representation.onsets;
    PitchOutlook out;
    out.pitches = P;
    out.sounding.assign(std::size_t(T) * P, 0.f);
    out.starting.assign(std::size_t(T) * P, 0.f);
    const auto pitches = static_cast<std::size_t>(P);
    std::vector<std::int64_t> ids(static_cast<std::size_t>(T));
    std::vector<double> sound(pitches), start(pitches), mlSound(pitches), mlStart(pitches);
    FrameKey prev{};
    for (int t = 0; t < T; ++t) {
        if (cancel && cancel->load())
            return {};
        // A new note without onsets: the pitch sounds after a step where it did not.
        const auto starts = [&](const FrameKey& key, int p) {
            const int s = stateOf(key, p);
            return onsets ? s == 2 : s == 1 && stateOf(prev, p) == 0;
        };
        for (int p = 0; p < P; ++p) {
            const auto& row = m_chains[std::size_t(p)].counts[std::size_t(stateOf(prev, p))];
            double total = 0;
            for (int s = 0; s < S; ++s)
                total += row[std::size_t(s)];
            const auto prob = [&](int s) {
                return (row[std::size_t(s)] + 0.5) / (total + 0.5 * S);
            };
            sound[std::size_t(p)] = 1.0 - prob(0);
            start[std::size_t(p)] = onsets ? prob(2) : stateOf(prev, p) == 0 ? prob(1) : 0.0;
        }
        for (const Context* context : knownContexts(ids, seq, t)) {
            const Context& c = *context;
            const double lambda = double(c.total) / double(c.total + c.next.size());
            std::fill(mlSound.begin(), mlSound.end(), 0.0);
            std::fill(mlStart.begin(), mlStart.end(), 0.0);
            for (const Continuation& x : c.next) {
                const FrameKey& key = m_frames[x.frame];
                const double share = double(x.count) / c.total;
                for (int word = 0; word < 2; ++word) // the sounding bits only
                    for (std::uint64_t bits = key[std::size_t(word)]; bits; bits &= bits - 1) {
                        const int p = word * 64 + __builtin_ctzll(bits);
                        if (p >= P)
                            break;
                        mlSound[std::size_t(p)] += share;
                        if (starts(key, p))
                            mlStart[std::size_t(p)] += share;
                    }
            }
            for (std::size_t p = 0; p < std::size_t(P); ++p) {
                sound[p] = lambda * mlSound[p] + (1 - lambda) * sound[p];
                start[p] = lambda * mlStart[p] + (1 - lambda) * start[p];
            }
        }
        for (int p = 0; p < P; ++p) {
            out.sounding[std::size_t(t) * P + p] = float(sound[std::size_t(p)]);
            out.starting[std::size_t(t) * P + p] = float(start[std::size_t(p)]);
        }
        prev = keyAt(seq, t);
        ids[std::size_t(t)] = frameId(prev);
    }
    out.steps = T;
    return out;
}

} // namespace torchestra::ml
