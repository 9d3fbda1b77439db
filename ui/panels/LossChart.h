#pragma once

#include "ui/panels/LossMeasure.h"

#include "ml/SequenceModel.h"
#include "ml/Trainer.h"

#include <QChartView>

#include <vector>

class QLineSeries;
class QValueAxis;

namespace torchestra::ui {

// The Train panel's live loss chart: the training loss as it runs (thinned to ~50 points an
// epoch) and the validation loss once per epoch, over epochs, in the units setUnits() names
// (bits per note in the panel; nats/step until told). A Markov model's single pass shows as
// level lines across the chart, and a reference (setReference(): the last Markov model on the
// same files) as a dotted level line, so a neural run is seen against it. The y axis follows
// the points; the x axis shows whole epochs. Colours follow the window's palette. GUI thread
// only.
class LossChart : public QChartView {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);

    // Empties both curves for a new run (the reference stays).
    void clear();
    // Losses arrive in nats per step; the chart shows them times `trainScale` (the training
    // curve) and `validScale` (the validation curve), under `name`.
    void setUnits(double trainScale, double validScale, const QString& name);
    QString unitName() const { return m_unitName; }
    // A dotted level line at `value` (in the chart's units) named `label`; an empty label
    // removes it.
    void setReference(const QString& label, double value);
    // A run of `epochs` starts (a Markov model has one pass: the axis shows 0..1). With the
    // rates of its training and held-out pieces the chart shows bits per note (LossMeasure.h),
    // else nats/step. `dataKey` names the files and tracks: a neural run on the files the last
    // Markov model was trained on shows that model's result as its reference.
    void startRun(ml::ModelKind kind, int epochs, const NoteRate& train = {},
                  const NoteRate& valid = {}, const QString& dataKey = {});
    // A progress report of the run: extends the training curve, and the validation curve when
    // an epoch was scored.
    void showProgress(const ml::TrainProgress& p);
    // The run ended: shows what the trainer recorded per epoch (the live training curve stays);
    // a Markov model's one pass as level lines over the run's 0..1.
    void showHistory(const std::vector<ml::EpochRecord>& history);

    QLineSeries* trainSeries() const { return m_trainSeries; }
    QLineSeries* validSeries() const { return m_validSeries; }
    QLineSeries* referenceSeries() const { return m_referenceSeries; }
    QLineSeries* generatorSeries() const { return m_generatorSeries; }

private:
    void applyPalette();
    void addPoint(QLineSeries* series, double x, double y);
    void stretchReference();
    void fitY(double y);

    QChart* m_chart = nullptr;
    QLineSeries* m_trainSeries = nullptr;
    QLineSeries* m_validSeries = nullptr;
    QLineSeries* m_referenceSeries = nullptr;
    QLineSeries* m_generatorSeries = nullptr; // GAN runs only
    double m_trainScale = 1.0, m_validScale = 1.0;
    QString m_unitName;
    double m_reference = 0;
    ml::ModelKind m_kind = ml::ModelKind::Lstm;
    QString m_dataKey;
    // The last Markov result (held-out, in m_markovUnits) and the files it was trained on.
    double m_markov = 0;
    QString m_markovKey, m_markovUnits;
    QValueAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    int m_lastValidEpoch = 0;
    double m_yMin = 0, m_yMax = 0; // of the points shown (the y axis follows them)
};

} // namespace torchestra::ui
