#pragma once

// A fresh folder under /tmp for a test's files (the non-Qt test areas; GUI tests use
// QTemporaryDir). Left for the system to clean: a failing test's files stay to be looked at.

#include <cstdlib>
#include <string>

namespace torchestra::testkit {

// "/tmp/torchestra-<what>-XXXXXX" made unique; "/tmp" itself if that fails.
inline std::string makeTempDir(const std::string& what) {
    std::string pattern = "/tmp/torchestra-" + what + "-XXXXXX";
    const char* made = mkdtemp(pattern.data());
    return made ? std::string(made) : std::string("/tmp");
}

} // namespace torchestra::testkit
