#include "suite/suite_spec.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "config/config_schema.h"
#include "suite/suite_run_label.h"

namespace sage {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::set<std::string> kTopKeys{"experiment", "dataset", "description", "sft",
                                     "rl",         "arms",    "seeds",       "baseline"};
const std::set<std::string> kStageKeys{"base", "set"};
const std::set<std::string> kArmKeys{"name", "set"};
// What an SFT checkpoint fixes: an RL arm must build the same model on the same data to load it.
const std::vector<std::string> kSharedModelKeys{
    "environment.kind",            "environment.data_path",   "environment.action_space",
    "environment.collision_level", "environment.code_levels", "environment.codebook_size",
    "model.kind",                  "model.embedding_dim",     "model.hidden_dim",
    "model.layers",                "model.heads",             "model.history_window"};

class Issues {
public:
    void add(std::string where, std::string message) {
        m_list.push_back({std::move(where), std::move(message)});
    }
    void addAll(const std::string& where, const std::vector<ConfigIssue>& issues) {
        for (const auto& issue : issues) add(where + issue.key, issue.message);
    }
    bool empty() const { return m_list.empty(); }
    size_t size() const { return m_list.size(); }
    std::vector<ConfigIssue> take() { return std::move(m_list); }

private:
    std::vector<ConfigIssue> m_list;
};

void rejectUnknownKeys(const json& object, const std::set<std::string>& known,
                       const std::string& where, Issues& issues) {
    for (const auto& [key, value] : object.items()) {
        if (known.count(key)) continue;
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        issues.add(where + key, "unknown key; the keys here are " + list);
    }
}

bool validName(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

// The stage's base configuration: a preset file (relative to the suite file) or an inline object.
std::optional<RunConfig> loadBase(const json& stage, const std::string& where, const fs::path& dir,
                                  Issues& issues) {
    if (!stage.contains("base")) {
        issues.add(where + "base", "missing: name a preset, e.g. \"../presets/synthetic-gbpo.json\"");
        return std::nullopt;
    }
    const json& base = stage["base"];
    try {
        if (base.is_object()) return configFromJson(base);
        if (base.is_string()) {
            const fs::path file = dir / base.get<std::string>();
            if (!fs::exists(file)) {
                issues.add(where + "base", "no file " + file.string() +
                                               " (paths are relative to the suite file)");
                return std::nullopt;
            }
            return loadConfigFile(file.string());
        }
        issues.add(where + "base", "expected a preset path (string) or a configuration object");
    } catch (const ConfigError& error) {
        issues.addAll(where + "base: ", error.issues());
    }
    return std::nullopt;
}

// Applies a "set" object of dotted keys; every bad key is an issue.
void applySet(RunConfig& config, const json& set, const std::string& where, Issues& issues) {
    if (!set.is_object()) {
        issues.add(where, "expected an object of dotted configuration keys, e.g. "
                          "{\"training.steps\": 200}");
        return;
    }
    const auto& schema = ConfigSchema::instance();
    for (const auto& [key, value] : set.items()) {
        const FieldSpec* field = schema.find(key);
        if (!field) {
            issues.add(where + "." + key,
                       "unknown configuration key; `sage-train --keys` lists them (dotted, e.g. "
                       "objective.kappa)");
        } else if (const auto problem = field->check(value)) {
            issues.add(where + "." + key, *problem);
        } else {
            field->set(config, value);
        }
    }
}

void applyAssignments(RunConfig& config, const std::vector<std::string>& assignments,
                      Issues& issues) {
    for (const auto& assignment : assignments) {
        try {
            ConfigSchema::instance().applyAssignment(config, assignment);
        } catch (const ConfigError& error) {
            issues.addAll("--set ", error.issues());
        }
    }
}

void validateWhole(const RunConfig& config, const std::string& where, Issues& issues) {
    issues.addAll(where + ": ", ConfigSchema::instance().validate(config));
}

// A stage ("sft" or "rl"): base, the suite's keys, the command line's keys; nullopt when broken.
std::optional<RunConfig> loadStage(const json& root, const std::string& name, const fs::path& dir,
                                   const std::vector<std::string>& assignments, Issues& issues) {
    const json& stage = root[name];
    if (!stage.is_object()) {
        issues.add(name, "expected an object with \"base\" and optionally \"set\"");
        return std::nullopt;
    }
    rejectUnknownKeys(stage, kStageKeys, name + ".", issues);
    auto config = loadBase(stage, name + ".", dir, issues);
    if (!config) return std::nullopt;
    if (stage.contains("set")) applySet(*config, stage["set"], name + ".set", issues);
    applyAssignments(*config, assignments, issues);
    if (config->training.stage != name) {
        issues.add(name + ".base", "is a training.stage = \"" + config->training.stage +
                                       "\" configuration; the \"" + name +
                                       "\" stage needs training.stage = \"" + name +
                                       "\" (name another preset or set it)");
    }
    return config;
}

std::string sharedModelMismatch(const RunConfig& sft, const RunConfig& rl) {
    const auto& schema = ConfigSchema::instance();
    std::string mismatched;
    for (const auto& key : kSharedModelKeys) {
        const FieldSpec* field = schema.find(key);
        if (field->get(sft) != field->get(rl))
            mismatched += (mismatched.empty() ? "" : ", ") + key + " (SFT " +
                          field->get(sft).dump() + ", RL " + field->get(rl).dump() + ")";
    }
    return mismatched;
}

}  // namespace

SuiteSpec SuiteSpec::load(const std::string& path, const std::vector<std::string>& assignments) {
    std::ifstream in(path);
    if (!in) throw SuiteError(path, {{"<file>", "cannot open it for reading; check the path"}});
    json parsed;
    try {
        parsed = json::parse(in);
    } catch (const json::parse_error& error) {
        throw SuiteError(path, {{"<file>", std::string("not valid JSON: ") + error.what()}});
    }
    return fromJson(parsed, path, assignments);
}

SuiteSpec SuiteSpec::fromJson(const json& root, const std::string& path,
                              const std::vector<std::string>& assignments) {
    if (!root.is_object())
        throw SuiteError(path, {{"<root>", "expected a JSON object with \"experiment\", \"rl\", "
                                           "\"arms\" and \"seeds\" (see resources/suites/)"}});
    Issues issues;
    rejectUnknownKeys(root, kTopKeys, "", issues);
    const fs::path dir = fs::path(path).parent_path();
    SuiteSpec spec;
    spec.m_path = path;

    if (!root.contains("experiment") || !root["experiment"].is_string() ||
        root["experiment"].get<std::string>().empty())
        issues.add("experiment", "required: the name of the store experiment for the suite's runs");
    else
        spec.m_experiment = root["experiment"].get<std::string>();

    std::optional<RunConfig> rl;
    if (!root.contains("rl"))
        issues.add("rl", "required: {\"base\": \"<RL preset>\", \"set\": {...}}, the base of every arm");
    else
        rl = loadStage(root, "rl", dir, assignments, issues);

    if (root.contains("sft")) {
        spec.m_sft = loadStage(root, "sft", dir, assignments, issues);
        if (spec.m_sft && spec.m_sft->environment.kind == "synthetic") {
            issues.add("sft", "the synthetic environment has no SFT stage (it logs no sequences "
                              "to imitate); remove \"sft\" from the suite");
            spec.m_sft.reset();
        }
        if (spec.m_sft) {
            validateWhole(*spec.m_sft, "sft", issues);
            const json& set = root["sft"].value("set", json::object());
            spec.m_sftCheckpointDirChosen = set.is_object() && set.contains("training.checkpoint_dir");
        }
        const json& rlSet = root.value("rl", json::object()).value("set", json::object());
        if (rlSet.is_object() && rlSet.contains("training.init_checkpoint"))
            issues.add("rl.set.training.init_checkpoint",
                       "remove it: every arm starts from the checkpoint of the suite's SFT stage");
    }

    if (root.contains("dataset") && (!root["dataset"].is_string() || root["dataset"].get<std::string>().empty()))
        issues.add("dataset", "expected a non-empty name, e.g. \"Beauty\"");
    else if (root.contains("dataset"))
        spec.m_dataset = root["dataset"].get<std::string>();
    else if (rl)
        spec.m_dataset = SuiteRunLabel::datasetOfConfig(toJson(*rl).dump());

    const json arms = root.value("arms", json());
    if (!arms.is_array() || arms.empty()) {
        issues.add("arms", "required: a non-empty array of {\"name\": ..., \"set\": {...}}");
    } else {
        for (size_t i = 0; i < arms.size(); ++i) {
            const std::string where = "arms[" + std::to_string(i) + "]";
            const json& arm = arms[i];
            if (!arm.is_object()) {
                issues.add(where, "expected {\"name\": ..., \"set\": {...}}");
                continue;
            }
            rejectUnknownKeys(arm, kArmKeys, where + ".", issues);
            SuiteArm entry;
            entry.name = arm.value("name", "");
            if (!validName(entry.name) || entry.name == SuiteRunLabel::kSftRunName) {
                issues.add(where + ".name", "expected a name of letters, digits, '-', '_' or '.' "
                                            "(not \"sft\"), e.g. \"sage-no-boost\"");
                continue;
            }
            for (const auto& other : spec.m_arms)
                if (other.name == entry.name) issues.add(where + ".name", "\"" + entry.name + "\" is used twice; arm names must be unique");
            entry.set = arm.value("set", json::object());
            if (!rl) {
                spec.m_arms.push_back(std::move(entry));
                continue;
            }
            entry.config = *rl;
            const std::string label = where + " \"" + entry.name + "\"";
            const size_t before = issues.size();
            applySet(entry.config, entry.set, label + ".set", issues);
            applyAssignments(entry.config, assignments, issues);
            if (issues.size() == before) validateWhole(entry.config, label, issues);
            if (entry.config.training.stage != "rl")
                issues.add(label + ".set.training.stage", "an arm is an RL run: leave it \"rl\"");
            if (spec.m_sft) {
                const std::string mismatch = sharedModelMismatch(*spec.m_sft, entry.config);
                if (!mismatch.empty())
                    issues.add(label, "cannot start from the SFT checkpoint, the model or data "
                                      "differ: " + mismatch + "; make them equal");
            }
            spec.m_arms.push_back(std::move(entry));
        }
    }

    const json seeds = root.value("seeds", json());
    const FieldSpec* seedField = ConfigSchema::instance().find("training.seed");
    if (!seeds.is_array() || seeds.empty()) {
        issues.add("seeds", "required: a non-empty array of integers, e.g. [0, 1, 2]");
    } else {
        for (size_t i = 0; i < seeds.size(); ++i) {
            const std::string where = "seeds[" + std::to_string(i) + "]";
            if (const auto problem = seedField->check(seeds[i])) {
                issues.add(where, *problem);
                continue;
            }
            const int64_t seed = seeds[i].get<int64_t>();
            if (std::find(spec.m_seeds.begin(), spec.m_seeds.end(), seed) != spec.m_seeds.end())
                issues.add(where, std::to_string(seed) + " is listed twice");
            else
                spec.m_seeds.push_back(seed);
        }
    }

    if (root.contains("baseline")) {
        const json& baseline = root["baseline"];
        spec.m_baseline = baseline.is_string() ? baseline.get<std::string>() : std::string();
        const bool known = std::any_of(spec.m_arms.begin(), spec.m_arms.end(),
                                       [&](const SuiteArm& a) { return a.name == spec.m_baseline; });
        if (!known) issues.add("baseline", "must name one of the arms (the one the report compares against)");
    }

    if (!issues.empty()) throw SuiteError(path, issues.take());
    return spec;
}

void SuiteSpec::restrict(const std::vector<std::string>& arms, const std::vector<int64_t>& seeds) {
    Issues issues;
    for (const auto& name : arms)
        if (std::none_of(m_arms.begin(), m_arms.end(), [&](const SuiteArm& a) { return a.name == name; }))
            issues.add("--arms " + name, "the suite has no such arm");
    for (int64_t seed : seeds)
        if (std::find(m_seeds.begin(), m_seeds.end(), seed) == m_seeds.end())
            issues.add("--seeds " + std::to_string(seed), "the suite has no such seed");
    if (!issues.empty()) throw SuiteError(m_path, issues.take());
    if (!arms.empty())
        m_arms.erase(std::remove_if(m_arms.begin(), m_arms.end(),
                                    [&](const SuiteArm& a) {
                                        return std::find(arms.begin(), arms.end(), a.name) == arms.end();
                                    }),
                     m_arms.end());
    if (!seeds.empty())
        m_seeds.erase(std::remove_if(m_seeds.begin(), m_seeds.end(),
                                     [&](int64_t s) {
                                         return std::find(seeds.begin(), seeds.end(), s) == seeds.end();
                                     }),
                      m_seeds.end());
}

}  // namespace sage
