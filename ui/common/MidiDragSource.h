#pragma once

#include <QObject>
#include <QPoint>
#include <QString>

#include <functional>

class QMimeData;
class QWidget;

namespace torchestra::ui {

// Makes a widget a place a .mid can be dragged out of (onto a desktop or into a DAW): a press
// and a move past the drag distance start a copy drag of what `provider` gives for the press
// position (MidiMime.h), nothing when it gives null. Installed on the widget (a view's
// viewport), whose clicks and selection go on working as before. GUI thread only.
class MidiDragSource : public QObject {
    Q_OBJECT
public:
    // The MIME data for a press at `pos` (the widget's coordinates), or null: nothing there, or
    // an error (set in `error`, which the failed signal carries to the status bar).
    using Provider = std::function<QMimeData*(const QPoint& pos, QString& error)>;

    MidiDragSource(QWidget* widget, Provider provider);

    // What a drag from `pos` carries (the caller owns it): the provider's answer.
    QMimeData* mimeDataAt(const QPoint& pos, QString& error) const {
        return m_provider(pos, error);
    }

signals:
    void failed(const QString& message);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* m_widget;
    Provider m_provider;
    QPoint m_pressPos;
    bool m_pressed = false;
};

} // namespace torchestra::ui
