#pragma once

#include "playback/OfflineRenderer.h"
#include "playback/PlaybackSnapshot.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QTimer;

namespace torchestra::ui {

// Renders a song to a WAV file the way File > Render to WAV does: FluidSynth offline
// (core/playback's renderer, as `torchestra-cli render`) on a worker thread, with the file
// written atomically there; the GUI thread never waits for either. Progress is an atomic the
// worker stores and a 20 Hz timer here reads (progressed()); cancel() sets a flag the renderer
// checks every block, and a cancelled render writes nothing. GUI thread only.
class WavRenderJob : public QObject {
    Q_OBJECT
public:
    explicit WavRenderJob(QObject* parent = nullptr);
    // Cancels a render still running; its worker ends on its own (within a block) and its result
    // goes nowhere.
    ~WavRenderJob() override;

    // Starts rendering `snapshot` (a copy the worker keeps) into `path`; false (and nothing
    // starts) while another render runs.
    bool start(playback::SnapshotPtr snapshot, const QString& path,
               playback::RenderOptions options);
    void cancel();
    bool isRunning() const { return m_running; }
    // The share done, 0..1.
    double progress() const { return m_state ? m_state->done.load() : 0.0; }

signals:
    void progressed(double done);
    // The file is written: `seconds` of audio.
    void finished(const QString& path, double seconds);
    void failed(const QString& path, const QString& error);
    void cancelled(const QString& path);

private:
    // Shared with the worker, which may outlive this object.
    struct State {
        std::atomic<bool> cancel{false};
        std::atomic<double> done{0.0};
    };
    void onFinished(const QString& path, const playback::RenderResult& result);

    std::shared_ptr<State> m_state;
    QTimer* m_timer = nullptr;
    bool m_running = false;
};

} // namespace torchestra::ui
