#include "suite/suite_run_label.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace sage {
namespace {

constexpr const char* kDatasetPrefix = "dataset";
constexpr const char* kArmPrefix = "arm";
const std::string kSeedSeparator = "/seed";

bool hasTag(const std::vector<std::string>& tags, const std::string& tag) {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

}  // namespace

std::string SuiteRunLabel::runName() const {
    return sft ? std::string(kSftRunName) : arm + kSeedSeparator + std::to_string(seed);
}

std::vector<std::string> SuiteRunLabel::tags() const {
    std::vector<std::string> tags{std::string(kDatasetPrefix) + ":" + dataset};
    if (sft) {
        tags.emplace_back(kSftTag);
    } else {
        tags.push_back(std::string(kArmPrefix) + ":" + arm);
        if (baseline) tags.emplace_back(kBaselineTag);
    }
    return tags;
}

std::optional<std::string> SuiteRunLabel::tagValue(const std::vector<std::string>& tags,
                                                   const std::string& prefix) {
    const std::string head = prefix + ":";
    for (const auto& tag : tags)
        if (tag.rfind(head, 0) == 0) return tag.substr(head.size());
    return std::nullopt;
}

std::string SuiteRunLabel::datasetOfConfig(const std::string& configJson) {
    const auto config = nlohmann::json::parse(configJson, nullptr, /*allow_exceptions=*/false);
    if (!config.is_object() || !config.contains("environment")) return "unknown";
    const auto& environment = config["environment"];
    const std::string kind = environment.value("kind", "");
    if (kind != "amazon") return kind.empty() ? "unknown" : kind;
    const std::string path = environment.value("data_path", "");
    return path.empty() ? kind : std::filesystem::path(path).stem().string();
}

SuiteRunLabel SuiteRunLabel::of(const RunSummary& run) {
    SuiteRunLabel label;
    label.dataset = tagValue(run.tags, kDatasetPrefix).value_or(datasetOfConfig(run.configJson));
    label.seed = run.seed;
    label.sft = hasTag(run.tags, kSftTag);
    if (!label.sft) {
        const auto config = nlohmann::json::parse(run.configJson, nullptr, false);
        label.sft = config.is_object() && config.contains("training") &&
                    config["training"].value("stage", "") == "sft";
    }
    label.baseline = hasTag(run.tags, kBaselineTag);
    if (const auto arm = tagValue(run.tags, kArmPrefix)) {
        label.arm = *arm;
    } else {
        // "<arm>/seed<k>" names the arm; any other name is its own arm.
        const auto cut = run.name.rfind(kSeedSeparator);
        label.arm = cut == std::string::npos ? run.name : run.name.substr(0, cut);
    }
    if (label.sft) label.arm = kSftRunName;
    return label;
}

}  // namespace sage
