#include "ui/panels/TakesView.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QPushButton>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>
#include <tuple>

namespace torchestra::ui {

namespace {

constexpr int kTakeRole = Qt::UserRole; // on a take's item: its index; on a group's: -1

QString trackName(const model::Song& song, int index) {
    if (index < 0 || std::size_t(index) >= song.tracks().size())
        return QObject::tr("Track %1 (gone)").arg(index + 1);
    const std::string& name = song.tracks()[std::size_t(index)].properties.name;
    return name.empty() ? QObject::tr("Track %1").arg(index + 1) : QString::fromStdString(name);
}

} // namespace

QString barRangeText(const model::Song& song, model::Tick from, model::Tick to) {
    const model::TempoMap& map = song.tempoMap();
    const auto first = map.barAtTick(from) + 1, last = map.barAtTick(std::max(from, to - 1)) + 1;
    return first == last ? QObject::tr("bar %1").arg(first)
                         : QObject::tr("bars %1\u2013%2").arg(first).arg(last);
}

QString describeProvenance(const project::Take& take, const model::Song& song,
                           const QString& hashNow) {
    const project::TakeProvenance& p = take.provenance;
    QStringList lines;
    lines << QObject::tr("Take %1: %n note(s)", nullptr, int(take.notes.size())).arg(take.name);
    lines << QObject::tr("%1 %2 of %3")
                 .arg(p.regenerated ? QObject::tr("Rewrote") : QObject::tr("Continued into"),
                      barRangeText(song, p.from, p.to), trackName(song, p.track));
    if (p.primerFrom < p.from)
        lines << QObject::tr("Primer: %1").arg(barRangeText(song, p.primerFrom, p.from));
    lines << QObject::tr("Model: %1 (%2, checkpoint %3)")
                 .arg(p.model, p.modelPath,
                      p.checkpointHash.isEmpty() ? QObject::tr("unread") : p.checkpointHash);
    if (!hashNow.isNull() && hashNow.isEmpty())
        lines << QObject::tr("The model file is gone: the take still plays and accepts, but "
                             "cannot be made again");
    else if (!hashNow.isNull() && !p.checkpointHash.isEmpty() && hashNow != p.checkpointHash)
        lines << QObject::tr("The model file has changed since (checkpoint %1 now): made "
                             "again, the take may differ")
                     .arg(hashNow);
    lines << QObject::tr("Seed %1, variation %2 of %3, temperature %4")
                 .arg(p.seed)
                 .arg(p.variation + 1)
                 .arg(p.variations)
                 .arg(p.temperature, 0, 'g', 3);
    QStringList constraints;
    for (auto it = p.constraints.begin(); it != p.constraints.end(); ++it)
        if (!it.value().toVariant().toString().isEmpty())
            constraints << it.key() + QLatin1Char(' ') + it.value().toVariant().toString();
    if (!constraints.isEmpty())
        lines << QObject::tr("Constraints: %1").arg(constraints.join(QStringLiteral(", ")));
    lines << QObject::tr("Made %1").arg(
        QLocale().toString(p.time.toLocalTime(), QLocale::ShortFormat));
    return lines.join(QLatin1Char('\n'));
}

TakesView::TakesView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("takesTree"));
    m_tree->setHeaderLabels({tr("Take"), tr("Seed"), tr("Notes"), tr("Made")});
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->setRootIsDecorated(true);
    m_tree->setMinimumHeight(60);
    // The height left over in the Generate panel, whatever the number of takes: asking for its
    // rows would push the buttons below out of a small window's dock (see the variation list).
    m_tree->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    layout->addWidget(m_tree, 1);
    auto* row = new QHBoxLayout;
    m_show = new QPushButton(tr("Show"), this);
    m_show->setObjectName(QStringLiteral("showTakeButton"));
    m_show->setToolTip(tr("Show the takes of this bar range as the variations"));
    // "Again with This Seed", short enough for the panel's width.
    m_again = new QPushButton(tr("Again"), this);
    m_again->setObjectName(QStringLiteral("againTakeButton"));
    m_again->setAccessibleName(tr("Again with This Seed"));
    m_again->setToolTip(tr("Again with this seed: generate with the take's model, seed and "
                           "settings, the same notes while the model and primer are unchanged"));
    m_play = new QToolButton(this);
    m_play->setObjectName(QStringLiteral("auditionTakeButton"));
    m_play->setText(QStringLiteral("\u25b6"));
    m_play->setAccessibleName(tr("Audition in the Song"));
    m_play->setToolTip(tr("Audition in the song: the take in place of its bars, played from "
                          "its primer (looped when the Variations tab's Loop is on)"));
    m_bar = new QComboBox(this);
    m_bar->setObjectName(QStringLiteral("takeBarBox"));
    m_acceptBar = new QPushButton(tr("Accept Bar"), this);
    m_acceptBar->setObjectName(QStringLiteral("acceptTakeBarButton"));
    m_acceptBar->setToolTip(tr("Put this bar of the take into its track (one undo step)"));
    row->addWidget(m_play);
    row->addWidget(m_show);
    row->addWidget(m_again);
    row->addStretch(1);
    row->addWidget(m_bar);
    row->addWidget(m_acceptBar);
    layout->addLayout(row);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this] { takeChosen(); });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this] {
        if (currentTake() >= 0)
            emit showRequested(currentTake());
    });
    connect(m_show, &QPushButton::clicked, this, [this] { emit showRequested(currentTake()); });
    connect(m_play, &QToolButton::clicked, this, [this] { emit auditionRequested(currentTake()); });
    connect(m_again, &QPushButton::clicked, this, [this] { emit againRequested(currentTake()); });
    connect(m_acceptBar, &QPushButton::clicked, this,
            [this] { emit acceptBarRequested(currentTake(), chosenBar()); });
    takeChosen();
}

