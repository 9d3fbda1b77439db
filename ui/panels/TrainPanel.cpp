#include "ui/panels/TrainPanel.h"

#include "model/TrackIndices.h"

#include "ui/common/FileFilters.h"
#include "ui/panels/ModelLibrary.h"

#include "midi/MidiFile.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStyle>
#include <QTreeView>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>

namespace torchestra::ui {

namespace {

const char* const kLastDirKey = "train/lastDirectory";

bool isMidiName(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("mid") || suffix == QLatin1String("midi") ||
           suffix == QLatin1String("kar") || suffix == QLatin1String("rmi");
}

std::vector<std::string> toStd(const QStringList& paths) {
    std::vector<std::string> out;
    for (const QString& p : paths)
        out.push_back(QFile::encodeName(p).toStdString());
    return out;
}

ml::DatasetOptions datasetOptions(const std::vector<int>& tracks) {
    ml::DatasetOptions options;
    options.validFraction = 0.1;
    options.seed = 1;
    options.selection.indices = tracks;
    const QString folder = QStringLiteral("datasets"); // keyed by file, grid and tracks
    options.cacheDir =
        QFile::encodeName(
            QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath(folder))
            .toStdString();
    return options;
}

constexpr int kDefaultKindIndex = 2;   // LSTM
constexpr int kDefaultPresetIndex = 1; // Medium
constexpr int kDefaultEpochs = 20;

QString formatSeconds(double seconds) {
    const int total = int(std::lround(std::max(0.0, seconds)));
    if (total >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(total / 3600)
            .arg(total / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(total % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TrainPanel::TrainPanel(ModelLibrary* library, QWidget* parent)
    : QWidget(parent), m_library(library) {
    setAcceptDrops(true);
    buildUi();
    clearChart();
    connect(m_library, &ModelLibrary::modelAdded, this, [this](const QString& path) {
        const int row = m_library->rowOf(path);
        if (row >= 0)
            m_models->setCurrentIndex(m_library->index(row, 0));
    });
    connect(m_library, &ModelLibrary::failed, this,
            [this](const QString& message) { m_status->setText(message); });
    updateButtons();
}

TrainPanel::~TrainPanel() {
    // Joins the worker (Cancel returns within a fraction of a second) before this object goes,
    // so no queued call can reach a dead panel.
    if (m_job)
        m_job->cancel();
    m_job.reset();
}

void TrainPanel::buildUi() {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(6);

    // --- What to learn from
    auto* dataBox = new QGroupBox(tr("Training data"), this);
    auto* dataLayout = new QVBoxLayout(dataBox);
    m_files = new QTreeWidget(dataBox);
    m_files->setObjectName(QStringLiteral("trainFileList"));
    m_files->setHeaderLabels({tr("File"), tr("Steps"), tr("Notes"), tr("Tracks"), tr("Problems")});
    m_files->setRootIsDecorated(false);
    m_files->setAlternatingRowColors(true);
    m_files->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_files->setUniformRowHeights(true);
    m_files->header()->setStretchLastSection(true);
    m_files->header()->setSectionResizeMode(FileNameColumn, QHeaderView::Interactive);
    m_files->header()->resizeSection(FileNameColumn, 150);
    m_files->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // tooltips hold the rest
    m_files->header()->setSectionResizeMode(StepsColumn, QHeaderView::ResizeToContents);
    m_files->header()->setSectionResizeMode(NotesColumn, QHeaderView::ResizeToContents);
    m_files->header()->setSectionResizeMode(TracksColumn, QHeaderView::ResizeToContents);
    m_files->setMinimumHeight(112);
    m_files->setMaximumHeight(150); // the chart gets the rest
    dataLayout->addWidget(m_files, 1);
    auto* fileButtons = new QHBoxLayout;
    auto* addFiles = new QPushButton(tr("Add Files\u2026"), dataBox);
    addFiles->setObjectName(QStringLiteral("addFilesButton"));
    auto* addFolder = new QPushButton(tr("Add Folder\u2026"), dataBox);
    addFolder->setObjectName(QStringLiteral("addFolderButton"));
    auto* removeFiles = new QPushButton(tr("Remove"), dataBox);
    removeFiles->setObjectName(QStringLiteral("removeFilesButton"));
    connect(addFiles, &QPushButton::clicked, this, [this] { chooseAndAdd(false); });
    connect(addFolder, &QPushButton::clicked, this, [this] { chooseAndAdd(true); });
    connect(removeFiles, &QPushButton::clicked, this, &TrainPanel::removeSelectedInputs);
    fileButtons->addWidget(addFiles);
    fileButtons->addWidget(addFolder);
    fileButtons->addWidget(removeFiles);
    fileButtons->addStretch(1);
    dataLayout->addLayout(fileButtons);
    auto* tracksRow = new QHBoxLayout;
    auto* tracksLabel = new QLabel(tr("&Tracks"), dataBox);
    m_tracksEdit = new QLineEdit(dataBox);
    m_tracksEdit->setObjectName(QStringLiteral("trainTracksEdit"));
    m_tracksEdit->setPlaceholderText(tr("All but drums"));
    m_tracksEdit->setClearButtonEnabled(true);
    m_tracksEdit->setToolTip(
        tr("Which tracks of every file to learn from, by number as the file list's Tracks "
           "column shows them (from 0), e.g. \"1\" or \"1, 3-4\". Empty: every track except "
           "drums (channel 10)."));
    // Digits, commas, ranges and spaces; the rest is checked when the field is left.
    m_tracksEdit->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[0-9,\\-\\s]*")), m_tracksEdit));
    tracksLabel->setBuddy(m_tracksEdit);
    connect(m_tracksEdit, &QLineEdit::editingFinished, this, &TrainPanel::applyTracksText);
    tracksRow->addWidget(tracksLabel);
    tracksRow->addWidget(m_tracksEdit, 1);
    dataLayout->addLayout(tracksRow);
    m_fileSummary = new QLabel(tr("Drop MIDI files or folders here"), dataBox);
    m_fileSummary->setObjectName(QStringLiteral("trainFileSummary"));
    m_fileSummary->setWordWrap(true);
    dataLayout->addWidget(m_fileSummary);

    // --- The model and the run
    auto* modelBox = new QGroupBox(tr("Model"), this);
    auto* form = new QFormLayout(modelBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_kind = new QComboBox(modelBox);
    m_kind->setObjectName(QStringLiteral("modelKindBox"));
    m_kind->addItem(tr("Markov (seconds, a baseline)"), int(ml::ModelKind::Markov));
    m_kind->addItem(tr("RNN"), int(ml::ModelKind::Rnn));
    m_kind->addItem(tr("LSTM (best results)"), int(ml::ModelKind::Lstm));
    m_kind->setCurrentIndex(kDefaultKindIndex);
    form->addRow(tr("Kind"), m_kind);
    m_preset = new QComboBox(modelBox);
    m_preset->setObjectName(QStringLiteral("modelPresetBox"));
    m_preset->addItem(tr("Small"), int(Preset::Small));
    m_preset->addItem(tr("Medium"), int(Preset::Medium));
    m_preset->addItem(tr("Large"), int(Preset::Large));
    m_preset->setCurrentIndex(kDefaultPresetIndex);
    form->addRow(tr("Size"), m_preset);
    m_epochs = new QSpinBox(modelBox);
    m_epochs->setObjectName(QStringLiteral("epochsBox"));
    m_epochs->setRange(1, 1000);
    m_epochs->setValue(kDefaultEpochs);
    form->addRow(tr("Epochs"), m_epochs);
    auto describePreset = [this] {
        const ml::ModelConfig c = modelConfig();
        m_preset->setToolTip(
            c.kind == ml::ModelKind::Markov
                ? tr("Context of %1 frames").arg(c.markovOrder)
                : tr("%1 hidden units \u00d7 %2 layers").arg(c.hidden).arg(c.layers));
        m_epochs->setEnabled(c.kind != ml::ModelKind::Markov && !isBusy());
    };
    connect(m_kind, &QComboBox::currentIndexChanged, this, describePreset);
    connect(m_preset, &QComboBox::currentIndexChanged, this, describePreset);
    describePreset();
    // The model settings belong to the project.
    auto edited = [this] {
        if (!m_restoring)
            emit settingsEdited();
    };
    connect(m_kind, &QComboBox::currentIndexChanged, this, edited);
    connect(m_preset, &QComboBox::currentIndexChanged, this, edited);
    connect(m_epochs, &QSpinBox::valueChanged, this, edited);

    auto* runRow = new QHBoxLayout;
    m_train = new QPushButton(tr("Train"), modelBox);
    m_train->setObjectName(QStringLiteral("trainButton"));
    m_train->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), modelBox);
    m_cancel->setObjectName(QStringLiteral("cancelTrainingButton"));
    connect(m_train, &QPushButton::clicked, this, &TrainPanel::train);
    connect(m_cancel, &QPushButton::clicked, this, &TrainPanel::cancel);
    runRow->addWidget(m_train, 1);
    runRow->addWidget(m_cancel);
    form->addRow(runRow);
    m_progress = new QProgressBar(modelBox);
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(10);
    form->addRow(m_progress);
    m_status = new QLabel(tr("Ready"), modelBox);
    m_status->setObjectName(QStringLiteral("trainStatus"));
    m_status->setWordWrap(true);
    m_speed = new QLabel(modelBox);
    m_speed->setObjectName(QStringLiteral("trainSpeed"));
    m_speed->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    form->addRow(m_status);
    form->addRow(m_speed);

    // --- The loss chart
    m_trainSeries = new QLineSeries;
    m_trainSeries->setName(tr("Training"));
    m_validSeries = new QLineSeries;
    m_validSeries->setName(tr("Validation"));
    QPen trainPen(QColor(0x4a, 0x90, 0xd9), 2.0);
    m_trainSeries->setPen(trainPen);
    // Dashed over the solid training line, so both read where they coincide.
    QPen validPen(QColor(0xf5, 0xa6, 0x23), 2.0, Qt::DashLine);
    m_validSeries->setPen(validPen);
    m_chart = new QChart;
    m_chart->addSeries(m_trainSeries);
    m_chart->addSeries(m_validSeries);
    m_xAxis = new QValueAxis;
    m_xAxis->setTitleText(tr("Epoch"));
    m_xAxis->setLabelFormat(QStringLiteral("%d"));
    m_xAxis->setRange(0, 1);
    m_xAxis->setTickCount(2); // whole epochs: more ticks over 0..1 would all read "0"
    m_yAxis = new QValueAxis;
    m_yAxis->setTitleText(tr("nats/step"));
    m_yAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_yAxis->setRange(0, 1);
    m_chart->addAxis(m_xAxis, Qt::AlignBottom);
    m_chart->addAxis(m_yAxis, Qt::AlignLeft);
    for (QLineSeries* s : {m_trainSeries, m_validSeries}) {
        s->attachAxis(m_xAxis);
        s->attachAxis(m_yAxis);
    }
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    // Follows the window's palette, so the chart sits in the dark or light theme.
    const QPalette pal = palette();
    m_chart->setBackgroundBrush(pal.color(QPalette::Base));
    m_chart->setPlotAreaBackgroundVisible(false);
    for (QValueAxis* axis : {m_xAxis, m_yAxis}) {
        axis->setLabelsColor(pal.color(QPalette::Text));
        axis->setTitleBrush(pal.color(QPalette::Text));
        axis->setGridLineColor(pal.color(QPalette::Mid));
        axis->setLinePenColor(pal.color(QPalette::Mid));
    }
    m_chart->legend()->setLabelColor(pal.color(QPalette::Text));
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(QStringLiteral("lossChart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(190);

    // --- Trained models
    auto* libraryBox = new QGroupBox(tr("Trained models"), this);
    auto* libraryLayout = new QVBoxLayout(libraryBox);
    m_models = new QTreeView(libraryBox);
    m_models->setObjectName(QStringLiteral("modelList"));
    m_models->setModel(m_library);
    m_models->setRootIsDecorated(false);
    m_models->setAlternatingRowColors(true);
    m_models->setUniformRowHeights(true);
    m_models->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_models->header()->setSectionResizeMode(ModelLibrary::NameColumn, QHeaderView::Stretch);
    m_models->header()->setStretchLastSection(false);
    m_models->setMinimumHeight(60);
    m_models->setMaximumHeight(130);
    m_models->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    libraryLayout->addWidget(m_models, 1);
    auto* libraryButtons = new QHBoxLayout;
    m_loadModel = new QPushButton(tr("Load\u2026"), libraryBox);
    m_loadModel->setObjectName(QStringLiteral("loadModelButton"));
    m_saveModel = new QPushButton(tr("Save As\u2026"), libraryBox);
    m_saveModel->setObjectName(QStringLiteral("saveModelButton"));
    m_removeModel = new QPushButton(tr("Delete"), libraryBox);
    m_removeModel->setObjectName(QStringLiteral("deleteModelButton"));
    connect(m_loadModel, &QPushButton::clicked, this, &TrainPanel::loadModel);
    connect(m_saveModel, &QPushButton::clicked, this, &TrainPanel::saveModel);
    connect(m_removeModel, &QPushButton::clicked, this,
            [this] { m_library->remove(m_models->currentIndex().row()); });
    libraryButtons->addWidget(m_loadModel);
    libraryButtons->addWidget(m_saveModel);
    libraryButtons->addWidget(m_removeModel);
    libraryButtons->addStretch(1);
    libraryLayout->addLayout(libraryButtons);
    connect(m_models->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &TrainPanel::updateButtons);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(dataBox);
    splitter->addWidget(modelBox);
    splitter->addWidget(m_chartView);
    splitter->addWidget(libraryBox);
    // The chart takes what the lists and the form leave.
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 0);
    splitter->setStretchFactor(2, 1);
    splitter->setStretchFactor(3, 0);
    layout->addWidget(splitter);
}

// --- Inputs ------------------------------------------------------------------------------

void TrainPanel::setInputs(const QStringList& paths) {
    QStringList clean;
    for (const QString& p : paths) {
        const QString absolute = QFileInfo(p).absoluteFilePath();
        if (!p.isEmpty() && !clean.contains(absolute))
            clean << absolute;
    }
    if (clean == m_inputs && (m_files->topLevelItemCount() > 0 || clean.isEmpty()))
        return;
    m_inputs = clean;
    updateButtons();
    emit inputsChanged(m_inputs);
    scanFiles();
}

void TrainPanel::addInputs(const QStringList& paths) {
    setInputs(m_inputs + paths);
}

void TrainPanel::removeSelectedInputs() {
    // A row is a file; removing it removes the input it came from (the file, or its folder).
    QStringList remove;
    for (QTreeWidgetItem* item : m_files->selectedItems()) {
        const QString file = item->data(FileNameColumn, Qt::UserRole).toString();
        for (const QString& input : m_inputs)
            if (file == input || file.startsWith(input + QLatin1Char('/')))
                remove << input;
    }
    if (remove.isEmpty())
        return;
    QStringList kept = m_inputs;
    for (const QString& r : remove)
        kept.removeAll(r);
    setInputs(kept);
}

void TrainPanel::chooseAndAdd(bool folder) {
    QStringList chosen;
    if (m_chooser) {
        chosen = m_chooser(folder);
    } else {
        QSettings settings;
        const QString dir = settings.value(kLastDirKey).toString();
        if (folder) {
            const QString d =
                QFileDialog::getExistingDirectory(this, tr("Add a Folder of MIDI Files"), dir);
            if (!d.isEmpty())
                chosen << d;
        } else {
            chosen = QFileDialog::getOpenFileNames(this, tr("Add MIDI Files"), dir,
                                                   midiFileFilter());
        }
        if (!chosen.isEmpty())
            settings.setValue(kLastDirKey, QFileInfo(chosen.first()).absolutePath());
    }
    if (!chosen.isEmpty())
        addInputs(chosen);
}

void TrainPanel::dragEnterEvent(QDragEnterEvent* event) {
    if (!event->mimeData()->hasUrls())
        return;
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (QFileInfo(path).isDir() || isMidiName(path)) {
            event->acceptProposedAction();
            return;
        }
    }
}

void TrainPanel::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (QFileInfo(path).isDir() || isMidiName(path))
            paths << path;
    }
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    addInputs(paths);
}

void TrainPanel::scanFiles() {
    const std::uint64_t generation = ++m_scanGeneration;
    if (m_inputs.isEmpty()) {
        showFiles({});
        emit filesScanned();
        return;
    }
    m_fileSummary->setText(tr("Reading %n input(s)\u2026", nullptr, int(m_inputs.size())));
    const std::vector<std::string> paths = toStd(m_inputs);
    const ml::RepresentationConfig rep = modelConfig().representation;
    const std::vector<int> tracks = m_tracks;
    auto* watcher = new QFutureWatcher<Scan>(this);
    connect(watcher, &QFutureWatcher<Scan>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_scanGeneration)
            return;
        showFiles(watcher->future().takeResult());
        emit filesScanned();
    });
    watcher->setFuture(QtConcurrent::run([paths, rep, tracks] {
        Scan scan;
        scan.files = ml::loadMidiDataset(paths, rep, datasetOptions(tracks)).files;
        scan.tracks = describeTracks(scan.files, tracks);
        return scan;
    }));
}

std::vector<TrainPanel::TrackUse>
TrainPanel::describeTracks(const std::vector<ml::DatasetFileInfo>& files,
                           const std::vector<int>& indices) {
    std::vector<TrackUse> out(files.size());
    if (indices.empty()) {
        for (TrackUse& use : out)
            use.used = tr("all but drums");
        return out;
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (files[i].hash.empty())
            continue; // not read at all: its problem says why
        // Read again for the track list: the dataset keeps only the grid (or its cache).
        const midi::ReadResult r = midi::readMidiFile(files[i].path);
        if (!r.ok)
            continue;
        TrackUse& use = out[i];
        auto label = [&](int index) {
            const std::string& name = r.song.trackAt(std::size_t(index)).properties.name;
            return name.empty()
                       ? QString::number(index)
                       : QStringLiteral("%1 %2").arg(index).arg(QString::fromStdString(name));
        };
        QStringList available;
        const int count = int(r.song.trackCount());
        for (int t = 0; t < count; ++t)
            available << tr("%1 (%n note(s))", nullptr,
                            int(r.song.trackAt(std::size_t(t)).noteCount()))
                             .arg(label(t));
        use.available = tr("Tracks in this file: %1").arg(available.join(QStringLiteral(", ")));
        QStringList used;
        for (int index : indices) {
            if (index >= count) {
                use.problems << (count == 0 ? tr("no track %1 (the file has no tracks)").arg(index)
                                            : tr("no track %1 (the file has tracks 0-%2)")
                                                  .arg(index)
                                                  .arg(count - 1));
                continue;
            }
            if (r.song.trackAt(std::size_t(index)).noteCount() == 0)
                use.problems << tr("track %1 has no notes").arg(label(index));
            else
                used << label(index);
        }
        use.used = used.isEmpty() ? tr("none") : used.join(QStringLiteral(", "));
    }
    return out;
}

void TrainPanel::showFiles(const Scan& scan) {
    const std::vector<ml::DatasetFileInfo>& files = scan.files;
    m_files->clear();
    const QLocale locale;
    const QIcon warning = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    const QColor bad = QColor(0xe0, 0x60, 0x50);
    long steps = 0, notes = 0;
    int used = 0;
    QList<QTreeWidgetItem*> items;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const ml::DatasetFileInfo& f = files[i];
        const TrackUse use = i < scan.tracks.size() ? scan.tracks[i] : TrackUse{};
        const QString path = QFile::decodeName(f.path.c_str());
        auto* item = new QTreeWidgetItem;
        item->setText(FileNameColumn, QFileInfo(path).fileName());
        item->setData(FileNameColumn, Qt::UserRole, QFileInfo(path).absoluteFilePath());
        item->setText(StepsColumn, f.used ? locale.toString(f.steps) : QString());
        item->setText(NotesColumn, f.used ? locale.toString(f.notes) : QString());
        item->setTextAlignment(StepsColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(NotesColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(TracksColumn, use.used);
        item->setToolTip(TracksColumn, use.available);
        // The chosen tracks a file lacks come first: they are why it has few or no notes.
        QStringList problems = use.problems;
        for (const std::string& p : f.problems)
            problems << QString::fromStdString(p);
        item->setText(ProblemsColumn,
                      problems.isEmpty() ? (f.used ? tr("OK") : QString()) : problems.join("; "));
        item->setToolTip(FileNameColumn, QDir::toNativeSeparators(path));
        item->setToolTip(ProblemsColumn, problems.join(QLatin1Char('\n')));
        if (!f.used) {
            item->setIcon(FileNameColumn, warning);
            item->setForeground(ProblemsColumn, bad);
            item->setText(ProblemsColumn, tr("Skipped: %1").arg(item->text(ProblemsColumn)));
        } else if (!problems.isEmpty()) {
            item->setIcon(FileNameColumn, warning);
        }
        steps += f.used ? f.steps : 0;
        notes += f.used ? f.notes : 0;
        used += f.used;
        items << item;
    }
    m_files->addTopLevelItems(items);
    if (files.empty())
        m_fileSummary->setText(tr("Drop MIDI files or folders here, or use Add."));
    else
        m_fileSummary->setText(
            tr("%1 of %n file(s) usable \u00b7 %2 steps \u00b7 %3 notes", nullptr,
               int(files.size()))
                .arg(used)
                .arg(locale.toString(qlonglong(steps)), locale.toString(qlonglong(notes))) +
            (m_tracks.empty() ? QString()
                              : tr(" \u00b7 track(s) %1 of each").arg(tracksText(m_tracks))));
}

// --- Tracks -------------------------------------------------------------------------------

QString TrainPanel::tracksText(const std::vector<int>& indices) {
    return QString::fromStdString(ml::trackIndicesText(indices));
}

bool TrainPanel::parseTracks(const QString& text, std::vector<int>& out) {
    return model::parseTrackIndices(text.toStdString(), out).empty();
}

void TrainPanel::setTrainingTracks(const std::vector<int>& indices) {
    std::vector<int> sorted = indices;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    m_tracksEdit->setText(tracksText(sorted));
    if (sorted == m_tracks)
        return;
    m_tracks = sorted;
    scanFiles();
}

void TrainPanel::applyTracksText() {
    std::vector<int> tracks;
    if (!parseTracks(m_tracksEdit->text(), tracks)) {
        m_status->setText(tr("Tracks: \"%1\" is not a list of track numbers such as \"1, 3-4\"; "
                             "still using %2.")
                              .arg(m_tracksEdit->text(),
                                   m_tracks.empty() ? tr("all tracks but drums")
                                                    : tr("tracks %1").arg(tracksText(m_tracks))));
        return;
    }
    m_tracksEdit->setText(tracksText(tracks)); // the tidy form: "1, 2, 3" for "1-3"
    if (tracks == m_tracks)
        return;
    m_tracks = tracks;
    m_status->setText(tracks.empty()
                          ? tr("Learning from all tracks but drums")
                          : tr("Learning from track(s) %1 of every file").arg(tracksText(tracks)));
    emit settingsEdited();
    scanFiles();
}

// --- Model choice -------------------------------------------------------------------------

QJsonObject TrainPanel::modelSettings() const {
    static const char* const kPresets[] = {"small", "medium", "large"};
    QJsonObject o;
    o[QStringLiteral("kind")] = QString::fromLatin1(ml::toString(modelConfig().kind));
    o[QStringLiteral("preset")] =
        QString::fromLatin1(kPresets[std::clamp(m_preset->currentData().toInt(), 0, 2)]);
    o[QStringLiteral("epochs")] = m_epochs->value();
    return o;
}

void TrainPanel::restoreModelSettings(const QJsonObject& settings) {
    m_restoring = true;
    int kind = kDefaultKindIndex;
    const QString kindName = settings.value(QStringLiteral("kind")).toString();
    for (int i = 0; i < m_kind->count(); ++i)
        if (kindName == QLatin1String(ml::toString(ml::ModelKind(m_kind->itemData(i).toInt()))))
            kind = i;
    m_kind->setCurrentIndex(kind);
    const QString preset = settings.value(QStringLiteral("preset")).toString();
    m_preset->setCurrentIndex(preset == QLatin1String("small")   ? 0
                              : preset == QLatin1String("large") ? 2
                                                                 : kDefaultPresetIndex);
    m_epochs->setValue(settings.value(QStringLiteral("epochs")).toInt(kDefaultEpochs));
    m_restoring = false;
}

void TrainPanel::applyPreset(Preset preset, ml::ModelConfig& config) {
    switch (preset) {
    case Preset::Small:
        config.hidden = 128;
        config.layers = 1;
        config.markovOrder = 1;
        break;
    case Preset::Medium:
        config.hidden = 256;
        config.layers = 2;
        config.markovOrder = 2;
        break;
    case Preset::Large:
        config.hidden = 512;
        config.layers = 3;
        config.markovOrder = 3;
        break;
    }
}

ml::ModelConfig TrainPanel::modelConfig() const {
    ml::ModelConfig config;
    config.kind = ml::ModelKind(m_kind->currentData().toInt());
    applyPreset(Preset(m_preset->currentData().toInt()), config);
    return config;
}

ml::TrainOptions TrainPanel::trainOptions() const {
    ml::TrainOptions options;
    options.epochs = m_epochs->value();
    options.threads = 2;
    options.transpose = 5;
    return options;
}

// --- Training -----------------------------------------------------------------------------

QString TrainPanel::stateName(State state) {
    switch (state) {
    case State::Idle:
        return QStringLiteral("idle");
    case State::Reading:
        return QStringLiteral("reading");
    case State::Training:
        return QStringLiteral("training");
    case State::Cancelling:
        return QStringLiteral("cancelling");
    case State::Finished:
        return QStringLiteral("finished");
    case State::Cancelled:
        return QStringLiteral("cancelled");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

void TrainPanel::setState(State state, const QString& message) {
    m_state = state;
    if (!message.isEmpty())
        m_status->setText(message);
    updateButtons();
    emit stateChanged(state);
}

void TrainPanel::updateButtons() {
    const bool busy = isBusy();
    m_train->setEnabled(!busy && !m_inputs.isEmpty());
    m_cancel->setEnabled(m_state == State::Reading || m_state == State::Training);
    m_kind->setEnabled(!busy);
    m_tracksEdit->setEnabled(!busy);
    m_preset->setEnabled(!busy);
    m_epochs->setEnabled(!busy && modelConfig().kind != ml::ModelKind::Markov);
    const bool haveModel = m_models->currentIndex().isValid();
    m_saveModel->setEnabled(haveModel);
    m_removeModel->setEnabled(haveModel);
}

void TrainPanel::train() {
    if (isBusy() || m_inputs.isEmpty())
        return;
    const std::uint64_t generation = ++m_runGeneration;
    m_error.clear();
    m_runConfig = modelConfig();
    m_lastProgress = {};
    clearChart();
    m_progress->setRange(0, 0); // busy until the data is read
    m_speed->clear();
    setState(State::Reading, tr("Reading the training data\u2026"));
    const std::vector<std::string> paths = toStd(m_inputs);
    const ml::RepresentationConfig rep = m_runConfig.representation;
    const std::vector<int> tracks = m_tracks;
    m_runTracks = m_tracks;
    using Read = std::pair<ml::Dataset, std::vector<TrackUse>>;
    auto* watcher = new QFutureWatcher<Read>(this);
    connect(watcher, &QFutureWatcher<Read>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_runGeneration)
            return; // cancelled while reading
        Read read = watcher->future().takeResult();
        showFiles(Scan{read.first.files, std::move(read.second)});
        startTraining(std::move(read.first));
    });
    watcher->setFuture(QtConcurrent::run([paths, rep, tracks] {
        Read read;
        read.first = ml::loadMidiDataset(paths, rep, datasetOptions(tracks));
        read.second = describeTracks(read.first.files, tracks);
        return read;
    }));
}

void TrainPanel::startTraining(ml::Dataset dataset) {
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    if (dataset.train.empty()) {
        m_error = m_tracks.empty()
                      ? tr("No usable MIDI files: see the problems in the list.")
                      : tr("No usable MIDI files with notes on track(s) %1: see the problems in "
                           "the list.")
                            .arg(tracksText(m_tracks));
        setState(State::Failed, m_error);
        return;
    }
    m_usedFiles.clear();
    for (const ml::DatasetFileInfo& f : dataset.files)
        if (f.used)
            m_usedFiles.push_back(f);
    const ml::TrainOptions options = trainOptions();
    m_xAxis->setRange(0, m_runConfig.kind == ml::ModelKind::Markov ? 1 : options.epochs);
    m_xAxis->setTickCount(std::min(options.epochs, 5) + 1);
    m_xAxis->applyNiceNumbers();
    m_lastValidEpoch = 0;

    // Progress and the result arrive on the worker; they come here as values, queued. The job
    // is joined in the destructor before this object goes, so `this` outlives every call.
    const std::uint64_t generation = m_runGeneration;
    auto progress = [this, generation](const ml::TrainProgress& p) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, p] {
                if (generation == m_runGeneration)
                    onProgress(p);
            },
            Qt::QueuedConnection);
    };
    auto done = [this, generation](const ml::TrainResult& result) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, result] {
                if (generation == m_runGeneration)
                    onDone(result);
            },
            Qt::QueuedConnection);
    };
    m_job = std::make_unique<ml::TrainingJob>(); // the previous one has ended (its done came)
    m_job->start(std::move(dataset), m_runConfig, options, progress, done);
    setState(State::Training,
             tr("Training %1 %2\u2026")
                 .arg(QString::fromLatin1(ml::toString(m_runConfig.kind)).toUpper(),
                      ModelLibrary::sizeText(m_runConfig)));
}

