// GeneratePanel's takes (project/Takes.h): kept in the project, shown again as variations,
// made again with their seed, accepted bar by bar; and how a variation is accepted (replace,
// merge, new track). Kept apart from GeneratePanel.cpp, which samples a run's variations.
#include "ui/panels/GeneratePanel.h"

#include "ui/panels/ModelLibrary.h"
#include "ui/panels/TakesView.h"
#include "ui/pianoroll/PianoRollView.h"

#include "ml/BuiltinModels.h"
#include "model/EditCommands.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QLabel>
#include <QListWidget>
#include <QSpinBox>
#include <QTabWidget>
#include <QtConcurrent/QtConcurrentRun>

namespace torchestra::ui {

void GeneratePanel::restoreTakes(std::vector<project::Take> takes) {
    m_takes = std::move(takes);
    refreshTakes();
    emit takesChanged();
}

void GeneratePanel::refreshTakes() {
    m_takesView->setTakes(m_takes, m_song);
    // Whether each take's model file is still the model that made it: read on a worker.
    QStringList paths;
    for (const project::Take& t : m_takes)
        if (!t.provenance.modelPath.startsWith(QLatin1String(ml::kBuiltinPrefix)) &&
            !paths.contains(t.provenance.modelPath))
            paths << t.provenance.modelPath;
    const std::uint64_t check = ++m_takeModelCheck; // a later check's result wins
    auto* watcher = new QFutureWatcher<QHash<QString, QString>>(this);
    connect(watcher, &QFutureWatcher<QHash<QString, QString>>::finished, this,
            [this, watcher, check] {
                watcher->deleteLater();
                if (check != m_takeModelCheck)
                    return;
                m_takesView->setModelFiles(watcher->result());
                emit takeModelsChecked();
            });
    watcher->setFuture(QtConcurrent::run([paths] {
        QHash<QString, QString> hashNow;
        for (const QString& path : paths) {
            const QString hash = project::checkpointHash(path);
            hashNow.insert(path, hash.isNull() ? QStringLiteral("") : hash); // "": gone
        }
        return hashNow;
    }));
    m_resultTabs->setTabText(1,
                             m_takes.empty() ? tr("Takes") : tr("Takes (%1)").arg(m_takes.size()));
}

// The track a take was written into, or kNoTrack (with the panel failed) when it is gone.
model::TrackId GeneratePanel::takeTrack(const project::Take& take) {
    const int index = take.provenance.track;
    if (index >= 0 && std::size_t(index) < m_song.tracks().size())
        return m_song.trackIdAt(std::size_t(index));
    m_error = tr("Take %1 was written into track %2, which is gone.").arg(take.name).arg(index + 1);
    setState(State::Failed, m_error);
    return model::kNoTrack;
}

bool GeneratePanel::showTake(int take) {
    if (take < 0 || take >= int(m_takes.size()) || m_state == State::Generating)
        return false;
    const project::TakeProvenance& chosen = m_takes[std::size_t(take)].provenance;
    const model::TrackId track = takeTrack(m_takes[std::size_t(take)]);
    if (track == model::kNoTrack)
        return false;
    discardAll();
    m_primerFrom = chosen.primerFrom;
    m_targetFrom = chosen.from;
    m_targetTo = chosen.to;
    m_targetTrack = track;
    int current = 0;
    for (std::size_t i = 0; i < m_takes.size(); ++i) {
        const project::TakeProvenance& p = m_takes[i].provenance;
        if (p.track != chosen.track || p.from != chosen.from || p.to != chosen.to)
            continue;
        if (int(i) == take)
            current = int(m_variations.size());
        // No numbers for takes shown again (take -1): they were given when the take was made.
        m_variations.push_back({m_takes[i].name,
                                m_takes[i].notes,
                                variationColour(m_variations.size()),
                                -1,
                                {},
                                -1,
                                {}});
    }
    m_pianoRoll->setActiveTrack(track);
    showVariations();
    setCurrentVariation(current);
    m_resultTabs->setCurrentIndex(0);
    const model::TempoMap& map = m_song.tempoMap();
    setState(State::Done, tr("%n take(s) for bars %1\u2013%2: audition, accept or discard.",
                             nullptr, int(m_variations.size()))
                              .arg(map.barAtTick(m_targetFrom) + 1)
                              .arg(map.barAtTick(m_targetTo - 1) + 1));
    return true;
}

bool GeneratePanel::againWithSeed(int take) {
    if (take < 0 || take >= int(m_takes.size()) || m_state == State::Generating)
        return false;
    const project::Take chosen = m_takes[std::size_t(take)]; // start() adds to m_takes
    const project::TakeProvenance& p = chosen.provenance;
    if (m_library->rowOf(p.modelPath) < 0) {
        m_error = tr("Take %1's model (%2) is not in the model list: load it to make the take "
                     "again.")
                      .arg(chosen.name, p.modelPath);
        setState(State::Failed, m_error);
        return false;
    }
    const model::TrackId track = takeTrack(chosen);
    if (track == model::kNoTrack)
        return false;
    setModelPath(p.modelPath);
    QJsonObject s = settings();
    s[QStringLiteral("seed")] = double(p.seed);
    s[QStringLiteral("temperature")] = p.temperature;
    s[QStringLiteral("variations")] = p.variations;
    s[QStringLiteral("shortestNote")] = kShortestNoteAsModel; // a take from before the box
    for (auto it = p.constraints.begin(); it != p.constraints.end(); ++it)
        s[it.key()] = it.value();
    if (p.constraints.contains(QStringLiteral("candidates"))) {
        // Chosen from many: the same many sampled, and just this one kept (the music after the
        // bars, which chose it, may have changed since).
        s[QStringLiteral("variations")] = 1;
        m_againSampled = p.variation;
    } else {
        s[QStringLiteral("candidates")] = 1;
    }
    // A GAN take made before its noise carried from bar to bar has none recorded.
    m_againNoiseCarry = p.constraints.value(QStringLiteral("noiseCarry")).toDouble(0.0);
    restoreSettings(s);
    emitSettings();
    m_pianoRoll->setActiveTrack(track);
    return start(p.primerFrom, p.from, p.to, p.regenerated);
}

bool GeneratePanel::acceptTakeBar(int take, int bar) {
    if (take < 0 || take >= int(m_takes.size()) || bar < 0)
        return false;
    const project::Take& chosen = m_takes[std::size_t(take)];
    const model::TempoMap& map = m_song.tempoMap();
    const model::Tick from = std::max(map.barToTick(bar), chosen.provenance.from);
    const model::Tick to = std::min(map.barToTick(bar + 1), chosen.provenance.to);
    if (from >= to)
        return false;
    const model::TrackId track = takeTrack(chosen);
    if (track == model::kNoTrack)
        return false;
    std::vector<model::Note> notes;
    for (const model::Note& n : chosen.notes)
        if (n.start >= from && n.start < to)
            notes.push_back(n);
    std::unique_ptr<model::Command> command = model::replaceRange(
        m_song, track, from, to, notes,
        tr("Accept bar %1 of take %2").arg(bar + 1).arg(chosen.name).toStdString());
    if (!command)
        return false;
    m_undoStack.push(std::move(command));
    m_status->setText(
        tr("Bar %1 of take %2 accepted (Undo takes it back).").arg(bar + 1).arg(chosen.name));
    return true;
}

GeneratePanel::AcceptMode GeneratePanel::acceptMode() const {
    return AcceptMode(m_acceptMode->currentData().toInt());
}

void GeneratePanel::setAcceptMode(AcceptMode mode) {
    m_acceptMode->setCurrentIndex(m_acceptMode->findData(int(mode)));
}

QString GeneratePanel::acceptDescription(int index) const {
    if (index < 0 || index >= int(m_variations.size()))
        return {};
    const model::Track* track = m_song.track(m_targetTrack);
    if (!track)
        return tr("the track the variation was written for is gone");
    const Variation& v = m_variations[std::size_t(index)];
    const QString trackName = QString::fromStdString(track->properties.name);
    const QString bars = barRangeText(m_song, m_targetFrom, m_targetTo);
    std::size_t there = 0;
    for (const model::Note& n : track->notes())
        there += n.start >= m_targetFrom && n.start < m_targetTo;
    switch (acceptMode()) {
    case AcceptMode::Replace:
        return tr("replace %1 of %2 with take %3: %4 \u2192 %5 notes")
            .arg(bars, trackName, v.name)
            .arg(there)
            .arg(v.notes.size());
    case AcceptMode::Merge:
        return tr("add take %1's %2 notes to the %3 in %4 of %5")
            .arg(v.name)
            .arg(v.notes.size())
            .arg(there)
            .arg(bars, trackName);
    case AcceptMode::NewTrack:
        break;
    }
    return tr("put take %1's %2 notes in %3 into a new track \u201c%4 take %1\u201d")
        .arg(v.name)
        .arg(v.notes.size())
        .arg(bars, trackName);
}

// One undo step that accepts `v` as acceptMode() says; null when there is nothing to do.
std::unique_ptr<model::Command> GeneratePanel::acceptCommand(const Variation& v) const {
    const model::Track* track = m_song.track(m_targetTrack);
    if (!track)
        return nullptr;
    switch (acceptMode()) {
    case AcceptMode::Replace:
        return model::replaceRange(m_song, m_targetTrack, m_targetFrom, m_targetTo, v.notes,
                                   tr("Accept take %1").arg(v.name).toStdString());
    case AcceptMode::Merge:
        if (v.notes.empty())
            return nullptr;
        return std::make_unique<model::AddNotesCommand>(
            m_targetTrack, v.notes, tr("Merge take %1").arg(v.name).toStdString());
    case AcceptMode::NewTrack:
        break;
    }
    model::Track added;
    added.properties = track->properties;
    added.properties.name =
        tr("%1 take %2").arg(QString::fromStdString(track->properties.name), v.name).toStdString();
    added.properties.muted = false;
    added.properties.solo = false;
    return std::make_unique<model::AddTrackCommand>(
        added, v.notes, m_song.trackIndex(m_targetTrack) + 1,
        tr("Take %1 into a new track").arg(v.name).toStdString());
}

} // namespace torchestra::ui
