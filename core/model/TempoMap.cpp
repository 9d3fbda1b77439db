#include "model/TempoMap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace torchestra::model {

namespace {

constexpr std::int32_t kDefaultUsPerQuarter = 500000;

template <typename T> void insertOrReplace(std::vector<T>& list, const T& value) {
    auto it = std::lower_bound(list.begin(), list.end(), value.tick,
                               [](const T& e, Tick t) { return e.tick < t; });
    if (it != list.end() && it->tick == value.tick)
        *it = value;
    else
        list.insert(it, value);
}

template <typename T> bool removeAt(std::vector<T>& list, Tick tick) {
    auto it = std::find_if(list.begin(), list.end(), [&](const T& e) { return e.tick == tick; });
    if (it == list.end())
        return false;
    list.erase(it);
    return true;
}

// The entry in effect at `tick` (the last one at or before it), or null before the first.
template <typename T> const T* entryAt(const std::vector<T>& list, Tick tick) {
    auto it = std::upper_bound(list.begin(), list.end(), tick,
                               [](Tick t, const T& e) { return t < e.tick; });
    return it == list.begin() ? nullptr : &*(it - 1);
}

Tick floorDiv(Tick a, Tick b) {
    Tick q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

// A stretch of constant metre: where it starts in ticks and in bars.
struct MetreSegment {
    Tick startTick;
    std::int64_t startBar;
    Tick barLength;
    Tick beatLength;
};

} // namespace

std::string BarBeatTick::toString() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld:%d:%03lld", static_cast<long long>(bar + 1), beat + 1,
                  static_cast<long long>(tick));
    return buf;
}

TempoMap::TempoMap(int ppq) : m_ppq(std::max(1, ppq)) {}

void TempoMap::setPpq(int ppq) {
    m_ppq = std::max(1, ppq);
}

void TempoMap::setTempo(Tick tick, std::int32_t usPerQuarter) {
    insertOrReplace(m_tempos, TempoChange{std::max<Tick>(0, tick), std::max(1, usPerQuarter)});
}

void TempoMap::setTimeSignature(const TimeSignature& ts) {
    TimeSignature t = ts;
    t.tick = std::max<Tick>(0, t.tick);
    t.numerator = std::max(1, t.numerator);
    t.denominator = std::max(1, t.denominator);
    insertOrReplace(m_timeSignatures, t);
}

void TempoMap::setKeySignature(const KeySignature& ks) {
    KeySignature k = ks;
    k.tick = std::max<Tick>(0, k.tick);
    k.sharps = std::clamp(k.sharps, -7, 7);
    insertOrReplace(m_keySignatures, k);
}

bool TempoMap::removeTempo(Tick tick) {
    return removeAt(m_tempos, tick);
}
bool TempoMap::removeTimeSignature(Tick tick) {
    return removeAt(m_timeSignatures, tick);
}
bool TempoMap::removeKeySignature(Tick tick) {
    return removeAt(m_keySignatures, tick);
}

void TempoMap::clear() {
    m_tempos.clear();
    m_timeSignatures.clear();
    m_keySignatures.clear();
}

std::int32_t TempoMap::usPerQuarterAt(Tick tick) const {
    const TempoChange* t = entryAt(m_tempos, tick);
    return t ? t->usPerQuarter : kDefaultUsPerQuarter;
}

TimeSignature TempoMap::timeSignatureAt(Tick tick) const {
    const TimeSignature* t = entryAt(m_timeSignatures, tick);
    return t ? *t : TimeSignature{};
}

KeySignature TempoMap::keySignatureAt(Tick tick) const {
    const KeySignature* k = entryAt(m_keySignatures, tick);
    return k ? *k : KeySignature{};
}

std::int64_t TempoMap::microsTimesPpq(Tick tick) const {
    if (tick <= 0)
        return 0;
    std::int64_t sum = 0;
    Tick segStart = 0;
    std::int64_t us = kDefaultUsPerQuarter;
    for (const TempoChange& t : m_tempos) {
        if (t.tick >= tick)
            break;
        sum += (t.tick - segStart) * us;
        segStart = t.tick;
        us = t.usPerQuarter;
    }
    return sum + (tick - segStart) * us;
}

double TempoMap::tickToSeconds(Tick tick) const {
    return double(microsTimesPpq(tick)) / (double(m_ppq) * 1e6);
}

double TempoMap::secondsToTickExact(double seconds) const {
    if (!(seconds > 0))
        return 0.0;
    const double target = seconds * double(m_ppq) * 1e6; // microseconds x PPQ
    double sum = 0;
    Tick segStart = 0;
    double us = kDefaultUsPerQuarter;
    for (const TempoChange& t : m_tempos) {
        const double segEnd = sum + double(t.tick - segStart) * us;
        if (segEnd >= target)
            break;
        sum = segEnd;
        segStart = t.tick;
        us = t.usPerQuarter;
    }
    return double(segStart) + (target - sum) / us;
}

Tick TempoMap::secondsToTick(double seconds) const {
    return Tick(std::llround(secondsToTickExact(seconds)));
}

namespace {

std::vector<MetreSegment> metreSegments(const TempoMap& map) {
    std::vector<MetreSegment> segs;
    auto lengths = [&](const TimeSignature& ts) {
        Tick beat = std::max<Tick>(1, map.ticksPerBeat(ts));
        return std::pair<Tick, Tick>(beat * ts.numerator, beat);
    };
    const auto& list = map.timeSignatures();
    if (list.empty() || list.front().tick > 0) {
        auto [bar, beat] = lengths(TimeSignature{});
        segs.push_back({0, 0, bar, beat});
    }
    for (const TimeSignature& ts : list) {
        auto [bar, beat] = lengths(ts);
        std::int64_t startBar = 0;
        if (!segs.empty()) {
            const MetreSegment& p = segs.back();
            // A change inside a bar ends that (short) bar there: round up.
            Tick span = ts.tick - p.startTick;
            startBar = p.startBar + (span + p.barLength - 1) / p.barLength;
        }
        segs.push_back({ts.tick, startBar, bar, beat});
    }
    return segs;
}

} // namespace

BarBeatTick TempoMap::tickToBarBeatTick(Tick tick) const {
    const auto segs = metreSegments(*this);
    const MetreSegment* s = &segs.front();
    for (const MetreSegment& seg : segs) {
        if (seg.startTick <= tick)
            s = &seg;
    }
    Tick offset = tick - s->startTick;
    std::int64_t bars = floorDiv(offset, s->barLength);
    Tick rem = offset - bars * s->barLength;
    BarBeatTick pos;
    pos.bar = s->startBar + bars;
    pos.beat = int(rem / s->beatLength);
    pos.tick = rem % s->beatLength;
    return pos;
}

Tick TempoMap::barBeatTickToTick(const BarBeatTick& pos) const {
    const auto segs = metreSegments(*this);
    const MetreSegment* s = &segs.front();
    for (const MetreSegment& seg : segs) {
        if (seg.startBar <= pos.bar)
            s = &seg;
    }
    return s->startTick + (pos.bar - s->startBar) * s->barLength + Tick(pos.beat) * s->beatLength +
           pos.tick;
}

} // namespace torchestra::model
