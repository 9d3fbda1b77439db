// The Train panel's model choice: the kind, its size and how long to train ("Train for"), what
// the project keeps of them, and the options a run trains with.
#include "ui/panels/TrainPanel.h"

#include "ml/TrainCommandLine.h"

#include <QClipboard>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QLabel>

#include <algorithm>

namespace torchestra::ui {

QWidget* TrainPanel::buildModelBox() {
    const TrainPanelDefaults defaults = trainPanelDefaults();
    auto* modelBox = new QGroupBox(tr("Model"), this);
    auto* form = new QFormLayout(modelBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_kind = new QComboBox(modelBox);
    m_kind->setObjectName(QStringLiteral("modelKindBox"));
    m_kind->addItem(tr("Markov (seconds, a baseline)"), int(ml::ModelKind::Markov));
    m_kind->addItem(tr("RNN"), int(ml::ModelKind::Rnn));
    m_kind->addItem(tr("LSTM (minutes, recommended)"), int(ml::ModelKind::Lstm));
    m_kind->addItem(tr("GAN (bar by bar)"), int(ml::ModelKind::Gan));
    m_kind->setCurrentIndex(m_kind->findData(int(defaults.kind)));
    m_kind->setToolTip(tr("Compare kinds by the bits per note each reaches on the held-out files "
                          "(lower is better). The Markov model trains in seconds and is the result "
                          "to beat; the LSTM's takes come closest to the music it learned from."));
    form->addRow(tr("Kind"), m_kind);
    m_preset = new QComboBox(modelBox);
    m_preset->setObjectName(QStringLiteral("modelPresetBox"));
    m_preset->addItem(tr("Small"), int(Preset::Small));
    m_preset->addItem(tr("Medium"), int(Preset::Medium));
    m_preset->addItem(tr("Large"), int(Preset::Large));
    m_preset->setCurrentIndex(defaults.presetIndex);
    form->addRow(tr("Size"), m_preset);
    m_trainFor = new QComboBox(modelBox);
    m_trainFor->setObjectName(QStringLiteral("trainForBox"));
    for (double minutes : ml::trainBudgetChoices())
        m_trainFor->addItem(budgetText(minutes), minutes);
    setTrainMinutes(defaults.trainMinutes);
    m_trainFor->setToolTip(tr("How long an RNN, LSTM or GAN learns. It stops sooner when the "
                              "held-out files stop improving. Meanwhile its best model so far "
                              "is in the list below and the Generate panel."));
    form->addRow(tr("Train for"), m_trainFor);
    m_runOn = new QComboBox(modelBox);
    m_runOn->setObjectName(QStringLiteral("runOnBox"));
    m_runOn->addItem(tr("This machine"), true);
    m_runOn->addItem(tr("A cluster (copy the command line)"), false);
    m_runOn->setToolTip(
        tr("A cluster: Train copies the command line that trains this model on several "
           "machines at once (every machine runs it; see docs/scaling.md). Load\u2026 the "
           "model it writes when it is done."));
    connect(m_runOn, &QComboBox::currentIndexChanged, this, [this] { updateButtons(); });
    form->addRow(tr("Run on"), m_runOn);
    auto describePreset = [this] {
        const ml::ModelConfig c = modelConfig();
        m_preset->setToolTip(
            c.kind == ml::ModelKind::Markov ? tr("Context of %1 frames").arg(c.markovOrder)
            : c.kind == ml::ModelKind::Gan
                ? tr("Generator %1 channels wide, critic %2").arg(c.hidden).arg(c.hidden / 2)
                : tr("%1 hidden units \u00d7 %2 layers").arg(c.hidden).arg(c.layers));
        m_trainFor->setEnabled(c.kind != ml::ModelKind::Markov && !isBusy());
    };
    connect(m_kind, &QComboBox::currentIndexChanged, this, describePreset);
    connect(m_preset, &QComboBox::currentIndexChanged, this, describePreset);
    describePreset();
    // The model settings belong to the project.
    auto edited = [this] {
        if (!m_restoring)
            emit settingsEdited();
    };
    connect(m_kind, &QComboBox::currentIndexChanged, this, edited);
    connect(m_preset, &QComboBox::currentIndexChanged, this, edited);
    connect(m_trainFor, &QComboBox::currentIndexChanged, this, edited);
    buildRunControls(modelBox, form);
    return modelBox;
}

QJsonObject TrainPanel::modelSettings() const {
    static const char* const kPresets[] = {"small", "medium", "large"};
    QJsonObject o;
    o[QStringLiteral("kind")] = QString::fromLatin1(ml::toString(modelConfig().kind));
    o[QStringLiteral("preset")] =
        QString::fromLatin1(kPresets[std::clamp(m_preset->currentData().toInt(), 0, 2)]);
    o[QStringLiteral("trainMinutes")] = trainMinutes();
    // The project keeps this object as it is: the corpus rides here, beside the files it keeps.
    if (!m_corpusDir.isEmpty())
        o[QStringLiteral("corpus")] = m_corpusDir;
    return o;
}

void TrainPanel::restoreModelSettings(const QJsonObject& settings) {
    m_restoring = true;
    const TrainPanelDefaults defaults = trainPanelDefaults();
    int kind = m_kind->findData(int(defaults.kind));
    const QString kindName = settings.value(QStringLiteral("kind")).toString();
    for (int i = 0; i < m_kind->count(); ++i)
        if (kindName == QLatin1String(ml::toString(ml::ModelKind(m_kind->itemData(i).toInt()))))
            kind = i;
    m_kind->setCurrentIndex(kind);
    const QString preset = settings.value(QStringLiteral("preset")).toString();
    m_preset->setCurrentIndex(preset == QLatin1String("small")   ? 0
                              : preset == QLatin1String("large") ? 2
                                                                 : defaults.presetIndex);
    // An older project's "epochs" counted passes over its files, which say nothing of time
    // before the files are read: such a project starts from the default budget.
    setTrainMinutes(settings.value(QStringLiteral("trainMinutes")).toDouble(defaults.trainMinutes));
    // Read again even when it is the one shown: it may have been rebuilt or damaged since.
    setCorpus(settings.value(QStringLiteral("corpus")).toString());
    m_restoring = false;
}

void TrainPanel::applyPreset(Preset preset, ml::ModelConfig& config) {
    switch (preset) {
    case Preset::Small:
        config.hidden = 128;
        config.layers = 1;
        config.markovOrder = 1;
        break;
    case Preset::Medium:
        config.hidden = 256;
        config.layers = ml::defaultLayers(config.kind, ml::HeadKind::Independent);
        config.markovOrder = 2;
        break;
    case Preset::Large:
        config.hidden = 512;
        config.layers = ml::defaultLayers(config.kind, ml::HeadKind::Independent);
        config.markovOrder = 3;
        break;
    }
}

ml::ModelConfig TrainPanel::modelConfig() const {
    ml::ModelConfig config;
    config.kind = ml::ModelKind(m_kind->currentData().toInt());
    applyPreset(Preset(m_preset->currentData().toInt()), config);
    config.representation.lookback = ml::defaultLookback(config.kind, config.head); // as train's
    return config;
}

ml::TrainOptions TrainPanel::trainOptions() const {
    // One source with the command line (train --max-minutes): Trainer.h.
    ml::TrainOptions options = ml::defaultTrainOptions(modelConfig(), trainMinutes());
    if (m_adjust)
        m_adjust(options);
    return options;
}

double TrainPanel::trainMinutes() const {
    return m_trainFor->currentData().toDouble();
}

void TrainPanel::setTrainMinutes(double minutes) {
    int index = m_trainFor->findData(trainPanelDefaults().trainMinutes);
    for (int i = 0; i < m_trainFor->count(); ++i)
        if (m_trainFor->itemData(i).toDouble() == minutes)
            index = i;
    m_trainFor->setCurrentIndex(index);
}

QString TrainPanel::budgetText(double minutes) {
    if (minutes <= 0)
        return tr("Until it stops improving");
    return minutes == 1 ? tr("1 minute") : tr("%1 minutes").arg(minutes);
}

bool TrainPanel::runsHere() const {
    return m_runOn->currentData().toBool();
}

QString TrainPanel::clusterCommandLine() const {
    if (!m_corpusDir.isEmpty())
        return QString::fromStdString(ml::shellCommandLine(
            "torchestra-cli", ml::trainCorpusCommandArguments(modelConfig(), trainOptions(),
                                                              m_corpusDir.toStdString(),
                                                              "model.tcm", {"--distributed"})));
    std::vector<std::string> inputs;
    for (const QString& path : m_inputs)
        inputs.push_back(path.toStdString());
    const std::vector<std::string> args = ml::trainCommandArguments(
        modelConfig(), trainOptions(), m_tracks, "model.tcm", inputs, {"--distributed"});
    return QString::fromStdString(ml::shellCommandLine("torchestra-cli", args));
}

void TrainPanel::copyClusterCommand() {
    QGuiApplication::clipboard()->setText(clusterCommandLine());
    m_status->setText(tr("Copied the command line. Every machine of the cluster runs it, with "
                         "RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set and %1 "
                         "(docs/scaling.md); then Load\u2026 the model.tcm it writes.")
                          .arg(m_corpusDir.isEmpty() ? tr("the files at the same paths")
                                                     : tr("the corpus at the same path")));
}

} // namespace torchestra::ui
