#include "train_cli.h"

#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/config_schema.h"

namespace sage {

std::string trainUsage() {
    return "usage: sage-train --config FILE --db FILE [--set key=value ...] [--experiment NAME]\n"
           "                  [--nproc N] [--quiet]\n"
           "       sage-train --resume RUN_ID --db FILE [--quiet]\n"
           "       sage-train --keys      list every configuration key with its allowed values\n"
           "       sage-train suite FILE --db FILE [--parallel N]   every arm and seed of a suite\n"
           "       sage-train report --db FILE --experiment NAME --out DIR   a suite's report\n"
           "       (sage-train suite --help, sage-train report --help: their options)\n"
           "\n"
           "Trains one run headless and logs it to the SQLite run store FILE (created if missing),\n"
           "which sage-dashboard --db FILE shows live. --set overrides a key of the configuration.\n"
           "--nproc N trains data-parallel with N processes on this machine (c10d, Gloo over\n"
           "127.0.0.1); each takes training.contexts/N contexts of every batch. Started with torchrun's\n"
           "variables (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) it is one rank of a group that may\n"
           "span machines (see the README: trusted networks only).\n"
           "--resume RUN_ID continues a stopped, failed or interrupted RL run of FILE from its last\n"
           "checkpoint, with the configuration it was started with, in one process.\n"
           "Exit codes: 0 finished, 1 training failed (see the run's error), 2 bad configuration or\n"
           "arguments, 130 stopped by SIGINT/SIGTERM (the run is kept, status stopped).\n";
}

namespace {

/// The whole number `text` spells, when it is 1 or more and nothing else follows it.
std::optional<int64_t> positiveNumber(const std::string& text) {
    try {
        size_t used = 0;
        const long long number = std::stoll(text, &used);
        if (used == text.size() && number >= 1) return number;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

}  // namespace

std::optional<TrainArguments> parseTrainArguments(int argc, char** argv, std::string& error) {
    TrainArguments args;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&](const char* flag) -> std::optional<std::string> {
            if (i + 1 >= argc) {
                error = std::string(flag) + " needs a value";
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (arg != "--nproc") args.rankArguments.push_back(arg);  // the ranks are not passed --nproc
        if (arg == "--help" || arg == "-h") {
            args.help = true;
        } else if (arg == "--keys") {
            args.listKeys = true;
        } else if (arg == "--quiet" || arg == "-q") {
            args.quiet = true;
        } else if (arg == "--nproc" || arg == "--resume") {
            auto v = value(arg.c_str());
            if (!v) return std::nullopt;
            const auto number = positiveNumber(*v);
            if (!number || (arg == "--nproc" && *number > std::numeric_limits<int>::max())) {
                error = arg == "--nproc" ? "--nproc needs a whole number of processes, 1 or more (got '" + *v + "')"
                                         : "--resume needs a run id, a whole number of 1 or more (got '" + *v + "')";
                return std::nullopt;
            }
            if (arg == "--nproc") args.nproc = static_cast<int>(*number);
            else args.resumeRunId = *number;
        } else if (arg == "--config" || arg == "--db" || arg == "--set" || arg == "--experiment") {
            auto v = value(arg.c_str());
            if (!v) return std::nullopt;
            if (arg == "--config") args.configPath = *v;
            else if (arg == "--db") args.dbPath = *v;
            else if (arg == "--set") args.assignments.push_back(*v);
            else args.experiment = *v;
            args.rankArguments.push_back(*v);
        } else {
            error = "unknown argument '" + arg + "'";
            return std::nullopt;
        }
    }
    if (args.resumeRunId > 0 && !args.help && !args.listKeys) {
        // The run's own configuration decides; a different one would not fit its checkpoints.
        if (!args.configPath.empty() || !args.assignments.empty())
            error = "--resume continues with the run's stored configuration; drop --config and --set";
        else if (args.nproc > 1)
            error = "--resume continues a run in one process; drop --nproc (every rank of a data-parallel "
                    "run holds the same state, so one process continues it)";
        else if (args.dbPath.empty())
            error = "--db FILE is required";
        if (!error.empty()) return std::nullopt;
    } else if (!args.help && !args.listKeys) {
        if (args.configPath.empty()) error = "--config FILE is required";
        else if (args.dbPath.empty()) error = "--db FILE is required";
        if (!error.empty()) return std::nullopt;
    }
    return args;
}

std::string configKeysText() {
    std::ostringstream out;
    const RunConfig defaults;
    for (const auto& field : ConfigSchema::instance().fields()) {
        out << field.key << "  " << field.allowedText() << "  (default " << field.get(defaults).dump()
            << ")\n    " << field.help << '\n';
    }
    return out.str();
}

}  // namespace sage
