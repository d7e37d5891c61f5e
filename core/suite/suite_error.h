#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config_error.h"

namespace sage {

/// A suite file that cannot run: every problem found, each with where it is in the file (a
/// JSON path such as `arms[2].set.objective.kappa`) and how to fix it.
class SuiteError : public std::runtime_error {
public:
    SuiteError(const std::string& path, std::vector<ConfigIssue> issues)
        : std::runtime_error(describe(path, issues)), m_issues(std::move(issues)) {}
    const std::vector<ConfigIssue>& issues() const { return m_issues; }

private:
    static std::string describe(const std::string& path, const std::vector<ConfigIssue>& issues) {
        std::string text = "suite file " + path + " cannot run:";
        for (const auto& issue : issues) text += "\n  " + issue.key + ": " + issue.message;
        return text;
    }
    std::vector<ConfigIssue> m_issues;
};

}  // namespace sage
