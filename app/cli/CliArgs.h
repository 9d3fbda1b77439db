#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace torchestra::cli {

// A parsed command line: positional arguments and --flags. A flag listed in `valueFlags` takes
// the next argument (or the part after '=') as its value; other flags are switches.
class CliArgs {
public:
    // Returns an error message, or "" when the arguments parse.
    std::string parse(const std::vector<std::string>& args,
                      const std::vector<std::string>& valueFlags,
                      const std::vector<std::string>& switchFlags);

    const std::vector<std::string>& positional() const { return m_positional; }
    bool has(const std::string& flag) const { return m_flags.count(flag) != 0; }
    std::optional<std::string> value(const std::string& flag) const;
    std::string value(const std::string& flag, const std::string& fallback) const;
    // Parses an integer flag within [lo, hi]; on error returns `fallback` and sets `error`
    // unless it already holds one (the first problem is reported).
    long long intValue(const std::string& flag, long long fallback, long long lo, long long hi,
                       std::string& error) const;
    double doubleValue(const std::string& flag, double fallback, double lo, double hi,
                       std::string& error) const;
    // A flag that takes on or off; otherwise as intValue.
    bool onOffValue(const std::string& flag, bool fallback, std::string& error) const;

private:
    std::vector<std::string> m_positional;
    std::map<std::string, std::string> m_flags;
};

} // namespace torchestra::cli
