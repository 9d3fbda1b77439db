#include "ui/panels/ProbabilityOverlay.h"

#include "ui/pianoroll/PianoRollKeys.h"
#include "ui/pianoroll/PianoRollView.h"

#include "ml/Representation.h"
#include "model/EditCommands.h"
#include "model/UndoStack.h"
#include "project/GeneralMidi.h"

#include <QFutureWatcher>
#include <QKeyEvent>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <exception>

namespace torchestra::ui {

namespace {

constexpr int kLikelyFrom = 50;  // percent: Enter adds every pitch at least this likely
constexpr int kNamedPitches = 3; // the likeliest pitches the message names
constexpr std::uint8_t kDefaultVelocity = 96;

} // namespace

// One computed outlook and what it was computed for.
struct ProbabilityOverlay::Result {
    ml::PitchOutlook outlook;
    int lowPitch = 0; // MIDI pitch of the outlook's pitch 0
    model::TrackId track = model::kNoTrack;
    model::Tick stepTicks = 0;
    std::string error;
};

ProbabilityOverlay::ProbabilityOverlay(model::Song& song, model::UndoStack& undoStack,
                                       PianoRollView* view, QObject* parent)
    : QObject(parent), m_song(song), m_undoStack(undoStack), m_view(view) {
    m_song.addListener(this);
    view->installEventFilter(this);
    connect(view, &PianoRollView::outlookStepRequested, this, &ProbabilityOverlay::step);
    connect(view, &PianoRollView::outlookChordRequested, this,
            &ProbabilityOverlay::addLikeliestChord);
    connect(view, &PianoRollView::outlookPitchRequested, this, &ProbabilityOverlay::addPitch);
    connect(view, &PianoRollView::selectionChanged, this, [this] {
        if (m_shown && !m_view->selection().empty())
            setCursor(cursorAfterSelection());
    });
    connect(view, &PianoRollView::playheadMoveRequested, this, [this](model::Tick tick) {
        if (m_shown)
            setCursor(tick);
    });
}

ProbabilityOverlay::~ProbabilityOverlay() {
    if (m_cancel)
        m_cancel->store(true);
    m_song.removeListener(this);
}

void ProbabilityOverlay::setModel(std::shared_ptr<const ml::SequenceModel> model,
                                  const QString& name) {
    if (model == m_model && name == m_modelName)
        return;
    m_model = std::move(model);
    m_modelName = name;
    m_result.reset();
    songEdited();
}

void ProbabilityOverlay::setShown(bool shown) {
    if (shown == m_shown)
        return;
    m_shown = shown;
    if (!shown) {
        if (m_cancel)
            m_cancel->store(true);
        ++m_generation;
        m_computing = false;
        m_pendingChord = false;
        m_view->setPitchOutlook({});
        return;
    }
    setCursor(m_view->selection().empty() ? m_view->playheadTick() : cursorAfterSelection());
    if (m_stale)
        compute();
    refresh();
}

bool ProbabilityOverlay::eventFilter(QObject* watched, QEvent* event) {
    if (m_shown && watched == m_view && event->type() == QEvent::ShortcutOverride) {
        const auto* key = static_cast<QKeyEvent*>(event);
        const bool control = key->modifiers() & Qt::ControlModifier;
        for (const PianoRollKeyBinding& binding : pitchOutlookKeyBindings())
            if (!control && std::find(binding.keys.begin(), binding.keys.end(), key->key()) !=
                                binding.keys.end())
                event->accept(); // the key goes to the roll, the shortcut stays quiet
    }
    return QObject::eventFilter(watched, event);
}

void ProbabilityOverlay::activeTrackChanged() {
    songEdited();
}

model::Tick ProbabilityOverlay::stepTicks() const {
    const model::Tick step = m_model ? ml::ticksPerStep(m_song, m_model->representation()) : 0;
    return step > 0 ? step : m_view->editGridTicks();
}

model::Tick ProbabilityOverlay::cursorAfterSelection() const {
    model::Tick end = 0;
    if (const model::Track* track = m_song.track(m_view->activeTrack()))
        for (model::NoteId id : m_view->selection())
            if (const model::Note* note = track->findNote(id))
                end = std::max(end, note->end());
    const model::Tick step = stepTicks();
    return (end + step - 1) / step * step;
}

void ProbabilityOverlay::setCursor(model::Tick tick) {
    const model::Tick step = stepTicks();
    m_cursor = std::max<model::Tick>(0, tick) / step * step;
    if (m_shown) {
        m_view->ensureTickVisible(m_cursor);
        refresh();
    }
}

void ProbabilityOverlay::step(int direction, bool wholeBar) {
    if (!wholeBar) {
        setCursor(m_cursor + direction * stepTicks());
        return;
    }
    const model::TempoMap& map = m_song.tempoMap();
    const std::int64_t bar = map.barAtTick(m_cursor);
    const bool onBarLine = map.barToTick(bar) == m_cursor;
    setCursor(map.barToTick(direction > 0 ? bar + 1 : onBarLine ? bar - 1 : bar));
}

// --- Computing -------------------------------------------------------------------------------

void ProbabilityOverlay::songEdited() {
    m_stale = true;
    if (!m_shown)
        return;
    if (!m_computePending) {
        // Coalesces the notifications of one edit (and of a drag's many moves in one turn).
        m_computePending = true;
        QTimer::singleShot(0, this, [this] {
            m_computePending = false;
            compute();
        });
    }
    refresh();
}

void ProbabilityOverlay::compute() {
    if (m_cancel)
        m_cancel->store(true);
    const std::uint64_t generation = ++m_generation;
    m_computing = false;
    const model::TrackId track = m_view->activeTrack();
    if (!m_shown || !m_model || !m_song.track(track)) {
        refresh();
        return;
    }
    const ml::RepresentationConfig& rep = m_model->representation();
    auto result = std::make_shared<Result>();
    result->track = track;
    result->lowPitch = rep.lowPitch;
    result->stepTicks = ml::ticksPerStep(m_song, rep);
    if (result->stepTicks <= 0) {
        result->error =
            tr("the song's resolution has no whole number of ticks per step").toStdString();
        finished(generation, result);
        return;
    }
    // The track, and one bar after its end: the cursor may sit where the music would go on.
    const model::TempoMap& map = m_song.tempoMap();
    ml::TrackSelection selection;
    selection.tracks = {track};
    ml::FrameSequence seq = ml::songToSequence(m_song, rep, selection, 0,
                                               map.barToTick(map.barAtTick(m_song.endTick()) + 2));
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_computing = true;
    auto* watcher = new QFutureWatcher<std::shared_ptr<Result>>(this);
    connect(watcher, &QFutureWatcher<std::shared_ptr<Result>>::finished, this,
            [this, watcher, generation] {
                watcher->deleteLater();
                finished(generation, watcher->future().result());
            });
    watcher->setFuture(
        QtConcurrent::run([model = m_model, seq = std::move(seq), cancel = m_cancel, result]() {
            try {
                result->outlook = model->outlook(seq, cancel.get());
            } catch (const std::exception& e) {
                result->error = e.what();
            }
            return result;
        }));
    refresh();
}

void ProbabilityOverlay::finished(std::uint64_t generation, std::shared_ptr<Result> result) {
    if (generation != m_generation)
        return; // a newer request (or hiding) replaced it
    m_computing = false;
    m_stale = false;
    m_result = std::move(result);
    refresh();
    emit computed();
    if (m_pendingChord) {
        m_pendingChord = false;
        addLikeliestChord();
    }
}

// --- Showing ---------------------------------------------------------------------------------

bool ProbabilityOverlay::ready() const {
    return m_shown && !m_stale && !m_computing && m_result &&
           m_result->track == m_view->activeTrack();
}

std::vector<float> ProbabilityOverlay::startingAtCursor() const {
    if (!m_result || m_result->outlook.steps == 0 || m_result->stepTicks <= 0 ||
        m_result->track != m_view->activeTrack())
        return {};
    const ml::PitchOutlook& o = m_result->outlook;
    const model::Tick row = m_cursor / m_result->stepTicks;
    if (row >= o.steps)
        return {};
    std::vector<float> out(128, 0.f);
    for (int p = 0; p < o.pitches; ++p) {
        const int pitch = m_result->lowPitch + p;
        if (pitch >= 0 && pitch < 128)
            out[std::size_t(pitch)] = o.start(int(row), p);
    }
    return out;
}

QString ProbabilityOverlay::describe(const std::vector<float>& starting) const {
    if (!m_model)
        return tr("Choose a model in the Generate panel to see what it expects here");
    if (!m_song.track(m_view->activeTrack()))
        return tr("Select a track to see what %1 expects in it").arg(m_modelName);
    if (!m_result || m_result->track != m_view->activeTrack())
        return tr("Working out what %1 expects…").arg(m_modelName);
    if (!m_result->error.empty())
        return tr("No probabilities: %1").arg(QString::fromStdString(m_result->error));
    if (m_result->outlook.steps == 0)
        return tr("%1 writes whole bars: it has no step-by-step probabilities to show")
            .arg(m_modelName);
    if (starting.empty())
        return tr("Past the end of the song");
    std::vector<int> order(128);
    for (int p = 0; p < 128; ++p)
        order[std::size_t(p)] = p;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return starting[std::size_t(a)] > starting[std::size_t(b)];
    });
    QStringList likely;
    for (int i = 0; i < kNamedPitches && starting[std::size_t(order[std::size_t(i)])] >= 0.005f;
         ++i)
        likely << QStringLiteral("%1 %2%").arg(
            project::gm::pitchName(order[std::size_t(i)]),
            QString::number(int(starting[std::size_t(order[std::size_t(i)])] * 100 + 0.5)));
    const QString where =
        QString::fromStdString(m_song.tempoMap().tickToBarBeatTick(m_cursor).toString());
    // The model is named in the Generate panel; the line is for the numbers.
    QString text = likely.isEmpty() ? tr("At %1 nothing new starts").arg(where)
                                    : tr("At %1: %2").arg(where, likely.join(", "));
    if (m_result->outlook.samples > 0)
        text += tr(" (estimate, %n draws)", nullptr, m_result->outlook.samples);
    if (m_stale || m_computing)
        text += tr(" — updating…");
    return text;
}