void TrainPanel::cancel() {
    if (m_state == State::Reading) {
        ++m_runGeneration; // the data being read is dropped when it arrives
        m_progress->setRange(0, 1000);
        m_progress->setValue(0);
        setState(State::Cancelled, tr("Cancelled"));
        return;
    }
    if (m_state != State::Training || !m_job)
        return;
    m_job->cancel(); // the worker answers within a fraction of a second (onDone)
    setState(State::Cancelling, tr("Cancelling\u2026"));
}

void TrainPanel::onProgress(const ml::TrainProgress& p) {
    if (m_state != State::Training && m_state != State::Cancelling)
        return;
    m_lastProgress = p;
    const double perEpoch = double(std::max<long>(1, p.stepsPerEpoch));
    const double epochFraction = std::clamp(double(p.step) / perEpoch, 0.0, 1.0);
    const double done = (std::max(0, p.epoch - 1) + epochFraction) / std::max(1, p.epochs);
    m_progress->setValue(int(std::lround(done * 1000)));
    if (p.trainLoss > 0 && p.phase == "training")
        addChartPoint(m_trainSeries, std::max(0, p.epoch - 1) + epochFraction, p.trainLoss);
    // A new validation value shows once per epoch: at the end of the epoch it scored.
    if (p.validLoss > 0 && p.phase == "training" && p.epoch - 1 > m_lastValidEpoch) {
        m_lastValidEpoch = p.epoch - 1;
        addChartPoint(m_validSeries, m_lastValidEpoch, p.validLoss);
    }
    if (m_state == State::Training) {
        QString text = p.phase == "validating"
                           ? tr("Epoch %1 of %2: validating\u2026").arg(p.epoch).arg(p.epochs)
                           : tr("Epoch %1 of %2, batch %3 of %4")
                                 .arg(p.epoch)
                                 .arg(p.epochs)
                                 .arg(p.step)
                                 .arg(p.stepsPerEpoch);
        if (p.trainLoss > 0)
            text += tr(" \u00b7 loss %1").arg(p.trainLoss, 0, 'f', 3);
        m_status->setText(text);
    }
    QStringList speed;
    if (p.framesPerSecond > 0)
        speed << tr("%1 steps/s").arg(QLocale().toString(p.framesPerSecond, 'f', 0));
    if (p.secondsLeft > 0)
        speed << tr("%1 left").arg(formatSeconds(p.secondsLeft));
    m_speed->setText(speed.join(QStringLiteral("  \u00b7  ")));
}

