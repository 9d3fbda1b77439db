// `generate --model model.tcm [--prime in.mid --prime-bars 1-4] --bars 8 --temperature 1.0
//  --seed 1 --variations 4 [--key C:major] --out out.mid`
//
// The output file holds the primer (its original notes) and one track per variation, each
// continuing right after the primer, so a DAW or the workstation can solo them in turn.
#include "cli/Commands.h"
#include "cli/MlCommon.h"
#include "midi/MidiFile.h"
#include "ml/Checkpoint.h"
#include "ml/Scales.h"
#include "ml/neural/NeuralKinds.h"

#include <algorithm>
#include <chrono>
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

} // namespace

int runGenerate(const std::vector<std::string>& rawArgs) {
    CliArgs args;
    std::string err = args.parse(rawArgs,
                                 {"model", "prime", "prime-bars", "bars", "temperature", "seed",
                                  "variations", "key", "top-k", "top-p", "low", "high", "max-poly",
                                  "density", "out", "threads", "program", "prime-tracks"},
                                 {});
    ml::SampleRequest request;
    int bars = 0, threads = 2, program = 0;
    if (err.empty()) {
        bars = int(args.intValue("bars", 8, 1, 512, err));
        request.temperature = args.doubleValue("temperature", 1.0, 0.01, 10.0, err);
        request.seed = std::uint64_t(args.intValue("seed", 1, 0, (1ll << 62), err));
        request.variations = int(args.intValue("variations", 1, 1, 64, err));
        request.topK = int(args.intValue("top-k", 0, 0, 128, err));
        request.topP = args.doubleValue("top-p", 1.0, 0.01, 1.0, err);
        request.constraints.lowPitch = int(args.intValue("low", 0, 0, 127, err));
        request.constraints.highPitch = int(args.intValue("high", 127, 0, 127, err));
        request.constraints.maxPolyphony = int(args.intValue("max-poly", 0, 0, 128, err));
        request.constraints.density = args.doubleValue("density", 1.0, 0.01, 100.0, err);
        threads = int(args.intValue("threads", 2, 1, 256, err));
        program = int(args.intValue("program", 0, 0, 127, err));
    }
    ml::KeyMask key;
    if (err.empty())
        err = ml::parseKey(args.value("key", ""), key);
    request.constraints.scaleMask = key.mask;
    if (err.empty() && (!args.has("model") || !args.has("out")))
        err = "--model MODEL and --out OUT.mid are required";
    if (err.empty() && !args.positional().empty())
        err = "unexpected argument '" + args.positional()[0] + "'";
    ml::TrackSelection primeTracks;
    if (err.empty())
        err = readTrackIndices(args, "prime-tracks", primeTracks.indices);
    if (err.empty() && (args.has("prime-bars") || args.has("prime-tracks")) && !args.has("prime"))
        err = "--prime-bars and --prime-tracks need --prime FILE";
    if (!err.empty()) {
        std::cerr << "torchestra-cli generate: " << err << "\n";
        return 2;
    }

    ml::LoadedCheckpoint loaded = ml::loadCheckpoint(*args.value("model"));
    if (!loaded.model) {
        std::cerr << "torchestra-cli generate: " << loaded.error << "\n";
        return 2;
    }
    const ml::RepresentationConfig& rep = loaded.model->representation();

    // The primer: bars of a song, or nothing.
    model::Song source;
    model::TempoMap defaultMap(480);
    defaultMap.setTempo(0, 500000);
    defaultMap.setTimeSignature({0, 4, 4});
    source.setTempoMap(defaultMap);
    model::Tick from = 0, to = 0;
    if (auto primePath = args.value("prime")) {
        midi::ReadResult r = midi::readMidiFile(*primePath);
        if (!r.ok) {
            std::cerr << "torchestra-cli generate: " << *primePath << ": " << r.error << "\n";
            return 2;
        }
        source = std::move(r.song);
        const model::TempoMap& map = source.tempoMap();
        const std::int64_t lastBar = map.barAtTick(std::max<model::Tick>(0, source.endTick() - 1));
        int first = 0, last = int(lastBar);
        if (auto range = args.value("prime-bars")) {
            if (!parseBarRange(*range, first, last) || first > lastBar) {
                std::cerr << "torchestra-cli generate: --prime-bars '" << *range
                          << "' is not a bar range within 1-" << lastBar + 1 << " of " << *primePath
                          << "\n";
                return 2;
            }
        }
        from = map.barToTick(first);
        to = map.barToTick(last + 1);
    }
    const model::Tick stepTicks = ml::ticksPerStep(source, rep);
    if (stepTicks <= 0) {
        std::cerr << "torchestra-cli generate: the primer's resolution (" << source.ppq()
                  << " ticks per quarter) does not divide into " << rep.stepsPerBeat
                  << " steps a beat\n";
        return 2;
    }
    request.primer = ml::songToSequence(source, rep, primeTracks, from, to);
    const model::TempoMap& map = source.tempoMap();
    const model::Tick end = map.barToTick(map.barAtTick(to) + bars);
    request.future.resize(int((end - to) / stepTicks), rep.pitches(), rep.onsets);
    ml::fillMetre(map, rep, to, stepTicks, request.future);

    ml::setComputeThreads(threads);
    installInterruptHandler();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<ml::FrameSequence> variations = loaded.model->sample(request, &interruptFlag());
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (variations.empty()) {
        std::cerr << "torchestra-cli generate: cancelled; nothing written\n";
        return 1;
    }

    model::Song out;
    out.setTempoMap(shiftedMap(map, from));
    model::Track primerTrack;
    primerTrack.properties.name = "Primer";
    primerTrack.properties.program = std::uint8_t(program);
    const model::TrackId primerId = out.addTrack(primerTrack);
    std::vector<model::Note> primerNotes;
    for (std::size_t ti = 0; ti < source.trackCount(); ++ti) {
        const bool chosen =
            primeTracks.all() || std::find(primeTracks.indices.begin(), primeTracks.indices.end(),
                                           int(ti)) != primeTracks.indices.end();
        if (!chosen)
            continue;
        source.trackAt(ti).forEachNoteInRange(from, to, [&](const model::Note& n) {
            if ((primeTracks.all() && n.channel == model::kDrumChannel) || n.start < from)
                return;
            model::Note c = n;
            c.id = model::kNoNote;
            c.start -= from;
            c.length = std::min(n.end(), to) - n.start;
            c.channel = 0;
            primerNotes.push_back(c);
        });
    }
    out.addNotes(primerId, primerNotes);
    for (std::size_t v = 0; v < variations.size(); ++v) {
        model::Track t;
        t.properties.name = "Variation " + std::to_string(v + 1);
        int channel = int(v % 15) + 1;
        if (channel >= 9)
            ++channel; // leave channel 10 (index 9) to drums
        t.properties.channel = std::uint8_t(channel);
        t.properties.program = std::uint8_t(program);
        const model::TrackId id = out.addTrack(t);
        out.addNotes(id, ml::sequenceToNotes(variations[v], rep, to - from, stepTicks,
                                             std::uint8_t(channel)));
        std::cout << "variation " << v + 1 << ": " << out.track(id)->noteCount() << " notes\n";
    }
    const std::string outPath = *args.value("out");
    if (std::string werr = midi::writeMidiFile(outPath, out); !werr.empty()) {
        std::cerr << "torchestra-cli generate: " << werr << "\n";
        return 1;
    }
    std::cout << "wrote " << outPath << ": " << bars << " bars after "
              << map.barAtTick(to) - map.barAtTick(from) << " primer bars, " << variations.size()
              << " variations in " << int(ms) << " ms\n";
    return 0;
}

} // namespace torchestra::cli
