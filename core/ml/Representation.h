#pragma once

// How music becomes what the models read and write: a bar-aligned time grid with, per step and
// pitch, whether the pitch sounds and whether it starts there; the metrical position of each
// step; and a dynamic level per step. No torch here: the UI, the Markov baseline and the fast
// inference path all use it.

#include "model/Song.h"
#include "model/TrackIndices.h"

#include <cstdint>
#include <string>
#include <vector>

namespace torchestra::ml {

using model::trackIndicesText; // the one track-list grammar (model/TrackIndices.h)

struct RepresentationConfig {
    int stepsPerBeat = 4; // grid resolution: 4 = sixteenth notes in x/4 metres
    int lowPitch = 21;    // A0
    int highPitch = 108;  // C8 (inclusive): 88 pitches
    bool onsets = true;   // tell a new onset from a held note (false for JSB-style frames)
    bool velocity = true; // learn a dynamic level per step
    int velocityBins = 8;
    int maxBeatsPerBar = 8; // beat-in-bar one-hot size (longer bars wrap)
    // The network also reads the step one bar before the one it predicts (its sounding frame,
    // and onsets when the config has them), as Magenta's Lookback RNN does: repeating a bar's
    // rhythm or riff is then a matter of looking, not of carrying it 16 steps in the state. It
    // changes the input, not the frames, so two configs that differ only here describe the same
    // music and compare equal.
    bool lookback = false;

    int pitches() const { return highPitch - lowPitch + 1; }
    // The pitch blocks at the start of the input (buildInput): the previous step's sounding
    // frame and onsets, then the same one bar back with lookback; the hold path weighs each.
    int pitchBlocks() const { return (onsets ? 2 : 1) * (lookback ? 2 : 1); }
    bool operator==(const RepresentationConfig& o) const {
        return stepsPerBeat == o.stepsPerBeat && lowPitch == o.lowPitch &&
               highPitch == o.highPitch && onsets == o.onsets && velocity == o.velocity &&
               velocityBins == o.velocityBins && maxBeatsPerBar == o.maxBeatsPerBar;
    }
    bool operator!=(const RepresentationConfig& o) const { return !(*this == o); }
    std::string toJson() const;
    // Parses what toJson() wrote; returns "" or an error.
    static std::string fromJson(const std::string& json, RepresentationConfig& out);
};

constexpr std::uint8_t kNoVelocity = 255;
constexpr std::uint8_t kUnknownMetre = 255;

// One piece (or a window of one) on the grid. Row-major [step][pitch].
struct FrameSequence {
    int steps = 0;
    int pitches = 88;
    std::vector<std::uint8_t> sounding;    // steps x pitches, 0/1
    std::vector<std::uint8_t> onset;       // steps x pitches, 0/1; empty when not known
    std::vector<std::uint8_t> velocityBin; // per step; kNoVelocity where nothing starts
    std::vector<std::uint8_t> stepInBeat;  // per step; kUnknownMetre when not known
    std::vector<std::uint8_t> beatInBar;   // per step; kUnknownMetre when not known
    std::string source;                    // the file it came from

    void resize(int steps, int pitches, bool withOnsets);
    std::uint8_t sounds(int t, int p) const { return sounding[std::size_t(t) * pitches + p]; }
    std::uint8_t starts(int t, int p) const {
        return onset.empty() ? std::uint8_t(sounds(t, p) && (t == 0 || !sounds(t - 1, p)))
                             : onset[std::size_t(t) * pitches + p];
    }
    // Steps [from, from + count) as a new sequence.
    FrameSequence slice(int from, int count) const;
    // Shifted by `semitones`; pitches pushed out of range are dropped.
    FrameSequence transposed(int semitones) const;
    int notesAt(int t) const;
    // Whether a note of pitch p begins at step t where sequenceToNotes writes one: p sounds and
    // either begins to sound there or has its onset marked. An onset marked on a silent pitch
    // begins nothing; a sounding run with no onset mark at its first step still begins a note.
    bool beginsNote(int t, int p) const {
        return sounds(t, p) && (t == 0 || !sounds(t - 1, p) ||
                                (!onset.empty() && onset[std::size_t(t) * pitches + p]));
    }
    // Whether any note begins at step t (beginsNote of any pitch).
    bool startsAny(int t) const;
};

// Which tracks feed the model: all non-drum tracks merged (the default), or chosen ones.
struct TrackSelection {
    std::vector<model::TrackId> tracks; // by id (the workstation's own song)
    std::vector<int> indices;           // or by index in the file (0-based; the CLI's --tracks)
    // Neither given: every track, without notes on channel 10 (index 9).
    bool all() const { return tracks.empty() && indices.empty(); }
};

// Ticks per grid step for a song, or 0 when the resolution does not divide evenly.
model::Tick ticksPerStep(const model::Song& song, const RepresentationConfig& config);

// The song (or [fromTick, toTick) of it; toTick < 0 means to the end, rounded up to a bar) on
// the grid. Notes are snapped to the nearest step; a note lasts at least one step. The metre
// comes from the song's time signatures, so steps are bar-aligned.
FrameSequence songToSequence(const model::Song& song, const RepresentationConfig& config,
                             const TrackSelection& selection = {}, model::Tick fromTick = 0,
                             model::Tick toTick = -1);

// Notes for a sequence placed at `startTick` of a song with `ticksPerStep`; each onset (or each
// run of sounding steps, when onsets are unknown) becomes one note, velocity from its step's bin.
std::vector<model::Note> sequenceToNotes(const FrameSequence& seq,
                                         const RepresentationConfig& config, model::Tick startTick,
                                         model::Tick ticksPerStep, std::uint8_t channel = 0);

// The metrical position of `steps` grid steps from `startTick` (for conditioning generation).
void fillMetre(const model::TempoMap& map, const RepresentationConfig& config,
               model::Tick startTick, model::Tick ticksPerStep, FrameSequence& seq);

std::uint8_t velocityToBin(int velocity, int bins);
int binToVelocity(std::uint8_t bin, int bins);

// The model input for predicting step t+1: the frame at step t (sounding, onsets if the config
// has them), with lookback the same for the step one bar before t+1 (lookbackStep), the velocity
// bin of step t and the metre of step t+1 (known ahead). Step -1 is an all-zero start frame.
// Written into `out` (inputSize(config) floats). Shared by training and the fast inference path, so
// both see exactly the same features.
int inputSize(const RepresentationConfig& config);
void buildInput(const FrameSequence& seq, int t, const RepresentationConfig& config, float* out);
// The step one bar before step `s`: the latest earlier step at the same place in its bar (same
// beat and step in the beat), or s - 4 beats where the metre is not known; -1 when there is none.
int lookbackStep(const FrameSequence& seq, int s, const RepresentationConfig& config);
// Whether the music before step `s` repeats its figure at the half bar, where `back` is the step
// one bar earlier (lookbackStep): over the half bar before `s`, whether any note starts at a
// step differs from the step half a bar before it at most once, and notes start at two steps
// or more. False for a bar of an odd number of steps, and before a whole bar has passed.
bool figureRepeats(const FrameSequence& seq, int s, int back);

} // namespace torchestra::ml
