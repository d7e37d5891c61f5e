// An S3-Rec <name>_item2attributes.json ({"item": [attribute, ...]}) for a fixed set of sequences
// whose items are 1..kItems, so that keys in and out of range both occur.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dataset_checks.h"

namespace {

constexpr int kItems = 64;

const sage::SequenceDataset& sequences() {
    static const sage::SequenceDataset dataset = [] {
        std::string text;
        for (int item = 1; item <= kItems; ++item)
            text += std::to_string(item) + " " + std::to_string(item) + "\n";
        return sage::parseS3RecSequences(text, "fuzz.txt");
    }();
    return dataset;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    sage::SequenceDataset dataset = sequences();
    try {
        sage::parseItemAttributes(text, "fuzz.json", dataset);
    } catch (const sage::DataError& error) {
        sage::fuzz::requireLocated(error, "fuzz.json");
        sage::fuzz::require(dataset.attributeCount == 0 && dataset.itemAttributes ==
                                                               sequences().itemAttributes,
                            "a rejected attributes file leaves the dataset as it was");
        return 0;
    }
    sage::fuzz::requireConsistent(dataset);
    return 0;
}
