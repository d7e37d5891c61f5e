#pragma once
#include <string>

#include "config/run_config.h"
#include "data/leave_one_out_split.h"
#include "data/sequence_dataset.h"

namespace sage {

/// The Amazon data a configuration names, loaded once and split leave-one-out. The split refers to
/// the dataset, so the two live together.
struct AmazonData {
    explicit AmazonData(const RunConfig::Environment& environment);
    AmazonData(const AmazonData&) = delete;
    AmazonData& operator=(const AmazonData&) = delete;

    SequenceDataset dataset;
    LeaveOneOutSplit split;
};

/// <name>_item2attributes.json beside the data file unless the configuration names one.
std::string attributesPathFor(const RunConfig::Environment& environment);

}  // namespace sage
