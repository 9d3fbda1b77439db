#pragma once

// Training data larger than memory: pieces read on demand from a source (a built corpus), and a
// pool of them held in memory within a byte budget that the trainer samples its batches from.
// The pool moves through the source at the rate training covers it, so over a pass every piece
// is resident for a while and is drawn from about as often as an in-memory run would draw it.
// No torch.

#include "ml/Representation.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace torchestra::ml {

// Pieces read on demand. The pieces are this reader's share (a rank's subset); the totals are
// the whole training split's, the same on every rank, so epochs and checks agree.
class PieceSource {
public:
    virtual ~PieceSource() = default;
    virtual std::size_t size() const = 0;
    virtual int steps(std::size_t piece) const = 0;
    // Decodes a piece. Returns "" or an error naming the file at fault. Any thread, one call
    // at a time.
    virtual std::string read(std::size_t piece, FrameSequence& out) const = 0;
    // The whole training split (every rank's share).
    virtual std::size_t totalPieces() const = 0;
    virtual long totalSteps() const = 0;
    // What the data is, the same on every rank reading a share of it (e.g. the corpus and its
    // index checksum): data-parallel ranks compare it before they train together.
    virtual std::string identity() const = 0;
};

// Bytes a decoded piece of `steps` steps takes in memory.
std::size_t decodedBytes(long steps, const RepresentationConfig& config);

class PiecePool {
public:
    // Holds pieces of `source` up to `byteBudget` decoded bytes (at least one piece), read in
    // an order shuffled anew each pass (seeded: the same seed, the same order).
    PiecePool(std::shared_ptr<const PieceSource> source, const RepresentationConfig& config,
              std::size_t byteBudget, std::uint64_t seed);

    // Reads until the budget is full. Returns "" or the source's error.
    std::string fill();
    // Training covered `steps` more steps of the pool: the oldest pieces whose length that
    // amounts to make room for the next ones of the stream. Returns "" or the source's error.
    std::string advance(long steps);

    // The resident pieces (order means nothing; sample them by length).
    const std::vector<FrameSequence>& pieces() const { return m_pieces; }
    std::size_t residentBytes() const { return m_bytes; }
    // Pieces read so far, and complete passes over the source.
    long piecesRead() const { return m_read; }
    long passes() const { return m_passes; }
    // Changes when the resident pieces do (a piece read or let go): whoever indexes them
    // re-indexes then.
    long version() const { return m_read + m_dropped; }

private:
    void prepareOrder();
    std::string readNext();

    std::shared_ptr<const PieceSource> m_source;
    RepresentationConfig m_config;
    std::size_t m_budget;
    std::mt19937_64 m_rng;
    std::vector<std::size_t> m_order; // this pass's order of the source's pieces
    std::size_t m_next = 0;           // position in m_order
    std::vector<FrameSequence> m_pieces;
    std::vector<std::size_t> m_pieceBytes;
    std::deque<std::size_t> m_age; // slots of m_pieces, oldest first
    std::size_t m_bytes = 0;
    long m_credit = 0; // steps trained not yet set against the oldest piece
    long m_read = 0;
    long m_dropped = 0;
    long m_passes = 0;
};

} // namespace torchestra::ml
