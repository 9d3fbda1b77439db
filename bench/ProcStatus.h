#pragma once

// A process's memory figures as the kernel reports them in /proc/PID/status.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace torchestra::bench {

// A line of `statusPath` ("/proc/self/status", "/proc/123/status") in MB: "RssAnon",
// "RssFile", "VmHWM"; -1 when the file or the line is missing (e.g. the process is gone).
inline double statusMb(const std::string& statusPath, const char* key) {
    std::FILE* f = std::fopen(statusPath.c_str(), "r");
    if (!f)
        return -1;
    char line[256];
    double kb = -1;
    const std::size_t n = std::strlen(key);
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, key, n) == 0 && line[n] == ':')
            kb = std::atof(line + n + 1);
    std::fclose(f);
    return kb < 0 ? -1 : kb / 1024.0;
}

} // namespace torchestra::bench
