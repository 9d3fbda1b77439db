#pragma once

#include <string>

namespace torchestra::base {

// Where the running program keeps its data: found from the executable's own location, never
// from the current directory, so the GUI, the CLI and an installed package find their files
// from any working directory.
//
// Installed, the data folder is <prefix>/share/torchestra next to <prefix>/bin (the relative
// path is fixed at configure time from the install directories, so a relocated prefix works
// too). In a build tree the executables live in <build>/app and CMake mirrors the layout:
// <build>/share/torchestra links to the source tree's folders (soundfonts/ and
// resources/models/). Any thread.

// The running executable's folder ("" when the system does not say: no /proc).
std::string executableDir();

// The program's data folder, <executable's folder>/TORCHESTRA_DATA_FROM_BIN normalised (it
// need not exist; "" when executableDir() is).
std::string dataDir();

// The user's own data folder: $XDG_DATA_HOME/torchestra, else ~/.local/share/torchestra (""
// when neither is set).
std::string userDataDir();

// The built-in models (resources/models/ in the source tree): <dataDir()>/models ("" when
// dataDir() is).
std::string builtinModelsDir();

// The user's own trained models, which the workstation's model library saves and lists and
// `torchestra-cli models` lists too: $XDG_DATA_HOME/Torchestra/Torchestra/models, else
// ~/.local/share/Torchestra/Torchestra/models ("" when neither is set). That is where Qt's
// AppDataLocation (organisation and application "Torchestra") put them before the CLI needed
// the folder too, so models trained by earlier versions stay listed.
std::string userModelsDir();

} // namespace torchestra::base
