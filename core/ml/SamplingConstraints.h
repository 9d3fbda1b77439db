#pragma once

// A request's SampleConstraints as every sampler applies them: which pitches may sound at all
// (range and scale), how many may sound at once (polyphony), and how density scales the odds
// of a new note. One implementation for the Markov and the neural samplers, so the two cannot
// drift apart. Any thread; no torch here.

#include "ml/Representation.h"
#include "ml/SequenceModel.h"

#include <cstdint>
#include <vector>

namespace torchestra::ml {

class SamplingConstraints {
public:
    SamplingConstraints(const RepresentationConfig& rep, const SampleConstraints& constraints);

    int pitches() const { return int(m_allowed.size()); }

    // Pitch unit p (MIDI pitch rep.lowPitch + p) lies in the range and the scale.
    bool allows(int p) const { return m_allowed[std::size_t(p)] != 0; }
    // One more pitch may sound in a step where `sounding` already do.
    bool hasRoom(int sounding) const { return m_maxPolyphony <= 0 || sounding < m_maxPolyphony; }
    // Pitch p may be added to a step where `sounding` pitches already sound (a sampler that
    // draws the pitches one at a time, low to high).
    bool mayAdd(int p, int sounding) const { return allows(p) && hasRoom(sounding); }

    // Whether a whole frame keeps to the constraints; sounds(p) tells whether unit p sounds.
    template <typename Sounds> bool admits(Sounds sounds) const {
        int n = 0;
        for (int p = 0; p < pitches(); ++p) {
            if (!sounds(p))
                continue;
            if (!allows(p))
                return false;
            ++n;
        }
        return m_maxPolyphony <= 0 || n <= m_maxPolyphony;
    }
    // Repairs a frame instead of rejecting it: walking low to high, calls drop(p) for each
    // sounding pitch that is not allowed or finds the polyphony cap already reached.
    template <typename Sounds, typename Drop> void repair(Sounds sounds, Drop drop) const {
        int n = 0;
        for (int p = 0; p < pitches(); ++p) {
            if (!sounds(p))
                continue;
            if (mayAdd(p, n))
                ++n;
            else
                drop(p);
        }
    }
    // A sampler that draws every pitch of a step at once: when `count` pitches of `frame` (one
    // byte per unit) came up and that is over the cap, keeps the most probable ones by `prob`
    // (ties: the lower pitch) and clears the rest. `order` is scratch, reserved by the caller so
    // that no step allocates.
    void capPolyphony(std::uint8_t* frame, int count, const float* prob,
                      std::vector<int>& order) const;
    // The same sampler, the other way: when 0 < `count` < the floor (minPolyphony), adds the
    // most probable allowed pitches by `prob` (ties: the lower pitch), up to the floor and never
    // over the cap; a silent step stays silent. Returns the frame's new count.
    int fillPolyphony(std::uint8_t* frame, int count, const float* prob) const;

    // Density scales the odds of a new note (a start, not a held note) by `density`: on a
    // weight, multiply it (0 forbids new notes) ...
    double newNoteWeight(double weight) const { return weight * m_density; }
    // ... on a logit, add log density (density clamped at 1e-6 so that the log is finite); a
    // held pitch's logit gets 0.
    float logitOffset(bool held) const { return held ? 0.f : m_logDensity; }

private:
    std::vector<char> m_allowed; // per pitch unit
    int m_maxPolyphony = 0;
    int m_minPolyphony = 0;
    double m_density = 1.0;
    float m_logDensity = 0.f;
};

} // namespace torchestra::ml
