#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sage {

/// What `sage-train` was asked to do, parsed from argv.
struct TrainArguments {
    std::string configPath;
    std::string dbPath;
    std::string experiment = "default";
    std::vector<std::string> assignments;  // --set key=value, in order
    bool listKeys = false;
    bool help = false;
    bool quiet = false;
    int nproc = 1;                         // --nproc N: data-parallel ranks on this machine
    int64_t resumeRunId = 0;               // --resume RUN_ID: continue that run (0: a new run)
    std::vector<std::string> rankArguments;  // argv[1..] without --nproc, for the ranks
};

/// Parses argv; on a usage error returns nullopt and fills `error`.
std::optional<TrainArguments> parseTrainArguments(int argc, char** argv, std::string& error);
std::string trainUsage();
/// One line per configuration key: key, allowed values, default.
std::string configKeysText();

}  // namespace sage
