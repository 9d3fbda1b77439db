#pragma once

// A corpus's report: what went in, what was refused and why (by reason, with counts and the
// first paths), notes, steps, hours, duplicates, the split, and what the last build did. Made
// from the manifest alone, so `corpus report` and the build print the same thing.

#include "ml/corpus/CorpusFormat.h"

#include <string>
#include <vector>

namespace torchestra::ml::corpus {

struct RefusalGroup {
    std::string reason; // one of kRefused*
    long count = 0;
    std::vector<std::string> firstPaths; // up to kReportPaths, each with its first problem
};

constexpr int kReportPaths = 5;

struct CorpusReport {
    long files = 0;
    long used = 0;
    long refused = 0;
    long duplicates = 0;
    long notes = 0;
    long steps = 0;
    double seconds = 0;
    long trainFiles = 0;
    long validFiles = 0;
    long trainSteps = 0;
    long validSteps = 0;
    std::vector<RefusalGroup> refusals; // most common reason first
    CorpusBuildStats build;
};

CorpusReport makeCorpusReport(const CorpusManifest& manifest);
// The report as the CLI prints it and report.txt holds it.
std::string formatCorpusReport(const CorpusReport& report, const CorpusManifest& manifest,
                               const std::string& dir);

} // namespace torchestra::ml::corpus
