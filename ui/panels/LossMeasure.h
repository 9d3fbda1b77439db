#pragma once

#include "ml/Representation.h"

#include <QString>

#include <vector>

namespace torchestra::ui {

// The Train panel's measure: bits per note. Every kind of model (Markov, RNN, LSTM) reports
// the same loss, the negative log-likelihood of the held-out music per scored grid step in
// nats, counted the same way (steps 1..T-1 of each piece; frame, onset and velocity terms). A
// grid step means little to a musician, and how many steps a note takes depends on the music,
// so the panel shows the same figure per note instead: the loss summed over the held-out steps,
// in bits, divided by the notes that start in them. "How many yes/no questions the model needs,
// on average, to write down each note": lower is better, and two kinds trained on the same
// files compare directly (docs/results.md, "The Train panel's measure").
struct NoteRate {
    long steps = 0; // scored steps (1..T-1 of each piece)
    long notes = 0; // notes starting in them
    bool valid() const { return steps > 0 && notes > 0; }
};

// Counts what NoteRate holds over `pieces`. Any thread (the panel counts on its read worker).
NoteRate noteRate(const std::vector<ml::FrameSequence>& pieces);

// A loss in nats per scored step as bits per note; 0 when `rate` has no notes.
double bitsPerNote(double natsPerStep, const NoteRate& rate);

// "3.21 bits/note" (or the nats per step when there is no rate to convert with).
QString lossText(double natsPerStep, const NoteRate& rate);

} // namespace torchestra::ui
