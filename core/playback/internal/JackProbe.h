#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace torchestra::playback {

// Whether a JACK server seems to be up (JACK_DEFAULT_SERVER or "default"), judged by its socket,
// without connecting: a failed connection attempt makes libjack print and may even start a
// server with the sound card's driver.
inline bool jackServerRunning() {
    const char* env = std::getenv("JACK_DEFAULT_SERVER");
    const std::string server = env && *env ? env : "default";
    const std::string uid = std::to_string(::getuid());
    std::error_code ec;
    // jackd1 keeps its sockets in /dev/shm/jack-UID/SERVER; jackd2 in /dev/shm/jack_SERVER_UID_0.
    return std::filesystem::exists("/dev/shm/jack-" + uid + "/" + server + "/jack_0", ec) ||
           std::filesystem::exists("/tmp/jack-" + uid + "/" + server + "/jack_0", ec) ||
           std::filesystem::exists("/dev/shm/jack_" + server + "_" + uid + "_0", ec);
}

// Torchestra connects to a running JACK server and never starts one behind the user's back
// (unless they asked for that in their environment). Only while the process has one thread:
// setenv() may move the environment's array and free the old one, and glibc's getenv() takes no
// lock, so a thread reading the environment then (torch, Qt, FluidSynth, our own paths) reads
// freed memory, whose first entries the allocator has overwritten. MidiPorts.cpp and
// LiveAudioOutput.cpp call it during static initialisation, before main(); it was called as a
// port or an audio driver opened, on whichever thread did that, while a window starting up has
// several threads reading the environment.
inline void forbidJackAutostart() {
    ::setenv("JACK_NO_START_SERVER", "1", 0);
}

} // namespace torchestra::playback
