#include "ml/corpus/CorpusReport.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace torchestra::ml::corpus {

CorpusReport makeCorpusReport(const CorpusManifest& manifest) {
    CorpusReport r;
    r.build = manifest.lastBuild;
    std::map<std::string, RefusalGroup> groups;
    for (const CorpusFileEntry& f : manifest.files) {
        ++r.files;
        if (!f.used) {
            ++r.refused;
            r.duplicates += !f.duplicateOf.empty();
            RefusalGroup& g = groups[f.refused];
            g.reason = f.refused;
            if (++g.count <= kReportPaths) {
                std::string why = !f.duplicateOf.empty() ? "same bytes as " + f.duplicateOf
                                  : f.problems.empty()   ? std::string()
                                                         : f.problems.back();
                g.firstPaths.push_back(f.path + (why.empty() ? "" : ": " + why));
            }
            continue;
        }
        ++r.used;
        r.notes += f.notes;
        r.steps += f.steps;
        r.seconds += f.seconds;
        (f.valid ? r.validFiles : r.trainFiles) += 1;
        (f.valid ? r.validSteps : r.trainSteps) += f.steps;
    }
    for (auto& [reason, g] : groups)
        r.refusals.push_back(std::move(g));
    std::stable_sort(
        r.refusals.begin(), r.refusals.end(),
        [](const RefusalGroup& a, const RefusalGroup& b) { return a.count > b.count; });
    return r;
}

namespace {

std::string number(double v, const char* format) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

} // namespace

std::string formatCorpusReport(const CorpusReport& r, const CorpusManifest& m,
                               const std::string& dir) {
    std::string out = "corpus " + dir + "\n";
    out +=
        "representation " + m.representation.toJson() + ", tracks " +
        (m.trackIndices.empty() ? std::string("all but drums") : trackIndicesText(m.trackIndices)) +
        "\n";
    const CorpusBuildStats& b = r.build;
    out += "last build: " + std::to_string(b.processed) + " files read (" +
           std::to_string(b.reusedByHash) + " of them already in the corpus by content), " +
           std::to_string(b.unchanged) + " unchanged, " + std::to_string(b.removed) + " removed; " +
           number(b.wallSeconds, "%.1f") + " s on " + std::to_string(b.threads) + " threads";
    if (b.wallSeconds > 0 && b.processed > 0)
        out += " (" + number(double(b.processed) / b.wallSeconds, "%.0f") + " files/s)";
    out += "\n";
    if (!b.note.empty())
        out += "note: " + b.note + "\n";
    out += "files: " + std::to_string(r.files) + " found, " + std::to_string(r.used) + " used, " +
           std::to_string(r.refused) + " refused (" + std::to_string(r.duplicates) +
           " of them duplicates)\n";
    out += "music: " + std::to_string(r.notes) + " notes, " + std::to_string(r.steps) + " steps, " +
           number(r.seconds / 3600.0, "%.2f") + " hours\n";
    out += "split: train " + std::to_string(r.trainFiles) + " files / " +
           std::to_string(r.trainSteps) + " steps, valid " + std::to_string(r.validFiles) +
           " files / " + std::to_string(r.validSteps) + " steps (" +
           std::to_string(m.validPermille) + " per mille of files, by content hash)\n";
    for (const RefusalGroup& g : r.refusals) {
        out += "refused, " + g.reason + ": " + std::to_string(g.count) + "\n";
        for (const std::string& p : g.firstPaths)
            out += "  " + p + "\n";
        if (g.count > long(g.firstPaths.size()))
            out += "  ... and " + std::to_string(g.count - long(g.firstPaths.size())) +
                   " more (manifest.json lists every file)\n";
    }
    return out;
}

} // namespace torchestra::ml::corpus
