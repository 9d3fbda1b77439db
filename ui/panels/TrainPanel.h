#pragma once

#include "ui/panels/TrainingCorpus.h"
#include "ui/panels/TrainingFilesModel.h"
#include "ui/panels/TrainingSession.h"

#include "ml/Dataset.h"
#include "ml/LossForecast.h"
#include "ml/Trainer.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

class QChartView;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTreeView;

namespace torchestra::ui {

class LossChart;
class ModelLibrary;

// The Train panel: MIDI files and folders to learn from (Add buttons or drag and drop), the
// tracks of them to use (all but drums, or chosen by index), each file with its steps, notes,
// the tracks used and its problems as the dataset reader saw them; or instead of the files a
// built corpus (`torchestra-cli corpus build`) with its report; the model (Markov,
// RNN, LSTM, GAN) with a size preset and how long to train it ("Train for" 1 to 60 minutes, or
// until it stops improving); Train with a progress bar, speed, time left and a live loss
// chart (training and validation); Cancel; and the library of trained models with Load and
// Save.
//
// The panel holds the widgets and wires them; the parts are TrainingFilesModel (the file
// table), LossChart (the chart) and TrainingSession (the run, without widgets). The dataset is
// read and the model trained on worker threads (ml::TrainingJob) that get copies of their
// input; progress and results come back as values over queued calls, so the window never
// waits. A cancelled run ends in State::Cancelled and saves nothing; a finished one is saved
// as a checkpoint in the library (modelTrained()). GUI thread only.
class TrainPanel : public QWidget {
    Q_OBJECT
public:
    using State = TrainingSession::State;
    enum class Preset { Small, Medium, Large };
    enum FileColumn {
        FileNameColumn = TrainingFilesModel::FileNameColumn,
        StepsColumn = TrainingFilesModel::StepsColumn,
        NotesColumn = TrainingFilesModel::NotesColumn,
        TracksColumn = TrainingFilesModel::TracksColumn,
        ProblemsColumn = TrainingFilesModel::ProblemsColumn
    };
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

    // A built corpus (`torchestra-cli corpus build`) as the training data instead of the files,
    // as `train --corpus`: Train trains on its own train/validation split and the tracks it was
    // built from (the track choice is the corpus's while it is chosen, so none can conflict).
    // Setting one reads and verifies it on a worker (every shard once) and then shows the
    // numbers of its report, or why it cannot be used (named folder, the problem), and emits
    // filesScanned(). "" goes back to the files, which stay as they were. Emits no
    // settingsEdited() (the user's Use Corpus and Use Files do).
    void setCorpus(const QString& dir);
    QString corpus() const { return m_corpusDir; }
    bool isReadingCorpus() const { return m_corpusReading; }
    // The chosen corpus as last read (its error, if it could not be used).
    const CorpusSummary& corpusSummary() const { return m_corpus; }
    // Opens the corpus's full report (formatCorpusReport's text) in a read-only window.
    void showCorpusReport();

    // The panel's settings the project keeps ("training.model", kept verbatim for the panel):
    // model kind, size preset, how long to train ("trainMinutes"; an older project's "epochs"
    // is read as the default budget) and the chosen corpus ("corpus", absent with files).
    // Restoring takes the panel's defaults for what is missing and emits nothing.
    QJsonObject modelSettings() const;
    void restoreModelSettings(const QJsonObject& settings);

    // The model to train: a kind and a size preset (hidden units x layers, or the Markov order).
    ml::ModelConfig modelConfig() const;
    // The options the next run trains with: ml::defaultTrainOptions(kind, trainMinutes()), the
    // source the command line shares.
    ml::TrainOptions trainOptions() const;
    static void applyPreset(Preset preset, ml::ModelConfig& config);
    // The "Train for" choice in minutes: one of ml::trainBudgetChoices(), 0 = until it stops
    // improving. Setting a value not offered chooses the default.
    double trainMinutes() const;
    void setTrainMinutes(double minutes);
    static QString budgetText(double minutes);
    // Tests and demonstrations: changes the options of the next runs after the panel chose
    // them (a few short epochs, one thread), so a GAN's or LSTM's run takes seconds on a busy
    // machine. Not a user setting; none by default.
    using OptionsAdjuster = std::function<void(ml::TrainOptions&)>;
    void setOptionsAdjuster(OptionsAdjuster adjust) { m_adjust = std::move(adjust); }

    void train();
    void cancel();
    State state() const { return m_session->state(); }
    static QString stateName(State state);
    bool isBusy() const { return m_session->isBusy(); }
    const ml::TrainProgress& lastProgress() const { return m_session->lastProgress(); }
    QString lastError() const { return m_session->lastError(); }

    // Replaces the file dialogs (tests): returns the chosen paths, or none.
    void setPathChooser(PathChooser chooser) { m_chooser = std::move(chooser); }

