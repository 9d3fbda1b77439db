#include "ui/panels/LossChart.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
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
    m_referenceSeries = new QLineSeries;
    m_referenceSeries->setPen(QPen(QColor(0x9c, 0xcc, 0x4f), 1.5, Qt::DotLine));
    m_chart->addSeries(m_trainSeries);
    m_chart->addSeries(m_validSeries);
    m_chart->addSeries(m_referenceSeries);
    m_generatorSeries = new QLineSeries;
    m_generatorSeries->setName(tr("Generator"));
    m_generatorSeries->setPen(QPen(QColor(0xbd, 0x6b, 0xd6), 1.5));
    m_generatorSeries->setVisible(false);
    m_chart->addSeries(m_generatorSeries);
    m_xAxis = new QValueAxis;
    m_xAxis->setTitleText(tr("Epoch"));
    m_xAxis->setLabelFormat(QStringLiteral("%d"));
    m_xAxis->setRange(0, 1);
    m_xAxis->setTickCount(2); // whole epochs: more ticks over 0..1 would all read "0"
    m_yAxis = new QValueAxis;
    m_unitName = tr("nats/step");
    m_yAxis->setTitleText(m_unitName);
    m_yAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_yAxis->setRange(0, 1);
    m_chart->addAxis(m_xAxis, Qt::AlignBottom);
    m_chart->addAxis(m_yAxis, Qt::AlignLeft);
    for (QLineSeries* s : {m_trainSeries, m_validSeries, m_referenceSeries, m_generatorSeries}) {
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
    m_chart->legend()->markers(m_referenceSeries).value(0)->setVisible(false);
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
    if (!m_referenceSeries->name().isEmpty())
        fitY(m_reference);
}

void LossChart::setUnits(double trainScale, double validScale, const QString& name) {
    m_trainScale = trainScale > 0 ? trainScale : 1.0;
    m_validScale = validScale > 0 ? validScale : 1.0;
    m_unitName = name;
    m_yAxis->setTitleText(name);
}

void LossChart::setReference(const QString& label, double value) {
    m_referenceSeries->setName(label);
    m_reference = value;
    auto* marker = m_chart->legend()->markers(m_referenceSeries).value(0);
    if (marker)
        marker->setVisible(!label.isEmpty());
    if (label.isEmpty()) {
        m_referenceSeries->clear();
        return;
    }
    stretchReference();
    fitY(value);
}

// The reference spans the whole x axis, however far the run has gone.
void LossChart::stretchReference() {
    if (m_referenceSeries->name().isEmpty())
        return;
    m_referenceSeries->replace(
        {QPointF(m_xAxis->min(), m_reference), QPointF(m_xAxis->max(), m_reference)});
}

void LossChart::startRun(ml::ModelKind kind, int epochs, const NoteRate& train,
                         const NoteRate& valid, const QString& dataKey) {
    m_kind = kind;
    m_dataKey = dataKey;
    // A GAN has no likelihood: its curves are the critic's Wasserstein estimate, the
    // generator's loss (either may be negative) and 1 - the closeness of its music to the
    // validation music (ml/ContinuationMetrics.h), which chooses the model kept.
    const bool gan = kind == ml::ModelKind::Gan;
    m_trainSeries->setName(gan ? tr("Critic (Wasserstein)") : tr("Training"));
    m_validSeries->setName(gan ? tr("Validation: 1 \u2212 closeness") : tr("Validation"));
    m_generatorSeries->setVisible(gan);
    m_chart->legend()->markers(m_generatorSeries).value(0)->setVisible(gan);
    if (gan)
        setUnits(1.0, 1.0, tr("loss"));
    else if (train.valid() && valid.valid())
        setUnits(bitsPerNote(1.0, train), bitsPerNote(1.0, valid), tr("bits/note"));
    else
        setUnits(1.0, 1.0, tr("nats/step"));
    // The question a musician asks of a slow model: is it better yet than the quick one?
    if (kind != ml::ModelKind::Markov && m_markov > 0 && m_markovKey == dataKey &&
        m_markovUnits == m_unitName)
        setReference(tr("Markov (%1)").arg(m_markov, 0, 'f', 2), m_markov);
    else
        setReference({}, 0);
    const bool markov = kind == ml::ModelKind::Markov;
    m_xAxis->setRange(0, markov ? 1 : epochs);
    // Whole epochs only: more ticks over a Markov model's 0..1 would all read "0".
    m_xAxis->setTickCount(markov ? 2 : std::min(epochs, 5) + 1);
    m_xAxis->applyNiceNumbers();
    m_lastValidEpoch = 0;
    stretchReference();
}

void LossChart::showProgress(const ml::TrainProgress& p) {
    const double perEpoch = double(std::max<long>(1, p.stepsPerEpoch));
    const double epochFraction = std::clamp(double(p.step) / perEpoch, 0.0, 1.0);
    const double x = std::max(0, p.epoch - 1) + epochFraction;
    const bool gan = m_kind == ml::ModelKind::Gan;
    if ((p.trainLoss > 0 || (gan && p.step > 0)) && p.phase == "training")
        addPoint(m_trainSeries, x, p.trainLoss * m_trainScale);
    if (gan && p.step > 0 && p.phase == "training")
        addPoint(m_generatorSeries, x, p.generatorLoss);
    // A new validation value shows once per epoch: at the end of the epoch it scored.
    if (p.validLoss > 0 && p.phase == "training" && p.epoch - 1 > m_lastValidEpoch) {
        m_lastValidEpoch = p.epoch - 1;
        addPoint(m_validSeries, m_lastValidEpoch, p.validLoss * m_validScale);
    }
}

void LossChart::showHistory(const std::vector<ml::EpochRecord>& history) {
    if (m_kind == ml::ModelKind::Markov && !history.empty()) {
        // One pass, no epochs: a single point would not be drawn. Level lines across the run
        // show its result, as readable as a curve's end.
        const ml::EpochRecord& e = history.front();
        const double train = e.trainLoss * m_trainScale, valid = e.validLoss * m_validScale;
        m_trainSeries->replace({QPointF(0, train), QPointF(1, train)});
        m_validSeries->clear();
        if (e.validLoss > 0)
            m_validSeries->replace({QPointF(0, valid), QPointF(1, valid)});
        fitY(train);
        if (e.validLoss > 0) {
            fitY(valid);
            m_markov = valid;
            m_markovKey = m_dataKey;
            m_markovUnits = m_unitName;
        }
        m_xAxis->setRange(0, 1);
        m_xAxis->setTickCount(2);
        stretchReference();
        return;
    }
    QList<QPointF> valid;
    for (const ml::EpochRecord& e : history) {
        if (e.validLoss > 0)
            valid << QPointF(e.epoch, e.validLoss * m_validScale);
        if (m_trainSeries->count() == 0 && e.trainLoss > 0)
            addPoint(m_trainSeries, e.epoch, e.trainLoss * m_trainScale);
    }
    for (const QPointF& v : valid)
        fitY(v.y());
    if (!valid.isEmpty())
        m_validSeries->replace(valid);
    const int epochsRun = std::max(1, int(history.size()));
    m_xAxis->setRange(0, epochsRun);
    m_xAxis->setTickCount(std::min(epochsRun, 5) + 1);
    stretchReference();
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
    fitY(y);
    if (x > m_xAxis->max()) {
        m_xAxis->setMax(std::ceil(x));
        stretchReference();
    }
}

void LossChart::fitY(double y) {
    if (!std::isfinite(y))
        return;
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
}

} // namespace torchestra::ui
