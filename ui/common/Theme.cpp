#include "ui/common/Theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QToolTip>

#include <array>

namespace torchestra::ui::theme {

namespace {

ThemeKind g_current = ThemeKind::Dark;

QPalette darkPalette() {
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor alternate(0x26, 0x28, 0x2c);
    const QColor text(0xdc, 0xde, 0xe2);
    const QColor disabledText(0x7a, 0x7e, 0x85);
    const QColor button(0x33, 0x36, 0x3b);
    const QColor highlight(0x3d, 0x8e, 0xd8);

    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, alternate);
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x43));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabledText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, button);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x45, 0x48, 0x4e));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::Mid, QColor(0x24, 0x26, 0x29));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0e, 0x0f, 0x10));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xb0, 0x8c, 0xff));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x52));
    return p;
}

QPalette lightPalette(const QStyle& fusion) {
    QPalette p = fusion.standardPalette();
    p.setColor(QPalette::Window, QColor(0xef, 0xf0, 0xf2));
    p.setColor(QPalette::Base, QColor(0xfb, 0xfb, 0xfc));
    p.setColor(QPalette::AlternateBase, QColor(0xf2, 0xf3, 0xf5));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x7b, 0xd0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

} // namespace

void apply(QApplication& app, ThemeKind kind) {
    g_current = kind;
    // Fusion draws the same on every platform and follows the palette fully, which a dark
    // theme needs; the application owns the style.
    QStyle* fusion = QStyleFactory::create(QStringLiteral("Fusion"));
    app.setStyle(fusion);
    const QPalette palette = kind == ThemeKind::Dark ? darkPalette() : lightPalette(*fusion);
    app.setPalette(palette);
    QToolTip::setPalette(palette);
}

ThemeKind current() {
    return g_current;
}

PianoRollColours pianoRollColours(ThemeKind kind) {
    PianoRollColours c;
    if (kind == ThemeKind::Dark) {
        c.background = QColor(0x25, 0x27, 0x2b);
        c.blackKeyRow = QColor(0x1e, 0x20, 0x23);
        c.octaveLine = QColor(0x3b, 0x3e, 0x44);
        c.barLine = QColor(0x56, 0x5a, 0x62);
        c.beatLine = QColor(0x34, 0x37, 0x3c);
        c.subBeatLine = QColor(0x2c, 0x2e, 0x33);
        c.rulerBackground = QColor(0x2f, 0x31, 0x36);
        c.rulerText = QColor(0xc8, 0xcb, 0xd0);
        c.rulerTick = QColor(0x6a, 0x6e, 0x76);
        c.whiteKey = QColor(0xd6, 0xd8, 0xdc);
        c.blackKey = QColor(0x16, 0x17, 0x19);
        c.keyText = QColor(0x50, 0x53, 0x5a);
        c.keyBorder = QColor(0x8a, 0x8d, 0x93);
        c.noteBorder = QColor(0, 0, 0, 150);
        c.emptyText = QColor(0x80, 0x84, 0x8b);
        c.afterEnd = QColor(0, 0, 0, 60);
        c.playhead = QColor(0xff, 0xa0, 0x3c);
    } else {
        c.background = QColor(0xfa, 0xfa, 0xfb);
        c.blackKeyRow = QColor(0xee, 0xef, 0xf2);
        c.octaveLine = QColor(0xd0, 0xd3, 0xd8);
        c.barLine = QColor(0x9c, 0xa1, 0xaa);
        c.beatLine = QColor(0xdc, 0xdf, 0xe4);
        c.subBeatLine = QColor(0xea, 0xec, 0xef);
        c.rulerBackground = QColor(0xe6, 0xe8, 0xeb);
        c.rulerText = QColor(0x30, 0x33, 0x38);
        c.rulerTick = QColor(0x8a, 0x8e, 0x96);
        c.whiteKey = QColor(0xff, 0xff, 0xff);
        c.blackKey = QColor(0x2a, 0x2b, 0x2e);
        c.keyText = QColor(0x70, 0x73, 0x7a);
        c.keyBorder = QColor(0xb4, 0xb7, 0xbd);
        c.noteBorder = QColor(0, 0, 0, 110);
        c.emptyText = QColor(0x80, 0x84, 0x8b);
        c.afterEnd = QColor(0, 0, 0, 18);
        c.playhead = QColor(0xe0, 0x5a, 0x1f);
    }
    return c;
}

std::uint32_t trackColour(int index) {
    // The first eight: hues spread around the wheel, alternating warm and cool so neighbours in
    // a track list differ, at least 45 apart in CIELAB (the old list put four blues and cyans
    // within 30-40 of each other, and a 10-track file looked like "several blues"). The next
    // eight: other hues and a lighter or darker shade, still at least 15 from every other.
    static constexpr std::array<std::uint32_t, 16> kColours = {
        0x4e9af2, 0xf7943e, 0x4ecc6d, 0xed4c82, 0xf2d830, 0xbb6df2, 0x33c7cc, 0xbf857c,
        0xa6e1ff, 0xa6694b, 0x87d94c, 0xff8ce2, 0xb29250, 0x7869bf, 0x85f2d7, 0xb8b8b8,
    };
    if (index < 0)
        index = 0;
    return kColours[std::size_t(index) % kColours.size()];
}

std::uint32_t emptyTrackColour() {
    return 0x8a8f98;
}

QString name(ThemeKind kind) {
    return kind == ThemeKind::Light ? QStringLiteral("light") : QStringLiteral("dark");
}

ThemeKind fromName(const QString& name) {
    return name.compare(QStringLiteral("light"), Qt::CaseInsensitive) == 0 ? ThemeKind::Light
                                                                           : ThemeKind::Dark;
}

} // namespace torchestra::ui::theme