void TrainPanel::onDone(const ml::TrainResult& result) {
    m_progress->setRange(0, 1000);
    m_speed->clear();
    // A cancelled run says so and keeps nothing, even when the trainer had a best model.
    if (result.status == ml::TrainStatus::Cancelled || m_state == State::Cancelling) {
        m_progress->setValue(0);
        setState(State::Cancelled, tr("Cancelled"));
        return;
    }
    if (result.status != ml::TrainStatus::Finished || !result.model) {
        m_error = QString::fromStdString(result.error);
        if (m_error.isEmpty())
            m_error = tr("Training produced no model");
        setState(State::Failed, tr("Failed: %1").arg(m_error));
        return;
    }
    m_progress->setValue(1000);
    // The chart shows what the trainer recorded per epoch (the live training curve stays).
    QList<QPointF> valid;
    for (const ml::EpochRecord& e : result.history) {
        if (e.validLoss > 0)
            valid << QPointF(e.epoch, e.validLoss);
        if (m_trainSeries->count() == 0 && e.trainLoss > 0)
            addChartPoint(m_trainSeries, e.epoch, e.trainLoss);
    }
    for (const QPointF& v : valid)
        addChartPoint(m_validSeries, v.x(), v.y());
    if (!valid.isEmpty()) {
        m_validSeries->replace(valid);
    }
    const int epochsRun = std::max(1, int(result.history.size()));
    m_xAxis->setRange(0, epochsRun);
    m_xAxis->setTickCount(std::min(epochsRun, 5) + 1);

    ml::TrainingMetadata meta;
    meta.files = m_usedFiles;
    meta.trackIndices = m_runTracks;
    meta.history = result.history;
    meta.bestEpoch = result.bestEpoch;
    meta.bestValidLoss = result.bestValidLoss;
    const QString baseName = QStringLiteral("%1-%2").arg(
        QString::fromLatin1(ml::toString(m_runConfig.kind)),
        QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    // Reported when the library has written it.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_library, &ModelLibrary::modelAdded, this,
                          [this, connection, baseName](const QString& path) {
                              if (!QFileInfo(path).completeBaseName().startsWith(baseName))
                                  return;
                              disconnect(*connection);
                              m_status->setText(tr("Saved %1").arg(QFileInfo(path).fileName()));
                              emit modelTrained(path);
                          });
    m_library->addTrained(result.model, meta, baseName);
    setState(State::Finished,
             tr("Finished: best validation loss %1 nats/step (epoch %2); saving\u2026")
                 .arg(result.bestValidLoss, 0, 'f', 3)
                 .arg(result.bestEpoch));
}

