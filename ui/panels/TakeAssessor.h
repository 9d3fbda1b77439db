#pragma once

#include "ml/Checkpoint.h"
#include "ml/TakeAssessment.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::ui {

// Works out the numbers beside the Generate panel's takes (ml/TakeAssessment.h) on a worker,
// after the takes are shown. The training reference of a model (its training files read
// again) is read the first time that model's takes are judged and kept for the next runs of
// the last two models used, so only the first run waits for the files. A reference with files
// missing is not kept: the next run looks for them again (a drive may be back). GUI thread
// only; the worker gets copies of everything it reads.
class TakeAssessor : public QObject {
    Q_OBJECT
public:
    struct Request {
        QString modelPath; // the checkpoint: names the cache entry; relative training paths
                           // are also looked for beside it
        std::shared_ptr<const ml::SequenceModel> model;
        ml::TrainingMetadata metadata;
        ml::FrameSequence primer; // the context the takes were written after (may be empty)
        std::vector<ml::FrameSequence> takes;
    };

    explicit TakeAssessor(QObject* parent = nullptr);
    ~TakeAssessor() override;

    // The dataset reader's cache folder ("" = none); the Train panel's, so files it read are
    // not parsed again.
    void setCacheDirectory(const QString& path) { m_cacheDirectory = path; }

    // Starts judging `request.takes` and returns at once; assessed(ticket, ...) follows on the
    // GUI thread with one result per take, unless cancel() or another assess() comes first
    // (then that run's result is dropped).
    void assess(std::uint64_t ticket, Request request);
    void cancel();

signals:
    void assessed(std::uint64_t ticket, const std::vector<torchestra::ml::TakeAssessment>& results);

private:
    class ReferenceCache;
    std::shared_ptr<ReferenceCache> m_cache;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    std::uint64_t m_latest = 0;
    QString m_cacheDirectory;
};

} // namespace torchestra::ui
