#pragma once

#include <functional>

class QMessageBox;
class QWidget;

namespace torchestra::playback {
class SoundFontLocator;
}

namespace torchestra::ui {

// On a machine with no General MIDI SoundFont the workstation still opens, but playback is
// silent: this says so once, when the window first shows, and offers to choose one (`choose`
// runs on that button: the window opens Preferences, where a SoundFont is chosen and loaded).
// Returns the box shown (not modal; it deletes itself when closed), or nullptr when `locator`
// finds a SoundFont. GUI thread.
QMessageBox* showSoundFontNoticeIfMissing(QWidget* parent,
                                          const playback::SoundFontLocator& locator,
                                          std::function<void()> choose);

} // namespace torchestra::ui
