#include "ui/common/Icons.h"

#include <QGuiApplication>
#include <QIconEngine>
#include <QImage>
#include <QPainter>
#include <QPalette>
#include <QPixmap>

// Q_INIT_RESOURCE declares its function where it is used: it must be outside any namespace.
static void initTorchestraResources() {
    Q_INIT_RESOURCE(torchestra);
}

namespace torchestra::ui {

void loadResources() {
    static const bool loaded = (initTorchestraResources(), true);
    (void)loaded;
}

namespace icons {

namespace {

// Draws a glyph (an alpha mask: only its opacity counts) in a colour chosen when it is painted.
// QIcon's own engine would bake the colour in when the icon is made, and a theme switch would
// then have to find and replace every icon.
class GlyphEngine : public QIconEngine {
public:
    GlyphEngine(const QString& name, const QColor& accent) : m_accent(accent) {
        const QString base = QStringLiteral(":/icons/toolbar/") + name;
        m_small = QImage(base + QStringLiteral(".png"));
        m_large = QImage(base + QStringLiteral("@2x.png"));
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State, qreal scale) override {
        const QSize pixels = size * scale;
        if (m_small.isNull() || pixels.isEmpty())
            return QPixmap();
        // The larger rendering for anything bigger than the small one: downscaling stays sharp.
        const QImage& mask =
            pixels.width() > m_small.width() && !m_large.isNull() ? m_large : m_small;
        QImage image = mask.scaled(pixels, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                           .convertToFormat(QImage::Format_ARGB32_Premultiplied);
        QPainter p(&image);
        p.setCompositionMode(QPainter::CompositionMode_SourceIn);
        p.fillRect(image.rect(), colour(mode));
        p.end();
        QPixmap out = QPixmap::fromImage(image);
        out.setDevicePixelRatio(scale);
        return out;
    }

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode,
               QIcon::State state) override {
        const qreal scale = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        painter->drawPixmap(rect, scaledPixmap(rect.size(), mode, state, scale));
    }

    QSize actualSize(const QSize& size, QIcon::Mode, QIcon::State) override {
        return m_small.isNull() ? QSize() : size; // drawn at any size
    }
    QList<QSize> availableSizes(QIcon::Mode, QIcon::State) override {
        return {m_small.size(), m_large.size()};
    }
    bool isNull() override { return m_small.isNull(); }
    QString key() const override { return QStringLiteral("TorchestraGlyph"); }
    QIconEngine* clone() const override { return new GlyphEngine(*this); }

private:
    QColor colour(QIcon::Mode mode) const {
        const QPalette palette = QGuiApplication::palette();
        if (m_accent.isValid()) {
            QColor c = m_accent;
            if (mode == QIcon::Disabled)
                c.setAlphaF(0.4);
            return c;
        }
        if (mode == QIcon::Disabled)
            return palette.color(QPalette::Disabled, QPalette::ButtonText);
        if (mode == QIcon::Selected)
            return palette.color(QPalette::Active, QPalette::HighlightedText);
        return palette.color(QPalette::Active, QPalette::ButtonText);
    }

    QImage m_small; // 24 px, the tool bar's size
    QImage m_large; // 48 px, for high-density screens and large icons
    QColor m_accent;
};

} // namespace

QIcon application() {
    loadResources();
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/hicolor/%1x%1/apps/torchestra.png").arg(size),
                     QSize(size, size));
    return icon;
}

QIcon glyph(const QString& name, const QColor& accent) {
    loadResources();
    return QIcon(new GlyphEngine(name, accent));
}

} // namespace icons
} // namespace torchestra::ui
