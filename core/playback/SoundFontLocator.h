#pragma once

#include <string>
#include <vector>

namespace torchestra::playback {

// Where a General MIDI SoundFont is found without asking: the user's remembered choice, then
// `soundfonts/` in each project folder given, then where Debian's timgm6mb-soundfont and
// fluid-soundfont-gm install theirs. Any thread; reads the file system.
class SoundFontLocator {
public:
    // The Debian paths, in the order they are tried.
    static const std::vector<std::string>& systemPaths();

    // Folders whose `soundfonts/` subfolder is searched (*.sf2, *.sf3, sorted by name).
    void addProjectDir(const std::string& dir) { m_projectDirs.push_back(dir); }

    // Every candidate that exists, best first.
    std::vector<std::string> candidates() const;
    // The first candidate that is a readable SoundFont, or "" (then `error` says what was tried).
    std::string locate(std::string& error) const;

    // The remembered choice lives in $XDG_CONFIG_HOME/torchestra/soundfont (or
    // ~/.config/torchestra/soundfont); TORCHESTRA_CONFIG_DIR overrides the folder (tests). It is
    // the one place the choice is kept: the CLI (render --remember-soundfont) and the GUI
    // (Edit > Preferences) read and write it, so each uses the SoundFont the other chose.
    static std::string configFile();
    static std::string rememberedChoice();
    // Checks the file first; returns "" on success, else a message naming the file.
    static std::string rememberChoice(const std::string& path);
    // Back to finding one automatically; "" or why the choice could not be removed.
    static std::string forgetChoice();

private:
    std::vector<std::string> m_projectDirs;
};

// Checks that `path` can be opened and starts like a SoundFont (RIFF....sfbk). "" when it does,
// else one line naming the file and the problem.
std::string checkSoundFontFile(const std::string& path);

} // namespace torchestra::playback
