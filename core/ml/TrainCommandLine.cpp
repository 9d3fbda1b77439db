#include "ml/TrainCommandLine.h"

#include <cstdio>
#include <cstdlib>

namespace torchestra::ml {

namespace {

// The shortest decimal form that reads back as the same double ("0.003", not "0.00300...01").
std::string number(double v) {
    char buf[64];
    for (int digits = 6; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v)
            break;
    }
    return buf;
}

std::string trackList(const std::vector<int>& tracks) {
    std::string text;
    for (int t : tracks)
        text += (text.empty() ? "" : ",") + std::to_string(t);
    return text;
}

} // namespace

std::vector<std::string> trainCommandArguments(const ModelConfig& config,
                                               const TrainOptions& options,
                                               const std::vector<int>& tracks,
                                               const std::string& out,
                                               const std::vector<std::string>& inputs,
                                               const std::vector<std::string>& extra) {
    std::vector<std::string> a = {"train", "--model", toString(config.kind)};
    auto add = [&a](const char* flag, const std::string& value) {
        a.push_back(flag);
        a.push_back(value);
    };
    switch (config.kind) {
    case ModelKind::Markov:
        add("--order", std::to_string(config.markovOrder));
        break;
    case ModelKind::Gan:
        add("--hidden", std::to_string(config.hidden));
        add("--noise", std::to_string(config.noiseSize));
        add("--bar-steps", std::to_string(config.barSteps));
        add("--harmony-plan", config.harmonyPlan ? "on" : "off");
        if (config.harmonyPlan)
            add("--harmony-quarters", config.harmonyQuarters ? "on" : "off");
        break;
    case ModelKind::Rnn:
    case ModelKind::Lstm:
        add("--head", toString(config.head));
        add("--hidden", std::to_string(config.hidden));
        add("--layers", std::to_string(config.layers));
        add("--dropout", number(config.dropout));
        if (config.head == HeadKind::Autoregressive)
            add("--nade-hidden", std::to_string(config.nadeHidden));
        add("--hold", config.holdPath ? "on" : "off");
        add("--lookback", config.representation.lookback ? "on" : "off");
        break;
    }
    add("--steps-per-beat", std::to_string(config.representation.stepsPerBeat));
    if (config.kind != ModelKind::Markov) {
        // The CLI's --epochs reads up to kEpochsWithoutLimit: "no limit" is that number.
        add("--epochs", std::to_string(options.epochs));
        add("--max-minutes", number(options.maxMinutes));
        add("--batch", std::to_string(options.batchSize));
        add("--window", std::to_string(options.windowSteps));
        add("--steps-per-epoch", std::to_string(options.stepsPerEpoch));
        add("--lr", number(options.learningRate));
        add("--weight-decay", number(options.weightDecay));
        add("--average", number(options.averageDecay));
        add("--input-dropout", number(options.inputDropout));
        add("--patience", std::to_string(options.patience));
        add("--transpose", std::to_string(options.transpose));
    }
    add("--seed", std::to_string(options.seed));
    if (!tracks.empty())
        add("--tracks", trackList(tracks));
    a.insert(a.end(), extra.begin(), extra.end());
    add("--out", out);
    a.insert(a.end(), inputs.begin(), inputs.end());
    return a;
}

std::vector<std::string> trainCorpusCommandArguments(const ModelConfig& config,
                                                     const TrainOptions& options,
                                                     const std::string& corpusDir,
                                                     const std::string& out,
                                                     const std::vector<std::string>& extra) {
    std::vector<std::string> a = trainCommandArguments(config, options, {}, out, {}, extra);
    a.push_back("--corpus");
    a.push_back(corpusDir);
    return a;
}

std::string shellCommandLine(const std::string& program, const std::vector<std::string>& args) {
    auto quote = [](const std::string& s) {
        const bool plain =
            !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789-_.,/:=+@%") == std::string::npos;
        if (plain)
            return s;
        std::string q = "'";
        for (char c : s)
            q += c == '\'' ? std::string("'\\''") : std::string(1, c);
        return q + "'";
    };
    std::string line = quote(program);
    for (const std::string& a : args)
        line += " " + quote(a);
    return line;
}

} // namespace torchestra::ml
