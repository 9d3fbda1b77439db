#include "ui/panels/TrainingSession.h"

#include "ui/panels/ModelLibrary.h"
#include "ui/panels/TrainingCorpus.h"
#include "ui/panels/TrainingSnapshot.h"

#include "ml/ModelRegistry.h"

#include <QDateTime>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace torchestra::ui {

namespace {

// "lstm-20261203-230512": the kind and the local time, a name that sorts by date.
QString runBaseName(const ml::ModelConfig& config) {
    return QStringLiteral("%1-%2").arg(
        QString::fromLatin1(ml::toString(config.kind)),
        QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
}

} // namespace

TrainingSession::TrainingSession(ModelLibrary* library, QObject* parent)
    : QObject(parent), m_library(library) {}

TrainingSession::~TrainingSession() {
    if (m_job)
        m_job->cancel();
    m_job.reset();
}

void TrainingSession::setState(State state, const QString& message) {
    m_state = state;
    emit stateChanged(state, message);
}

// What a worker read for a run: the dataset and what the panel shows of it.
struct TrainingSession::ReadData {
    ml::Dataset dataset;
    std::vector<TrackUse> tracks; // per file (files only)
    NoteRate train, valid;
    std::vector<int> corpusTracks; // the corpus's track choice
    QString error;                 // the corpus could not be read
};

void TrainingSession::start(const QStringList& inputs, const std::vector<int>& tracks,
                            const ml::ModelConfig& config, const ml::TrainOptions& options) {
    if (isBusy())
        return;
    beginRun(config, options, tracks, QString());
    const ml::RepresentationConfig rep = m_config.representation;
    readOnWorker([inputs, rep, tracks] {
        ReadData read;
        read.dataset = loadTrainingDataset(inputs, rep, tracks);
        read.tracks = describeTrackUse(read.dataset.files, tracks);
        read.train = noteRate(read.dataset.train);
        read.valid = noteRate(read.dataset.valid);
        return read;
    });
}

void TrainingSession::startCorpus(const QString& dir, const ml::ModelConfig& config,
                                  const ml::TrainOptions& options) {
    if (isBusy())
        return;
    beginRun(config, options, {}, dir);
    const ml::RepresentationConfig rep = m_config.representation;
    readOnWorker([dir, rep, budget = m_dataMemoryBudget] {
        ReadData read;
        CorpusTrainingData corpus = loadCorpusTrainingData(dir, rep, budget);
        read.error = corpus.error;
        read.corpusTracks = corpus.tracks;
        read.dataset = std::move(corpus.dataset);
        read.train = noteRate(read.dataset.train);
        // Streamed: from the index (the scored steps leave out each piece's first step; the
        // notes there are counted, a handful per file against thousands).
        if (corpus.streamed)
            read.train = {corpus.trainSteps - corpus.trainFiles, corpus.trainNotes};
        read.valid = noteRate(read.dataset.valid);
        return read;
    });
}

void TrainingSession::beginRun(const ml::ModelConfig& config, const ml::TrainOptions& options,
                               const std::vector<int>& tracks, const QString& corpus) {
    ++m_generation;
    m_error.clear();
    m_config = config;
    m_options = options;
    m_tracks = tracks;
    m_corpus = corpus;
    m_lastProgress = {};
    m_history.clear();
    m_trainRate = m_validRate = {};
    m_bestValidLoss = 0;
    setState(State::Reading, corpus.isEmpty() ? tr("Reading the training data\u2026")
                                              : tr("Reading the corpus %1\u2026").arg(corpus));
}

void TrainingSession::readOnWorker(std::function<ReadData()> read) {
    const std::uint64_t generation = m_generation;
    auto* watcher = new QFutureWatcher<ReadData>(this);
    connect(watcher, &QFutureWatcher<ReadData>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation == m_generation) // else cancelled while reading
            onDataRead(watcher->future().takeResult());
    });
    watcher->setFuture(QtConcurrent::run(std::move(read)));
}

void TrainingSession::onDataRead(ReadData read) {
    m_trainRate = read.train;
    m_validRate = read.valid;
    if (!read.error.isEmpty()) {
        m_error = read.error;
        setState(State::Failed, tr("Failed: %1").arg(m_error));
        return;
    }
    if (m_corpus.isEmpty())
        emit dataRead(TrainingScan{read.dataset.files, std::move(read.tracks)});
    else
        m_tracks = read.corpusTracks;
    startTraining(std::move(read.dataset));
}