    // Parts, for tests and screenshots.
    QTreeView* fileList() const { return m_files; }
    QLabel* corpusLabel() const { return m_corpusText; }
    QPushButton* useCorpusButton() const { return m_useCorpus; }
    QPushButton* useFilesButton() const { return m_useFiles; }
    QPushButton* corpusReportButton() const { return m_corpusReport; }
    TrainingFilesModel* fileModel() const { return m_fileModel; }
    TrainingSession* session() const { return m_session; }
    QLineEdit* tracksEdit() const { return m_tracksEdit; }
    QComboBox* kindBox() const { return m_kind; }
    QComboBox* presetBox() const { return m_preset; }
    QComboBox* trainForBox() const { return m_trainFor; }
    QComboBox* runOnBox() const { return m_runOn; }
    // "Run on: a cluster": the command line Train copies instead of training here (every rank
    // runs it with --distributed, docs/scaling.md).
    bool runsHere() const;
    QString clusterCommandLine() const;
    QPushButton* trainButton() const { return m_train; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* loadButton() const { return m_loadModel; }
    QPushButton* saveButton() const { return m_saveModel; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* forecastLabel() const { return m_forecast; }
    QLineSeries* trainSeries() const;
    QLineSeries* validSeries() const;
    QChartView* chartView() const;
    QTreeView* modelList() const { return m_models; }
    ModelLibrary* library() const { return m_library; }

signals:
    void inputsChanged(const QStringList& paths);
    // The data box shows what Train would read: the files' statistics, or the chosen corpus's
    // numbers (or why it cannot be used).
    void filesScanned();
    // The user changed the track choice, the corpus, the model kind, its size or the time (not
    // emitted by setTrainingTracks(), setCorpus() or restoreModelSettings()).
    void settingsEdited();
    void stateChanged(torchestra::ui::TrainingSession::State state);
    // A finished model was saved into the library at `path`.
    void modelTrained(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildDataBox();
    QWidget* buildCorpusPage(QWidget* parent);
    void chooseCorpus();
    void addChosenData(const QStringList& paths);
    void useFiles();
    void showCorpus(const CorpusSummary& summary);
    void showDataPage();
    bool hasTrainingData() const;
    QWidget* buildModelBox();
    void buildRunControls(QWidget* box, QFormLayout* form);
    QWidget* buildLibraryBox();
    void wireSession();
    void applyTracksText();
    void scanFiles();
    void showFiles(const TrainingScan& scan);
    void onSessionState(State state, const QString& message);
    void onProgress(const ml::TrainProgress& p);
    double runFraction(const ml::TrainProgress& p) const;
    void updateForecast(const ml::TrainProgress& p);
    void updateButtons();
    void chooseAndAdd(bool folder);
    void copyClusterCommand();
    void loadModel();
    void saveModel();

    ModelLibrary* m_library;
    TrainingSession* m_session;
    TrainingFilesModel* m_fileModel;
    QStringList m_inputs;
    std::vector<int> m_tracks; // empty: all tracks without drums
    bool m_restoring = false;
    PathChooser m_chooser;
    std::uint64_t m_scanGeneration = 0;
    OptionsAdjuster m_adjust;
    QString m_corpusDir; // the chosen corpus; "" trains on m_inputs
    CorpusSummary m_corpus;
    bool m_corpusReading = false;
    std::uint64_t m_corpusGeneration = 0;
    QElapsedTimer m_runClock;                 // since the run started training
    std::vector<ml::LossPoint> m_validPoints; // this run's validations against m_runClock
    int m_lastValidEpoch = 0;

    QStackedWidget* m_dataPages = nullptr; // the file list, or the corpus
    QTreeView* m_files = nullptr;          // a view of m_fileModel
    QLabel* m_fileSummary = nullptr;
    QLabel* m_corpusText = nullptr;
    QPushButton* m_removeFiles = nullptr;
    QPushButton* m_useCorpus = nullptr;
    QPushButton* m_useFiles = nullptr;
    QPushButton* m_corpusReport = nullptr;
    QLineEdit* m_tracksEdit = nullptr;
    QComboBox* m_kind = nullptr;
    QComboBox* m_preset = nullptr;
    QComboBox* m_trainFor = nullptr;
    QComboBox* m_runOn = nullptr;
    QPushButton* m_train = nullptr;
    QPushButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_speed = nullptr;
    QLabel* m_forecast = nullptr; // where validation is heading (ml/LossForecast.h)
    LossChart* m_chart = nullptr;
    QTreeView* m_models = nullptr;
    QPushButton* m_loadModel = nullptr;
    QPushButton* m_saveModel = nullptr;
    QPushButton* m_removeModel = nullptr;
};

} // namespace torchestra::ui
