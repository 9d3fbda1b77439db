#pragma once

// Small seeded data and configs for the neural model tests.

#include "ml/Dataset.h"
#include "ml/SequenceModel.h"
#include "ml/StreamedPieces.h"
#include "ml/neural/NeuralModel.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace torchestra::ml::testdata {

// `config`'s flag `flag`, set, as this version writes and reads it, and as a version from
// before the flag wrote it (its `entry`, "\"key\":true", swapped for a key no version reads):
// read false, so an older checkpoint keeps the layout it was saved with.
inline void expectOlderConfigsReadFalse(const ModelConfig& config, const std::string& entry,
                                        bool ModelConfig::*flag) {
    const std::string json = config.toJson();
    ModelConfig back;
    ASSERT_EQ(ModelConfig::fromJson(json, back), "");
    EXPECT_TRUE(back.*flag);
    std::string older = json;
    const std::size_t at = older.find(entry);
    ASSERT_NE(at, std::string::npos) << json;
    older.replace(at, entry.size(), "\"unrelated\":1");
    ASSERT_EQ(ModelConfig::fromJson(older, back), "");
    EXPECT_FALSE(back.*flag);
}

// One octave from middle C, onsets and 4 velocity bins: small enough to learn in a second.
inline RepresentationConfig toyRepresentation() {
    RepresentationConfig r;
    r.lowPitch = 60;
    r.highPitch = 71;
    r.onsets = true;
    r.velocity = true;
    r.velocityBins = 4;
    r.stepsPerBeat = 4;
    r.maxBeatsPerBar = 4;
    return r;
}

// A repeating one-beat pattern in 4/4: a C-E-G chord struck on the beat, held for a step, then
// E and G struck alone; loud on the beat, soft off it. Deterministic given the metre.
inline FrameSequence toyPiece(const RepresentationConfig& rep, int steps) {
    FrameSequence seq;
    seq.resize(steps, rep.pitches(), rep.onsets);
    const int C = 60 - rep.lowPitch, E = 64 - rep.lowPitch, G = 67 - rep.lowPitch;
    for (int t = 0; t < steps; ++t) {
        seq.stepInBeat[std::size_t(t)] = std::uint8_t(t % 4);
        seq.beatInBar[std::size_t(t)] = std::uint8_t((t / 4) % 4);
        auto on = [&](int p, bool start) {
            seq.sounding[std::size_t(t) * seq.pitches + p] = 1;
            if (rep.onsets && start)
                seq.onset[std::size_t(t) * seq.pitches + p] = 1;
        };
        switch (t % 4) {
        case 0:
            on(C, true), on(E, true), on(G, true);
            break;
        case 1:
            on(C, false), on(E, false), on(G, false);
            break;
        case 2:
            on(E, true);
            break;
        case 3:
            on(G, true);
            break;
        }
        seq.velocityBin[std::size_t(t)] =
            t % 4 == 1 ? kNoVelocity : std::uint8_t(t % 4 == 0 ? 3 : 1);
    }
    return seq;
}

inline Dataset toyDataset(const RepresentationConfig& rep) {
    Dataset d;
    d.representation = rep;
    for (int i = 0; i < 4; ++i)
        d.train.push_back(toyPiece(rep, 64));
    d.valid.push_back(toyPiece(rep, 48));
    return d;
}

// Random notes (about `density` of the pitches sounding), with metre and velocity bins.
inline FrameSequence randomPiece(const RepresentationConfig& rep, int steps, std::uint64_t seed,
                                 double density = 0.08) {
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution sound(density), restrike(0.3);
    FrameSequence seq;
    seq.resize(steps, rep.pitches(), rep.onsets);
    for (int t = 0; t < steps; ++t) {
        bool any = false;
        for (int p = 0; p < rep.pitches(); ++p) {
            const bool s = sound(rng);
            seq.sounding[std::size_t(t) * seq.pitches + p] = s;
            const bool start = s && (t == 0 || !seq.sounds(t - 1, p) || restrike(rng));
            if (rep.onsets)
                seq.onset[std::size_t(t) * seq.pitches + p] = start;
            any = any || start;
        }
        seq.velocityBin[std::size_t(t)] =
            any ? std::uint8_t(rng() % std::uint64_t(rep.velocityBins)) : kNoVelocity;
        if (rep.stepsPerBeat > 0) {
            seq.stepInBeat[std::size_t(t)] = std::uint8_t(t % rep.stepsPerBeat);
            seq.beatInBar[std::size_t(t)] = std::uint8_t((t / rep.stepsPerBeat) % 4);
        }
    }
    return seq;
}

// JSB-style: frames only, no onsets, no velocity, unknown metre.
inline RepresentationConfig jsbRepresentation() {
    RepresentationConfig r;
    r.onsets = false;
    r.velocity = false;
    return r;
}

inline FrameSequence unknownMetre(FrameSequence seq) {
    std::fill(seq.stepInBeat.begin(), seq.stepInBeat.end(), kUnknownMetre);
    std::fill(seq.beatInBar.begin(), seq.beatInBar.end(), kUnknownMetre);
    std::fill(seq.velocityBin.begin(), seq.velocityBin.end(), kNoVelocity);
    seq.onset.clear();
    return seq;
}

inline ModelConfig smallConfig(ModelKind kind, HeadKind head, const RepresentationConfig& rep,
                               int hidden = 32, int layers = 1) {
    ModelConfig c;
    c.kind = kind;
    c.head = head;
    c.layers = layers;
    c.hidden = hidden;
    c.dropout = 0.0;
    c.nadeHidden = 16;
    c.representation = rep;
    return c;
}

// Pieces as a stream (as a corpus too large to hold); the read numbered `failAt` (counting
// from 0) fails, as a damaged corpus record would.
class MemoryStream : public PieceSource {
public:
    MemoryStream(std::vector<FrameSequence> pieces, long failAt)
        : m_pieces(std::move(pieces)), m_failAt(failAt) {}
    std::size_t size() const override { return m_pieces.size(); }
    int steps(std::size_t i) const override { return m_pieces[i].steps; }
    std::string read(std::size_t i, FrameSequence& out) const override {
        if (m_reads++ == m_failAt)
            return "piece " + std::to_string(i) + " is damaged";
        out = m_pieces[i];
        return {};
    }
    std::size_t totalPieces() const override { return size(); }
    long totalSteps() const override {
        long n = 0;
        for (const FrameSequence& p : m_pieces)
            n += p.steps;
        return n;
    }
    std::string identity() const override { return "memory"; }
    long reads() const { return m_reads; }

private:
    std::vector<FrameSequence> m_pieces;
    long m_failAt;
    mutable long m_reads = 0;
};

// `held` with its training pieces streamed through a pool of about `poolPieces` of them.
inline Dataset streamed(const Dataset& held, int poolPieces, long failAt,
                        std::shared_ptr<const MemoryStream>& stream) {
    Dataset d = held;
    auto s = std::make_shared<MemoryStream>(std::move(d.train), failAt);
    d.train.clear();
    d.trainStream = s;
    d.streamBudgetBytes = std::size_t(poolPieces) * decodedBytes(s->steps(0), d.representation);
    stream = s;
    return d;
}

} // namespace torchestra::ml::testdata
