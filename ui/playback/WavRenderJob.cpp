#include "ui/playback/WavRenderJob.h"

#include <QFile>
#include <QFutureWatcher>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace torchestra::ui {

WavRenderJob::WavRenderJob(QObject* parent) : QObject(parent), m_timer(new QTimer(this)) {
    m_timer->setInterval(50);
    connect(m_timer, &QTimer::timeout, this, [this] { emit progressed(progress()); });
}

WavRenderJob::~WavRenderJob() {
    if (m_state)
        m_state->cancel = true;
}

bool WavRenderJob::start(playback::SnapshotPtr snapshot, const QString& path,
                         playback::RenderOptions options) {
    if (m_running || !snapshot)
        return false;
    m_running = true;
    m_state = std::make_shared<State>();
    std::shared_ptr<State> state = m_state;
    options.progress = [state](double done) { state->done.store(done); };
    const std::string file = QFile::encodeName(path).toStdString();
    // The watcher is a child: when this object goes first, it goes too and the result is
    // dropped; the worker keeps what it needs (the snapshot, the state) by value.
    auto* watcher = new QFutureWatcher<playback::RenderResult>(this);
    connect(watcher, &QFutureWatcher<playback::RenderResult>::finished, this,
            [this, watcher, path] {
                watcher->deleteLater();
                onFinished(path, watcher->future().takeResult());
            });
    watcher->setFuture(QtConcurrent::run([snapshot, file, options, state] {
        return playback::renderToWavFile(*snapshot, file, options, &state->cancel);
    }));
    m_timer->start();
    emit progressed(0.0);
    return true;
}

void WavRenderJob::cancel() {
    if (m_state)
        m_state->cancel = true;
}

void WavRenderJob::onFinished(const QString& path, const playback::RenderResult& result) {
    m_timer->stop();
    m_running = false;
    const bool wasCancelled = m_state && m_state->cancel.load();
    m_state.reset();
    if (wasCancelled && !result.ok) {
        emit cancelled(path);
        return;
    }
    if (!result.ok) {
        emit failed(path, QString::fromStdString(result.error));
        return;
    }
    emit progressed(1.0);
    emit finished(path, result.seconds);
}

} // namespace torchestra::ui
