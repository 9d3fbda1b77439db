#pragma once

#include <QStyledItemDelegate>

namespace torchestra::ui {

// Editors for the track list: a General MIDI instrument combo (drum kits on channel 10), and
// spin boxes with MIDI's ranges for channel (1..16) and volume (0..127). Mute and solo are
// drawn as small "M"/"S" buttons (lit when on: amber for mute, green for solo) that toggle on a
// click, as on a mixer; a plain check box is hard to see on the dark theme's rows. Other cells
// use the default editors. GUI thread only.
class TrackListDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    bool editorEvent(QEvent* event, QAbstractItemModel* model, const QStyleOptionViewItem& option,
                     const QModelIndex& index) override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model,
                      const QModelIndex& index) const override;
};

} // namespace torchestra::ui
