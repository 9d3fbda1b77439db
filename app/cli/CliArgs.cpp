#include "cli/CliArgs.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace torchestra::cli {

namespace {
bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}
} // namespace

std::string CliArgs::parse(const std::vector<std::string>& args,
                           const std::vector<std::string>& valueFlags,
                           const std::vector<std::string>& switchFlags) {
    bool onlyPositional = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (onlyPositional || a.size() < 2 || a.compare(0, 2, "--") != 0) {
            m_positional.push_back(a);
            continue;
        }
        if (a == "--") {
            onlyPositional = true;
            continue;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inlineValue;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (contains(valueFlags, name)) {
            if (inlineValue) {
                m_flags[name] = *inlineValue;
            } else if (i + 1 < args.size()) {
                m_flags[name] = args[++i];
            } else {
                return "--" + name + " needs a value";
            }
        } else if (contains(switchFlags, name)) {
            if (inlineValue)
                return "--" + name + " takes no value";
            m_flags[name] = "";
        } else {
            return "unknown option --" + name;
        }
    }
    return {};
}

std::optional<std::string> CliArgs::value(const std::string& flag) const {
    auto it = m_flags.find(flag);
    if (it == m_flags.end())
        return std::nullopt;
    return it->second;
}

std::string CliArgs::value(const std::string& flag, const std::string& fallback) const {
    return value(flag).value_or(fallback);
}

long long CliArgs::intValue(const std::string& flag, long long fallback, long long lo, long long hi,
                            std::string& error) const {
    auto v = value(flag);
    if (!v)
        return fallback;
    errno = 0;
    char* end = nullptr;
    long long x = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || errno != 0 || x < lo || x > hi) {
        if (error.empty()) // the first problem is the one to report
            error = "--" + flag + " must be a whole number from " + std::to_string(lo) + " to " +
                    std::to_string(hi) + " (got '" + *v + "')";
        return fallback;
    }
    return x;
}

double CliArgs::doubleValue(const std::string& flag, double fallback, double lo, double hi,
                            std::string& error) const {
    auto v = value(flag);
    if (!v)
        return fallback;
    errno = 0;
    char* end = nullptr;
    double x = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0' || errno != 0 || !(x >= lo && x <= hi)) {
        if (error.empty()) // the first problem is the one to report
            error = "--" + flag + " must be a number from " + std::to_string(lo) + " to " +
                    std::to_string(hi) + " (got '" + *v + "')";
        return fallback;
    }
    return x;
}

bool CliArgs::onOffValue(const std::string& flag, bool fallback, std::string& error) const {
    auto v = value(flag);
    if (!v)
        return fallback;
    if (*v != "on" && *v != "off") {
        if (error.empty())
            error = "--" + flag + " must be on or off (got '" + *v + "')";
        return fallback;
    }
    return *v == "on";
}

} // namespace torchestra::cli
