#include "ui/panels/TrainingFilesModel.h"

#include <QApplication>
#include <QBrush>
#include <QColor>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QLocale>
#include <QStyle>

namespace torchestra::ui {

TrainingFilesModel::TrainingFilesModel(QObject* parent) : QAbstractTableModel(parent) {}

void TrainingFilesModel::setScan(const TrainingScan& scan) {
    beginResetModel();
    m_rows.clear();
    for (std::size_t i = 0; i < scan.files.size(); ++i) {
        Row row;
        row.file = scan.files[i];
        row.use = i < scan.tracks.size() ? scan.tracks[i] : TrackUse{};
        row.path = QFileInfo(QFile::decodeName(row.file.path.c_str())).absoluteFilePath();
        // The chosen tracks a file lacks come first: they are why it has few or no notes.
        row.problems = row.use.problems;
        for (const std::string& p : row.file.problems)
            row.problems << QString::fromStdString(p);
        m_rows.push_back(std::move(row));
    }
    endResetModel();
}

QString TrainingFilesModel::path(int row) const {
    return row >= 0 && row < rowCount() ? m_rows[std::size_t(row)].path : QString();
}

int TrainingFilesModel::usableCount() const {
    int used = 0;
    for (const Row& r : m_rows)
        used += r.file.used;
    return used;
}

long TrainingFilesModel::totalSteps() const {
    long steps = 0;
    for (const Row& r : m_rows)
        steps += r.file.used ? r.file.steps : 0;
    return steps;
}

long TrainingFilesModel::totalNotes() const {
    long notes = 0;
    for (const Row& r : m_rows)
        notes += r.file.used ? r.file.notes : 0;
    return notes;
}

int TrainingFilesModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TrainingFilesModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TrainingFilesModel::text(const Row& row, int column) const {
    const ml::DatasetFileInfo& f = row.file;
    switch (column) {
    case FileNameColumn:
        return QFileInfo(row.path).fileName();
    case StepsColumn:
        return f.used ? QLocale().toString(f.steps) : QString();
    case NotesColumn:
        return f.used ? QLocale().toString(f.notes) : QString();
    case TracksColumn:
        return row.use.used;
    case ProblemsColumn: {
        const QString problems =
            row.problems.isEmpty() ? (f.used ? tr("OK") : QString()) : row.problems.join("; ");
        return f.used ? problems : tr("Skipped: %1").arg(problems);
    }
    default:
        return {};
    }
}

QVariant TrainingFilesModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Row& row = m_rows[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return text(row, column);
    case PathRole:
        return row.path;
    case Qt::ToolTipRole:
        if (column == FileNameColumn)
            return QDir::toNativeSeparators(row.path);
        if (column == TracksColumn)
            return row.use.available;
        if (column == ProblemsColumn)
            return row.problems.join(QLatin1Char('\n'));
        return {};
    case Qt::DecorationRole:
        if (column == FileNameColumn && (!row.file.used || !row.problems.isEmpty()))
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    case Qt::ForegroundRole:
        if (column == ProblemsColumn && !row.file.used)
            return QBrush(QColor(0xe0, 0x60, 0x50));
        return {};
    case Qt::TextAlignmentRole:
        if (column == StepsColumn || column == NotesColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant TrainingFilesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case FileNameColumn:
        return tr("File");
    case StepsColumn:
        return tr("Steps");
    case NotesColumn:
        return tr("Notes");
    case TracksColumn:
        return tr("Tracks");
    case ProblemsColumn:
        return tr("Problems");
    default:
        return {};
    }
}

} // namespace torchestra::ui
