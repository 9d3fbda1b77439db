#pragma once

#include "ml/SequenceModel.h"
#include "ml/Trainer.h"

#include <QChartView>

#include <vector>

class QLineSeries;
class QValueAxis;

namespace torchestra::ui {

// The Train panel's live loss chart: the training loss as it runs (thinned to ~50 points an
// epoch) and the validation loss once per epoch, in nats/step over epochs. The y axis follows
// the points; the x axis shows whole epochs. Colours follow the window's palette. GUI thread
// only.
class LossChart : public QChartView {
    Q_OBJECT
public:
    explicit LossChart(QWidget* parent = nullptr);

    // Empties both curves for a new run.
    void clear();
    // A run of `epochs` starts (a Markov model has one pass: the axis shows 0..1).
    void startRun(ml::ModelKind kind, int epochs);
    // A progress report of the run: extends the training curve, and the validation curve when
    // an epoch was scored.
    void showProgress(const ml::TrainProgress& p);
    // The run ended: shows what the trainer recorded per epoch (the live training curve stays).
    void showHistory(const std::vector<ml::EpochRecord>& history);

    QLineSeries* trainSeries() const { return m_trainSeries; }
    QLineSeries* validSeries() const { return m_validSeries; }
    QLineSeries* generatorSeries() const { return m_generatorSeries; }

private:
    void applyPalette();
    void addPoint(QLineSeries* series, double x, double y);

    QChart* m_chart = nullptr;
    QLineSeries* m_trainSeries = nullptr;
    QLineSeries* m_validSeries = nullptr;
    QLineSeries* m_generatorSeries = nullptr; // GAN runs only
    bool m_gan = false;
    QValueAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    int m_lastValidEpoch = 0;
    double m_yMin = 0, m_yMax = 0; // of the points shown (the y axis follows them)
};

} // namespace torchestra::ui
