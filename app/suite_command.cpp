#include "suite_command.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/run_store.h"
#include "suite/suite_lock.h"
#include "suite/suite_plan.h"
#include "suite/suite_spec.h"
#include "suite_runner.h"

namespace sage {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitStopped = 130;

struct SuiteArguments {
    std::string suitePath;
    std::string dbPath;
    int parallel = 1;
    std::vector<std::string> assignments;
    std::vector<std::string> arms;
    std::vector<int64_t> seeds;
    bool dryRun = false;
    bool help = false;
};

std::string suiteUsage() {
    return "usage: sage-train suite FILE --db FILE [--parallel N] [--set key=value ...]\n"
           "                        [--arms A,B,...] [--seeds 0,1,...] [--dry-run]\n"
           "\n"
           "Trains a suite (resources/suites/*.json): its shared SFT stage once, when it has one,\n"
           "then every RL arm with every seed, all into the experiment the suite names, in the run\n"
           "store FILE. Runs that finished before are skipped; an unfinished one (interrupted,\n"
           "stopped, failed) is replaced by a fresh run from step 0. Each run trains in its own\n"
           "sage-train process; --parallel N runs up to N arms at once (threads shared out).\n"
           "--set applies to every stage and arm; --arms and --seeds keep only those named;\n"
           "--dry-run prints what would run. Afterwards: sage-train report --db FILE\n"
           "--experiment NAME --out DIR.\n"
           "Exit codes: 0 every run finished, 1 a run failed (the others still ran), 2 bad\n"
           "arguments or suite file, 130 stopped by SIGINT/SIGTERM (rerun to go on).\n";
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

std::optional<int64_t> wholeNumber(const std::string& text) {
    try {
        size_t used = 0;
        const long long value = std::stoll(text, &used);
        if (used == text.size()) return value;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

std::optional<SuiteArguments> parse(int argc, char** argv, std::string& error) {
    SuiteArguments args;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc) {
                error = arg + " needs a value";
                return std::nullopt;
            }
            return std::string(argv[++i]);
        };
        if (arg == "--help" || arg == "-h") {
            args.help = true;
        } else if (arg == "--dry-run") {
            args.dryRun = true;
        } else if (arg == "--db" || arg == "--set" || arg == "--arms" || arg == "--seeds" || arg == "--parallel") {
            const auto v = value();
            if (!v) return std::nullopt;
            if (arg == "--db") {
                args.dbPath = *v;
            } else if (arg == "--set") {
                args.assignments.push_back(*v);
            } else if (arg == "--arms") {
                args.arms = splitList(*v);
            } else if (arg == "--seeds") {
                for (const auto& part : splitList(*v)) {
                    const auto seed = wholeNumber(part);
                    if (!seed) {
                        error = "--seeds takes whole numbers separated by commas (got '" + part + "')";
                        return std::nullopt;
                    }
                    args.seeds.push_back(*seed);
                }
            } else {
                const auto n = wholeNumber(*v);
                if (!n || *n < 1 || *n > 64) {
                    error = "--parallel needs a whole number of processes from 1 to 64 (got '" + *v + "')";
                    return std::nullopt;
                }
                args.parallel = static_cast<int>(*n);
            }
        } else if (!arg.empty() && arg[0] != '-' && args.suitePath.empty()) {
            args.suitePath = arg;
        } else {
            error = "unknown argument '" + arg + "'";
            return std::nullopt;
        }
    }
    if (!args.help) {
        if (args.suitePath.empty()) error = "the suite FILE is required (e.g. resources/suites/synthetic.json)";
        else if (args.dbPath.empty()) error = "--db FILE is required";
        if (!error.empty()) return std::nullopt;
    }
    return args;
}

// Where a suite keeps what is not in the store: its lock, the SFT checkpoint, the configuration
// each run was started with. Next to the store, so that a store moved with it keeps working.
std::filesystem::path workFolder(const std::string& dbPath, const std::string& experiment) {
    std::string folder = experiment;
    for (char& c : folder)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
    const auto db = std::filesystem::absolute(dbPath);
    return db.parent_path() / (db.filename().string() + "-suites") / folder;
}

void announceWait(const std::string& holder) {
    std::cerr << "sage-train suite: " << holder
              << " is running this suite's experiment in this store; waiting for it to end (Ctrl-C to give up)\n";
}

void printPlan(const SuitePlan& plan, const SuiteSpec& spec, const std::string& dbPath, int parallel) {
    int finished = 0, replaced = 0;
    const auto count = [&](const SuiteTask& task) {
        finished += task.finishedRunId ? 1 : 0;
        replaced += task.finishedRunId ? 0 : static_cast<int>(task.staleRunIds.size());
    };
    if (plan.sftTask()) count(*plan.sftTask());
    for (const auto& task : plan.armTasks()) count(task);
    std::cerr << "sage-train suite: experiment '" << spec.experiment() << "' in " << dbPath << ": "
              << (spec.sft() ? "SFT stage + " : "") << spec.arms().size() << (spec.arms().size() == 1 ? " arm × " : " arms × ")
              << spec.seeds().size() << (spec.seeds().size() == 1 ? " seed; " : " seeds; ") << finished << " finished before (skipped), " << plan.pendingCount() << " to run";
    if (replaced > 0) std::cerr << " (" << replaced << " unfinished run" << (replaced > 1 ? "s" : "") << " replaced)";
    std::cerr << ", up to " << parallel << " at a time\n";
}

void printDryRun(const SuitePlan& plan) {
    const auto line = [](const SuiteTask& task) {
        std::cout << task.config.name << ": ";
        if (task.finishedRunId) std::cout << "finished (run " << *task.finishedRunId << "), skipped";
        else if (!task.staleRunIds.empty()) std::cout << "to run, replacing run " << task.staleRunIds.back();
        else std::cout << "to run";
        std::cout << '\n';
    };
    if (plan.sftTask()) line(*plan.sftTask());
    for (const auto& task : plan.armTasks()) line(task);
}

}  // namespace

