#pragma once

#include <string>
#include <string_view>

namespace torchestra::base {

// Writes `bytes` to `path` so that a reader (or a crash) sees either the old file or the whole
// new one: the data goes to a temporary file in the same folder, is flushed to disk, and is then
// renamed over `path`. Returns an empty string on success, else a message naming the file and
// the problem (the old file is untouched then).
std::string writeFileAtomically(const std::string& path, std::string_view bytes);

// Reads a whole file, refusing files larger than `maxBytes`. Returns an empty string on success,
// else a message naming the file and the problem.
std::string readWholeFile(const std::string& path, std::string& out,
                          std::size_t maxBytes = std::size_t(1) << 31);

} // namespace torchestra::base