void TakesView::setTakes(const std::vector<project::Take>& takes, const model::Song& song) {
    const int keep = currentTake();
    m_takes = takes;
    m_song = &song;
    m_tree->clear();
    // Groups by (track, from, to), the group of the newest take first.
    using Key = std::tuple<int, model::Tick, model::Tick>;
    std::map<Key, QTreeWidgetItem*> groups;
    for (int i = int(takes.size()) - 1; i >= 0; --i) {
        const project::TakeProvenance& p = takes[std::size_t(i)].provenance;
        QTreeWidgetItem*& group = groups[Key{p.track, p.from, p.to}];
        if (!group) {
            group = new QTreeWidgetItem(
                m_tree,
                {tr("%1, %2").arg(trackName(song, p.track), barRangeText(song, p.from, p.to))});
            group->setData(0, kTakeRole, -1);
            group->setFirstColumnSpanned(true);
            group->setExpanded(true);
        }
        auto* item = new QTreeWidgetItem(
            group, {tr("Take %1").arg(takes[std::size_t(i)].name), QString::number(p.seed),
                    QString::number(takes[std::size_t(i)].notes.size()),
                    QLocale().toString(p.time.toLocalTime().time(), QLocale::ShortFormat)});
        item->setData(0, kTakeRole, i);
    }
    updateTooltips();
    setCurrentTake(keep < int(takes.size()) ? keep : -1);
    takeChosen();
}

void TakesView::setModelFiles(const QHash<QString, QString>& hashNow) {
    m_hashNow = hashNow;
    updateTooltips();
}

QString TakesView::tooltipOf(int index) const {
    if (index < 0 || index >= int(m_takes.size()) || !m_song)
        return {};
    const project::Take& take = m_takes[std::size_t(index)];
    return describeProvenance(take, *m_song, m_hashNow.value(take.provenance.modelPath));
}

void TakesView::updateTooltips() {
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g)
        for (int c = 0; c < m_tree->topLevelItem(g)->childCount(); ++c) {
            QTreeWidgetItem* item = m_tree->topLevelItem(g)->child(c);
            item->setToolTip(0, tooltipOf(item->data(0, kTakeRole).toInt()));
        }
}

int TakesView::takeAt(const QPoint& viewportPos) const {
    const QTreeWidgetItem* item = m_tree->itemAt(viewportPos);
    return item ? item->data(0, kTakeRole).toInt() : -1;
}

int TakesView::currentTake() const {
    const QTreeWidgetItem* item = m_tree->currentItem();
    return item ? item->data(0, kTakeRole).toInt() : -1;
}

void TakesView::setCurrentTake(int index) {
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem* group = m_tree->topLevelItem(g);
        for (int c = 0; c < group->childCount(); ++c)
            if (group->child(c)->data(0, kTakeRole).toInt() == index) {
                m_tree->setCurrentItem(group->child(c));
                return;
            }
    }
    m_tree->setCurrentItem(nullptr);
}

int TakesView::chosenBar() const {
    return m_bar->currentIndex() >= 0 ? m_bar->currentData().toInt() : -1;
}

// The bars of the chosen take to accept one of; the buttons only with a take chosen.
void TakesView::takeChosen() {
    const int take = currentTake();
    m_bar->clear();
    if (take >= 0 && m_song) {
        const project::TakeProvenance& p = m_takes[std::size_t(take)].provenance;
        const model::TempoMap& map = m_song->tempoMap();
        for (auto b = map.barAtTick(p.from); b <= map.barAtTick(std::max(p.from, p.to - 1)); ++b)
            m_bar->addItem(tr("Bar %1").arg(b + 1), int(b));
    }
    m_show->setEnabled(take >= 0);
    m_again->setEnabled(take >= 0);
    m_play->setEnabled(take >= 0);
    m_bar->setEnabled(take >= 0);
    m_acceptBar->setEnabled(take >= 0 && m_bar->count() > 0);
}

} // namespace torchestra::ui
