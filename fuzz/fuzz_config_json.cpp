// A configuration file (sage-train --config, the dashboard's Open): JSON text, then the schema.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        sage::fuzz::requireRoundTrip(sage::toJson(sage::configFromJsonText(text, "fuzz.json")));
    } catch (const sage::ConfigError& error) {
        sage::fuzz::requireIssues(error);
    }
    return 0;
}
