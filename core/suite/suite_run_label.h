#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/store_types.h"

namespace sage {

/// What a run is within a suite: its data set, arm and seed, and whether it is the shared SFT
/// stage or the baseline arm. `sage-train suite` writes this as run tags ("dataset:<name>",
/// "arm:<name>", "baseline", "stage:sft") and names its runs "<arm>/seed<k>" and "sft"; the report
/// and the dashboard read it back. Runs made outside a suite fall back to their name and config.
struct SuiteRunLabel {
    std::string dataset;
    std::string arm;
    int64_t seed = 0;
    bool sft = false;
    bool baseline = false;

    static constexpr const char* kSftRunName = "sft";
    static constexpr const char* kBaselineTag = "baseline";
    static constexpr const char* kSftTag = "stage:sft";
    /// Left on a run that a rerun of its suite replaced (the run is also soft-deleted).
    static constexpr const char* kSupersededTag = "superseded";

    /// "<arm>/seed<k>", or "sft" for the SFT stage.
    std::string runName() const;
    std::vector<std::string> tags() const;

    static SuiteRunLabel of(const RunSummary& run);
    /// The value of a "<prefix>:<value>" tag, if the run has one.
    static std::optional<std::string> tagValue(const std::vector<std::string>& tags,
                                               const std::string& prefix);
    /// A data set's name from a run configuration: "synthetic", or the data file's stem
    /// ("Beauty" for .../Beauty.txt).
    static std::string datasetOfConfig(const std::string& configJson);
};

}  // namespace sage
