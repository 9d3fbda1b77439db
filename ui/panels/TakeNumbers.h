#pragma once

#include "ml/TakeAssessment.h"

#include <QString>
#include <QStyledItemDelegate>

namespace torchestra::ui {

// How the Generate panel words a take's numbers (ml/TakeAssessment.h), and the list delegate
// that shows them under each variation.
namespace takenumbers {

// Data roles of a variation's list item: its title ("Variation 1 · 22 notes · E4–A5"), the
// line of numbers under it, and the copy warning ("" when it copies nothing). DisplayRole holds
// all three, one a line, for accessibility and for anything that reads the plain text.
enum Role { TitleRole = Qt::UserRole + 10, NumbersRole, WarningRole };

// "closeness 87% · NLL 1.23 nats/step"; while `a` is null, that they are being worked out.
QString numbersLine(const ml::TakeAssessment* a);
// "⚠ copies bars 10–11 of the training data", or "" when the take copies nothing. `firstBar`
// is the song's bar (1-based) where the take starts.
QString warningLine(const ml::TakeAssessment& a, int firstBar);
// Rich text for the item's tooltip: each metric against the training windows, the NLL terms
// (beside `validationNll`, the model's own validation figure, when positive) and the copy check.
QString tooltip(const ml::TakeAssessment& a, int firstBar, double validationNll);
// One line under the list about what the takes were judged against (or why they were not).
QString summary(const ml::TakeAssessment& a, std::size_t trainingFiles);

} // namespace takenumbers

// Draws a variation as its swatch and title with the numbers below in a smaller type, and the
// copy warning, when there is one, on a line of its own in a warning colour that reads on the
// dark and the light theme.
class TakeListDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace torchestra::ui
