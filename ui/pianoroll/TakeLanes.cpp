#include "ui/pianoroll/TakeLanes.h"

#include "ui/pianoroll/PianoRollView.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>

namespace torchestra::ui {

TakeLanes::TakeLanes(PianoRollView* roll, QWidget* parent) : QWidget(parent), m_roll(roll) {
    setObjectName(QStringLiteral("takeLanes"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    const auto follow = [this] { update(); };
    connect(roll, &PianoRollView::zoomChanged, this, follow);
    connect(roll->horizontalScrollBar(), &QScrollBar::valueChanged, this, follow);
    hide();
}

void TakeLanes::setLanes(std::vector<Lane> lanes) {
    if (lanes.size() > std::size_t(kMaxLanes))
        lanes.resize(std::size_t(kMaxLanes));
    m_lanes = std::move(lanes);
    setVisible(!m_lanes.empty());
    updateGeometry();
    update();
}

QSize TakeLanes::sizeHint() const {
    return {200, int(m_lanes.size()) * kLaneHeight + 1};
}

int TakeLanes::laneAt(const QPoint& pos) const {
    const int lane = pos.y() / kLaneHeight;
    return pos.y() >= 0 && lane < int(m_lanes.size()) ? lane : -1;
}

double TakeLanes::tickToX(double tick) const {
    const int offset =
        m_roll->viewport()->mapTo(window(), QPoint(0, 0)).x() - mapTo(window(), QPoint(0, 0)).x();
    return m_roll->rollGeometry().tickToX(tick) + offset;
}

void TakeLanes::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const int labelWidth = PianoRollView::kKeyboardWidth;
    const int offset =
        m_roll->viewport()->mapTo(window(), QPoint(0, 0)).x() - mapTo(window(), QPoint(0, 0)).x();
    const int notesLeft = offset + labelWidth;
    const int notesRight = offset + m_roll->viewport()->width();
    QFont small = font();
    small.setPixelSize(10);
    p.setFont(small);
    for (std::size_t i = 0; i < m_lanes.size(); ++i) {
        const Lane& lane = m_lanes[i];
        const QRect row(0, int(i) * kLaneHeight, width(), kLaneHeight);
        QColor band = lane.colour;
        band.setAlpha(lane.current ? 60 : 22);
        p.fillRect(row, band);
        p.fillRect(QRect(0, row.bottom(), width(), 1), pal.color(QPalette::Mid));
        // The label, under the keyboard.
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(4, row.top(), labelWidth + offset - 6, row.height()),
                   Qt::AlignVCenter | Qt::AlignLeft,
                   p.fontMetrics().elidedText(lane.label, Qt::ElideRight, labelWidth + offset - 6));
        if (lane.notes.empty())
            continue;
        int low = 127, high = 0;
        for (const model::Note& n : lane.notes) {
            low = std::min<int>(low, n.pitch);
            high = std::max<int>(high, n.pitch);
        }
        const double rowHeight = double(row.height() - 6) / double(std::max(1, high - low + 1));
        p.save();
        p.setClipRect(QRect(notesLeft, row.top(), notesRight - notesLeft, row.height()));
        QColor fill = lane.colour;
        fill.setAlpha(lane.current ? 230 : 150);
        for (const model::Note& n : lane.notes) {
            const double x0 = tickToX(double(n.start));
            const double x1 = tickToX(double(n.end()));
            if (x1 < notesLeft || x0 > notesRight)
                continue;
            const double y = row.bottom() - 3 - (n.pitch - low + 1) * rowHeight;
            p.fillRect(QRectF(x0, y, std::max(1.5, x1 - x0 - 1), std::max(1.5, rowHeight - 0.5)),
                       fill);
        }
        p.restore();
    }
}

void TakeLanes::mousePressEvent(QMouseEvent* event) {
    const int lane = laneAt(event->position().toPoint());
    if (event->button() == Qt::LeftButton && lane >= 0)
        emit takeClicked(m_lanes[std::size_t(lane)].take);
}

bool TakeLanes::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int lane = laneAt(help->pos());
        if (lane >= 0)
            QToolTip::showText(help->globalPos(), m_lanes[std::size_t(lane)].tooltip, this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

} // namespace torchestra::ui
