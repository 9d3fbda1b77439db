#include "ui/panels/ModelLibrary.h"

#include "base/ProgramPaths.h"
#include "ml/BuiltinModels.h"
#include "ml/ModelRegistry.h"
#include "ml/SamplingCalibration.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace torchestra::ui {

namespace {

const char* const kSuffix = "tcm";

std::string encode(const QString& path) {
    return QFile::encodeName(path).toStdString();
}

struct LoadOutcome {
    std::vector<ModelLibrary::Entry> entries;
    QStringList errors;
};

ModelLibrary::Entry entryFrom(const QString& path, ml::LoadedCheckpoint& loaded) {
    ModelLibrary::Entry e;
    e.path = QFileInfo(path).absoluteFilePath();
    e.name = QFileInfo(path).completeBaseName();
    e.model = std::move(loaded.model);
    e.metadata = std::move(loaded.metadata);
    return e;
}

struct Loaded {
    QString error;
    ModelLibrary::Entry entry;
};

// A built-in model read on a worker: its row is labelled as one and names it.
Loaded readBuiltin(const ml::BuiltinModel& model) {
    Loaded out;
    ml::LoadedCheckpoint loaded = ml::loadModelReference(ml::kBuiltinPrefix + model.name);
    if (!loaded.model) {
        out.error = QString::fromStdString(loaded.error);
        return out;
    }
    out.entry = entryFrom(QString::fromStdString(ml::builtinModelPath(model)), loaded);
    out.entry.name = QString::fromStdString(model.label);
    out.entry.builtinName = QString::fromStdString(model.name);
    return out;
}

// The built-in a path or a reference names, or null.
const ml::BuiltinModel* builtinNamedBy(const QString& pathOrReference) {
    const QString prefix = QLatin1String(ml::kBuiltinPrefix);
    if (pathOrReference.startsWith(prefix))
        return ml::findBuiltinModel(pathOrReference.mid(prefix.size()).toStdString());
    return ml::builtinModelAtPath(encode(pathOrReference));
}

// Runs `work` on a worker and `then(result)` on this object's thread, unless it is gone.
template <typename Result, typename Work, typename Then>
void runAsync(QObject* owner, Work work, Then then) {
    auto* watcher = new QFutureWatcher<Result>(owner);
    QObject::connect(watcher, &QFutureWatcher<Result>::finished, owner,
                     [watcher, then = std::move(then)]() mutable {
                         watcher->deleteLater();
                         then(watcher->future().takeResult());
                     });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

// The one description of a configuration: "LSTM 2x256, NADE head", "MARKOV order 2".
QString kindText(const ml::ModelConfig& config) {
    return QString::fromStdString(ml::describeModel(config));
}

// A GAN's chosen cap and floor on notes at once: " and 2 to 5 notes at once", " and at most 5
// notes at once", ... or "" when it chose neither.
QString notesAtOnce(const ml::SamplingCalibration& sampling) {
    const int most = sampling.maxPolyphony, fewest = sampling.minPolyphony;
    if (most > 0 && fewest > 0)
        return QObject::tr(" and %1 to %2 notes at once").arg(fewest).arg(most);
    if (most > 0)
        return QObject::tr(" and at most %1 notes at once").arg(most);
    return fewest > 0 ? QObject::tr(" and at least %1 notes at once").arg(fewest) : QString();
}

} // namespace

ModelLibrary::ModelLibrary(QObject* parent)
    : QAbstractTableModel(parent), m_directory(defaultDirectory()) {}

ModelLibrary::~ModelLibrary() = default;

QString ModelLibrary::defaultDirectory() {
    return QString::fromStdString(base::userModelsDir());
}

void ModelLibrary::begin() {
    if (m_pending++ == 0)
        emit busyChanged(true);
}

void ModelLibrary::end() {
    if (--m_pending == 0)
        emit busyChanged(false);
}

void ModelLibrary::refresh() {
    const QString dir = m_directory;
    const bool builtins = m_builtinsShown;
    const std::uint64_t generation = ++m_refreshGeneration;
    m_newestRefresh->store(generation);
    begin();
    runAsync<LoadOutcome>(
        this,
        [dir, builtins, generation, newest = m_newestRefresh] {
            LoadOutcome out;
            const auto stale = [&] { return newest->load() != generation; };
            const QFileInfoList files =
                QDir(dir).entryInfoList({QStringLiteral("*.") + kSuffix}, QDir::Files, QDir::Time);
            for (const QFileInfo& info : files) {
                if (stale())
                    return out; // dropped when it arrives
                if (ml::builtinModelAtPath(encode(info.absoluteFilePath())))
                    continue; // listed below, as the built-in it is
                ml::LoadedCheckpoint loaded = ml::loadCheckpoint(encode(info.absoluteFilePath()));
                if (!loaded.model)
                    out.errors << QString::fromStdString(loaded.error);
                else
                    out.entries.push_back(entryFrom(info.absoluteFilePath(), loaded));
            }
            // The user's own models first: the newest is the one they are looking for.
            for (const ml::BuiltinModel& model :
                 builtins ? ml::builtinModels() : std::vector<ml::BuiltinModel>{}) {
                if (stale())
                    return out;
                Loaded loaded = readBuiltin(model);
                if (!loaded.error.isEmpty())
                    out.errors << loaded.error;
                else
                    out.entries.push_back(std::move(loaded.entry));
            }
            return out;
        },
        [this, dir, generation](LoadOutcome out) {
            end();
            if (generation != m_refreshGeneration)
                return;
            // Rows of this folder and the built-ins are replaced; models loaded from elsewhere
            // stay.
            beginResetModel();
            const QString prefix = QDir(dir).absolutePath() + QLatin1Char('/');
            QSet<QString> listed;
            for (const Entry& e : out.entries)
                listed.insert(e.path);
            m_savedHere -= listed;
            // A model saved here after the listing was read stays (it is not in the listing).
            const auto replaced = [&](const Entry& e) {
                const bool savedSince = m_savedHere.contains(e.path) && QFileInfo::exists(e.path);
                return e.isBuiltin() || (e.path.startsWith(prefix) && !savedSince);
            };
            m_entries.erase(std::remove_if(m_entries.begin(), m_entries.end(), replaced),
                            m_entries.end());
            for (Entry& e : out.entries)
                m_entries.push_back(std::move(e));
            endResetModel();
            for (const QString& error : out.errors)
                emit failed(error);
            emit refreshed();
        });
}

void ModelLibrary::addTrained(std::shared_ptr<const ml::SequenceModel> model,
                              ml::TrainingMetadata metadata, const QString& baseName) {
    QDir().mkpath(m_directory);
    QString path = QDir(m_directory).filePath(baseName + QLatin1Char('.') + kSuffix);
    for (int n = 2; QFileInfo::exists(path) || builtinNamedBy(path); ++n)
        path = QDir(m_directory)
                   .filePath(
                       QStringLiteral("%1-%2.%3").arg(baseName).arg(n).arg(QLatin1String(kSuffix)));
    if (metadata.createdUtc.empty())
        metadata.createdUtc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    if (metadata.programVersion.empty())
        metadata.programVersion = TORCHESTRA_VERSION;
    struct Saved {
        QString error;
        Entry entry;
    };
    begin();
    runAsync<Saved>(
        this,
        [path, model, metadata] {
            Saved out;
            out.error = QString::fromStdString(ml::saveCheckpoint(encode(path), *model, metadata));
            out.entry.path = QFileInfo(path).absoluteFilePath();
            out.entry.name = QFileInfo(path).completeBaseName();
            out.entry.model = model;
            out.entry.metadata = metadata;
            return out;
        },
        [this](Saved out) {
            end();
            if (!out.error.isEmpty()) {
                emit failed(out.error);
                return;
            }
            const QString added = out.entry.path;
            m_savedHere.insert(added);
            addEntry(std::move(out.entry));
            emit modelAdded(added);
        });
}

void ModelLibrary::showWritten(const QString& path, std::shared_ptr<const ml::SequenceModel> model,
                               ml::TrainingMetadata metadata) {
    Entry e;
    e.path = QFileInfo(path).absoluteFilePath();
    e.name = QFileInfo(path).completeBaseName();
    e.model = std::move(model);
    e.metadata = std::move(metadata);
    m_savedHere.insert(e.path); // a refresh read before it was written must not drop it
    const int row = rowOf(e.path);
    if (row < 0) {
        addEntry(std::move(e));
        return;
    }
    m_entries[std::size_t(row)] = std::move(e);
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ModelLibrary::load(const QString& path) {
    // A built-in, by reference or by its file, is listed once, as the built-in it is.
    const ml::BuiltinModel* builtin = builtinNamedBy(path);
    const QString absolute =
        builtin
            ? QFileInfo(QString::fromStdString(ml::builtinModelPath(*builtin))).absoluteFilePath()
            : QFileInfo(path).absoluteFilePath();
    if (rowOf(absolute) >= 0) {
        emit modelAdded(absolute);
        return;
    }
    begin();
    runAsync<Loaded>(
        this,
        [absolute, builtin] {
            if (builtin)
                return readBuiltin(*builtin);
            Loaded out;
            ml::LoadedCheckpoint loaded = ml::loadCheckpoint(encode(absolute));
            if (!loaded.model)
                out.error = QString::fromStdString(loaded.error);
            else
                out.entry = entryFrom(absolute, loaded);
            return out;
        },
        [this, absolute](Loaded out) {
            end();
            if (!out.error.isEmpty()) {
                emit failed(out.error);
                return;
            }
            if (rowOf(absolute) < 0)
                addEntry(std::move(out.entry));
            emit modelAdded(absolute);
        });
}

void ModelLibrary::saveCopy(int row, const QString& path) {
    if (row < 0 || row >= count()) {
        emit failed(tr("No model chosen to save"));
        return;
    }
    if (builtinNamedBy(path)) {
        emit failed(tr("%1 is a built-in model's file: it cannot be overwritten")
                        .arg(QDir::toNativeSeparators(path)));
        return;
    }
    const QString from = entry(row).path;
    begin();
    runAsync<QString>(
        this,
        [from, path] {
            if (QFileInfo(from).absoluteFilePath() == QFileInfo(path).absoluteFilePath())
                return QString();
            QFile::remove(path);
            QFile source(from);
            if (!source.copy(path))
                return QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path),
                                                    source.errorString());
            return QString();
        },
        [this, path](const QString& error) {
            end();
            if (!error.isEmpty())
                emit failed(error);
            else
                emit saved(path);
        });
}

