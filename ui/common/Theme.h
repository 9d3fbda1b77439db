#pragma once

#include <QColor>
#include <QString>

#include <cstdint>

class QApplication;

namespace torchestra::ui {

// The workstation's look: Qt's Fusion style with a dark (default) or light palette, the colours
// the piano roll paints with, and the colours new tracks get. Kept in one place so a later
// settings page, or a test, can switch themes without widgets knowing the details.
enum class ThemeKind { Dark, Light };

// Colours of the piano roll; derived from the theme rather than the palette, because the roll
// needs finer steps (row stripes, three grid weights) than QPalette has roles for.
struct PianoRollColours {
    QColor background;  // rows of white keys
    QColor blackKeyRow; // rows of black keys
    QColor octaveLine;  // between B and C
    QColor barLine;
    QColor beatLine;
    QColor subBeatLine;
    QColor rulerBackground;
    QColor rulerText;
    QColor rulerTick;
    QColor whiteKey;
    QColor blackKey;
    QColor keyText;
    QColor keyBorder;
    QColor noteBorder;
    QColor emptyText;
    QColor afterEnd; // past the song's end
    QColor playhead;
};

namespace theme {

// Applies the style and palette to the whole application. GUI thread.
void apply(QApplication& app, ThemeKind kind);
ThemeKind current();
PianoRollColours pianoRollColours(ThemeKind kind);
inline PianoRollColours pianoRollColours() {
    return pianoRollColours(current());
}

// Distinct, readable-on-dark-and-light colours for tracks, as 0xRRGGBB. Standard MIDI files
// carry no colour, so loaded tracks are coloured by index from this list (wrapping around after
// 16; the first eight are the most distinct).
std::uint32_t trackColour(int index);
// A neutral grey for a loaded track without notes (a tempo or text track): it takes no colour
// from the list, so it neither repeats the first track's nor pushes the others along.
std::uint32_t emptyTrackColour();

// "dark"/"light" for QSettings and the command line; unknown names give Dark.
QString name(ThemeKind kind);
ThemeKind fromName(const QString& name);

} // namespace theme
} // namespace torchestra::ui
