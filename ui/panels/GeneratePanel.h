#pragma once

#include "ui/panels/CandidateChoice.h"
#include "ui/panels/TakeAssessor.h"

#include "ml/CandidateRanking.h"
#include "ml/Scales.h"
#include "ml/SequenceModel.h"
#include "ml/TakeAssessment.h"
#include "model/Song.h"
#include "model/UndoStack.h"
#include "project/Takes.h"

#include <QColor>
#include <QJsonObject>
#include <QWidget>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QLayout;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;
class QTabWidget;

namespace torchestra::ml {
struct SamplingCalibration;
}

namespace torchestra::ui {

class ModelLibrary;
class PianoRollView;
class TakesView;

// The Generate panel: choose a trained model, set how much to write (bars), how adventurous
// (temperature), how many alternatives (variations), the seed and constraints (key/scale,
// pitch range, density); Generate writes after the selected bars (the primer, or nothing: then
// from the playhead's bar), Regenerate Selection rewrites the selected bars themselves. The
// variations show as coloured ghost overlays in the piano roll and in a list; each can be
// auditioned (primer + variation, looped if asked), accepted into the active track (one undo
// step, model::replaceRange) or discarded.
//
// Beside each variation go its numbers (ml/TakeAssessment.h): how close it is to the music the
// model learned from, the model's NLL of it where the model has a likelihood, and a warning
// when it copies two bars or more of that music verbatim. They are worked out on a worker
// after the variations show (the model's training files are read again for the first run of
// a model), and fill in when ready: takesAssessed().
//
// "Selected bars" are the loop range when one is set, else the bars the selected notes touch.
// Sampling runs on a worker with a copy of its input (the primer as frames, never the song);
// the result comes back over a queued call; Cancel stops it and ends in State::Cancelled with
// nothing shown. GUI thread only.
//
// It works on the song it is given (read for the primer and the selected bars, changed only
// through `undoStack`) and shows its variations in `pianoRoll`, whose loop range, selection,
// active track and playhead say what to write; all three outlive the panel.
class GeneratePanel : public QWidget {
    Q_OBJECT
public:
    enum class State { Idle, Generating, Done, Cancelled, Failed };
    Q_ENUM(State)

    struct Variation {
        QString name;                   // its take's (takes())
        std::vector<model::Note> notes; // in song ticks, ids unset
        QColor colour;
        int take = 0; // its place in the run that wrote it (the numbers are matched by it)
        std::optional<ml::TakeAssessment> assessment; // its numbers, once worked out
        int sampled = -1; // its place among the takes sampled ("best of"), when it was chosen
        std::optional<double> score; // the score it was chosen by (CandidateChoice.h)
    };

    GeneratePanel(const model::Song& song, model::UndoStack& undoStack, PianoRollView* pianoRoll,
                  ModelLibrary* library, QWidget* parent = nullptr);
    ~GeneratePanel() override;

    // Starts sampling (returns at once). False when it cannot start (no model, nothing to
    // regenerate, a job running); lastError() says why.
    bool generate();
    bool regenerateSelection();
    void cancel();
    State state() const { return m_state; }
    static QString stateName(State state);
    QString lastError() const { return m_error; }

    const std::vector<Variation>& variations() const { return m_variations; }
    // True from the moment variations show until their numbers are in.
    bool numbersPending() const { return m_numbersPending; }
    // The range the variations fill, and the primer before it (empty when none).
    model::Tick targetFrom() const { return m_targetFrom; }
    model::Tick targetTo() const { return m_targetTo; }
    model::Tick primerFrom() const { return m_primerFrom; }
    model::TrackId targetTrack() const { return m_targetTrack; }
    int currentVariation() const;
    void setCurrentVariation(int index);

