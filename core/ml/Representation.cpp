#include "ml/Representation.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace torchestra::ml {

using model::Note;
using model::Tick;

std::string RepresentationConfig::toJson() const {
    QJsonObject o;
    o["stepsPerBeat"] = stepsPerBeat;
    o["lowPitch"] = lowPitch;
    o["highPitch"] = highPitch;
    o["onsets"] = onsets;
    o["velocity"] = velocity;
    o["velocityBins"] = velocityBins;
    o["maxBeatsPerBar"] = maxBeatsPerBar;
    if (lookback)
        o["lookback"] = true; // absent in older checkpoints: false
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString();
}

std::string RepresentationConfig::fromJson(const std::string& json, RepresentationConfig& out) {
    QJsonParseError err{};
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(json), &err);
    if (!doc.isObject())
        return "representation: not a JSON object (" + err.errorString().toStdString() + ")";
    QJsonObject o = doc.object();
    RepresentationConfig c;
    c.stepsPerBeat = o["stepsPerBeat"].toInt(-1);
    c.lowPitch = o["lowPitch"].toInt(-1);
    c.highPitch = o["highPitch"].toInt(-1);
    c.onsets = o["onsets"].toBool(true);
    c.velocity = o["velocity"].toBool(true);
    c.velocityBins = o["velocityBins"].toInt(-1);
    c.maxBeatsPerBar = o["maxBeatsPerBar"].toInt(-1);
    c.lookback = o["lookback"].toBool(false);
    if (c.stepsPerBeat < 1 || c.stepsPerBeat > 96 || c.lowPitch < 0 || c.highPitch > 127 ||
        c.lowPitch > c.highPitch || c.velocityBins < 1 || c.velocityBins > 127 ||
        c.maxBeatsPerBar < 1 || c.maxBeatsPerBar > 64)
        return "representation: values out of range";
    out = c;
    return {};
}

void FrameSequence::resize(int newSteps, int newPitches, bool withOnsets) {
    steps = newSteps;
    pitches = newPitches;
    const std::size_t cells = std::size_t(newSteps) * std::size_t(newPitches);
    sounding.assign(cells, 0);
    onset.assign(withOnsets ? cells : 0, 0);
    velocityBin.assign(std::size_t(newSteps), kNoVelocity);
    stepInBeat.assign(std::size_t(newSteps), kUnknownMetre);
    beatInBar.assign(std::size_t(newSteps), kUnknownMetre);
}

FrameSequence FrameSequence::slice(int from, int count) const {
    FrameSequence s;
    from = std::clamp(from, 0, steps);
    count = std::clamp(count, 0, steps - from);
    s.resize(count, pitches, !onset.empty());
    s.source = source;
    const std::size_t a = std::size_t(from) * pitches, n = std::size_t(count) * pitches;
    std::copy_n(sounding.begin() + std::ptrdiff_t(a), n, s.sounding.begin());
    if (!onset.empty())
        std::copy_n(onset.begin() + std::ptrdiff_t(a), n, s.onset.begin());
    std::copy_n(velocityBin.begin() + from, count, s.velocityBin.begin());
    std::copy_n(stepInBeat.begin() + from, count, s.stepInBeat.begin());
    std::copy_n(beatInBar.begin() + from, count, s.beatInBar.begin());
    return s;
}

FrameSequence FrameSequence::transposed(int semitones) const {
    FrameSequence s = *this;
    if (semitones == 0)
        return s;
    std::fill(s.sounding.begin(), s.sounding.end(), 0);
    std::fill(s.onset.begin(), s.onset.end(), 0);
    for (int t = 0; t < steps; ++t) {
        for (int p = 0; p < pitches; ++p) {
            const int q = p + semitones;
            if (q < 0 || q >= pitches)
                continue;
            const std::size_t from = std::size_t(t) * pitches + p,
                              to = std::size_t(t) * pitches + q;
            s.sounding[to] = sounding[from];
            if (!onset.empty())
                s.onset[to] = onset[from];
        }
    }
    return s;
}

int FrameSequence::notesAt(int t) const {
    int n = 0;
    for (int p = 0; p < pitches; ++p)
        n += sounds(t, p);
    return n;
}

bool FrameSequence::startsAny(int t) const {
    for (int p = 0; p < pitches; ++p)
        if (beginsNote(t, p))
            return true;
    return false;
}

