#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "suite/suite_error.h"

namespace sage {

/// One RL arm of a suite: a name and the configuration keys it sets on top of the suite's RL base.
struct SuiteArm {
    std::string name;
    nlohmann::json set = nlohmann::json::object();  // dotted key -> value, as `--set` takes them
    RunConfig config;  // the RL base with the suite's and the arm's keys applied
};

/// A suite file (resources/suites/*.json): the paper-style comparison of several RL arms over
/// seeds on one data set, optionally after one shared SFT stage. Layout:
///
///   { "experiment": "synthetic-suite",   // the store experiment that holds every run
///     "dataset": "synthetic",            // the data set's name in the report
///     "description": "...",              // optional
///     "sft": { "base": "../presets/beauty-sft-item-id.json", "set": { ... } },  // optional
///     "rl":  { "base": "../presets/synthetic-gbpo.json", "set": { "training.steps": 200 } },
///     "arms": [ { "name": "sage", "set": { "objective.kind": "sage" } }, ... ],
///     "seeds": [0, 1, 2],
///     "baseline": "gbpo-token" }
///
/// "base" paths are relative to the suite file; "set" objects take the dotted keys of
/// `sage-train --keys`. Loading validates everything (every arm's full configuration included)
/// and reports every problem at once.
class SuiteSpec {
public:
    /// `assignments` ("key=value", from `sage-train suite --set`) apply to every stage and arm
    /// after the suite's own keys. Throws SuiteError.
    static SuiteSpec load(const std::string& path, const std::vector<std::string>& assignments = {});
    static SuiteSpec fromJson(const nlohmann::json& json, const std::string& path,
                              const std::vector<std::string>& assignments = {});

    const std::string& path() const { return m_path; }
    const std::string& experiment() const { return m_experiment; }
    const std::string& dataset() const { return m_dataset; }
    const std::string& baseline() const { return m_baseline; }
    const std::vector<SuiteArm>& arms() const { return m_arms; }
    const std::vector<int64_t>& seeds() const { return m_seeds; }
    /// The shared SFT stage's configuration, when the suite has one.
    const std::optional<RunConfig>& sft() const { return m_sft; }
    /// Whether the suite file chose the SFT checkpoint folder itself (else the runner picks one
    /// per store and experiment).
    bool sftCheckpointDirChosen() const { return m_sftCheckpointDirChosen; }

    /// Keeps only the named arms and seeds (empty: all); throws SuiteError for a name or seed the
    /// suite does not have.
    void restrict(const std::vector<std::string>& arms, const std::vector<int64_t>& seeds);

private:
    std::string m_path;
    std::string m_experiment;
    std::string m_dataset;
    std::string m_baseline;
    std::optional<RunConfig> m_sft;
    bool m_sftCheckpointDirChosen = false;
    std::vector<SuiteArm> m_arms;
    std::vector<int64_t> m_seeds;
};

}  // namespace sage
