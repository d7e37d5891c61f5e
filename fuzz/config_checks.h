#pragma once
// What the configuration code promises: a ConfigError lists at least one issue, and a
// configuration that validates survives its own JSON text unchanged.
#include <string>

#include <nlohmann/json.hpp>

#include "config/config_error.h"
#include "config/run_config.h"
#include "fuzz_check.h"

namespace sage::fuzz {

inline void requireIssues(const ConfigError& error) {
    require(!error.issues().empty(), "a ConfigError names at least one issue");
}

/// `written` is toJson(config) of a configuration that validates.
inline void requireRoundTrip(const nlohmann::json& written) {
    // Through text, as saveConfigFile and the run store write it.
    const std::string text = written.dump();
    try {
        require(toJson(configFromJsonText(text, "round trip")) == written,
                "a configuration reads back unchanged from its own JSON");
    } catch (const ConfigError&) {
        require(false, "a valid configuration's own JSON loads again");
    }
}

}  // namespace sage::fuzz
