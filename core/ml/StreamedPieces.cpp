#include "ml/StreamedPieces.h"

#include <algorithm>
#include <numeric>

namespace torchestra::ml {

std::size_t decodedBytes(long steps, const RepresentationConfig& config) {
    // sounding and onset cells, then velocity, step-in-beat and beat-in-bar per step, and the
    // vectors' and the path's own overhead.
    const std::size_t perStep = std::size_t(config.pitches()) * (config.onsets ? 2 : 1) + 3;
    return std::size_t(std::max(0L, steps)) * perStep + sizeof(FrameSequence) + 128;
}

PiecePool::PiecePool(std::shared_ptr<const PieceSource> source, const RepresentationConfig& config,
                     std::size_t byteBudget, std::uint64_t seed)
    : m_source(std::move(source)), m_config(config), m_budget(byteBudget), m_rng(seed) {}

// Starts a new shuffled pass when the last one is done.
void PiecePool::prepareOrder() {
    if (m_next < m_order.size())
        return;
    if (!m_order.empty())
        ++m_passes;
    m_order.resize(m_source->size());
    std::iota(m_order.begin(), m_order.end(), std::size_t(0));
    std::shuffle(m_order.begin(), m_order.end(), m_rng);
    m_next = 0;
}

// The next piece of the stream, added to the pool.
std::string PiecePool::readNext() {
    prepareOrder();
    FrameSequence piece;
    if (std::string err = m_source->read(m_order[m_next], piece); !err.empty())
        return err;
    ++m_next;
    ++m_read;
    const std::size_t bytes = decodedBytes(piece.steps, m_config);
    m_age.push_back(m_pieces.size());
    m_pieces.push_back(std::move(piece));
    m_pieceBytes.push_back(bytes);
    m_bytes += bytes;
    return {};
}

std::string PiecePool::fill() {
    if (m_source->size() == 0)
        return {};
    for (;;) {
        // At most as many pieces as the source has (then it all fits: nothing to stream).
        if (m_pieces.size() >= m_source->size())
            return {};
        prepareOrder();
        const long nextSteps = m_source->steps(m_order[m_next]);
        const bool fits = m_bytes + decodedBytes(nextSteps, m_config) <= m_budget;
        if (!m_pieces.empty() && !fits)
            return {};
        if (std::string err = readNext(); !err.empty())
            return err;
    }
}

std::string PiecePool::advance(long steps) {
    if (m_pieces.size() >= m_source->size())
        return {}; // the whole source is resident: nothing to move through
    m_credit += steps;
    while (!m_age.empty() && m_credit >= m_pieces[m_age.front()].steps) {
        const std::size_t slot = m_age.front();
        m_age.pop_front();
        m_credit -= m_pieces[slot].steps;
        m_bytes -= m_pieceBytes[slot];
        // The last slot moves into the freed one, so the pieces stay contiguous.
        const std::size_t last = m_pieces.size() - 1;
        if (slot != last) {
            m_pieces[slot] = std::move(m_pieces[last]);
            m_pieceBytes[slot] = m_pieceBytes[last];
            std::replace(m_age.begin(), m_age.end(), last, slot);
        }
        m_pieces.pop_back();
        m_pieceBytes.pop_back();
        ++m_dropped;
    }
    return fill();
}

} // namespace torchestra::ml