void ProbabilityOverlay::refresh() {
    if (!m_shown)
        return;
    PitchOutlookStrip strip;
    strip.visible = true;
    strip.cursor = m_cursor;
    strip.stepTicks = stepTicks();
    strip.starting = startingAtCursor();
    strip.stale = !ready();
    strip.message = describe(strip.starting);
    m_view->setPitchOutlook(std::move(strip));
}

// --- Adding notes ----------------------------------------------------------------------------

std::vector<int> ProbabilityOverlay::likeliestChord() const {
    const std::vector<float> starting = startingAtCursor();
    const model::Track* track = m_song.track(m_view->activeTrack());
    if (starting.empty() || !track)
        return {};
    std::vector<bool> taken(128, false); // the track already starts these at the cursor
    track->forEachNoteInRange(m_cursor, m_cursor + 1, [&](const model::Note& n) {
        if (n.start == m_cursor)
            taken[n.pitch] = true;
    });
    std::vector<int> chord;
    int best = -1;
    for (int p = 0; p < 128; ++p) {
        if (taken[std::size_t(p)])
            continue;
        if (starting[std::size_t(p)] * 100 >= kLikelyFrom)
            chord.push_back(p);
        if (best < 0 || starting[std::size_t(p)] > starting[std::size_t(best)])
            best = p;
    }
    if (chord.empty() && best >= 0 && starting[std::size_t(best)] > 0)
        chord.push_back(best);
    return chord;
}

