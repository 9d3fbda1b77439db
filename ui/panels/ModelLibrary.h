#pragma once

#include "ml/Checkpoint.h"
#include "ml/SequenceModel.h"

#include <QAbstractTableModel>
#include <QSet>
#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace torchestra::ui {

// The trained models the Train panel made and the Generate panel uses: checkpoint files in a
// folder (base::userModelsDir() by default) plus any loaded from elsewhere, one row each with
// their metadata (kind, size, files trained on, best validation loss, when), and after them
// the models that come with the program (ml/BuiltinModels.h), so there is something to
// generate with before any training. A built-in is never deleted, renamed or overwritten here:
// remove() and saveCopy() refuse, and the panels disable those actions for it.
//
// Checkpoints are read and written on worker threads (loadCheckpoint parses and checks the whole
// file); results come back as values over queued calls, so the GUI thread never waits for the
// disk. The loaded model is kept with its row, ready to sample from. GUI thread only.
class ModelLibrary : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, KindColumn, FilesColumn, LossColumn, CreatedColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1 };

    struct Entry {
        QString path;
        QString name; // the file's base name
        std::shared_ptr<const ml::SequenceModel> model;
        ml::TrainingMetadata metadata;
        QString builtinName; // "bach-nade" for a built-in model, else empty
        bool isBuiltin() const { return !builtinName.isEmpty(); }
    };

    explicit ModelLibrary(QObject* parent = nullptr);
    ~ModelLibrary() override;

    static QString defaultDirectory();
    // Where trained models are saved and what refresh() lists. Does not refresh by itself.
    void setDirectory(const QString& path) { m_directory = path; }
    QString directory() const { return m_directory; }

    // Whether refresh() lists the built-in models too (default true).
    void setBuiltinsShown(bool shown) { m_builtinsShown = shown; }

    // Lists the checkpoints of directory() and the built-in models (read on a worker);
    // refreshed() when done. Files that fail to load (a built-in among them) are reported with
    // failed() and left out.
    void refresh();
    // Saves a trained model into directory() as `baseName`.tcm (made unique) on a worker, then
    // adds its row: modelAdded(path), or failed(message).
    void addTrained(std::shared_ptr<const ml::SequenceModel> model, ml::TrainingMetadata metadata,
                    const QString& baseName);
    // Lists a model whose checkpoint was just written to `path` by its owner, or updates its
    // row in place when listed: a training run's best model so far (TrainingSnapshot.h), which
    // is replaced as it improves. The Generate panel can choose it like any other row; no
    // modelAdded, so it does not take the place of the user's choice there.
    void showWritten(const QString& path, std::shared_ptr<const ml::SequenceModel> model,
                     ml::TrainingMetadata metadata);
    // Loads a checkpoint from anywhere, or a built-in ("builtin:NAME" or its file), and lists
    // it (already listed: nothing is read again): modelAdded(path) or failed(message).
    void load(const QString& path);
    // Copies a row's checkpoint to `path` on a worker: saved(path) or failed(message). Refuses
    // (failed) a `path` that is a built-in model's file.
    void saveCopy(int row, const QString& path);
    // Forgets a row and deletes its file when it lies in directory(). Refuses (false, and
    // failed) a built-in model.
    bool remove(int row);

    bool isBusy() const { return m_pending > 0; }
    int count() const { return int(m_entries.size()); }
    const Entry& entry(int row) const { return m_entries.at(std::size_t(row)); }
    // The row of a model's file, or of "builtin:NAME"; -1 when not listed.
    int rowOf(const QString& path) const;
    // What a project keeps to name a row's model: "builtin:NAME" for a built-in (its file's
    // place depends on the installation), else the file's path.
    QString reference(int row) const;
    // One line about a model for lists and tooltips: "LSTM 2x256, 3 files, track(s) 1, best
    // 1.234 nats/step (epoch 4)".
    static QString describe(const Entry& entry);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    void refreshed();
    void modelAdded(const QString& path);
    void saved(const QString& path);
    void failed(const QString& message);
    void busyChanged(bool busy);

private:
    void addEntry(Entry entry);
    void begin();
    void end();

    QString m_directory;
    bool m_builtinsShown = true;
    std::vector<Entry> m_entries;
    int m_pending = 0;
    std::uint64_t m_refreshGeneration = 0;
    // The newest refresh's generation, which its workers read: one that a newer refresh made
    // stale stops reading models whose rows would be dropped (a window starting up reads the
    // built-ins, then a test or a project points the library elsewhere).
    std::shared_ptr<std::atomic<std::uint64_t>> m_newestRefresh =
        std::make_shared<std::atomic<std::uint64_t>>(0);
    // Models this library saved into the folder. A refresh whose listing was read before one
    // was saved must not drop it (the model just trained vanished from the list once).
    QSet<QString> m_savedHere;
};

} // namespace torchestra::ui
