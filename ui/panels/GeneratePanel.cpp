#include "ui/panels/GeneratePanel.h"

#include "project/GeneralMidi.h"
#include "ui/panels/ModelLibrary.h"
#include "ui/panels/TakeNumbers.h"
#include "ui/panels/TakesView.h"
#include "ui/panels/TrainingScan.h"
#include "ui/pianoroll/PianoRollView.h"

#include "ml/BuiltinModels.h"
#include "ml/Representation.h"
#include "ml/Scales.h"
#include "ml/Trainer.h"
#include "model/EditCommands.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <utility>

namespace torchestra::ui {

namespace {

// Distinct on dark and light backgrounds, and unlike the track palette's muted tones.
const QColor kVariationColours[] = {QColor(0xff, 0xb3, 0x2e), QColor(0x3d, 0xe0, 0xc8),
                                    QColor(0xff, 0x6e, 0xc7), QColor(0xa6, 0xe2, 0x2e),
                                    QColor(0x8c, 0x9e, 0xff), QColor(0xff, 0x7a, 0x5c),
                                    QColor(0x5c, 0xc8, 0xff), QColor(0xe6, 0xdb, 0x74)};

QIcon swatch(const QColor& colour) {
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(colour.darker(140));
    p.setBrush(colour);
    p.drawRoundedRect(QRectF(1.5, 1.5, 11, 11), 3, 3);
    return QIcon(pixmap);
}

struct SampleOutcome {
    std::vector<std::vector<model::Note>> variations;
    std::vector<ml::FrameSequence> takes; // the same on the grid, for their numbers
    std::vector<int> sampled;             // their places among the takes sampled
    std::vector<double> scores;           // the scores they were chosen by
    QString checkpointHash;               // of the model's file as it was sampled
    bool cancelled = false;
};

} // namespace

void GeneratePanel::activeTrackChanged() {
    const model::Track* track = m_song.track(m_pianoRoll->activeTrack());
    if (!track || !m_rangeFromInstrument->isChecked())
        return;
    const project::gm::PitchRange range =
        project::gm::instrumentRange(track->properties.channel, track->initialProgram());
    // Derived from the track, not a change of the project: no settingsChanged (a project whose
    // range follows the instrument derives it again when it is opened).
    const bool restoring = std::exchange(m_restoring, true);
    m_settingRange = true;
    m_low->setValue(std::max(m_low->minimum(), range.low));
    m_high->setValue(std::min(m_high->maximum(), range.high));
    m_settingRange = false;
    m_restoring = restoring;
}

// A track whose notes never overlap (on the grid's ticks): a melody, a solo instrument.
bool GeneratePanel::playsOneNoteAtATime(const model::Track& track) {
    model::Tick soundingUntil = 0;
    bool any = false;
    for (const model::Note& n : track.notes()) { // by start
        if (any && n.start < soundingUntil)
            return false;
        soundingUntil = std::max(soundingUntil, n.start + n.length);
        any = true;
    }
    return any; // an empty track says nothing: no limit
}

QColor GeneratePanel::variationColour(std::size_t index) {
    return kVariationColours[index % std::size(kVariationColours)];
}

GeneratePanel::GeneratePanel(const model::Song& song, model::UndoStack& undoStack,
                             PianoRollView* pianoRoll, ModelLibrary* library, QWidget* parent)
    : QWidget(parent), m_song(song), m_undoStack(undoStack), m_pianoRoll(pianoRoll),
      m_library(library), m_assessor(new TakeAssessor(this)) {
    m_assessor->setCacheDirectory(trainingCacheDirectory());
    connect(m_assessor, &TakeAssessor::assessed, this, &GeneratePanel::assessed);
    buildUi();
    updateButtons();
}

GeneratePanel::~GeneratePanel() {
    // A sampling job still running stops at its next step; its result goes nowhere (the
    // watcher is a child of this panel).
    if (m_cancelFlag)
        m_cancelFlag->store(true);
}

QString GeneratePanel::modelPath() const {
    return m_library->reference(m_model->currentIndex());
}

void GeneratePanel::setModelPath(const QString& path) {
    if (path.isEmpty())
        return;
    const int row = m_library->rowOf(path);
    if (row >= 0) {
        m_restoring = true;
        m_model->setCurrentIndex(row);
        m_restoring = false;
        return;
    }
    // Not listed yet: chosen when it is (from the library folder, or loaded from elsewhere; a
    // built-in by its reference, wherever the program keeps it).
    const bool builtin = path.startsWith(QLatin1String(ml::kBuiltinPrefix));
    m_pendingModelPath = builtin ? path : QFileInfo(path).absoluteFilePath();
    if (builtin || QFileInfo::exists(path))
        m_library->load(path);
}

std::shared_ptr<const ml::SequenceModel> GeneratePanel::chosenModel() const {
    const int row = m_model->currentIndex();
    if (row < 0 || row >= m_library->count())
        return nullptr;
    return m_library->entry(row).model;
}

// --- Generating ---------------------------------------------------------------------------

QString GeneratePanel::stateName(State state) {
    switch (state) {
    case State::Idle:
        return QStringLiteral("idle");
    case State::Generating:
        return QStringLiteral("generating");
    case State::Done:
        return QStringLiteral("done");
    case State::Cancelled:
        return QStringLiteral("cancelled");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

bool GeneratePanel::selectedBars(model::Tick& from, model::Tick& to) const {
    const PianoRollView* roll = m_pianoRoll;
    const model::Song& song = m_song;
    const model::TempoMap& map = song.tempoMap();
    model::Tick a = 0, b = 0;
    if (roll->hasLoopRange()) {
        a = roll->loopStart();
        b = roll->loopEnd();
    } else if (!roll->selection().empty()) {
        const model::Track* track = song.track(roll->activeTrack());
        if (!track)
            return false;
        a = std::numeric_limits<model::Tick>::max();
        for (model::NoteId id : roll->selection()) {
            if (const model::Note* n = track->findNote(id)) {
                a = std::min(a, n->start);
                b = std::max(b, std::max(n->end(), n->start + 1));
            }
        }
        if (b <= a)
            return false;
    } else {
        return false;
    }
    from = map.barToTick(map.barAtTick(a));
    to = map.barToTick(map.barAtTick(std::max(a, b - 1)) + 1);
    return to > from;
}

bool GeneratePanel::generate() {
    const model::TempoMap& map = m_song.tempoMap();
    model::Tick from = 0, to = 0;
    if (m_usePrimer->isChecked() && selectedBars(from, to))
        return start(from, to, map.barToTick(map.barAtTick(to) + m_bars->value()), false);
    const model::Tick at = map.barToTick(map.barAtTick(m_pianoRoll->playheadTick()));
    return start(at, at, map.barToTick(map.barAtTick(at) + m_bars->value()), false);
}

bool GeneratePanel::regenerateSelection() {
    model::Tick from = 0, to = 0;
    if (!selectedBars(from, to)) {
        m_error = tr("Select the bars to rewrite first (a loop range in the ruler, or notes).");
        setState(State::Failed, m_error);
        return false;
    }
    // Primed by up to four bars before the selection, when there are any.
    const model::TempoMap& map = m_song.tempoMap();
    const model::Tick primer =
        m_usePrimer->isChecked() ? map.barToTick(std::max<std::int64_t>(0, map.barAtTick(from) - 4))
                                 : from;
    return start(primer, from, to, true);
}

bool GeneratePanel::start(model::Tick primerFrom, model::Tick from, model::Tick to,
                          bool regenerate) {
    if (m_state == State::Generating)
        return false;
    const double againNoiseCarry = std::exchange(m_againNoiseCarry, -1.0);
    activeTrackChanged(); // the instrument may have changed since the track was chosen
    const std::shared_ptr<const ml::SequenceModel> sampler = chosenModel();
    const model::Song& song = m_song;
    const model::TrackId track = m_pianoRoll->activeTrack();
    const model::Track* trackPtr = song.track(track);
    const ml::RepresentationConfig& rep =
        sampler ? sampler->representation() : ml::RepresentationConfig{};
    const model::Tick stepTicks = sampler ? ml::ticksPerStep(song, rep) : 0;
    ml::KeyMask key;
    m_error = startProblem(sampler.get(), trackPtr, stepTicks, key);
    if (!m_error.isEmpty()) {
        setState(State::Failed, m_error);
        return false;
    }
    ml::SampleRequest request = sampleRequest(rep, track, primerFrom, from, to, stepTicks, key);
    request.noiseCarry = againNoiseCarry >= 0 ? againNoiseCarry : request.noiseCarry; // Again
    CandidateChoice choice = planRun(*sampler, request, track, to, regenerate);
    const std::uint8_t channel = trackPtr->properties.channel;
    TakeAssessor::Request judging;
    judging.modelPath = modelPath();
    judging.model = sampler;
    judging.metadata = m_library->entry(m_model->currentIndex()).metadata;
    judging.primer = request.primer;

    discardAll();
    m_primerFrom = primerFrom;
    m_targetFrom = from;
    m_targetTo = to;
    m_targetTrack = track;
    m_provenance = provenance(request, primerFrom, from, to, track, regenerate);
    if (sampler->config().kind == ml::ModelKind::Gan) { // so that Again makes the same take
        m_provenance.constraints.insert(QStringLiteral("noiseCarry"), request.noiseCarry);
        m_provenance.constraints.insert(QStringLiteral("shortestNote"),
                                        m_shortestNote->currentData().toInt());
    }
    const std::uint64_t generation = ++m_generation;
    m_cancelFlag = std::make_shared<std::atomic<bool>>(false);
    auto cancelFlag = m_cancelFlag;

    auto* watcher = new QFutureWatcher<SampleOutcome>(this);
    connect(watcher, &QFutureWatcher<SampleOutcome>::finished, this,
            [this, watcher, generation, judging = std::move(judging)]() mutable {
                watcher->deleteLater();
                SampleOutcome out = watcher->future().takeResult();
                judging.takes = std::move(out.takes);
                if (generation == m_generation)
                    m_provenance.checkpointHash = out.checkpointHash;
                finished(generation, std::move(out.variations), out.cancelled, std::move(judging),
                         std::move(out.sampled), std::move(out.scores));
            });
    watcher->setFuture(
        QtConcurrent::run([sampler, request = std::move(request), choice = std::move(choice), rep,
                           from, stepTicks, channel, cancelFlag, path = m_provenance.modelPath] {
            SampleOutcome out;
            out.checkpointHash = project::checkpointHash(path); // off the GUI thread: file I/O
            ChosenTakes chosen = chooseTakes(*sampler, sampler->sample(request, cancelFlag.get()),
                                             choice, cancelFlag.get());
            if (cancelFlag->load() || chosen.takes.empty()) {
                out.cancelled = true;
                return out;
            }
            for (const ml::FrameSequence& seq : chosen.takes)
                out.variations.push_back(ml::sequenceToNotes(seq, rep, from, stepTicks, channel));
            out.takes = std::move(chosen.takes);
            out.sampled = std::move(chosen.sampled);
            out.scores = std::move(chosen.scores);
            return out;
        }));
    m_busy->setRange(0, 0);
    setState(State::Generating,
             tr("Writing %n variation(s) of %1 bars\u2026", nullptr, m_count->value())
                 .arg(song.tempoMap().barAtTick(to) - song.tempoMap().barAtTick(from)));
    return true;
}

// "Best of N": N takes sampled, the variations chosen among them by the music after the bars
// (up to four of them) when rewriting inside the song, else by their likelihood.
CandidateChoice GeneratePanel::planRun(const ml::SequenceModel& sampler, ml::SampleRequest& request,
                                       model::TrackId track, model::Tick to, bool regenerate) {
    request.variations = std::max(m_count->value(), m_candidates->value());
    ml::FrameSequence after;
    const model::TempoMap& map = m_song.tempoMap();
    if (regenerate && to < m_song.endTick()) {
        ml::TrackSelection selection;
        selection.tracks = {track};
        after = ml::songToSequence(m_song, sampler.representation(), selection, to,
                                   map.barToTick(map.barAtTick(to) + ml::kFollowingBars));
    }
    CandidateChoice choice =
        planChoice(sampler, request.variations, m_count->value(), request.primer, after);
    choice.only = std::exchange(m_againSampled, -1);
    m_rankBy = choice.only >= 0 ? ml::RankBy::None : choice.by;
    return choice;
}

QString GeneratePanel::startProblem(const ml::SequenceModel* sampler, const model::Track* track,
                                    model::Tick stepTicks, ml::KeyMask& key) const {
    if (!sampler)
        return tr("Choose a model first (train one in the Train panel).");
    if (!track)
        return tr("Choose the track to write into.");
    if (m_low->value() > m_high->value())
        return tr("The pitch range is empty.");
    if (stepTicks <= 0)
        return tr("The song's resolution (%1 PPQ) does not divide into the model's grid.")
            .arg(m_song.ppq());
    const QString keyText = settings().value(QStringLiteral("key")).toString();
    if (const std::string err = ml::parseKey(keyText.toStdString(), key); !err.empty())
        return QString::fromStdString(err);
    return {};
}

ml::SampleRequest GeneratePanel::sampleRequest(const ml::RepresentationConfig& rep,
                                               model::TrackId track, model::Tick primerFrom,
                                               model::Tick from, model::Tick to,
                                               model::Tick stepTicks,
                                               const ml::KeyMask& key) const {
    ml::SampleRequest request;
    ml::TrackSelection selection;
    selection.tracks = {track};
    if (from > primerFrom)
        request.primer = ml::songToSequence(m_song, rep, selection, primerFrom, from);
    else
        request.primer.resize(0, rep.pitches(), rep.onsets);
    request.future.resize(int((to - from) / stepTicks), rep.pitches(), rep.onsets);
    ml::fillMetre(m_song.tempoMap(), rep, from, stepTicks, request.future);
    // The bar after, where the song goes on: a GAN fits its last bar to it (an infill).
    const model::TempoMap& map = m_song.tempoMap();
    if (to < m_song.endTick())
        request.following =
            ml::songToSequence(m_song, rep, selection, to, map.barToTick(map.barAtTick(to) + 1));
    request.temperature = m_temperature->value();
    useModelSampling(request);
    request.seed = std::uint64_t(m_seed->value());
    request.variations = m_count->value();
    request.constraints.lowPitch = m_low->value();
    request.constraints.highPitch = m_high->value();
    request.constraints.scaleMask = key.mask;
    request.constraints.density = m_density->value();
    if (m_voices->value() > 0 || playsOneNoteAtATime(*m_song.track(track))) // else the model's
        request.constraints.maxPolyphony = std::max(m_voices->value(), 1);
    return request;
}

void GeneratePanel::cancel() {
    if (m_state != State::Generating)
        return;
    m_cancelFlag->store(true);
    ++m_generation; // whatever the worker still returns is dropped
    m_busy->setRange(0, 1);
    m_busy->setValue(0);
    setState(State::Cancelled, tr("Cancelled"));
}

void GeneratePanel::finished(std::uint64_t generation, std::vector<std::vector<model::Note>> result,
                             bool cancelled, TakeAssessor::Request judging,
                             std::vector<int> sampled, std::vector<double> scores) {
    if (generation != m_generation)
        return;
    m_busy->setRange(0, 1);
    m_busy->setValue(0);
    if (cancelled) {
        setState(State::Cancelled, tr("Cancelled"));
        return;
    }
    m_variations.clear();
    for (std::size_t i = 0; i < result.size(); ++i) {
        m_variations.push_back(
            {QString(), std::move(result[i]), variationColour(i), int(i), {}, -1, {}});
        if (i < sampled.size())
            m_variations.back().sampled = sampled[i];
        if (i < scores.size())
            m_variations.back().score = scores[i];
    }
    keepTakes();
    // The takes show now; their numbers follow from a worker.
    m_validationNll = judging.metadata.bestValidLoss;
    m_trainingFiles = judging.metadata.files.size();
    m_numbersPending = !m_variations.empty();
    if (m_numbersPending) {
        m_numbers->setText(tr("Working out each take's numbers: closeness to the training "
                              "music, NLL, verbatim copies\u2026"));
        m_assessor->assess(generation, std::move(judging));
    }
    showVariations();
    m_resultTabs->setCurrentIndex(0);
    const model::TempoMap& map = m_song.tempoMap();
    setState(State::Done, tr("%n variation(s) for bars %1\u2013%2: audition, accept or discard.",
                             nullptr, int(m_variations.size()))
                              .arg(map.barAtTick(m_targetFrom) + 1)
                              .arg(map.barAtTick(m_targetTo - 1) + 1));
}

project::TakeProvenance GeneratePanel::provenance(const ml::SampleRequest& request,
                                                  model::Tick primerFrom, model::Tick from,
                                                  model::Tick to, model::TrackId track,
                                                  bool regenerate) const {
    project::TakeProvenance p;
    const int row = m_model->currentIndex();
    if (row >= 0 && row < m_library->count())
        p.model = m_library->entry(row).name;
    p.modelPath = modelPath();
    p.seed = request.seed;
    p.variations = request.variations;
    p.temperature = request.temperature;
    const QJsonObject s = settings();
    for (const char* key : {"key", "lowPitch", "highPitch", "density"})
        p.constraints.insert(QLatin1String(key), s.value(QLatin1String(key)));
    // The voices used, not "as the track": the track may change before the take is made again.
    p.constraints.insert(QStringLiteral("voices"), request.constraints.maxPolyphony);
    if (request.variations > m_count->value()) // chosen from many: Again picks it out of them
        p.constraints.insert(QStringLiteral("candidates"), request.variations);
    p.primerFrom = primerFrom;
    p.from = from;
    p.to = to;
    p.track = std::max(0, m_song.trackIndex(track));
    p.regenerated = regenerate;
    p.time = QDateTime::currentDateTimeUtc();
    return p;
}

// The run's variations become takes, named in order after the project's last.
void GeneratePanel::keepTakes() {
    for (Variation& v : m_variations) {
        project::Take take;
        take.name = project::nextTakeName(m_takes);
        take.notes = v.notes;
        take.provenance = m_provenance;
        take.provenance.variation = v.sampled >= 0 ? v.sampled : v.take;
        v.name = take.name;
        m_takes.push_back(std::move(take));
    }
    if (!m_variations.empty()) {
        refreshTakes();
        emit takesChanged();
    }
}

void GeneratePanel::setState(State state, const QString& message) {
    m_state = state;
    if (!message.isEmpty())
        m_status->setText(message);
    updateButtons();
    emit stateChanged(state);
}

void GeneratePanel::showVariations() {
    const int keep = m_list->currentRow();
    m_list->clear();
    for (std::size_t i = 0; i < m_variations.size(); ++i) {
        auto* item = new QListWidgetItem(swatch(m_variations[i].colour), QString(), m_list);
        item->setData(Qt::UserRole, int(i));
        fillItem(item, i);
    }
    if (!m_variations.empty())
        m_list->setCurrentRow(std::clamp(keep, 0, int(m_variations.size()) - 1));
    else
        stopNumbers(); // nothing left to judge
    updateOverlays();
    updateButtons();
    emit variationsChanged();
}

void GeneratePanel::fillItem(QListWidgetItem* item, std::size_t index) const {
    const Variation& v = m_variations[index];
    int low = 127, high = 0;
    for (const model::Note& n : v.notes) {
        low = std::min<int>(low, n.pitch);
        high = std::max<int>(high, n.pitch);
    }
    QString title = tr("Take %1  \u00b7  %n note(s)", nullptr, int(v.notes.size())).arg(v.name);
    if (!v.notes.empty())
        title += QStringLiteral("  \u00b7  %1\u2013%2")
                     .arg(project::gm::pitchName(low), project::gm::pitchName(high));
    const ml::TakeAssessment* a = v.assessment ? &*v.assessment : nullptr;
    QString numbers = takenumbers::numbersLine(a);
    if (v.score)
        numbers = scoreText(m_rankBy, *v.score) + QStringLiteral("  \u00b7  ") + numbers;
    const int firstBar = int(m_song.tempoMap().barAtTick(m_targetFrom)) + 1;
    const QString warning = a ? takenumbers::warningLine(*a, firstBar) : QString();
    item->setData(takenumbers::TitleRole, title);
    item->setData(takenumbers::NumbersRole, numbers);
    item->setData(takenumbers::WarningRole, warning);
    item->setText(warning.isEmpty()
                      ? title + QLatin1Char('\n') + numbers
                      : title + QLatin1Char('\n') + numbers + QLatin1Char('\n') + warning);
    item->setToolTip(a ? takenumbers::tooltip(*a, firstBar, m_validationNll) : QString());
}

void GeneratePanel::assessed(std::uint64_t generation,
                             const std::vector<ml::TakeAssessment>& results) {
    if (generation != m_generation || !m_numbersPending)
        return;
    m_numbersPending = false;
    for (Variation& v : m_variations)
        if (v.take >= 0 && std::size_t(v.take) < results.size())
            v.assessment = results[std::size_t(v.take)];
    for (int row = 0; row < m_list->count(); ++row)
        fillItem(m_list->item(row), std::size_t(row));
    m_numbers->setText(results.empty() ? QString()
                                       : takenumbers::summary(results.front(), m_trainingFiles));
    emit takesAssessed();
}

void GeneratePanel::stopNumbers() {
    if (m_numbersPending)
        m_assessor->cancel();
    m_numbersPending = false;
    m_numbers->clear();
}

void GeneratePanel::updateOverlays() {
    std::vector<PianoRollView::NoteOverlay> layers;
    const int current = currentVariation();
    for (std::size_t i = 0; i < m_variations.size(); ++i)
        layers.push_back({m_variations[i].notes, m_variations[i].colour, int(i) == current});
    m_pianoRoll->setNoteOverlays(std::move(layers));
}

void GeneratePanel::updateButtons() {
    const bool busy = m_state == State::Generating;
    const bool haveModel =
        m_model->currentIndex() >= 0 && m_model->currentIndex() < m_library->count();
    m_generate->setEnabled(!busy && haveModel);
    m_regenerate->setEnabled(!busy && haveModel);
    m_cancel->setEnabled(busy);
    const bool chosen = currentVariation() >= 0;
    m_audition->setEnabled(chosen);
    m_accept->setEnabled(chosen);
    m_discard->setEnabled(chosen);
    m_acceptMode->setEnabled(chosen);
    QString what = chosen ? acceptDescription(currentVariation()) : QString();
    if (!what.isEmpty())
        what[0] = what[0].toUpper(); // a sentence of its own here
    m_acceptInfo->setText(what);
}

int GeneratePanel::currentVariation() const {
    const int row = m_list->currentRow();
    return row >= 0 && row < int(m_variations.size()) ? row : -1;
}

void GeneratePanel::setCurrentVariation(int index) {
    m_list->setCurrentRow(index);
}

// --- Using the result ---------------------------------------------------------------------

bool GeneratePanel::accept(int index) {
    if (index < 0 || index >= int(m_variations.size()))
        return false;
    const model::Song& song = m_song;
    if (!song.track(m_targetTrack)) {
        m_error = tr("The track the variation was written for is gone.");
        setState(State::Failed, m_error);
        return false;
    }
    const QString description = acceptDescription(index);
    std::unique_ptr<model::Command> command = acceptCommand(m_variations[std::size_t(index)]);
    if (!command)
        return false;
    m_undoStack.push(std::move(command));
    // The variations leave the view with the accept and come back if it is undone.
    m_accepted = std::move(m_variations);
    m_acceptedIndex = m_undoStack.index();
    m_acceptedRow = index;
    m_variations.clear();
    showVariations();
    m_status->setText(
        tr("Done: %1. Undo takes it back and brings the variations back.").arg(description));
    emit accepted(index);
    return true;
}

void GeneratePanel::discard(int index) {
    if (index < 0 || index >= int(m_variations.size()))
        return;
    m_variations.erase(m_variations.begin() + index);
    showVariations();
}

void GeneratePanel::undoStackChanged() {
    // The accept was undone: its variations are back, and the status no longer says it holds.
    if (m_acceptedIndex < 0 || m_undoStack.index() >= m_acceptedIndex)
        return;
    m_acceptedIndex = -1;
    if (!m_variations.empty() || m_state == State::Generating) {
        m_accepted.clear(); // the view moved on to other variations
        return;
    }
    m_variations = std::move(m_accepted);
    m_accepted.clear();
    showVariations();
    setCurrentVariation(m_acceptedRow);
    m_status->setText(tr("Accepting take %1 was undone: the variations are back.")
                          .arg(m_variations[std::size_t(m_acceptedRow)].name));
}

void GeneratePanel::discardAll() {
    m_accepted.clear();
    m_acceptedIndex = -1;
    if (m_variations.empty() && m_list->count() == 0)
        return;
    m_variations.clear();
    showVariations();
}

bool GeneratePanel::audition(int index) {
    if (index < 0 || index >= int(m_variations.size()) || !m_song.track(m_targetTrack))
        return false;
    // The song as it would be with the variation accepted: a copy, so the live song and its
    // undo history stay as they are.
    model::Song preview = m_song;
    if (std::unique_ptr<model::Command> command =
            model::replaceRange(preview, m_targetTrack, m_targetFrom, m_targetTo,
                                m_variations[std::size_t(index)].notes))
        command->redo(preview);
    emit auditionRequested(preview, m_primerFrom, m_targetTo, m_loop->isChecked());
    return true;
}

} // namespace torchestra::ui
