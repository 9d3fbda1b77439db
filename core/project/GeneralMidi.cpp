#include "project/GeneralMidi.h"

#include <algorithm>

#include <array>

namespace torchestra::project::gm {

namespace {

// GM1 sound set, in program order.
constexpr std::array<const char*, 128> kPrograms = {
    "Acoustic Grand Piano",
    "Bright Acoustic Piano",
    "Electric Grand Piano",
    "Honky-tonk Piano",
    "Electric Piano 1",
    "Electric Piano 2",
    "Harpsichord",
    "Clavinet",
    "Celesta",
    "Glockenspiel",
    "Music Box",
    "Vibraphone",
    "Marimba",
    "Xylophone",
    "Tubular Bells",
    "Dulcimer",
    "Drawbar Organ",
    "Percussive Organ",
    "Rock Organ",
    "Church Organ",
    "Reed Organ",
    "Accordion",
    "Harmonica",
    "Tango Accordion",
    "Acoustic Guitar (nylon)",
    "Acoustic Guitar (steel)",
    "Electric Guitar (jazz)",
    "Electric Guitar (clean)",
    "Electric Guitar (muted)",
    "Overdriven Guitar",
    "Distortion Guitar",
    "Guitar Harmonics",
    "Acoustic Bass",
    "Electric Bass (finger)",
    "Electric Bass (pick)",
    "Fretless Bass",
    "Slap Bass 1",
    "Slap Bass 2",
    "Synth Bass 1",
    "Synth Bass 2",
    "Violin",
    "Viola",
    "Cello",
    "Contrabass",
    "Tremolo Strings",
    "Pizzicato Strings",
    "Orchestral Harp",
    "Timpani",
    "String Ensemble 1",
    "String Ensemble 2",
    "Synth Strings 1",
    "Synth Strings 2",
    "Choir Aahs",
    "Voice Oohs",
    "Synth Voice",
    "Orchestra Hit",
    "Trumpet",
    "Trombone",
    "Tuba",
    "Muted Trumpet",
    "French Horn",
    "Brass Section",
    "Synth Brass 1",
    "Synth Brass 2",
    "Soprano Sax",
    "Alto Sax",
    "Tenor Sax",
    "Baritone Sax",
    "Oboe",
    "English Horn",
    "Bassoon",
    "Clarinet",
    "Piccolo",
    "Flute",
    "Recorder",
    "Pan Flute",
    "Blown Bottle",
    "Shakuhachi",
    "Whistle",
    "Ocarina",
    "Lead 1 (square)",
    "Lead 2 (sawtooth)",
    "Lead 3 (calliope)",
    "Lead 4 (chiff)",
    "Lead 5 (charang)",
    "Lead 6 (voice)",
    "Lead 7 (fifths)",
    "Lead 8 (bass + lead)",
    "Pad 1 (new age)",
    "Pad 2 (warm)",
    "Pad 3 (polysynth)",
    "Pad 4 (choir)",
    "Pad 5 (bowed)",
    "Pad 6 (metallic)",
    "Pad 7 (halo)",
    "Pad 8 (sweep)",
    "FX 1 (rain)",
    "FX 2 (soundtrack)",
    "FX 3 (crystal)",
    "FX 4 (atmosphere)",
    "FX 5 (brightness)",
    "FX 6 (goblins)",
    "FX 7 (echoes)",
    "FX 8 (sci-fi)",
    "Sitar",
    "Banjo",
    "Shamisen",
    "Koto",
    "Kalimba",
    "Bagpipe",
    "Fiddle",
    "Shanai",
    "Tinkle Bell",
    "Agogo",
    "Steel Drums",
    "Woodblock",
    "Taiko Drum",
    "Melodic Tom",
    "Synth Drum",
    "Reverse Cymbal",
    "Guitar Fret Noise",
    "Breath Noise",
    "Seashore",
    "Bird Tweet",
    "Telephone Ring",
    "Helicopter",
    "Applause",
    "Gunshot",
};

constexpr std::array<const char*, 16> kFamilies = {
    "Piano",         "Chromatic Percussion",
    "Organ",         "Guitar",
    "Bass",          "Strings",
    "Ensemble",      "Brass",
    "Reed",          "Pipe",
    "Synth Lead",    "Synth Pad",
    "Synth Effects", "Ethnic",
    "Percussive",    "Sound Effects",
};

// GM percussion key map, notes 35..81.
constexpr int kFirstDrumNote = 35;
constexpr std::array<const char*, 47> kDrumNotes = {
    "Acoustic Bass Drum",
    "Bass Drum 1",
    "Side Stick",
    "Acoustic Snare",
    "Hand Clap",
    "Electric Snare",
    "Low Floor Tom",
    "Closed Hi-Hat",
    "High Floor Tom",
    "Pedal Hi-Hat",
    "Low Tom",
    "Open Hi-Hat",
    "Low-Mid Tom",
    "Hi-Mid Tom",
    "Crash Cymbal 1",
    "High Tom",
    "Ride Cymbal 1",
    "Chinese Cymbal",
    "Ride Bell",
    "Tambourine",
    "Splash Cymbal",
    "Cowbell",
    "Crash Cymbal 2",
    "Vibraslap",
    "Ride Cymbal 2",
    "Hi Bongo",
    "Low Bongo",
    "Mute Hi Conga",
    "Open Hi Conga",
    "Low Conga",
    "High Timbale",
    "Low Timbale",
    "High Agogo",
    "Low Agogo",
    "Cabasa",
    "Maracas",
    "Short Whistle",
    "Long Whistle",
    "Short Guiro",
    "Long Guiro",
    "Claves",
    "Hi Wood Block",
    "Low Wood Block",
    "Mute Cuica",
    "Open Cuica",
    "Mute Triangle",
    "Open Triangle",
};

struct Kit {
    int program;
    const char* name;
};
// GS/GM2 drum kits; programs between these play the kit below them on most synths.
constexpr std::array<Kit, 9> kKits = {{
    {0, "Standard Kit"},
    {8, "Room Kit"},
    {16, "Power Kit"},
    {24, "Electronic Kit"},
    {25, "TR-808 Kit"},
    {32, "Jazz Kit"},
    {40, "Brush Kit"},
    {48, "Orchestra Kit"},
    {56, "SFX Kit"},
}};

} // namespace

QString programName(int program) {
    if (program < 0 || program >= int(kPrograms.size()))
        return {};
    return QString::fromLatin1(kPrograms[std::size_t(program)]);
}

QString familyName(int program) {
    if (program < 0 || program > 127)
        return {};
    return QString::fromLatin1(kFamilies[std::size_t(program / 8)]);
}

QString drumKitName(int program) {
    const char* name = kKits[0].name;
    for (const Kit& kit : kKits) {
        if (kit.program <= program)
            name = kit.name;
    }
    return QString::fromLatin1(name);
}

QString drumNoteName(int note) {
    const int i = note - kFirstDrumNote;
    if (i < 0 || i >= int(kDrumNotes.size()))
        return {};
    return QString::fromLatin1(kDrumNotes[std::size_t(i)]);
}

QString instrumentName(int channel, std::optional<int> program) {
    if (channel == model::kDrumChannel)
        return drumKitName(program.value_or(0));
    return programName(program.value_or(0));
}

QString pitchName(int pitch) {
    static const char* const kNames[12] = {"C",  "C#", "D",  "D#", "E",  "F",
                                           "F#", "G",  "G#", "A",  "A#", "B"};
    if (pitch < 0 || pitch > 127)
        return {};
    return QString::fromLatin1(kNames[pitch % 12]) + QString::number(pitch / 12 - 1);
}

PitchRange instrumentRange(int channel, std::optional<int> program) {
    if (channel == model::kDrumChannel)
        return {35, 81};
    const int p = std::clamp(program.value_or(0), 0, 127);
    // Single instruments with well-known ranges; then each family's.
    static const std::pair<int, PitchRange> kKnown[] = {
        {8, {60, 108}},  {9, {79, 108}},  {11, {53, 89}}, {12, {45, 96}}, {13, {65, 108}},
        {14, {60, 77}},  {40, {55, 103}}, {41, {48, 91}}, {42, {36, 76}}, {43, {28, 67}},
        {46, {24, 103}}, {47, {40, 55}},  {56, {55, 82}}, {57, {40, 72}}, {58, {28, 58}},
        {59, {55, 82}},  {60, {41, 77}},  {64, {56, 87}}, {65, {49, 81}}, {66, {44, 76}},
        {67, {36, 69}},  {68, {58, 91}},  {69, {52, 81}}, {70, {34, 75}}, {71, {50, 94}},
        {72, {74, 108}}, {73, {60, 96}},  {74, {60, 96}}, {75, {60, 96}}, {77, {55, 84}},
        {79, {60, 84}},
    };
    for (const auto& [known, range] : kKnown)
        if (known == p)
            return range;
    static const PitchRange kFamilies[16] = {
        {21, 108}, // piano
        {48, 96},  // chromatic percussion
        {36, 96},  // organ
        {40, 88},  // guitar
        {28, 67},  // bass
        {36, 96},  // strings
        {36, 96},  // ensemble
        {40, 82},  // brass
        {49, 87},  // reed
        {60, 96},  // pipe
        {36, 96},  // synth lead
        {36, 96},  // synth pad
        {36, 96},  // synth effects
        {48, 84},  // ethnic
        {48, 84},  // percussive
        {21, 108}, // sound effects
    };
    return kFamilies[p / 8];
}

} // namespace torchestra::project::gm
