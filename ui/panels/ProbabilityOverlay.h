#pragma once

#include "ui/pianoroll/PitchOutlookStrip.h"

#include "ml/SequenceModel.h"
#include "model/Song.h"
#include "model/SongListener.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::model {
class UndoStack;
}

namespace torchestra::ui {

class PianoRollView;

// The piano roll's probability overlay: what the chosen model expects to start at each step of
// the active track, given everything before the step (ml::SequenceModel::outlook).
//
// The outlook of the whole track is computed in one teacher-forced pass on a worker thread
// whenever the song, the track or the model changes (a newer request cancels an older one; the
// latest wins), so moving the cursor is a lookup and a partial repaint: it never waits for the
// model. While a new outlook is computed after an edit the old numbers stay, faded. Enter adds
// the likeliest chord at the cursor and a click on a key adds that pitch, each one undo step.
// GUI thread only.
class ProbabilityOverlay : public QObject, private model::SongListener {
    Q_OBJECT
public:
    ProbabilityOverlay(model::Song& song, model::UndoStack& undoStack, PianoRollView* view,
                       QObject* parent = nullptr);
    ~ProbabilityOverlay() override;

    // The model whose expectations show (the Generate panel's choice); null for none.
    void setModel(std::shared_ptr<const ml::SequenceModel> model, const QString& name);
    // Shows or hides it. Shown, the cursor starts after the selection, else at the playhead.
    void setShown(bool shown);
    bool isShown() const { return m_shown; }
    // The piano roll's active track changed: its outlook is computed anew.
    void activeTrackChanged();

    // The cursor: the first tick of the step whose numbers show (snapped down to the step).
    model::Tick cursor() const { return m_cursor; }
    void setCursor(model::Tick tick);
    // A step (or a bar) back (-1) or on (1): the view's Left and Right.
    void step(int direction, bool wholeBar);

    // The numbers at the cursor are the current song's (not stale, not being computed).
    bool ready() const;
    // p(a note starts at the cursor) per MIDI pitch (128), empty when there are no numbers.
    std::vector<float> startingAtCursor() const;
    // What Enter adds: every pitch at least as likely to start as not, else the likeliest one;
    // never a pitch the track already starts at the cursor. Empty without numbers.
    std::vector<int> likeliestChord() const;
    // Adds the likeliest chord (Enter) or one pitch (a key clicked) at the cursor, one undo
    // step each; Enter then moves the cursor one step on. False when nothing was added (and the
    // status says why).
    bool addLikeliestChord();
    bool addPitch(int pitch);

signals:
    // A line for the status bar (what was added, or why nothing was).
    void statusMessage(const QString& text);
    // An outlook finished computing (or failed): the numbers at the cursor may have changed.
    void computed();

protected:
    // While shown, the roll's overlay keys win over window shortcuts (Return is the transport's
    // "go to start" elsewhere).
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Result;
    // SongListener: any change of the song makes the numbers stale.
    void notesAdded(model::TrackId, const std::vector<model::Note>&) override { songEdited(); }
    void notesRemoved(model::TrackId, const std::vector<model::Note>&) override { songEdited(); }
    void notesChanged(model::TrackId, const std::vector<model::NoteChange>&) override {
        songEdited();
    }
    void tracksChanged() override { songEdited(); }
    void tempoMapChanged() override { songEdited(); }
    void songReloaded() override { songEdited(); }

    void songEdited();
    void compute();
    void finished(std::uint64_t generation, std::shared_ptr<Result> result);
    void refresh(); // the strip for the cursor, onto the view
    QString describe(const std::vector<float>& starting) const;
    model::Tick stepTicks() const;
    model::Tick cursorAfterSelection() const;
    bool addNotes(const std::vector<int>& pitches, const QString& label);

    model::Song& m_song;
    model::UndoStack& m_undoStack;
    PianoRollView* m_view;
    std::shared_ptr<const ml::SequenceModel> m_model;
    QString m_modelName;
    bool m_shown = false;
    model::Tick m_cursor = 0;

    std::shared_ptr<Result> m_result; // the last outlook computed (may be stale)
    bool m_stale = true;              // the song, track or model changed since
    bool m_computing = false;
    bool m_computePending = false; // a compute() is queued for this event loop turn
    bool m_pendingChord = false;   // Enter came while computing: add when the numbers are in
    std::uint64_t m_generation = 0;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

} // namespace torchestra::ui
