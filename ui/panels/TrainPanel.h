#pragma once

#include "ml/Dataset.h"
#include "ml/Trainer.h"

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTreeView;
class QTreeWidget;
class QValueAxis;

namespace torchestra::ui {

class ModelLibrary;

// The Train panel: MIDI files and folders to learn from (Add buttons or drag and drop), the
// tracks of them to use (all but drums, or chosen by index), each file with its steps, notes,
// the tracks used and its problems as the dataset reader saw them; the model (Markov,
// RNN, LSTM) with a size preset; Train with a progress bar, speed, time left and a live loss
// chart (training and validation); Cancel; and the library of trained models with Load and
// Save.
//
// The dataset is read and the model trained on worker threads (ml::TrainingJob) that get copies
// of their input; progress and results come back as values over queued calls, so the window
// never waits. A cancelled run ends in State::Cancelled and saves nothing; a finished one is
// saved as a checkpoint in the library (modelTrained()). GUI thread only.
class TrainPanel : public QWidget {
    Q_OBJECT
public:
    enum class State { Idle, Reading, Training, Cancelling, Finished, Cancelled, Failed };
    Q_ENUM(State)
    enum class Preset { Small, Medium, Large };
    enum FileColumn { FileNameColumn, StepsColumn, NotesColumn, TracksColumn, ProblemsColumn };
    using PathChooser = std::function<QStringList(bool folder)>;

    explicit TrainPanel(ModelLibrary* library, QWidget* parent = nullptr);
    ~TrainPanel() override;

    // The files and folders to learn from (what the project stores). Setting them re-reads the
    // per-file statistics on a worker (filesScanned()).
    void setInputs(const QStringList& paths);
    void addInputs(const QStringList& paths);
    QStringList inputs() const { return m_inputs; }
    void removeSelectedInputs();

    // The tracks to learn from in every file: indices as `torchestra-cli inspect` and the file
    // list's Tracks column count them (from 0; a format 1 file's first track is often the tempo
    // track). Empty (the default) means every track without GM drums (channel 10). The files
    // are many and differ, so a choice by index is what applies to all of them; a file that
    // lacks a chosen track says so in its Problems. Setting them re-reads the statistics.
    std::vector<int> trainingTracks() const { return m_tracks; }
    void setTrainingTracks(const std::vector<int>& indices);
    // {1, 2} <-> "1, 2". parseTracks also takes ranges ("1-3") and any spacing; "" is all
    // tracks. It returns false for anything else (leaving `out` unspecified).
    static QString tracksText(const std::vector<int>& indices);
    static bool parseTracks(const QString& text, std::vector<int>& out);

    // The model settings the project keeps ("training.model"): kind, size preset and epochs.
    // Restoring takes the panel's defaults for what is missing and emits nothing.
    QJsonObject modelSettings() const;
    void restoreModelSettings(const QJsonObject& settings);

    // The model to train: a kind and a size preset (hidden units x layers, or the Markov order).
    ml::ModelConfig modelConfig() const;
    ml::TrainOptions trainOptions() const;
    static void applyPreset(Preset preset, ml::ModelConfig& config);

    void train();
    void cancel();
    State state() const { return m_state; }
    static QString stateName(State state);
    bool isBusy() const {
        return m_state == State::Reading || m_state == State::Training ||
               m_state == State::Cancelling;
    }
    const ml::TrainProgress& lastProgress() const { return m_lastProgress; }
    QString lastError() const { return m_error; }

    // Replaces the file dialogs (tests): returns the chosen paths, or none.
    void setPathChooser(PathChooser chooser) { m_chooser = std::move(chooser); }

    // Parts, for tests and screenshots.
    QTreeWidget* fileList() const { return m_files; }
    QLineEdit* tracksEdit() const { return m_tracksEdit; }
    QComboBox* kindBox() const { return m_kind; }
    QComboBox* presetBox() const { return m_preset; }
    QSpinBox* epochsBox() const { return m_epochs; }
    QPushButton* trainButton() const { return m_train; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* loadButton() const { return m_loadModel; }
    QPushButton* saveButton() const { return m_saveModel; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }
    QLineSeries* trainSeries() const { return m_trainSeries; }
    QLineSeries* validSeries() const { return m_validSeries; }
    QChartView* chartView() const { return m_chartView; }
    QTreeView* modelList() const { return m_models; }
    ModelLibrary* library() const { return m_library; }

signals:
    void inputsChanged(const QStringList& paths);
    void filesScanned();
    // The user changed the track choice, the model kind, its size or the epochs (not emitted by
    // setTrainingTracks() or restoreModelSettings()).
    void settingsEdited();
    void stateChanged(torchestra::ui::TrainPanel::State state);
    // A finished model was saved into the library at `path`.
    void modelTrained(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // Which of the chosen tracks a file has: worked out on the worker beside the dataset.
    struct TrackUse {
        QString used;         // "1 Bass, 2 Lead"; "all but drums" without a choice
        QString available;    // every track of the file, for the tooltip
        QStringList problems; // chosen tracks the file lacks, or that have no notes
    };
    struct Scan {
        std::vector<ml::DatasetFileInfo> files;
        std::vector<TrackUse> tracks; // one per file
    };
    static std::vector<TrackUse> describeTracks(const std::vector<ml::DatasetFileInfo>& files,
                                                const std::vector<int>& indices);

    void buildUi();
    void applyTracksText();
    void setState(State state, const QString& message = {});
    void scanFiles();
    void showFiles(const Scan& scan);
    void startTraining(ml::Dataset dataset);
    void onProgress(const ml::TrainProgress& p);
    void onDone(const ml::TrainResult& result);
    void clearChart();
    void addChartPoint(QLineSeries* series, double x, double y);
    void updateButtons();
    void chooseAndAdd(bool folder);
    void loadModel();
    void saveModel();

    ModelLibrary* m_library;
    QStringList m_inputs;
    std::vector<int> m_tracks; // empty: all tracks without drums
    bool m_restoring = false;
    State m_state = State::Idle;
    QString m_error;
    PathChooser m_chooser;
    std::uint64_t m_scanGeneration = 0;
    std::uint64_t m_runGeneration = 0;
    std::unique_ptr<ml::TrainingJob> m_job;
    std::vector<ml::DatasetFileInfo> m_usedFiles; // of the run in progress
    std::vector<int> m_runTracks;                 // the track choice of the run in progress
    ml::ModelConfig m_runConfig;
    ml::TrainProgress m_lastProgress;
    int m_lastValidEpoch = 0;
    double m_yMin = 0, m_yMax = 0; // of the points shown (the y axis follows them)

    QTreeWidget* m_files = nullptr;
    QLabel* m_fileSummary = nullptr;
    QLineEdit* m_tracksEdit = nullptr;
    QComboBox* m_kind = nullptr;
    QComboBox* m_preset = nullptr;
    QSpinBox* m_epochs = nullptr;
    QPushButton* m_train = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_speed = nullptr;
    QChart* m_chart = nullptr;
    QChartView* m_chartView = nullptr;
    QLineSeries* m_trainSeries = nullptr;
    QLineSeries* m_validSeries = nullptr;
    QValueAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    QTreeView* m_models = nullptr;
    QPushButton* m_loadModel = nullptr;
    QPushButton* m_saveModel = nullptr;
    QPushButton* m_removeModel = nullptr;
};

} // namespace torchestra::ui
