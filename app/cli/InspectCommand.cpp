// `inspect FILE [--json]`: what a MIDI file holds. The --json shape is a contract other tools
// read; add fields, never rename them.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/Json.h"
#include "midi/MidiFile.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <tuple>

namespace torchestra::cli {

namespace {

using model::Note;

struct FlatNote {
    std::size_t track;
    Note note;
};

std::vector<FlatNote> sortedNotes(const model::Song& song) {
    std::vector<FlatNote> notes;
    notes.reserve(song.noteCount());
    for (std::size_t t = 0; t < song.trackCount(); ++t)
        for (const Note& n : song.trackAt(t).notes())
            notes.push_back({t, n});
    auto key = [](const FlatNote& f) {
        return std::make_tuple(f.track, f.note.start, f.note.channel, f.note.pitch, f.note.end(),
                               f.note.velocity);
    };
    std::sort(notes.begin(), notes.end(),
              [&](const FlatNote& a, const FlatNote& b) { return key(a) < key(b); });
    return notes;
}

void printJson(const midi::ReadResult& r) {
    const model::TempoMap& map = r.song.tempoMap();
    std::string out;
    out.reserve(64 + r.song.noteCount() * 90);
    out += "{\"format\":" + std::to_string(r.format) + ",\"ppq\":" + std::to_string(r.ppq) +
           ",\"tracks\":" + std::to_string(r.song.trackCount()) + ",\"tempos\":[";
    for (std::size_t i = 0; i < map.tempos().size(); ++i) {
        const auto& t = map.tempos()[i];
        out += (i ? "," : "") + std::string("{\"tick\":") + std::to_string(t.tick) +
               ",\"usPerQuarter\":" + std::to_string(t.usPerQuarter) + "}";
    }
    out += "],\"timeSignatures\":[";
    for (std::size_t i = 0; i < map.timeSignatures().size(); ++i) {
        const auto& t = map.timeSignatures()[i];
        out += (i ? "," : "") + std::string("{\"tick\":") + std::to_string(t.tick) +
               ",\"numerator\":" + std::to_string(t.numerator) +
               ",\"denominator\":" + std::to_string(t.denominator) + "}";
    }
    out += "],\"notes\":[";
    bool first = true;
    for (const FlatNote& f : sortedNotes(r.song)) {
        out += first ? "" : ",";
        first = false;
        out += "{\"track\":" + std::to_string(f.track) +
               ",\"channel\":" + std::to_string(f.note.channel) +
               ",\"pitch\":" + std::to_string(f.note.pitch) +
               ",\"velocity\":" + std::to_string(f.note.velocity) +
               ",\"startTick\":" + std::to_string(f.note.start) +
               ",\"endTick\":" + std::to_string(f.note.end()) + "}";
    }
    out += "],\"warnings\":[";
    for (std::size_t i = 0; i < r.warnings.size(); ++i)
        out += (i ? "," : "") + jsonString(r.warnings[i]);
    out += "]}\n";
    std::cout << out;
}

std::string formatSeconds(double s) {
    char buf[32];
    const int minutes = int(s / 60);
    std::snprintf(buf, sizeof buf, "%d:%06.3f", minutes, s - minutes * 60.0);
    return buf;
}

const char* keyName(const model::KeySignature& k) {
    static const char* major[] = {"Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C",
                                  "G",  "D",  "A",  "E",  "B",  "F#", "C#"};
    static const char* minor[] = {"Ab", "Eb", "Bb", "F",  "C",  "G",  "D", "A",
                                  "E",  "B",  "F#", "C#", "G#", "D#", "A#"};
    const int sharps = k.sharps < -7 ? -7 : (k.sharps > 7 ? 7 : k.sharps);
    return (k.minor ? minor : major)[sharps + 7];
}

void printText(const std::string& path, const midi::ReadResult& r) {
    const model::Song& song = r.song;
    const model::TempoMap& map = song.tempoMap();
    const model::Tick end = song.endTick();
    std::ostringstream out;
    out << path << "\n";
    out << "  format " << r.format << ", " << r.ppq << " ticks per quarter"
        << (r.smpte ? " (converted from SMPTE time)" : "") << ", " << song.trackCount()
        << " tracks, " << song.noteCount() << " notes\n";
    out << "  length " << formatSeconds(map.tickToSeconds(end)) << " (" << end << " ticks, ends at "
        << map.tickToBarBeatTick(end).toString() << ")\n";
    out << "tracks:\n";
    for (std::size_t i = 0; i < song.trackCount(); ++i) {
        const model::Track& t = song.trackAt(i);
        const auto& p = t.properties;
        out << "  " << i << "  " << (p.name.empty() ? "(unnamed)" : p.name) << "  channel "
            << (t.noteCount() || !t.channelEvents.empty() ? std::to_string(p.channel + 1) : "-")
            << "  program " << (p.program ? std::to_string(*p.program) : "-") << "  "
            << t.noteCount() << " notes\n";
    }
    out << "tempo map:\n";
    if (map.tempos().empty())
        out << "  (none: 120 BPM)\n";
    for (const auto& t : map.tempos()) {
        char bpm[32];
        std::snprintf(bpm, sizeof bpm, "%.2f", 60e6 / t.usPerQuarter);
        out << "  " << map.tickToBarBeatTick(t.tick).toString() << "  tick " << t.tick << "  "
            << bpm << " BPM (" << t.usPerQuarter << " us per quarter)\n";
    }
    out << "time signatures:\n";
    if (map.timeSignatures().empty())
        out << "  (none: 4/4)\n";
    for (const auto& t : map.timeSignatures())
        out << "  " << map.tickToBarBeatTick(t.tick).toString() << "  tick " << t.tick << "  "
            << t.numerator << "/" << t.denominator << "\n";
    if (!map.keySignatures().empty()) {
        out << "key signatures:\n";
        for (const auto& k : map.keySignatures())
            out << "  " << map.tickToBarBeatTick(k.tick).toString() << "  tick " << k.tick << "  "
                << keyName(k) << (k.minor ? " minor" : " major") << "\n";
    }
    out << "warnings: " << (r.warnings.empty() ? "none" : std::to_string(r.warnings.size()))
        << "\n";
    for (const auto& w : r.warnings)
        out << "  " << w << "\n";
    std::cout << out.str();
}

} // namespace

int runInspect(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err = a.parse(args, {}, {"json"});
    if (err.empty() && a.positional().size() != 1)
        err = "expected exactly one FILE (usage: inspect FILE [--json])";
    if (!err.empty()) {
        std::cerr << "torchestra-cli inspect: " << err << "\n";
        return 2;
    }
    const std::string& path = a.positional()[0];
    midi::ReadResult r = midi::readMidiFile(path);
    if (!r.ok) {
        std::cerr << "torchestra-cli inspect: " << path << ": " << r.error << "\n";
        return 2;
    }
    if (a.has("json"))
        printJson(r);
    else
        printText(path, r);
    return 0;
}

} // namespace torchestra::cli