void TrainPanel::clearChart() {
    m_trainSeries->clear();
    m_validSeries->clear();
    m_yMin = std::numeric_limits<double>::infinity();
    m_yMax = -std::numeric_limits<double>::infinity();
    m_yAxis->setRange(0, 1);
}

void TrainPanel::addChartPoint(QLineSeries* series, double x, double y) {
    if (!std::isfinite(y))
        return;
    // Thin the live curve: no more than ~50 points an epoch.
    if (series->count() > 0 && x - series->at(series->count() - 1).x() < 0.02 &&
        series == m_trainSeries)
        series->replace(series->count() - 1, QPointF(x, y));
    else
        series->append(x, y);
    m_yMin = std::min(m_yMin, y);
    m_yMax = std::max(m_yMax, y);
    // The axis changes only when a point leaves it or the curve has shrunk well inside it: a
    // new range re-lays out the whole chart, too much work for every progress report.
    const double pad = std::max(0.05, (m_yMax - m_yMin) * 0.1);
    const double low = std::max(0.0, m_yMin - pad);
    const double high = m_yMax + pad;
    const double shown = m_yAxis->max() - m_yAxis->min();
    if (y < m_yAxis->min() || y > m_yAxis->max() || high - low < 0.6 * shown) {
        m_yAxis->setRange(low, high);
        m_yAxis->setLabelFormat(m_yMax - m_yMin >= 5 ? QStringLiteral("%.0f")
                                                     : QStringLiteral("%.2f"));
    }
    if (x > m_xAxis->max())
        m_xAxis->setMax(std::ceil(x));
}

// --- Library ------------------------------------------------------------------------------

void TrainPanel::loadModel() {
    QStringList chosen;
    if (m_chooser) {
        chosen = m_chooser(false);
    } else {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Load a Model"), QSettings().value(kLastDirKey).toString(),
            tr("Torchestra models (*.tcm);;All files (*)"));
        if (!path.isEmpty())
            chosen << path;
    }
    for (const QString& path : chosen)
        m_library->load(path);
}

void TrainPanel::saveModel() {
    const int row = m_models->currentIndex().row();
    if (row < 0)
        return;
    QString path;
    if (m_chooser) {
        path = m_chooser(false).value(0);
    } else {
        path = QFileDialog::getSaveFileName(
            this, tr("Save the Model As"),
            QDir(QSettings().value(kLastDirKey).toString())
                .filePath(m_library->entry(row).name + QStringLiteral(".tcm")),
            tr("Torchestra models (*.tcm)"));
    }
    if (!path.isEmpty())
        m_library->saveCopy(row, path);
}

} // namespace torchestra::ui
