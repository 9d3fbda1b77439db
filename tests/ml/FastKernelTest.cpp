// The fast path's runner on hand-made weights: every batch size gives each row the same bits as
// a runner of batch 1, and both match a plain double-precision reference of the equations.
// Shapes are deliberately awkward (hidden 40 and 140: partial 16-row panels, an 8-lane tail;
// batch sizes that hit every register blocking, 8-lane and 16-lane).

#include "ml/neural/FastInference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <tuple>
#include <vector>

using namespace torchestra::ml;
using namespace torchestra::ml::neural;

namespace {

struct Shape {
    ModelKind kind;
    HeadKind head;
    int hidden;
};

std::vector<float> randomVector(std::size_t n, std::mt19937_64& rng, float scale) {
    std::uniform_real_distribution<float> u(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v)
        x = u(rng);
    return v;
}

FastWeights randomWeights(const Shape& s, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    FastWeights w;
    w.kind = s.kind;
    w.head = s.head;
    w.layers = 2;
    w.hidden = s.hidden;
    w.input = 30;
    w.pitches = 20;
    w.nadeHidden = s.head == HeadKind::Autoregressive ? 12 : 0;
    w.velocityBins = 4;
    w.onsets = true;
    w.velocity = true;
    const int H = w.hidden, G = w.gates();
    const float scale = 1.5f / std::sqrt(float(H)); // pre-activations of order 1: not saturated
    for (int l = 0; l < w.layers; ++l) {
        FastWeights::Layer L;
        L.in = l == 0 ? w.input : H;
        L.bias = randomVector(std::size_t(G), rng, 0.5f);
        if (l == 0) {
            L.w = randomVector(std::size_t(G) * H, rng, scale);
            L.wT = randomVector(std::size_t(L.in) * G, rng, 0.5f);
        } else {
            L.w = randomVector(std::size_t(G) * (L.in + H), rng, scale);
        }
        w.layer.push_back(std::move(L));
    }
    const std::size_t P = std::size_t(w.pitches), Hn = std::size_t(w.nadeHidden);
    if (s.head == HeadKind::Independent) {
        w.frameW = randomVector(P * H, rng, 2 * scale);
        w.frameB = randomVector(P, rng, 0.5f);
    } else {
        w.visW = randomVector(P * H, rng, 2 * scale);
        w.visB = randomVector(P, rng, 0.5f);
        w.hidW = randomVector(Hn * H, rng, 2 * scale);
        w.hidB = randomVector(Hn, rng, 0.5f);
        w.nadeW = randomVector(P * Hn, rng, 0.5f);
        w.nadeV = randomVector(P * Hn, rng, 0.5f);
    }
    w.onsetW = randomVector(P * H, rng, 2 * scale);
    w.onsetB = randomVector(P, rng, 0.5f);
    w.velW = randomVector(std::size_t(w.velocityBins) * H, rng, 2 * scale);
    w.velB = randomVector(std::size_t(w.velocityBins), rng, 0.5f);
    return w;
}

// A sparse 0/1 input frame, different for every (row, step).
std::vector<float> randomFrame(int input, std::mt19937_64& rng) {
    std::vector<float> x(std::size_t(input), 0.f);
    for (float& v : x)
        v = rng() % 5 == 0 ? 1.f : 0.f;
    return x;
}

double sigmoid(double v) {
    return 1 / (1 + std::exp(-v));
}

// The equations in double precision, one row, one step at a time (torch's LSTM gate order).
class Reference {
public:
    explicit Reference(const FastWeights& w)
        : m_w(w), m_h(std::size_t(w.layers), std::vector<double>(std::size_t(w.hidden), 0.0)),
          m_c(m_h) {}