bool ModelLibrary::remove(int row) {
    if (row < 0 || row >= count())
        return false;
    if (entry(row).isBuiltin()) {
        emit failed(tr("%1 comes with the program: it cannot be deleted").arg(entry(row).name));
        return false;
    }
    const QString path = entry(row).path;
    if (QFileInfo(path).absolutePath() == QDir(m_directory).absolutePath())
        QFile::remove(path);
    beginRemoveRows({}, row, row);
    m_entries.erase(m_entries.begin() + row);
    endRemoveRows();
    return true;
}

void ModelLibrary::addEntry(Entry entry) {
    // Newest first, as a musician looks for the model just trained.
    beginInsertRows({}, 0, 0);
    m_entries.insert(m_entries.begin(), std::move(entry));
    endInsertRows();
}

int ModelLibrary::rowOf(const QString& path) const {
    const QString prefix = QLatin1String(ml::kBuiltinPrefix);
    if (path.startsWith(prefix)) {
        for (std::size_t i = 0; i < m_entries.size(); ++i)
            if (m_entries[i].builtinName == path.mid(prefix.size()))
                return int(i);
        return -1;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (std::size_t i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].path == absolute)
            return int(i);
    return -1;
}

QString ModelLibrary::reference(int row) const {
    if (row < 0 || row >= count())
        return {};
    const Entry& e = entry(row);
    return e.isBuiltin() ? QLatin1String(ml::kBuiltinPrefix) + e.builtinName : e.path;
}

