// `export-jsb --data DIR|FILE.json --split train|valid|test --out DIR [--steps-per-beat N]`:
// writes one split of the JSB Chorales as MIDI files (ml/JsbSongs.h), so `train`, `eval` and
// `generate` read Bach's chorales as they read any music; scripts/train-builtin-models trains
// the built-in models on them.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "midi/MidiFile.h"
#include "ml/Dataset.h"
#include "ml/JsbSongs.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace torchestra::cli {

namespace {

int refuse(const std::string& why) {
    std::cerr << "torchestra-cli export-jsb: " << why << "\n";
    return 2;
}

} // namespace

int runExportJsb(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    std::string err = args.parse(rawArgs, {"data", "split", "out", "steps-per-beat"}, {});
    // The file's frames a quarter note: 4 for jsb-chorales-16th.json, the program's own grid.
    const int stepsPerQuarter = int(args.intValue("steps-per-beat", 4, 1, 24, err));
    const std::string split = args.value("split", "train");
    if (err.empty() && split != "train" && split != "valid" && split != "test")
        err = "--split must be train, valid or test (got '" + split + "')";
    if (err.empty() && (!args.has("data") || !args.has("out")))
        err = "--data DIR|FILE.json and --out DIR are required";
    if (err.empty() && !args.positional().empty())
        err = "unexpected argument '" + args.positional()[0] + "'";
    if (!err.empty())
        return refuse(err);
    std::string dataPath = *args.value("data");
    if (std::filesystem::is_directory(dataPath))
        dataPath += "/jsb-chorales-16th.json";
    ml::Dataset data;
    if (std::string lerr = ml::loadJsbDataset(dataPath, data); !lerr.empty())
        return refuse(lerr);
    const std::vector<ml::FrameSequence>& pieces = split == "train"   ? data.train
                                                   : split == "valid" ? data.valid
                                                                      : data.test;
    const std::string outDir = *args.value("out");
    std::error_code ec;
    std::filesystem::create_directories(outDir, ec);
    if (ec)
        return refuse(outDir + ": " + ec.message());
    long notes = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "/%s-%03zu.mid", split.c_str(), i + 1);
        const model::Song song =
            ml::jsbPieceToSong(pieces[i], data.representation, stepsPerQuarter);
        if (std::string werr = midi::writeMidiFile(outDir + name, song); !werr.empty()) {
            std::cerr << "torchestra-cli export-jsb: " << werr << "\n";
            return 1;
        }
        notes += long(song.noteCount());
    }
    std::cout << "wrote " << pieces.size() << " " << split << " chorales (" << notes
              << " notes) from " << dataPath << " to " << outDir << "/\n";
    return 0;
}

} // namespace torchestra::cli