std::uint8_t velocityToBin(int velocity, int bins) {
    velocity = std::clamp(velocity, 1, 127);
    return std::uint8_t(std::min(bins - 1, (velocity - 1) * bins / 127));
}

int binToVelocity(std::uint8_t bin, int bins) {
    if (bin == kNoVelocity || bins <= 0)
        return 80;
    return std::clamp(1 + int(std::floor((bin + 0.5) * 127.0 / bins)), 1, 127);
}

Tick ticksPerStep(const model::Song& song, const RepresentationConfig& config) {
    if (config.stepsPerBeat <= 0 || song.ppq() % config.stepsPerBeat != 0)
        return 0;
    return song.ppq() / config.stepsPerBeat;
}

void fillMetre(const model::TempoMap& map, const RepresentationConfig& config, Tick startTick,
               Tick stepTicks, FrameSequence& seq) {
    for (int t = 0; t < seq.steps; ++t) {
        const model::BarBeatTick pos = map.tickToBarBeatTick(startTick + Tick(t) * stepTicks);
        seq.stepInBeat[std::size_t(t)] = std::uint8_t((pos.tick / stepTicks) % config.stepsPerBeat);
        seq.beatInBar[std::size_t(t)] = std::uint8_t(pos.beat % config.maxBeatsPerBar);
    }
}

FrameSequence songToSequence(const model::Song& song, const RepresentationConfig& config,
                             const TrackSelection& selection, Tick fromTick, Tick toTick) {
    FrameSequence seq;
    const Tick stepTicks = ticksPerStep(song, config);
    if (stepTicks <= 0)
        return seq;
    const model::TempoMap& map = song.tempoMap();
    if (toTick < 0) {
        // To the end of the last bar that has anything in it.
        const Tick end = song.endTick();
        const model::BarBeatTick pos = map.tickToBarBeatTick(end);
        toTick = (pos.beat == 0 && pos.tick == 0) ? end : map.barToTick(pos.bar + 1);
    }
    const int steps = int(std::max<Tick>(0, (toTick - fromTick + stepTicks - 1) / stepTicks));
    const int P = config.pitches();
    seq.resize(steps, P, config.onsets);
    fillMetre(map, config, fromTick, stepTicks, seq);

    std::vector<int> velocitySum(std::size_t(steps), 0), velocityCount(std::size_t(steps), 0);
    auto use = [&](const model::Track& track) {
        if (selection.all())
            return true;
        const int index = song.trackIndex(track.id());
        return std::find(selection.tracks.begin(), selection.tracks.end(), track.id()) !=
                   selection.tracks.end() ||
               std::find(selection.indices.begin(), selection.indices.end(), index) !=
                   selection.indices.end();
    };
    auto toStep = [&](Tick tick) {
        return Tick(std::llround(double(tick - fromTick) / double(stepTicks)));
    };
    for (const model::Track& track : song.tracks()) {
        if (!use(track))
            continue;
        track.forEachNoteInRange(fromTick, toTick, [&](const Note& n) {
            if (selection.all() && n.channel == model::kDrumChannel)
                return; // GM drums do not belong on a pitch grid
            const int p = int(n.pitch) - config.lowPitch;
            if (p < 0 || p >= P)
                return;
            Tick s = toStep(n.start), e = toStep(n.end());
            if (s >= steps)
                return; // starts in the last half step: rounds to the grid's end (the next bar)
            e = std::max(e, s + 1);
            if (s < 0) // sounding into the range from before: held, not started here
                s = 0;
            else if (!seq.onset.empty())
                seq.onset[std::size_t(s) * P + p] = 1;
            if (n.start >= fromTick && s < steps) {
                velocitySum[std::size_t(s)] += n.velocity;
                ++velocityCount[std::size_t(s)];
            }
            for (Tick t = s; t < std::min<Tick>(e, steps); ++t)
                seq.sounding[std::size_t(t) * P + p] = 1;
        });
    }
    if (config.velocity) {
        for (int t = 0; t < steps; ++t)
            if (velocityCount[std::size_t(t)] > 0)
                seq.velocityBin[std::size_t(t)] =
                    velocityToBin(velocitySum[std::size_t(t)] / velocityCount[std::size_t(t)],
                                  config.velocityBins);
    }
    return seq;
}

