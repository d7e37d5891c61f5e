#include "config/config_error.h"

namespace sage {
namespace {

std::string describe(const std::vector<ConfigIssue>& issues, const std::string& context) {
    std::string text = context.empty() ? "invalid configuration" : "invalid configuration in " + context;
    text += " (" + std::to_string(issues.size()) + (issues.size() == 1 ? " problem):" : " problems):");
    for (const auto& issue : issues) text += "\n  " + issue.key + ": " + issue.message;
    return text;
}

}  // namespace

ConfigError::ConfigError(std::vector<ConfigIssue> issues, const std::string& context)
    : std::runtime_error(describe(issues, context)), m_issues(std::move(issues)) {}

}  // namespace sage