void TrainingSession::startTraining(ml::Dataset dataset) {
    if (!dataset.hasTrainingData()) {
        m_error = !m_corpus.isEmpty()
                      ? tr("The corpus %1 has no files in its training split: see its report.")
                            .arg(m_corpus)
                  : m_tracks.empty()
                      ? tr("No usable MIDI files: see the problems in the list.")
                      : tr("No usable MIDI files with notes on track(s) %1: see the problems in "
                           "the list.")
                            .arg(QString::fromStdString(ml::trackIndicesText(m_tracks)));
        setState(State::Failed, m_error);
        return;
    }
    m_usedFiles.clear();
    for (const ml::DatasetFileInfo& f : dataset.files)
        if (f.used)
            m_usedFiles.push_back(f);

    // Progress and the result arrive on the worker; they come here as values, queued. The job
    // is joined in the destructor before this object goes, so `this` outlives every call.
    const std::uint64_t generation = m_generation;
    auto progress = [this, generation](const ml::TrainProgress& p) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, p] {
                if (generation == m_generation)
                    onProgress(p);
            },
            Qt::QueuedConnection);
    };
    auto done = [this, generation](const ml::TrainResult& result) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, result] {
                if (generation == m_generation)
                    onDone(result);
            },
            Qt::QueuedConnection);
    };
    // The best model so far goes to the library as it improves: a copy, queued like progress.
    ml::TrainOptions options = m_options;
    options.onImproved = [this, generation](std::shared_ptr<ml::SequenceModel> best, int epoch,
                                            double validLoss) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, best, epoch, validLoss] {
                if (generation == m_generation)
                    onImproved(best, epoch, validLoss);
            },
            Qt::QueuedConnection);
    };
    m_snapshot =
        new TrainingSnapshot(m_library, runBaseName(m_config) + QStringLiteral("-training"), this);
    connect(m_snapshot, &TrainingSnapshot::written, this, [this](const QString& path) {
        m_snapshotPath = path;
        emit snapshotSaved(path);
    });
    m_job = std::make_unique<ml::TrainingJob>(); // the previous one has ended (its done came)
    m_job->start(std::move(dataset), m_config, options, progress, done);
    setState(State::Training,
             tr("Training %1\u2026").arg(QString::fromStdString(ml::describeModel(m_config))));
}

void TrainingSession::cancel() {
    if (m_state == State::Reading) {
        ++m_generation; // the data being read is dropped when it arrives
        setState(State::Cancelled, tr("Cancelled: no model was kept."));
        return;
    }
    if (m_state != State::Training || !m_job)
        return;
    m_job->cancel(); // the worker answers within a fraction of a second (onDone)
    setState(State::Cancelling, tr("Cancelling\u2026"));
}

void TrainingSession::onProgress(const ml::TrainProgress& p) {
    if (m_state != State::Training && m_state != State::Cancelling)
        return;
    m_lastProgress = p;
    emit progressed(p);
}

void TrainingSession::onImproved(std::shared_ptr<ml::SequenceModel> best, int epoch,
                                 double validLoss) {
    if (m_state != State::Training || !m_snapshot)
        return;
    ml::TrainingMetadata meta;
    meta.files = m_usedFiles;
    meta.trackIndices = m_tracks;
    meta.bestEpoch = epoch;
    meta.bestValidLoss = validLoss;
    m_snapshot->offer(std::move(best), std::move(meta));
}

// The run ended: its snapshot goes (a finished run's model is saved as its own file).
void TrainingSession::endSnapshot() {
    if (m_snapshot)
        m_snapshot->finish();
    m_snapshot = nullptr;
    m_snapshotPath.clear();
}

void TrainingSession::onDone(const ml::TrainResult& result) {
    endSnapshot();
    // A cancelled run says so and keeps nothing, even when the trainer had a best model: the
    // library holds finished runs only. The message says it, so nobody looks for a model.
    if (result.status == ml::TrainStatus::Cancelled || m_state == State::Cancelling) {
        setState(State::Cancelled, tr("Cancelled: no model was kept."));
        return;
    }
    if (result.status != ml::TrainStatus::Finished || !result.model) {
        m_error = QString::fromStdString(result.error);
        if (m_error.isEmpty())
            m_error = tr("Training produced no model");
        setState(State::Failed, tr("Failed: %1").arg(m_error));
        return;
    }
    m_history = result.history;
    m_bestValidLoss = result.bestValidLoss;
    save(result);
    // Per note on the held-out files, the measure every kind shares (LossMeasure.h); a Markov
    // model has no epochs to name. A GAN has no likelihood: its figure is the closeness of
    // its music to the validation music. One line: the panel's status has room for one.
    const QString measure =
        m_config.kind == ml::ModelKind::Gan
            ? tr("closeness %1 to the validation music").arg(1.0 - result.bestValidLoss, 0, 'f', 3)
            : lossText(result.bestValidLoss, m_validRate);
    setState(State::Finished,
             m_config.kind == ml::ModelKind::Markov
                 ? tr("Finished: %1").arg(measure)
                 : tr("Finished: %1 (epoch %2)").arg(measure).arg(result.bestEpoch));
}

void TrainingSession::save(const ml::TrainResult& result) {
    ml::TrainingMetadata meta;
    meta.files = m_usedFiles;
    meta.trackIndices = m_tracks;
    meta.history = result.history;
    meta.bestEpoch = result.bestEpoch;
    meta.bestValidLoss = result.bestValidLoss;
    meta.sampling = result.sampling;
    const QString baseName = runBaseName(m_config);
    // Reported when the library has written it.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_library, &ModelLibrary::modelAdded, this,
                          [this, connection, baseName](const QString& path) {
                              if (!QFileInfo(path).completeBaseName().startsWith(baseName))
                                  return;
                              disconnect(*connection);
                              emit modelSaved(path);
                          });
    m_library->addTrained(result.model, meta, baseName);
}

} // namespace torchestra::ui
