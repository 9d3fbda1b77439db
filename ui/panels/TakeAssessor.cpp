#include "ui/panels/TakeAssessor.h"

#include "ml/BuiltinModels.h"

#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <utility>

namespace torchestra::ui {

namespace {

std::string encode(const QString& path) {
    return QFile::encodeName(path).toStdString();
}

// One checkpoint as trained: its path, when it was written and what it names, so a model
// saved again under the same name is read afresh.
std::string cacheKey(const TakeAssessor::Request& r) {
    std::string key = encode(r.modelPath) + "|" + r.metadata.createdUtc + "|" +
                      std::to_string(r.metadata.files.size()) + "|";
    for (int index : r.metadata.trackIndices)
        key += std::to_string(index) + ",";
    return key;
}

struct Outcome {
    std::vector<ml::TakeAssessment> results;
    bool cancelled = false;
};

} // namespace

// The references read so far, shared with the workers. A reference being read is already a
// future in the list, so a second run for the same model (the user generating again at once)
// waits for that read instead of reading the files a second time.
class TakeAssessor::ReferenceCache {
public:
    using Reference = std::shared_ptr<const ml::TrainingReference>;

    // The reference under `key`, read with `load` on the calling worker when nobody has.
    template <typename Load> Reference get(const std::string& key, Load load) {
        std::promise<Reference> promise;
        std::shared_future<Reference> future;
        bool mine = false;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
                if (it->first == key) {
                    future = it->second;
                    m_entries.erase(it); // to the back: the most recently used
                    break;
                }
            if (!future.valid()) {
                future = promise.get_future().share();
                mine = true;
            }
            m_entries.emplace_back(key, future);
            if (m_entries.size() > kKeep)
                m_entries.pop_front();
        }
        if (mine) {
            try {
                auto reference = std::make_shared<const ml::TrainingReference>(load());
                // Files missing may come back (a drive mounted again): look again next time.
                if (!reference->missing.empty())
                    forget(key);
                promise.set_value(std::move(reference));
            } catch (...) {
                forget(key);
                promise.set_exception(std::current_exception());
            }
        }
        return future.get();
    }

private:
    // Runs that already hold the future still get its value; later ones read afresh.
    void forget(const std::string& key) {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it)
            if (it->first == key) {
                m_entries.erase(it);
                return;
            }
    }

    static constexpr std::size_t kKeep = 2;
    std::mutex m_mutex;
    std::deque<std::pair<std::string, std::shared_future<Reference>>> m_entries;
};

TakeAssessor::TakeAssessor(QObject* parent)
    : QObject(parent), m_cache(std::make_shared<ReferenceCache>()) {}

TakeAssessor::~TakeAssessor() {
    // A run still going stops after its current take; its result goes nowhere (the watcher
    // is a child of this object).
    cancel();
}

void TakeAssessor::cancel() {
    if (m_cancel)
        m_cancel->store(true);
    m_cancel.reset();
    ++m_latest;
}

void TakeAssessor::assess(std::uint64_t ticket, Request request) {
    cancel();
    const std::uint64_t run = m_latest;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    auto cancelFlag = m_cancel;
    auto cache = m_cache;
    const std::string cacheDir = encode(m_cacheDirectory);
    // The checkpoint's folder ("builtin:NAME" names a file in the program's data folder).
    std::string unknownBuiltin;
    const std::string modelFile =
        ml::resolveModelReference(encode(request.modelPath), unknownBuiltin);
    const std::string baseDir =
        encode(QFileInfo(QFile::decodeName(QByteArray::fromStdString(modelFile))).absolutePath());
    const std::string key = cacheKey(request);

    auto* watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, run, ticket] {
        watcher->deleteLater();
        Outcome out = watcher->future().takeResult();
        if (run == m_latest && !out.cancelled)
            emit assessed(ticket, out.results);
    });
    watcher->setFuture(QtConcurrent::run([request = std::move(request), cancelFlag, cache, cacheDir,
                                          baseDir, key] {
        Outcome out;
        std::shared_ptr<const ml::TrainingReference> reference;
        std::string failure;
        try {
            reference = cache->get(key, [&] {
                return ml::loadTrainingReference(request.metadata, request.model->representation(),
                                                 cacheDir, baseDir);
            });
        } catch (const std::exception& e) {
            failure =
                std::string("training files not read (") + e.what() + "): closeness unavailable";
        }
        try {
            out.results = ml::assessTakes(request.takes, request.primer, request.model.get(),
                                          reference.get(), cancelFlag.get());
        } catch (const std::exception& e) {
            // Every take still gets its line, saying why it has no numbers.
            out.results.assign(request.takes.size(), ml::TakeAssessment{});
            failure = std::string("numbers not worked out: ") + e.what();
        }
        if (!failure.empty())
            for (ml::TakeAssessment& a : out.results)
                a.referenceNote = failure;
        out.cancelled = cancelFlag->load();
        return out;
    }));
}

} // namespace torchestra::ui
