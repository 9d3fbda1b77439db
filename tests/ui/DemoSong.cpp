#include "DemoSong.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace torchestra::ui::test {

namespace {

using model::Note;
using model::Tick;

constexpr int kPpq = 480;

struct Chord {
    int root;                 // pitch class 0..11
    std::array<int, 3> tones; // pitch classes
};

// i-VI-III-VII in A minor, then a turn through iv and V, ending on the tonic.
const Chord kAm{9, {9, 0, 4}};
const Chord kF{5, {5, 9, 0}};
const Chord kC{0, {0, 4, 7}};
const Chord kG{7, {7, 11, 2}};
const Chord kE{4, {4, 8, 11}};
const Chord kDm{2, {2, 5, 9}};

struct Bar {
    Chord chord;
    int beats; // quarter-note beats in the bar (4/4 or 3/4)
};

const std::array<Bar, 16> kBars = {{
    {kAm, 4},
    {kF, 4},
    {kC, 4},
    {kG, 4},
    {kAm, 4},
    {kF, 4},
    {kC, 4},
    {kE, 4},
    {kDm, 4},
    {kAm, 4},
    {kF, 4},
    {kE, 4},
    {kAm, 3},
    {kF, 3},
    {kE, 4},
    {kAm, 4},
}};

// Lowest pitch >= low with the pitch class.
int above(int pitchClass, int low) {
    int p = low - ((low % 12) - pitchClass + 12) % 12;
    return p < low ? p + 12 : p;
}

Note note(Tick start, Tick length, int pitch, int velocity, int channel) {
    Note n;
    n.start = start;
    n.length = length;
    n.pitch = std::uint8_t(std::clamp(pitch, 0, 127));
    n.velocity = std::uint8_t(std::clamp(velocity, 1, 127));
    n.channel = std::uint8_t(channel);
    return n;
}

model::Track makeTrack(const char* name, int channel, int program) {
    model::Track t;
    t.properties.name = name;
    t.properties.channel = std::uint8_t(channel);
    t.properties.program = std::uint8_t(program);
    return t;
}

// Where each bar starts.
std::vector<Tick> barStarts() {
    std::vector<Tick> barStart;
    Tick t = 0;
    for (const Bar& bar : kBars) {
        barStart.push_back(t);
        t += bar.beats * kPpq;
    }
    return barStart;
}

model::TempoMap demoTempoMap(const std::vector<Tick>& barStart) {
    model::TempoMap map(kPpq);
    map.setTempo(0, 625000); // 96 BPM
    map.setKeySignature({0, 0, true});
    map.setTimeSignature({barStart[12], 3, 4, 24, 8});
    map.setTimeSignature({barStart[14], 4, 4, 24, 8});
    map.setTempo(barStart[14], 750000); // 80 BPM: a broadening into the last cadence
    return map;
}

std::vector<Note> melody(const std::vector<Tick>& barStart, int channel) {
    // Written out: (pitch, eighths) per bar, phrased in four-bar arcs.
    const std::array<std::vector<std::pair<int, int>>, 16> tune = {{
        {{76, 2}, {74, 1}, {72, 1}, {71, 2}, {72, 2}}, // Am
        {{69, 6}, {72, 2}},                            // F
        {{76, 2}, {79, 2}, {76, 2}, {72, 2}},          // C
        {{74, 6}, {71, 2}},                            // G
        {{72, 2}, {76, 1}, {81, 1}, {81, 3}, {79, 1}}, // Am
        {{77, 2}, {76, 1}, {74, 1}, {72, 4}},          // F
        {{76, 2}, {74, 2}, {72, 2}, {67, 2}},          // C
        {{71, 6}, {68, 2}},                            // E
        {{69, 2}, {74, 2}, {77, 2}, {81, 2}},          // Dm
        {{79, 1}, {77, 1}, {76, 2}, {72, 4}},          // Am
        {{77, 3}, {76, 1}, {74, 2}, {72, 2}},          // F
        {{71, 4}, {76, 4}},                            // E
        {{81, 3}, {79, 1}, {76, 2}},                   // Am (3/4)
        {{77, 2}, {76, 2}, {74, 2}},                   // F (3/4)
        {{71, 2}, {72, 2}, {74, 2}, {68, 2}},          // E
        {{69, 8}},                                     // Am
    }};
    std::vector<Note> notes;
    for (std::size_t b = 0; b < kBars.size(); ++b) {
        Tick pos = barStart[b];
        // Louder towards the climax in bars 9-13, softer at the close.
        const int phrase = b < 8 ? int(b) * 2 : b < 13 ? 16 + int(b - 8) * 3 : 20 - int(b - 12) * 6;
        for (const auto& [pitch, eighths] : tune[b]) {
            const Tick len = eighths * kPpq / 2;
            const bool strong = (pos - barStart[b]) % kPpq == 0;
            const int velocity = 72 + phrase + (strong ? 12 : 0);
            notes.push_back(note(pos, len - 24, pitch, velocity, channel));
            pos += len;
        }
    }
    return notes;
}

// The chord held through each bar, voiced close around middle C.
std::vector<Note> strings(const std::vector<Tick>& barStart, int channel) {
    std::vector<Note> notes;
    for (std::size_t b = 0; b < kBars.size(); ++b) {
        const Bar& bar = kBars[b];
        for (int pc : bar.chord.tones)
            notes.push_back(note(barStart[b], bar.beats * kPpq - 10, above(pc, 55),
                                 64 + int(b % 4) * 6, channel));
    }
    return notes;
}

// Broken chords in eighths over two octaves.
std::vector<Note> piano(const std::vector<Tick>& barStart, int channel) {
    std::vector<Note> notes;
    for (std::size_t b = 0; b < kBars.size(); ++b) {
        const Bar& bar = kBars[b];
        std::vector<int> tones;
        for (int octaveLow : {40, 52})
            for (int pc : bar.chord.tones)
                tones.push_back(above(pc, octaveLow));
        std::sort(tones.begin(), tones.end());
        const std::array<int, 8> pattern = {0, 2, 4, 5, 3, 4, 2, 1};
        for (int e = 0; e < bar.beats * 2; ++e) {
            const int pitch = tones[std::size_t(pattern[std::size_t(e)])];
            const int velocity = e % 2 == 0 ? 72 : 54;
            notes.push_back(
                note(barStart[b] + e * kPpq / 2, kPpq / 2 - 30, pitch, velocity, channel));
        }
    }
    return notes;
}

// Root, fifth, and an eighth-note pickup into the next bar.
std::vector<Note> bass(const std::vector<Tick>& barStart, int channel) {
    std::vector<Note> notes;
    for (std::size_t b = 0; b < kBars.size(); ++b) {
        const Bar& bar = kBars[b];
        const Tick start = barStart[b];
        const int root = above(bar.chord.root, 28);
        if (bar.beats == 4) {
            notes.push_back(note(start, 2 * kPpq - 40, root, 100, channel));
            notes.push_back(note(start + 2 * kPpq, kPpq - 40, root + 7, 86, channel));
            notes.push_back(note(start + 3 * kPpq, kPpq / 2 - 20, root + 12, 80, channel));
            notes.push_back(
                note(start + 3 * kPpq + kPpq / 2, kPpq / 2 - 20, root + 10, 76, channel));
        } else {
            notes.push_back(note(start, kPpq * 3 - 40, root, 96, channel));
        }
    }
    return notes;
}

// GM kit: kick, snare, hi-hats; crashes at section starts.
std::vector<Note> drums(const std::vector<Tick>& barStart, int channel) {
    std::vector<Note> notes;
    for (std::size_t b = 0; b < kBars.size(); ++b) {
        const Bar& bar = kBars[b];
        const Tick start = barStart[b];
        if (b == 0 || b == 8 || b == 15)
            notes.push_back(note(start, kPpq / 2, 49, 110, channel));
        if (b == kBars.size() - 1) {
            notes.push_back(note(start, kPpq / 2, 36, 110, channel));
            continue;
        }
        for (int e = 0; e < bar.beats * 2; ++e) {
            const Tick at = start + e * kPpq / 2;
            notes.push_back(note(at, kPpq / 4, 42, e % 2 == 0 ? 88 : 58, channel));
        }
        if (bar.beats == 4) {
            notes.push_back(note(start, kPpq / 4, 36, 112, channel));
            notes.push_back(note(start + 2 * kPpq, kPpq / 4, 36, 104, channel));
            if (b % 2 == 1)
                notes.push_back(note(start + 2 * kPpq + kPpq / 2, kPpq / 4, 36, 84, channel));
            notes.push_back(note(start + kPpq, kPpq / 4, 38, 108, channel));
            notes.push_back(note(start + 3 * kPpq, kPpq / 4, 38, 110, channel));
        } else {
            notes.push_back(note(start, kPpq / 4, 36, 110, channel));
            notes.push_back(note(start + kPpq, kPpq / 4, 38, 80, channel));
            notes.push_back(note(start + 2 * kPpq, kPpq / 4, 38, 84, channel));
        }
    }
    return notes;
}

} // namespace

model::Song makeDemoSong() {
    model::Song song;
    const std::vector<Tick> barStart = barStarts();
    song.setTempoMap(demoTempoMap(barStart));

    const int melodyCh = 0, stringsCh = 1, pianoCh = 2, bassCh = 3, drumCh = 9;
    const auto add = [&song](model::Track track, std::vector<Note> notes) {
        const model::TrackId id = song.addTrack(std::move(track));
        song.addNotes(id, std::move(notes));
    };
    add(makeTrack("Flute", melodyCh, 73), melody(barStart, melodyCh));
    add(makeTrack("Strings", stringsCh, 48), strings(barStart, stringsCh));
    add(makeTrack("Piano", pianoCh, 0), piano(barStart, pianoCh));
    add(makeTrack("Bass", bassCh, 33), bass(barStart, bassCh));
    add(makeTrack("Drums", drumCh, 0), drums(barStart, drumCh));
    return song;
}

} // namespace torchestra::ui::test
