// `eval-infill --model M FILES... [--judge M2] [--gap 5-6] [--after 4] [--candidates 64]
// [--seed 1]`: how well a rewritten bar range fits both of its sides. In each file the bars of
// --gap are written anew from the bars before them (up to four, as `generate --regenerate` primes),
// and each way of choosing the filler is judged against the music that really was there:
//   left-only       the first of the candidates: what Generate writes without ranking
//   own likelihood  the best of --candidates by its NLL given the bars before (left side only)
//   infill          the best of --candidates by the NLL of the --after bars that follow the gap
//                   with it in place (ml/CandidateRanking.h; both sides)
//   original        the bars that were there
// Figures: the NLL of the bars after the gap with each filler in place (nats per step; by
// construction the infill choice does best under the model that chose it, so --judge MODEL
// scores them with another model as well: one that did not choose); the
// tonal distance of each filler to the original bars; the music metrics of the fillers against
// the original bars' (the mean overlap of ml/ContinuationMetrics.h). All candidates of a file
// come from one sampling call with the file's seed, so the three choices see the same takes.
// Models with a likelihood only: the GAN conditions on the bar after the gap itself.
#include "cli/Commands.h"
#include "cli/MlCommon.h"
#include "ml/BuiltinModels.h"
#include "ml/CandidateRanking.h"
#include "ml/ContinuationMetrics.h"
#include "ml/ModelRegistry.h"
#include "ml/neural/NeuralKinds.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace torchestra::cli {

namespace {

constexpr int kPrimerBars = 4; // as generate --regenerate
constexpr const char* kChoiceNames[] = {"left-only", "own likelihood", "infill", "original"};
constexpr int kChoices = 4;

struct Gap {
    ml::FrameSequence primer, original, following;
};

// The gap of bars [first, last] (0-based) of `piece` with what comes before and after, or false
// when the piece is too short for the gap and one bar after it.
bool cutGap(const ml::FrameSequence& piece, int first, int last, int after, Gap& out) {
    const auto bars = ml::barRanges(piece, 16);
    if (int(bars.size()) <= last + 1)
        return false;
    const int lastAfter = std::min(int(bars.size()) - 1, last + after);
    const int primerStart = bars[std::size_t(std::max(0, first - kPrimerBars))].first;
    const int gapStart = bars[std::size_t(first)].first;
    const int gapEnd = bars[std::size_t(last)].second;
    out.primer = piece.slice(primerStart, gapStart - primerStart);
    out.original = piece.slice(gapStart, gapEnd - gapStart);
    out.following = piece.slice(gapEnd, bars[std::size_t(lastAfter)].second - gapEnd);
    return true;
}

// The metre of `seq` with nothing sounding: the steps to fill.
ml::FrameSequence emptied(const ml::FrameSequence& seq) {
    ml::FrameSequence out = seq;
    std::fill(out.sounding.begin(), out.sounding.end(), 0);
    std::fill(out.onset.begin(), out.onset.end(), 0);
    std::fill(out.velocityBin.begin(), out.velocityBin.end(), ml::kNoVelocity);
    return out;
}

struct Tally {
    double nll[kChoices] = {};
    double judged[kChoices] = {}; // under --judge
    double tonal[kChoices] = {};
    std::vector<ml::FrameSequence> fillers[kChoices];
    int songs = 0;
    int infillBetter = 0;           // infill's NLL below left-only's
    std::vector<double> difference; // infill - left-only NLL, per song
};

// One song's gap: its candidates sampled, the three choices made and every filler judged into
// `t`, with a line for the song. False when interrupted.
bool judgeSong(const ml::SequenceModel& model, const ml::SequenceModel* judge, const Gap& gap,
               ml::SampleRequest request, const std::string& source, Tally& t) {
    request.primer = gap.primer;
    request.future = emptied(gap.original);
    request.following = gap.following;
    const std::vector<ml::FrameSequence> takes = model.sample(request, &interruptFlag());
    if (interruptFlag().load())
        return false;
    ml::RankingContext context;
    context.primer = gap.primer;
    context.following = gap.following;
    const std::size_t own =
        ml::rankCandidates(model, ml::RankBy::Likelihood, takes, context, 1).kept.at(0);
    const std::size_t infill =
        ml::rankCandidates(model, ml::RankBy::Following, takes, context, 1).kept.at(0);
    const std::vector<ml::FrameSequence> chosen = {takes[0], takes[own], takes[infill],
                                                   gap.original};
    const ml::Ranking scored =
        ml::rankCandidates(model, ml::RankBy::Following, chosen, context, kChoices);
    const ml::Ranking judged =
        judge ? ml::rankCandidates(*judge, ml::RankBy::Following, chosen, context, kChoices)
              : ml::Ranking{};
    std::cout << source << ":";
    for (int c = 0; c < kChoices; ++c) {
        t.nll[c] += scored.scores[std::size_t(c)];
        if (judge)
            t.judged[c] += judged.scores[std::size_t(c)];
        t.tonal[c] +=
            ml::tonalDistance(chosen[std::size_t(c)], gap.original, model.representation());
        t.fillers[c].push_back(chosen[std::size_t(c)]);
        std::cout << " " << kChoiceNames[c] << " " << fixed(scored.scores[std::size_t(c)], 3);
    }
    std::cout << "\n";
    t.difference.push_back(scored.scores[2] - scored.scores[0]);
    t.infillBetter += scored.scores[2] < scored.scores[0] ? 1 : 0;
    ++t.songs;
    return true;
}

int usage(const std::string& why) {
    std::cerr << "torchestra-cli eval-infill: " << why << "\n";
    return 2;
}

void printSummary(const Tally& t, const ml::RepresentationConfig& rep, bool judged) {
    std::cout << "\n                 following NLL   " << (judged ? "judge's NLL   " : "")
              << "tonal distance   closeness to the original bars' music\n";
    for (int c = 0; c < kChoices; ++c) {
        const double closeness =
            c == 3 ? 1.0 : ml::meanOverlap(ml::compareSets(t.fillers[3], t.fillers[c], rep));
        std::cout << "  " << kChoiceNames[c] << std::string(15 - std::strlen(kChoiceNames[c]), ' ')
                  << fixed(t.nll[c] / t.songs, 3) << "          "
                  << (judged ? fixed(t.judged[c] / t.songs, 3) + "         " : std::string())
                  << (c == 3 ? std::string("0    ") : fixed(t.tonal[c] / t.songs, 3))
                  << "            " << fixed(closeness, 3) << "\n";
    }
    double mean = 0, var = 0;
    for (double d : t.difference)
        mean += d / double(t.difference.size());
    for (double d : t.difference)
        var += (d - mean) * (d - mean) / std::max<double>(1, double(t.difference.size()) - 1);
    std::cout << "infill against left-only: the bars after the gap likelier in " << t.infillBetter
              << " of " << t.songs << " songs, by " << fixed(-mean, 3) << " nats/step (standard "
              << "error " << fixed(std::sqrt(var / double(t.difference.size())), 3) << ")\n";
}

} // namespace