    // How Accept puts a variation into the song: in place of the bars' notes in its track,
    // added to them, or as a new track after it (named after the take).
    enum class AcceptMode { Replace, Merge, NewTrack };
    AcceptMode acceptMode() const;
    void setAcceptMode(AcceptMode mode);
    // What accepting variation `index` would change ("Replace bars 9-12 of Flute: 22 -> 19
    // notes"), shown beside the button.
    QString acceptDescription(int index) const;
    // Puts a variation into the song as one undo step (acceptMode()); the variations are put
    // away until that step is undone.
    bool accept(int index);
    void discard(int index);
    void discardAll();
    // The song's undo history moved (connected by the window): an undone accept brings its
    // variations back.
    void undoStackChanged();
    // Asks for primer + variation to be played (auditionRequested).
    bool audition(int index);

    // Every variation written is kept as a take with its provenance (project/Takes.h), oldest
    // first, in the project: they outlive the variations shown (accept, discard, another run).
    const std::vector<project::Take>& takes() const { return m_takes; }
    // The project's takes (on open, recovery, new); the variations shown are not touched.
    void restoreTakes(std::vector<project::Take> takes);
    // A take's group (the takes filling the same bars of the same track) as the variations,
    // the take chosen: to audition and accept them again.
    bool showTake(int take);
    // Generates with the take's model, seed, temperature, count, constraints, primer and bars
    // into its track: the take's notes again while the model and primer are unchanged.
    bool againWithSeed(int take);
    // Puts the notes of the take that start in song bar `bar` (from 0) into the take's track
    // in place of that bar's: one undo step.
    bool acceptTakeBar(int take, int bar);

    // The "selected bars" (see the class comment); false when there are none.
    bool selectedBars(model::Tick& from, model::Tick& to) const;

    // The settings the project keeps ("generation"), and the model's path ("model").
    QJsonObject settings() const;
    void restoreSettings(const QJsonObject& settings);
    QString modelPath() const;
    void setModelPath(const QString& path);

