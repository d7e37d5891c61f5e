#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config_error.h"
#include "config/run_config.h"

namespace sage {

enum class FieldKind { Integer, Real, Boolean, Choice, Text, Path };

/// Describes one configuration field: its key, type, range and when it applies. The form, the
/// CLI's `--set`, JSON loading and validation are all driven by this one table.
struct FieldSpec {
    std::string key;  // dotted, e.g. "training.group_size"
    std::string label;
    std::string help;
    FieldKind kind = FieldKind::Integer;
    double min = 0.0;  // Integer/Real: inclusive range
    double max = 0.0;
    std::vector<std::string> choices;  // Choice
    std::function<nlohmann::json(const RunConfig&)> get;
    std::function<void(RunConfig&, const nlohmann::json&)> set;
    /// Whether the field matters for this configuration (e.g. dual-clip c only with dual clip on).
    std::function<bool(const RunConfig&)> applies;

    std::string section() const;  // "training" for "training.group_size"
    /// Null when the value fits this field, else the message (with the allowed range).
    std::optional<std::string> check(const nlohmann::json& value) const;
    std::string allowedText() const;
};

class ConfigSchema {
public:
    static const ConfigSchema& instance();
    const std::vector<FieldSpec>& fields() const { return m_fields; }
    const FieldSpec* find(const std::string& key) const;

    /// Cross-field rules and per-field ranges of a fully built configuration.
    std::vector<ConfigIssue> validate(const RunConfig& config) const;
    /// Applies `key=value` (value parsed per the field's kind). Throws ConfigError.
    void applyAssignment(RunConfig& config, const std::string& assignment) const;

private:
    ConfigSchema();
    std::vector<FieldSpec> m_fields;
};

}  // namespace sage
