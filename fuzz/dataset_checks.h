#pragma once
// What a loader promises when it returns instead of throwing DataError (sequence_dataset.h), and
// the leave-one-out split every loaded dataset goes through next (AmazonData).
#include <cstdint>
#include <string>

#include "data/data_error.h"
#include "data/leave_one_out_split.h"
#include "data/sequence_dataset.h"
#include "fuzz_check.h"

namespace sage::fuzz {

inline void requireConsistent(const SequenceDataset& dataset) {
    require(dataset.userCount() > 0, "a loaded dataset has users");
    require(dataset.userIds.size() == dataset.sequences.size(), "one user id per sequence");
    require(dataset.itemIds.size() == static_cast<size_t>(dataset.itemCount), "one id per item");
    require(dataset.itemAttributes.size() == static_cast<size_t>(dataset.itemCount),
            "one attribute list per item");
    for (const auto& sequence : dataset.sequences) {
        require(!sequence.empty(), "no empty sequence");
        for (int64_t item : sequence) require(item >= 0 && item < dataset.itemCount, "item in range");
    }
    for (const auto& attributes : dataset.itemAttributes)
        for (int64_t id : attributes)
            require(id >= 0 && id < dataset.attributeCount, "attribute id in range");

    const LeaveOneOutSplit split(dataset);
    require(split.userCount() == dataset.userCount(), "the split keeps every user");
    require(split.itemCount() == dataset.itemCount, "the split keeps every item");
}

/// A DataError must say where: "file:line: what" or "file: what".
inline void requireLocated(const DataError& error, const std::string& fileName) {
    require(std::string(error.what()).rfind(fileName + ":", 0) == 0,
            "a DataError message starts with the file name");
}

}  // namespace sage::fuzz
