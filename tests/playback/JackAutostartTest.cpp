// JACK_NO_START_SERVER is set before main() and never again: setenv() while other threads read
// the environment is a crash waiting to happen (playback/internal/JackProbe.h). Opening a MIDI
// port or an audio driver must leave the environment alone.
#include "playback/LiveAudioOutput.h"
#include "playback/MidiPorts.h"
#include "playback/Transport.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace torchestra::playback {
namespace {

TEST(JackAutostart, ForbiddenBeforeMainAndTheEnvironmentLeftAloneAfter) {
    const char* set = std::getenv("JACK_NO_START_SERVER");
    ASSERT_NE(set, nullptr) << "set during static initialisation";
    const std::string before = set;
    // Still one thread here: take it away, open what once set it again, and look.
    ASSERT_EQ(::unsetenv("JACK_NO_START_SERVER"), 0);
    {
        std::string error;
        MidiPortOutput port;
        EXPECT_FALSE(port.open("no-such-port", error, "jack"));
        Transport transport;
        LiveAudioOutput audio; // its worker thread ends with it, before the setenv below
        LiveAudioOptions options;
        options.driver = "no-such-driver";
        EXPECT_FALSE(audio.start(transport, options, error));
        EXPECT_EQ(std::getenv("JACK_NO_START_SERVER"), nullptr)
            << "opening a port or a driver set the environment";
    }
    ::setenv("JACK_NO_START_SERVER", before.c_str(), 1);
}

} // namespace
} // namespace torchestra::playback
