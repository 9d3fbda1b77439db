// project::withTakeProvenance: the takes that are in the song get a text event with where they
// came from, in an exported file; takes that are not in the song get none.

#include "project/TakeExport.h"
#include "midi/MidiFile.h"

#include <gtest/gtest.h>

using namespace torchestra;

namespace {

model::Note note(model::Tick start, int pitch) {
    model::Note n;
    n.start = start;
    n.length = 240;
    n.pitch = std::uint8_t(pitch);
    return n;
}

project::Take take(const char* name, std::vector<model::Note> notes, int track) {
    project::Take t;
    t.name = QString::fromLatin1(name);
    t.notes = std::move(notes);
    t.provenance.model = QStringLiteral("Bach chorales — LSTM-NADE (built in)");
    t.provenance.checkpointHash = QStringLiteral("1a2b3c4d5e6f7a8b");
    t.provenance.seed = 5;
    t.provenance.variations = 16;
    t.provenance.variation = 2;
    t.provenance.primerFrom = 0;
    t.provenance.from = 1920;
    t.provenance.to = 3840;
    t.provenance.track = track;
    t.provenance.constraints.insert(QStringLiteral("key"), QStringLiteral("A:minor"));
    return t;
}

} // namespace

TEST(TakeExport, TakesInTheSongAreMarkedWithWhereTheyCameFrom) {
    model::Song song;
    const model::TrackId flute = song.addTrack(model::Track{});
    const model::TrackId other = song.addTrack(model::Track{});
    song.addNotes(flute, {note(0, 60), note(1920, 64), note(2400, 67)}); // take A accepted
    song.addNotes(other, {note(1920, 50)});                              // take C, new track
    const std::vector<project::Take> takes = {
        take("A", {note(1920, 64), note(2400, 67)}, 0),
        take("B", {note(1920, 65), note(2400, 69)}, 0), // only shown: not in the song
        take("C", {note(1920, 50)}, 0),
    };
    const std::vector<project::TakeInSong> in = project::takesInSong(song, takes);
    ASSERT_EQ(in.size(), 2u);
    EXPECT_EQ(in[0].take, 0u);
    EXPECT_EQ(in[0].track, 0u);
    EXPECT_EQ(in[1].take, 2u);
    EXPECT_EQ(in[1].track, 1u);

    const model::Song marked = project::withTakeProvenance(song, takes);
    EXPECT_TRUE(song.trackAt(0).metaEvents.empty()); // the song itself is not changed
    const midi::ReadResult read = midi::readMidi(midi::writeMidi(marked));
    ASSERT_TRUE(read.ok) << read.error;
    std::vector<std::string> texts;
    for (const model::Track& t : read.song.tracks())
        for (const model::MetaEvent& m : t.metaEvents)
            if (m.type == 0x01) {
                EXPECT_EQ(m.tick, 1920);
                texts.push_back(m.data);
            }
    ASSERT_EQ(texts.size(), 2u);
    EXPECT_EQ(texts[0].rfind("Torchestra take A: Bach chorales", 0), 0u) << texts[0];
    for (const char* part : {"checkpoint 1a2b3c4d5e6f7a8b", "seed 5 (variation 3 of 16)",
                             "key A:minor", "bars 2-2 after bars 1-1"})
        EXPECT_NE(texts[0].find(part), std::string::npos) << part << " in " << texts[0];
    EXPECT_EQ(texts[1].rfind("Torchestra take C:", 0), 0u) << texts[1];
}