QString ModelLibrary::describe(const Entry& e) {
    const ml::ModelConfig& c = e.model->config();
    const ml::BuiltinModel* builtin =
        e.isBuiltin() ? ml::findBuiltinModel(e.builtinName.toStdString()) : nullptr;
    QString text =
        builtin ? tr("%1, built in, learned from the %2")
                      .arg(kindText(c), QString::fromStdString(builtin->learnedFrom))
                : tr("%1, %n file(s)", nullptr, int(e.metadata.files.size())).arg(kindText(c));
    if (!e.metadata.trackIndices.empty())
        text += tr(", track(s) %1")
                    .arg(QString::fromStdString(ml::trackIndicesText(e.metadata.trackIndices)));
    // A GAN's validation figure is 1 - closeness (it has no likelihood): shown as closeness.
    if (e.metadata.bestValidLoss > 0 && c.kind == ml::ModelKind::Gan)
        text += tr(", closeness %1 to validation music (epoch %2)")
                    .arg(1.0 - e.metadata.bestValidLoss, 0, 'f', 3)
                    .arg(e.metadata.bestEpoch);
    else if (e.metadata.bestValidLoss > 0)
        text += tr(", best %1 nats/step (epoch %2)")
                    .arg(e.metadata.bestValidLoss, 0, 'f', 3)
                    .arg(e.metadata.bestEpoch);
    if (e.metadata.sampling.calibrated() && e.metadata.sampling.choseHarmony())
        text += (e.metadata.sampling.harmonyProgressions
                     ? tr(", harmony along the training music's progressions%1, chosen on "
                          "validation")
                     : tr(", harmony matched to each bar written%1, chosen on validation"))
                    .arg(notesAtOnce(e.metadata.sampling));
    else if (e.metadata.sampling.calibrated())
        text += (e.metadata.sampling.rhythm.keepsFigures()
                     ? tr(", temperature %1 and the bar's rhythm kept, repeating figures "
                          "strictly, chosen on validation")
                 : e.metadata.sampling.keepsRhythm()
                     ? tr(", temperature %1 and the bar's rhythm kept, chosen on validation")
                     : tr(", temperature %1 chosen on validation"))
                    .arg(e.metadata.sampling.temperature, 0, 'f', 1);
    return text;
}

