#include "ui/panels/LossMeasure.h"

#include <QCoreApplication>

#include <cmath>

namespace torchestra::ui {

NoteRate noteRate(const std::vector<ml::FrameSequence>& pieces) {
    NoteRate rate;
    for (const ml::FrameSequence& piece : pieces) {
        // Step 0 is not scored (the published convention the trainers follow).
        for (int t = 1; t < piece.steps; ++t) {
            ++rate.steps;
            for (int p = 0; p < piece.pitches; ++p)
                rate.notes += piece.starts(t, p);
        }
    }
    return rate;
}

double bitsPerNote(double natsPerStep, const NoteRate& rate) {
    if (!rate.valid())
        return 0;
    return natsPerStep * double(rate.steps) / (double(rate.notes) * std::log(2.0));
}

QString lossText(double natsPerStep, const NoteRate& rate) {
    if (!rate.valid())
        return QCoreApplication::translate("LossMeasure", "%1 nats/step")
            .arg(natsPerStep, 0, 'f', 3);
    return QCoreApplication::translate("LossMeasure", "%1 bits/note")
        .arg(bitsPerNote(natsPerStep, rate), 0, 'f', 2);
}

} // namespace torchestra::ui
