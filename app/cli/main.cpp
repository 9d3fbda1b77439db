// torchestra-cli: the headless side of Torchestra (inspect, convert, and more with each area).
#include "cli/Commands.h"
#include "ml/neural/NeuralKinds.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace torchestra::cli {

namespace {

// The learning commands, in the order the usage lists them (after inspect, convert, corpus).
std::vector<CommandInfo> learningCommands() {
    return {
        {"train",
         "train --model markov|rnn|lstm|gan [--head independent|autoregressive] --out MODEL "
         "FILES_OR_DIRS...|--corpus CORPUS [--data-memory-mb MB: held in memory up to this "
         "(default a quarter of the RAM), streamed from the shards beyond it] [--valid DIR "
         "--tracks 1,2 --epochs N --hidden N --layers N --noise N --bar-steps N --steps-per-beat "
         "N --hold on|off --lookback on|off --harmony-plan on|off --harmony-quarters on|off --seed "
         "N --resume MODEL ...] "
         "[--optimizer-state off: the model saved without its optimizer's state, a third of "
         "the size, for sharing (resumed, it starts the optimizer afresh)] "
         "[--max-minutes M: train by time, as the Train panel's \"Train for\" (no epoch limit "
         "unless --epochs gives one; 0 = until it stops improving; without it an RNN or LSTM "
         "trains 30 epochs, 15 minutes at most)] [--launch N: N local "
         "data-parallel ranks | --distributed: one rank of a group that RANK, WORLD_SIZE, "
         "MASTER_ADDR and MASTER_PORT describe (docs/scaling.md)]",
         runTrain},
        {"generate",
         "generate --model MODEL|builtin:NAME [--prime IN.mid --prime-bars 1-4 --prime-tracks 1] "
         "--bars 8 --temperature 1.0 --seed 1 --variations 4 [--key C:major] [--regenerate 5-6] "
         "[--no-numbers] [--candidates 64 --keep 4 --rank-by following|likelihood|closeness] "
         "[--noise-carry R] [--rhythm-odds A,B[,R]|off] [--key-odds K|off] [--progressions on|off] "
         "[--max-poly N] [--min-poly N] [--hold-odds H] [--min-note STEPS|primer] "
         "[--harmony-guidance G] "
         "--out OUT.mid   "
         "(takes' closeness, NLL, copies; --candidates: the best of many; --noise-carry, "
         "--progressions, --hold-odds, --min-note, --min-poly, --harmony-guidance: a GAN's noise, "
         "harmony, held notes, shortest note, fewest notes at once, how far its harmony moves; "
         "--rhythm-odds, "
         "--key-odds: new notes by the bar's rhythm, the key)",
         runGenerate},
        {"models",
         "models                           the built-in models (builtin:NAME) and your own: kind, "
         "size, what each learned from",
         runModels},
        {"eval",
         "eval --model MODEL FILES... [--metrics --training DIR --temperature T --rhythm-odds "
         "A,B[,R] "
         "--key-odds K --progressions on|off --max-poly N --min-poly N --hold-odds H "
         "--min-note STEPS|primer --harmony-guidance G --sampling-seed N --windows N --takes-out "
         "DIR]   "
         "NLL a step on "
         "held-out files; "
         "--metrics (and a GAN): music metrics",
         runEval},
        {"eval-jsb",
         "eval-jsb --data DIR|FILE.json [--model MODEL | --train --model lstm|rnn|markov|gan "
         "--head H --max-minutes N --out MODEL] [--metrics --bar-steps 16 --split valid|test "
         "--temperature T --top-p P --noise-carry R --rhythm-odds A,B[,R] --key-odds K "
         "--progressions "
         "on|off --max-poly N --min-poly N --hold-odds H --min-note STEPS|primer "
         "--harmony-guidance G "
         "--sampling-seed N "
         "--windows N --takes-out DIR]   JSB NLL, metrics",
         runEvalJsb},
        {"eval-infill",
         "eval-infill --model MODEL FILES... [--judge MODEL] [--gap 5-6] [--after 4] "
         "[--candidates 64] [--seed 1] [--max-songs N]   rewrites bars of held-out songs and "
         "compares infill (best of N by the music after) with left-only continuation: NLL of the "
         "bars after, tonal distance and closeness to the original bars",
         runEvalInfill},
        {"export-jsb",
         "export-jsb --data DIR|FILE.json --split train|valid|test --out DIR "
         "[--steps-per-beat 4]   a JSB Chorales split as MIDI files (what the built-in models "
         "learn from)",
         runExportJsb},
        {"metrics",
         "metrics --reference DIR|FILE.json... --generated FILES... [--training DIR...] "
         "[--per-track] [--excerpts BARS] [--json]   music metrics side by side, with "
         "distribution overlaps",
         runMetrics},
        {"calibrate",
         "calibrate --model MODEL [--training DIR] [--out MODEL2] VALID_FILES... | --data "
         "JSB.json   the sampling choices training ends with, made again by this program on a "
         "trained model and saved in its checkpoint (the model itself unchanged)",
         runCalibrate},
    };
}

} // namespace

