#include "ui/tracks/TrackListDelegate.h"

#include "project/GeneralMidi.h"
#include "ui/tracks/TrackListModel.h"

#include <QApplication>
#include <QComboBox>
#include <QMouseEvent>
#include <QPainter>
#include <QSpinBox>

namespace torchestra::ui {

QWidget* TrackListDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                                         const QModelIndex& index) const {
    switch (index.column()) {
    case TrackListModel::InstrumentColumn: {
        auto* combo = new QComboBox(parent);
        combo->setObjectName(QStringLiteral("instrumentEditor"));
        const bool drums =
            index.siblingAtColumn(TrackListModel::ChannelColumn).data(Qt::EditRole).toInt() ==
            model::kDrumChannel + 1;
        for (int program = 0; program < 128; ++program)
            combo->addItem(QStringLiteral("%1 %2")
                               .arg(program + 1)
                               .arg(drums ? project::gm::drumKitName(program)
                                          : project::gm::programName(program)),
                           program);
        combo->setMaxVisibleItems(20);
        return combo;
    }
    case TrackListModel::ChannelColumn:
    case TrackListModel::VolumeColumn: {
        auto* spin = new QSpinBox(parent);
        const bool channel = index.column() == TrackListModel::ChannelColumn;
        spin->setObjectName(channel ? QStringLiteral("channelEditor")
                                    : QStringLiteral("volumeEditor"));
        spin->setRange(channel ? 1 : 0, channel ? 16 : 127);
        spin->setFrame(false);
        return spin;
    }
    default:
        return QStyledItemDelegate::createEditor(parent, option, index);
    }
}

namespace {
bool isToggleColumn(const QModelIndex& index) {
    return index.column() == TrackListModel::MuteColumn ||
           index.column() == TrackListModel::SoloColumn;
}
} // namespace

void TrackListDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const {
    if (!isToggleColumn(index)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The row's background (selection, alternate colour) without the check indicator.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.features &= ~QStyleOptionViewItem::HasCheckIndicator;
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const bool on = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
    const bool mute = index.column() == TrackListModel::MuteColumn;
    const int side = std::min(option.rect.height() - 4, 18);
    const QRect box(option.rect.center().x() - side / 2, option.rect.center().y() - side / 2, side,
                    side);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QColor lit = mute ? QColor(0xe0, 0xa0, 0x30) : QColor(0x4c, 0xc0, 0x60);
    const QColor text = option.palette.color(QPalette::Text);
    painter->setPen(on ? lit.darker(130) : QColor(text.red(), text.green(), text.blue(), 110));
    painter->setBrush(on ? lit : Qt::NoBrush);
    painter->drawRoundedRect(QRectF(box).adjusted(0.5, 0.5, -0.5, -0.5), 3, 3);
    QFont font = option.font;
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 0.8);
    painter->setFont(font);
    painter->setPen(on ? QColor(Qt::black) : QColor(text.red(), text.green(), text.blue(), 150));
    painter->drawText(box, Qt::AlignCenter, mute ? QStringLiteral("M") : QStringLiteral("S"));
    painter->restore();
}

bool TrackListDelegate::editorEvent(QEvent* event, QAbstractItemModel* model,
                                    const QStyleOptionViewItem& option, const QModelIndex& index) {
    if (!isToggleColumn(index))
        return QStyledItemDelegate::editorEvent(event, model, option, index);
    if (!(model->flags(index) & Qt::ItemIsUserCheckable))
        return false;
    if (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonDblClick)
        return static_cast<QMouseEvent*>(event)->button() == Qt::LeftButton; // toggle on release
    if (event->type() != QEvent::MouseButtonRelease ||
        static_cast<QMouseEvent*>(event)->button() != Qt::LeftButton ||
        !option.rect.contains(static_cast<QMouseEvent*>(event)->position().toPoint()))
        return false;
    const bool on = index.data(Qt::CheckStateRole).toInt() == Qt::Checked;
    return model->setData(index, on ? Qt::Unchecked : Qt::Checked, Qt::CheckStateRole);
}

QSize TrackListDelegate::sizeHint(const QStyleOptionViewItem& option,
                                  const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (isToggleColumn(index))
        size.setWidth(26);
    return size;
}

void TrackListDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    if (auto* combo = qobject_cast<QComboBox*>(editor)) {
        combo->setCurrentIndex(combo->findData(index.data(Qt::EditRole).toInt()));
        return;
    }
    if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
        spin->setValue(index.data(Qt::EditRole).toInt());
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void TrackListDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                     const QModelIndex& index) const {
    if (auto* combo = qobject_cast<QComboBox*>(editor)) {
        model->setData(index, combo->currentData(), Qt::EditRole);
        return;
    }
    if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
        spin->interpretText();
        model->setData(index, spin->value(), Qt::EditRole);
        return;
    }
    QStyledItemDelegate::setModelData(editor, model, index);
}

} // namespace torchestra::ui
