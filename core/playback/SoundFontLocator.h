#pragma once

#include <string>
#include <vector>

namespace torchestra::playback {

// Where a General MIDI SoundFont is found without asking, in this order: the user's remembered
// choice; `soundfonts/` in each project folder given; the program's own `soundfonts/` folder
// (beside the installed program, or the source tree's in a build: base::dataDir()); the
// user's ($XDG_DATA_HOME/torchestra/soundfonts); then where Debian's timgm6mb-soundfont and
// fluid-soundfont-gm install theirs. Never the current directory: the GUI and the CLI find the
// same SoundFont from any working directory. Any thread; reads the file system.
class SoundFontLocator {
public:
    // The Debian paths, in the order they are tried.
    static const std::vector<std::string>& systemPaths();
    // The program's soundfonts/ folder, then the user's (they need not exist).
    static std::vector<std::string> programFolders();

    // Searches the remembered choice and the project folders only: no program folders, no
    // system paths (tests use it to stand for a machine without a SoundFont).
    static SoundFontLocator withoutDefaults();

    // Folders whose `soundfonts/` subfolder is searched before the program's.
    void addProjectDir(const std::string& dir) { m_projectDirs.push_back(dir); }

    // The folders searched for *.sf2 and *.sf3 (each sorted by name), in order.
    std::vector<std::string> folders() const;
    // Every candidate that exists, best first.
    std::vector<std::string> candidates() const;
    // The first candidate that is a readable SoundFont, or "" (then `error` says where it looked
    // and what to do).
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
    bool m_defaults = true;
};

// Checks that `path` can be opened and starts like a SoundFont (RIFF....sfbk). "" when it does,
// else one line naming the file and the problem.
std::string checkSoundFontFile(const std::string& path);

} // namespace torchestra::playback