std::vector<Note> sequenceToNotes(const FrameSequence& seq, const RepresentationConfig& config,
                                  Tick startTick, Tick stepTicks, std::uint8_t channel) {
    std::vector<Note> notes;
    const int P = seq.pitches;
    for (int p = 0; p < P; ++p) {
        const int pitch = config.lowPitch + p;
        if (pitch < 0 || pitch > 127)
            continue;
        int t = 0;
        while (t < seq.steps) {
            if (!seq.sounds(t, p)) {
                ++t;
                continue;
            }
            const int begin = t++;
            while (t < seq.steps && seq.sounds(t, p) && !seq.starts(t, p))
                ++t;
            Note n;
            n.start = startTick + Tick(begin) * stepTicks;
            n.length = Tick(t - begin) * stepTicks;
            n.pitch = std::uint8_t(pitch);
            n.velocity = std::uint8_t(
                binToVelocity(seq.velocityBin[std::size_t(begin)], config.velocityBins));
            n.channel = channel;
            notes.push_back(n);
        }
    }
    std::sort(notes.begin(), notes.end(), model::noteOrder);
    return notes;
}

int inputSize(const RepresentationConfig& config) {
    return config.pitches() * config.pitchBlocks() + (config.velocity ? config.velocityBins : 0) +
           config.stepsPerBeat + config.maxBeatsPerBar;
}

namespace {

// Step t's sounding frame, then its onsets when the config has them (zeros outside the piece);
// returns the position after them.
float* writeFrame(const FrameSequence& seq, int t, const RepresentationConfig& config, float* o) {
    const int P = config.pitches();
    const bool inside = t >= 0 && t < seq.steps;
    if (inside) {
        const std::uint8_t* row = seq.sounding.data() + std::size_t(t) * seq.pitches;
        for (int p = 0; p < P && p < seq.pitches; ++p)
            o[p] = row[p];
    }
    o += P;
    if (config.onsets) {
        if (inside)
            for (int p = 0; p < P && p < seq.pitches; ++p)
                o[p] = seq.starts(t, p);
        o += P;
    }
    return o;
}

} // namespace

int lookbackStep(const FrameSequence& seq, int s, const RepresentationConfig& config) {
    if (s <= 0 || s >= seq.steps)
        return -1;
    const std::uint8_t sib = seq.stepInBeat[std::size_t(s)];
    const std::uint8_t bib = seq.beatInBar[std::size_t(s)];
    if (sib == kUnknownMetre || bib == kUnknownMetre) {
        const int back = s - 4 * config.stepsPerBeat;
        return back >= 0 ? back : -1;
    }
    // Bars longer than maxBeatsPerBar beats wrap in the input; two of them back is far enough.
    const int limit = std::max(0, s - 2 * config.stepsPerBeat * std::max(8, int(bib) + 1));
    for (int r = s - 1; r >= limit; --r)
        if (seq.stepInBeat[std::size_t(r)] == sib && seq.beatInBar[std::size_t(r)] == bib)
            return r;
    return -1;
}

bool figureRepeats(const FrameSequence& seq, int s, int back) {
    const int bar = s - back;
    if (back < 0 || bar < 2 || bar % 2 != 0 || s > seq.steps)
        return false;
    const int half = bar / 2;
    int differ = 0, starting = 0;
    for (int t = s - half; t < s; ++t) {
        const bool starts = seq.startsAny(t);
        differ += starts != seq.startsAny(t - half);
        starting += starts;
    }
    return differ <= 1 && starting >= 2;
}

void buildInput(const FrameSequence& seq, int t, const RepresentationConfig& config, float* out) {
    const int size = inputSize(config);
    std::fill(out, out + size, 0.0f);
    float* o = writeFrame(seq, t, config, out);
    if (config.lookback)
        o = writeFrame(seq, lookbackStep(seq, t + 1, config), config, o);
    if (config.velocity) {
        if (t >= 0 && t < seq.steps) {
            const std::uint8_t bin = seq.velocityBin[std::size_t(t)];
            if (bin < config.velocityBins)
                o[bin] = 1.0f;
        }
        o += config.velocityBins;
    }
    const int next = t + 1;
    if (next >= 0 && next < seq.steps) {
        const std::uint8_t sib = seq.stepInBeat[std::size_t(next)];
        const std::uint8_t bib = seq.beatInBar[std::size_t(next)];
        if (sib != kUnknownMetre)
            o[sib % config.stepsPerBeat] = 1.0f;
        if (bib != kUnknownMetre)
            o[config.stepsPerBeat + bib % config.maxBeatsPerBar] = 1.0f;
    }
}

} // namespace torchestra::ml