int runEvalInfill(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    std::string err = args.parse(rawArgs,
                                 {"model", "judge", "gap", "after", "candidates", "seed", "threads",
                                  "temperature", "max-songs"},
                                 {});
    const int after = int(args.intValue("after", 4, 1, 16, err));
    const int candidates = int(args.intValue("candidates", 64, 2, 1024, err));
    const auto seed = std::uint64_t(args.intValue("seed", 1, 0, 1LL << 53, err));
    const int threads = int(args.intValue("threads", 2, 1, 256, err));
    const int maxSongs = int(args.intValue("max-songs", 1000000, 1, 1000000, err));
    int first = 4, last = 5; // bars 5-6
    if (auto gap = args.value("gap"); gap && err.empty()) {
        if (std::sscanf(gap->c_str(), "%d-%d", &first, &last) != 2 || first < 2 || last < first)
            err = "--gap must be a bar range A-B after bar 1 (got '" + *gap + "')";
        --first;
        --last;
    }
    if (err.empty() && !args.has("model"))
        err = "--model MODEL is required";
    if (err.empty() && args.positional().empty())
        err = "give MIDI files or folders of held-out songs";
    if (!err.empty())
        return usage(err);
    ml::LoadedCheckpoint loaded = ml::loadModelReference(*args.value("model"));
    if (!loaded.model)
        return usage(loaded.error);
    const ml::SequenceModel& model = *loaded.model;
    if (!model.hasLikelihood())
        return usage(ml::describeModel(model.config()) +
                     " has no likelihood to rank or score fillers with");
    ml::LoadedCheckpoint judge;
    if (auto path = args.value("judge")) {
        judge = ml::loadModelReference(*path);
        if (!judge.model)
            return usage(judge.error);
        if (!judge.model->hasLikelihood() ||
            judge.model->representation() != model.representation())
            return usage("--judge needs a model with a likelihood on the same grid as --model");
    }
    ml::setComputeThreads(threads);
    installInterruptHandler();
    ml::DatasetOptions options;
    options.validFraction = 0;
    ml::Dataset data = ml::loadMidiDataset(args.positional(), model.representation(), options);
    reportRefused(data);
    ml::SampleRequest request;
    request.variations = candidates;
    if (auto t = args.value("temperature"))
        request.temperature = std::stod(*t);
    useModelSampling(args, loaded.metadata, request, "fillers");
    std::cout << "eval-infill: bars " << first + 1 << "-" << last + 1 << " rewritten from up to "
              << kPrimerBars << " bars before, judged by the " << after << " bars after; "
              << candidates << " candidates a song, seed " << seed << "\n";
    Tally t;
    for (std::size_t i = 0; i < data.train.size() && t.songs < maxSongs; ++i) {
        Gap gap;
        if (!cutGap(data.train[i], first, last, after, gap))
            continue;
        request.seed = seed + i;
        if (!judgeSong(model, judge.model.get(), gap, request, data.train[i].source, t))
            return 1;
    }
    if (t.songs == 0)
        return usage("no song has the gap's bars and one bar after them");
    printSummary(t, model.representation(), judge.model != nullptr);
    return 0;
}

} // namespace torchestra::cli
