#pragma once

// A GAN's sampling choices as its calibration makes them (ml/SamplingCalibration.h), each with
// the values it read: for the tests of where the choices travel (a checkpoint's metadata, the
// Generate panel's requests). Every choice differs from its default, so a choice lost on the
// way shows.

#include "ml/SamplingCalibration.h"

namespace torchestra::test {

inline ml::SamplingCalibration ganChoicesExample() {
    ml::SamplingCalibration c;
    c.closeness = 0.88;
    c.rhythm = {}; // the GAN's own decoding
    c.tried = {{1.0, 0.77}};
    c.triedProgressions = {{1.0, 0.8}};
    c.harmonyProgressions = true;
    c.triedPolyphony = {{2, 0.82}, {4, 0.81}};
    c.maxPolyphony = 2;
    c.triedHold = {{5, 0.83}, {3, 0.84}, {2, 0.835}};
    c.holdOdds = 3;
    c.triedShortest = {{2, 0.842}, {3, 0.81}};
    c.shortestNote = 2;
    c.triedCarry = {{0.9, 0.845}, {0.8, 0.83}};
    c.noiseCarry = 0.9;
    c.triedFloor = {{2, 0.86}, {3, 0.85}};
    c.minPolyphony = 2;
    c.triedGuidance = {{1.25, 0.87}, {1.5, 0.88}};
    c.harmonyGuidance = 1.5;
    return c;
}

} // namespace torchestra::test
