// `soundfonts`, and where render and play find a SoundFont: from the executable's own place,
// never from the current directory (issue 12, item 3).
#include "CliTestUtil.h"

#include <filesystem>

using namespace torchestra::clitest;
namespace fs = std::filesystem;

namespace {

// A file that passes the SoundFont check (a RIFF 'sfbk' header): enough for the search.
void writeFakeSoundFont(const fs::path& path) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << std::string("RIFF\4\0\0\0sfbk", 12);
}

// `soundfonts` run from `cwd` with no remembered choice and an empty user folder.
RunResult soundFontsFrom(const fs::path& cwd, const std::string& cli = TORCHESTRA_CLI_PATH) {
    const std::string home = tempDir() + "/home";
    return runShell("cd '" + cwd.string() + "' && TORCHESTRA_CONFIG_DIR='" + home +
                    "/config' XDG_DATA_HOME='" + home + "/data' '" + cli + "' soundfonts");
}

std::string chosen(const RunResult& r) {
    const auto at = r.out.find("SoundFont: ");
    return at == std::string::npos ? "" : r.out.substr(at + 11, r.out.find('\n', at) - at - 11);
}

} // namespace

TEST(CliSoundFonts, TheBuildsFolderIsTheSourceTreesSoundfontsWhateverTheWorkingDirectory) {
    // A soundfonts/ folder in the working directory is not looked at.
    const fs::path cwd = tempDir() + "/elsewhere";
    writeFakeSoundFont(cwd / "soundfonts" / "Here.sf2");
    const RunResult r = soundFontsFrom(cwd);
    const fs::path own =
        (fs::path(TORCHESTRA_CLI_PATH).parent_path() / "../share/torchestra/soundfonts")
            .lexically_normal();
    EXPECT_NE(r.out.find("\n  " + own.string() + "/\n"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(own / "README.md")) << own << " should link to soundfonts/";
    EXPECT_EQ(r.out.find("Here.sf2"), std::string::npos) << r.out;
    // After scripts/setup a Debian SoundFont is installed: one is found, exit 0.
    if (r.exitCode == 1)
        GTEST_SKIP() << "no SoundFont on this machine: " << r.err;
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_FALSE(chosen(r).empty()) << r.out;
}

TEST(CliSoundFonts, ARelocatedInstallFindsItsOwnSoundFontFirst) {
    // The layout `cmake --install` makes, under a prefix that is not the one built for.
    const fs::path prefix = tempDir() + "/prefix";
    fs::create_directories(prefix / "bin");
    const fs::path cli = prefix / "bin" / "torchestra-cli";
    fs::copy_file(TORCHESTRA_CLI_PATH, cli, fs::copy_options::overwrite_existing);
    const fs::path own = prefix / "share" / "torchestra" / "soundfonts" / "Own.sf2";
    writeFakeSoundFont(own);
    const RunResult r = soundFontsFrom("/", cli.string());
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_EQ(chosen(r), own.string()) << r.out;
}

TEST(CliSoundFonts, RefusesArgumentsWithExitTwo) {
    const RunResult r = runCli("soundfonts extra");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(lineCount(r.err), 1) << r.err;
}
