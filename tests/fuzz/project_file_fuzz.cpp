// libFuzzer entry point for the project reader (project::ProjectFile::parse, what ProjectFile::read
// does after reading the file). ProjectFile.cpp needs only QtCore, so this target is built
// without QtWidgets. Any input must parse or fail with a message; a project that parses must
// serialize, and the result must parse back to the same song and serialize to the same bytes.

#include "project/ProjectFile.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace torchestra;

namespace {
[[noreturn]] void die(const char* what, const QString& detail) {
    std::fprintf(stderr, "project_file_fuzz: %s: %s\n", what, qPrintable(detail));
    std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray input(reinterpret_cast<const char*>(data), qsizetype(size));
    project::Project project;
    if (const QString error = project::ProjectFile::parse(input, project); !error.isEmpty())
        return 0;
    const QByteArray written = project::ProjectFile::serialize(project);
    project::Project again;
    if (const QString error = project::ProjectFile::parse(written, again); !error.isEmpty())
        die("a written project does not read back", error);
    if (!again.song.sameContent(project.song, false))
        die("the song changed on rewrite", QString::fromUtf8(written));
    if (project::ProjectFile::serialize(again) != written)
        die("a second rewrite differs", QString::fromUtf8(written));
    return 0;
}
