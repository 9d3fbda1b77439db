// GeneratePanel's widgets: building the model chooser, the settings, the buttons and the
// variation list, and connecting each to what it does. Kept apart from GeneratePanel.cpp so the
// sampling and the use of its result stay readable.
#include "ui/panels/GeneratePanel.h"

#include "ui/panels/TakesView.h"

#include "project/GeneralMidi.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/panels/TakeNumbers.h"

#include "ml/Scales.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QJsonValue>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <utility>

namespace torchestra::ui {

namespace {

const char* const kTonics[] = {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"};

} // namespace

void GeneratePanel::buildUi() {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);
    layout->addWidget(buildModelBox());
    layout->addWidget(buildSettingsBox());
    layout->addLayout(buildRunRow());
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 1);
    m_busy->setValue(0);
    m_busy->setTextVisible(false);
    m_busy->setMaximumHeight(8);
    m_status = new QLabel(tr("Ready"), this);
    m_status->setObjectName(QStringLiteral("generateStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_busy);
    layout->addWidget(m_status);
    // This run's variations and the project's takes share the space below, one tab each.
    m_resultTabs = new QTabWidget(this);
    m_resultTabs->setObjectName(QStringLiteral("resultTabs"));
    m_resultTabs->setDocumentMode(true);
    m_resultTabs->addTab(buildResultBox(), tr("Variations"));
    m_resultTabs->addTab(buildTakesBox(), tr("Takes"));
    layout->addWidget(m_resultTabs, 1);

    // Every setting belongs to the project.
    for (QSpinBox* box : {m_bars, m_count, m_candidates, m_seed, m_low, m_high, m_voices})
        connect(box, &QSpinBox::valueChanged, this, &GeneratePanel::emitSettings);
    for (QDoubleSpinBox* box : {m_temperature, m_density})
        connect(box, &QDoubleSpinBox::valueChanged, this, &GeneratePanel::emitSettings);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this, [this] {
        if (!m_restoring)
            m_temperatureChosen = true;
    });
    for (QComboBox* box : {m_tonic, m_scale, m_shortestNote})
        connect(box, &QComboBox::currentIndexChanged, this, &GeneratePanel::emitSettings);
    for (QCheckBox* box : {m_usePrimer, m_loop})
        connect(box, &QCheckBox::toggled, this, &GeneratePanel::emitSettings);
    showModel();
}

QWidget* GeneratePanel::buildModelBox() {
    auto* modelBox = new QGroupBox(tr("Model"), this);
    auto* modelLayout = new QVBoxLayout(modelBox);
    m_model = new QComboBox(modelBox);
    m_model->setObjectName(QStringLiteral("generateModelBox"));
    m_model->setModel(m_library);
    m_model->setModelColumn(ModelLibrary::NameColumn);
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(16);
    modelLayout->addWidget(m_model);
    m_modelInfo = new QLabel(modelBox);
    m_modelInfo->setWordWrap(true);
    m_modelInfo->setObjectName(QStringLiteral("generateModelInfo"));
    QFont small = m_modelInfo->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_modelInfo->setFont(small);
    modelLayout->addWidget(m_modelInfo);
    connect(m_model, &QComboBox::currentIndexChanged, this, [this] {
        showModel();
        followModelTemperature();
        if (!m_restoring)
            emit modelChosen(modelPath());
    });
    // Only the user's own choice (here, or training or loading a model) brings the model's
    // temperature: a library refresh that moves the selection keeps what the user set.
    connect(m_model, &QComboBox::activated, this, [this] {
        useModelTemperature();
        emit modelPicked(modelPath());
    });
    connect(m_library, &QAbstractItemModel::rowsInserted, this, &GeneratePanel::showModel);
    connect(m_library, &QAbstractItemModel::modelReset, this, &GeneratePanel::showModel);
    connect(m_library, &QAbstractItemModel::dataChanged, this, &GeneratePanel::showModel);
    connect(m_library, &ModelLibrary::modelAdded, this, [this](const QString& path) {
        // A model just trained or loaded (or the project's, once read) becomes the choice.
        const int row = m_library->rowOf(path);
        if (m_pendingModelPath.isEmpty()) {
            m_model->setCurrentIndex(row);
            useModelTemperature();
            emit modelPicked(m_library->reference(row)); // the user trained or loaded it
        } else if (row >= 0 && m_library->rowOf(m_pendingModelPath) == row) {
            m_pendingModelPath.clear(); // the project's model, now listed
            m_model->setCurrentIndex(row);
        }
    });
    connect(m_library, &ModelLibrary::refreshed, this, [this] {
        if (!m_pendingModelPath.isEmpty() && m_library->rowOf(m_pendingModelPath) >= 0) {
            m_model->setCurrentIndex(m_library->rowOf(m_pendingModelPath));
            m_pendingModelPath.clear();
        }
    });

    return modelBox;
}

// What the model chosen in the list settled on on its validation files; null while none is.
const ml::SamplingCalibration* GeneratePanel::modelSampling() const {
    const int row = m_model->currentIndex();
    return row >= 0 && row < m_library->count() ? &m_library->entry(row).metadata.sampling
                                                : nullptr;
}

// A model the user chose (not a project's, restored with its own settings) brings the
// temperature it chose on its validation files; the user may change it afterwards.
void GeneratePanel::useModelTemperature() {
    if (const ml::SamplingCalibration* sampling = modelSampling();
        sampling && sampling->calibrated())
        m_temperature->setValue(sampling->temperature);
    else
        followModelTemperature(); // the default, unless the user has set one
    m_temperatureChosen = true;
}

// Until a temperature is chosen (m_temperatureChosen), the box shows that of the model the
// panel selected by itself: the first the library lists at start-up, or a project's whose
// settings hold none. The takes then sample as the rhythm odds already do, at the model's
// choice. Set so, it is not a change to the project.
void GeneratePanel::followModelTemperature() {
    if (m_temperatureChosen)
        return;
    const ml::SamplingCalibration* sampling = modelSampling();
    const bool restoring = std::exchange(m_restoring, true);
    m_temperature->setValue(sampling && sampling->calibrated() ? sampling->temperature : 1.0);
    m_restoring = restoring;
}

// A project's temperature, or (none saved) the selected model's.
void GeneratePanel::restoreTemperature(const QJsonObject& settings) {
    const QJsonValue temperature = settings.value(QStringLiteral("temperature"));
    m_temperatureChosen = temperature.isDouble();
    if (m_temperatureChosen)
        m_temperature->setValue(temperature.toDouble());
    else
        followModelTemperature();
}

// The rhythm odds the model chose on its validation files (SamplingCalibration.h); the
// model's own (a GAN keeps its decoding's) when it chose nothing.
ml::RhythmOdds GeneratePanel::modelRhythm() const {
    const ml::SamplingCalibration* sampling = modelSampling();
    return sampling && sampling->calibrated() ? sampling->rhythm : ml::RhythmOdds{};
}

void GeneratePanel::useModelSampling(ml::SampleRequest& request) const {
    const ml::SamplingCalibration* sampling = modelSampling();
    request.rhythm = modelRhythm();
    request.harmonyProgressions = sampling && sampling->harmonyProgressions;
    request.constraints.maxPolyphony = sampling ? sampling->maxPolyphony : 0;
    request.constraints.minPolyphony = sampling ? sampling->minPolyphony : 0;
    request.harmonyGuidance = sampling ? sampling->harmonyGuidance : -1;
    request.holdOdds = sampling ? sampling->holdOdds : -1;
    request.shortestNote = shortestNoteSteps(sampling ? sampling->shortestNote : 0);
    request.noiseCarry =
        sampling && sampling->noiseCarry >= 0 ? sampling->noiseCarry : ml::kDefaultNoiseCarry;
}

void GeneratePanel::showModel() {
    const int row = m_model->currentIndex();
    m_modelInfo->setText(row >= 0 && row < m_library->count()
                             ? ModelLibrary::describe(m_library->entry(row))
                             : tr("No model yet: train one in the Train panel."));
    showShortestNoteChoice();
    updateButtons();
}

// How many variations, and how many takes they are chosen from ("best of").
QLayout* GeneratePanel::buildCountRow(QWidget* parent) {
    m_count = new QSpinBox(parent);
    m_count->setObjectName(QStringLiteral("variationsBox"));
    m_count->setRange(1, 8);
    m_count->setValue(3);
    m_candidates = new QSpinBox(parent);
    m_candidates->setObjectName(QStringLiteral("candidatesBox"));
    m_candidates->setRange(1, 256);
    m_candidates->setValue(1);
    m_candidates->setPrefix(tr("best of "));
    m_candidates->setSpecialValueText(tr("as sampled"));
    m_candidates->setToolTip(
        tr("Sample this many takes and keep the best: by how likely the model finds the music "
           "after the bars with each in place (Regenerate Selection inside the song: infill), "
           "else by the take's own likelihood. Each kept take shows its score."));
    auto* countRow = new QHBoxLayout;
    countRow->addWidget(m_count);
    countRow->addWidget(m_candidates, 1);
    return countRow;
}

// The pitch range, and whether it follows the track's instrument.
QLayout* GeneratePanel::buildRangeRow(QWidget* parent) {
    auto* rangeRow = new QHBoxLayout;
    m_low = new QSpinBox(parent);
    m_low->setObjectName(QStringLiteral("lowPitchBox"));
    m_high = new QSpinBox(parent);
    m_high->setObjectName(QStringLiteral("highPitchBox"));
    for (QSpinBox* box : {m_low, m_high}) {
        box->setRange(21, 108);
        connect(box, &QSpinBox::valueChanged, box,
                [box](int v) { box->setToolTip(project::gm::pitchName(v)); });
    }
    m_low->setValue(36);
    m_high->setValue(96);
    m_rangeFromInstrument = new QToolButton(parent);
    m_rangeFromInstrument->setObjectName(QStringLiteral("rangeFromInstrumentButton"));
    m_rangeFromInstrument->setText(tr("instrument"));
    m_rangeFromInstrument->setCheckable(true);
    m_rangeFromInstrument->setChecked(true);
    m_rangeFromInstrument->setToolTip(
        tr("The range the track's instrument plays (a flute 60-96, a tenor sax 44-76), "
           "following the track chosen; setting a pitch by hand turns it off"));
    for (QSpinBox* box : {m_low, m_high})
        connect(box, &QSpinBox::valueChanged, this, [this] {
            if (!m_settingRange)
                m_rangeFromInstrument->setChecked(false);
        });
    connect(m_rangeFromInstrument, &QToolButton::toggled, this, [this](bool on) {
        if (on)
            activeTrackChanged();
        emitSettings();
    });
    rangeRow->addWidget(m_low, 1);
    rangeRow->addWidget(new QLabel(QStringLiteral("\u2013"), parent));
    rangeRow->addWidget(m_high, 1);
    rangeRow->addWidget(m_rangeFromInstrument);
    return rangeRow;
}

QWidget* GeneratePanel::buildSettingsBox() {
    auto* settingsBox = new QGroupBox(tr("What to write"), this);
    auto* form = new QFormLayout(settingsBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_usePrimer = new QCheckBox(tr("Continue from the selected bars"), settingsBox);
    m_usePrimer->setObjectName(QStringLiteral("usePrimerCheck"));
    m_usePrimer->setChecked(true);
    m_usePrimer->setToolTip(tr("The loop range (or the bars of the selected notes) primes the "
                               "model; without it the model starts from silence at the playhead."));
    form->addRow(m_usePrimer);
    m_bars = new QSpinBox(settingsBox);
    m_bars->setObjectName(QStringLiteral("barsBox"));
    m_bars->setRange(1, 64);
    m_bars->setValue(4);
    m_bars->setSuffix(tr(" bars"));
    form->addRow(tr("Length"), m_bars);
    m_temperature = new QDoubleSpinBox(settingsBox);
    m_temperature->setObjectName(QStringLiteral("temperatureBox"));
    m_temperature->setRange(0.1, 3.0);
    m_temperature->setSingleStep(0.05);
    m_temperature->setValue(1.0);
    m_temperature->setToolTip(tr("Lower: safer, more repetitive. Higher: more surprising."));
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Variations"), buildCountRow(settingsBox));
    auto* seedRow = new QHBoxLayout;
    m_seed = new QSpinBox(settingsBox);
    m_seed->setObjectName(QStringLiteral("seedBox"));
    m_seed->setRange(0, 999999);
    m_seed->setValue(1);
    auto* dice = new QToolButton(settingsBox);
    dice->setObjectName(QStringLiteral("newSeedButton"));
    dice->setText(tr("New"));
    dice->setToolTip(tr("A new random seed"));
    connect(dice, &QToolButton::clicked, this,
            [this] { m_seed->setValue(int(QRandomGenerator::global()->bounded(1000000))); });
    seedRow->addWidget(m_seed, 1);
    seedRow->addWidget(dice);
    form->addRow(tr("Seed"), seedRow);
    form->addRow(tr("Key"), buildKeyRow(settingsBox));
    form->addRow(tr("Pitch range"), buildRangeRow(settingsBox));
    m_density = new QDoubleSpinBox(settingsBox);
    m_density->setObjectName(QStringLiteral("densityBox"));
    m_density->setRange(0.1, 4.0);
    m_density->setSingleStep(0.1);
    m_density->setValue(1.0);
    m_density->setToolTip(tr("Below 1: sparser. Above 1: busier."));
    // Density and the most notes at once share a row.
    auto* densityRow = new QHBoxLayout;
    densityRow->addWidget(m_density, 1);
    m_voices = new QSpinBox(settingsBox);
    m_voices->setObjectName(QStringLiteral("voicesBox"));
    m_voices->setRange(0, 16);
    m_voices->setSpecialValueText(tr("as the track"));
    m_voices->setPrefix(tr("voices "));
    m_voices->setToolTip(tr("The most notes sounding at once. \u201cAs the track\u201d: one for a "
                            "track that plays one note at a time (a melody, a sax), else the "
                            "model's choice (a GAN chooses a cap on its validation music), else "
                            "no limit"));
    densityRow->addWidget(m_voices, 1);
    form->addRow(tr("Density"), densityRow);
    m_shortestNote = new QComboBox(settingsBox);
    m_shortestNote->setObjectName(QStringLiteral("shortestNoteBox"));
    m_shortestNote->addItem(tr("As the model chose"), kShortestNoteAsModel);
    m_shortestNote->addItem(tr("Any length"), 0);
    m_shortestNote->addItem(tr("An eighth"), 2);
    m_shortestNote->addItem(tr("A dotted eighth"), 3);
    m_shortestNote->addItem(tr("A quarter"), 4);
    m_shortestNote->addItem(tr("The primer's, up to a quarter"), ml::kShortestNoteOfPrimer);
    form->addRow(tr("Shortest note"), m_shortestNote);
    return settingsBox;
}

QLayout* GeneratePanel::buildKeyRow(QWidget* parent) {
    auto* keyRow = new QHBoxLayout;
    m_tonic = new QComboBox(parent);
    m_tonic->setObjectName(QStringLiteral("tonicBox"));
    for (const char* t : kTonics)
        m_tonic->addItem(
            QString::fromLatin1(t).replace('#', QChar(0x266f)).replace('b', QChar(0x266d)),
            QString::fromLatin1(t));
    m_scale = new QComboBox(parent);
    m_scale->setObjectName(QStringLiteral("scaleConstraintBox"));
    m_scale->addItem(tr("Any notes"), QString());
    for (const std::string& name : ml::scaleNames()) {
        if (name == "chromatic")
            continue;
        QString label = QString::fromStdString(name).replace('-', ' ');
        label[0] = label[0].toUpper();
        m_scale->addItem(label, QString::fromStdString(name));
    }
    keyRow->addWidget(m_tonic);
    keyRow->addWidget(m_scale, 1);
    return keyRow;
}

QLayout* GeneratePanel::buildRunRow() {
    auto* runRow = new QHBoxLayout;
    m_generate = new QPushButton(tr("Generate"), this);
    m_generate->setObjectName(QStringLiteral("generateButton"));
    m_generate->setDefault(true);
    m_regenerate = new QPushButton(tr("Regenerate Selection"), this);
    m_regenerate->setObjectName(QStringLiteral("regenerateButton"));
    m_regenerate->setToolTip(tr("Rewrite the selected bars (the loop range, or the bars of the "
                                "selected notes), primed by the bars before them"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelGenerateButton"));
    connect(m_generate, &QPushButton::clicked, this, [this] { generate(); });
    connect(m_regenerate, &QPushButton::clicked, this, [this] { regenerateSelection(); });
    connect(m_cancel, &QPushButton::clicked, this, &GeneratePanel::cancel);
    runRow->addWidget(m_generate, 1);
    runRow->addWidget(m_regenerate, 1);
    runRow->addWidget(m_cancel);
    return runRow;
}

QWidget* GeneratePanel::buildResultBox() {
    auto* resultBox = new QWidget(this);
    auto* resultLayout = new QVBoxLayout(resultBox);
    resultLayout->setContentsMargins(0, 4, 0, 0);
    m_list = new QListWidget(resultBox);
    m_list->setObjectName(QStringLiteral("variationList"));
    m_list->setAlternatingRowColors(true);
    m_list->setIconSize(QSize(14, 14));
    m_list->setMinimumHeight(60);
    // The list takes the height left over, not its own wish: the panel sits in a scroll area
    // that grows to the panel's preferred height (word-wrapped labels make it ask), and a list
    // asking for its rows would push the buttons below out of a small window's dock.
    m_list->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    // Each variation shows its numbers under its title (TakeListDelegate).
    m_list->setItemDelegate(new TakeListDelegate(m_list));
    connect(m_list, &QListWidget::currentRowChanged, this, [this] {
        updateOverlays();
        updateButtons();
        emit currentVariationChanged();
    });
    connect(m_list, &QListWidget::itemDoubleClicked, this,
            [this] { audition(currentVariation()); });
    resultLayout->addWidget(m_list, 1);
    m_numbers = new QLabel(resultBox);
    m_numbers->setObjectName(QStringLiteral("takeNumbersInfo"));
    m_numbers->setWordWrap(true);
    QFont small = m_numbers->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_numbers->setFont(small);
    resultLayout->addWidget(m_numbers);
    auto* playRow = new QHBoxLayout;
    m_audition = new QPushButton(tr("Audition"), resultBox);
    m_audition->setObjectName(QStringLiteral("auditionButton"));
    m_audition->setToolTip(tr("Play the primer and this variation"));
    m_stop = new QPushButton(tr("Stop"), resultBox);
    m_stop->setObjectName(QStringLiteral("stopAuditionButton"));
    m_loop = new QCheckBox(tr("Loop"), resultBox);
    m_loop->setObjectName(QStringLiteral("loopAuditionCheck"));
    connect(m_audition, &QPushButton::clicked, this, [this] { audition(currentVariation()); });
    connect(m_stop, &QPushButton::clicked, this, &GeneratePanel::auditionStopRequested);
    playRow->addWidget(m_audition, 1);
    playRow->addWidget(m_stop);
    playRow->addWidget(m_loop);
    resultLayout->addLayout(playRow);
    // What accepting will change, said before it is done.
    m_acceptInfo = new QLabel(resultBox);
    m_acceptInfo->setObjectName(QStringLiteral("acceptInfo"));
    m_acceptInfo->setWordWrap(true);
    m_acceptInfo->setFont(small);
    resultLayout->addWidget(m_acceptInfo);
    auto* keepRow = new QHBoxLayout;
    m_acceptMode = new QComboBox(resultBox);
    m_acceptMode->setObjectName(QStringLiteral("acceptModeBox"));
    m_acceptMode->addItem(tr("Replace"), int(AcceptMode::Replace));
    m_acceptMode->addItem(tr("Merge"), int(AcceptMode::Merge));
    m_acceptMode->addItem(tr("New track"), int(AcceptMode::NewTrack));
    m_acceptMode->setToolTip(tr("Replace the bars' notes, add to them, or put the take into a "
                                "new track"));
    connect(m_acceptMode, &QComboBox::currentIndexChanged, this, [this] { updateButtons(); });
    keepRow->addWidget(m_acceptMode);
    m_accept = new QPushButton(tr("Accept"), resultBox);
    m_accept->setObjectName(QStringLiteral("acceptButton"));
    m_discard = new QPushButton(tr("Discard"), resultBox);
    m_discard->setObjectName(QStringLiteral("discardButton"));
    connect(m_accept, &QPushButton::clicked, this, [this] { accept(currentVariation()); });
    connect(m_discard, &QPushButton::clicked, this, [this] { discard(currentVariation()); });
    keepRow->addWidget(m_accept, 1);
    keepRow->addWidget(m_discard);
    resultLayout->addLayout(keepRow);

    return resultBox;
}

QWidget* GeneratePanel::buildTakesBox() {
    auto* box = new QWidget(this);
    box->setToolTip(tr("Every variation written, kept in the project with how it was made"));
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 4, 0, 0);
    m_takesView = new TakesView(box);
    layout->addWidget(m_takesView);
    connect(m_takesView, &TakesView::showRequested, this, &GeneratePanel::showTake);
    connect(m_takesView, &TakesView::againRequested, this, &GeneratePanel::againWithSeed);
    connect(m_takesView, &TakesView::auditionRequested, this, [this](int take) {
        if (showTake(take))
            audition(currentVariation());
    });
    connect(m_takesView, &TakesView::acceptBarRequested, this, &GeneratePanel::acceptTakeBar);
    return box;
}

} // namespace torchestra::ui