    // Parts, for tests and screenshots.
    QComboBox* modelBox() const { return m_model; }
    QSpinBox* candidatesBox() const { return m_candidates; }
    QToolButton* rangeFromInstrumentButton() const { return m_rangeFromInstrument; }
    // The piano roll's active track changed (the window calls this): with the range following
    // the instrument, it becomes that track's instrument's (project::gm::instrumentRange).
    void activeTrackChanged();
    // The model chosen in the list (null while none is, or while it loads).
    std::shared_ptr<const ml::SequenceModel> chosenModel() const;
    ModelLibrary* library() const { return m_library; }
    QSpinBox* barsBox() const { return m_bars; }
    QDoubleSpinBox* temperatureBox() const { return m_temperature; }
    // The rhythm odds the chosen model keeps (SamplingCalibration.h), as every run passes them;
    // RhythmOdds{} (the model's own) when it chose none.
    ml::RhythmOdds modelRhythm() const;
    // The rhythm odds (modelRhythm), the harmony's draw, the cap on notes at once, the hold
    // odds, the shortest note (unless the box sets one) and the noise carry (else
    // kDefaultNoiseCarry) the model chose into `request`.
    void useModelSampling(ml::SampleRequest& request) const;
    QSpinBox* variationsBox() const { return m_count; }
    QSpinBox* seedBox() const { return m_seed; }
    QComboBox* tonicBox() const { return m_tonic; }
    QComboBox* scaleBox() const { return m_scale; }
    QSpinBox* lowPitchBox() const { return m_low; }
    QSpinBox* highPitchBox() const { return m_high; }
    QDoubleSpinBox* densityBox() const { return m_density; }
    QSpinBox* voicesBox() const { return m_voices; }
    // The shortest note a GAN's takes write: the model's choice on its validation music
    // (kShortestNoteAsModel), or in sixteenths (0: any length; ml::kShortestNoteOfPrimer: each
    // take its primer's). Other kinds write the lengths they predict: disabled for them.
    QComboBox* shortestNoteBox() const { return m_shortestNote; }
    static constexpr int kShortestNoteAsModel = -2;
    QCheckBox* primerCheck() const { return m_usePrimer; }
    QCheckBox* loopCheck() const { return m_loop; }
    QPushButton* generateButton() const { return m_generate; }
    QPushButton* regenerateButton() const { return m_regenerate; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* auditionButton() const { return m_audition; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* acceptButton() const { return m_accept; }
    QPushButton* discardButton() const { return m_discard; }
    QListWidget* variationList() const { return m_list; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* numbersLabel() const { return m_numbers; }
    QLabel* acceptInfoLabel() const { return m_acceptInfo; }
    QComboBox* acceptModeBox() const { return m_acceptMode; }
    TakesView* takesView() const { return m_takesView; }
    QTabWidget* resultTabs() const { return m_resultTabs; }

signals:
    void stateChanged(torchestra::ui::GeneratePanel::State state);
    void variationsChanged();
    void currentVariationChanged();
    void settingsChanged(const QJsonObject& settings);
    // The model in use changed (any way but restoring a project: also the automatic pick of
    // the first model listed).
    void modelChosen(const QString& path);
    // The user chose the model: picked it in the list, or trained or loaded one that became
    // the choice. What makes the project modified (an automatic pick does not).
    void modelPicked(const QString& path);
    // Play `song` (the current one with the variation in place) from `from` to `to`.
    void auditionRequested(const torchestra::model::Song& song, torchestra::model::Tick from,
                           torchestra::model::Tick to, bool loop);
    void auditionStopRequested();
    void accepted(int index);
    // The variations' numbers are in (variations()[i].assessment).
    void takesAssessed();
    // takes() changed (a run added its variations, or restoreTakes).
    void takesChanged();
    // The takes' model files were checked (TakesView::setModelFiles).
    void takeModelsChecked();

private:
    struct Job;
    CandidateChoice planRun(const ml::SequenceModel& sampler, ml::SampleRequest& request,
                            model::TrackId track, model::Tick to, bool regenerate);
    void buildUi(); // the widgets, in GeneratePanelWidgets.cpp
    QLayout* buildCountRow(QWidget* parent);
    QLayout* buildRangeRow(QWidget* parent);
    QWidget* buildModelBox();
    QWidget* buildSettingsBox();
    QLayout* buildKeyRow(QWidget* parent);
    QLayout* buildRunRow();
    QWidget* buildResultBox();
    QWidget* buildTakesBox();
    static QColor variationColour(std::size_t index);
    static bool playsOneNoteAtATime(const model::Track& track);
    model::TrackId takeTrack(const project::Take& take);
    void refreshTakes();
    std::unique_ptr<model::Command> acceptCommand(const Variation& v) const;
    void showModel();
    const ml::SamplingCalibration* modelSampling() const;
    void useModelTemperature();
    void followModelTemperature();
    void restoreTemperature(const QJsonObject& settings);
    int shortestNoteSteps(int modelsChoice) const;
    void showShortestNoteChoice();
    bool start(model::Tick primerFrom, model::Tick from, model::Tick to, bool regenerate);
    project::TakeProvenance provenance(const ml::SampleRequest& request, model::Tick primerFrom,
                                       model::Tick from, model::Tick to, model::TrackId track,
                                       bool regenerate) const;
    void keepTakes();
    // The reason sampling into `track` with `sampler` cannot start ("" when it can); fills
    // `key` from the key setting.
    QString startProblem(const ml::SequenceModel* sampler, const model::Track* track,
                         model::Tick stepTicks, ml::KeyMask& key) const;
    // The worker's input, copied here: the primer as frames (only the bars it needs, only the
    // target track) and the metre of the steps to write.
    ml::SampleRequest sampleRequest(const ml::RepresentationConfig& rep, model::TrackId track,
                                    model::Tick primerFrom, model::Tick from, model::Tick to,
                                    model::Tick stepTicks, const ml::KeyMask& key) const;
    // `judging` is the run's model and primer, for the numbers; its takes are the result's
    // grids. `sampled` and `scores`: each variation's place among the takes sampled and the
    // score it was chosen by (empty when nothing was chosen).
    void finished(std::uint64_t generation, std::vector<std::vector<model::Note>> result,
                  bool cancelled, TakeAssessor::Request judging, std::vector<int> sampled,
                  std::vector<double> scores);
    void assessed(std::uint64_t generation, const std::vector<ml::TakeAssessment>& results);
    void stopNumbers();
    void setState(State state, const QString& message = {});
    void showVariations();
    void fillItem(QListWidgetItem* item, std::size_t index) const;
    void updateOverlays();
    void updateButtons();
    void emitSettings();

    const model::Song& m_song;
    model::UndoStack& m_undoStack;
    PianoRollView* m_pianoRoll;
    ModelLibrary* m_library;
    State m_state = State::Idle;
    QString m_error;
    std::vector<Variation> m_variations;
    std::vector<project::Take> m_takes;
    std::vector<Variation> m_accepted; // the variations an accept put away, for its undo
    int m_acceptedIndex = -1;          // the undo index just after that accept; -1: none
    int m_acceptedRow = 0;
    project::TakeProvenance m_provenance; // of the run in flight
    std::uint64_t m_takeModelCheck = 0;   // the latest check of the takes' model files
    model::Tick m_primerFrom = 0;
    model::Tick m_targetFrom = 0;
    model::Tick m_targetTo = 0;
    model::TrackId m_targetTrack = model::kNoTrack;
    std::uint64_t m_generation = 0;
    std::shared_ptr<std::atomic<bool>> m_cancelFlag;
    TakeAssessor* m_assessor = nullptr;
    bool m_numbersPending = false;
    double m_validationNll = 0;      // of the model that wrote the variations
    std::size_t m_trainingFiles = 0; // the files it names
    QString m_pendingModelPath;      // restored before the library has loaded it
    bool m_restoring = false;
    // The temperature was set by the user, by picking a model, or by the project: until then the
    // box follows the model the panel selects by itself (followModelTemperature).
    bool m_temperatureChosen = false;

    QComboBox* m_model = nullptr;
    QLabel* m_modelInfo = nullptr;
    QSpinBox* m_bars = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QSpinBox* m_count = nullptr;
    QSpinBox* m_candidates = nullptr; // "best of": takes sampled to choose the variations from
    QToolButton* m_rangeFromInstrument = nullptr; // the pitch range follows the instrument
    bool m_settingRange = false; // the range boxes are set from the instrument, not by hand
    ml::RankBy m_rankBy = ml::RankBy::None; // how the last run chose (its scores' meaning)
    int m_againSampled = -1; // Again of a take chosen from many: its place among them
    // Again of a GAN take: the noise carry it was made with (0 for takes from before the
    // carry); -1: ml::kDefaultNoiseCarry.
    double m_againNoiseCarry = -1;
    QSpinBox* m_seed = nullptr;
    QComboBox* m_tonic = nullptr;
    QComboBox* m_scale = nullptr;
    QSpinBox* m_low = nullptr;
    QSpinBox* m_high = nullptr;
    QDoubleSpinBox* m_density = nullptr;
    QSpinBox* m_voices = nullptr; // 0: as the target track
    QComboBox* m_shortestNote = nullptr;
    QCheckBox* m_usePrimer = nullptr;
    QCheckBox* m_loop = nullptr;
    QPushButton* m_generate = nullptr;
    QPushButton* m_regenerate = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_busy = nullptr;
    QLabel* m_status = nullptr;
    QListWidget* m_list = nullptr;
    QLabel* m_numbers = nullptr;
    QPushButton* m_audition = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_accept = nullptr;
    QPushButton* m_discard = nullptr;
    TakesView* m_takesView = nullptr;
    QLabel* m_acceptInfo = nullptr;
    QComboBox* m_acceptMode = nullptr;
    QTabWidget* m_resultTabs = nullptr;
};

} // namespace torchestra::ui
