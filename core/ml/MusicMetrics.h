#pragma once

// Objective measures of music on the grid, for any set of pieces: the data a model learned from,
// held-out music, or what a model wrote. They tell a composer (and us) whether a model learned
// the music's habits or memorised it. Definitions follow the literature, named at each field;
// where a paper leaves a choice open, the comment says what we chose. No torch: the CLI, the
// panels and the tests use it.

#include "ml/Representation.h"

#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace torchestra::ml {

struct MetricOptions {
    // Steps per bar when the sequence has no metre (JSB frames); with a metre, bars start where
    // the metre says a bar starts.
    int stepsPerBar = 16;
    // A note of at least this many steps is "qualified" (MuseGAN's QN counts notes of at least
    // three time steps).
    int qualifiedSteps = 3;
    // Window of the copy rate, in bars.
    int copyBars = 2;
};

// One piece's figures. Bar figures are means over the piece's bars that sound (an empty bar
// would pull every one of them towards zero, and the empty-bar rate already counts those).
struct PieceMetrics {
    int bars = 0;
    int notes = 0;
    double emptyBarRate = 0;       // share of bars without a sounding note (MuseGAN EB)
    double usedPitchClasses = 0;   // distinct pitch classes per bar (MuseGAN UPC)
    double pitchesPerBar = 0;      // distinct pitches per bar (mgeval's pitch count per bar)
    double qualifiedNoteRatio = 0; // notes of at least qualifiedSteps / all notes (MuseGAN QN)
    double polyphonyRate = 0;      // share of sounding steps with two or more pitches (MuseGAN PP)
    double scaleConsistency = 0;   // share of onsets in the best-fitting major scale (Mogren 2016)
    double pitchClassEntropy1 = 0; // bits; duration-weighted pitch classes per 1 bar (Wu & Yang)
    double pitchClassEntropy4 = 0; // the same over 4-bar windows
    double grooveConsistency = 0;  // 1 - mean onset-grid distance of adjacent bars (Wu & Yang)
    double pitchRange = 0;         // highest minus lowest pitch used, semitones (mgeval)
};

PieceMetrics measurePiece(const FrameSequence& piece, const RepresentationConfig& config,
                          const MetricOptions& options = {});

// The bars of a piece as [first step, end step) ranges.
std::vector<std::pair<int, int>> barRanges(const FrameSequence& piece, int stepsPerBar);

// Tonal distance between two parts of the same passage (MuseGAN TD, after Harte et al. 2006):
// per bar where both sound, the Euclidean distance between their 6-D tonal centroids of
// duration-weighted chroma; the mean over those bars. 0 when no bar has both.
double tonalDistance(const FrameSequence& a, const FrameSequence& b,
                     const RepresentationConfig& config, const MetricOptions& options = {});

// Verbatim copies: every window of `options.copyBars` bars of the pieces added (its sounding
// and onset grid); copyRate is the share of a piece's sounding windows found among them.
class CopyIndex {
public:
    explicit CopyIndex(const MetricOptions& options = {}) : m_options(options) {}
    void add(const FrameSequence& piece);
    std::size_t windows() const { return m_windows.size(); }
    // Share of the piece's sounding windows that occur verbatim in the index; 0 without any.
    double copyRate(const FrameSequence& piece) const;
    // The first copied window's bar (0-based), or -1.
    int firstCopiedBar(const FrameSequence& piece) const;
    // Each sounding window of the piece: the bar it starts at (0-based) and whether it occurs
    // verbatim in the index (what tells a copy of 2 bars from one of 8).
    std::vector<std::pair<int, bool>> windowCopies(const FrameSequence& piece) const;

private:
    std::vector<std::uint64_t> windowHashes(const FrameSequence& piece,
                                            std::vector<int>* startBars = nullptr) const;
    MetricOptions m_options;
    std::unordered_set<std::uint64_t> m_windows;
};

// How alike two sets of per-piece values are: Gaussian kernel density estimates (Scott's
// bandwidth) of each, compared on a common grid as mgeval does (Yang & Lerch 2018).
struct DistributionComparison {
    double referenceMean = 0, referenceStd = 0;
    double generatedMean = 0, generatedStd = 0;
    double overlap = 0; // area under min(p_ref, p_gen), 0..1 (1 = the same distribution)
    double kl = 0;      // KL(p_ref || p_gen), nats
};
DistributionComparison compareDistributions(const std::vector<double>& reference,
                                            const std::vector<double>& generated);

// The metric names in report order, and a piece's value of each.
const std::vector<std::string>& metricNames();
double metricValue(const PieceMetrics& m, std::size_t index);

struct MetricRow {
    std::string name;
    DistributionComparison comparison;
};

struct MetricsReport {
    std::size_t referencePieces = 0;
    std::size_t generatedPieces = 0;
    std::vector<MetricRow> rows; // one per metricNames()
    // Copy rate of the generated pieces against the training index (when given), and the
    // reference's own against it (what "no more copying than the data itself" compares with).
    double generatedCopyRate = -1;
    double referenceCopyRate = -1;
};

// Measures every piece of both sets and compares the distributions; `training`, when given,
// is the index the copy rates are measured against.
MetricsReport compareSets(const std::vector<FrameSequence>& reference,
                          const std::vector<FrameSequence>& generated,
                          const RepresentationConfig& config, const MetricOptions& options = {},
                          const CopyIndex* training = nullptr);

} // namespace torchestra::ml
