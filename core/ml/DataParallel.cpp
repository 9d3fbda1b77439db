#include "ml/DataParallel.h"

#include <cerrno>
#include <cstdlib>

namespace torchestra::ml {

namespace {

// A whole decimal integer within [lo, hi], or false.
bool parseInt(const char* text, long lo, long hi, long& out) {
    if (!text || !*text)
        return false;
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    out = v;
    return true;
}

} // namespace

std::string readDistributedSettings(DistributedSettings& out,
                                    const std::function<const char*(const char*)>& getenv) {
    const auto get = [&getenv](const char* name) -> const char* {
        return getenv ? getenv(name) : std::getenv(name);
    };
    const auto required = [&get](const char* name, long lo, long hi, long& v) -> std::string {
        const char* text = get(name);
        if (!text || !*text)
            return std::string(name) + " is not set (a launcher sets RANK, WORLD_SIZE, " +
                   "MASTER_ADDR and MASTER_PORT for every rank; train --launch N does it here)";
        if (!parseInt(text, lo, hi, v))
            return std::string(name) + " is '" + text + "', not a whole number from " +
                   std::to_string(lo) + " to " + std::to_string(hi);
        return {};
    };
    DistributedSettings s;
    long world = 0, rank = 0, port = 0;
    if (std::string e = required("WORLD_SIZE", 1, 4096, world); !e.empty())
        return e;
    if (std::string e = required("RANK", 0, world - 1, rank); !e.empty())
        return e + " (WORLD_SIZE is " + std::to_string(world) + ")";
    if (std::string e = required("MASTER_PORT", 1, 65535, port); !e.empty())
        return e;
    const char* addr = get("MASTER_ADDR");
    if (!addr || !*addr)
        return "MASTER_ADDR is not set (the host name or address of the machine running rank 0)";
    s.worldSize = int(world);
    s.rank = int(rank);
    s.masterPort = int(port);
    s.masterAddress = addr;
    s.localRank = s.rank;
    if (const char* local = get("LOCAL_RANK"); local && *local) {
        long v = 0;
        if (!parseInt(local, 0, 4095, v))
            return std::string("LOCAL_RANK is '") + local + "', not a whole number";
        s.localRank = int(v);
    }
    if (const char* ifname = get("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        s.socketInterface = ifname;
    if (const char* t = get("TORCHESTRA_DIST_TIMEOUT"); t && *t) {
        long v = 0;
        if (!parseInt(t, 1, 86400, v))
            return std::string("TORCHESTRA_DIST_TIMEOUT is '") + t +
                   "', not a whole number of seconds from 1 to 86400";
        s.timeoutSeconds = double(v);
    }
    out = s;
    return {};
}

} // namespace torchestra::ml