const std::vector<CommandInfo>& commands() {
    static const std::vector<CommandInfo> table = [] {
        std::vector<CommandInfo> all = {
            {"inspect", "inspect FILE [--json]            what a MIDI file or a project holds",
             runInspect},
            {"convert", "convert IN OUT [--format 0|1] [--no-running-status]  rewrite a MIDI file",
             runConvert},
            {"corpus",
             "corpus build DIRS_OR_FILES... --out CORPUS [--valid-permille 50 --threads N --tracks "
             "1,2 --steps-per-beat N --shard-mb 64] | corpus report CORPUS   MIDI files turned "
             "into a sharded corpus once (re-runs read only new or changed files), with a report "
             "of every file's fate",
             runCorpus},
            {"render", "render IN.mid OUT.wav [--soundfont F] [--sample-rate R]  render to WAV",
             runRender},
            {"play",
             "play IN.mid [--midi-out NAME|INDEX] [--loop-bars A:B]  play to a port or audio",
             runPlay},
            {"ports", "ports                            MIDI inputs/outputs and their API",
             runPorts},
            {"soundfonts",
             "soundfonts                       the SoundFont render and play use, and where it was "
             "looked for (exit 1: none found)",
             runSoundFonts},
            {"record",
             "record --midi-in NAME --seconds N --out take.mid [--thru OUT]  record input",
             runRecord},
        };
        const std::vector<CommandInfo> learning = learningCommands();
        all.insert(all.begin() + 3, learning.begin(), learning.end());
        return all;
    }();
    return table;
}

} // namespace torchestra::cli

namespace {
void printUsage(std::ostream& out) {
    out << "usage: torchestra-cli COMMAND [ARGS]\n\ncommands:\n";
    for (const auto& c : torchestra::cli::commands())
        out << "  " << c.usage << "\n";
}
} // namespace

int main(int argc, char** argv) {
    torchestra::ml::neural::registerNeuralKinds();
    if (argc < 2) {
        printUsage(std::cerr);
        return 2;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        printUsage(std::cout);
        return 0;
    }
    if (name == "--version") {
        std::cout << "torchestra-cli " << TORCHESTRA_VERSION << "\n";
        return 0;
    }
    for (const auto& c : torchestra::cli::commands()) {
        if (name == c.name) {
            std::vector<std::string> args(argv + 2, argv + argc);
            // `COMMAND --help` anywhere among its arguments: its usage, not a refusal.
            if (std::find(args.begin(), args.end(), "--help") != args.end() ||
                std::find(args.begin(), args.end(), "-h") != args.end()) {
                std::cout << "usage: torchestra-cli " << c.usage << "\n";
                return 0;
            }
            try {
                return c.run(args);
            } catch (const std::exception& e) {
                std::cerr << "torchestra-cli " << name << ": " << e.what() << "\n";
                return 1;
            }
        }
    }
    std::cerr << "torchestra-cli: unknown command '" << name << "' (try --help)\n";
    return 2;
}
