#pragma once
// Songs the playback tests build, and a sink that records what the scheduler sends.

#include "common/TestNotes.h"
#include "model/Song.h"
#include "playback/MidiMessage.h"
#include "playback/SoundFontLocator.h"

#include <cstdint>
#include <string>
#include <vector>

namespace torchestra::playback::test {

using ::torchestra::testkit::makeNote;

// TimGM6mb (Debian's timgm6mb-soundfont) when installed, else empty: what the render tests
// measure with, so their figures do not depend on a user's remembered choice.
inline std::string timgm6mbSoundFont() {
    const std::string path = "/usr/share/sounds/sf2/TimGM6mb.sf2";
    return checkSoundFontFile(path).empty() ? path : std::string();
}

struct SentMessage {
    std::int64_t frame; // absolute: block start + offset
    MidiMessage message;
};

class RecordingSink : public MidiSink {
public:
    std::int64_t blockStart = 0;
    std::vector<SentMessage> sent;
    void send(int frameOffset, const MidiMessage& m) override {
        sent.push_back({blockStart + frameOffset, m});
    }
    std::vector<SentMessage> noteOns() const {
        std::vector<SentMessage> out;
        for (const auto& s : sent)
            if (s.message.isNoteOn())
                out.push_back(s);
        return out;
    }
    std::vector<SentMessage> noteOffs() const {
        std::vector<SentMessage> out;
        for (const auto& s : sent)
            if (s.message.isNoteOff())
                out.push_back(s);
        return out;
    }
};

// Adds a track with these notes to `song` and returns its id.
inline model::TrackId addTrack(model::Song& song, const char* name, std::uint8_t channel,
                               int program, std::vector<model::Note> notes) {
    model::Track t;
    t.properties.name = name;
    t.properties.channel = channel;
    if (program >= 0)
        t.properties.program = std::uint8_t(program);
    const model::TrackId id = song.addTrack(t);
    song.addNotes(id, std::move(notes));
    return id;
}

// Percussive hits on the GM drum channel with silence between, under a tempo change
// (120 BPM, then 90 BPM from bar 3, then 150 BPM from bar 5), at ticks that land all over
// FluidSynth's 64-sample blocks. A long gap (bars 6-7) is silent.
inline model::Song onsetSong(std::vector<model::Tick>* hitTicks) {
    model::Song song;
    model::TempoMap map(480);
    map.setTempo(0, 500000);
    map.setTempo(3840, 666667);
    map.setTempo(7680, 400000);
    song.setTempoMap(map);
    std::vector<model::Note> notes;
    for (int k = 0; k < 40; ++k) {
        if (k >= 24 && k < 30)
            continue; // the silent stretch
        const model::Tick t = 480 + model::Tick(k) * 300 + (k * 37) % 97;
        notes.push_back(makeNote(t, 60, 76, 120, 9)); // hi wood block: a sharp attack
        hitTicks->push_back(t);
    }
    addTrack(song, "wood block", 9, -1, notes);
    return song;
}

} // namespace torchestra::playback::test
