#pragma once

// Running a benchmark's peer program and reading the one line of JSON it prints.

#include <cstdio>
#include <cstdlib>
#include <string>

namespace torchestra::bench {

// Everything `command` (a shell command line) writes to stdout; "" if it cannot be started.
inline std::string commandOutput(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buf[4096];
        while (std::fgets(buf, sizeof buf, p))
            out += buf;
        ::pclose(p);
    }
    return out;
}

// The number after "key": in flat JSON (with or without a space after the colon); -1 if absent.
inline double jsonNumber(const std::string& json, const char* key) {
    const std::string k = std::string("\"") + key + "\":";
    const auto at = json.find(k);
    return at == std::string::npos ? -1.0 : std::strtod(json.c_str() + at + k.size(), nullptr);
}

} // namespace torchestra::bench
