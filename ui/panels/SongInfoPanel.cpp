#include "ui/panels/SongInfoPanel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>

#include <algorithm>
#include <array>
#include <cmath>

namespace torchestra::ui {

SongInfoPanel::SongInfoPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QFormLayout(this);
    layout->setLabelAlignment(Qt::AlignLeft);
    layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->setVerticalSpacing(5);
    addField(QStringLiteral("tempo"), tr("Tempo"));
    addField(QStringLiteral("metre"), tr("Time"));
    addField(QStringLiteral("key"), tr("Key"));
    addField(QStringLiteral("length"), tr("Length"));
    addField(QStringLiteral("tracks"), tr("Tracks"));
    addField(QStringLiteral("notes"), tr("Notes"));
    addField(QStringLiteral("resolution"), tr("Resolution"));
    refresh();
}

SongInfoPanel::~SongInfoPanel() {
    if (m_song)
        m_song->removeListener(this);
}

QLabel* SongInfoPanel::addField(const QString& name, const QString& label) {
    auto* value = new QLabel(this);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* caption = new QLabel(label, this);
    caption->setForegroundRole(QPalette::PlaceholderText);
    static_cast<QFormLayout*>(layout())->addRow(caption, value);
    m_fields.emplace_back(name, value);
    return value;
}

void SongInfoPanel::setSong(model::Song* song) {
    if (!model::switchSong(this, m_song, song))
        return;
    refresh();
}

QString SongInfoPanel::field(const QString& name) const {
    for (const auto& [fieldName, label] : m_fields) {
        if (fieldName == name)
            return label->text();
    }
    return {};
}

QString SongInfoPanel::keyName(int sharps, bool minor) {
    // Index sharps + 7: from seven flats to seven sharps.
    static const std::array<const char*, 15> kMajor = {
        "C\u266d", "G\u266d", "D\u266d", "A\u266d", "E\u266d", "B\u266d", "F",      "C",
        "G",       "D",       "A",       "E",       "B",       "F\u266f", "C\u266f"};
    static const std::array<const char*, 15> kMinor = {
        "A\u266d", "E\u266d", "B\u266d", "F",       "C",       "G",       "D",      "A",
        "E",       "B",       "F\u266f", "C\u266f", "G\u266f", "D\u266f", "A\u266f"};
    if (sharps < -7 || sharps > 7)
        return tr("%1 sharps").arg(sharps);
    const std::size_t i = std::size_t(sharps + 7);
    return minor ? tr("%1 minor").arg(QString::fromUtf8(kMinor[i]))
                 : tr("%1 major").arg(QString::fromUtf8(kMajor[i]));
}

void SongInfoPanel::refresh() {
    const QString none = QStringLiteral("\u2013");
    auto set = [this](const char* name, const QString& text) {
        for (auto& [fieldName, label] : m_fields) {
            if (fieldName == QLatin1String(name))
                label->setText(text);
        }
    };
    if (!m_song) {
        for (auto& field : m_fields)
            field.second->setText(none);
        return;
    }
    const model::TempoMap& map = m_song->tempoMap();
    const QLocale locale;
    // "(N changes)" tells a reader the value at the start is not the whole story.
    auto changes = [](const auto& list) {
        const auto n =
            std::count_if(list.begin(), list.end(), [](const auto& c) { return c.tick > 0; });
        if (n == 0)
            return QString();
        return n == 1 ? tr(" (1 change)") : tr(" (%1 changes)").arg(n);
    };

    const double bpm = map.bpmAt(0);
    set("tempo", tr("%1 BPM").arg(QString::number(bpm, 'f', bpm == std::round(bpm) ? 0 : 1)) +
                     changes(map.tempos()));
    const model::TimeSignature ts = map.timeSignatureAt(0);
    set("metre", QStringLiteral("%1/%2").arg(ts.numerator).arg(ts.denominator) +
                     changes(map.timeSignatures()));
    if (map.keySignatures().empty()) {
        set("key", none);
    } else {
        const model::KeySignature ks = map.keySignatureAt(0);
        set("key", keyName(ks.sharps, ks.minor) + changes(map.keySignatures()));
    }
    const model::Tick end = m_song->endTick();
    const int seconds = int(std::lround(map.tickToSeconds(end)));
    const std::int64_t bars = end > 0 ? map.barAtTick(end - 1) + 1 : 0;
    set("length", tr("%1:%2 \u00b7 %3 bars")
                      .arg(seconds / 60)
                      .arg(seconds % 60, 2, 10, QLatin1Char('0'))
                      .arg(bars));
    set("tracks", locale.toString(qulonglong(m_song->trackCount())));
    set("notes", locale.toString(qulonglong(m_song->noteCount())));
    set("resolution", tr("%1 PPQ").arg(m_song->ppq()));
}

} // namespace torchestra::ui
