#pragma once

#include "common/TempDir.h"
#include "common/TestNotes.h"
#include "ml/Representation.h"
#include "ml/SequenceModel.h"
#include "model/Song.h"

#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace torchestra::ml::test {

inline std::string makeTempDir() {
    return torchestra::testkit::makeTempDir("ml-test");
}

// The common note builder with the velocity these tests' grids expect by default (80: a mid
// velocity bin, so a model that ignores velocity is not right by accident).
inline model::Note gridNote(model::Tick start, model::Tick length, int pitch, int velocity = 80,
                            int channel = 0) {
    return torchestra::testkit::makeNote(start, length, pitch, velocity, channel);
}

// A song of `bars` 4/4 bars that repeats a one-bar C major arpeggio in sixteenths over a held
// bass note: an easy, strongly patterned toy for models.
inline model::Song arpeggioSong(int bars, int ppq = 480, int transpose = 0) {
    model::Song song;
    model::TempoMap map(ppq);
    map.setTimeSignature({0, 4, 4});
    song.setTempoMap(map);
    model::TrackId t = song.addTrack(model::Track{});
    std::vector<model::Note> notes;
    const model::Tick step = ppq / 4;
    const int pattern[4] = {60, 64, 67, 72};
    for (int bar = 0; bar < bars; ++bar) {
        const model::Tick barStart = model::Tick(bar) * 16 * step;
        notes.push_back(gridNote(barStart, 16 * step, 48 + transpose, 72));
        for (int s = 0; s < 16; ++s)
            notes.push_back(gridNote(barStart + s * step, step, pattern[s % 4] + transpose,
                                     s % 4 == 0 ? 104 : 72));
    }
    song.addNotes(t, notes);
    return song;
}

// Every pitch on or off at random (a fifth of them sounding), on the metre of `like`.
inline FrameSequence noise(const FrameSequence& like, unsigned seed) {
    FrameSequence s = like;
    std::mt19937 rng(seed);
    for (std::size_t i = 0; i < s.sounding.size(); ++i) {
        s.sounding[i] = std::uint8_t(rng() % 5 == 0);
        s.onset[i] = std::uint8_t(s.sounding[i] && rng() % 2);
    }
    return s;
}

// A model that does nothing, for test doubles to override what they need.
class StubModel : public SequenceModel {
public:
    explicit StubModel(ModelConfig config = {}) : m_config(std::move(config)) {}
    const ModelConfig& config() const override { return m_config; }
    std::string serialize() const override { return {}; }
    NllResult evaluate(const FrameSequence&) const override { return {}; }
    std::vector<FrameSequence> sample(const SampleRequest&,
                                      const std::atomic<bool>*) const override {
        return {};
    }

private:
    ModelConfig m_config;
};

// A model that cannot score what it wrote (as the GAN): evaluate() would give zeros.
class NoLikelihoodModel : public StubModel {
public:
    NoLikelihoodModel() : StubModel(ganConfig()) {}
    bool hasLikelihood() const override { return false; }

private:
    static ModelConfig ganConfig() {
        ModelConfig c;
        c.kind = ModelKind::Gan;
        return c;
    }
};

} // namespace torchestra::ml::test
