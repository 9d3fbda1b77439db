#include "ui/common/MidiDragSource.h"

#include <QApplication>
#include <QDrag>
#include <QMimeData>
#include <QMouseEvent>
#include <QWidget>

namespace torchestra::ui {

MidiDragSource::MidiDragSource(QWidget* widget, Provider provider)
    : QObject(widget), m_widget(widget), m_provider(std::move(provider)) {
    widget->installEventFilter(this);
}

bool MidiDragSource::eventFilter(QObject* watched, QEvent* event) {
    if (watched != m_widget)
        return false;
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        m_pressed = mouse->button() == Qt::LeftButton;
        m_pressPos = mouse->position().toPoint();
        return false; // the widget still selects what was clicked
    }
    case QEvent::MouseButtonRelease:
        m_pressed = false;
        return false;
    case QEvent::MouseMove: {
        const auto* mouse = static_cast<QMouseEvent*>(event);
        if (!m_pressed || !(mouse->buttons() & Qt::LeftButton) ||
            (mouse->position().toPoint() - m_pressPos).manhattanLength() <
                QApplication::startDragDistance())
            return false;
        m_pressed = false;
        QString error;
        QMimeData* mime = m_provider(m_pressPos, error);
        if (!mime) {
            if (!error.isEmpty())
                emit failed(error);
            return false;
        }
        auto* drag = new QDrag(m_widget);
        drag->setMimeData(mime);
        drag->exec(Qt::CopyAction, Qt::CopyAction);
        return true;
    }
    default:
        return false;
    }
}

} // namespace torchestra::ui