bool ProbabilityOverlay::addLikeliestChord() {
    if (!m_shown)
        return false;
    if (!ready() && m_model && (m_computing || m_stale)) {
        // The numbers are the song's before its last edit: add when the new ones are in.
        m_pendingChord = true;
        return false;
    }
    const std::vector<int> chord = likeliestChord();
    if (chord.empty()) {
        emit statusMessage(tr("Nothing to add: %1").arg(describe(startingAtCursor())));
        return false;
    }
    if (!addNotes(chord, tr("Add the likeliest chord")))
        return false;
    setCursor(m_cursor + stepTicks()); // Enter again writes the next step
    return true;
}

bool ProbabilityOverlay::addPitch(int pitch) {
    if (!m_shown || pitch < 0 || pitch > 127)
        return false;
    return addNotes({pitch}, tr("Add %1 from the overlay").arg(project::gm::pitchName(pitch)));
}

bool ProbabilityOverlay::addNotes(const std::vector<int>& pitches, const QString& label) {
    const model::TrackId id = m_view->activeTrack();
    const model::Track* track = m_song.track(id);
    if (!track || !m_view->undoStack()) {
        emit statusMessage(tr("Select a track to add notes to"));
        return false;
    }
    // As loud as the track's last note before the cursor.
    std::uint8_t velocity = kDefaultVelocity;
    model::Tick latest = -1;
    track->forEachNoteInRange(0, m_cursor, [&](const model::Note& n) {
        if (n.start < m_cursor && n.start > latest) {
            latest = n.start;
            velocity = n.velocity;
        }
    });
    std::vector<model::Note> notes;
    QStringList names;
    for (int pitch : pitches) {
        model::Note n;
        n.start = m_cursor;
        n.length = stepTicks();
        n.pitch = std::uint8_t(pitch);
        n.velocity = velocity;
        n.channel = track->properties.channel;
        notes.push_back(n);
        names << project::gm::pitchName(pitch);
    }
    m_undoStack.push(
        std::make_unique<model::AddNotesCommand>(id, std::move(notes), label.toStdString()));
    emit statusMessage(
        tr("Added %1 at %2")
            .arg(names.join(QStringLiteral(" ")),
                 QString::fromStdString(m_song.tempoMap().tickToBarBeatTick(m_cursor).toString())));
    return true;
}

} // namespace torchestra::ui
