#include "ui/panels/TakeNumbers.h"

#include <QApplication>
#include <QCoreApplication>
#include <QPainter>

#include <cmath>

namespace torchestra::ui {

namespace {

// The panel's words: the translation context stays the panel that shows them.
QString tr(const char* text, int n = -1) {
    return QCoreApplication::translate("torchestra::ui::GeneratePanel", text, nullptr, n);
}

enum class Unit { Share, Count, Bits, Semitones };

struct MetricLabel {
    const char* name; // as ml::metricNames() spells it
    const char* label;
    Unit unit;
};

// Words a composer reads, for the metrics' names.
const MetricLabel kLabels[] = {
    {"empty-bar-rate", QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Empty bars"),
     Unit::Share},
    {"used-pitch-classes",
     QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Pitch classes a bar"), Unit::Count},
    {"pitches-per-bar", QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Pitches a bar"),
     Unit::Count},
    {"qualified-note-ratio",
     QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Notes of 3+ steps"), Unit::Share},
    {"polyphony-rate", QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Steps with 2+ notes"),
     Unit::Share},
    {"scale-consistency",
     QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Notes in one major scale"), Unit::Share},
    {"pitch-class-entropy-1",
     QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Pitch-class entropy, 1 bar"), Unit::Bits},
    {"pitch-class-entropy-4",
     QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Pitch-class entropy, 4 bars"), Unit::Bits},
    {"groove-consistency", QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Groove consistency"),
     Unit::Share},
    {"pitch-range", QT_TRANSLATE_NOOP("torchestra::ui::GeneratePanel", "Pitch range"),
     Unit::Semitones},
};

const MetricLabel* labelOf(const std::string& name) {
    for (const MetricLabel& l : kLabels)
        if (name == l.name)
            return &l;
    return nullptr;
}

QString format(double v, Unit unit) {
    switch (unit) {
    case Unit::Share:
        return QStringLiteral("%1%").arg(std::lround(100 * v));
    case Unit::Count:
        return QString::number(v, 'f', 1);
    case Unit::Bits:
        return QString::number(v, 'f', 2);
    case Unit::Semitones:
        return QString::number(std::lround(v));
    }
    return {};
}

QString percent(double share) {
    return QStringLiteral("%1%").arg(std::lround(100 * share));
}

QString metricRow(const ml::MetricPlacement& m) {
    const MetricLabel* l = labelOf(m.name);
    const Unit unit = l ? l->unit : Unit::Count;
    const QString name = l ? tr(l->label) : QString::fromStdString(m.name);
    // The metrics that pull the figure down stand out.
    const QString weight = m.closeness < 0.5 ? QStringLiteral(" style='font-weight:bold'") : "";
    // nowrap: a tooltip is laid out narrow, and a measure's name split over two lines reads as
    // two measures.
    return QStringLiteral("<tr%1><td nowrap>%2</td><td align=right>&nbsp;%3</td>"
                          "<td align=right nowrap>&nbsp;%4\u2013%5</td>"
                          "<td align=right>&nbsp;%6</td></tr>")
        .arg(weight, name.toHtmlEscaped(), format(m.value, unit), format(m.referenceLow, unit),
             format(m.referenceHigh, unit), percent(m.closeness));
}

QString closenessPart(const ml::TakeAssessment& a) {
    if (a.closeness < 0)
        return QStringLiteral("<p>%1</p>")
            .arg(QString::fromStdString(a.referenceNote).toHtmlEscaped());
    QString rows;
    for (const ml::MetricPlacement& m : a.metrics)
        rows += metricRow(m);
    QString out =
        tr("<p><b>Closeness %1</b>: how typical this take is of the music the model learned "
           "from. Each measure is placed among %2 windows of %3 bars cut from its training "
           "files: 100% anywhere in their middle 90%, falling to 0% beyond all of them. The "
           "figure is the mean.</p>")
            .arg(percent(a.closeness))
            .arg(a.referenceWindows)
            .arg(a.windowBars);
    out += QStringLiteral("<table cellspacing=0><tr><th align=left>%1</th><th>&nbsp;%2</th>"
                          "<th>&nbsp;%3</th><th>&nbsp;%4</th></tr>%5</table>")
               .arg(tr("Measure"), tr("This take"), tr("Training (5\u201395%)"), tr("Closeness"),
                    rows);
    if (!a.referenceNote.empty())
        out += QStringLiteral("<p>%1</p>")
                   .arg(QString::fromStdString(a.referenceNote).toHtmlEscaped());
    return out;
}

QString likelihoodPart(const ml::TakeAssessment& a, double validationNll) {
    if (!a.hasNll)
        return {};
    QString out = tr("<p><b>NLL %1 nats/step</b>: the model's own surprise at this take, the "
                     "primer as context (frame %2, onset %3, velocity %4 over %n step(s)). "
                     "Lower is closer to what the model expects.",
                     int(a.nllSteps))
                      .arg(a.nll, 0, 'f', 2)
                      .arg(a.frameNll, 0, 'f', 2)
                      .arg(a.onsetNll, 0, 'f', 2)
                      .arg(a.velocityNll, 0, 'f', 2);
    if (validationNll > 0)
        out += tr(" Its validation figure was %1.").arg(validationNll, 0, 'f', 2);
    return out + QStringLiteral("</p>");
}

QString copyPart(const ml::TakeAssessment& a, int firstBar) {
    if (!a.copyChecked)
        return {};
    if (!a.copies())
        return tr("<p>No %1 bars in a row copied verbatim from the training data.</p>")
            .arg(a.copyBars);
    return tr("<p><b>\u26a0 Bars %1\u2013%2 copy the training data verbatim</b> (%3 of the take's "
              "%n window(s) of %4 bars are found there): the model may be reciting rather than "
              "composing.</p>",
              a.takeWindows)
        .arg(firstBar + a.copyFirstBar)
        .arg(firstBar + a.copyLastBar)
        .arg(a.copiedWindows)
        .arg(a.copyBars);
}

// Amber that reads on the dark theme's base, a darker orange on the light one.
QColor warningColour(const QPalette& palette) {
    return palette.color(QPalette::Base).lightness() < 128 ? QColor(0xff, 0xa8, 0x3e)
                                                           : QColor(0xb0, 0x4a, 0x00);
}

QFont smaller(const QFont& font) {
    QFont f = font;
    f.setPointSizeF(font.pointSizeF() * 0.9);
    return f;
}

constexpr int kPadding = 3;

} // namespace

namespace takenumbers {

QString numbersLine(const ml::TakeAssessment* a) {
    if (!a)
        return tr("working out its numbers\u2026");
    QStringList parts;
    parts << (a->closeness >= 0 ? tr("closeness %1").arg(percent(a->closeness))
                                : tr("closeness unavailable"));
    if (a->hasNll)
        parts << tr("NLL %1 nats/step").arg(a->nll, 0, 'f', 2);
    return parts.join(QStringLiteral("  \u00b7  "));
}

QString warningLine(const ml::TakeAssessment& a, int firstBar) {
    if (!a.copies())
        return {};
    return tr("\u26a0 copies bars %1\u2013%2 of the training data")
        .arg(firstBar + a.copyFirstBar)
        .arg(firstBar + a.copyLastBar);
}

QString tooltip(const ml::TakeAssessment& a, int firstBar, double validationNll) {
    return closenessPart(a) + likelihoodPart(a, validationNll) + copyPart(a, firstBar);
}

QString summary(const ml::TakeAssessment& a, std::size_t trainingFiles) {
    if (a.closeness < 0) {
        QString note = QString::fromStdString(a.referenceNote);
        if (!note.isEmpty())
            note[0] = note[0].toUpper();
        return note + QLatin1Char('.');
    }
    QString out = tr("Closeness: how typical each take is of the training music (%n file(s), "
                     "%1 windows of %2 bars). Hover a take for each measure.",
                     int(trainingFiles))
                      .arg(a.referenceWindows)
                      .arg(a.windowBars);
    if (!a.referenceNote.empty())
        out += QLatin1Char(' ') + QString::fromStdString(a.referenceNote) + QLatin1Char('.');
    return out;
}

} // namespace takenumbers

void TakeListDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                             const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear(); // the lines are drawn below, each in its own type
    opt.decorationAlignment = Qt::AlignLeft | Qt::AlignTop;
    const QWidget* widget = opt.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QRect area = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget);
    const bool selected = opt.state & QStyle::State_Selected;
    const QColor text = opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QFont small = smaller(opt.font);
    const QFontMetrics big(opt.font), little(small);
    painter->save();
    int y = area.top() + kPadding;
    auto line = [&](const QString& s, const QFont& font, const QFontMetrics& fm, QColor c) {
        painter->setFont(font);
        painter->setPen(c);
        painter->drawText(QRect(area.left(), y, area.width(), fm.height()),
                          Qt::AlignLeft | Qt::AlignVCenter,
                          fm.elidedText(s, Qt::ElideRight, area.width()));
        y += fm.height();
    };
    line(index.data(takenumbers::TitleRole).toString(), opt.font, big, text);
    QColor dim = text;
    if (!selected)
        dim.setAlphaF(0.75);
    line(index.data(takenumbers::NumbersRole).toString(), small, little, dim);
    const QString warning = index.data(takenumbers::WarningRole).toString();
    if (!warning.isEmpty()) {
        QFont bold = small;
        bold.setBold(true);
        line(warning, bold, QFontMetrics(bold), selected ? text : warningColour(opt.palette));
    }
    painter->restore();
}

QSize TakeListDelegate::sizeHint(const QStyleOptionViewItem& option,
                                 const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QFontMetrics big(opt.font), little(smaller(opt.font));
    const int lines = index.data(takenumbers::WarningRole).toString().isEmpty() ? 1 : 2;
    const int height = 2 * kPadding + big.height() + lines * little.height();
    const int width = QStyledItemDelegate::sizeHint(option, index).width();
    return {width, height};
}

} // namespace torchestra::ui
