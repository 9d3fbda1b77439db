// `corpus build DIR... --out CORPUS [--valid-permille N --threads N --tracks 1,2
//  --steps-per-beat N --shard-mb N]` and `corpus report CORPUS`: a folder tree of MIDI files
// turned into a corpus once (ml/corpus), and its report.
#include "cli/CliArgs.h"
#include "cli/Commands.h"
#include "cli/CorpusData.h"
#include "cli/MlCommon.h"
#include "ml/DataParallel.h"
#include "ml/corpus/CorpusBuilder.h"
#include "ml/corpus/CorpusReader.h"
#include "ml/corpus/CorpusReport.h"
#include "ml/corpus/CorpusTraining.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <unistd.h>

namespace torchestra::cli {

namespace {

const std::vector<std::string> kBuildValueFlags = {"out",    "valid-permille", "threads",
                                                   "tracks", "steps-per-beat", "shard-mb"};

int refuse(const std::string& why) {
    std::cerr << "torchestra-cli corpus: " << why << "\n";
    return 2;
}

std::string readBuildFlags(const CliArgs& args, ml::corpus::CorpusBuildOptions& o) {
    std::string err;
    o.validPermille = int(args.intValue("valid-permille", o.validPermille, 0, 1000, err));
    o.threads = int(args.intValue("threads", 0, 1, 256, err));
    o.representation.stepsPerBeat =
        int(args.intValue("steps-per-beat", o.representation.stepsPerBeat, 1, 24, err));
    o.shardBytes = std::size_t(args.intValue("shard-mb", 64, 1, 4096, err)) << 20;
    if (err.empty())
        err = readTrackIndices(args, "tracks", o.trackIndices);
    if (err.empty() && !args.has("out"))
        err = "--out CORPUS is required";
    if (err.empty() && args.positional().empty())
        err = "give folders or MIDI files to build the corpus from";
    return err;
}

// "files 1200/20000 (read 1200)", rewritten in place on a terminal, else every few seconds.
class BuildProgress {
public:
    void operator()(const ml::corpus::CorpusProgress& p) {
        const double now =
            std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
                .count();
        if (!m_tty && now - m_last < 5.0 && p.done != p.total)
            return;
        m_last = now;
        std::fprintf(stderr,
                     m_tty ? "\r\033[Kfiles %ld/%ld (read %ld)" : "files %ld/%ld (read %ld)\n",
                     p.done, p.total, p.processed);
        m_open = m_tty;
    }
    ~BuildProgress() {
        if (m_open)
            std::fprintf(stderr, "\n");
    }

private:
    bool m_tty = ::isatty(STDERR_FILENO);
    bool m_open = false;
    double m_last = -1e9;
};

int runBuild(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    std::string err = args.parse(rawArgs, kBuildValueFlags, {});
    ml::corpus::CorpusBuildOptions options;
    if (err.empty())
        err = readBuildFlags(args, options);
    if (!err.empty())
        return refuse(err);
    installInterruptHandler();
    ml::corpus::CorpusBuildResult result;
    {
        BuildProgress progress;
        result = ml::corpus::buildCorpus(args.positional(), *args.value("out"), options,
                                         interruptFlag(), std::ref(progress));
    }
    if (result.cancelled) {
        std::cerr << "torchestra-cli corpus: cancelled; the corpus in " << *args.value("out")
                  << " is as it was\n";
        return 1;
    }
    if (!result.ok) {
        std::cerr << "torchestra-cli corpus: " << result.error << "\n";
        return 1;
    }
    std::cout << ml::corpus::formatCorpusReport(ml::corpus::makeCorpusReport(result.manifest),
                                                result.manifest, *args.value("out"));
    return 0;
}

int runReport(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    if (std::string err = args.parse(rawArgs, {}, {}); !err.empty())
        return refuse(err);
    if (args.positional().size() != 1)
        return refuse("corpus report takes one corpus folder");
    const std::string dir = args.positional()[0];
    ml::corpus::CorpusReader reader;
    // The report comes from the manifest; the shards are checked too, so a damaged corpus is
    // found here rather than when training starts.
    if (std::string err = reader.open(dir); !err.empty()) {
        std::cerr << "torchestra-cli corpus: " << err << "\n";
        return 1;
    }
    std::cout << ml::corpus::formatCorpusReport(ml::corpus::makeCorpusReport(reader.manifest()),
                                                reader.manifest(), dir);
    return 0;
}

} // namespace

int runCorpus(const std::vector<std::string>& args) {
    const std::string sub = args.empty() ? "" : args[0];
    const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    if (sub == "build")
        return runBuild(rest);
    if (sub == "report")
        return runReport(rest);
    // A wrong flag is named before the missing subcommand (as other commands check flags first).
    CliArgs parsed;
    if (std::string err = parsed.parse(args, kBuildValueFlags, {}); !err.empty())
        return refuse(err);
    return refuse("say build or report (got '" + sub + "')");
}

std::string readCorpusTrainingData(const CliArgs& args,
                                   const ml::RepresentationConfig& representation,
                                   ml::DatasetOptions& dataOptions, ml::Dataset& data) {
    const std::string dir = *args.value("corpus");
    if (!args.positional().empty())
        return "--corpus gives the training data; drop the files and folders (" +
               args.positional()[0] + " ...)";
    if (args.has("valid") || args.has("valid-fraction"))
        return "--corpus has its own validation split (corpus build --valid-permille)";
    std::string err;
    ml::corpus::CorpusTrainingOptions load;
    load.memoryBudgetBytes =
        std::size_t(args.doubleValue("data-memory-mb", 0.0, 0.01, 1e7, err) * 1e6);
    if (!err.empty())
        return err;
    // A rank of a data-parallel run streams only its share of the shards.
    ml::DistributedSettings settings;
    if (args.has("distributed") && ml::readDistributedSettings(settings).empty()) {
        load.rank = settings.rank;
        load.worldSize = settings.worldSize;
    }
    auto reader = std::make_shared<ml::corpus::CorpusReader>();
    if (err = reader->open(dir, &representation); !err.empty())
        return err;
    const std::vector<int>& tracks = reader->manifest().trackIndices;
    std::vector<int> asked = tracks;
    if (err = readTrackIndices(args, "tracks", asked); !err.empty())
        return err;
    if (asked != tracks)
        return "corpus " + dir + " was built from tracks " +
               (tracks.empty() ? std::string("all but drums") : ml::trackIndicesText(tracks)) +
               ", not the --tracks given; rebuild it with those tracks";
    dataOptions.selection.indices = tracks;
    ml::corpus::CorpusTrainingSummary summary;
    if (err = ml::corpus::loadCorpusTrainingData(reader, load, data, summary); !err.empty())
        return err;
    if (load.rank == 0)
        std::cerr << "data: " << summary.describe(dir) << "\n";
    if (!data.hasTrainingData())
        return "corpus " + dir + " has no training files";
    return {};
}

} // namespace torchestra::cli
