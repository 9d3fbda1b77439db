// `inspect FILE [--json]`: what a MIDI file or a .torchestra project holds. The --json shape is
// a contract other tools read; add fields, never rename them. A project prints the same shape
// (its song as export would write it: format 1) plus a "project" object: the model it uses and
// the files and tracks it trains on.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/Json.h"
#include "midi/MidiFile.h"
#include "ml/BuiltinModels.h"
#include "ml/Checkpoint.h"
#include "ml/ModelRegistry.h"
#include "model/TrackIndices.h"
#include "project/ProjectFile.h"

#include <QDir>
#include <QFileInfo>

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

// What a project adds to the song: its model and training choice. `model` is one line about
// the model file (its description, or why it cannot be read).
struct ProjectExtras {
    std::string modelPath;
    std::string model;
    std::vector<std::string> trainingFiles;
    std::vector<int> trainingTracks;
};

std::string projectJson(const ProjectExtras& p) {
    std::string out = ",\"project\":{\"model\":" + jsonString(p.modelPath) +
                      ",\"modelDescription\":" + jsonString(p.model) + ",\"trainingFiles\":[";
    for (std::size_t i = 0; i < p.trainingFiles.size(); ++i)
        out += (i ? "," : "") + jsonString(p.trainingFiles[i]);
    out += "],\"trainingTracks\":[";
    for (std::size_t i = 0; i < p.trainingTracks.size(); ++i)
        out += (i ? "," : "") + std::to_string(p.trainingTracks[i]);
    return out + "]}";
}

void printJson(const midi::ReadResult& r, const ProjectExtras* project) {
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
    out += "]";
    if (project)
        out += projectJson(*project);
    out += "}\n";
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

void printProject(const ProjectExtras& p, std::ostream& out) {
    out << "project:\n  model " << (p.modelPath.empty() ? "(none)" : p.modelPath)
        << (p.model.empty() ? "" : "  " + p.model) << "\n";
    out << "  training files " << p.trainingFiles.size() << ", tracks "
        << (p.trainingTracks.empty() ? "all but drums" : model::trackIndicesText(p.trainingTracks))
        << "\n";
    for (const std::string& f : p.trainingFiles)
        out << "    " << f << "\n";
}

void printText(const std::string& path, const midi::ReadResult& r, const ProjectExtras* project) {
    const model::Song& song = r.song;
    const model::TempoMap& map = song.tempoMap();
    const model::Tick end = song.endTick();
    std::ostringstream out;
    out << path << "\n";
    out << (project ? "  project (exports as format " : "  format ") << r.format
        << (project ? ")" : "") << ", " << r.ppq << " ticks per quarter"
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
    if (project)
        printProject(*project, out);
    std::cout << out.str();
}

// The project's model in one line: its description, or why it cannot be read (a project whose
// model file moved still inspects).
std::string describeModelFile(const std::string& path) {
    if (path.empty())
        return {};
    const ml::LoadedCheckpoint loaded = ml::loadModelReference(path);
    if (!loaded.model)
        return "(cannot be read: " + loaded.error + ")";
    std::string text = ml::describeModel(loaded.model->config()) + ", " +
                       std::to_string(loaded.metadata.files.size()) + " file(s)";
    if (loaded.metadata.bestValidLoss > 0)
        text += ", best " + std::to_string(loaded.metadata.bestValidLoss) + " nats/step";
    return text;
}

// A project's song as a ReadResult (what a MIDI export of it holds), and what it adds.
midi::ReadResult readProject(const std::string& path, ProjectExtras& extras) {
    midi::ReadResult r;
    project::Project p;
    if (const QString error = project::ProjectFile::read(QString::fromStdString(path), p);
        !error.isEmpty()) {
        r.error = error.toStdString();
        return r;
    }
    r.ok = true;
    r.format = 1;
    r.ppq = p.song.ppq();
    r.song = std::move(p.song);
    if (!p.modelPath.isEmpty()) {
        // A relative model path is relative to the project's folder, as the window reads it;
        // a built-in ("builtin:NAME") is the program's own.
        const QFileInfo model(QFileInfo(QString::fromStdString(path)).dir(), p.modelPath);
        extras.modelPath = p.modelPath.toStdString();
        extras.model = describeModelFile(p.modelPath.startsWith(QLatin1String(ml::kBuiltinPrefix))
                                             ? extras.modelPath
                                             : model.filePath().toStdString());
    }
    for (const QString& f : p.trainingFiles)
        extras.trainingFiles.push_back(f.toStdString());
    extras.trainingTracks = p.trainingTracks;
    return r;
}

} // namespace

int runInspect(const std::vector<std::string>& args) {
    CliArgs a;
    std::string err = a.parse(args, {}, {"json"});
    if (err.empty() && a.positional().size() != 1)
        err = "expected exactly one FILE, a MIDI file or a .torchestra project (usage: inspect "
              "FILE [--json])";
    if (!err.empty()) {
        std::cerr << "torchestra-cli inspect: " << err << "\n";
        return 2;
    }
    const std::string& path = a.positional()[0];
    midi::ReadResult r;
    ProjectExtras extras;
    const bool isProject = project::ProjectFile::isProjectFileName(QString::fromStdString(path));
    if (isProject)
        r = readProject(path, extras);
    else
        r = midi::readMidiFile(path);
    if (!r.ok) {
        std::cerr << "torchestra-cli inspect: " << path << ": " << r.error << "\n";
        return 2;
    }
    if (a.has("json"))
        printJson(r, isProject ? &extras : nullptr);
    else
        printText(path, r, isProject ? &extras : nullptr);
    return 0;
}

} // namespace torchestra::cli
