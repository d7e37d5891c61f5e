// sage-train: the headless trainer. Argument parsing and wiring only; the work is in core.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "config/config_schema.h"
#include "progress_printer.h"
#include "store/run_store.h"
#include "train_cli.h"
#include "training/null_sink.h"
#include "training/training_device.h"
#include "training/training_job.h"

namespace {

sage::TrainerControl* g_control = nullptr;

extern "C" void requestStop(int) {
    // Only an atomic store: async-signal-safe. The trainer sees it between steps and in rollouts.
    if (g_control) g_control->stopRequested.store(true);
}

constexpr int kExitFailed = 1;
constexpr int kExitBadConfig = 2;
constexpr int kExitStopped = 130;

}  // namespace

int main(int argc, char** argv) {
    std::string usageError;
    const auto args = sage::parseTrainArguments(argc, argv, usageError);
    if (!args) {
        std::cerr << "sage-train: " << usageError << "\n\n" << sage::trainUsage();
        return kExitBadConfig;
    }
    if (args->help) {
        std::cout << sage::trainUsage();
        return 0;
    }
    if (args->listKeys) {
        std::cout << sage::configKeysText();
        return 0;
    }

    sage::RunConfig config;
    try {
        config = sage::loadConfigFile(args->configPath);
        const auto& schema = sage::ConfigSchema::instance();
        for (const auto& assignment : args->assignments) schema.applyAssignment(config, assignment);
        const auto issues = schema.validate(config);
        if (!issues.empty()) throw sage::ConfigError(issues, "--set overrides");
        sage::resolveDevice(config);  // training.device=cuda without a GPU fails here, before a run exists
    } catch (const sage::ConfigError& error) {
        std::cerr << "sage-train: " << error.what() << '\n';
        return kExitBadConfig;
    }

    sage::TrainerControl control;
    g_control = &control;
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);

    sage::ProgressPrinter progress(config.training.steps, stderr);
    sage::NullSink silent;
    sage::TrainingSink* extra = args->quiet ? static_cast<sage::TrainingSink*>(&silent) : &progress;
    try {
        sage::TrainingJob job(config, args->dbPath, args->experiment, control, extra);
        const int64_t runId = job.prepare();
        if (!args->quiet)
            std::cerr << "sage-train: run " << runId << " (" << config.name << ") in " << args->dbPath << '\n';
        const auto result = job.run();
        progress.finish();
        switch (result.status) {
            case sage::RunStatus::Finished:
                if (!args->quiet) std::cerr << "sage-train: run " << runId << " finished\n";
                return 0;
            case sage::RunStatus::Stopped:
                std::cerr << "sage-train: run " << runId << " stopped by request\n";
                return kExitStopped;
            default:
                std::cerr << "sage-train: run " << runId << " failed: " << result.error << '\n';
                return kExitFailed;
        }
    } catch (const sage::StoreError& error) {
        progress.finish();
        std::cerr << "sage-train: " << error.what() << '\n';
        return kExitFailed;
    }
}
