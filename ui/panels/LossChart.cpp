#include "ui/panels/LossChart.h"

#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace torchestra::ui {

LossChart::LossChart(QWidget* parent) : QChartView(new QChart, parent), m_chart(chart()) {
    m_trainSeries = new QLineSeries;
    m_trainSeries->setName(tr("Training"));
    m_validSeries = new QLineSeries;
    m_validSeries->setName(tr("Validation"));
    QPen trainPen(QColor(0x4a, 0x90, 0xd9), 2.0);
    m_trainSeries->setPen(trainPen);
    // Dashed over the solid training line, so both read where they coincide.
    QPen validPen(QColor(0xf5, 0xa6, 0x23), 2.0, Qt::DashLine);
    m_validSeries->setPen(validPen);
    m_generatorSeries = new QLineSeries;
    m_generatorSeries->setName(tr("Generator"));
    m_generatorSeries->setPen(QPen(QColor(0x7e, 0xd3, 0x21), 1.5));
    m_chart->addSeries(m_trainSeries);
    m_chart->addSeries(m_validSeries);
    m_chart->addSeries(m_generatorSeries);
    m_xAxis = new QValueAxis;
    m_xAxis->setTitleText(tr("Epoch"));
    m_xAxis->setLabelFormat(QStringLiteral("%d"));
    m_xAxis->setRange(0, 1);
    m_xAxis->setTickCount(2); // whole epochs: more ticks over 0..1 would all read "0"
    m_yAxis = new QValueAxis;
    m_yAxis->setTitleText(tr("nats/step"));
    m_yAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_yAxis->setRange(0, 1);
    m_chart->addAxis(m_xAxis, Qt::AlignBottom);
    m_chart->addAxis(m_yAxis, Qt::AlignLeft);
    for (QLineSeries* s : {m_trainSeries, m_validSeries, m_generatorSeries}) {
        s->attachAxis(m_xAxis);
        s->attachAxis(m_yAxis);
    }
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    applyPalette();
    setObjectName(QStringLiteral("lossChart"));
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(190);
    clear();
}

// Follows the window's palette, so the chart sits in the dark or light theme.
void LossChart::applyPalette() {
    const QPalette pal = palette();
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->setPlotAreaBackgroundVisible(false);
    for (QValueAxis* axis : {m_xAxis, m_yAxis}) {
        axis->setLabelsColor(pal.color(QPalette::Text));
        axis->setTitleBrush(pal.color(QPalette::Text));
        axis->setGridLineColor(pal.color(QPalette::Mid));
        axis->setLinePenColor(pal.color(QPalette::Mid));
    }
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
}

void LossChart::clear() {
    m_trainSeries->clear();
    m_validSeries->clear();
    m_generatorSeries->clear();
    m_yMin = std::numeric_limits<double>::infinity();
    m_yMax = -std::numeric_limits<double>::infinity();
    m_yAxis->setRange(0, 1);
}

void LossChart::startRun(ml::ModelKind kind, int epochs) {
    // A GAN has no likelihood: its curves are the critic's Wasserstein estimate, the
    // generator's loss (either may be negative) and 1 - the closeness of its music to the
    // validation music (ml/ContinuationMetrics.h), which chooses the model kept.
    m_gan = kind == ml::ModelKind::Gan;
    m_trainSeries->setName(m_gan ? tr("Critic (Wasserstein)") : tr("Training"));
    m_validSeries->setName(m_gan ? tr("Validation: 1 \u2212 closeness") : tr("Validation"));
    m_generatorSeries->setVisible(m_gan);
    m_yAxis->setTitleText(m_gan ? tr("loss") : tr("nats/step"));
    m_xAxis->setRange(0, kind == ml::ModelKind::Markov ? 1 : epochs);
    m_xAxis->setTickCount(std::min(epochs, 5) + 1);
    m_xAxis->applyNiceNumbers();
    m_lastValidEpoch = 0;
}

void LossChart::showProgress(const ml::TrainProgress& p) {
    const double perEpoch = double(std::max<long>(1, p.stepsPerEpoch));
    const double epochFraction = std::clamp(double(p.step) / perEpoch, 0.0, 1.0);
    const double x = std::max(0, p.epoch - 1) + epochFraction;
    if ((p.trainLoss > 0 || (m_gan && p.step > 0)) && p.phase == "training")
        addPoint(m_trainSeries, x, p.trainLoss);
    if (m_gan && p.step > 0 && p.phase == "training")
        addPoint(m_generatorSeries, x, p.generatorLoss);
    // A new validation value shows once per epoch: at the end of the epoch it scored.
    if (p.validLoss > 0 && p.phase == "training" && p.epoch - 1 > m_lastValidEpoch) {
        m_lastValidEpoch = p.epoch - 1;
        addPoint(m_validSeries, m_lastValidEpoch, p.validLoss);
    }
}

void LossChart::showHistory(const std::vector<ml::EpochRecord>& history) {
    QList<QPointF> valid;
    for (const ml::EpochRecord& e : history) {
        if (e.validLoss > 0)
            valid << QPointF(e.epoch, e.validLoss);
        if (m_trainSeries->count() == 0 && e.trainLoss > 0)
            addPoint(m_trainSeries, e.epoch, e.trainLoss);
    }
    for (const QPointF& v : valid)
        addPoint(m_validSeries, v.x(), v.y());
    if (!valid.isEmpty()) {
        m_validSeries->replace(valid);
    }
    const int epochsRun = std::max(1, int(history.size()));
    m_xAxis->setRange(0, epochsRun);
    m_xAxis->setTickCount(std::min(epochsRun, 5) + 1);
}

void LossChart::addPoint(QLineSeries* series, double x, double y) {
    if (!std::isfinite(y))
        return;
    // Thin the live curve: no more than ~50 points an epoch.
    if (series->count() > 0 && x - series->at(series->count() - 1).x() < 0.02 &&
        series != m_validSeries)
        series->replace(series->count() - 1, QPointF(x, y));
    else
        series->append(x, y);
    m_yMin = std::min(m_yMin, y);
    m_yMax = std::max(m_yMax, y);
    // The axis changes only when a point leaves it or the curve has shrunk well inside it: a
    // new range re-lays out the whole chart, too much work for every progress report.
    const double pad = std::max(0.05, (m_yMax - m_yMin) * 0.1);
    const double low = std::max(0.0, m_yMin - pad);
    const double high = m_yMax + pad;
    const double shown = m_yAxis->max() - m_yAxis->min();
    if (y < m_yAxis->min() || y > m_yAxis->max() || high - low < 0.6 * shown) {
        m_yAxis->setRange(low, high);
        m_yAxis->setLabelFormat(m_yMax - m_yMin >= 5 ? QStringLiteral("%.0f")
                                                     : QStringLiteral("%.2f"));
    }
    if (x > m_xAxis->max())
        m_xAxis->setMax(std::ceil(x));
}

} // namespace torchestra::ui
