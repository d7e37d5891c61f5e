#include "config/run_config.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/config_schema.h"

namespace sage {

using nlohmann::json;

json toJson(const RunConfig& config) {
    json out = json::object();
    for (const auto& field : ConfigSchema::instance().fields()) {
        const auto dot = field.key.find('.');
        if (dot == std::string::npos) {
            out[field.key] = field.get(config);
        } else {
            out[field.key.substr(0, dot)][field.key.substr(dot + 1)] = field.get(config);
        }
    }
    return out;
}

namespace {

void applyField(const FieldSpec* field, const std::string& key, const json& value, RunConfig& config,
                std::vector<ConfigIssue>& issues) {
    if (!field) {
        issues.push_back({key, "unknown key (see resources/presets/*.json or docs for the known keys)"});
        return;
    }
    if (auto problem = field->check(value)) {
        issues.push_back({key, *problem});
        return;
    }
    field->set(config, value);
}

}  // namespace

RunConfig configFromJson(const json& input) {
    if (!input.is_object()) {
        throw ConfigError(std::vector<ConfigIssue>{{"<root>", "expected a JSON object with sections such as \"training\""}});
    }
    const auto& schema = ConfigSchema::instance();
    RunConfig config;
    std::vector<ConfigIssue> issues;
    for (const auto& [name, value] : input.items()) {
        if (value.is_object()) {
            for (const auto& [sub, subValue] : value.items()) {
                const std::string key = name + "." + sub;
                applyField(schema.find(key), key, subValue, config, issues);
            }
        } else {
            applyField(schema.find(name), name, value, config, issues);
        }
    }
    // Cross-field rules only make sense once every single field is valid.
    if (issues.empty()) issues = schema.validate(config);
    if (!issues.empty()) throw ConfigError(std::move(issues));
    return config;
}

RunConfig configFromJsonText(const std::string& text, const std::string& source) {
    json parsed;
    try {
        parsed = json::parse(text);
    } catch (const json::exception& error) {
        // Not only parse_error: a number too large for a double (1e400) is an out_of_range.
        throw ConfigError(std::vector<ConfigIssue>{{"<file>", std::string("not valid JSON: ") + error.what()}}, source);
    }
    try {
        return configFromJson(parsed);
    } catch (const ConfigError& error) {
        throw ConfigError(error.issues(), source);
    }
}

RunConfig loadConfigFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(std::vector<ConfigIssue>{{"<file>", "cannot open '" + path + "' for reading"}}, path);
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(std::vector<ConfigIssue>{{"<file>", "cannot read '" + path + "'"}}, path);
    return configFromJsonText(std::move(text).str(), path);
}

void saveConfigFile(const RunConfig& config, const std::string& path) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << toJson(config).dump(2) << '\n';
        if (!out) throw std::runtime_error("cannot write configuration to '" + temporary + "'");
    }
    // Rename so that a crash or a full disk never leaves a half-written configuration behind.
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        throw std::runtime_error("cannot replace configuration file '" + path + "'");
    }
}

}  // namespace sage
