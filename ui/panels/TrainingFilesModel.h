#pragma once

#include "ui/panels/TrainingScan.h"

#include <QAbstractTableModel>

namespace torchestra::ui {

// The files the Train panel learns from, one row each as the dataset reader saw them: name,
// steps, notes, the tracks used and the problems (a skipped file says why). GUI thread only.
class TrainingFilesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        FileNameColumn,
        StepsColumn,
        NotesColumn,
        TracksColumn,
        ProblemsColumn,
        ColumnCount
    };
    // The file's absolute path, on every column.
    static constexpr int PathRole = Qt::UserRole;

    explicit TrainingFilesModel(QObject* parent = nullptr);

    // Replaces every row with the files of `scan`.
    void setScan(const TrainingScan& scan);
    QString path(int row) const;

    // Totals over the usable files.
    int usableCount() const;
    long totalSteps() const;
    long totalNotes() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row {
        ml::DatasetFileInfo file;
        TrackUse use;
        QString path;
        QStringList problems; // the chosen tracks the file lacks first, then the reader's
    };
    QVariant text(const Row& row, int column) const;

    std::vector<Row> m_rows;
};

} // namespace torchestra::ui