int runSuiteCommand(int argc, char** argv) {
    std::string usageError;
    const auto args = parse(argc, argv, usageError);
    if (!args) {
        std::cerr << "sage-train suite: " << usageError << "\n\n" << suiteUsage();
        return kExitBadInput;
    }
    if (args->help) {
        std::cout << suiteUsage();
        return 0;
    }
    std::optional<SuiteSpec> spec;
    try {
        spec = SuiteSpec::load(args->suitePath, args->assignments);
        spec->restrict(args->arms, args->seeds);
    } catch (const SuiteError& error) {
        std::cerr << "sage-train " << error.what() << '\n';
        return kExitBadInput;
    }
    try {
        const auto folder = workFolder(args->dbPath, spec->experiment());
        std::filesystem::create_directories(folder);
        const SuiteLock lock((folder / "lock").string(), announceWait);
        RunStore store(args->dbPath);  // opening it marks runs of dead processes interrupted

        const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
        const int armThreads = std::max(1, cores / args->parallel);
        const SuitePlan plan(*spec, store, (folder / "sft").string(), cores, armThreads);
        if (args->dryRun) {
            printDryRun(plan);
            return 0;
        }
        printPlan(plan, *spec, args->dbPath, args->parallel);

        SuiteRunner runner({args->dbPath, spec->experiment(), (folder / "configs").string(), args->parallel}, store,
                           stderr);
        const auto outcome = runner.run(plan);
        const int total = static_cast<int>(plan.armTasks().size()) + (plan.sftTask() ? 1 : 0);
        const int done = total - plan.pendingCount() + outcome.finished;
        std::cerr << "sage-train suite: " << done << " of " << total << " runs finished";
        if (outcome.failed > 0) std::cerr << ", " << outcome.failed << " failed";
        std::cerr << '\n';
        for (const auto& failure : outcome.failures) std::cerr << "  failed: " << failure << '\n';
        if (outcome.stopped) {
            std::cerr << "sage-train suite: stopped; run the same command again to train what is left\n";
            return kExitStopped;
        }
        if (outcome.failed > 0 || done < total) return kExitFailed;
        std::cerr << "sage-train suite: report with: sage-train report --db " << args->dbPath << " --experiment "
                  << spec->experiment() << " --out DIR\n";
        return 0;
    } catch (const SuiteError& error) {
        // A finished run of the experiment was trained with another configuration.
        std::cerr << "sage-train " << error.what() << '\n';
        return kExitBadInput;
    } catch (const std::exception& error) {
        std::cerr << "sage-train suite: " << error.what() << '\n';
        return kExitFailed;
    }
}

}  // namespace sage
