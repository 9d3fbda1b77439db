#pragma once

#include "ml/Checkpoint.h"
#include "ml/SequenceModel.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <memory>

namespace torchestra::ui {

class ModelLibrary;

// The best model so far of a training run in progress, kept as a checkpoint in the library's
// folder ("lstm-20261203-230512-training.tcm") and listed there, so the Generate panel can
// generate from it while training goes on. Each improvement replaces the file (written on a
// worker thread, atomically: a reader sees the old model or the new one) and its row. One write
// at a time: an improvement that arrives while one is on its way waits, and only the newest
// waiting one is written. When the run ends the snapshot has served: finish() removes the file
// and the row (after a write in flight has landed), and so does the destructor, so no snapshot
// outlives its run. GUI thread only.
class TrainingSnapshot : public QObject {
    Q_OBJECT
public:
    // `baseName` without the suffix; the file is directory()/baseName.tcm.
    TrainingSnapshot(ModelLibrary* library, const QString& baseName, QObject* parent = nullptr);
    // Waits for a write in flight (a few MB) and removes the file.
    ~TrainingSnapshot() override;

    QString path() const { return m_path; }
    // A better model than the last: written when no write is in flight, else after it.
    void offer(std::shared_ptr<const ml::SequenceModel> model, ml::TrainingMetadata metadata);
    // The run ended: removes the file and the row once nothing is being written, then deletes
    // this object.
    void finish();

signals:
    // The file holds the model offered last (or a newer one is on its way) and the library
    // lists it.
    void written(const QString& path);
    void failed(const QString& message);

private:
    void writeNext();
    void onWritten();
    void removeFile();

    ModelLibrary* m_library;
    QString m_path;
    QFutureWatcher<QString> m_write;
    std::shared_ptr<const ml::SequenceModel> m_writing; // the model the write in flight holds
    ml::TrainingMetadata m_writingMetadata;
    std::shared_ptr<const ml::SequenceModel> m_next; // waiting for the write in flight
    ml::TrainingMetadata m_nextMetadata;
    // Until onWritten(): the watcher's own state turns before its signal arrives.
    bool m_inFlight = false;
    bool m_finished = false;
};

} // namespace torchestra::ui
