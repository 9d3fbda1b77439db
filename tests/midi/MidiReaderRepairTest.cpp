// Repairs that keep a user's music (issue 12, item 7), on tiny files written out byte by byte:
// a data byte over 127 is clipped to 127, and events after a premature End of Track inside the
// chunk's declared length are read on when they parse as events. Both keep their warning.

#include "ReadChecks.h"
#include "SmfBuilder.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

#include <string>

using namespace torchestra;
using namespace readchecks;
using midi::readMidi;
using midi::ReadResult;

namespace {

// One MTrk chunk around `body`, its length field the body's size.
std::string track(const std::string& body) {
    return "MTrk" + smf::be32(std::uint32_t(body.size())) + body;
}

const std::string kEnd = smf::bytes({0x00, 0xFF, 0x2F, 0x00});

} // namespace

TEST(MidiReaderRepair, DataBytesOver127AreClippedNotMasked) {
    const std::string body = smf::bytes({
                                 0x00, 0x90, 0x3C, 0xE0, // velocity 0xE0: masked 96, clipped 127
                                 0x10, 0x80, 0x3C, 0x40, //
                                 0x00, 0xB0, 0x07, 0xFF, // volume 0xFF: clipped 127, no warning
                                 0x00, 0xC0, 0x85,       // program 0x85 (one data byte)
                             }) +
                             kEnd;
    const ReadResult r = readMidi(smf::header(0, 1, 96) + track(body));
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 16, 60, 127, 64, 0}});
    const auto& events = r.song.trackAt(0).channelEvents;
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0], (model::ChannelEvent{16, 0xB0, 7, 127}));
    EXPECT_EQ(events[1], (model::ChannelEvent{16, 0xC0, 127, 0}));
    // Header 14 + chunk header 8 + 3 bytes of the first event: the velocity is byte 25.
    EXPECT_EQ(countWarnings(r, "data byte 0xE0 at byte 25 clipped to 127"), 1) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "clipped"), 1) << allWarnings(r); // once per track
    EXPECT_EQ(countWarnings(r, "masked"), 0) << allWarnings(r);
}

TEST(MidiReaderRepair, EventsAfterAPrematureEndOfTrackAreReadOnToTheNextEnd) {
    const std::string first = smf::bytes({0x00, 0x90, 0x3C, 0x64, 0x60, 0x80, 0x3C, 0x40}) + kEnd +
                              smf::bytes({
                                  0x00, 0x90, 0x3E, 0x64, // D after the early End of Track,
                                  0x00, 0x40, 0x50,       // E with running status
                                  0x60, 0x80, 0x3E, 0x40, //
                                  0x00, 0x40, 0x40,       //
                              }) +
                              smf::bytes({0x10, 0xFF, 0x2F, 0x00});
    const std::string second = smf::bytes({0x00, 0x91, 0x30, 0x20, 0x30, 0x81, 0x30, 0x40}) + kEnd;
    const ReadResult r = readMidi(smf::header(1, 2, 96) + track(first) + track(second));
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.song.trackCount(), 2u);
    expectNotes(r, 0, {{0, 96, 60, 100, 64, 0}, {96, 96, 62, 100, 64, 0}, {96, 96, 64, 80, 64, 0}});
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 208); // the last End of Track
    // The next chunk is found where the length says: the second track is whole.
    expectNotes(r, 1, {{0, 48, 48, 32, 64, 1}});
    // The first End of Track is the event at byte 30 (14 + 8 + 8).
    EXPECT_EQ(countWarnings(r, "track 0: events after its End of Track at byte 30 read on to "
                               "the chunk's end at byte 52"),
              1)
        << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "bytes after End of Track"), 0) << allWarnings(r);
    EXPECT_EQ(r.warnings.size(), 1u) << allWarnings(r);
}

TEST(MidiReaderRepair, EventsAfterEndOfTrackRunningToTheChunkEndCloseTheTrack) {
    // No second End of Track: the chunk's declared end closes the track, without a warning
    // that there was none.
    const std::string body = kEnd + smf::bytes({0x00, 0x90, 0x40, 0x50, 0x30, 0x80, 0x40, 0x40});
    const ReadResult r = readMidi(smf::header(0, 1, 96) + track(body));
    ASSERT_TRUE(r.ok) << r.error;
    expectNotes(r, 0, {{0, 48, 64, 80, 64, 0}});
    EXPECT_EQ(r.song.trackAt(0).endOfTrack, 48);
    EXPECT_EQ(countWarnings(r, "read on to the chunk's end"), 1) << allWarnings(r);
    EXPECT_EQ(countWarnings(r, "no End of Track"), 0) << allWarnings(r);
}

TEST(MidiReaderRepair, BytesAfterEndOfTrackThatAreNotEventsStayIgnored) {
    const std::string note = smf::bytes({0x00, 0x90, 0x3C, 0x64, 0x60, 0x80, 0x3C, 0x40});
    struct Case {
        const char* what;
        std::string tail;
    };
    for (const Case& c : {
             Case{"zero padding", std::string(4, '\0')},
             // Running status right after End of Track: nothing to run on from.
             Case{"a data byte first", smf::bytes({0x00, 0x3E, 0x64})},
             Case{"a system message", smf::bytes({0x00, 0xF3, 0x01})},
             Case{"a data byte over 127", smf::bytes({0x00, 0x90, 0x3E, 0xE0})},
             Case{"an event cut by the chunk's end", smf::bytes({0x00, 0x90, 0x3E})},
             // Events, then padding: the whole rest must parse, else none of it is read.
             Case{"events then padding",
                  smf::bytes({0x00, 0x90, 0x3E, 0x64, 0x10, 0x80, 0x3E, 0x40, 0x00, 0x00})},
         }) {
        SCOPED_TRACE(c.what);
        const ReadResult r = readMidi(smf::header(0, 1, 96) + track(note + kEnd + c.tail));
        ASSERT_TRUE(r.ok) << r.error;
        expectNotes(r, 0, {{0, 96, 60, 100, 64, 0}});
        EXPECT_EQ(r.song.trackAt(0).endOfTrack, 96);
        EXPECT_EQ(countWarnings(r, std::to_string(c.tail.size()) + " bytes after End of Track"), 1)
            << allWarnings(r);
        EXPECT_EQ(countWarnings(r, "read on"), 0) << allWarnings(r);
    }
}
