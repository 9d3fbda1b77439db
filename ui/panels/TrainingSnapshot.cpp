#include "ui/panels/TrainingSnapshot.h"

#include "ui/panels/ModelLibrary.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace torchestra::ui {

TrainingSnapshot::TrainingSnapshot(ModelLibrary* library, const QString& baseName, QObject* parent)
    : QObject(parent), m_library(library),
      m_path(QDir(library->directory()).absoluteFilePath(baseName + QStringLiteral(".tcm"))) {
    connect(&m_write, &QFutureWatcher<QString>::finished, this, &TrainingSnapshot::onWritten);
}

TrainingSnapshot::~TrainingSnapshot() {
    // A write that landed after the file was removed would leave a stale snapshot behind.
    m_write.waitForFinished();
    QFile::remove(m_path);
}

void TrainingSnapshot::offer(std::shared_ptr<const ml::SequenceModel> model,
                             ml::TrainingMetadata metadata) {
    if (m_finished || !model)
        return;
    if (metadata.createdUtc.empty())
        metadata.createdUtc = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    m_next = std::move(model);
    m_nextMetadata = std::move(metadata);
    if (!m_inFlight)
        writeNext();
}

void TrainingSnapshot::writeNext() {
    m_writing = std::move(m_next);
    m_writingMetadata = std::move(m_nextMetadata);
    m_next.reset();
    m_inFlight = true;
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    m_write.setFuture(QtConcurrent::run([path = QFile::encodeName(m_path).toStdString(),
                                         model = m_writing, metadata = m_writingMetadata] {
        return QString::fromStdString(ml::saveCheckpoint(path, *model, metadata));
    }));
}

void TrainingSnapshot::onWritten() {
    m_inFlight = false;
    const QString error = m_write.result();
    if (m_finished) {
        removeFile();
        deleteLater();
        return;
    }
    if (error.isEmpty()) {
        m_library->showWritten(m_path, m_writing, m_writingMetadata);
        emit written(m_path);
    } else {
        emit failed(error);
    }
    if (m_next)
        writeNext();
}

void TrainingSnapshot::finish() {
    m_finished = true;
    m_next.reset();
    if (m_inFlight)
        return; // onWritten() removes it
    removeFile();
    deleteLater();
}

void TrainingSnapshot::removeFile() {
    const int row = m_library->rowOf(m_path);
    if (row >= 0)
        m_library->remove(row); // deletes the file too (it lies in the library's folder)
    QFile::remove(m_path);
}

} // namespace torchestra::ui
