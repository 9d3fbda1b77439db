#pragma once

// The inference path the sampler runs: the RNN/LSTM cells and both heads in plain C++ on weights
// copied out of the trained torch module into contiguous float arrays. At batch 1 LibTorch's
// per-op overhead dominates (hundreds of small ops per step); here a step is a handful of
// matrix-vector products over preallocated buffers, with no allocation per step. No torch here.
//
// The matrix-vector products read the weights k-major in panels of 16 rows (packed once per
// FastWeights, on first use) and take each batch row's input as a broadcast, so one pass over the
// weights serves every row and no horizontal sum is needed. Each output is a single FMA chain
// over k in a fixed order plus one add of its bias, and the nonlinearities are elementwise, so
// nothing depends on the batch size, on the kernel a batch size picks (8-lane AVX2 below 4 rows,
// 16-lane AVX-512 from 4), on the order the panels are visited in or on the thread computing a
// unit: on a given machine, sampling 8 variations together gives bit-identical results to
// sampling each alone. (Without AVX2 a scalar path runs, whose nonlinearities round
// differently.) The results match the torch path to 1e-4 in probabilities, not bit for bit.
//
// The parts: FastWeights.h (the weights and their packed cache), FastRunner.h (the step, the
// thread setting and teacher-forced probabilities), FastSampler.h (sampleFast), FastScoring.h
// (the NLL of many sequences at once, for ranking candidates), FastOutlook.h (each step's
// pitch probabilities, for the piano roll's overlay), with the vector
// kernels in PackedKernels.h and the helper thread in StepPool.h.

#include "ml/neural/FastOutlook.h"
#include "ml/neural/FastRunner.h"
#include "ml/neural/FastSampler.h"
#include "ml/neural/FastScoring.h"
#include "ml/neural/FastWeights.h"
