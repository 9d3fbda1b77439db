#pragma once

#include "model/Note.h"
#include "model/TempoMap.h"
#include "model/Track.h"
#include "playback/Transport.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::model {
class Song;
}

namespace torchestra::playback {
class MidiPortInput;
class MidiRecorder;
struct InputEvent;
struct MidiMessage;
} // namespace torchestra::playback

namespace torchestra::ui {

// One take from the MIDI input at a time: where the count-in starts, the clock that maps input
// times to song time at the tempo scale, the horizon the clicks must reach, and the notes that
// make the take. The PlaybackController drives the Transport, the metronome and the undo stack
// around it. GUI thread only (the input's events are drained from its queue here).
class Recorder {
public:
    // `manualClock`: time is what advanceManualClock() played (PlaybackController's
    // Engine::Manual), else the steady clock. `input` must outlive this.
    Recorder(playback::MidiPortInput& input, bool manualClock);
    ~Recorder();

    // One bar of count-in before `fromTick`: the song's bar before it as far as there is one,
    // and clicks alone before the song's start for the rest (all of it when recording from
    // bar 1).
    struct CountInPlan {
        model::Tick countFrom = 0;   // where the Transport starts
        model::Tick beforeStart = 0; // ticks of clicks alone before the song's start
        playback::CountIn preRoll;   // those clicks
        double seconds = 0;          // the whole count-in, in song seconds
    };
    static CountInPlan planCountIn(const model::TempoMap& map, model::Tick fromTick);

    // Sets where the take starts and how far the clicks must reach; remembers whether the
    // metronome was on, to restore it after the take.
    void arm(const model::TempoMap& map, model::Tick fromTick, bool metronomeWasOn);
    // Starts the take into `track` once the count-in of `countSeconds` (song seconds) has
    // played at `tempoScale`. Input played before this is dropped.
    void begin(model::TrackId track, const model::TempoMap& map, double countSeconds,
               double tempoScale);
    bool isRecording() const { return m_track != model::kNoTrack; }
    // Forgets the track (its song is gone) without ending the take.
    void forgetTrack() { m_track = model::kNoTrack; }
    // How far the clicks reach while recording (0: the song's end is enough).
    model::Tick horizon() const { return m_horizon; }
    // Keeps the clicks kRecordAheadBars / 2 or more bars ahead of `playhead`; true when the
    // horizon moved (the caller rebuilds the snapshot).
    bool advanceHorizon(const model::TempoMap& map, model::Tick playhead);

    // Takes the input's queued events into the take (or drops them when not recording).
    void drainInput();
    // Manual clock only: `message` as if played on the input now.
    void feed(const playback::MidiMessage& message);
    void advanceManualClock(int frames, double frameRate);
    // The tempo scale changed: what was played so far is timed at the old speed.
    void rescale(double tempoScale);

    struct Take {
        model::TrackId track = model::kNoTrack;
        std::vector<model::Note> notes; // on the track's channel, from the take's start on
        bool clicksPastTheEnd = false;  // the snapshot had clicks for the take past the song
        bool metronomeWasOn = false;
    };
    // Ends the take. Notes played during the count-in are early entries: a sixteenth of
    // slack, then clamped to the take's start. `song` may be null.
    Take finish(const model::Song* song);

private:
    // Maps the steady clock to song time while recording: song time runs at the tempo scale,
    // re-anchored when the scale changes, so a take lands on the ticks that were heard.
    struct RecordClock {
        std::int64_t wallAnchorNs = 0;
        std::int64_t songAnchorNs = 0;
        double scale = 1;
        std::int64_t songNs(std::int64_t wallNs) const;
        void rescale(std::int64_t wallNs, double newScale);
    };

    std::int64_t nowNs() const;
    void take(const playback::InputEvent& event);

    playback::MidiPortInput& m_input;
    bool m_manualClock;
    std::int64_t m_manualNs = 0; // the manual clock: the time advanceManualClock() played

    model::TrackId m_track = model::kNoTrack;
    model::Tick m_from = 0;
    model::Tick m_horizon = 0;   // the clicks reach this far while recording (0: song end)
    std::int64_t m_originNs = 0; // song-clock time of m_from
    double m_slackSeconds = 0;   // how early a note may come and still count
    RecordClock m_clock;
    bool m_metronomeWasOn = false;
    std::unique_ptr<playback::MidiRecorder> m_recorder;
};

} // namespace torchestra::ui
