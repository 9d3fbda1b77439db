#pragma once

// What the calibration tests share (SamplingCalibrationTest.cpp, GanCalibrationTest.cpp): takes
// that continue the primer's bar, pieces whose bars follow from the bar before, and a
// checkpoint's metadata read back.

#include "MlTestUtil.h"

#include "ml/Checkpoint.h"
#include "ml/MarkovModel.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace torchestra::ml::test {

// The primer's last bar (16 steps), again and again over the steps asked for.
inline FrameSequence primersLastBarAgain(const SampleRequest& r) {
    FrameSequence take = r.future;
    const int bar = 16, from = r.primer.steps - bar;
    for (int t = 0; t < take.steps; ++t)
        for (int p = 0; p < take.pitches; ++p) {
            const std::size_t at = std::size_t(t) * take.pitches + std::size_t(p);
            take.sounding[at] = r.primer.sounds(from + t % bar, p);
            take.onset[at] = r.primer.starts(from + t % bar, p);
        }
    return take;
}

// Pieces that repeat one bar, in three keys: what follows a bar is that bar again. 20 bars
// each: 4 windows of a primer bar and four bars, 12 in all.
inline std::vector<FrameSequence> repeatingPieces() {
    std::vector<FrameSequence> pieces;
    for (int transpose : {0, 2, 5})
        pieces.push_back(songToSequence(arpeggioSong(20, 480, transpose), RepresentationConfig{}));
    return pieces;
}

// `meta` saved with a Markov model (any model: the metadata is what is read back) and loaded.
inline LoadedCheckpoint savedAndLoaded(const TrainingMetadata& meta) {
    ModelConfig config;
    config.kind = ModelKind::Markov;
    MarkovModel model(config);
    model.train(repeatingPieces());
    const std::string path = makeTempDir() + "/calibrated.tcm";
    EXPECT_EQ(saveCheckpoint(path, model, meta), "");
    return loadCheckpoint(path);
}

} // namespace torchestra::ml::test
