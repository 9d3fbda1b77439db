#pragma once

// The user's SoundFont choice, kept where the command line keeps it
// (playback::SoundFontLocator's configuration file), so `torchestra-cli render` uses the
// SoundFont chosen in Edit > Preferences and the window uses one chosen with
// `render --remember-soundfont`. GUI thread.

#include <QString>

namespace torchestra::ui {

// The chosen SoundFont, or "" for "find one automatically". A choice older versions kept in the
// window's own settings moves to the shared place the first time it is read.
QString storedSoundFont();

// Stores `path` as the choice ("" = automatic). Returns "" or a message naming the file.
QString storeSoundFont(const QString& path);

} // namespace torchestra::ui
