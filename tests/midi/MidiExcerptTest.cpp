// project::midiExcerpt: part of a song as a .mid of its own (what a drag out of the window
// carries), written and read back.

#include "project/MidiExcerpt.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

using namespace torchestra;

namespace {

model::Note note(model::Tick start, model::Tick length, int pitch) {
    model::Note n;
    n.start = start;
    n.length = length;
    n.pitch = std::uint8_t(pitch);
    n.channel = 3; // the track's
    return n;
}

} // namespace

// From bar 3 of a song whose tempo, metre and key change before and after it: the ones in
// effect at bar 3 start the excerpt, the later ones move with the notes, notes before it are
// left out, and the track keeps its name, channel and program.
TEST(MidiExcerpt, StartsAtItsBarWithWhatIsInEffectThere) {
    model::Song song;
    model::TempoMap map;
    map.setPpq(480);
    map.setTempo(0, 500000);
    map.setTempo(1920, 400000); // bar 2
    map.setTempo(4 * 1920, 600000);
    map.setTimeSignature({0, 4, 4});
    map.setTimeSignature({1920, 3, 4}); // bar 2 on: 3/4 (1,440 ticks a bar)
    map.setKeySignature({0, 1, false});
    song.setTempoMap(map);
    model::TrackProperties properties;
    properties.name = "Tenor Sax";
    properties.channel = 3;
    properties.program = 66;
    const model::Tick from = song.tempoMap().barToTick(2); // bar 3: 1920 + 1440
    ASSERT_EQ(from, 3360);
    const std::vector<model::Note> notes = {note(100, 240, 60), note(from + 480, 480, 62),
                                            note(from + 1440, 240, 64)};
    const model::Song excerpt = project::midiExcerpt(song, {{properties, notes}}, from);
    EXPECT_EQ(project::excerptStart(song, {notes[1], notes[2]}), from);

    const midi::ReadResult read = midi::readMidi(midi::writeMidi(excerpt));
    ASSERT_TRUE(read.ok) << read.error;
    const model::TempoMap& m = read.song.tempoMap();
    EXPECT_EQ(m.ppq(), 480);
    EXPECT_EQ(m.usPerQuarterAt(0), 400000);
    EXPECT_EQ(m.usPerQuarterAt(4 * 1920 - from), 600000);
    EXPECT_EQ(m.timeSignatureAt(0).numerator, 3);
    ASSERT_FALSE(m.keySignatures().empty());
    EXPECT_EQ(m.keySignatures().front().sharps, 1);
    ASSERT_EQ(read.song.trackCount(), 1u);
    const model::Track& track = read.song.trackAt(0);
    EXPECT_EQ(track.properties.name, "Tenor Sax");
    EXPECT_EQ(track.properties.program, 66);
    ASSERT_EQ(track.notes().size(), 2u);
    EXPECT_EQ(track.notes()[0].start, 480);
    EXPECT_EQ(track.notes()[0].channel, 3);
    EXPECT_EQ(track.notes()[1].start, 1440);
    EXPECT_EQ(track.notes()[1].pitch, 64);
}

TEST(MidiExcerpt, FileNamesAreSafe) {
    EXPECT_EQ(project::excerptFileName("Flute, bars 5-8"), "Flute, bars 5-8.mid");
    EXPECT_EQ(project::excerptFileName("a/b:c?"), "a_b_c_.mid");
    EXPECT_EQ(project::excerptFileName("..hidden"), "hidden.mid");
    EXPECT_EQ(project::excerptFileName(""), "Torchestra.mid");
    // A long name is cut to 120 bytes, never inside a UTF-8 character ("é" is 2 bytes: the one
    // over byte 120 goes whole).
    std::string accents;
    for (int i = 0; i < 70; ++i)
        accents += "\xc3\xa9";
    const std::string cut = project::excerptFileName("x" + accents);
    EXPECT_EQ(cut, "x" + accents.substr(0, 118) + ".mid");
}
