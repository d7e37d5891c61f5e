// A CSV/TSV interactions table (loadInteractionsTable), read once as it is and once with a
// minimum rating and a 2-core filter, so that both the plain and the filtering paths run.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dataset_checks.h"

namespace {

void load(std::string_view text, const sage::InteractionsOptions& options) {
    try {
        sage::fuzz::requireConsistent(sage::parseInteractionsTable(text, "fuzz.csv", options));
    } catch (const sage::DataError& error) {
        sage::fuzz::requireLocated(error, "fuzz.csv");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    load(text, {});
    sage::InteractionsOptions filtered;
    filtered.minRating = 3.0;
    filtered.kCore = 2;
    load(text, filtered);
    return 0;
}
