// sage-train: the headless trainer. Argument parsing and wiring only; the work is in core.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "config/config_schema.h"
#include "distributed/distributed_context.h"
#include "progress_printer.h"
#include "rank_launcher.h"
#include "report_command.h"
#include "store/run_store.h"
#include "suite_command.h"
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
// The launcher tells rank 0 which run to train into.
constexpr const char* kRunIdVariable = "SAGE_RUN_ID";

/// `--nproc N`: creates the run, starts N ranks of this program and waits; a failed rank fails
/// the run, whichever rank it was.
int launchRanks(const sage::TrainArguments& args, const sage::RunConfig& config) {
    // What every rank would refuse, refused once, before anything starts.
    if (config.training.stage == "sft") {
        std::cerr << "sage-train: --nproc trains the RL stage; training.stage \"sft\" runs in one process\n";
        return kExitBadConfig;
    }
    if (config.training.contexts < args.nproc) {
        std::cerr << "sage-train: --nproc " << args.nproc << " needs training.contexts of at least " << args.nproc
                  << " (each rank rolls out its share of every batch); it is " << config.training.contexts << '\n';
        return kExitBadConfig;
    }
    sage::TrainerControl unused;
    sage::TrainingJob job(config, args.dbPath, args.experiment, unused);
    const int64_t runId = job.prepare();
    if (!args.quiet) {
        std::cerr << "sage-train: run " << runId << " (" << config.name << ") in " << args.dbPath << ", "
                  << args.nproc << " ranks on this machine (Gloo over 127.0.0.1)\n";
    }
    sage::RankLauncher launcher(args.nproc, args.rankArguments, {{kRunIdVariable, std::to_string(runId)}},
                                kExitStopped);
    const auto outcome = launcher.run();
    if (outcome.failure.empty()) return outcome.exitCode;
    sage::RunStore store(args.dbPath);
    const auto run = store.run(runId);
    if (run && run->status == sage::RunStatus::Finished) {
        std::cerr << "sage-train: run " << runId << " finished, but " << outcome.failure << '\n';
        return kExitFailed;
    }
    std::string error = outcome.failure + "; the other ranks were stopped";
    if (run && !run->error.empty()) error += " (rank 0 reported: " + run->error + ")";
    store.setRunStatus(runId, sage::RunStatus::Failed, error);
    std::cerr << "sage-train: run " << runId << " failed: " << error << '\n';
    return kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
    // Subcommands parse their own arguments (suite_command.cpp, report_command.cpp).
    if (argc > 1 && std::string(argv[1]) == "suite") return sage::runSuiteCommand(argc - 1, argv + 1);
    if (argc > 1 && std::string(argv[1]) == "report") return sage::runReportCommand(argc - 1, argv + 1);
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
        if (args->resumeRunId > 0) {
            config = sage::TrainingJob::storedConfig(args->dbPath, args->resumeRunId);
            sage::resolveDevice(config);
        } else {
            config = sage::loadConfigFile(args->configPath);
            const auto& schema = sage::ConfigSchema::instance();
            for (const auto& assignment : args->assignments) schema.applyAssignment(config, assignment);
            const auto issues = schema.validate(config);
            if (!issues.empty()) throw sage::ConfigError(issues, "--set overrides");
            sage::resolveDevice(config);  // training.device=cuda without a GPU fails here, before a run exists
        }
    } catch (const std::invalid_argument& error) {  // a run that cannot resume
        std::cerr << "sage-train: " << error.what() << '\n';
        return kExitBadConfig;
    } catch (const sage::ConfigError& error) {
        std::cerr << "sage-train: " << error.what() << '\n';
        return kExitBadConfig;
    } catch (const std::exception& error) {  // the store of a run to resume cannot be read
        std::cerr << "sage-train: " << error.what() << '\n';
        return kExitFailed;
    }

    sage::TrainerControl control;
    g_control = &control;
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);

    std::string who = "sage-train";
    try {
        if (args->nproc > 1) return launchRanks(*args, config);
        // Started by torchrun or by --nproc: one rank of a data-parallel group.
        const auto distributed = sage::DistributedContext::fromEnvironment();
        if (distributed) {
            who += " (" + distributed->describe() + ")";
            // A peer that died closes its sockets: writing to them must fail, not kill this rank.
            std::signal(SIGPIPE, SIG_IGN);
        }
        const bool leader = !distributed || distributed->isLeader();
        const bool quiet = args->quiet || !leader;

        sage::ProgressPrinter progress(config.training.steps, stderr);
        sage::NullSink silent;
        sage::TrainingSink* extra = quiet ? static_cast<sage::TrainingSink*>(&silent) : &progress;
        sage::TrainingJob job(config, args->dbPath, args->experiment, control, extra, distributed.get());
        if (const char* runId = std::getenv(kRunIdVariable); runId && leader) job.useRun(std::atoll(runId));
        if (args->resumeRunId > 0) job.resumeRun(args->resumeRunId);
        const int64_t runId = leader ? job.prepare() : 0;
        if (!quiet)
            std::cerr << who << (args->resumeRunId > 0 ? ": resuming run " : ": run ") << runId << " ("
                      << config.name << ") in " << args->dbPath << '\n';
        const auto result = job.run();
        progress.finish();
        const std::string run = leader ? "run " + std::to_string(runId) : "this rank";
        switch (result.status) {
            case sage::RunStatus::Finished:
                if (!quiet) std::cerr << who << ": " << run << " finished\n";
                return 0;
            case sage::RunStatus::Stopped:
                std::cerr << who << ": " << run << " stopped by request\n";
                return kExitStopped;
            default:
                std::cerr << who << ": " << run << " failed: " << result.error << '\n';
                return kExitFailed;
        }
    } catch (const std::exception& error) {
        // The store could not be opened, a rank could not join its group, a rank could not start.
        std::cerr << who << ": " << error.what() << '\n';
        return kExitFailed;
    }
}