    void step(const std::vector<float>& x) {
        const int H = m_w.hidden, G = m_w.gates();
        std::vector<double> in(x.begin(), x.end());
        for (int l = 0; l < m_w.layers; ++l) {
            const FastWeights::Layer& L = m_w.layer[std::size_t(l)];
            std::vector<double> g(static_cast<std::size_t>(G));
            for (int r = 0; r < G; ++r) {
                double s = L.bias[std::size_t(r)];
                for (int k = 0; k < L.in; ++k) {
                    const double wk = l == 0 ? L.wT[std::size_t(k) * G + r]
                                             : L.w[std::size_t(r) * (L.in + H) + k];
                    s += wk * in[std::size_t(k)];
                }
                for (int k = 0; k < H; ++k) {
                    const double wk = l == 0 ? L.w[std::size_t(r) * H + k]
                                             : L.w[std::size_t(r) * (L.in + H) + L.in + k];
                    s += wk * m_h[std::size_t(l)][std::size_t(k)];
                }
                g[std::size_t(r)] = s;
            }
            std::vector<double>& h = m_h[std::size_t(l)];
            std::vector<double>& c = m_c[std::size_t(l)];
            for (int j = 0; j < H; ++j) {
                const std::size_t u = std::size_t(j);
                if (m_w.kind == ModelKind::Lstm) {
                    c[u] = sigmoid(g[u + H]) * c[u] + sigmoid(g[u]) * std::tanh(g[u + 2 * H]);
                    h[u] = sigmoid(g[u + 3 * H]) * std::tanh(c[u]);
                } else {
                    h[u] = std::tanh(g[u]);
                }
            }
            in = h;
        }
    }

    // B + W h over the top layer's output.
    std::vector<double> linear(const std::vector<float>& W, const std::vector<float>& B) const {
        const std::vector<double>& h = m_h.back();
        const std::size_t H = h.size();
        std::vector<double> out(B.size());
        for (std::size_t r = 0; r < B.size(); ++r) {
            double s = B[r];
            for (std::size_t k = 0; k < H; ++k)
                s += double(W[r * H + k]) * h[k];
            out[r] = s;
        }
        return out;
    }

    // The NADE's probabilities, pitch i given the pitches below it, `on` fixing them.
    std::vector<double> nade(const std::vector<char>& on) const {
        const std::size_t P = std::size_t(m_w.pitches), Hn = std::size_t(m_w.nadeHidden);
        const std::vector<double> vis = linear(m_w.visW, m_w.visB);
        std::vector<double> a = linear(m_w.hidW, m_w.hidB);
        std::vector<double> out(P);
        for (std::size_t i = 0; i < P; ++i) {
            double s = vis[i];
            for (std::size_t k = 0; k < Hn; ++k)
                s += double(m_w.nadeV[i * Hn + k]) * sigmoid(a[k]);
            out[i] = sigmoid(s);
            if (on[i])
                for (std::size_t k = 0; k < Hn; ++k)
                    a[k] += m_w.nadeW[i * Hn + k];
        }
        return out;
    }

private:
    const FastWeights& m_w;
    std::vector<std::vector<double>> m_h, m_c;
};

// Every head of row b after a step: frame (or NADE) logits, onset, velocity, in one vector.
std::vector<float> headOutputs(FastRunner& r, const FastWeights& w, int b,
                               const std::vector<char>& on) {
    const int P = w.pitches;
    std::vector<float> out(std::size_t(2 * P + w.velocityBins));
    if (w.head == HeadKind::Independent) {
        r.frameLogits(b, out.data());
    } else {
        r.nadeBegin(b);
        for (int i = 0; i < P; ++i) {
            out[std::size_t(i)] = r.nadeLogit(b, i);
            if (on[std::size_t(i)])
                r.nadeSet(b, i);
        }
    }
    r.onsetLogits(b, out.data() + P);
    r.velocityLogits(b, out.data() + 2 * P);
    return out;
}

class FastKernel : public ::testing::TestWithParam<std::tuple<ModelKind, HeadKind, int>> {};

} // namespace

