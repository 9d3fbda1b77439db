// `generate --model model.tcm|builtin:NAME [--prime in.mid --prime-bars 1-4] --bars 8
// [--temperature T] (default: the temperature the model chose on validation, else 1.0)
//  --seed 1 --variations 4 [--key C:major] [--regenerate 5-6] [--no-numbers] --out out.mid`
//
// The output file holds the primer (its original notes) and one track per variation, each
// continuing right after the primer, so a DAW or the workstation can solo them in turn.
// --regenerate rewrites bars of --prime in place instead: the primer is up to four bars before
// them, the bar after them is the model's `following` context (a GAN conditions on it), and the
// file holds the original around the gap plus one track per variation filling it.
// Before the last line ("wrote ..."), one "numbers:" line and one "take N:" line per variation
// give the numbers the Generate panel shows (ml/TakeAssessment.h): closeness to the training
// data, the model's NLL, verbatim copies. --no-numbers skips them (they read the training
// files again). The "variation N: K notes" and "wrote" lines are read by scripts: keep them.
// --candidates N --keep K samples N takes in one batch (the takes --variations N gives) and
// writes the best K, best first, as the variations (ml/CandidateRanking.h): one "ranking:" line
// says by what, then one "kept N:" line per take with its candidate number (its place among
// --variations N) and score.
#include "cli/Commands.h"
#include "cli/MidiInput.h"
#include "cli/MlCommon.h"
#include "midi/MidiFile.h"
#include "ml/BuiltinModels.h"
#include "ml/CandidateRanking.h"
#include "ml/Checkpoint.h"
#include "ml/Scales.h"
#include "ml/TakeAssessment.h"
#include "ml/neural/FastRunner.h"
#include "ml/neural/NeuralKinds.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

