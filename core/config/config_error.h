#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace sage {

/// One bad field: its dotted key and what is wrong with it, allowed range included.
struct ConfigIssue {
    std::string key;
    std::string message;
};

/// Thrown when a configuration does not validate; what() lists every issue, one per line.
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<ConfigIssue> issues, const std::string& context = {});
    const std::vector<ConfigIssue>& issues() const { return m_issues; }

private:
    std::vector<ConfigIssue> m_issues;
};

}  // namespace sage
