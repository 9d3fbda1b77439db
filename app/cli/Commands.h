#pragma once

#include <string>
#include <vector>

namespace torchestra::cli {

// Each subcommand gets the arguments after its name and returns the process exit code:
// 0 success, 1 failure while working, 2 refused input or bad usage (one line on stderr).
using CommandFn = int (*)(const std::vector<std::string>& args);

struct CommandInfo {
    const char* name;
    const char* usage;
    CommandFn run;
};

int runInspect(const std::vector<std::string>& args);
int runConvert(const std::vector<std::string>& args);
int runTrain(const std::vector<std::string>& args);
int runGenerate(const std::vector<std::string>& args);
int runEval(const std::vector<std::string>& args);
int runEvalJsb(const std::vector<std::string>& args);
int runEvalInfill(const std::vector<std::string>& args);
int runExportJsb(const std::vector<std::string>& args);
int runMetrics(const std::vector<std::string>& args);
int runRender(const std::vector<std::string>& args);
int runPlay(const std::vector<std::string>& args);
int runPorts(const std::vector<std::string>& args);
int runRecord(const std::vector<std::string>& args);
int runSoundFonts(const std::vector<std::string>& args);
int runModels(const std::vector<std::string>& args);
int runCorpus(const std::vector<std::string>& args);
int runCalibrate(const std::vector<std::string>& args);

// The table main() dispatches on; one line per command.
const std::vector<CommandInfo>& commands();

} // namespace torchestra::cli