namespace torchestra::cli {

namespace {

// Parses "3" or "1-4" (one-based, inclusive) into zero-based [first, last].
bool parseBarRange(const std::string& s, int& first, int& last) {
    try {
        std::size_t used = 0;
        const auto dash = s.find('-');
        first = std::stoi(s.substr(0, dash), &used);
        last = dash == std::string::npos ? first : std::stoi(s.substr(dash + 1), &used);
    } catch (...) {
        return false;
    }
    if (first < 1 || last < first)
        return false;
    --first;
    --last;
    return true;
}

// The song's maps as seen from `from`, moved to start at tick 0.
model::TempoMap shiftedMap(const model::TempoMap& map, model::Tick from) {
    model::TempoMap out(map.ppq());
    out.setTempo(0, map.usPerQuarterAt(from));
    model::TimeSignature ts = map.timeSignatureAt(from);
    ts.tick = 0;
    out.setTimeSignature(ts);
    model::KeySignature ks = map.keySignatureAt(from);
    ks.tick = 0;
    if (!map.keySignatures().empty())
        out.setKeySignature(ks);
    for (const auto& t : map.tempos())
        if (t.tick > from)
            out.setTempo(t.tick - from, t.usPerQuarter);
    for (auto t : map.timeSignatures())
        if (t.tick > from) {
            t.tick -= from;
            out.setTimeSignature(t);
        }
    for (auto k : map.keySignatures())
        if (k.tick > from) {
            k.tick -= from;
            out.setKeySignature(k);
        }
    return out;
}

// What the flags ask for, checked.
struct GenerateSettings {
    ml::SampleRequest request;
    ml::TrackSelection primeTracks;
    int bars = 8;
    int threads = 2;
    int program = 0;
    int candidates = 0; // --candidates: 0 = write every variation
    int keep = 1;
    bool rankGiven = false;
    ml::RankBy rankBy = ml::RankBy::None;
};

// Most candidates one call samples: 256 x 8 bars is still well under a second.
constexpr int kMaxCandidates = 256;

std::string readCandidateFlags(const CliArgs& args, GenerateSettings& s) {
    std::string err;
    if (!args.has("candidates")) {
        if (args.has("keep") || args.has("rank-by"))
            return "--keep and --rank-by choose among --candidates N";
        return {};
    }
    if (args.has("variations"))
        return "--candidates N takes the place of --variations: give one of them";
    s.candidates = int(args.intValue("candidates", 0, 2, kMaxCandidates, err));
    s.keep = int(args.intValue("keep", 1, 1, kMaxCandidates, err));
    if (err.empty() && s.keep > s.candidates)
        err = "--keep " + std::to_string(s.keep) + " is more than the " +
              std::to_string(s.candidates) + " --candidates";
    if (auto by = args.value("rank-by"); by && err.empty()) {
        s.rankGiven = true;
        if (!ml::parseRankBy(*by, s.rankBy))
            err = "--rank-by must be following, likelihood or closeness (got '" + *by + "')";
        else if (s.rankBy == ml::RankBy::Following && !args.has("regenerate"))
            err = "--rank-by following ranks fillers of --regenerate BARS by the music after them";
    }
    s.request.variations = s.candidates;
    return err;
}

std::string readSampleFlags(const CliArgs& args, GenerateSettings& s) {
    std::string err;
    ml::SampleRequest& request = s.request;
    s.bars = int(args.intValue("bars", 8, 1, 512, err));
    request.temperature = args.doubleValue("temperature", 1.0, 0.01, 10.0, err);
    request.seed = std::uint64_t(args.intValue("seed", 1, 0, (1ll << 62), err));
    request.variations = int(args.intValue("variations", 1, 1, 64, err));
    request.topK = int(args.intValue("top-k", 0, 0, 128, err));
    request.topP = args.doubleValue("top-p", 1.0, 0.01, 1.0, err);
    request.noiseCarry = args.doubleValue("noise-carry", -1.0, 0.0, 1.0, err);
    if (err.empty())
        err = readRhythmOdds(args, request.rhythm);
    if (err.empty())
        err = readKeyOdds(args, request.outOfKeyOdds);
    request.harmonyProgressions = args.onOffValue("progressions", false, err);
    request.holdOdds = args.doubleValue("hold-odds", -1.0, 0.1, 1000.0, err);
    if (err.empty())
        err = readShortestNote(args, request.shortestNote);
    request.constraints.lowPitch = int(args.intValue("low", 0, 0, 127, err));
    request.constraints.highPitch = int(args.intValue("high", 127, 0, 127, err));
    request.constraints.maxPolyphony = int(args.intValue("max-poly", 0, 0, 128, err));
    request.constraints.minPolyphony = int(args.intValue("min-poly", 0, 0, 128, err));
    request.harmonyGuidance = args.doubleValue("harmony-guidance", -1.0, 0.0, 4.0, err);
    request.constraints.density = args.doubleValue("density", 1.0, 0.01, 100.0, err);
    s.threads = int(args.intValue("threads", 2, 1, 256, err));
    s.program = int(args.intValue("program", 0, 0, 127, err));
    return err;
}

std::string readGenerateFlags(const std::vector<std::string>& rawArgs, CliArgs& args,
                              GenerateSettings& s) {
    std::string err = args.parse(
        rawArgs,
        {"model",      "prime",        "prime-bars", "bars",     "temperature", "seed",
         "variations", "key",          "top-k",      "top-p",    "low",         "high",
         "max-poly",   "density",      "out",        "threads",  "program",     "prime-tracks",
         "regenerate", "candidates",   "keep",       "rank-by",  "noise-carry", "rhythm-odds",
         "key-odds",   "progressions", "hold-odds",  "min-note", "min-poly",    "harmony-guidance"},
        {"no-numbers"});
    if (err.empty())
        err = readSampleFlags(args, s);
    if (err.empty())
        err = readCandidateFlags(args, s);
    ml::KeyMask key;
    if (err.empty())
        err = ml::parseKey(args.value("key", ""), key);
    s.request.constraints.scaleMask = key.mask;
    if (err.empty() && (!args.has("model") || !args.has("out")))
        err = "--model MODEL and --out OUT.mid are required";
    if (err.empty() && !args.positional().empty())
        err = "unexpected argument '" + args.positional()[0] + "'";
    if (err.empty())
        err = readTrackIndices(args, "prime-tracks", s.primeTracks.indices);
    if (err.empty() && (args.has("prime-bars") || args.has("prime-tracks")) && !args.has("prime"))
        err = "--prime-bars and --prime-tracks need --prime FILE";
    if (err.empty() && args.has("regenerate") && (!args.has("prime") || args.has("prime-bars")))
        err = "--regenerate BARS rewrites bars of --prime FILE (and takes no --prime-bars)";
    return err;
}

// The primer: the chosen bars [from, to) of --prime, or an empty 4/4 song at 120 BPM.
struct Primer {
    model::Song song;
    model::Tick from = 0;
    model::Tick to = 0;
    // --regenerate: the bars rewritten are [to, gapEnd); the original notes kept in the file
    // run to contextEnd (the bar after the gap). 0 = continuing after the primer.
    model::Tick gapEnd = 0;
    model::Tick contextEnd = 0;
    // The music after the gap that ranks --candidates by `following`: up to kFollowingBars.
    model::Tick rankEnd = 0;
};

using ml::kFollowingBars;

std::string readPrimer(const CliArgs& args, Primer& primer) {
    model::TempoMap defaultMap(480);
    defaultMap.setTempo(0, 500000);
    defaultMap.setTimeSignature({0, 4, 4});
    primer.song.setTempoMap(defaultMap);
    const auto primePath = args.value("prime");
    if (!primePath)
        return {};
    midi::ReadResult r;
    if (std::string problem = readMidiInput(*primePath, r); !problem.empty())
        return problem;
    primer.song = std::move(r.song);
    const model::TempoMap& map = primer.song.tempoMap();
    const std::int64_t lastBar = map.barAtTick(std::max<model::Tick>(0, primer.song.endTick() - 1));
    int first = 0, last = int(lastBar);
    if (auto range = args.value("prime-bars")) {
        if (!parseBarRange(*range, first, last) || first > lastBar)
            return "--prime-bars '" + *range + "' is not a bar range within 1-" +
                   std::to_string(lastBar + 1) + " of " + *primePath;
    }
    primer.from = map.barToTick(first);
    primer.to = map.barToTick(last + 1);
    if (auto range = args.value("regenerate")) {
        if (!parseBarRange(*range, first, last) || last > lastBar)
            return "--regenerate '" + *range + "' is not a bar range within 1-" +
                   std::to_string(lastBar + 1) + " of " + *primePath;
        primer.from = map.barToTick(std::max(0, first - 4));
        primer.to = map.barToTick(first);
        primer.gapEnd = map.barToTick(last + 1);
        primer.contextEnd = map.barToTick(std::min<std::int64_t>(last + 2, lastBar + 1));
        primer.rankEnd =
            map.barToTick(std::min<std::int64_t>(last + 1 + kFollowingBars, lastBar + 1));
    }
    return {};
}

// The primer's chosen notes (and with --regenerate, the bar after the gap), moved to start at
// tick 0 on channel 1.
std::vector<model::Note> primerNotes(const Primer& primer, const ml::TrackSelection& tracks) {
    std::vector<model::Note> notes;
    const model::Tick from = primer.from;
    const model::Tick to = primer.gapEnd > 0 ? primer.contextEnd : primer.to;
    for (std::size_t ti = 0; ti < primer.song.trackCount(); ++ti) {
        const bool chosen = tracks.all() || std::find(tracks.indices.begin(), tracks.indices.end(),
                                                      int(ti)) != tracks.indices.end();
        if (!chosen)
            continue;
        primer.song.trackAt(ti).forEachNoteInRange(from, to, [&](const model::Note& n) {
            if ((tracks.all() && n.channel == model::kDrumChannel) || n.start < from)
                return;
            if (primer.gapEnd > 0 && n.start >= primer.to && n.start < primer.gapEnd)
                return; // the bars being rewritten
            model::Note c = n;
            c.id = model::kNoNote;
            c.start -= from;
            c.length = std::min(n.end(), to) - n.start;
            c.channel = 0;
            notes.push_back(c);
        });
    }
    return notes;
}

// The written file: the primer on track 1, each variation on a track of its own channel.
model::Song outputSong(const Primer& primer, const GenerateSettings& s,
                       const std::vector<ml::FrameSequence>& variations,
                       const ml::RepresentationConfig& rep, model::Tick stepTicks) {
    model::Song out;
    out.setTempoMap(shiftedMap(primer.song.tempoMap(), primer.from));
    model::Track primerTrack;
    primerTrack.properties.name =
        primer.gapEnd > 0 ? "Original around the rewritten bars" : "Primer";
    primerTrack.properties.program = std::uint8_t(s.program);
    out.addNotes(out.addTrack(primerTrack), primerNotes(primer, s.primeTracks));
    for (std::size_t v = 0; v < variations.size(); ++v) {
        model::Track t;
        t.properties.name = "Variation " + std::to_string(v + 1);
        int channel = int(v % 15) + 1;
        if (channel >= model::kDrumChannel)
            ++channel; // leave the drum channel to drums
        t.properties.channel = std::uint8_t(channel);
        t.properties.program = std::uint8_t(s.program);
        const model::TrackId id = out.addTrack(t);
        out.addNotes(id, ml::sequenceToNotes(variations[v], rep, primer.to - primer.from, stepTicks,
                                             std::uint8_t(channel)));
        std::cout << "variation " << v + 1 << ": " << out.track(id)->noteCount() << " notes\n";
    }
    return out;
}

// The numbers of each take (variations written after `primer`, the first in bar `firstBar` of
// the output file, 1-based), one line each after a line on what they were judged against.
void printNumbers(const ml::LoadedCheckpoint& loaded, const ml::TrainingReference& reference,
                  const ml::FrameSequence& primer, const std::vector<ml::FrameSequence>& takes,
                  int firstBar) {
    const std::vector<ml::TakeAssessment> numbers =
        ml::assessTakes(takes, primer, loaded.model.get(), &reference, &interruptFlag());
    if (numbers.empty())
        return;
    const ml::TakeAssessment& first = numbers.front();
    std::cout << "numbers: ";
    if (first.closeness >= 0)
        std::cout << "closeness against " << first.referenceWindows << " windows of "
                  << first.windowBars << " bars from " << reference.filesListed << " training files"
                  << (reference.note().empty() ? "" : "; ") << reference.note() << "\n";
    else
        std::cout << first.referenceNote << "\n";
    for (std::size_t v = 0; v < numbers.size(); ++v) {
        const ml::TakeAssessment& a = numbers[v];
        std::cout << "take " << v + 1 << ": closeness "
                  << (a.closeness >= 0 ? fixed(a.closeness, 3) : "unavailable") << ", nll "
                  << (a.hasNll ? fixed(a.nll, 4) + " nats/step" : "none (no likelihood)");
        if (!a.copyChecked)
            std::cout << ", copies unchecked\n";
        else if (a.copies())
            std::cout << ", copies bars " << firstBar + a.copyFirstBar << "-"
                      << firstBar + a.copyLastBar << " of the training data (" << a.copiedWindows
                      << " of " << a.takeWindows << " " << a.copyBars << "-bar windows)\n";
        else
            std::cout << ", no verbatim copy\n";
    }
}

int refuse(const std::string& why) {
    std::cerr << "torchestra-cli generate: " << why << "\n";
    return 2;
}

// The music the model learned from, read again from the files its checkpoint names (slow).
std::shared_ptr<const ml::TrainingReference> readReference(const ml::LoadedCheckpoint& loaded,
                                                           const std::string& modelPath) {
    const std::string modelDir = std::filesystem::path(modelPath).parent_path().string();
    return std::make_shared<const ml::TrainingReference>(
        ml::loadTrainingReference(loaded.metadata, loaded.model->representation(), {}, modelDir));
}

// How --candidates are ranked, settled before sampling so that a ranking that cannot work is
// refused before the wait.
struct RankingPlan {
    ml::RankBy by = ml::RankBy::None;
    ml::RankingContext context;
    std::shared_ptr<const ml::TrainingReference> reference; // read when closeness may rank
    std::string why;                                        // how the default was chosen
};

// Why the default ranking is what it is, for the "ranking:" line.
std::string defaultReason(const ml::SequenceModel& model, ml::RankBy by, bool regenerating,
                          const ml::TrainingReference* reference) {
    const std::string kind = ml::toString(model.config().kind);
    switch (by) {
    case ml::RankBy::Following:
        return "the default with music after the gap";
    case ml::RankBy::Likelihood:
        return regenerating ? "the default: no music after the gap" : "the default";
    case ml::RankBy::Closeness:
        return "the default for a " + kind + " model, which has no likelihood";
    case ml::RankBy::None:
        break;
    }
    return "this " + kind + " model has no likelihood, and " +
           (reference ? reference->note() : std::string("no training music"));
}

std::string planRanking(const ml::LoadedCheckpoint& loaded, const std::string& modelPath,
                        const GenerateSettings& s, const Primer& primer, RankingPlan& plan) {
    const ml::SequenceModel& model = *loaded.model;
    plan.context.primer = s.request.primer;
    if (primer.gapEnd > 0)
        plan.context.following = ml::songToSequence(primer.song, model.representation(),
                                                    s.primeTracks, primer.gapEnd, primer.rankEnd);
    const bool hasFollowing = plan.context.following.steps > 0;
    if (s.rankGiven ? s.rankBy == ml::RankBy::Closeness : !model.hasLikelihood()) {
        plan.reference = readReference(loaded, modelPath);
        plan.context.reference = plan.reference.get();
    }
    if (s.rankGiven) {
        plan.by = s.rankBy;
        return ml::rankByUnavailable(plan.by, model, hasFollowing, plan.context.reference);
    }
    plan.by = ml::defaultRankBy(model, hasFollowing, plan.reference && plan.reference->usable());
    plan.why = defaultReason(model, plan.by, primer.gapEnd > 0, plan.reference.get());
    return {};
}

// Ranks the candidates and keeps the best, printing the "ranking:" and "kept N:" lines; empty
// when cancelled.
std::vector<ml::FrameSequence> keepBest(const ml::SequenceModel& model, const GenerateSettings& s,
                                        const RankingPlan& plan,
                                        const std::vector<ml::FrameSequence>& candidates) {
    const auto t0 = std::chrono::steady_clock::now();
    const ml::Ranking ranking =
        ml::rankCandidates(model, plan.by, candidates, plan.context, s.keep, &interruptFlag());
    if (ranking.kept.empty())
        return {};
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const bool none = plan.by == ml::RankBy::None;
    std::cout << "ranking: " << (none ? "none" : ml::toString(plan.by))
              << (plan.why.empty() ? "" : " (" + plan.why + ")") << ": kept " << s.keep << " of "
              << candidates.size() << " candidates; " << ml::scoreMeaning(plan.by);
    if (!none)
        std::cout << "; ranked in " << int(ms) << " ms";
    std::cout << "\n";
    std::vector<ml::FrameSequence> kept;
    for (std::size_t k = 0; k < ranking.kept.size(); ++k) {
        const std::size_t i = ranking.kept[k];
        std::cout << "kept " << k + 1 << ": candidate " << i + 1;
        if (!none)
            std::cout << ", score "
                      << fixed(ranking.scores[i], plan.by == ml::RankBy::Closeness ? 3 : 4);
        std::cout << "\n";
        kept.push_back(candidates[i]);
    }
    return kept;
}

// The primer, the following bar and the future's metre into s.request; "" or why not.
std::string buildRequest(const CliArgs& args, const ml::RepresentationConfig& rep,
                         GenerateSettings& s, Primer& primer, model::Tick& stepTicks) {
    if (std::string err = readPrimer(args, primer); !err.empty())
        return err;
    stepTicks = ml::ticksPerStep(primer.song, rep);
    if (stepTicks <= 0)
        return "the primer's resolution (" + std::to_string(primer.song.ppq()) +
               " ticks per quarter) does not divide into " + std::to_string(rep.stepsPerBeat) +
               " steps a beat";
    ml::SampleRequest& request = s.request;
    request.primer = ml::songToSequence(primer.song, rep, s.primeTracks, primer.from, primer.to);
    const model::TempoMap& map = primer.song.tempoMap();
    if (primer.gapEnd > 0) {
        s.bars = int(map.barAtTick(primer.gapEnd) - map.barAtTick(primer.to));
        request.following =
            ml::songToSequence(primer.song, rep, s.primeTracks, primer.gapEnd, primer.contextEnd);
    }
    const model::Tick end = map.barToTick(map.barAtTick(primer.to) + s.bars);
    request.future.resize(int((end - primer.to) / stepTicks), rep.pitches(), rep.onsets);
    ml::fillMetre(map, rep, primer.to, stepTicks, request.future);
    return {};
}

} // namespace

int runGenerate(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    GenerateSettings s;
    if (std::string err = readGenerateFlags(rawArgs, args, s); !err.empty())
        return refuse(err);
    ml::LoadedCheckpoint loaded = ml::loadModelReference(*args.value("model"));
    if (!loaded.model)
        return refuse(loaded.error);
    std::string unused; // it resolved: the model loaded
    const std::string modelPath = ml::resolveModelReference(*args.value("model"), unused);
    const ml::RepresentationConfig& rep = loaded.model->representation();
    Primer primer;
    model::Tick stepTicks = 0;
    if (std::string err = buildRequest(args, rep, s, primer, stepTicks); !err.empty())
        return refuse(err);
    useModelSampling(args, loaded.metadata, s.request, "sampling");
    RankingPlan plan;
    if (s.candidates > 0)
        if (std::string err = planRanking(loaded, modelPath, s, primer, plan); !err.empty())
            return refuse(err);

    ml::setComputeThreads(s.threads);
    ml::neural::setFastInferenceThreads(s.threads);
    installInterruptHandler();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<ml::FrameSequence> variations = loaded.model->sample(s.request, &interruptFlag());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!variations.empty() && s.candidates > 0)
        variations = keepBest(*loaded.model, s, plan, variations);
    if (variations.empty()) {
        std::cerr << "torchestra-cli generate: cancelled; nothing written\n";
        return 1;
    }
    const model::Song out = outputSong(primer, s, variations, rep, stepTicks);
    const std::string outPath = *args.value("out");
    if (std::string werr = midi::writeMidiFile(outPath, out); !werr.empty()) {
        std::cerr << "torchestra-cli generate: " << werr << "\n";
        return 1;
    }
    const model::TempoMap& map = primer.song.tempoMap();
    const int primerBars = int(map.barAtTick(primer.to) - map.barAtTick(primer.from));
    if (!args.has("no-numbers"))
        printNumbers(loaded, plan.reference ? *plan.reference : *readReference(loaded, modelPath),
                     s.request.primer, variations, primerBars + 1);
    std::cout << "wrote " << outPath << ": " << s.bars
              << (primer.gapEnd > 0 ? " bars rewritten after " : " bars after ") << primerBars
              << " primer bars, " << variations.size() << " variations in " << int(ms) << " ms\n";
    return 0;
}

} // namespace torchestra::cli
