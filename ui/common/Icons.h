#pragma once

// The workstation's images, compiled in from resources/ (resources/torchestra.qrc): the
// application icon and the tool-bar glyphs, drawn for the project (resources/icons/*.svg are
// the sources; scripts/render-icons renders the PNGs the program loads).

#include <QColor>
#include <QIcon>
#include <QString>

namespace torchestra::ui {

// Makes the compiled-in resources (":/icons/...", ":/LICENSE") available. They live in a static
// library, whose resource object would otherwise not be linked. Idempotent; GUI thread.
void loadResources();

namespace icons {

// The application icon, at every size rendered from resources/icons/torchestra.svg.
QIcon application();

// The tool-bar glyph `name` (resources/icons/toolbar/<name>.svg), painted when drawn in the
// palette's button text colour, so it follows the theme, dark or light, without being rebuilt;
// disabled, in the disabled text colour. A valid `accent` (record's red) is used in every theme
// instead. An unknown name gives a null icon. GUI thread.
QIcon glyph(const QString& name, const QColor& accent = QColor());

} // namespace icons
} // namespace torchestra::ui
