// `sage-train --set key=value`, one assignment per input line, applied in order to the defaults
// and then validated as sage-train does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_schema.h"
#include "config_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto& schema = sage::ConfigSchema::instance();
    sage::RunConfig config;
    std::vector<std::string> accepted;
    for (size_t start = 0; start <= input.size();) {
        size_t end = input.find('\n', start);
        if (end == std::string_view::npos) end = input.size();
        std::string assignment(input.substr(start, end - start));
        try {
            schema.applyAssignment(config, assignment);
            accepted.push_back(std::move(assignment));
        } catch (const sage::ConfigError& error) {
            sage::fuzz::requireIssues(error);
        }
        start = end + 1;
    }
    // A rejected assignment changes nothing: the accepted ones alone give the same configuration.
    // (One comparison at the end: a JSON snapshot per line doubled the cost of every input.)
    sage::RunConfig acceptedOnly;
    try {
        for (const auto& assignment : accepted) schema.applyAssignment(acceptedOnly, assignment);
    } catch (const sage::ConfigError&) {
        sage::fuzz::require(false, "an accepted assignment is accepted again");
    }
    const nlohmann::json written = sage::toJson(config);
    sage::fuzz::require(sage::toJson(acceptedOnly) == written,
                        "a rejected assignment leaves the configuration as it was");
    if (schema.validate(config).empty()) sage::fuzz::requireRoundTrip(written);
    return 0;
}