int ModelLibrary::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

int ModelLibrary::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ModelLibrary::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= count())
        return {};
    const Entry& e = entry(index.row());
    const ml::ModelConfig& c = e.model->config();
    if (role == PathRole)
        return e.path;
    if (role == Qt::ToolTipRole) {
        QStringList lines{describe(e), QDir::toNativeSeparators(e.path)};
        // Every sampling choice the model made on validation, one a line, with what each
        // setting read: describe() names only a GAN's harmony and notes at once, and the rest
        // (its shortest note, hold odds, guidance...) were in the CLI's text alone.
        const std::string sampling = ml::describeCalibration(e.metadata.sampling);
        if (!sampling.empty()) {
            lines << tr("Sampling, as it chose on its validation music:");
            for (const QString& choice :
                 QString::fromStdString(sampling).split(QStringLiteral("; "), Qt::SkipEmptyParts))
                lines << QStringLiteral("  ") + choice;
        }
        if (e.isBuiltin())
            return lines.join(QLatin1Char('\n')); // not the hundreds of chorales by name
        for (const ml::DatasetFileInfo& f : e.metadata.files)
            lines << QStringLiteral("  ") + QFileInfo(QString::fromStdString(f.path)).fileName();
        return lines.join(QLatin1Char('\n'));
    }
    if (role == Qt::TextAlignmentRole &&
        (index.column() == FilesColumn || index.column() == LossColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return e.name;
    case KindColumn:
        return kindText(c);
    case FilesColumn:
        return int(e.metadata.files.size());
    case LossColumn:
        if (e.metadata.bestValidLoss <= 0)
            return QStringLiteral("\u2013");
        return c.kind == ml::ModelKind::Gan
                   ? tr("closeness %1").arg(1.0 - e.metadata.bestValidLoss, 0, 'f', 3)
                   : QString::number(e.metadata.bestValidLoss, 'f', 3);
    case CreatedColumn: {
        const QDateTime when =
            QDateTime::fromString(QString::fromStdString(e.metadata.createdUtc), Qt::ISODate);
        return when.isValid() ? QLocale().toString(when.toLocalTime(), QLocale::ShortFormat)
                              : QString::fromStdString(e.metadata.createdUtc);
    }
    default:
        return {};
    }
}

QVariant ModelLibrary::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Model");
    case KindColumn:
        return tr("Kind");
    case FilesColumn:
        return tr("Files");
    case LossColumn:
        return tr("Best loss");
    case CreatedColumn:
        return tr("Trained");
    default:
        return {};
    }
}

} // namespace torchestra::ui
