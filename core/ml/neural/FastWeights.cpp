#include "ml/neural/FastWeights.h"

#include "ml/neural/PackedKernels.h"

namespace torchestra::ml::neural {

std::shared_ptr<const PackedWeights> PackedCache::get(const FastWeights& w) const {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_packed)
        return m_packed;
    auto p = std::make_shared<PackedWeights>();
    const int H = w.hidden;
    const int blocks = w.kind == ModelKind::Lstm ? 4 : 1;
    for (int l = 0; l < w.layers; ++l) {
        const FastWeights::Layer& L = w.layer[std::size_t(l)];
        const int cols = l == 0 ? H : L.in + H;
        std::vector<PackedMatrix> gates;
        for (int q = 0; q < blocks; ++q)
            gates.emplace_back(L.w.data() + std::size_t(q) * H * cols, H, cols, cols);
        p->layer.push_back(std::move(gates));
    }
    std::vector<float> rows;
    auto add = [&](const std::vector<float>& m, const std::vector<float>& b) {
        const int at = int(p->headBias.size());
        rows.insert(rows.end(), m.begin(), m.end());
        p->headBias.insert(p->headBias.end(), b.begin(), b.end());
        return at;
    };
    if (w.head == HeadKind::Independent) {
        p->frameAt = add(w.frameW, w.frameB);
    } else {
        p->frameAt = add(w.visW, w.visB);
        p->hidAt = add(w.hidW, w.hidB);
    }
    p->onsetAt = add(w.onsetW, w.onsetB);
    p->velAt = add(w.velW, w.velB);
    p->heads = PackedMatrix(rows.data(), int(p->headBias.size()), H, H);
    if (w.head == HeadKind::Autoregressive)
        p->nadeV = PackedMatrix(w.nadeV.data(), w.pitches, w.nadeHidden, w.nadeHidden);
    m_packed = std::move(p);
    return m_packed;
}

} // namespace torchestra::ml::neural
