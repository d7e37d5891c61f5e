// An S3-Rec sequence file (environment.data_path): `user item item ...` per line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dataset_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        sage::fuzz::requireConsistent(sage::parseS3RecSequences(text, "fuzz.txt"));
    } catch (const sage::DataError& error) {
        sage::fuzz::requireLocated(error, "fuzz.txt");
    }
    return 0;
}