// A batch of any size computes each row exactly as a batch of one would (the contract that
// makes batched variations equal single ones), and both match the reference to 1e-4 in
// probabilities.
TEST_P(FastKernel, BatchRowsEqualSinglesAndMatchReference) {
    const auto [kind, head, hidden] = GetParam();
    const FastWeights w = randomWeights({kind, head, hidden}, 5);
    const int steps = 5;
    const int P = w.pitches;
    for (int batch : {1, 2, 3, 4, 5, 7, 8, 9, 13}) {
        std::mt19937_64 rng(std::uint64_t(100 + batch));
        FastRunner together(w, batch);
        std::vector<std::unique_ptr<FastRunner>> alone;
        std::vector<Reference> ref;
        for (int b = 0; b < batch; ++b) {
            alone.push_back(std::make_unique<FastRunner>(w, 1));
            ref.emplace_back(w);
        }
        ASSERT_EQ(together.batch(), batch);
        double worst = 0;
        for (int t = 0; t < steps; ++t) {
            std::vector<float> x(std::size_t(batch) * w.input);
            std::vector<std::vector<float>> rows;
            for (int b = 0; b < batch; ++b) {
                rows.push_back(randomFrame(w.input, rng));
                std::copy(rows.back().begin(), rows.back().end(),
                          x.begin() + std::ptrdiff_t(b) * w.input);
            }
            together.step(x.data());
            for (int b = 0; b < batch; ++b) {
                alone[std::size_t(b)]->step(rows[std::size_t(b)].data());
                ref[std::size_t(b)].step(rows[std::size_t(b)]);
                std::vector<char> on(static_cast<std::size_t>(P));
                for (char& v : on)
                    v = rng() % 3 == 0;

                // Bit for bit: the top layer's output and every head.
                const float* h1 = together.hidden(b);
                const float* h2 = alone[std::size_t(b)]->hidden(0);
                ASSERT_EQ(std::vector<float>(h1, h1 + hidden), std::vector<float>(h2, h2 + hidden))
                    << "batch " << batch << " row " << b << " step " << t;
                const std::vector<float> got = headOutputs(together, w, b, on);
                ASSERT_EQ(got, headOutputs(*alone[std::size_t(b)], w, 0, on))
                    << "batch " << batch << " row " << b << " step " << t;

                // To the reference, in probabilities.
                const Reference& R = ref[std::size_t(b)];
                const std::vector<double> frame =
                    head == HeadKind::Independent ? R.linear(w.frameW, w.frameB) : R.nade(on);
                const std::vector<double> onset = R.linear(w.onsetW, w.onsetB);
                const std::vector<double> vel = R.linear(w.velW, w.velB);
                for (int i = 0; i < P; ++i) {
                    const double pf = head == HeadKind::Independent ? sigmoid(frame[std::size_t(i)])
                                                                    : frame[std::size_t(i)];
                    worst = std::max(worst, std::abs(pf - sigmoid(got[std::size_t(i)])));
                    worst = std::max(worst, std::abs(sigmoid(onset[std::size_t(i)]) -
                                                     sigmoid(got[std::size_t(P + i)])));
                }
                for (int k = 0; k < w.velocityBins; ++k) // logits: compare scaled
                    worst = std::max(worst,
                                     std::abs(vel[std::size_t(k)] - got[std::size_t(2 * P + k)]) /
                                         std::max(1.0, std::abs(vel[std::size_t(k)])));
            }
        }
        EXPECT_LT(worst, 1e-4) << "batch " << batch;
    }
}

INSTANTIATE_TEST_SUITE_P(Shapes, FastKernel,
                         ::testing::Combine(::testing::Values(ModelKind::Rnn, ModelKind::Lstm),
                                            ::testing::Values(HeadKind::Independent,
                                                              HeadKind::Autoregressive),
                                            ::testing::Values(40, 140)));

// A copy of the weights packs its own panels and gives the same bits; the original's cache
// is not shared with the copy.
TEST(FastKernelPacking, CopiedWeightsGiveTheSameBits) {
    const FastWeights w = randomWeights({ModelKind::Lstm, HeadKind::Independent, 40}, 9);
    FastWeights copy = w;
    std::mt19937_64 rng(3);
    FastRunner a(w, 3), b(copy, 3);
    for (int t = 0; t < 4; ++t) {
        std::vector<float> x;
        for (int r = 0; r < 3; ++r) {
            const std::vector<float> f = randomFrame(w.input, rng);
            x.insert(x.end(), f.begin(), f.end());
        }
        a.step(x.data());
        b.step(x.data());
    }
    for (int r = 0; r < 3; ++r) {
        std::vector<float> la(20), lb(20);
        a.frameLogits(r, la.data());
        b.frameLogits(r, lb.data());
        EXPECT_EQ(la, lb) << r;
        EXPECT_EQ(std::vector<float>(a.hidden(r), a.hidden(r) + 40),
                  std::vector<float>(b.hidden(r), b.hidden(r) + 40));
    }
}
