#pragma once
// The run configuration a benchmark measures: `--config PRESET.json` and an optional
// `--set key=value`, read and validated as sage-train reads them.
#include <stdexcept>
#include <string>

#include "bench_support.h"
#include "config/config_schema.h"

namespace sage::bench {

inline RunConfig configFromOptions(const Options& options, const std::string& examplePreset) {
    const std::string path = options.text("config", "");
    if (path.empty()) throw std::invalid_argument("--config is required (e.g. " + examplePreset + ")");
    RunConfig config = loadConfigFile(path);
    const std::string assignment = options.text("set", "");
    if (!assignment.empty()) ConfigSchema::instance().applyAssignment(config, assignment);
    return config;
}

}  // namespace sage::bench
