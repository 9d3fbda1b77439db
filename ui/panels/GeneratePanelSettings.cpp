// GeneratePanel's settings: what the project keeps of them, and the shortest note a GAN's takes
// write (the model's choice on its validation music, or the user's).
#include "ui/panels/GeneratePanel.h"

#include "ml/SequenceModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonObject>
#include <QSpinBox>
#include <QToolButton>

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

QJsonObject GeneratePanel::settings() const {
    QJsonObject o;
    o[QStringLiteral("bars")] = m_bars->value();
    o[QStringLiteral("temperature")] = m_temperature->value();
    o[QStringLiteral("variations")] = m_count->value();
    o[QStringLiteral("candidates")] = m_candidates->value();
    o[QStringLiteral("seed")] = m_seed->value();
    const QString scale = m_scale->currentData().toString();
    o[QStringLiteral("key")] =
        scale.isEmpty() ? QString() : m_tonic->currentData().toString() + QLatin1Char(':') + scale;
    o[QStringLiteral("rangeFromInstrument")] = m_rangeFromInstrument->isChecked();
    o[QStringLiteral("lowPitch")] = m_low->value();
    o[QStringLiteral("highPitch")] = m_high->value();
    o[QStringLiteral("density")] = m_density->value();
    o[QStringLiteral("voices")] = m_voices->value();
    o[QStringLiteral("shortestNote")] = m_shortestNote->currentData().toInt();
    o[QStringLiteral("usePrimer")] = m_usePrimer->isChecked();
    o[QStringLiteral("loopAudition")] = m_loop->isChecked();
    return o;
}

void GeneratePanel::restoreSettings(const QJsonObject& o) {
    m_restoring = true;
    auto intOf = [&](const char* key, int fallback) {
        return o.value(QLatin1String(key)).toInt(fallback);
    };
    auto doubleOf = [&](const char* key, double fallback) {
        return o.value(QLatin1String(key)).toDouble(fallback);
    };
    // Missing values take the defaults the panel starts with.
    m_bars->setValue(intOf("bars", 4));
    restoreTemperature(o);
    m_count->setValue(intOf("variations", 3));
    m_candidates->setValue(intOf("candidates", 1));
    m_seed->setValue(intOf("seed", 1));
    m_low->setValue(intOf("lowPitch", 36));
    m_high->setValue(intOf("highPitch", 96));
    // After the boxes: setting them by hand turns the button off.
    m_rangeFromInstrument->setChecked(o.value(QStringLiteral("rangeFromInstrument")).toBool(true));
    m_density->setValue(doubleOf("density", 1.0));
    m_voices->setValue(intOf("voices", 0));
    m_shortestNote->setCurrentIndex(
        std::max(0, m_shortestNote->findData(intOf("shortestNote", kShortestNoteAsModel))));
    m_usePrimer->setChecked(o.value(QStringLiteral("usePrimer")).toBool(true));
    m_loop->setChecked(o.value(QStringLiteral("loopAudition")).toBool(false));
    const QString key = o.value(QStringLiteral("key")).toString();
    const QString tonic = key.section(QLatin1Char(':'), 0, 0);
    const QString scale = key.section(QLatin1Char(':'), 1);
    m_tonic->setCurrentIndex(std::max(0, m_tonic->findData(tonic)));
    m_scale->setCurrentIndex(key.isEmpty() ? 0 : std::max(0, m_scale->findData(scale)));
    m_restoring = false;
}

void GeneratePanel::emitSettings() {
    if (!m_restoring)
        emit settingsChanged(settings());
}

// The box's choice in steps of `model`'s grid (SampleRequest::shortestNote), given what the
// model chose on validation: the box counts sixteenths, a quarter being a beat of the grid.
int GeneratePanel::shortestNoteSteps(int modelsChoice) const {
    const int chosen = m_shortestNote->currentData().toInt();
    if (chosen == kShortestNoteAsModel)
        return modelsChoice;
    if (chosen <= 0) // any length, or the primer's (ml::kShortestNoteOfPrimer)
        return chosen;
    const std::shared_ptr<const ml::SequenceModel> model = chosenModel();
    const int stepsPerBeat = model ? model->representation().stepsPerBeat : 4;
    return std::max(1, int(std::lround(chosen * stepsPerBeat / 4.0)));
}

// The box is a GAN's: other kinds write the lengths they predict. Its tooltip names what the
// chosen GAN settled on, which "As the model chose" gives.
void GeneratePanel::showShortestNoteChoice() {
    const std::shared_ptr<const ml::SequenceModel> model = chosenModel();
    const bool gan = model && model->config().kind == ml::ModelKind::Gan;
    m_shortestNote->setEnabled(gan);
    if (!gan) {
        m_shortestNote->setToolTip(
            model ? tr("The shortest note a GAN's take writes. This model writes the lengths it "
                       "predicts.")
                  : tr("The shortest note a GAN's take writes."));
        return;
    }
    const ml::SamplingCalibration* sampling = modelSampling();
    const int choice = sampling ? sampling->shortestNote : 0;
    const int stepsPerBeat = std::max(1, model->representation().stepsPerBeat);
    const int item = choice > 1 ? m_shortestNote->findData(choice * 4 / stepsPerBeat) : -1;
    const QString chose = choice == ml::kShortestNoteOfPrimer ? tr("the primer's, up to a beat")
                          : item >= 0  ? m_shortestNote->itemText(item).toLower()
                          : choice > 1 ? tr("%n step(s) of its grid", nullptr, choice)
                                       : tr("any length");
    m_shortestNote->setToolTip(
        tr("The shortest note a take writes (a note that would end sooner is held on). This "
           "model chose %1 on its validation music.")
            .arg(chose));
}

} // namespace torchestra::ui
